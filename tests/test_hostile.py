"""Hostile and broken input beyond the validation messages: archives, huge images, uploads
over the limit, damaged stored files. Each gets one plain sentence, nothing is written
outside the store, and stored work stays readable.

(Zip path tricks, symlinks, a 1000:1 bomb, truncated and fake images, pickled ``.npy``,
``.pt`` payloads, CSV formulas and a full disk during export are in test_validation,
test_deep and test_exports.)
"""

from __future__ import annotations

import gzip
import io
import tomllib
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from clustering.errors import InputError
from clustering.pipeline import RunConfig
from helpers import files_under, run_bad, shown
from workspace.projects import MAX_UPLOAD_BYTES, stage_upload
from workspace.runs import ensure_run, load_assignments
from workspace.store import Store

ROOT = Path(__file__).resolve().parent.parent


def _png(value: int = 0, size: int = 8) -> bytes:
    out = io.BytesIO()
    Image.new("L", (size, size), value).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.slow
def test_zip_with_100k_entries_refused_from_its_directory(tmp_path, capsys):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(100_000):
            zf.writestr(f"{i}.png", b"")
    msg = run_bad(tmp_path, capsys, path)
    assert "holds 100,000 entries, over the limit of 50,000" in msg


def test_zip_at_1000_to_1_refused(tmp_path, capsys):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.png", b"\0" * (50 * 1024 * 1024))
    info = zipfile.ZipFile(path).infolist()[0]
    assert info.file_size / info.compress_size >= 1000
    assert "(a possible zip bomb)" in run_bad(tmp_path, capsys, path)


def test_excel_workbook_that_is_a_zip_bomb_is_refused_before_it_is_parsed(tmp_path, capsys):
    """An .xlsx is a zip of XML: a sheet that inflates 1,000 times is refused by the same
    checks as a zip of images, before openpyxl reads a byte of it."""
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (50 * 1024 * 1024))
    assert "(a possible zip bomb)" in run_bad(tmp_path, capsys, path)


def test_gzipped_table_that_is_a_gzip_bomb_is_refused_while_unpacking(tmp_path, capsys):
    """A .csv.gz that inflates 250 times stops at 200 times its packed size (1 MiB at
    least): no table is parsed and the temporary copy goes with it."""
    path = tmp_path / "bomb.csv.gz"
    with gzip.open(path, "wb") as handle:
        handle.write(b"a,b\n" + b"1,2\n" * (10 * 1024 * 1024))
    assert path.stat().st_size * 200 < 40 * 1024 * 1024
    said = run_bad(tmp_path, capsys, path)
    assert "unpacks to more than" in said and "times its packed size" in said


@pytest.mark.parametrize("content", [b"a,b\n1,2\n", gzip.compress(b"a,b\n" * 5000)[:60]])
def test_gzipped_table_that_is_not_gzip_or_cut_short_gets_one_sentence(tmp_path, capsys,
                                                                        content):
    path = tmp_path / "rows.csv.gz"
    path.write_bytes(content)
    assert "is not a readable gzip file" in run_bad(tmp_path, capsys, path)


def test_nested_zip_refused_not_silently_skipped(tmp_path, capsys):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        for i in range(5):
            zf.writestr(f"in{i}.png", _png(i * 40))
    path = tmp_path / "outer.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("more/inner.zip", inner.getvalue())
        for i in range(5):
            zf.writestr(f"out{i}.png", _png(i * 40))
    msg = run_bad(tmp_path, capsys, path)
    assert "holds another archive ('more/inner.zip')" in msg


def test_image_over_pillows_pixel_limit_is_named(tmp_path, capsys):
    folder = tmp_path / "imgs"
    folder.mkdir()
    for i in range(4):
        (folder / f"ok{i}.png").write_bytes(_png(i * 50))
    side = int((2 * Image.MAX_IMAGE_PIXELS) ** 0.5) + 100  # over the hard limit
    Image.new("1", (side, side)).save(folder / "huge.png")
    msg = run_bad(tmp_path, capsys, folder)
    assert "'huge.png' (too many pixels)" in msg


def test_upload_over_the_limit_refused_and_not_written(isolated_store):
    store = Store(isolated_store)
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 1024**2 == MAX_UPLOAD_BYTES
    huge = bytes(MAX_UPLOAD_BYTES + 1)  # 1 GiB + 1 byte (zero pages, cheap)
    staged = stage_upload("small.csv", b"a\n1\n").parent.parent  # this process's staging
    before = files_under(staged)
    with pytest.raises(InputError, match="over the 1,024 MiB upload limit"):
        stage_upload("big.csv", huge)
    assert files_under(store.root / "uploads") == []
    assert files_under(staged) == before


