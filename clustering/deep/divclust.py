"""Diverse multiple clusterings with a consensus (after DivClust, Metaxas et al. 2023).

Several heads share a backbone; each learns a clustering with the SCAN objective, while a
diversity term pushes the similarity between any two heads' clusterings below a target
``D`` (1 = no constraint, lower = more different). The consensus is k-means on the heads'
concatenated soft assignments; every head stays available as an alternative clustering.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..kselect import kmeans_fit
from .base import TrainResult
from .common import TrainContext, adam, augment, batches, step, train_epochs
from .heads import HeadsMethod, ScanNet, head_soft
from .scan import scan_loss
from .spaces import TINY_ROWS, mine_neighbours, umap_view

__all__ = ["METHOD", "DivClustMethod", "DivClustResult", "clustering_similarity",
           "column_order", "consensus", "pair_similarities", "train_divclust"]


def clustering_similarity(pa, pb):
    """Similarity of two soft clusterings of a batch in [0, 1].

    Columns (cluster membership vectors) are L2-normalised; for each cluster of ``pa`` the
    best-matching cluster of ``pb`` is found by cosine similarity; the mean is returned.
    """
    a = torch.nn.functional.normalize(pa, dim=0)
    b = torch.nn.functional.normalize(pb, dim=0)
    return (a.T @ b).max(dim=1).values.mean()


def pair_similarities(p):
    """:func:`clustering_similarity` of every pair of heads at once.

    Parameters
    ----------
    p : Tensor, shape (heads, b, k)
        Every head's soft clustering of one batch.

    Returns
    -------
    Tensor, shape (heads * (heads - 1) / 2,)
        The similarity of heads ``a < b``, in the order of ``torch.triu_indices``.

    Examples
    --------
    >>> p = torch.softmax(torch.randn(3, 8, 4, generator=torch.Generator().manual_seed(0)), -1)
    >>> pairs = pair_similarities(p)
    >>> bool(torch.allclose(pairs, torch.stack([clustering_similarity(p[a], p[b])
    ...                                         for a, b in ((0, 1), (0, 2), (1, 2))])))
    True
    """
    unit = torch.nn.functional.normalize(p, dim=1)
    best = torch.einsum("hbk,gbl->hgkl", unit, unit).amax(dim=-1).mean(dim=-1)
    a, b = torch.triu_indices(len(p), len(p), offset=1)
    return best[a, b]


@dataclass
class DivClustResult:
    """Per-head soft assignments, the consensus, and how alike the heads are."""

    model: object
    heads_soft: list
    consensus_labels: np.ndarray
    consensus_soft: np.ndarray
    similarity: np.ndarray


def train_divclust(X: np.ndarray, neighbors: np.ndarray, n_clusters: int, ctx: TrainContext,
                   *, n_heads: int = 4, diversity: float = 0.8, epochs: int = 60,
                   batch_size: int = 256, lr: float = 1e-3, entropy_weight: float = 5.0,
                   div_weight: float = 5.0) -> DivClustResult:
    """Train diverse heads and build their consensus.

    Parameters
    ----------
    X : ndarray, shape (n, d)
    neighbors : ndarray of int, shape (n, m)
    n_clusters : int
    ctx : TrainContext
    n_heads : int
    diversity : float
        Target upper bound D on the similarity between two heads' clusterings.
    epochs, batch_size, lr, entropy_weight, div_weight
        Training settings.

    Returns
    -------
    DivClustResult
        Every head's assignments and their consensus.
    """
    net = ScanNet(X.shape[1], n_clusters, n_heads).to(ctx.device)
    opt = adam(net.parameters(), lr=lr, weight_decay=1e-4)
    data = torch.as_tensor(X, dtype=torch.float32, device=ctx.device)
    nbr = torch.as_tensor(neighbors, dtype=torch.long)
    m = nbr.shape[1]

    def one_epoch(epoch: int) -> str:
        for idx in batches(len(X), batch_size, ctx):
            with ctx.autocast():
                pa = torch.softmax(net(augment(data[idx], ctx)).float(), dim=-1)
                pn = torch.softmax(net(augment(data[nbr[idx].reshape(-1)], ctx)).float(),
                                   dim=-1)
            loss = scan_loss(pa.repeat_interleave(m, dim=1), pn, entropy_weight)[0].sum()
            excess = pair_similarities(pa) - diversity
            step(opt, loss + div_weight * torch.relu(excess).sum())
        return f"DivClust epoch {epoch + 1}/{epochs}"

    train_epochs(ctx, "divclust", {"net": net, "opt": opt}, epochs, one_epoch)
    heads = [head_soft(net, X, ctx.device, h) for h in range(n_heads)]
    labels, soft = consensus(heads, n_clusters, ctx.seed)
    sim = _pairwise_nmi([h.argmax(1) for h in heads])
    return DivClustResult(net, heads, labels, soft, sim)


def consensus(heads: list, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """k-means on the concatenated soft assignments.

    Soft consensus = mean of the heads after matching each head's clusters to the consensus
    (Hungarian).
    """
    labels = kmeans_fit(np.hstack(heads), k, seed).labels_
    mean = np.mean([soft[:, column_order(soft, labels)] for soft in heads], axis=0)
    return labels.astype(np.int64), mean / mean.sum(axis=1, keepdims=True)


def column_order(soft: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The column of ``soft`` that matches each cluster of ``labels``.

    Hungarian matching on the summed probabilities: ``soft[:, order]`` numbers clusters as
    ``labels`` does.
    """
    from scipy.optimize import linear_sum_assignment

    k = soft.shape[1]
    table = np.array([[soft[labels == c, j].sum() for j in range(k)] for c in range(k)])
    rows, cols = linear_sum_assignment(-table)
    order = np.empty(k, dtype=int)
    order[rows] = cols
    return order


