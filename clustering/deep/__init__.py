"""Deep clustering methods (PyTorch), behind a torch-free registry.

* :mod:`.registry` — names, summaries, modalities and settings of every method;
* one module per method (``dec``, ``idec``, ``scan``, ``temi``, ``sela``, ``p2ot``,
  ``divclust``), each with module-level networks and a ``METHOD`` object
  (:class:`.base.DeepMethod`);
* :mod:`.fit` — what all methods share around their training (k, view network,
  calibration head); :mod:`.model` — a trained network that saves, loads and predicts;
* :mod:`.common` — the training loop, batches, augmentations and batched inference.
"""

from .registry import DEEP_METHODS, check_options

__all__ = ["DEEP_METHODS", "check_options"]
