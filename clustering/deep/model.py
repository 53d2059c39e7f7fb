"""A trained deep clustering network that can be saved, loaded safely and asked to predict."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["DeepModel"]

WEIGHTS = "model.pt"
CONFIG = "model.json"


@dataclass
class DeepModel:
    """Network + what is needed to rebuild it.

    Parameters
    ----------
    kind : {"scan", "dec"}
        ``scan`` covers SCAN, SeLa, P²OT (a backbone with linear heads); ``dec`` covers
        DEC and IDEC (autoencoder and centres).
    config : dict
        Constructor arguments (``dim``, ``n_clusters``, ``n_heads``, ``head``, ...).
    module : torch.nn.Module
    """

    kind: str
    config: dict
    module: object = field(repr=False)

    def predict_soft(self, X: np.ndarray, device: str = "cpu") -> np.ndarray:
        """Soft assignments of new rows, shape (n, k)."""
        import torch

        from .common import TrainContext

        ctx = TrainContext(device=device)
        self.module.to(ctx.device)
        if self.kind == "dec":
            from .dec import _q_all

            return _q_all(self.module, torch.as_tensor(X, dtype=torch.float32,
                                                       device=ctx.device)).cpu().numpy()
        from .scan import predict_soft

        return predict_soft(self.module, X, ctx, head=self.config["head"],
                            temperature=self.config.get("temperature", 1.0))

    def predict(self, X: np.ndarray, device: str = "cpu") -> np.ndarray:
        """Cluster of each new row, shape (n,)."""
        return self.predict_soft(X, device).argmax(axis=1)

    def save(self, folder: Path) -> None:
        """Write ``model.pt`` (a state_dict) and ``model.json`` into ``folder``."""
        import torch

        folder = Path(folder)
        torch.save(self.module.state_dict(), folder / WEIGHTS)
        (folder / CONFIG).write_text(json.dumps({"kind": self.kind, "config": self.config}))

    @classmethod
    def load(cls, folder: Path) -> DeepModel:
        """Rebuild from :meth:`save` output; weights read with ``weights_only=True``."""
        import torch

        folder = Path(folder)
        meta = json.loads((folder / CONFIG).read_text())
        module = _build(meta["kind"], meta["config"])
        state = torch.load(folder / WEIGHTS, map_location="cpu", weights_only=True)
        module.load_state_dict(state)
        module.eval()
        return cls(meta["kind"], meta["config"], module)


def _build(kind: str, config: dict):
    if kind == "dec":
        import numpy as np

        from .dec import _modules

        AutoEncoder, DECModule = _modules()
        ae = AutoEncoder(config["dim"], config["latent"], tuple(config["hidden"]))
        return DECModule(ae, np.zeros((config["n_clusters"], config["latent"]), np.float32))
    from .scan import _module

    return _module()(config["dim"], config["n_clusters"], config["n_heads"])
