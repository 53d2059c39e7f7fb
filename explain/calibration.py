"""Reliability of confidence against ground truth: bins and expected calibration error."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clustering.metrics import calibration_bins

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
    b = calibration_bins(confidence, labels, truth, bins)
    return Reliability(b["ece"], b["edges"], b["confidence"], b["accuracy"], b["count"])
