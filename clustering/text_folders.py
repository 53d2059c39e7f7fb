"""A folder or ``.zip`` of text files (one document each) as a table of texts.

Reports, notes, abstracts or web pages are often kept one per file, sorted into sub-folders
by kind (as the 20 Newsgroups and BBC News collections are): each ``.txt``, ``.md``,
``.rst`` or ``.html`` file becomes one row (its path the id, its text the text clustered)
and the sub-folders are the ground truth when there are several. A folder holding any image
is read as images instead (:mod:`clustering.image_folders`).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from .errors import DROP_INVALID, InputError
from .folder_tables import FOLDER_LABEL, columns_beside, folder_labels, folder_table
from .images import is_image_member, is_image_path
from .load_notes import ENCODING_NAMES, skipped_files_note
from .safezip import checked_members, read_member
from .tables import LEGACY_ENCODINGS

__all__ = ["DOCUMENT_SUFFIXES", "TEXT_SUFFIXES", "folder_members",
           "load_text_folder", "reads_as_texts", "unread_documents"]

TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".rst", ".html", ".htm")
"""Files read as one text each (HTML as the words it shows)."""
DOCUMENT_SUFFIXES = (".pdf", ".docx", ".doc", ".odt", ".rtf", ".pages")
"""Documents clusterlab does not read (named in the message, with how to convert them)."""
_READ = "text files (.txt, .md, .rst, .html)"


def folder_members(path: Path) -> list[str]:
    """The files of a folder (links not followed) or a checked zip, in the order read.

    Paths are relative to the folder; hidden files (``.DS_Store``, ``__MACOSX/._x``) and
    those in hidden folders (``.git``) are left out.
    """
    if path.is_dir():
        every = sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink())
        names = [p.relative_to(path).as_posix() for p in every]
    else:
        names = [m.filename for m in checked_members(path)]
    return [n for n in names if not any(part.startswith(".") for part in Path(n).parts)]


def _is_text(name: str) -> bool:
    return Path(name).suffix.lower() in TEXT_SUFFIXES


def unread_documents(names: list[str]) -> list[str]:
    """The PDF, Word and other office documents among ``names``."""
    return [n for n in names if Path(n).suffix.lower() in DOCUMENT_SUFFIXES]


def reads_as_texts(path: Path) -> bool:
    """Whether a folder or zip holds text files and no image (then it is read as texts)."""
    names = folder_members(path)
    if not any(_is_text(n) for n in names):
        return False
    if path.is_dir():
        return not any(is_image_path(path / n) for n in names)
    with zipfile.ZipFile(path) as zf:
        members = {m.filename: m for m in zf.infolist()}
        return not any(is_image_member(zf, members[n]) for n in names)


def _decoded(blob: bytes) -> tuple[str, str | None]:
    """The text of a file and the legacy encoding it was read in (None for UTF-8/16)."""
    if blob.startswith((b"\xff\xfe", b"\xfe\xff")):  # Notepad's "Unicode"
        return blob.decode("utf-16", errors="replace"), None
    try:
        return blob.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    for encoding in LEGACY_ENCODINGS:
        try:
            return blob.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("Latin-1 decodes any byte")  # pragma: no cover


def _blobs(path: Path, names: list[str]) -> list[bytes]:
    if path.is_dir():
        return [(path / n).read_bytes() for n in names]
    members = {m.filename: m for m in checked_members(path)}
    with zipfile.ZipFile(path) as zf:
        return [read_member(zf, members[n]) for n in names]


def load_text_folder(path: Path, drop_invalid: bool = False, label_column: str | None = None
                     ) -> tuple[pd.DataFrame, list[str]]:
    """The text files of a folder or zip as a table, and notes on how it was read.

    Parameters
    ----------
    path : Path
        The folder or zip (checked before anything is read).
    drop_invalid : bool
        Leave out empty files instead of refusing.
    label_column : str, optional
        A column of a table beside the files that is their ground truth
        (:mod:`clustering.folder_tables`); else their sub-folders.

    Returns
    -------
    DataFrame
        Columns ``file`` (the path inside the folder), the ground truth (``folder``, the
        sub-folder, when the files lie in several; or the label column) and ``text``.
    list of str
        Notes: how many files were read, files skipped, encodings assumed.

    Raises
    ------
    InputError
        When it holds no text file, or some are empty (unless ``drop_invalid``).
    """
    every = folder_members(path)
    names = [n for n in every if _is_text(n)]
    if not names:
        documents = unread_documents(every)
        found = (f" but {len(documents):,} PDF/Word document(s) ('{documents[0]}'); save each "
                 "as a .txt file" if documents else "; add them")
        raise InputError(f"'{path.name}' holds no {_READ}{found} and load it again.")
    texts, legacy = [], {}
    for name, blob in zip(names, _blobs(path, names), strict=True):
        text, encoding = _decoded(blob)
        texts.append(text)
        if encoding:
            legacy.setdefault(encoding, []).append(name)
    notes = []
    empty = [i for i, t in enumerate(texts) if not t.strip()]
    if empty:
        shown = ", ".join(f"'{names[i]}'" for i in empty[:3]) + (
            " and more" if len(empty) > 3 else "")
        if not drop_invalid:
            raise InputError(f"{len(empty):,} text file(s) of '{path.name}' are empty ({shown});"
                             f" delete them or leave them out ({DROP_INVALID}).")
        notes.append(f"Left out {len(empty):,} empty text file(s) of '{path.name}' ({shown}).")
        if len(empty) == len(names):
            raise InputError(f"Every text file of '{path.name}' is empty; there is nothing to "
                             "cluster.")
    kept = sorted(set(range(len(names))) - set(empty))
    files = [names[i] for i in kept]
    frame = pd.DataFrame({"file": files})
    labels = folder_labels(files)
    beside = folder_table(path, every, files, label_column)
    if beside.labels is not None:
        frame[label_column] = beside.labels
    elif labels is not None:
        frame[FOLDER_LABEL] = labels
    meta = columns_beside(beside.columns, [*frame.columns, "text"])
    if meta is not None:  # kept for colouring, search and export
        frame = pd.concat([frame, meta], axis=1)
    frame["text"] = [texts[i] for i in kept]
    given = beside.labels
    groups = (f"; their sub-folders ({len(set(labels)):,}) are the ground truth ('folder')"
              if labels is not None and given is None else "")
    notes.insert(0, f"Read {len(files):,} text file(s) of '{path.name}' as one text each"
                 f"{groups}.")
    for encoding, which in legacy.items():
        notes.append(f"{len(which):,} text file(s) of '{path.name}' are not UTF-8 ("
                     f"'{which[0]}'{', ...' if len(which) > 1 else ''}); read as "
                     f"{ENCODING_NAMES[encoding]}. If accented letters look wrong, save them "
                     "as UTF-8.")
    notes += [*beside.notes, *skipped_files_note(path.name, every, [*names, beside.table],
                                                 read=_READ, advice="save documents as .txt")]
    return frame, notes

