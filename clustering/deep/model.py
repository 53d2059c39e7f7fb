"""A trained deep clustering network that can be saved, loaded safely and asked to predict."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["DeepModel"]

WEIGHTS = "model.pt"
CONFIG = "model.json"
PARTS = {"view": "view.pt", "calibration": "calibration.pt"}
"""Optional networks saved beside the head (file names)."""


@dataclass
class DeepModel:
    """Network + what is needed to rebuild it.

    Every method-specific step (rebuilding the network, assigning, the differentiable
    forward) is the method object's (:mod:`.registry`); this class holds what all share.

    Parameters
    ----------
    kind : {"scan", "dec"}
        Network family: ``scan`` covers SCAN, TEMI, DivClust, SeLa, P²OT (a backbone with
        linear heads); ``dec`` covers DEC and IDEC (autoencoder and centres).
    config : dict
        Constructor arguments (``dim``, ``n_clusters``, ``n_heads``, ``head``, ...), the
        ``method`` name, plus ``view`` and ``calibration`` describing the optional
        networks.
    module : torch.nn.Module
        The clustering network.
    view : torch.nn.Module, optional
        Feature rows -> what the clustering network reads (see :mod:`.view`); absent when
        it reads the features themselves.
    calibration : torch.nn.Module, optional
        The calibration head (see :mod:`.calibration`); reads the same input as ``module``.
    """

    kind: str
    config: dict
    module: object = field(repr=False)
    view: object = field(default=None, repr=False)
    calibration: object = field(default=None, repr=False)

    def head_input(self, X: np.ndarray, device: str = "cpu") -> np.ndarray:
        """What the clustering network reads for feature rows ``X``.

        Raises
        ------
        InputError
            When the network reads a learned view that this (older) model did not keep.
        """
        from .view import view_rows

        X = np.asarray(X, dtype=np.float32)
        if self.view is not None:
            self.view.to(device)
            return view_rows(self.view, X, device)
        if self.config.get("input", "features") != "features":
            from ..errors import InputError

            raise InputError(f"This model reads a {self.config['input']} view that was not "
                             "saved with it; run the clustering again to get a model that "
                             "can assign new points.")
        return X

    def predict_soft(self, X: np.ndarray, device: str = "cpu") -> np.ndarray:
        """Soft assignments of new feature rows, shape (n, k)."""
        return self._soft(self.head_input(X, device), device)

    @property
    def method(self):
        """The method object that built this network.

        Model files written before the method name was saved are matched by their network
        family.
        """
        from .registry import method_object

        name = self.config.get("method")
        if name is None:  # saved by clusterlab 0.1 before the registry
            name = "dec" if self.kind == "dec" else (
                "divclust" if "consensus" in self.config else "scan")
        return method_object(name)

    def _soft(self, Z: np.ndarray, device: str) -> np.ndarray:
        """Soft assignments from what the clustering network reads."""
        import torch

        self.module.to(torch.device(device))
        return self.method.soft(self.module, Z, torch.device(device), self.config)

    def predict(self, X: np.ndarray, device: str = "cpu") -> np.ndarray:
        """Cluster of each new row, shape (n,)."""
        return self.predict_soft(X, device).argmax(axis=1)

    def predict_confidence(self, X: np.ndarray, device: str = "cpu"
                           ) -> tuple[np.ndarray, np.ndarray]:
        """Cluster and confidence of each new row.

        The confidence is the calibration head's probability of the assigned cluster when
        the model has one, else the clustering network's own maximum probability.

        Returns
        -------
        labels : ndarray of int, shape (n,)
        confidence : ndarray of float32, shape (n,)
        """
        from .view import view_rows

        Z = self.head_input(X, device)
        soft = self._soft(Z, device)
        labels = soft.argmax(axis=1)
        probs = soft
        if self.calibration is not None:
            self.calibration.to(device)
            logits = view_rows(self.calibration, Z, device)
            probs = np.exp(logits - logits.max(axis=1, keepdims=True))
            probs /= probs.sum(axis=1, keepdims=True)
        return labels, probs[np.arange(len(labels)), labels].astype(np.float32)

    def logits_function(self):
        """``Tensor (b, d) of feature rows -> logits (b, k)``.

        Differentiable through the view (for saliency), or None when the view was not kept.
        """
        if self.view is None and self.config.get("input", "features") != "features":
            return None
        module = self.module.eval()
        logits = self.method.logits(module, self.config)
        if self.view is None:
            return logits
        view = self.view.eval()
        return lambda x: logits(view(x))

    def save(self, folder: Path) -> None:
        """Write the model into ``folder``.

        ``model.pt`` holds the head's state_dict, ``view.pt``/``calibration.pt`` the optional
        networks' and ``model.json`` what rebuilds them.
        """
        from .checkpoint import save_atomic

        folder = Path(folder)
        save_atomic(self.module.state_dict(), folder / WEIGHTS)
        for part, name in PARTS.items():
            net = getattr(self, part)
            if net is not None:
                save_atomic(net.state_dict(), folder / name)
        (folder / CONFIG).write_text(json.dumps({"kind": self.kind, "config": self.config}))

    @classmethod
    def load(cls, folder: Path) -> DeepModel:
        """Rebuild from :meth:`save` output; weights read with ``weights_only=True``."""
        import torch

        folder = Path(folder)
        meta = json.loads((folder / CONFIG).read_text())
        config = meta["config"]

        def restore(module, name):
            module.load_state_dict(torch.load(folder / name, map_location="cpu",
                                              weights_only=True))
            return module.eval()

        model = cls(meta["kind"], config, None)
        module = restore(model.method.build(config), WEIGHTS)
        parts = {}
        if config.get("view") and (folder / PARTS["view"]).exists():
            from .view import build_view

            parts["view"] = restore(build_view(config["view"]), PARTS["view"])
        if config.get("calibration") and (folder / PARTS["calibration"]).exists():
            from .common import mlp

            parts["calibration"] = restore(mlp(config["calibration"]["sizes"]),
                                           PARTS["calibration"])
        return cls(meta["kind"], config, module, **parts)

