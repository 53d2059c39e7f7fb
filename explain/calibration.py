"""Reliability of confidence against ground truth: bins and expected calibration error."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clustering.metrics import matched_mapping

__all__ = ["Reliability", "reliability"]


@dataclass(frozen=True)
class Reliability:
    """A reliability diagram: per bin mean confidence, accuracy and count; and the ECE."""

    ece: float
    bin_edges: list
    confidence: list
    accuracy: list
    count: list


def reliability(confidence: np.ndarray, labels: np.ndarray, truth: np.ndarray, bins: int = 15
                ) -> Reliability:
    """Expected calibration error with Hungarian-matched correctness (noise counts wrong).

    Parameters
    ----------
    confidence : ndarray, shape (n,)
    labels : ndarray of int, shape (n,)
    truth : ndarray, shape (n,)
    bins : int
        Equal-width bins on [0, 1].

    Returns
    -------
    Reliability
    """
    mapping, t = matched_mapping(truth, labels)
    correct = np.array([mapping.get(int(lab), -1) for lab in labels]) == t
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    conf, acc, count, ece = [], [], [], 0.0
    for b in range(bins):
        mask = which == b
        count.append(int(mask.sum()))
        if mask.any():
            conf.append(float(confidence[mask].mean()))
            acc.append(float(correct[mask].mean()))
            ece += mask.mean() * abs(conf[-1] - acc[-1])
        else:
            conf.append(None)
            acc.append(None)
    return Reliability(float(ece), edges.tolist(), conf, acc, count)
