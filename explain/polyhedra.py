"""Polyhedral cluster descriptions (after Lawless & Günlük 2023).

A few sparse half-spaces with small integer coefficients whose intersection holds the cluster and
leaves the others out, chosen by integer programming (``scipy.optimize.milp``, HiGHS) from generated
candidates, under a time limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

__all__ = ["Polyhedron", "describe_polyhedra", "polyhedron_matches"]


@dataclass(frozen=True)
class Polyhedron:
    """Half-spaces ``sum(coef[f] * x[f]) <= rhs`` whose intersection describes a cluster."""

    cluster: int
    halfspaces: list
    precision: float
    coverage: float
    optimal: bool
    notes: list = field(default_factory=list)

    @property
    def complexity(self) -> dict:
        """Number of half-spaces and of non-zero coefficients."""
        return {"halfspaces": len(self.halfspaces),
                "nonzeros": int(sum(len(h["coef"]) for h in self.halfspaces))}

    def to_json(self) -> dict:
        """The ``polyhedron`` object of ``explanations.json``."""
        return {"halfspaces": self.halfspaces, "precision": round(self.precision, 4),
                "coverage": round(self.coverage, 4), "complexity": self.complexity,
                "optimal": self.optimal, "notes": self.notes}


def polyhedron_matches(X: np.ndarray, names: list[str], halfspaces: list) -> np.ndarray:
    """Rows inside every half-space (re-checks a description)."""
    index = {n: i for i, n in enumerate(names)}
    mask = np.ones(len(X), dtype=bool)
    for h in halfspaces:
        value = sum(c * X[:, index[f]] for f, c in h["coef"].items())
        mask &= value <= h["rhs"] + 1e-9
    return mask


def _candidates(Xc: np.ndarray, Xo: np.ndarray, top: int) -> list[np.ndarray]:
    """Sparse integer directions: single features, pairs, and a rounded LDA direction."""
    d = Xc.shape[1]
    spread = np.concatenate([Xc, Xo]).std(axis=0) + 1e-12
    gap = np.abs(Xc.mean(0) - Xo.mean(0)) / spread
    feats = np.argsort(-gap)[:top]
    dirs = []
    for f in feats:
        for s in (1, -1):
            w = np.zeros(d)
            w[f] = s
            dirs.append(w)
    for f, g in combinations(feats[:6], 2):
        for a, b in ((1, 1), (1, -1), (-1, 1), (-1, -1), (1, 2), (2, 1), (1, -2), (-2, 1)):
            w = np.zeros(d)
            w[f], w[g] = a, b
            dirs.append(w)
    sub = feats[:3]
    cov = np.cov(np.concatenate([Xc[:, sub], Xo[:, sub]]).T) + 1e-6 * np.eye(len(sub))
    lda = np.linalg.solve(np.atleast_2d(cov), Xo[:, sub].mean(0) - Xc[:, sub].mean(0))
    if np.abs(lda).max() > 0:
        w = np.zeros(d)
        w[sub] = np.round(lda / np.abs(lda).max() * 3)
        if np.abs(w).sum() > 0:
            dirs.append(w)
    return dirs


def _describe_one(X, names, labels, cluster, max_halfspaces, time_limit, sample, rng,
                  containment=0.99):
    from scipy.optimize import Bounds, LinearConstraint, milp

    inside = labels == cluster
    Xc = X[inside]
    out_rows = np.flatnonzero(labels != cluster)
    if len(out_rows) > sample:
        out_rows = rng.choice(out_rows, sample, replace=False)
    Xo = X[out_rows]
    dirs = _candidates(Xc, Xo, top=min(8, X.shape[1]))
    rhs = np.array([float(np.quantile(Xc @ w, containment)) for w in dirs])
    excludes = np.array([(Xo @ w) > b + 1e-9 for w, b in zip(dirs, rhs, strict=True)])
    useful = excludes.any(axis=1)
    dirs = [w for w, u in zip(dirs, useful, strict=True) if u]
    rhs, excludes = rhs[useful], excludes[useful]
    if not dirs:
        return [], False, ["no candidate half-space separates this cluster"]
    h, o = len(dirs), len(Xo)
    nnz = np.array([np.count_nonzero(w) for w in dirs], dtype=float)
    # variables: z (h binaries: use half-space), e (o binaries: outside point kept in)
    cost = np.concatenate([1e-3 * nnz, np.ones(o)])
    cover = LinearConstraint(np.hstack([excludes.T.astype(float), np.eye(o)]), lb=1, ub=np.inf)
    limit = LinearConstraint(np.concatenate([np.ones(h), np.zeros(o)])[None, :], lb=0,
                             ub=max_halfspaces)
    res = milp(cost, constraints=[cover, limit], integrality=np.ones(h + o),
               bounds=Bounds(0, 1), options={"time_limit": time_limit, "disp": False})
    notes = []
    if res.x is None:
        return [], False, [f"the solver found no solution in {time_limit:g} s"]
    optimal = res.status == 0
    if not optimal:
        notes.append(f"time limit of {time_limit:g} s reached; this is the best found")
    chosen = np.flatnonzero(res.x[:h] > 0.5)
    halfspaces = [{"coef": {names[j]: int(dirs[i][j]) for j in np.flatnonzero(dirs[i])},
                   "op": "<=", "rhs": float(np.round(rhs[i] + 5e-7, 6))} for i in chosen]
    return halfspaces, optimal, notes


def describe_polyhedra(X: np.ndarray, names: list[str], labels: np.ndarray,
                       max_halfspaces: int = 4, time_limit: float = 10.0,
                       sample: int = 1500, random_state: int = 0,
                       containment: float = 0.99) -> dict[int, Polyhedron]:
    """One polyhedron per cluster (noise left out of the clusters, kept as "others").

    Parameters
    ----------
    X : ndarray, shape (n, p)
        Readable features.
    names : list of str
    labels : ndarray of int, shape (n,)
    max_halfspaces : int
        At most this many half-spaces per cluster.
    time_limit : float
        Seconds per cluster for the integer program.
    sample : int
        Other-cluster points the program sees (precision is then measured on all).
    random_state : int
    containment : float
        Each candidate half-space holds this share of the cluster (1.0: all of it).

    Returns
    -------
    dict of int to Polyhedron

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> X, labels = make_blobs(200, centers=[[0, 0], [6, 6]], random_state=0)
    >>> polys = describe_polyhedra(X, ["a", "b"], labels, time_limit=2)
    >>> polys[0].precision > 0.95, polys[0].coverage > 0.9
    (True, True)
    """
    rng = np.random.default_rng(random_state)
    out = {}
    for c in np.unique(labels[labels >= 0]):
        hs, optimal, notes = _describe_one(X, names, labels, c, max_halfspaces, time_limit,
                                           sample, rng, containment)
        inside = labels == c
        match = polyhedron_matches(X, names, hs) if hs else np.ones(len(X), bool)
        precision = float((match & inside).sum() / max(match.sum(), 1))
        coverage = float((match & inside).sum() / inside.sum())
        out[int(c)] = Polyhedron(int(c), hs, precision, coverage, optimal, notes)
    return out
