"""Every validation message: exit code 2, one sentence naming the problem, nothing written."""

import io
import json
import os
import pickle
import stat
import zipfile

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from helpers import run_bad
from workspace.cli import main


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_empty_file(tmp_path, capsys):
    msg = run_bad(tmp_path, capsys, write(tmp_path, "e.csv", ""))
    assert "'e.csv' is empty" in msg


def test_header_only(tmp_path, capsys):
    msg = run_bad(tmp_path, capsys, write(tmp_path, "h.csv", "a,b,c\n"))
    assert "'h.csv' has a header but no rows" in msg


def test_no_usable_column(tmp_path, capsys):
    rows = "\n".join(f"person {i} with a long unique free text value,{i}" for i in range(40))
    msg = run_bad(tmp_path, capsys, write(tmp_path, "n.csv", "note,row\n" + rows),
                  "--kind", "table", "--id-column", "row")
    assert "has no usable column" in msg


def test_mixed_numeric_column_named_with_rows(tmp_path, capsys):
    values = [str(i) for i in range(30)]
    values[4] = "abc"
    path = tmp_path / "m.csv"
    pd.DataFrame({"age": values, "w": range(30)}).to_csv(path, index=False)
    msg = run_bad(tmp_path, capsys, path)
    assert "column 'age'" in msg and "'abc'" in msg and "row(s) 5" in msg


def test_non_numeric_columns_for_embeddings(tmp_path, capsys):
    path = tmp_path / "emb.csv"
    pd.DataFrame({"d0": np.arange(10.0), "kind": list("ab" * 5)}).to_csv(path, index=False)
    msg = run_bad(tmp_path, capsys, path, "--kind", "embeddings")
    assert "'kind'" in msg and "not numbers" in msg


def test_nan_and_inf_reported_with_count_and_rows(tmp_path, capsys):
    frame = pd.DataFrame({"a": np.arange(40.0), "b": np.arange(40.0) ** 2})
    frame.loc[3, "a"] = np.nan
    frame.loc[7, "b"] = np.inf
    path = tmp_path / "nan.csv"
    frame.to_csv(path, index=False)
    msg = run_bad(tmp_path, capsys, path)
    assert "2 row(s)" in msg and "data row(s) 4, 8" in msg and "--drop-invalid" in msg


@pytest.mark.slow
def test_drop_invalid_leaves_rows_out_and_says_so(tmp_path, capsys):
    frame = pd.DataFrame({"a": np.r_[np.zeros(20), np.ones(20) * 9] + np.arange(40) * 0.01,
                          "b": np.arange(40.0)})
    frame.loc[3, "a"] = np.nan
    path = tmp_path / "nan.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "out"
    assert main(["run", "--data", str(path), "--clusters", "2", "--drop-invalid",
                 "--out", str(out)]) == 0
    assert len(pd.read_parquet(out / "assignments.parquet")) == 39
    assert "Left out 1 row(s)" in capsys.readouterr().out


def test_constant_columns_dropped_and_reported(tmp_path, capsys):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=24), "same": 5.0, "b": rng.normal(size=24)})
    path = tmp_path / "c.csv"
    frame.to_csv(path, index=False)
    assert main(["run", "--data", str(path), "--clusters", "2", "--out",
                 str(tmp_path / "o")]) == 0
    assert "Dropped 1 constant column(s): same" in capsys.readouterr().out


def test_fewer_rows_than_the_method_needs(tmp_path, capsys):
    msg = run_bad(tmp_path, capsys, write(tmp_path, "f.csv", "a,b\n1,2\n3,1\n5,9\n"),
                  "--clusters", "5")
    assert "'f.csv' has 3 row(s)" in msg and "at least 5" in msg


def test_all_rows_identical(tmp_path, capsys):
    msg = run_bad(tmp_path, capsys, write(tmp_path, "i.csv", "a,b\n" + "1,2\n" * 20))
    assert "All 20 rows of 'i.csv' are identical" in msg


def test_one_row_is_too_few_rows_not_identical_rows(tmp_path, capsys):
    """A one-line text file was 'All 1 rows ... are identical in every used column'."""
    msg = run_bad(tmp_path, capsys, write(tmp_path, "one.txt", "just one line here\n"),
                  "--method", "kmeans", "--clusters", "2")
    assert ("'one.txt' has 1 row(s); clustering needs more rows than clusters (at least 3 "
            "for 2 clusters), so add rows and retry.") in msg


