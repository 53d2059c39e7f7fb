"""Exports: every format, subsets, review state, formula escaping, provenance, atomicity."""

import json
import zipfile

import pandas as pd
import pytest

from clustering.errors import InputError
from clustering.pipeline import RunConfig
from workspace.exports import escape_formula, export_run
from workspace.runs import ensure_run
from workspace.store import Store

ROWS = 24
"""Under 30 rows: the map is a PCA, so the fixture computes no UMAP."""


@pytest.fixture
def text_run(tmp_path):
    texts = (["=HYPERLINK(\"http://evil\")", "+1 call me", "-2 below", "@SUM(A1)",
              "\tTabbed", "plain words here"] * 5)[:ROWS]
    frame = pd.DataFrame({"name": [f"n{i}" for i in range(ROWS)],
                          "v": [float(i % 3) * 10 + i * 0.01 for i in range(ROWS)],
                          "comment": texts})
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    store = Store()
    run = ensure_run(RunConfig(data=str(path), id_column="name", kind="table", clusters=3), store)
    return store, run


def test_escape_formula_cases():
    assert escape_formula("=1+1") == "'=1+1"
    assert escape_formula("+1") == "'+1" and escape_formula("-x") == "'-x"
    assert escape_formula("@SUM") == "'@SUM" and escape_formula("\tx") == "'\tx"
    assert escape_formula("\0x") == "'\0x"
    assert escape_formula("safe") == "safe" and escape_formula(-3) == -3


def test_csv_escapes_formulas_and_round_trips_text(tmp_path, text_run):
    store, run = text_run
    out = tmp_path / "e.csv"
    export_run(run.path, "csv", out, store=store)
    back = pd.read_csv(out, keep_default_na=False)
    assert len(back) == ROWS
    assert back["comment"][0] == "'=HYPERLINK(\"http://evil\")"
    assert back["comment"][3] == "'@SUM(A1)" and back["comment"][5] == "plain words here"
    assert all(not str(v).startswith(("=", "+", "-", "@", "\t")) for v in back["comment"])
    # un-escaping gives the original text back
    assert back["comment"][1][1:] == "+1 call me"


def test_parquet_and_jsonl_keep_text_exact(tmp_path, text_run):
    store, run = text_run
    export_run(run.path, "parquet", tmp_path / "e.parquet", store=store)
    export_run(run.path, "jsonl", tmp_path / "e.jsonl", store=store)
    pq = pd.read_parquet(tmp_path / "e.parquet")
    lines = [json.loads(x) for x in (tmp_path / "e.jsonl").read_text().splitlines()]
    assert pq["comment"][0].startswith("=HYPERLINK") and lines[0]["comment"].startswith("=HYPER")
    assert len(lines) == ROWS and set(lines[0]) >= {"id", "cluster", "label", "confidence"}


def test_subset_by_cluster_ids_and_review(tmp_path, text_run):
    store, run = text_run
    store.set_cluster(run.key, 1, name="tens", status="accepted", who="ana")
    store.label_points(run.key, ["n0"], label="special", cluster=1, who="ben")
    out = tmp_path / "r.csv"
    prov = export_run(run.path, "csv", out, store=store, reviewed_only=True)
    rows = pd.read_csv(out)
    assert set(rows["cluster"]) == {1} and "special" in set(rows["label"])
    assert set(rows.loc[rows["id"] != "n0", "label"]) == {"tens"}
    assert {r["who"] for r in prov["reviewers"]} == {"ana", "ben"}
    sub = export_run(run.path, "csv", tmp_path / "c.csv", store=store, clusters=[0])
    assert sub["rows"] == len(pd.read_csv(tmp_path / "c.csv")) > 0
    ids = export_run(run.path, "csv", tmp_path / "i.csv", store=store, ids=["n3", "n4"])
    assert ids["rows"] == 2


def test_provenance_file_written_beside_export(tmp_path, text_run):
    store, run = text_run
    out = tmp_path / "e.parquet"
    export_run(run.path, "parquet", out, store=store, who="ana")
    prov = json.loads((tmp_path / "e.parquet.provenance.json").read_text())
    assert prov["exported_by"] == "ana" and prov["run"]["key"] == run.key
    assert prov["run"]["seed"] == 0 and "numpy" in prov["run"]["versions"]


def test_empty_selection_and_unknown_cluster_refused_without_files(tmp_path, text_run):
    store, run = text_run
    with pytest.raises(InputError, match="no cluster 9"):
        export_run(run.path, "csv", tmp_path / "x.csv", store=store, clusters=[9])
    with pytest.raises(InputError, match="selection is empty"):
        export_run(run.path, "csv", tmp_path / "x.csv", store=store, reviewed_only=True)
    assert not (tmp_path / "x.csv").exists()


def test_imagefolder_needs_images_or_texts(tmp_path, text_run):
    store, run = text_run  # a table, with a column of comments
    with pytest.raises(InputError, match="needs images or texts; this run is on table data"):
        export_run(run.path, "imagefolder", tmp_path / "x.zip", store=store)


@pytest.mark.slow
def test_imagefolder_zip_for_digits(tmp_path):
    store = Store()
    run = ensure_run(RunConfig(data="demo:digits", method="kmeans", clusters=10), store)
    store.set_cluster(run.key, 0, name="../../etc/zeros", who="ana")
    out = tmp_path / "digits.zip"
    export_run(run.path, "imagefolder", out, store=store, clusters=[0, 1])
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        manifest = pd.read_csv(zf.open("manifest.csv"))
    assert "provenance.json" in names and all(".." not in n for n in names)
    pngs = [n for n in names if n.endswith(".png")]
    assert len(pngs) == len(manifest) > 100
    assert {n.split("/")[0] for n in pngs} == {"etc_zeros", "cluster 1"}


