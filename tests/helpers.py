"""Helpers shared by the test modules (fixtures stay in ``conftest.py``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def files_under(folder) -> list[str]:
    """All files below a folder (empty list when it does not exist)."""
    return sorted(str(p) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def store_snapshot(store) -> dict:
    """What a store holds: its projects, runs, jobs and review rows, and every file's bytes
    (the SQLite files aside, whose pages SQLite may rewrite on any open)."""
    import hashlib

    tables = {t: store._query(f"SELECT * FROM {t}")
              for t in ("projects", "runs", "jobs", "clusters", "point_labels")}
    files = {str(p.relative_to(store.root)): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in store.root.rglob("*") if p.is_file() and not p.name.startswith("store.db")}
    return {"tables": tables, "files": files}


def run_bad(tmp_path, capsys, data, *extra) -> str:
    """Run the CLI on bad input; check exit 2, one error line, and that the store is
    exactly as it was (no project, run, job or file added); return the sentence."""
    from workspace.cli import main
    from workspace.store import Store

    out = tmp_path / "out"
    store = Store()
    before = store_snapshot(store)
    code = main(["run", "--data", str(data), "--out", str(out), *extra])
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert not out.exists(), "nothing may be written for bad input"
    assert store_snapshot(store) == before, "refused input changed the store"
    assert store.runs() == [] and files_under(store.root / "runs") == []
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, err
    return errors[0].removeprefix("error: ")


def tiny_table(folder: Path, rows_per_group: int = 9) -> Path:
    """A CSV of three well-apart groups of ``rows_per_group`` rows (under 30 rows in all,
    so the map is a PCA and no UMAP is computed): id ``item``, truth ``group``, and a
    ``comment`` whose first cell is a spreadsheet formula."""
    rng = np.random.default_rng(0)
    centres = np.array([[0, 0, 0], [6, 6, 0], [0, 6, 6]], dtype=float)
    X = np.vstack([rng.normal(c, 0.3, size=(rows_per_group, 3)) for c in centres])
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame.insert(0, "item", [f"p{i}" for i in range(len(frame))])
    frame["group"] = np.repeat(["north", "east", "west"], rows_per_group)
    frame["comment"] = ["=cmd|' /C calc'!A0" if i == 0 else "ok" for i in range(len(frame))]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tiny.csv"
    frame.to_csv(path, index=False)
    return path


def write_workbook(path: Path, sheet: str, header: list, rows: list, *, notes_sheet=True):
    """An .xlsx whose first sheet ``sheet`` holds the rows, and a second sheet of notes."""
    import openpyxl

    book = openpyxl.Workbook()
    first = book.active
    first.title = sheet
    first.append(header)
    for row in rows:
        first.append(row)
    if notes_sheet:
        book.create_sheet("notes").append(["measured by hand"])
    book.save(path)
    return path


def tiny_store(home: Path, method: str = "kmeans", explain: bool = True) -> tuple[int, str]:
    """A store at ``home`` holding one project with one finished k-means run of
    :func:`tiny_table`, computed in-process in about a second, with its explanations (so
    the Explore page starts no worker). Returns the project id and run key; the app opens
    on it instead of preparing the demo."""
    from clustering.pipeline import RunConfig
    from workspace.explanations import ensure_explanations
    from workspace.runs import ensure_run
    from workspace.store import Store

    path = tiny_table(home.parent / "tinydata")
    settings = {"kind": "table", "label_column": "group", "id_column": "item"}
    store = Store(home)
    pid = store.create_project("tiny", str(path), who="test", settings=settings)
    run = ensure_run(RunConfig(data=str(path), method=method, clusters=3, **settings), store,
                     pid)
    if explain:
        ensure_explanations(run.path, store)
    return pid, run.key


def tiny_text_store(home: Path) -> tuple[int, str]:
    """Like :func:`tiny_store` for 24 short texts on two topics, embedded by the test
    embedder (set ``CLUSTERLAB_TEST_EMBEDDER=hashing`` first)."""
    from clustering.pipeline import RunConfig
    from workspace.explanations import ensure_explanations
    from workspace.runs import ensure_run
    from workspace.store import Store

    space = ["the rocket reached orbit", "a telescope saw the comet in orbit",
             "the orbit of the moon and the rocket", "the comet and the telescope in orbit"]
    kitchen = ["bake the bread in the oven", "flour and yeast for the bread in the oven",
               "the oven was hot for the bread", "yeast makes the bread rise in the oven"]
    frame = pd.DataFrame({"doc": [f"d{i}" for i in range(24)],
                          "body": (space + kitchen) * 3,
                          "topic": (["space"] * 4 + ["kitchen"] * 4) * 3})
    folder = home.parent / "tinytext"
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / "notes.csv", index=False)
    settings = {"kind": "text", "text_column": "body", "label_column": "topic",
                "id_column": "doc"}
    store = Store(home)
    pid = store.create_project("notes", str(folder / "notes.csv"), who="test",
                               settings=settings)
    run = ensure_run(RunConfig(data=str(folder / "notes.csv"), method="kmeans", clusters=2,
                               **settings), store, pid)
    ensure_explanations(run.path, store)
    return pid, run.key


def start_app(timeout: float = 180):
    """An AppTest of the whole app, run once; fails on any exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=timeout)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload_on_data_page(name: str, data: bytes, mime: str = "application/octet-stream"):
    """The app on its Data page with ``data`` uploaded as ``name`` (run once after)."""
    at = start_app()
    at.switch_page("app_pages/data.py").run()
    at.file_uploader(key="uploader").upload(name, data, mime)
    at.run()
    return at


