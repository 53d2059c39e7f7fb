"""Folders of full-size labelled JPEG photos, as a camera or a slide scanner writes them.

Each photo shows one of four patterns (a disc, stripes, checks, a gradient) in random
colours, turned and placed at random, under an uneven light and sensor grain, saved as a
JPEG of quality 90 in a sub-folder named after its pattern (the ground truth, as
:func:`clustering.folder_tables.folder_labels` reads it). The patterns are the suite's
``colour-patterns`` drawn large: what a user's folder of phone or microscope pictures costs to
read, not a new quality test.

Usage::

    python benchmarks/photo_folders.py /tmp/photos --n 1000 --width 4000 --height 3000
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

log = logging.getLogger("benchmarks.photo_folders")
PATTERNS = ("disc", "stripes", "checks", "gradient")
COARSE = 16
"""The pattern is drawn at 1/16 of the photo's side and enlarged (smooth edges, like a lens)."""


def _photo(seed: int, width: int, height: int) -> tuple[str, bytes]:
    """One photo: its pattern's name and its JPEG bytes."""
    import io

    from PIL import Image

    rng = np.random.default_rng(seed)
    label = int(rng.integers(0, len(PATTERNS)))
    h, w = max(8, height // COARSE), max(8, width // COARSE)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32) / max(h, w)
    c1, c2 = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
    a = rng.uniform(0, np.pi)
    u = xx * np.cos(a) + yy * np.sin(a)
    period = rng.uniform(0.12, 0.25)
    if label == 0:
        cx, cy, r = rng.uniform(0.25, 0.5) * w / max(h, w), rng.uniform(0.25, 0.5) * h / max(
            h, w), rng.uniform(0.12, 0.25)
        t = ((xx - cx) ** 2 + (yy - cy) ** 2 <= r ** 2).astype(np.float32)
    elif label == 1:
        t = ((u / period) % 1.0 < 0.5).astype(np.float32)
    elif label == 2:
        t = (((xx / period).astype(int) + (yy / period).astype(int)) % 2).astype(np.float32)
    else:
        t = np.clip((u - u.min()) / max(float(np.ptp(u)), 1e-6), 0, 1)
    light = 0.75 + 0.5 * (xx * rng.uniform(-1, 1) + yy * rng.uniform(-1, 1) + 0.5)
    coarse = (t[..., None] * c1 + (1 - t[..., None]) * c2) * np.clip(light, 0.5, 1.3)[..., None]
    img = Image.fromarray(np.clip(coarse, 0, 255).astype(np.uint8), "RGB").resize(
        (width, height), Image.Resampling.BICUBIC)
    grain = rng.integers(-12, 13, (height, width, 1), dtype=np.int16)  # one grain for 3 colours
    pixels = np.clip(np.asarray(img, dtype=np.int16) + grain, 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(out, "JPEG", quality=90)
    return PATTERNS[label], out.getvalue()


def _write_some(args: tuple[str, list[int], int, int]) -> int:
    folder, seeds, width, height = args
    for seed in seeds:
        label, data = _photo(seed, width, height)
        (Path(folder) / label / f"IMG_{seed:05d}.jpg").write_bytes(data)
    return len(seeds)


def write_photos(folder: Path, n: int, width: int = 4000, height: int = 3000,
                 seed: int = 2026) -> Path:
    """Write ``n`` photos into ``folder`` (one sub-folder per pattern); kept when a folder of
    the same ``n``, size and seed is already there.

    Parameters
    ----------
    folder : Path
        Where to write (created).
    n, width, height : int
        How many photos, and their size in pixels.
    seed : int
        Photo ``i`` is drawn from seed ``seed * 100_000 + i``.

    Returns
    -------
    Path
        ``folder``.
    """
    folder = Path(folder)
    spec = {"n": n, "width": width, "height": height, "seed": seed}
    stamp = folder / ".photos.json"
    if stamp.exists() and json.loads(stamp.read_text()) == spec:
        return folder
    for label in PATTERNS:
        (folder / label).mkdir(parents=True, exist_ok=True)
    seeds = [seed * 100_000 + i for i in range(n)]
    workers = max(1, os.cpu_count() or 1)
    parts = [(str(folder), seeds[i::workers * 8], width, height) for i in range(workers * 8)]
    done = 0
    with ProcessPoolExecutor(workers) as pool:
        for count in pool.map(_write_some, parts):
            done += count
            log.info("wrote %d / %d photos", done, n)
    stamp.write_text(json.dumps(spec))
    return folder


def main() -> None:
    """Write a folder of photos from the command line."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--width", type=int, default=4000)
    parser.add_argument("--height", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    write_photos(args.folder, args.n, args.width, args.height, args.seed)


if __name__ == "__main__":
    main()
