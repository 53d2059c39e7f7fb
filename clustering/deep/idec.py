"""IDEC: DEC that keeps the autoencoder's reconstruction loss (Guo et al. 2017)."""

from .dec import DecMethod

METHOD = DecMethod(idec=True)
