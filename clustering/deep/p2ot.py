"""P²OT: progressive partial transport self-labelling for imbalanced clusters (Zhang et al. 2024).

The training is SeLa's with partial transport (see :mod:`.sela`).
"""

from .sela import TransportMethod

METHOD = TransportMethod(imbalanced=True)
