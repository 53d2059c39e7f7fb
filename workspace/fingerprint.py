"""Content hashes: of the input data, of the code, and of a run request."""

from __future__ import annotations

import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path

__all__ = ["code_version", "data_fingerprint", "package_versions", "partition_fingerprint",
           "partitioned_data_hash", "run_key"]

_PACKAGES = ("clusterlab", "numpy", "scipy", "pandas", "scikit-learn", "umap-learn", "hdbscan",
             "pynndescent", "numba", "llvmlite", "torch", "pyarrow", "streamlit")
"""numba and llvmlite are listed because UMAP's layouts (and so every UMAP-based result) are
reproducible on one machine and install but not across them: stop 32's quality run, same code
and seeds, changed the peer's UMAP-5 + k-means ACC on 45 of 69 runs (``benchmarks/README.md``)."""


def data_fingerprint(source: str) -> str:
    """sha256 of the input: file bytes, every file of a folder, or the demo's name+version.

    Parameters
    ----------
    source : str
        A path or ``demo:NAME``.

    Returns
    -------
    str
        Hex digest.
    """
    digest = hashlib.sha256()
    if source.startswith("demo:"):
        digest.update(f"{source}|sklearn={_version('scikit-learn')}".encode())
        return digest.hexdigest()
    path = Path(source)
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        with open(file, "rb") as handle:
            for block in iter(lambda h=handle: h.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def partitioned_data_hash(source: str) -> str:
    """The data hash of a partitioned run's input.

    A CSV is hashed whole (it is read whole to be rewritten as Parquet,
    :mod:`clustering.csv_parquet`); other inputs by their chunks' metadata
    (:func:`partition_fingerprint`).
    """
    from clustering.chunks import plan_chunks
    from clustering.csv_parquet import is_csv_source

    if is_csv_source(source):
        return data_fingerprint(source)
    return partition_fingerprint(plan_chunks(source))


def partition_fingerprint(chunks: list) -> str:
    """sha256 over the input's files: names, sizes and Parquet footers (or .npy headers).

    Hashing every byte of tens of millions of rows would take longer than the run; the
    footers hold row counts, per-column statistics and sizes of every row group.
    """
    import hashlib

    digest = hashlib.sha256()
    seen = set()
    for chunk in chunks:
        for path in ([Path(chunk.path, f) for f in chunk.files] if chunk.files
                     else [Path(chunk.path)]):
            if path in seen:
                continue
            seen.add(path)
            digest.update(f"{path.name}|{path.stat().st_size}|".encode())
            if chunk.kind == "parquet":
                import pyarrow.parquet as pq

                meta = pq.ParquetFile(path).metadata.to_dict()
                digest.update(json.dumps(meta, sort_keys=True, default=str).encode())
            else:
                with open(path, "rb") as handle:
                    digest.update(handle.read(1 << 16))
    return digest.hexdigest()


def code_version() -> str:
    """Package version plus :data:`~clustering.version.PIPELINE_VERSION`: what decides
    whether a stored run's results are still those the code would compute."""
    from clustering.version import PIPELINE_VERSION, __version__

    return f"{__version__}+pipeline{PIPELINE_VERSION}"


def run_key(config: dict, data_hash: str) -> str:
    """Key of a run: hash of data, config and code version (first 20 hex digits).

    A run that estimates k (no ``clusters``) also hashes
    :data:`~clustering.version.K_ESTIMATE_VERSION`.
    """
    from clustering.version import K_ESTIMATE_VERSION

    code = code_version()
    if config.get("clusters") is None:
        code += f"+k{K_ESTIMATE_VERSION}"
    payload = json.dumps({"data": data_hash, "config": config, "code": code}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str | None:
    """The CPU's model name from ``/proc/cpuinfo`` (Linux), else ``platform.processor()``."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            for line in info:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def package_versions() -> dict[str, str | None]:
    """Installed versions of the packages that shape a result, plus Python's and the machine's
    (architecture and CPU model: float results of numba-compiled code can differ by CPU)."""
    out = {name: _version(name) for name in _PACKAGES}
    out["python"] = platform.python_version()
    out["machine"] = f"{platform.machine()}, {_cpu_model() or 'CPU model unknown'}"
    out["code"] = code_version()
    return out
