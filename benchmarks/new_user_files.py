"""Files as new users bring them: how ``clusterlab run`` reads them, and what that costs.

Each case is a file a user might hand over with ``clusterlab run --data FILE --clusters K
--seed 0`` and nothing else (a label column named for the metrics, as the issue's own
measurements did), run twice in one process each, fresh workspaces: as clusterlab reads it
now, and as it read it before stop 54 (forced with the flags that reproduce that reading),
so both figures come from the same machine and session.

- ``orders-note``: 5,000 orders, 8 measurements of 5 groups, 6 category columns, an id and a
  five-word ``note`` per row ("order 17 shipped via road"). Before: read as 5,000 texts of
  that note (``--text-column note``).
- ``cbf-with-id``: the held-out ``cbf`` signals (900 x 128) with a row number first. Before:
  a table (``--kind table``).
- ``digits-npy``: scikit-learn's digits saved as one (1797, 8, 8) ``.npy``. Before: refused
  ("embeddings must be 2-D", exit 2), so only the run now.
- ``digits-pixel-csv``: the digits as a CSV of ``pixel0`` .. ``pixel63`` and a label. Before:
  a table (``--kind table``).
- ``transformed-pixel-csv``: the held-out ``digits-transformed`` (16 x 16, shifted, turned,
  scaled, noised) as a CSV of ``v0`` .. ``v255`` read with ``--kind images``. Before: kind
  ``images`` was ignored for tables, so a table (``--kind table``).

Stop 55 added three layouts of delimited files, read before by the code of an older tree
(``--old-code DIR``, a worktree of the commit before; no flag reproduces those readings):

- ``wine-european-csv``: scikit-learn's wine and its label as a spreadsheet in a European
  locale saves it (``;`` between cells, ``,`` in numbers).
- ``blobs-european``: the tuning half's ``small-blobs`` (8 columns of decimals, labels kept
  apart) saved the same way.
- ``blobs-savetxt``: the tuning half's ``small-blobs`` written by ``numpy.savetxt`` (no
  header line; labels kept apart, matched by row).
- ``docstrings-txt``: the tuning half's ``docstrings``, each on one line of a ``.txt``
  (commas inside the texts; labels kept apart).

Stop 56 added an image folder as a radiologist gets it (read before by the older tree's code):

- ``ct-study-dicom``: 360 CT slices of 3 kinds as DICOM files named by UID, without an
  ending, beside a ``DICOMDIR`` (``dicom_sets.ct_study``; labels kept apart, by file).
- ``micrographs-intensity`` and ``micrographs-exposure``: 300 16-bit TIFF micrographs of
  3 kinds, which differ in brightness among other things, or in shape alone under a random
  exposure (``tiff_sets.micrographs``); before stop 56 each image was stretched by itself.

Stop 57 added ``ct-study-lossless-jpeg``: the same study, every slice re-stored as lossless
JPEG by GDCM, as PACS archives often keep CT (refused before stop 57). Stop 58 added
``ct-study-enhanced``: the same study as Enhanced CT files, their rescale and window in the
functional groups (read before stop 58 without either), and ``xray-voi-lut``: radiographs of
two X-ray systems, each file's display given by its VOI LUT (read before by stored values).

Stop 59 added ``small-glyphs-128``: 600 128-px images of four small letters, read at 32 px
("before": always 32 before stop 59, ``--image-size 32`` now) and at the side chosen now
(96 for 600 such images).

Stop 69 added files read before by the older tree's code: ``wine-pandas-json`` (wine as
``df.to_json(path)`` writes it, one object of columns), ``wine-readme-sheet`` (an .xlsx
opening on a README sheet), ``wine-total-row`` (a report CSV ending in a ``Total`` row of
column sums), ``wine-joined`` (two halves joined with ``cat``, the header repeated),
``docstrings-html`` (the tuning half's ``docstrings`` wrapped in a post's HTML template) and
``product-titles`` (300 short titles of 3 kinds of product, and the kind as the label
column: no column of numbers).

Stop 70 added folders of text files, one document each in a sub-folder per group (refused
before: "holds no ... image"): ``newsgroups-folder`` (the tuning half's 270 long
``newsgroups-long-tune`` posts) and ``docstrings-folder`` (the tuning half's ``docstrings``);
``wine-sheets-by-batch`` (wine over three sheets of one header, a batch each; before, the
largest sheet alone was read) and ``templated-tickets`` (300 tickets from nine templates,
104 distinct: "no usable column" before) and ``likert-survey`` (16 answers from 1 to 5 beside
age and schooling; before, the answers were "read like categories" and the rows clustered on
age and schooling alone).

Stop 78 added two European spreadsheets of wine (read before by the older tree's code):
``wine-european-named``, with a column naming each wine (before, the names were clustered as
texts: their numbers' decimal commas did not count as numbers when the file was looked at for
a text column), and ``wine-european-3dp``, its columns of values of 1 and more with three
decimals in every number (``14,230``, which could be a thousands comma; the semicolons now
settle it).

``--methods`` and ``--seeds`` run other methods (the peers) and seeds on the same files.

Usage::

    python benchmarks/new_user_files.py --out benchmarks/results/new_user_files_stop54.json
    git worktree add /tmp/before cedda98   # the code before stop 55
    python benchmarks/new_user_files.py --cases wine-european-csv blobs-european blobs-savetxt \
        docstrings-txt \
        --old-code /tmp/before --out benchmarks/results/new_user_files_stop55.json
    git worktree add /tmp/before56 6ff9fe6   # the code before stop 56
    python benchmarks/new_user_files.py --cases ct-study-dicom --old-code /tmp/before56 \
        --out benchmarks/results/new_user_files_stop56.json
    python benchmarks/new_user_files.py --cases ct-study-dicom --methods kmeans umap-kmeans \
        umap-hdbscan --seeds 0 1 2 --out benchmarks/results/ct_study_peers_stop56.json
    git worktree add /tmp/before57 9f3e72c   # the code before stop 57
    python benchmarks/new_user_files.py --cases ct-study-lossless-jpeg \
        --old-code /tmp/before57 --out benchmarks/results/new_user_files_stop57.json
    python benchmarks/new_user_files.py --cases ct-study-lossless-jpeg --methods auto kmeans \
        umap-kmeans umap-hdbscan --seeds 0 \
        --out benchmarks/results/ct_study_lossless_peers_stop57.json
    git worktree add /tmp/before58 7735854   # the code before stop 58's enhanced files
    python benchmarks/new_user_files.py --cases ct-study-enhanced --old-code /tmp/before58 \
        --out benchmarks/results/new_user_files_stop58.json
    python benchmarks/new_user_files.py --cases ct-study-enhanced --methods auto kmeans \
        umap-kmeans umap-hdbscan --seeds 0 \
        --out benchmarks/results/ct_study_enhanced_peers_stop58.json
    python benchmarks/new_user_files.py --cases xray-voi-lut --old-code /tmp/before58 \
        --out benchmarks/results/new_user_files_xray_stop58.json
    python benchmarks/new_user_files.py --cases xray-voi-lut --methods auto kmeans umap-kmeans \
        umap-hdbscan --seeds 0 --out benchmarks/results/xray_voi_lut_peers_stop58.json
    git worktree add /tmp/before69 965277c   # the code before stop 69
    python benchmarks/new_user_files.py --cases wine-pandas-json wine-readme-sheet \
        wine-total-row wine-joined docstrings-html product-titles --old-code /tmp/before69 \
        --out benchmarks/results/new_user_files_stop69.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent))

import new_user_tables as tables  # noqa: E402

log = logging.getLogger("new_user_files")


def _orders(folder: Path) -> tuple[Path, np.ndarray]:
    rng = np.random.default_rng(7)
    n = 5000
    y = rng.integers(0, 5, n)
    frame = pd.DataFrame(rng.normal(0, 2, (5, 8))[y] + rng.normal(0, 1, (n, 8)),
                         columns=[f"m{i}" for i in range(8)])
    for j, levels in enumerate([5, 20, 80, 300, 1000, 3000]):
        liked = rng.integers(0, levels, 5)
        frame[f"c{j}"] = ["L" + str(v) for v in np.where(rng.random(n) < 0.5, liked[y],
                                                         rng.integers(0, levels, n))]
    frame.insert(0, "customer_id", [f"C{100000 + i}" for i in range(n)])
    frame["note"] = [f"order {i} shipped via {'air' if i % 2 else 'road'}" for i in range(n)]
    frame["label"] = y
    path = folder / "orders.csv"
    frame.to_csv(path, index=False)
    return path, y


def _cbf_with_id(folder: Path) -> tuple[Path, np.ndarray]:
    from signal_sets import cbf

    data = cbf()
    frame = data.feature_table().copy()
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    frame["label"] = data.labels
    path = folder / "cbf_with_id.csv"
    frame.to_csv(path, index=False)
    return path, data.labels


def _digits_npy(folder: Path) -> tuple[Path, np.ndarray]:
    from sklearn.datasets import load_digits

    digits = load_digits()
    path = folder / "digits.npy"
    np.save(path, np.rint(digits.images * 255 / 16).astype(np.uint8))
    return path, digits.target


def _pixel_csv(folder: Path, images: np.ndarray, labels, names, file: str) -> Path:
    frame = pd.DataFrame(images.reshape(len(images), -1), columns=names)
    frame["label"] = labels
    path = folder / file
    frame.to_csv(path, index=False)
    return path


def _digits_pixel_csv(folder: Path) -> tuple[Path, np.ndarray]:
    from sklearn.datasets import load_digits

    digits = load_digits()
    return _pixel_csv(folder, digits.images.astype(int), digits.target,
                      [f"pixel{i}" for i in range(64)], "digits_pixels.csv"), digits.target


def _transformed_pixel_csv(folder: Path) -> tuple[Path, np.ndarray]:
    from image_sets import digits_transformed

    data = digits_transformed()
    side = data.images.shape[1]
    return _pixel_csv(folder, data.images, data.labels, [f"v{i}" for i in range(side * side)],
                      "transformed_pixels.csv"), data.labels


def _wine_european_csv(folder: Path) -> tuple[Path, np.ndarray]:
    from sklearn.datasets import load_wine

    wine = load_wine(as_frame=True)
    frame = wine.data.copy()
    frame["label"] = wine.target
    path = folder / "wine_european.csv"
    frame.to_csv(path, sep=";", decimal=",", index=False)
    return path, wine.target.to_numpy()


def _blobs_european(folder: Path) -> tuple[Path, np.ndarray]:
    from quality_sets import small_blobs

    data = small_blobs()
    path = folder / "blobs_european.csv"
    data.feature_table().to_csv(path, sep=";", decimal=",", index=False)
    return path, np.asarray(data.labels)


def _blobs_savetxt(folder: Path) -> tuple[Path, np.ndarray]:
    from quality_sets import small_blobs

    data = small_blobs()
    path = folder / "blobs_savetxt.csv"
    np.savetxt(path, data.feature_table().to_numpy(dtype=float), delimiter=",")
    return path, np.asarray(data.labels)


def _docstrings_txt(folder: Path) -> tuple[Path, np.ndarray]:
    from quality_sets import docstrings

    data = docstrings()
    path = folder / "docstrings.txt"
    path.write_text("\n".join(" ".join(text.split()) for text in data.texts) + "\n")
    return path, np.asarray(data.labels)


def _ct_study_dicom(folder: Path) -> tuple[Path, dict[str, int]]:
    from dicom_sets import ct_study

    return folder / "ct_study", ct_study(folder / "ct_study")


def _ct_study_lossless_jpeg(folder: Path) -> tuple[Path, dict[str, int]]:
    """The CT study with every slice re-stored as lossless JPEG (process 14) by GDCM."""
    sys.path.insert(0, str(ROOT.parent / "tests"))
    from dicom_sets import ct_study

    from helpers import lossless_jpeg

    labels = ct_study(folder / "raw")
    (folder / "ct_lossless").mkdir()
    for uid in labels:
        lossless_jpeg(folder / "raw" / uid, folder / "ct_lossless" / uid)
    return folder / "ct_lossless", labels


def _ct_study_enhanced(folder: Path) -> tuple[Path, dict[str, int]]:
    """The CT study with every slice an Enhanced CT file (rescale and window in its
    functional groups)."""
    from dicom_sets import ct_study

    return folder / "ct_enhanced", ct_study(folder / "ct_enhanced", enhanced=True)


def _xray_voi_lut(folder: Path) -> tuple[Path, dict[str, int]]:
    """300 radiographs from two X-ray systems, shown through their VOI LUTs."""
    from dicom_sets import radiographs

    return folder / "xray", radiographs(folder / "xray")


def _micrographs(kind: str):
    def build(folder: Path) -> tuple[Path, dict[str, int]]:
        from tiff_sets import micrographs

        return folder / kind, micrographs(folder / kind, kind)
    return build


def _small_glyphs_128(folder: Path) -> tuple[Path, dict[str, int]]:
    """600 greyscale 128-px PNGs, each a letter A, E, K or S some 14-21 px tall, turned and
    in noise: a small object in a large image (a lesion, a cell), which 32 px shrinks to a
    few pixels."""
    from image_sets import _glyphs
    from PIL import Image

    images, y = _glyphs("AEKS", 600, 128, 1601, (20, 30), 20, False)
    (folder / "glyphs").mkdir()
    labels = {}
    for i, (img, label) in enumerate(zip(images.astype(np.uint8), y, strict=True)):
        name = f"scan_{i:04d}.png"
        Image.fromarray(img).save(folder / "glyphs" / name)
        labels[name] = int(label)
    return folder / "glyphs", labels


OLD_CODE = "old code"
"""A case read before by an older tree's code (``--old-code``), not by flags."""
CASES = {
    "orders-note": (_orders, 5, [], ["--text-column", "note"]),
    "cbf-with-id": (_cbf_with_id, 3, [], ["--kind", "table"]),
    "digits-npy": (_digits_npy, 10, [], None),
    "digits-pixel-csv": (_digits_pixel_csv, 10, [], ["--kind", "table"]),
    "transformed-pixel-csv": (_transformed_pixel_csv, 10, ["--kind", "images"],
                              ["--kind", "table"]),
    "wine-european-csv": (_wine_european_csv, 3, [], OLD_CODE),
    "blobs-european": (_blobs_european, 4, [], OLD_CODE),
    "blobs-savetxt": (_blobs_savetxt, 4, [], OLD_CODE),
    "docstrings-txt": (_docstrings_txt, 6, [], OLD_CODE),
    "ct-study-dicom": (_ct_study_dicom, 3, [], OLD_CODE),
    "ct-study-lossless-jpeg": (_ct_study_lossless_jpeg, 3, [], OLD_CODE),
    "ct-study-enhanced": (_ct_study_enhanced, 3, [], OLD_CODE),
    "xray-voi-lut": (_xray_voi_lut, 3, [], OLD_CODE),
    "micrographs-intensity": (_micrographs("intensity"), 3, [], OLD_CODE),
    "micrographs-exposure": (_micrographs("exposure"), 3, [], OLD_CODE),
    "small-glyphs-128": (_small_glyphs_128, 4, [], ["--image-size", "32"]),
    "wine-pandas-json": (tables.wine_pandas_json, 3, [], OLD_CODE),
    "wine-readme-sheet": (tables.wine_readme_sheet, 3, [], OLD_CODE),
    "wine-total-row": (tables.wine_total_row, 3, [], OLD_CODE),
    "wine-joined": (tables.wine_joined, 3, [], OLD_CODE),
    "docstrings-html": (tables.docstrings_html, 6, [], OLD_CODE),
    "product-titles": (tables.product_titles, 3, [], OLD_CODE),
    "newsgroups-folder": (tables.newsgroups_folder, 6, [], OLD_CODE),
    "docstrings-folder": (tables.docstrings_folder, 6, [], OLD_CODE),
    "wine-sheets-by-batch": (tables.wine_sheets_by_batch, 3, [], OLD_CODE),
    "templated-tickets": (tables.templated_tickets, 3, [], OLD_CODE),
    "likert-survey": (tables.likert_survey, 4, [], OLD_CODE),
    "wine-european-named": (tables.wine_european_named, 3, [], OLD_CODE),
    "wine-european-3dp": (tables.wine_european_3dp, 3, [], OLD_CODE),
}
"""name: (builder, k, flags now, flags that reproduce the reading before stop 54 or None
where the file was refused)."""


