"""Folders of 16-bit TIFF micrographs, as a fluorescence microscope's camera saves them.

Each image: 48 x 48 pixels, 12-bit values in 16-bit files, a dark background (about 200
counts, shot noise), one cell (a blurred ellipse) at a random place and turn.

- ``micrographs(folder, "intensity")``: 3 kinds, 100 each: round cells expressing little
  (about 600 counts above the background), round cells expressing much (about 2,400), and
  elongated cells expressing much. Brightness is one of the differences.
- ``micrographs(folder, "exposure")``: 3 kinds by shape alone (round, elongated, two cells
  side by side), each image at a random exposure (a gain of 0.3 to 3): brightness is a
  nuisance here.

Labels are kept apart, by file name.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _cell(rng, side: int, elongated: bool, twin: bool) -> np.ndarray:
    yy, xx = np.mgrid[:side, :side].astype(float)
    out = np.zeros((side, side))
    centres = [rng.uniform(16, 32, 2)]
    if twin:
        turn = rng.uniform(0, np.pi)
        offset = 7 * np.array([np.sin(turn), np.cos(turn)])
        centres = [centres[0] - offset, centres[0] + offset]
    for cy, cx in centres:
        turn = rng.uniform(0, np.pi)
        a, b = np.array((11, 4) if elongated else (6, 6)) * rng.uniform(0.85, 1.15)
        u = (yy - cy) * np.cos(turn) + (xx - cx) * np.sin(turn)
        v = -(yy - cy) * np.sin(turn) + (xx - cx) * np.cos(turn)
        edge = np.minimum(((u / a) ** 2 + (v / b) ** 2 - 1) * 6, 50)
        out = np.maximum(out, 1 / (1 + np.exp(edge)))
    return out


def micrographs(folder: Path, kind: str, n_per_kind: int = 100, seed: int = 3117
                ) -> dict[str, int]:
    """Write the folder of TIFFs; the kind of each file, by its name."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    labels = {}
    for i, k in enumerate(rng.permutation(np.repeat(np.arange(3), n_per_kind))):
        if kind == "intensity":
            shape = _cell(rng, 48, elongated=k == 2, twin=False)
            signal = (600 if k == 0 else 2400) * rng.uniform(0.8, 1.25)
            gain = 1.0
        else:
            shape = _cell(rng, 48, elongated=k == 1, twin=k == 2)
            signal, gain = 2000 * rng.uniform(0.8, 1.25), float(np.exp(rng.uniform(
                np.log(0.3), np.log(3))))
        mean = (200 + signal * shape) * gain
        counts = np.clip(rng.poisson(mean), 0, 4095).astype(np.uint16)
        name = f"cell_{i:04d}.tif"
        Image.fromarray(counts).save(folder / name)
        labels[name] = int(k)
    return labels
