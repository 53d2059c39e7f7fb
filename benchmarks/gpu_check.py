"""Train every deep method on demo:digits on CUDA and on the CPU; record seconds per epoch.

Run where a GPU is available::

    python benchmarks/gpu_check.py            # writes benchmarks/results/gpu_check.json

Exits with code 3 (and says so) when no CUDA device is visible.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from clustering.clusterers import cluster  # noqa: E402
from clustering.features import featurize  # noqa: E402
from clustering.loaders import load_data  # noqa: E402
from clustering.metrics import hungarian_accuracy  # noqa: E402

METHODS = ("dec", "idec", "scan", "temi", "sela", "p2ot", "divclust")


def main() -> int:
    import torch

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if not torch.cuda.is_available():
        logging.error("no CUDA device is visible; run this on a GPU machine")
        return 3
    data = load_data("demo:digits")
    X = featurize(data).X
    rows = []
    for method in METHODS:
        for device in ("cuda", "cpu"):
            start = time.perf_counter()
            result = cluster(X, method, 10, random_state=0, device=device,
                             image_shape=data.images.shape[1:])
            wall = time.perf_counter() - start
            rows.append({"method": method, "device": device, "wall_s": round(wall, 2),
                         "s_per_epoch": result.info["seconds_per_epoch"],
                         "acc": round(hungarian_accuracy(data.labels, result.labels), 4)})
            logging.info("%s", rows[-1])
    info = {"gpu": torch.cuda.get_device_name(0), "torch": torch.__version__, "rows": rows}
    out = ROOT / "results" / "gpu_check.json"
    out.write_text(json.dumps(info, indent=1))
    for r in rows:
        logging.info("%-5s %-4s %6.2f s  %.4f s/epoch  ACC %.3f", r["method"], r["device"],
                     r["wall_s"], r["s_per_epoch"], r["acc"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
