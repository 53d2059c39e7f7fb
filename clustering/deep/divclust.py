"""Diverse multiple clusterings with a consensus (after DivClust, Metaxas et al. 2023).

Several heads share a backbone; each learns a clustering with the SCAN objective, while a
diversity term pushes the similarity between any two heads' clusterings below a target
``D`` (1 = no constraint, lower = more different). The consensus is k-means on the heads'
concatenated soft assignments; every head stays available as an alternative clustering.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .common import TrainContext, augment, batches
from .scan import _module as _scan_net
from .scan import predict_soft, scan_loss

__all__ = ["DivClustResult", "clustering_similarity", "column_order", "consensus",
           "train_divclust"]


def clustering_similarity(pa, pb):
    """Similarity of two soft clusterings of a batch in [0, 1].

    Columns (cluster membership vectors) are L2-normalised; for each cluster of ``pa`` the
    best-matching cluster of ``pb`` is found by cosine similarity; the mean is returned.
    """
    import torch

    a = torch.nn.functional.normalize(pa, dim=0)
    b = torch.nn.functional.normalize(pb, dim=0)
    return (a.T @ b).max(dim=1).values.mean()


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
    """
    import torch

    net = _scan_net()(X.shape[1], n_clusters, n_heads).to(ctx.device)
    opt = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=1e-4)
    data = torch.as_tensor(X, dtype=torch.float32, device=ctx.device)
    nbr = torch.as_tensor(neighbors, dtype=torch.long)
    m = nbr.shape[1]
    ck = ctx.checkpoint("divclust", {"net": net, "opt": opt}, epochs)
    for epoch in range(ck.start, epochs):
        for idx in batches(len(X), batch_size, ctx):
            ctx.check()
            with ctx.autocast():
                pa = torch.softmax(net(augment(data[idx], ctx)).float(), dim=-1)
                pn = torch.softmax(net(augment(data[nbr[idx].reshape(-1)], ctx)).float(),
                                   dim=-1)
            loss = sum(scan_loss(pa[h].repeat_interleave(m, dim=0), pn[h], entropy_weight)[0]
                       for h in range(n_heads))
            for a in range(n_heads):
                for b in range(a + 1, n_heads):
                    excess = clustering_similarity(pa[a], pa[b]) - diversity
                    loss = loss + div_weight * torch.relu(excess)
            opt.zero_grad()
            loss.backward()
            opt.step()
        ctx.progress((epoch + 1) / epochs, f"DivClust epoch {epoch + 1}/{epochs}")
        ck.save(epoch + 1)
    heads = [predict_soft(net, X, ctx, h) for h in range(n_heads)]
    labels, soft = consensus(heads, n_clusters, ctx.seed)
    sim = _pairwise_nmi([h.argmax(1) for h in heads])
    return DivClustResult(net, heads, labels, soft, sim)


def consensus(heads: list, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """k-means on the concatenated soft assignments; soft consensus = mean of the heads
    after matching each head's clusters to the consensus (Hungarian)."""
    from sklearn.cluster import KMeans

    stacked = np.hstack(heads)
    labels = KMeans(k, n_init=10, random_state=seed).fit_predict(stacked)
    mean = np.mean([soft[:, column_order(soft, labels)] for soft in heads], axis=0)
    return labels.astype(np.int64), mean / mean.sum(axis=1, keepdims=True)


def column_order(soft: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The column of ``soft`` that matches each cluster of ``labels`` (Hungarian on the
    summed probabilities): ``soft[:, order]`` numbers clusters as ``labels`` does."""
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