def _two_projects(store: Store):
    runs = {}
    for name in ("iris", "wine"):
        pid = store.create_project(name, f"demo:{name}")
        runs[name] = ensure_run(RunConfig(data=f"demo:{name}", clusters=3), store, pid)
    return runs


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["truncate", "garbage", "delete"])
def test_damaged_run_file_is_reported_and_other_projects_still_open(isolated_store, damage):
    store = Store(isolated_store)
    runs = _two_projects(store)
    target = runs["iris"].path / "assignments.parquet"
    if damage == "truncate":
        target.write_bytes(target.read_bytes()[:100])
    elif damage == "garbage":
        target.write_bytes(b"PAR1 this is not parquet")
    else:
        target.unlink()
    with pytest.raises(InputError, match=f"run {runs['iris'].key} is damaged"):
        load_assignments(runs["iris"].path)
    assert len(load_assignments(runs["wine"].path)) == 178

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    ids = {p["name"]: p["id"] for p in store.projects()}
    at.session_state["project_id"] = ids["iris"]
    at.run()
    assert not at.exception
    assert any("is damaged" in shown(e.value) and "other runs and projects" in shown(e.value)
               for e in at.error), [e.value for e in at.error]
    other = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    other.session_state["project_id"] = ids["wine"]
    other.run()
    assert not other.exception and not other.error, [e.value for e in other.error]
    assert {m.label: m.value for m in other.metric}["Points"] == "178"


@pytest.mark.slow
def test_damaged_store_database_gives_one_sentence_in_the_app(isolated_store):
    store = Store(isolated_store)
    _two_projects(store)
    db = store.db_path
    for extra in (db.with_name("store.db-wal"), db.with_name("store.db-shm")):
        extra.unlink(missing_ok=True)
    db.write_bytes(b"SQLite format 3\0" + b"\x13" * 4096)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and "is damaged" in at.error[0].value
    assert "restore it from a backup" in shown(at.error[0].value)


def test_reader_bug_is_an_internal_error_not_a_damaged_file(tmp_path, caplog):
    """A damaged file gets the plain 'damaged' sentence; a reader that fails for another
    reason (a bug) must not be blamed on the file."""
    from clustering.errors import InputError, InternalError
    from workspace.runs import read_artifact

    target = tmp_path / "run1" / "run.json"
    target.parent.mkdir()
    target.write_text("{not json")
    import json

    with pytest.raises(InputError, match="damaged"):
        read_artifact(target, lambda p: json.loads(p.read_text()))

    def buggy(path):
        return path.read_text().nonexistent_method()

    with pytest.raises(InternalError, match="this is a bug") as info:
        read_artifact(target, buggy)
    assert not isinstance(info.value, InputError)
    assert "AttributeError" in caplog.text


def _solid_png_zip(path: Path, count: int, side: int) -> Path:
    """A tiny zip of large one-colour PNGs (a few KB that decode to gigabytes)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(count):
            buf = io.BytesIO()
            Image.new("RGB", (side, side), (i * 20, 100, 50)).save(buf, "PNG")
            zf.writestr(f"img{i}.png", buf.getvalue())
    return path


@pytest.mark.slow
def test_small_zip_of_huge_images_decodes_in_bounded_memory(tmp_path):
    """#10 item 5: twelve solid 6000x6000 PNGs (12 KB zipped) took 2.0 GB: every image was
    decoded at full size and kept until all were resized. Now one at a time."""
    import subprocess
    import sys

    path = _solid_png_zip(tmp_path / "solid.zip", 12, 6000)
    assert path.stat().st_size < 100_000
    # VmHWM: this process's peak RSS (ru_maxrss would include the forking pytest's)
    script = ("import sys\nfrom clustering.loaders import load_data\n"
              "d = load_data(sys.argv[1], 'images')\n"
              "peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
              "print(d.images.shape, peak.split()[1])")
    out = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                         text=True, check=True, cwd=ROOT).stdout.split()
    assert out[:4] == ["(12,", "96,", "96,", "3)"]  # few large images: 96 px a side
    assert int(out[-1]) / 1024 < 700, f"peak RSS {int(out[-1]) / 1024:.0f} MB"


def test_collection_declaring_too_many_pixels_is_refused_before_decoding(
        tmp_path, capsys, monkeypatch):
    from clustering import decode_limits, images

    monkeypatch.setattr(decode_limits, "MAX_TOTAL_PIXELS", 3 * 2000 * 2000)
    path = _solid_png_zip(tmp_path / "four.zip", 4, 2000)
    decoded = []
    monkeypatch.setattr(images, "_normalise_mode", lambda img: decoded.append(img) or img)
    msg = run_bad(tmp_path, capsys, path)
    assert "The 4 images hold 16 million pixels to decode, more than the 12 million" in msg
    assert "resize them first" in msg
    assert decoded == []


@pytest.mark.slow
def test_the_app_reads_images_in_a_memory_capped_process(tmp_path, monkeypatch):
    """#10 item 5: the Data page decoded uploads inside the Streamlit server, so one upload
    could take the memory every session shares. The app's reader now runs them in a separate
    process with an address-space cap: over the cap is one sentence, and the server is fine."""
    from ui.common import get_dataset
    from workspace.isolated_load import load_isolated, needs_isolation

    small = _solid_png_zip(tmp_path / "small.zip", 3, 100)
    big = _solid_png_zip(tmp_path / "big.zip", 1, 9000)  # 243 MB decoded, under Pillow's limit
    assert needs_isolation(str(small)) and not needs_isolation("demo:iris")
    monkeypatch.setenv("CLUSTERLAB_READ_MEMORY", "500")
    data = load_isolated(str(small), "images")
    assert data.images.shape == (3, 96, 96, 3) and data.source == str(small)
    with pytest.raises(InputError, match=r"Reading 'big.zip' needed more than 0.5 GiB"):
        load_isolated(str(big), "images")
    with pytest.raises(InputError, match="needed more than"):  # the app's cached reader
        get_dataset.__wrapped__(str(big), '{"kind": "images"}')
