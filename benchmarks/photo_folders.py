"""Folders of full-size labelled pictures: JPEG photos as a camera writes them, 16-bit TIFF
micrographs as a microscope's camera writes them.

Each photo shows one of four patterns (a disc, stripes, checks, a gradient) in random
colours, turned and placed at random, under an uneven light and sensor grain, saved as a
JPEG of quality 90 in a sub-folder named after its pattern (the ground truth, as
:func:`clustering.folder_tables.folder_labels` reads it). The patterns are the suite's
``colour-patterns`` drawn large: what a user's folder of phone or microscope pictures costs to
read, not a new quality test.

Each micrograph (:func:`write_photos` with ``tiff``) is the suite's 16-bit cell of
``benchmarks/tiff_sets.py`` (``intensity``: dim round, bright round, bright elongated cells)
drawn at full size: 12-bit counts with shot noise (Poisson's normal limit) in an uncompressed
16-bit TIFF, 2 bytes a pixel, in a sub-folder named after its kind.

Usage::

    python benchmarks/photo_folders.py /tmp/photos --n 1000 --width 4000 --height 3000
    python benchmarks/photo_folders.py /tmp/cells --n 3000 --width 2048 --height 2048 --tiff
    python benchmarks/photo_folders.py /tmp/iphone --n 400 --width 4032 --height 3024 --heic
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tiff_sets, in worker processes

log = logging.getLogger("benchmarks.photo_folders")
PATTERNS = ("disc", "stripes", "checks", "gradient")
COARSE = 16
"""The pattern is drawn at 1/16 of the photo's side and enlarged (smooth edges, like a lens)."""


def _photo(seed: int, width: int, height: int, heic: bool = False) -> tuple[str, bytes]:
    """One photo: its pattern's name and its JPEG bytes (HEIC with ``heic``)."""
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
    if heic:
        _heif_encoder().from_pillow(Image.fromarray(pixels, "RGB")).save(
            out, quality=50, enc_params={"preset": "ultrafast"})  # 2.7 MB at 12 MP
    else:
        Image.fromarray(pixels, "RGB").save(out, "JPEG", quality=90)
    return PATTERNS[label], out.getvalue()


def _heif_encoder():
    """``pillow_heif``, which writes HEIC (clusterlab only decodes it, with pi-heif)."""
    try:
        import pillow_heif
    except ImportError:
        raise SystemExit("writing HEIC photos needs pillow-heif's encoder: pip install "
                         "pillow-heif (in the benchmark's environment only)") from None
    return pillow_heif


CELLS = ("dim-round", "bright-round", "bright-elongated")


def _micrograph(seed: int, width: int, height: int) -> tuple[str, bytes]:
    """One micrograph: its kind and its 16-bit TIFF bytes."""
    import io

    from PIL import Image
    from tiff_sets import _cell

    rng = np.random.default_rng(seed)
    kind = int(rng.integers(0, len(CELLS)))
    shape = Image.fromarray(_cell(rng, 48, elongated=kind == 2, twin=False).astype(np.float32),
                            "F").resize((width, height), Image.Resampling.BICUBIC)
    signal = (600 if kind == 0 else 2400) * rng.uniform(0.8, 1.25)
    mean = 200 + signal * np.clip(np.asarray(shape), 0, 1)
    counts = mean + np.sqrt(mean) * rng.standard_normal(mean.shape, dtype=np.float32)  # shot
    # noise (Poisson's normal limit, which 200 counts and more are in: 10 times quicker)
    out = io.BytesIO()
    Image.fromarray(np.clip(counts, 0, 4095).astype(np.uint16)).save(out, "TIFF")
    return CELLS[kind], out.getvalue()


def _write_some(args: tuple[str, list[int], int, int, bool, bool]) -> int:
    folder, seeds, width, height, tiff, heic = args
    for seed in seeds:
        label, data = (_micrograph(seed, width, height) if tiff
                       else _photo(seed, width, height, heic))
        name = (f"cell_{seed:05d}.tif" if tiff
                else f"IMG_{seed:05d}.{'HEIC' if heic else 'jpg'}")
        (Path(folder) / label / name).write_bytes(data)
    return len(seeds)


def write_photos(folder: Path, n: int, width: int = 4000, height: int = 3000,
                 seed: int = 2026, tiff: bool = False, heic: bool = False) -> Path:
    """Write ``n`` photos into ``folder`` (one sub-folder per pattern).

    Kept when a folder of the same ``n``, size, seed and kind is already there.

    Parameters
    ----------
    folder : Path
        Where to write (created).
    n, width, height : int
        How many photos, and their size in pixels.
    seed : int
        Photo ``i`` is drawn from seed ``seed * 100_000 + i``.
    tiff : bool
        16-bit TIFF micrographs (:data:`CELLS`) instead of JPEG photos.
    heic : bool
        The photos as an iPhone saves them (``IMG_00001.HEIC``), the same pictures as the
        JPEGs of the same seeds; needs pillow-heif's encoder.

    Returns
    -------
    Path
        ``folder``.
    """
    folder = Path(folder)
    spec = {"n": n, "width": width, "height": height, "seed": seed}
    spec.update({"tiff": True} if tiff else {})
    spec.update({"heic": True} if heic else {})
    stamp = folder / ".photos.json"
    if stamp.exists() and json.loads(stamp.read_text()) == spec:
        return folder
    for label in CELLS if tiff else PATTERNS:
        (folder / label).mkdir(parents=True, exist_ok=True)
    seeds = [seed * 100_000 + i for i in range(n)]
    workers = max(1, os.cpu_count() or 1)
    parts = [(str(folder), seeds[i::workers * 8], width, height, tiff, heic)
             for i in range(workers * 8)]
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
    parser.add_argument("--tiff", action="store_true", help="16-bit TIFF micrographs")
    parser.add_argument("--heic", action="store_true", help="HEIC photos (needs pillow-heif)")
    args = parser.parse_args()
    write_photos(args.folder, args.n, args.width, args.height, args.seed, args.tiff, args.heic)


if __name__ == "__main__":
    main()
