"""A learned view of texts: contrastive adaptation on top of frozen sentence embeddings.

In the spirit of SCCL (Zhang et al. 2021), implemented from the paper, with the sentence
model frozen (CPU budget) and a small residual head trained on top of it:

* each text gets two **augmented copies** (random word dropout, substitution by a word drawn
  from the corpus, and a shuffled span), embedded by the same sentence model as the texts;
* the head ``h(x) = x + g(x)`` (``g`` starts at zero, so training starts from the sentence
  embedding) is trained with an **instance-level contrastive loss** (NT-Xent through a small
  projector) between the two copies of each text, **together with the clustering objective**:
  Student-t soft assignments of ``h(x)`` to ``k`` centres (initialised by k-means) pulled
  towards their sharpened target, as in DEC.

The view is ``h`` over the original embeddings, L2-normalised; the clustering head's own
assignments are returned too.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .common import TrainContext, adam, batches, infer, step, train_epochs
from .contrastive import nt_xent
from .dec import soft_assign, target_distribution

__all__ = ["TextHead", "augment_text", "augmented_copies", "train_text_view"]

MAX_AUGMENTED_ROWS = 2000
"""At most this many texts get augmented copies (embedding them is most of the cost)."""
CLUSTER_WEIGHT = 0.1
"""Weight of the clustering objective against the instance loss (SCCL's eta). SCCL's 10
collapsed the view onto the k-means start here (the head is free to move every point to its
centre): k-means in the view 0.50 on the docstrings set, with neighbour kappa 0.996."""


def augment_text(text: str, rng: np.random.Generator, vocabulary: list[str], *,
                 drop: float = 0.15, substitute: float = 0.1, span: float = 0.3) -> str:
    """A random copy of ``text`` that should keep its topic.

    Parameters
    ----------
    text : str
        The text (split on white space).
    rng : numpy.random.Generator
        Draws the edits.
    vocabulary : list of str
        Words substitutes are drawn from (the corpus's words, repeated as often as they occur).
    drop, substitute : float
        Share of words dropped, and replaced by a word from ``vocabulary``.
    span : float
        Longest shuffled span, as a share of the words.

    Returns
    -------
    str
        The copy (never empty when ``text`` has a word).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> copy = augment_text("sort the list of numbers in place", rng, ["array"])
    >>> 0 < len(copy.split()) <= 7
    True
    """
    words = text.split()
    if len(words) < 2:
        return text
    keep = rng.random(len(words)) >= drop
    if not keep.any():
        keep[rng.integers(len(words))] = True
    words = [w for w, k in zip(words, keep, strict=True) if k]
    if vocabulary:
        for i in np.flatnonzero(rng.random(len(words)) < substitute):
            words[i] = vocabulary[rng.integers(len(vocabulary))]
    length = int(rng.integers(0, max(1, int(span * len(words))) + 1))
    if length > 1:
        start = int(rng.integers(0, len(words) - length + 1))
        part = words[start:start + length]
        words[start:start + length] = [part[i] for i in rng.permutation(length)]
    return " ".join(words)


def augmented_copies(texts: list[str], embed, seed: int, copies: int = 2,
                     max_rows: int = MAX_AUGMENTED_ROWS) -> tuple[np.ndarray, list[np.ndarray]]:
    """Embed ``copies`` augmented copies of (at most ``max_rows`` of) the texts.

    Parameters
    ----------
    texts : list of str
        All texts.
    embed : callable
        ``embed(list_of_str) -> ndarray (m, d)``: the sentence model the features came from.
    seed : int
        Seed of the row sample and the edits.
    copies : int
        Copies per text.
    max_rows : int
        Texts sampled (all when fewer).

    Returns
    -------
    rows : ndarray of int, shape (m,)
        Which texts were copied.
    embeddings : list of ndarray, each (m, d)
        One array per copy, row i the copy of ``texts[rows[i]]``.
    """
    rng = np.random.default_rng(seed)
    n = len(texts)
    rows = np.sort(rng.choice(n, max_rows, replace=False)) if n > max_rows else np.arange(n)
    vocabulary = [w for i in rows for w in texts[i].split()]
    batch = [augment_text(texts[i], rng, vocabulary) for _ in range(copies) for i in rows]
    out = np.asarray(embed(batch), dtype=np.float32)
    return rows, [out[c * len(rows):(c + 1) * len(rows)] for c in range(copies)]


class TextHead(nn.Module):
    """``h(x) = x + g(x)`` with ``g`` a two-layer MLP whose last layer starts at zero."""

    def __init__(self, dim: int, hidden: int = 512) -> None:
        super().__init__()
        self.g = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Linear(hidden, dim))
        nn.init.zeros_(self.g[2].weight)
        nn.init.zeros_(self.g[2].bias)

    def forward(self, x):
        """(b, dim) -> (b, dim)."""
        return x + self.g(x)


def train_text_view(X: np.ndarray, rows: np.ndarray, copies: list[np.ndarray], k: int,
                    ctx: TrainContext, *, epochs: int, batch_size: int = 256,
                    lr: float = 1e-3) -> tuple[np.ndarray, np.ndarray, TextHead]:
    """Train the head on the augmented copies with the instance and clustering losses.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Sentence embeddings of the texts.
    rows, copies
        From :func:`augmented_copies`.
    k : int
        Clusters of the clustering objective.
    ctx : TrainContext
        Device, seed, progress, cancellation, checkpoints.
    epochs, batch_size, lr
        Training settings.

    Returns
    -------
    view : ndarray, shape (n, d)
        ``h(X)``, L2-normalised.
    soft : ndarray, shape (n, k)
        The clustering head's assignments.
    head : TextHead
        In eval mode.
    """
    from sklearn.cluster import KMeans

    x = torch.as_tensor(np.asarray(X, dtype=np.float32), device=ctx.device)
    a1, a2 = (torch.as_tensor(c, device=ctx.device) for c in copies)
    anchors = x[torch.as_tensor(rows, device=ctx.device)]
    dim = x.shape[1]
    head = TextHead(dim).to(ctx.device)
    projector = nn.Sequential(nn.Linear(dim, 256), nn.ReLU(), nn.Linear(256, 128)).to(ctx.device)
    start = KMeans(k, n_init=10, random_state=ctx.seed).fit(X).cluster_centers_
    centres = nn.Parameter(torch.as_tensor(start, dtype=torch.float32, device=ctx.device))
    opt = adam([*head.parameters(), *projector.parameters(), centres], lr=lr)

    def one_epoch(epoch: int) -> str:
        total = 0.0
        for idx in batches(len(rows), min(batch_size, len(rows)), ctx):
            idx = idx.to(ctx.device)
            with ctx.autocast():
                instance = nt_xent(projector(head(a1[idx])).float(),
                                   projector(head(a2[idx])).float())
                q = soft_assign(head(anchors[idx]).float(), centres)
                p = target_distribution(q).detach()
                clustering = (p * (p.clamp_min(1e-12).log() - q.clamp_min(1e-12).log())
                              ).sum(dim=1).mean()
                loss = instance + CLUSTER_WEIGHT * clustering
            step(opt, loss)
            total += float(loss.detach())
        return f"text view epoch {epoch + 1}/{epochs}, loss {total:.3f}"

    train_epochs(ctx, "text-view", {"head": head, "projector": projector, "opt": opt,
                                    "centres": centres}, epochs, one_epoch)
    head.eval()
    view = torch.as_tensor(infer(head, x, ctx.device, batch_size=4096))
    with torch.no_grad():
        soft = soft_assign(view.to(ctx.device), centres).cpu().numpy()
    return torch.nn.functional.normalize(view, dim=1).numpy(), soft.astype(np.float32), head