def _acc(out: Path, labels: np.ndarray | dict) -> dict:
    """ACC/NMI/ARI of a run's clusters; ``labels`` by row number, or by id (image files)."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from clustering.metrics import hungarian_accuracy

    assigned = pd.read_parquet(out / "assignments.parquet")
    truth = np.array([labels[i] for i in assigned["id"]]) if isinstance(labels, dict) else \
        labels[assigned["id"].astype(int).to_numpy()]
    found = assigned["cluster"].to_numpy()
    return {"acc": round(hungarian_accuracy(truth, found), 3),
            "nmi": round(float(normalized_mutual_info_score(truth, found)), 3),
            "ari": round(float(adjusted_rand_score(truth, found)), 3)}


def run_once(path: Path, labels: np.ndarray, k: int, flags: list[str],
             code: Path | None = None, seed: int = 0) -> dict:
    """One ``clusterlab run`` in a fresh workspace (with the code of the tree ``code`` when
    given): exit code, seconds, how it read the file, what ``auto`` chose and ACC/NMI/ARI
    against ``labels`` (``None`` where rows were lost, so they no longer match)."""
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as out:
        header = ""
        if path.suffix == ".csv":
            with open(path, encoding="utf-8", errors="replace") as handle:
                header = handle.readline()
        label = ["--label-column", "label"] if "label" in header else []
        program = ["clusterlab"] if code is None else [
            sys.executable, "-c", f"import sys; sys.path.insert(0, {str(code)!r}); "
            "from workspace.cli import main; sys.exit(main())"]
        cmd = [*program, "run", "--data", str(path), *label, "--clusters", str(k),
               "--seed", str(seed), *flags, "--out", out]
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False,
                              env={**os.environ, "CLUSTERLAB_HOME": home})
        record = {"flags": flags, "exit": done.returncode,
                  "wall_s": round(time.perf_counter() - start, 1)}
        if done.returncode:
            record["error"] = done.stderr.strip().splitlines()[-1][:300]
            return record
        run = json.loads((Path(out) / "run.json").read_text())
        rows = len(pd.read_parquet(Path(out) / "assignments.parquet"))
        record.update(modality=run["data"]["modality"], rows=rows,
                      winner=(run.get("fit_info", {}).get("auto") or {}).get("winner"))
        if rows == len(labels):
            record.update(_acc(Path(out), labels if isinstance(labels, dict)
                               else np.asarray(labels)))
        return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--old-code", type=Path,
                        help="a tree of the code before, for the cases read before by it")
    parser.add_argument("--methods", nargs="+", default=["auto"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for name in args.cases:
            build, k, now, before = CASES[name]
            path, labels = build(Path(folder))
            for method, seed, (when, flags) in itertools.product(
                    args.methods, args.seeds, (("before", before), ("now", now))):
                if flags is None or flags == OLD_CODE and args.old_code is None:
                    continue  # refused before, or no old tree given: nothing to reproduce
                code = args.old_code if flags == OLD_CODE else None
                flags = ([] if flags == OLD_CODE else flags) + (
                    [] if method == "auto" else ["--method", method])
                record = {"case": name, "when": when, "method": method, "seed": seed,
                          **run_once(path, labels, k, flags, code, seed)}
                results.append(record)
                log.info("%s", json.dumps(record))
    args.out.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