def shown(markdown: str) -> str:
    """What a reader sees of Markdown that :func:`ui.safe_text.md` escaped: backslash
    escapes resolved, the invisible word joiners dropped."""
    import re

    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def no_errors(at) -> None:
    """No exception and no ``st.error`` on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def stripes_and_discs(n: int = 24, side: int = 32, seed: int = 0):
    """Colour images of stripes (odd rows) and discs (even rows) in random colours."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:side, 0:side] / (side - 1.0)
    images, kinds = [], []
    for i in range(n):
        colour, back = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
        if i % 2:
            mask = (((xx + rng.uniform(0, 1)) / 0.25) % 1.0) < 0.5
        else:
            mask = (xx - 0.5) ** 2 + (yy - 0.5) ** 2 < rng.uniform(0.05, 0.1)
        images.append(np.where(mask[..., None], colour, back))
        kinds.append(i % 2)
    return np.array(images).astype(np.uint8), np.array(kinds)


def lossless_jpeg(source: Path, target: Path) -> None:
    """``source`` stored as lossless JPEG (process 14, first-order prediction) by GDCM."""
    import gdcm

    reader = gdcm.ImageReader()
    reader.SetFileName(str(source))
    assert reader.Read()
    change = gdcm.ImageChangeTransferSyntax()
    change.SetTransferSyntax(gdcm.TransferSyntax(gdcm.TransferSyntax.JPEGLosslessProcess14_1))
    change.SetInput(reader.GetImage())
    assert change.Change()
    writer = gdcm.ImageWriter()
    writer.SetFileName(str(target))
    writer.SetFile(reader.GetFile())
    writer.SetImage(change.GetOutput())
    assert writer.Write()


def damaged(data: bytes, rng, how: int) -> bytes:
    """A damaged copy of a file for fuzzing: ``how`` 0 flips up to 19 bytes, 1 cuts it
    short, 2 overwrites a 4-byte word (all past a DICOM file's 132-byte preamble)."""
    out = bytearray(data)
    if how == 0:
        for i in rng.integers(132, len(out), rng.integers(1, 20)):
            out[i] = rng.integers(0, 256)
    elif how == 1:
        out = out[:rng.integers(133, len(out))]
    else:
        i = rng.integers(132, len(out) - 4)
        out[i:i + 4] = rng.integers(0, 256, 4, dtype=np.uint8).tobytes()
    return bytes(out)


def refused_then_left_out(source: Path, match: str, kept: int, left_out: int):
    """Load ``source``: refused with a message matching ``match``; with ``drop_invalid``,
    ``kept`` rows read and a note that ``left_out`` unreadable images were left out."""
    import pytest

    from clustering.errors import InputError
    from clustering.loaders import load_data

    with pytest.raises(InputError, match=match):
        load_data(source)
    data = load_data(source, drop_invalid=True)
    assert data.n == kept
    assert any(f"Left out {left_out} unreadable image(s)" in n for n in data.notes), data.notes
    return data


def finish_watched_job(at, store) -> None:
    """Wait for the background job the session watches, then let the page pick it up."""
    from workspace import jobs

    job = jobs.wait(store, at.session_state["waiting_job"], timeout=300)
    assert job["state"] == "done", job
    at.run()
    no_errors(at)
    assert at.session_state["run_key"] == job["result"]


def first_run_of_new_project(at, isolated_store, name: str, k: int) -> dict:
    """Create the project of the data page's upload with ``k`` clusters; its finished first
    run."""
    at.number_input(key="expected_k").set_value(k)  # the first run makes that many clusters
    at.button(key="create_project").click().run()
    no_errors(at)
    from workspace.store import Store

    store = Store(isolated_store)
    project = next(p for p in store.projects() if p["name"] == name)
    finish_watched_job(at, store)
    return store.runs(project["id"])[0]
