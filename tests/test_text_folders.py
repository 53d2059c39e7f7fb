"""A folder or zip of text files, one document each, read, run, predicted and exported."""

import json
import zipfile

import pandas as pd
import pytest

from clustering.errors import InputError
from clustering.loaders import load_data
from workspace.cli import main

PETS = ["My cat sleeps on the warm sofa all afternoon.", "The puppy chewed my slippers again.",
        "Our kitten chases the red ball around the kitchen.", "The old dog loves long walks.",
        "I brushed the cat's fur and it purred happily.", "Feed the hamster fresh carrots.",
        "The vet said the dog needs a new collar.", "Two cats napped together in the sun.",
        "The parrot learned to whistle a tune.", "Walking the dog in the park at dawn.",
        "The kitten climbed the curtains and meowed.", "Our rabbit hops around the garden."]
SPACE = ["The rocket launched into orbit at midnight.", "Astronauts repaired the space station.",
         "The telescope photographed a distant galaxy.", "Mars rovers drill into red rock.",
         "The satellite's solar panels unfolded in orbit.", "A comet passed close to Jupiter.",
         "The lunar lander touched down near the crater.", "Engineers fuelled the booster.",
         "Stars form inside clouds of gas and dust.", "The probe sent images of Saturn's rings.",
         "The spacecraft docked with the orbital lab.", "Nebulae glow across the night sky."]


def _folder(root, encodings=False):
    """24 short texts in two sub-folders, with files that are not texts beside them."""
    for topic, texts in (("pets", PETS), ("space", SPACE)):
        (root / topic).mkdir(parents=True)
        for i, text in enumerate(texts):
            (root / topic / f"{i:02d}.txt").write_text(text, encoding="utf-8")
    (root / "README.pdf").write_bytes(b"%PDF-1.4")
    (root / ".DS_Store").write_bytes(b"\0\0")
    if encodings:  # Excel/Notepad on Windows: code page 1252, and "Unicode" (UTF-16)
        (root / "pets" / "12.txt").write_bytes("Le chat adoré dort au soleil.".encode("cp1252"))
        (root / "space" / "12.md").write_bytes("# Orbit\nThe café on the station.".encode(
            "utf-16"))
    return root


def _zipped(folder, path):
    with zipfile.ZipFile(path, "w") as zf:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                zf.write(file, f"docs/{file.relative_to(folder).as_posix()}")
    return path


def test_a_folder_of_text_files_is_read_one_text_each_with_its_sub_folders_as_truth(tmp_path):
    """A folder of documents was "holds no PNG, JPEG, ... image; add images and retry"."""
    folder = _folder(tmp_path / "docs", encodings=True)
    data = load_data(folder)
    assert data.modality == "text" and data.n == 26 and data.label_name == "folder"
    assert list(data.ids[:2]) == ["pets/00.txt", "pets/01.txt"]
    assert data.texts[12] == "Le chat adoré dort au soleil."
    assert data.texts[25] == "# Orbit\nThe café on the station."
    assert list(data.labels).count("pets") == 13 and set(data.labels) == {"pets", "space"}
    notes = " ".join(data.notes)
    assert "Read 26 text file(s) of 'docs' as one text each; their sub-folders (2)" in notes
    assert "1 text file(s) of 'docs' are not UTF-8 ('pets/12.txt'); read as Windows-1252" in notes
    assert "not text files (.txt, .md, .rst, .html) ('README.pdf')" in notes
    assert ".DS_Store" not in notes
    zipped = load_data(_zipped(folder, tmp_path / "docs.zip"))
    assert zipped.texts == data.texts and list(zipped.ids[:1]) == ["docs/pets/00.txt"]


