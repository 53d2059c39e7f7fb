"""Train every deep method on demo:digits on CUDA and on the CPU; record seconds per epoch.

Run where a GPU is available::

    python benchmarks/gpu_check.py            # writes benchmarks/results/gpu_check.json
    python benchmarks/gpu_check.py --devices cuda --methods scan dec --out FILE

The file is rewritten after every row, so a run stopped part-way keeps what it measured.

Exits with code 3 (and says so) when no CUDA device is visible.
"""

from __future__ import annotations

import argparse
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

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    parser.add_argument("--devices", nargs="+", choices=("cuda", "cpu"),
                        default=["cuda", "cpu"])
    parser.add_argument("--out", default=str(ROOT / "results" / "gpu_check.json"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if not torch.cuda.is_available():
        logging.error("no CUDA device is visible; run this on a GPU machine")
        return 3
    data = load_data("demo:digits")
    X = featurize(data).X
    rows = []
    info = {"gpu": torch.cuda.get_device_name(0), "torch": torch.__version__,
            "cpu_threads": torch.get_num_threads(), "rows": rows}
    for device in args.devices:
        for method in args.methods:
            start = time.perf_counter()
            result = cluster(X, method, 10, random_state=0, device=device,
                             image_shape=data.images.shape[1:])
            wall = time.perf_counter() - start
            rows.append({"method": method, "device": device, "wall_s": round(wall, 2),
                         "s_per_epoch": result.info["seconds_per_epoch"],
                         "acc": round(hungarian_accuracy(data.labels, result.labels), 4)})
            logging.info("%s", rows[-1])
            Path(args.out).write_text(json.dumps(info, indent=1))
    for r in rows:
        logging.info("%-5s %-4s %6.2f s  %.4f s/epoch  ACC %.3f", r["method"], r["device"],
                     r["wall_s"], r["s_per_epoch"], r["acc"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
