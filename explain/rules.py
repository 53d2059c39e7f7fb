"""Threshold-tree rules: axis-aligned cuts on readable features that reproduce a clustering.

A CART tree is grown best-first on the cluster labels (noise left out) with a leaf budget,
as ExKMC grows an IMM tree beyond k leaves; it works for any clustering (deep, density,
classic). Each cluster's rule is the union of the paths to the leaves that predict it, with
its precision and coverage measured on the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["ClusterRule", "RuleSet", "describe_rules", "rule_matches"]


@dataclass(frozen=True)
class ClusterRule:
    """``any_of`` is a union of conjunctions of ``{"feature", "op", "threshold"}`` terms."""

    cluster: int
    any_of: list
    precision: float
    coverage: float

    def to_json(self) -> dict:
        """The ``rule`` object of ``explanations.json``."""
        return {"any_of": self.any_of, "precision": round(self.precision, 4),
                "coverage": round(self.coverage, 4)}


@dataclass(frozen=True)
class RuleSet:
    """Rules for every cluster and the tree's agreement with the clustering."""

    rules: dict[int, ClusterRule]
    fidelity: float
    leaves: int
    depth: int
    notes: list = field(default_factory=list)


def rule_matches(X: np.ndarray, names: list[str], any_of: list) -> np.ndarray:
    """Boolean mask of rows matching a union of conjunctions (re-checks a rule)."""
    index = {n: i for i, n in enumerate(names)}
    out = np.zeros(len(X), dtype=bool)
    for conj in any_of:
        mask = np.ones(len(X), dtype=bool)
        for term in conj:
            col = X[:, index[term["feature"]]]
            mask &= (col <= term["threshold"]) if term["op"] == "<=" else \
                (col > term["threshold"])
        out |= mask
    return out


def describe_rules(X: np.ndarray, names: list[str], labels: np.ndarray,
                   max_leaves: int | None = None, max_depth: int | None = None,
                   random_state: int = 0) -> RuleSet:
    """Fit the threshold tree and read one rule per cluster off it.

    Parameters
    ----------
    X : ndarray, shape (n, p)
        Readable features (original units).
    names : list of str, length p
    labels : ndarray of int, shape (n,)
        -1 (noise) rows are left out of fitting and of the measures.
    max_leaves : int, optional
        Leaf budget (default 2 k, at least k).
    max_depth : int, optional
    random_state : int

    Returns
    -------
    RuleSet

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0], [8.0], [9.0], [10.0]])
    >>> rules = describe_rules(X, ["size"], np.array([0, 0, 0, 1, 1, 1]))
    >>> rules.rules[1].to_json()["any_of"], rules.fidelity
    ([[{'feature': 'size', 'op': '>', 'threshold': 5.0}]], 1.0)
    """
    from sklearn.tree import DecisionTreeClassifier

    keep = labels >= 0
    Xk, yk = X[keep], labels[keep]
    clusters = np.unique(yk)
    budget = max(len(clusters), max_leaves or 2 * len(clusters))
    tree = DecisionTreeClassifier(max_leaf_nodes=budget, max_depth=max_depth,
                                  random_state=random_state).fit(Xk, yk)
    fidelity = float((tree.predict(Xk) == yk).mean())
    paths = _leaf_paths(tree, names)
    rules = {}
    for c in clusters:
        any_of = [conj for conj, leaf_class in paths if leaf_class == c]
        match = rule_matches(Xk, names, any_of) if any_of else np.zeros(len(Xk), bool)
        inside = yk == c
        precision = float((match & inside).sum() / match.sum()) if match.any() else 0.0
        coverage = float((match & inside).sum() / inside.sum())
        rules[int(c)] = ClusterRule(int(c), any_of, precision, coverage)
    return RuleSet(rules, fidelity, int(tree.get_n_leaves()), int(tree.get_depth()))


def _leaf_paths(tree, names: list[str]) -> list[tuple[list, int]]:
    t = tree.tree_
    out = []

    def walk(node: int, conj: list) -> None:
        if t.children_left[node] == -1:
            out.append((conj, int(tree.classes_[np.argmax(t.value[node][0])])))
            return
        feature, threshold = names[t.feature[node]], float(t.threshold[node])
        walk(t.children_left[node], conj + [{"feature": feature, "op": "<=",
                                             "threshold": round(threshold, 6)}])
        walk(t.children_right[node], conj + [{"feature": feature, "op": ">",
                                              "threshold": round(threshold, 6)}])

    walk(0, [])
    return [(_simplify(conj), c) for conj, c in out]


def _simplify(conj: list) -> list:
    """Keep the tightest bound per (feature, op)."""
    best: dict = {}
    for term in conj:
        key = (term["feature"], term["op"])
        if key not in best:
            best[key] = term
        elif term["op"] == "<=" and term["threshold"] < best[key]["threshold"]:
            best[key] = term
        elif term["op"] == ">" and term["threshold"] > best[key]["threshold"]:
            best[key] = term
    return list(best.values())