def test_images_beside_texts_make_an_image_folder_and_empty_or_only_pdf_folders_say_why(
        tmp_path):
    import numpy as np
    from PIL import Image

    folder = _folder(tmp_path / "mixed")
    for i in range(3):
        Image.fromarray(np.full((8, 8), i * 80, np.uint8)).save(folder / f"scan{i}.png")
    data = load_data(folder)
    assert data.modality == "images" and data.n == 3
    assert load_data(folder, kind="text").n == 24  # asked for, the texts are read
    with pytest.raises(InputError, match="read as images or as text files, not as table"):
        load_data(folder, kind="table")
    (folder / "pets" / "13.txt").write_text("  \n")
    with pytest.raises(InputError, match=r"1 text file\(s\) of 'mixed' are empty \('pets/13"):
        load_data(folder, kind="text")
    kept = load_data(folder, kind="text", drop_invalid=True)
    assert kept.n == 24 and any("Left out 1 empty text file(s)" in n for n in kept.notes)
    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    (pdfs / "report.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(InputError, match=r"1 PDF/Word document\(s\) \('report.pdf'\); save each"
                                         " as a .txt file"):
        load_data(pdfs)


def test_a_run_on_a_zip_of_texts_is_measured_predicted_and_exported_as_its_files(
        tmp_path, isolated_store, capsys):
    folder = _folder(tmp_path / "docs", encodings=True)
    source = _zipped(folder, tmp_path / "docs.zip")
    out = tmp_path / "run"
    assert main(["run", "--data", str(source), "--method", "kmeans", "--clusters", "2",
                 "--out", str(out)]) == 0
    assert "Read 26 text file(s) of 'docs.zip'" in capsys.readouterr().out
    run = json.loads((out / "run.json").read_text())
    assert run["metrics"]["acc"] >= 0.9  # 2 topics, 26 files; measured against the folders
    assert main(["predict", "--run", str(out), "--data", str(source),
                 "--out", str(tmp_path / "p.csv")]) == 0
    predicted = pd.read_csv(tmp_path / "p.csv").set_index("id")["cluster"]
    assigned = pd.read_parquet(out / "assignments.parquet").set_index("id")["cluster"]
    assert (predicted.loc[assigned.index] == assigned).mean() >= 0.95
    assert main(["export", "--run", str(out), "--format", "imagefolder",
                 "--out", str(tmp_path / "e.zip")]) == 0
    with zipfile.ZipFile(tmp_path / "e.zip") as zf:
        names = zf.namelist()
        manifest = pd.read_csv(zf.open("manifest.csv"))
        files = {n: zf.read(n) for n in names if n.endswith((".txt", ".md"))}
    assert len(files) == len(manifest) == 26 and "provenance.json" in names
    # each document is the file it was read from, byte for byte (its encoding kept)
    assert "Le chat adoré".encode("cp1252") in b"".join(files.values())
    assert {n.split("/")[0] for n in files} == {"cluster 0", "cluster 1"}


def test_the_data_page_reads_an_uploaded_zip_of_text_files(tmp_path):
    from helpers import no_errors, shown, start_app

    source = _zipped(_folder(tmp_path / "docs"), tmp_path / "docs.zip")
    at = start_app()
    at.switch_page("app_pages/data.py").run()
    at.file_uploader(key="uploader").upload("docs.zip", source.read_bytes(), "application/zip")
    at.run()
    no_errors(at)
    assert any("Read 24 texts" in shown(s.value) for s in at.success), at.success
    assert not [s for s in at.select_slider if s.key == "image_size"]  # texts have no size


def test_a_sampled_run_of_a_text_folder_says_it_is_read_whole(tmp_path, isolated_store, capsys):
    """It said the folder "holds no Parquet file and no PNG, JPEG, ... image"."""
    folder = _folder(tmp_path / "docs")
    assert main(["run", "--data", str(folder), "--sample", "100", "--clusters", "2",
                 "--out", str(tmp_path / "o")]) == 2
    assert "'docs' is a folder of text files, which is read whole, not in chunks: leave out " \
           "--sample" in capsys.readouterr().err