def _pairwise_nmi(labels: list) -> np.ndarray:
    from sklearn.metrics import normalized_mutual_info_score

    h = len(labels)
    out = np.eye(h)
    for a in range(h):
        for b in range(a + 1, h):
            out[a, b] = out[b, a] = normalized_mutual_info_score(labels[a], labels[b])
    return out


class DivClustMethod(HeadsMethod):
    """DivClust heads on a standardised 10-D UMAP view (as SCAN), plus their consensus.

    The saved model predicts the mean of its heads, each numbered like the consensus.
    """

    name = "divclust"

    def train(self, X, k, ctx, *, epochs, heads, neighbours, diversity, entropy_weight,
              div_weight, lr, batch_size) -> TrainResult:
        """Diverse heads for ``epochs`` on one UMAP view; their consensus is the result."""
        Z = umap_view(X, ctx.seed) if len(X) > TINY_ROWS else X
        sub = ctx.part(0, 1, image_shape=None if Z is not X else ctx.image_shape)
        result = train_divclust(Z, mine_neighbours(Z, neighbours, ctx.seed), k, sub,
                                n_heads=heads, diversity=diversity, epochs=epochs, lr=lr,
                                batch_size=batch_size, entropy_weight=entropy_weight,
                                div_weight=div_weight)
        orders = [column_order(h, result.consensus_labels).tolist() for h in result.heads_soft]
        config = {"dim": Z.shape[1], "n_clusters": k, "n_heads": heads, "head": 0,
                  "consensus": orders, "input": "umap-10d" if Z is not X else "features"}
        info = {"diversity_target": diversity,
                "head_similarity_nmi": np.round(result.similarity, 3).tolist()}
        alternatives = np.stack([h.argmax(axis=1) for h in result.heads_soft], axis=1)
        return TrainResult(result.consensus_soft, result.model, config, epochs, info, view=Z,
                           labels=result.consensus_labels, alternatives=alternatives)

    def soft(self, module, Z, device, config: dict) -> np.ndarray:
        """Mean of the heads, each numbered like the consensus (``config['consensus']``)."""
        mean = np.mean([head_soft(module, Z, device, h)[:, order]
                        for h, order in enumerate(config["consensus"])], axis=0)
        return mean / mean.sum(axis=1, keepdims=True)

    def logits(self, module, config: dict):
        """Log of the heads' mean assignment."""
        orders = config["consensus"]
        return lambda x: torch.stack([
            torch.softmax(module(x, head=h), dim=-1)[:, order]
            for h, order in enumerate(orders)]).mean(dim=0).clamp_min(1e-12).log()


METHOD = DivClustMethod()
