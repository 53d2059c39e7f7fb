"""Read large or image inputs in a separate, memory-capped process, not the app server.

An upload may be up to 1 GiB, and an image zip of a few kilobytes can declare gigapixels:
parsed inside the Streamlit server, either could take the memory every session shares. So
the app reads such inputs through :func:`load_isolated`: a fresh process (``spawn``, no state
shared with the server) with an address-space cap reads the file and hands back the
:class:`~clustering.dataset.Dataset`; if it runs out of memory or dies, the user gets one
sentence and the server is untouched. Small tables are read in-process (a new process costs
about a second).

On Linux the reading processes are forked from a *reader server* (``multiprocessing``'s
forkserver: a fresh process, started once, with the readers' modules imported and nothing of
the app's state), so each read no longer pays for starting Python and importing pandas:
a million-row Parquet table came back in about 1 s instead of about 3 s. ``clusterlab app``
starts the reader server before the app listens (:func:`start_reader_server`).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from clustering.dataset import Dataset
from clustering.errors import InputError
from clustering.loaders import load_data

from .bare_main import bare_main_module

log = logging.getLogger(__name__)

__all__ = ["ISOLATE_FROM_BYTES", "load_isolated", "memory_cap", "needs_isolation",
           "start_reader_server"]

ISOLATE_FROM_BYTES = 32 * 2**20
"""Files at least this large (and every image folder or zip) are read in a separate process."""


def memory_cap() -> int:
    """Bytes of address space the reading process may use: ``$CLUSTERLAB_READ_MEMORY``
    (MiB), else half of this machine's memory, at least 4 GiB."""
    if os.environ.get("CLUSTERLAB_READ_MEMORY"):
        return int(os.environ["CLUSTERLAB_READ_MEMORY"]) * 2**20
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return max(4 * 2**30, total // 2)


def needs_isolation(source: str) -> bool:
    """Image folders and zips, and files of :data:`ISOLATE_FROM_BYTES` or more."""
    if source.startswith("demo:"):
        return False
    path = Path(source)
    if path.is_dir() or path.suffix.lower() == ".zip":
        return True
    return path.is_file() and path.stat().st_size >= ISOLATE_FROM_BYTES


_READER_MODULES = ["clustering.loaders"]


def _context():
    """The reading processes' start method: forked from the reader server where there is
    one (Linux), else spawned."""
    from multiprocessing import get_all_start_methods, get_context

    if "forkserver" not in get_all_start_methods():
        return get_context("spawn")
    context = get_context("forkserver")
    context.set_forkserver_preload(_READER_MODULES)
    return context


def start_reader_server() -> None:
    """Start the reader server now (it imports the readers' modules), not at the first read."""
    context = _context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        with bare_main_module():
            forkserver.ensure_running()


def _cap_memory(limit: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: the reading process runs without a cap
        log.warning("no memory cap for the reading process on this system")
        return
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def load_isolated(source: str, kind: str = "auto", **options) -> Dataset:
    """:func:`~clustering.loaders.load_data`, in a separate memory-capped process when
    :func:`needs_isolation` says so.

    Raises
    ------
    InputError
        The reader's own sentence for bad input, or one saying the input needed more
        memory than :func:`memory_cap` allows.
    """
    if not needs_isolation(source):
        return load_data(source, kind, **options)
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    limit = memory_cap()
    name = Path(source).name
    with ProcessPoolExecutor(1, mp_context=_context(), initializer=_cap_memory,
                             initargs=(limit,)) as pool:
        try:
            with bare_main_module():  # the process starts in submit()
                future = pool.submit(load_data, source, kind, **options)
            return future.result()
        except (MemoryError, BrokenProcessPool) as exc:
            log.warning("reading %s failed in its process: %r", source, exc)
            raise InputError(f"Reading '{name}' needed more than {limit / 2**30:,.1f} GiB of "
                             "memory; use fewer or smaller images (or rows), or raise "
                             "CLUSTERLAB_READ_MEMORY (MiB).") from None
