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

    Parameters
    ----------
    kind : {"scan", "dec"}
        ``scan`` covers SCAN, TEMI, DivClust, SeLa, P²OT (a backbone with linear heads);
        ``dec`` covers DEC and IDEC (autoencoder and centres).
    config : dict
        Constructor arguments (``dim``, ``n_clusters``, ``n_heads``, ``head``, ...), plus
        ``view`` and ``calibration`` describing the optional networks.
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

    def _soft(self, Z: np.ndarray, device: str) -> np.ndarray:
        """Soft assignments from what the clustering network reads."""
        import torch

        from .common import TrainContext

        ctx = TrainContext(device=device)
        self.module.to(ctx.device)
        if self.kind == "dec":
            from .dec import _q_all

            return _q_all(self.module, torch.as_tensor(Z, dtype=torch.float32,
                                                       device=ctx.device)).cpu().numpy()
        from .scan import predict_soft

        orders = self.config.get("consensus")  # DivClust: its heads, numbered as consensus
        if orders is None:
            return predict_soft(self.module, Z, ctx, head=self.config["head"],
                                temperature=self.config.get("temperature", 1.0))
        mean = np.mean([predict_soft(self.module, Z, ctx, head=h)[:, order]
                        for h, order in enumerate(orders)], axis=0)
        return mean / mean.sum(axis=1, keepdims=True)

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
        """``Tensor (b, d) of feature rows -> logits (b, k)``, differentiable through the
        view (for saliency), or None when the view was not kept."""
        if self.view is None and self.config.get("input", "features") != "features":
            return None
        module = self.module.eval()
        view = self.view.eval() if self.view is not None else (lambda x: x)
        if self.kind == "dec":
            return lambda x: module(view(x))[0].clamp_min(1e-12).log()
        orders = self.config.get("consensus")
        if orders is not None:
            import torch

            return lambda x: torch.stack([
                torch.softmax(module(view(x), head=h), dim=-1)[:, order]
                for h, order in enumerate(orders)]).mean(dim=0).clamp_min(1e-12).log()
        head = self.config["head"]
        return lambda x: module(view(x), head=head)

    def save(self, folder: Path) -> None:
        """Write ``model.pt`` (a state_dict), the optional networks' state_dicts and
        ``model.json`` into ``folder``."""
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

        module = restore(_build(meta["kind"], config), WEIGHTS)
        parts = {}
        if config.get("view") and (folder / PARTS["view"]).exists():
            from .view import build_view

            parts["view"] = restore(build_view(config["view"]), PARTS["view"])
        if config.get("calibration") and (folder / PARTS["calibration"]).exists():
            from .common import mlp

            parts["calibration"] = restore(mlp(config["calibration"]["sizes"]),
                                           PARTS["calibration"])
        return cls(meta["kind"], config, module, **parts)


def _build(kind: str, config: dict):
    if kind == "dec":
        import numpy as np

        from .dec import _modules

        AutoEncoder, DECModule = _modules()
        ae = AutoEncoder(config["dim"], config["latent"], tuple(config["hidden"]))
        return DECModule(ae, np.zeros((config["n_clusters"], config["latent"]), np.float32))
    from .scan import _module

    return _module()(config["dim"], config["n_clusters"], config["n_heads"])