def test_export_failure_leaves_no_partial_file(tmp_path, text_run, monkeypatch):
    store, run = text_run
    out = tmp_path / "full.csv"

    def disk_full(self, path, *a, **k):
        with open(path, "w") as handle:
            handle.write("id,clu")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", disk_full)
    with pytest.raises(OSError):
        export_run(run.path, "csv", out, store=store)
    assert not out.exists() and list(tmp_path.glob("*.tmp")) == []


def test_formula_after_leading_spaces_and_in_column_names_is_escaped(tmp_path):
    """Spreadsheets ignore leading blanks before '=', and read the header row too."""
    assert escape_formula("  =1+1") == "'  =1+1" and escape_formula("\t =cmd") == "'\t =cmd"
    frame = pd.DataFrame({"item": [f"r{i}" for i in range(24)],
                          "=HYPERLINK(\"http://evil\")": [float(i % 3) for i in range(24)],
                          "v": [float(i) for i in range(24)]})
    path = tmp_path / "hdr.csv"
    frame.to_csv(path, index=False)
    store = Store()
    run = ensure_run(RunConfig(data=str(path), id_column="item", kind="table", clusters=3),
                     store)
    out = tmp_path / "e.csv"
    export_run(run.path, "csv", out, store=store)
    header = out.read_text().splitlines()[0]
    assert "'=HYPERLINK" in header and ",=HYPERLINK" not in header


def test_imagefolder_export_checks_the_source_zip_once(tmp_path, monkeypatch):
    """The image-folder export read and checked the source zip's member list once per
    image (quadratic: 2,500 images took 103 s); now once per export."""
    import io

    import numpy as np
    from PIL import Image

    import clustering.safezip as safezip

    src = tmp_path / "imgs.zip"
    with zipfile.ZipFile(src, "w") as zf:
        for i in range(ROWS):  # under 30 images: a PCA map, no UMAP
            buf = io.BytesIO()
            Image.fromarray(np.full((8, 8), i * 10, dtype=np.uint8)).save(buf, format="PNG")
            zf.writestr(f"img{i:03d}.png", buf.getvalue())
    store = Store()
    run = ensure_run(RunConfig(data=str(src), kind="images", method="kmeans", clusters=2),
                     store)
    calls = []
    original = safezip.checked_members
    monkeypatch.setattr(safezip, "checked_members",
                        lambda path, *a, **k: calls.append(path) or original(path, *a, **k))
    export_run(run.path, "imagefolder", tmp_path / "out.zip", store=store)
    with zipfile.ZipFile(tmp_path / "out.zip") as zf:
        assert len([n for n in zf.namelist() if n.endswith(".png")]) == ROWS
    assert len(calls) == 1


def test_export_file_names_are_safe_and_old_export_folders_go(tmp_path):
    import os
    import time

    from workspace.exports import export_file_name, fresh_export_dir

    name = export_file_name("../../etc/passwd " + "é" * 300, "abcdef1234", ".csv")
    assert name.endswith("-abcdef12.csv") and len(name) <= 100
    assert "/" not in name and ".." not in name.split("-")[0]
    (tmp_path / name).write_text("ok")  # the file system takes it
    assert export_file_name("::", "k" * 20, ".zip") == "export-kkkkkkkk.zip"

    old = tmp_path / "export-old"
    old.mkdir()
    day_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (day_ago, day_ago))
    recent = fresh_export_dir(tmp_path)
    assert recent.is_dir() and not old.exists()
    kept = fresh_export_dir(tmp_path)
    assert recent.exists() and kept.exists()  # another session's recent export stays
    fresh_export_dir(tmp_path, previous=str(kept / "file.csv"))
    assert not kept.exists()


def test_outputs_never_overwrite_the_run_the_store_or_the_data(tmp_path, isolated_store,
                                                                capsys):
    """`export --out RUN/assignments.parquet` replaced the run's assignments with the export
    (exit 0; the next export of the run was an internal error), and `--out` naming the data
    file would have replaced the data; each is now refused, the files left as they were."""
    from workspace.cli import main

    data = tmp_path / "t.csv"
    pd.DataFrame({"v": [float(i % 3) * 10 + i * 0.01 for i in range(ROWS)],
                  "w": [float(i % 5) for i in range(ROWS)]}).to_csv(data, index=False)
    out = tmp_path / "out"
    assert main(["run", "--data", str(data), "--method", "kmeans", "--clusters", "3",
                 "--out", str(out)]) == 0
    kept = {p: p.read_bytes() for p in (out / "assignments.parquet", out / "run.json", data)}
    refused = [
        ["export", "--run", str(out), "--format", "parquet", "--out",
         str(out / "assignments.parquet")],
        ["export", "--run", str(out), "--format", "csv", "--out", str(data)],
        ["predict", "--run", str(out), "--data", str(data), "--out", str(data)],
        ["export", "--run", str(out), "--format", "csv", "--out",
         str(isolated_store / "runs" / "x.csv")],
        ["run", "--data", str(tmp_path), "--out", str(tmp_path / "results")],  # in its data
    ]
    for argv in refused:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "--out '" in err and ("would overwrite the run's own files" in err
                                     or "the data" in err or "store's own files" in err), err
        assert "internal error" not in err
    assert kept == {p: p.read_bytes() for p in kept}
    assert main(["export", "--run", str(out), "--format", "csv", "--out",
                 str(out / "export.csv")]) == 0  # a new file beside the run's: fine
    assert main(["export", "--run", str(out), "--format", "parquet", "--out",
                 str(isolated_store / "exports" / "all.parquet")]) == 0  # beside the store's
    assert len(pd.read_parquet(isolated_store / "exports" / "all.parquet")) == ROWS
