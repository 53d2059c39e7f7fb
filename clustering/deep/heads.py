"""Linear clustering heads on a shared MLP backbone, and the method base that runs them.

This is the network of SCAN, TEMI, DivClust, SeLa and P²OT.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .base import DeepMethod
from .common import infer, mlp

__all__ = ["HeadsMethod", "ScanNet", "head_soft"]


class ScanNet(nn.Module):
    """MLP backbone with several linear clustering heads.

    Parameters
    ----------
    dim : int
        Input width.
    n_clusters : int
        Width of every head.
    n_heads : int
        Number of heads.
    hidden : tuple of int
        Backbone widths.
    """

    def __init__(self, dim: int, n_clusters: int, n_heads: int = 5,
                 hidden: tuple[int, ...] = (512, 256)) -> None:
        super().__init__()
        self.backbone = mlp([dim, *hidden], last_activation=True)
        self.heads = nn.ModuleList(nn.Linear(hidden[-1], n_clusters) for _ in range(n_heads))

    def forward(self, x, head: int | None = None):
        """Logits of every head, shape (n_heads, b, k), or of one head (b, k)."""
        h = self.backbone(x)
        if head is not None:
            return self.heads[head](h)
        return torch.stack([head_(h) for head_ in self.heads])


def head_soft(net: ScanNet, X, device, head: int, temperature: float = 1.0) -> np.ndarray:
    """Softmax of one head (logits divided by ``temperature``) on un-augmented rows.

    Parameters
    ----------
    net : ScanNet
        The network.
    X : ndarray or Tensor, shape (n, d)
        Rows it reads.
    device : str or torch.device
        Where to compute.
    head : int
        Which head.
    temperature : float
        Softmax temperature.

    Returns
    -------
    ndarray, shape (n, k)
        Rows sum to one.
    """
    return infer(net, X, device,
                 lambda x: torch.softmax(net(x, head=head).float() / temperature, dim=-1))


class HeadsMethod(DeepMethod):
    """A method whose network is a :class:`ScanNet` read through one head."""

    kind = "scan"

    def build(self, config: dict) -> ScanNet:
        """The untrained network of ``config`` (``dim``, ``n_clusters``, ``n_heads``)."""
        return ScanNet(config["dim"], config["n_clusters"], config["n_heads"])

    def soft(self, module, Z, device, config: dict) -> np.ndarray:
        """Softmax of the kept head (``config['head']``, ``config['temperature']``)."""
        return head_soft(module, Z, device, config["head"], config.get("temperature", 1.0))

    def logits(self, module, config: dict):
        """Logits of the kept head."""
        head = config["head"]
        return lambda x: module(x, head=head)