def test_object_npy_refused(tmp_path, capsys):
    path = tmp_path / "o.npy"
    np.save(path, np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    msg = run_bad(tmp_path, capsys, path)
    assert "pickled" in msg and "never loaded" in msg


class Payload:
    def __reduce__(self):
        return (os.system, ("touch PWNED",))


def test_pickle_npy_payload_never_runs(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "p.npy"
    np.save(path, np.array([Payload()], dtype=object), allow_pickle=True)
    run_bad(tmp_path, capsys, path)
    assert not (tmp_path / "PWNED").exists()


def test_pickle_file_refused_unopened(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(Payload()))
    msg = run_bad(tmp_path, capsys, path)
    assert "never opened" in msg and not (tmp_path / "PWNED").exists()


def test_npy_wrong_shape(tmp_path, capsys):
    path = tmp_path / "v.npy"
    np.save(path, np.arange(10.0))
    assert "must be 2-D" in run_bad(tmp_path, capsys, path)


def test_unreadable_images_listed(tmp_path, capsys):
    folder = tmp_path / "imgs"
    folder.mkdir()
    for i in range(4):
        Image.new("L", (8, 8), i * 40).save(folder / f"ok{i}.png")
    (folder / "fake.png").write_text("this is not a png")
    good = io.BytesIO()
    Image.new("L", (64, 64), 9).save(good, format="PNG")
    (folder / "cut.png").write_bytes(good.getvalue()[:40])
    msg = run_bad(tmp_path, capsys, folder)
    assert "2 image(s) could not be read" in msg and "'fake.png'" in msg and "'cut.png'" in msg


def _zip_with(tmp_path, name, info_name, data=b"x", mode=None):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo(info_name)
        if mode is not None:
            info.external_attr = mode << 16
        zf.writestr(info, data)
    return path


@pytest.mark.parametrize("entry,expected", [("/etc/evil.png", "absolute path"),
                                            ("../evil.png", "outside the archive"),
                                            ("a/../../evil.png", "outside the archive")])
def test_zip_path_tricks_refused(tmp_path, capsys, entry, expected):
    msg = run_bad(tmp_path, capsys, _zip_with(tmp_path, "z.zip", entry))
    assert expected in msg
    assert not (tmp_path.parent / "evil.png").exists()


def test_zip_symlink_refused(tmp_path, capsys):
    path = _zip_with(tmp_path, "s.zip", "link.png", b"/etc/passwd", stat.S_IFLNK | 0o777)
    assert "symbolic link" in run_bad(tmp_path, capsys, path)


def test_zip_bomb_ratio_refused_before_extraction(tmp_path, capsys):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.png", b"\0" * (20 * 1024 * 1024))
    msg = run_bad(tmp_path, capsys, path)
    assert "possible zip bomb" in msg


def test_zip_caps_refused_before_reading(tmp_path):
    from clustering import safezip

    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(3):
            zf.writestr(f"{i}.png", os.urandom(600))
    limits = safezip.ZipLimits(max_total_bytes=1000)
    with pytest.raises(safezip.InputError, match="would expand to 1,800 bytes"):
        safezip.checked_members(path, limits)
    with pytest.raises(safezip.InputError, match="holds 3 entries, over the limit of 2"):
        safezip.checked_members(path, safezip.ZipLimits(max_entries=2))
    with pytest.raises(safezip.InputError, match="over the 500-byte limit per file"):
        safezip.checked_members(path, safezip.ZipLimits(max_entry_bytes=500))


def test_very_wide_header_is_refused_in_one_sentence(tmp_path, capsys):
    from clustering.tables import MAX_COLUMNS

    path = tmp_path / "wide.csv"
    cols = MAX_COLUMNS + 1
    path.write_text(",".join(f"c{i}" for i in range(cols)) + "\n" + ",".join("1" * cols) + "\n")
    msg = run_bad(tmp_path, capsys, path)
    assert f"{cols:,} columns" in msg and "20,000" in msg


def test_wide_table_with_a_repeated_name_is_named(tmp_path, capsys):
    """10,000 columns load in linear time (the duplicate check was quadratic: ~60 s)."""
    names = [f"c{i}" for i in range(10_000)] + ["c7 "]  # equal to c7 once stripped
    path = tmp_path / "dup.csv"
    path.write_text(",".join(names) + "\n" + ",".join("1" * len(names)) + "\n")
    msg = run_bad(tmp_path, capsys, path)
    assert "repeated column names (c7)" in msg


def test_fill_missing_keeps_every_row_and_exports_leave_the_cells_empty(tmp_path, capsys,
                                                                       monkeypatch):
    monkeypatch.setenv("CLUSTERLAB_HOME", str(tmp_path / "home"))
    frame = pd.DataFrame({"a": np.r_[np.zeros(20), np.ones(20) * 9] + np.arange(40) * 0.01,
                          "b": np.arange(40.0)})
    frame.loc[3, "a"] = np.nan
    frame.loc[30, "b"] = np.nan
    path = tmp_path / "gaps.csv"
    frame.to_csv(path, index=False)
    assert "--fill-missing" in run_bad(tmp_path, capsys, path)
    out = tmp_path / "out"
    assert main(["run", "--data", str(path), "--clusters", "2", "--method", "kmeans",
                 "--fill-missing", "--out", str(out)]) == 0
    assert "Filled 2 empty cell(s) in 2 row(s) with each column's median" in \
        capsys.readouterr().out
    assignments = pd.read_parquet(out / "assignments.parquet")
    assert len(assignments) == 40
    assert assignments["cluster"][3] == assignments["cluster"][0]  # filled with the median
    run = json.loads((out / "run.json").read_text())
    assert run["config"]["fill_missing"] is True
    assert main(["export", "--run", str(out), "--format", "csv",
                 "--out", str(tmp_path / "e.csv")]) == 0
    exported = pd.read_csv(tmp_path / "e.csv")
    assert np.isnan(exported["a"][3]) and np.isnan(exported["b"][30])
    assert exported["a"].notna().sum() == 39 and exported["b"][29] == 29.0


def test_fill_gaps_along_signals_and_with_rows_left_out():
    from clustering.column_plan import fill_gaps
    from clustering.errors import InputError
    from clustering.loaders import dataset_from_frame
    from clustering.pipeline import RunConfig

    signal = pd.DataFrame([[1.0, np.nan, 3.0, np.nan], [2.0, 2.0, np.nan, 8.0]],
                          columns=list("pqrs"))
    out, filled, notes = fill_gaps(signal, list("pqrs"), "s.csv", along_rows=True)
    assert out.to_numpy().tolist() == [[1.0, 2.0, 3.0, 3.0], [2.0, 2.0, 5.0, 8.0]]
    assert "interpolation" in notes[0]
    with pytest.raises(InputError, match="no value at all"):
        fill_gaps(signal.assign(t=np.nan), [*"pqrs", "t"], "s.csv")
    # an infinite value is not filled: its row is left out, and the filled positions follow
    frame = pd.DataFrame({"a": [1.0, np.inf, 3.0, np.nan, 5.0], "b": [1.0, 2, 3, 4, 5]})
    data = dataset_from_frame(frame, fill_missing=True, drop_invalid=True)
    assert data.n == 4 and data.table["a"].tolist() == [1.0, 3.0, 3.0, 5.0]
    assert {c: rows.tolist() for c, rows in data.filled.items()} == {"a": [2]}
    # only the clustered columns are filled: an empty column that is not one stays as it is
    spare = dataset_from_frame(frame.assign(note=np.nan), fill_missing=True, drop_invalid=True,
                               feature_columns=["a", "b"])
    assert spare.table["note"].isna().all() and set(spare.filled) == {"a"}
    assert "fill_missing" not in RunConfig(data="demo:iris").to_dict()  # earlier keys kept
    with pytest.raises(InputError, match="fill_missing"):
        RunConfig(data="x.parquet", sample=1000, fill_missing=True).validate()


@pytest.mark.parametrize("name, payload", [
    ("random.csv", bytes(range(256)) * 20),  # was: "Error tokenizing data. C error: ..."
    ("random.txt", bytes(range(256)) * 20),  # was: clustered as 40 lines of "text"
    ("utf16.csv", "x,y\n1,2\n3,4\n".encode("utf-16-le")),  # UTF-16 without its mark
])
def test_binary_bytes_named_csv_or_txt_are_refused_as_not_text(name, payload, tmp_path,
                                                                capsys):
    msg = run_bad(tmp_path, capsys, write_bytes(tmp_path, name, payload))
    assert f"'{name}' holds binary data (NUL bytes), not text" in msg


def write_bytes(tmp_path, name, payload):
    path = tmp_path / name
    path.write_bytes(payload)
    return path
