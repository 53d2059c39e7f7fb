"""How well a saved deep model assigns rows it never saw (demo:digits, from pixels).

For each deep method and seed: train on a stratified 80 % of digits, save the model and load
it back (``weights_only``), then assign the held-out 20 % from their pixels alone. The
held-out accuracy uses the cluster-to-digit matching learned on the training rows (a new
point counts as right only if it lands in the cluster that stands for its digit), so it is
stricter than a Hungarian match on the held-out rows themselves.

    python benchmarks/predict_benchmark.py [--seeds 3]   # writes results/predict.json
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from clustering.clusterers import cluster  # noqa: E402
from clustering.deep.model import DeepModel  # noqa: E402
from clustering.features import featurize  # noqa: E402
from clustering.loaders import load_data  # noqa: E402
from clustering.metrics import hungarian_accuracy, matched_mapping  # noqa: E402

METHODS = ("scan", "divclust", "temi", "dec", "idec", "sela", "p2ot")
log = logging.getLogger("predict_benchmark")


def split(labels: np.ndarray, seed: int, share: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """Stratified train / held-out row indices."""
    from sklearn.model_selection import train_test_split

    rows = np.arange(len(labels))
    return train_test_split(rows, test_size=share, stratify=labels, random_state=seed)


def one(method: str, seed: int, X, y, shape) -> dict:
    train, test = split(y, seed)
    start = time.perf_counter()
    result = cluster(X[train], method, 10, random_state=seed, image_shape=shape)
    wall = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as folder:
        result.model.save(Path(folder))
        model = DeepModel.load(Path(folder))
    labels, confidence = model.predict_confidence(X[test])
    mapping, _ = matched_mapping(y[train], result.labels)
    held_out = float(np.mean([mapping.get(int(c), -1) == t for c, t in zip(labels, y[test],
                                                                            strict=True)]))
    return {"method": method, "seed": seed, "train_acc": hungarian_accuracy(y[train],
                                                                              result.labels),
            "held_out_acc": held_out, "predict_agreement": result.info["predict_agreement"],
            "view_fit_r2": result.info.get("view_fit_r2"),
            "held_out_confidence": float(confidence.mean()), "train_s": round(wall, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    data = load_data("demo:digits")
    X, y = featurize(data).X, np.asarray(data.labels).astype(int)
    rows = []
    for method in args.methods:
        for seed in range(args.seeds):
            rows.append(one(method, seed, X, y, data.images.shape[1:]))
            log.info("%s", rows[-1])
    table = []
    for method in args.methods:
        got = [r for r in rows if r["method"] == method]

        def ms(key, got=got):
            vals = [r[key] for r in got]
            sd = statistics.stdev(vals) if len(vals) > 1 else 0.0
            return f"{statistics.mean(vals):.3f} ± {sd:.3f}"

        r2 = [r["view_fit_r2"] for r in got if r["view_fit_r2"] is not None]
        agree = statistics.mean(r["predict_agreement"] for r in got)
        fit = f"{statistics.mean(r2):.4f}" if r2 else "—"
        table.append(f"| {method} | {ms('train_acc')} | {ms('held_out_acc')} | {agree:.3f} | "
                     f"{fit} | {statistics.median(r['train_s'] for r in got):.0f} s |")
    md = "\n".join(["| method | ACC, training rows | ACC, held-out rows | saved model agrees "
                    "with run | view fit R² | train time |", "|---|---|---|---|---|---|",
                    *table])
    out = ROOT / "results"
    out.mkdir(exist_ok=True)
    (out / "predict.json").write_text(json.dumps(rows, indent=1))
    (out / "predict.md").write_text(md + "\n")
    print(md)


if __name__ == "__main__":
    main()
