"""What every deep method provides, and what its training returns.

A method is an object with ``train`` (fit on feature rows), ``build`` (an untrained network
of a saved shape, for loading weights), ``soft`` (assignments from what the network reads)
and ``logits`` (a differentiable forward function, for saliency). :class:`DeepModel`
dispatches to it; :func:`clustering.deep.fit.fit_deep` wraps its training with what all
methods share (choosing k, the view network, the calibration head).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = ["DeepMethod", "TrainResult"]


@dataclass
class TrainResult:
    """What a method's training returns.

    Parameters
    ----------
    soft : ndarray, shape (n, k)
        Soft assignments of the training rows.
    module : torch.nn.Module
        The trained clustering network.
    config : dict
        What ``build`` needs to rebuild ``module`` (JSON-serialisable).
    epochs : int
        Epochs trained in all (for seconds per epoch).
    info : dict
        Facts about the fit for ``run.json``.
    view : ndarray, shape (n, m), optional
        What the network read when it was not the feature rows themselves.
    view_net : tuple, optional
        ``(module, config)`` of a network from feature rows to ``view`` (the contrastive
        encoder); without it one is distilled from ``view``.
    labels : ndarray of int, shape (n,), optional
        The clustering when it is not ``soft.argmax(1)`` (DivClust's consensus).
    alternatives : ndarray of int, shape (n, m), optional
        Other clusterings of the rows (DivClust's heads).
    """

    soft: np.ndarray
    module: object
    config: dict
    epochs: int
    info: dict = field(default_factory=dict)
    view: np.ndarray | None = None
    view_net: tuple | None = None
    labels: np.ndarray | None = None
    alternatives: np.ndarray | None = None


class DeepMethod:
    """Base of the deep methods.

    Subclasses set ``name`` and ``kind`` and implement :meth:`train`, :meth:`build`,
    :meth:`soft` and :meth:`logits`.

    ``kind`` is the network family written to ``model.json`` (``dec`` or ``scan``), which
    older model files use to find their method.
    """

    name = ""
    kind = "scan"

    def train(self, X: np.ndarray, k: int, ctx, **options) -> TrainResult:
        """Train on feature rows ``X`` (n, d) for ``k`` clusters.

        ``options`` are the method's settings from the registry.
        """
        raise NotImplementedError

    def build(self, config: dict):
        """An untrained network of the shape ``config`` describes."""
        raise NotImplementedError

    def soft(self, module, Z: np.ndarray, device, config: dict) -> np.ndarray:
        """Soft assignments (n, k) of rows ``Z`` of what the network reads."""
        raise NotImplementedError

    def logits(self, module, config: dict) -> Callable:
        """``Tensor (b, m) -> logits (b, k)``, differentiable."""
        raise NotImplementedError

    def predict(self, module, Z: np.ndarray, device, config: dict) -> np.ndarray:
        """Cluster of each row of ``Z``, shape (n,)."""
        return self.soft(module, Z, device, config).argmax(axis=1)
