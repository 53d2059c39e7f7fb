"""Check a zip archive before reading anything out of it (no extraction to disk)."""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import InputError

__all__ = ["ZipLimits", "checked_members", "read_member"]


@dataclass(frozen=True)
class ZipLimits:
    """Caps applied to an archive before any member is read."""

    max_entries: int = 50_000
    max_total_bytes: int = 2 * 1024**3
    max_entry_bytes: int = 256 * 1024**2
    max_ratio: float = 200.0
    ratio_floor_bytes: int = 1024**2


ARCHIVE_SUFFIXES = (".zip", ".tar", ".tgz", ".tar.gz", ".gz", ".bz2", ".xz", ".7z", ".rar")
"""Entries refused inside an archive: nested archives are never opened."""


def checked_members(path: Path, limits: ZipLimits = ZipLimits(),
                    gzipped: frozenset[str] | set[str] = frozenset()) -> list[zipfile.ZipInfo]:
    """Return the file members of a zip after checking every entry.

    Refuses archives with absolute paths, ``..`` components, drive letters, symlinks,
    too many entries, too many bytes declared, or an entry that expands more than
    ``max_ratio`` times. Nothing is extracted.

    Parameters
    ----------
    path : Path
        The zip file.
    limits : ZipLimits
        The caps.
    gzipped : set of str
        Members ending in ``.gz`` that the caller unpacks itself under the same caps (a 10x
        matrix's files); every other archive inside is refused.

    Returns
    -------
    list of ZipInfo
        Regular-file members, directories left out, in archive order.
    """
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"'{path.name}' is not a readable zip archive ({exc}); "
                         "re-create it with a standard zip tool.") from None
    with zf:
        infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise InputError(f"'{path.name}' holds {len(infos):,} entries, over the limit of "
                         f"{limits.max_entries:,}; split it into smaller archives.")
    total = 0
    files = []
    for info in infos:
        _check_name(path, info)
        if info.is_dir():
            continue
        total += info.file_size
        if info.file_size > limits.max_entry_bytes:
            raise InputError(f"'{path.name}': entry '{info.filename}' would expand to "
                             f"{info.file_size:,} bytes, over the {limits.max_entry_bytes:,}-byte "
                             "limit per file; remove it from the archive.")
        if info.filename.lower().endswith(ARCHIVE_SUFFIXES) and info.filename not in gzipped:
            raise InputError(f"'{path.name}' holds another archive ('{info.filename}'), which "
                             "is not opened; unpack it and put its files in the one archive.")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
            raise InputError(f"'{path.name}': entry '{info.filename}' expands {ratio:,.0f} times "
                             "(a possible zip bomb); refused. Remove that entry.")
        files.append(info)
    if total > limits.max_total_bytes:
        raise InputError(f"'{path.name}' would expand to {total:,} bytes, over the limit of "
                         f"{limits.max_total_bytes:,}; split it into smaller archives.")
    return files


def _check_name(path: Path, info: zipfile.ZipInfo) -> None:
    name = info.filename
    pure = PurePosixPath(name.replace("\\", "/"))
    mode = info.external_attr >> 16
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise InputError(f"'{path.name}' contains an entry with an absolute path ('{name}'); "
                         "refused. Re-create the archive with relative paths.")
    if ".." in pure.parts:
        raise InputError(f"'{path.name}' contains an entry that points outside the archive "
                         f"('{name}'); refused. Re-create the archive without '..' in names.")
    if stat.S_ISLNK(mode):
        raise InputError(f"'{path.name}' contains a symbolic link ('{name}'); refused. "
                         "Re-create the archive with the real files.")


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Read one checked member, never more bytes than it declares.

    Parameters
    ----------
    zf : ZipFile
        The open archive.
    info : ZipInfo
        A member returned by :func:`checked_members`.

    Returns
    -------
    bytes
    """
    with zf.open(info) as handle:
        data = handle.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise InputError(f"Entry '{info.filename}' holds more data than it declares; "
                         "the archive is damaged or hostile and was refused.")
    return data
