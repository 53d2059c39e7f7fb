"""The deep methods by name: what each is, which data it suits, which settings it takes.

This module imports neither torch nor any method: listing methods (``clusterlab methods``,
the app's method box) stays fast. :func:`method_object` imports the one module that
implements a method. Adding a method is one module with a ``METHOD`` object (see
:class:`clustering.deep.base.DeepMethod`) and one :class:`DeepSpec` line below.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["ALL_MODALITIES", "DEEP_METHODS", "DeepSpec", "check_options", "method_object"]

ALL_MODALITIES = ("table", "images", "text", "embeddings")

_TRAIN = {"lr": 1e-3, "batch_size": 256}
"""Settings every method's training loop takes."""


@dataclass(frozen=True)
class DeepSpec:
    """A registered deep method.

    Parameters
    ----------
    name : str
        Method name as typed after ``--method``.
    summary : str
        One line for method lists.
    module : str
        Module (under ``clustering.deep``) whose ``METHOD`` implements it.
    options : mapping
        Every setting the method takes, with its default.
    modalities : tuple of str
        Kinds of data the method suits.
    """

    name: str
    summary: str
    module: str
    options: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    modalities: tuple[str, ...] = ALL_MODALITIES


def _spec(name: str, summary: str, module: str, **options) -> DeepSpec:
    return DeepSpec(name, summary, module, MappingProxyType({**_TRAIN, **options}))


_HEADS = {"views": 3, "neighbours": 5, "heads": 10}
DEEP_METHODS: dict[str, DeepSpec] = {s.name: s for s in [
    _spec("dec", "autoencoder + DEC (Student-t assignment, sharpened target, KL loss)",
          "dec", epochs=200, max_iter=100, latent=10, tol=1e-3),
    _spec("idec", "autoencoder + IDEC (DEC that keeps the reconstruction loss)",
          "idec", epochs=200, max_iter=100, latent=10, tol=1e-3, gamma=0.1),
    _spec("scan", "SCAN heads on a learned view (contrastive for images, UMAP otherwise), "
          "then self-labelling", "scan", epochs=100, **_HEADS, entropy_weight=5.0,
          self_label_threshold=0.9),
    _spec("sela", "optimal-transport self-labelling with balanced Sinkhorn pseudo-labels "
          "(SeLa)", "sela", epochs=40, lam=25.0),
    _spec("p2ot", "progressive partial transport self-labelling for imbalanced clusters "
          "(P²OT)", "p2ot", epochs=40, lam=25.0, rho0=0.2, tau=0.2),
    _spec("divclust", "several diverse SCAN-style clusterings (DivClust) and their consensus",
          "divclust", epochs=60, heads=4, neighbours=5, diversity=0.8, entropy_weight=5.0,
          div_weight=5.0),
    _spec("temi", "self-distilled heads (student vs. EMA teacher, TEMI's mutual-information "
          "loss) on a learned view", "temi", epochs=100, **_HEADS, beta=0.6,
          student_temp=0.2, teacher_temp=0.1, momentum=0.99),
]}


def check_options(name: str, options: dict) -> dict:
    """The method's settings: its defaults updated with ``options``.

    Parameters
    ----------
    name : str
        A key of :data:`DEEP_METHODS`.
    options : dict
        Settings to change; ``None`` values keep the default.

    Returns
    -------
    dict
        Every setting of the method.

    Raises
    ------
    TypeError
        When a setting is not one the method takes (it is named).

    Examples
    --------
    >>> check_options("sela", {"epochs": 5})["epochs"]
    5
    >>> check_options("sela", {"heads": 3})
    Traceback (most recent call last):
    ...
    TypeError: sela got an unexpected setting 'heads'; it takes batch_size, epochs, lam, lr
    """
    spec = DEEP_METHODS[name]
    unknown = sorted(set(options) - set(spec.options))
    if unknown:
        raise TypeError(f"{name} got an unexpected setting '{unknown[0]}'; it takes "
                        f"{', '.join(sorted(spec.options))}")
    return {**spec.options, **{k: v for k, v in options.items() if v is not None}}


def method_object(name: str):
    """The object that trains, rebuilds and runs method ``name`` (imports its module).

    Parameters
    ----------
    name : str
        A key of :data:`DEEP_METHODS`.

    Returns
    -------
    clustering.deep.base.DeepMethod
    """
    module = importlib.import_module(f"{__package__}.{DEEP_METHODS[name].module}")
    return module.METHOD
