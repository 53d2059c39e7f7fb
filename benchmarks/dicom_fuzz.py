"""Damaged compressed DICOM files: is every one read or named, and does the process live?

Mutations (``tests/helpers.damaged``: flipped bytes, cut files, overwritten words) of pydicom's
JPEG-LS, JPEG and JPEG 2000 test files and of a lossless JPEG one made by GDCM, decoded by
``clustering.images.decode_images`` in batches of 1,000, each batch in its own process so a
decoder that aborts shows up as a dead batch. ``--in-process`` decodes with GDCM in the
batch's own process (how pydicom would by itself once ``python-gdcm`` is installed), the
before of :mod:`clustering.dicom_sandbox`.

``--htj2k`` damages the High-Throughput JPEG 2000 files of ``tests/data/htj2k`` instead
(stop 79: decoded by pylibjpeg-openjpeg in the batch's own process).

Usage: ``python benchmarks/dicom_fuzz.py [--files 8000] [--in-process] [--htj2k] [--out FILE]``.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
HTJ2K = Path(__file__).resolve().parent.parent / "tests" / "data" / "htj2k"
SEEDS = ("MR_small_jpeg_ls_lossless.dcm", "JPEGLSNearLossless_16.dcm",
         "SC_rgb_jls_lossy_line.dcm", "JPEG2000.dcm", "SC_rgb_jpeg_gdcm.dcm", "JPGExtended.dcm")


def batch(start: int, count: int, lossless: str, in_process: bool) -> None:
    """Decode one batch; print the outcome counts and the slowest file as JSON."""
    import pydicom

    from clustering.errors import InputError
    from clustering.images import decode_images
    from helpers import damaged

    if in_process:  # GDCM in this process, as pydicom alone would use it
        from pydicom.pixels import pixel_array

        import clustering.dicom_sandbox as sandbox

        sandbox._in_child = lambda data, index: pixel_array(  # noqa: SLF001
            pydicom.dcmread(io.BytesIO(data)), index=None if index < 0 else index,
            decoding_plugin="gdcm")
    folder = Path(pydicom.__file__).parent / "data" / "test_files"
    seeds = ([p.read_bytes() for p in sorted(HTJ2K.glob("*.dcm"))] if lossless == "htj2k" else
             [(folder / n).read_bytes() for n in SEEDS] + [Path(lossless).read_bytes()])
    kinds: dict[str, int] = {}
    worst = 0.0
    for it in range(start, start + count):
        t = time.perf_counter()
        try:
            decode_images([("f.dcm", damaged(seeds[it % len(seeds)],
                                             np.random.default_rng(it), it % 3))],
                          drop_invalid=True)
            kind = "read"
        except InputError:
            kind = "named unreadable"
        worst = max(worst, time.perf_counter() - t)
        kinds[kind] = kinds.get(kind, 0) + 1
    print(json.dumps({"kinds": kinds, "worst_s": round(worst, 3)}))


def main() -> None:
    """Run the batches, each in a fresh process; write the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=8000)
    parser.add_argument("--in-process", action="store_true")
    parser.add_argument("--htj2k", action="store_true", help="damage the HTJ2K files only")
    parser.add_argument("--out", type=Path, default=RESULTS / "dicom_fuzz.json")
    parser.add_argument("--batch", nargs=2, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--lossless", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    if args.batch:
        batch(*args.batch, args.lossless, args.in_process)
        return
    import pydicom

    from helpers import lossless_jpeg

    lossless = Path(tempfile.mkdtemp()) / "MR_small_jpeg_lossless.dcm"
    if args.htj2k:
        lossless = "htj2k"
    else:
        lossless_jpeg(Path(pydicom.__file__).parent / "data" / "test_files" / "MR_small.dcm",
                      lossless)
    out = {"files": args.files, "in_process": args.in_process, "htj2k": args.htj2k,
           "batches": []}
    for start in range(0, args.files, 1000):
        done = subprocess.run(
            [sys.executable, __file__, "--batch", str(start), "1000", "--lossless",
             str(lossless), *(["--in-process"] if args.in_process else [])],
            capture_output=True, text=True, check=False)
        line = done.stdout.strip().splitlines()[-1:] if done.returncode == 0 else []
        out["batches"].append({"start": start, "exit": done.returncode,
                               **(json.loads(line[0]) if line else {})})
        print(out["batches"][-1], flush=True)
    out["dead_batches"] = sum(b["exit"] != 0 for b in out["batches"])
    args.out.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
