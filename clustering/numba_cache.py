"""Keep umap-learn's numba compilation on disk, so that only the first UMAP ever compiles.

umap-learn compiles its fuzzy-graph and layout functions with numba on first use in every
process and, unlike pynndescent, does not cache them. On 2 cores, ``umap.UMAP`` of
``demo:digits``: first call in a process 18.6 s, second 6.7 s; with numba's disk cache on for
those functions, the first call of every later process 6.4 s (the process that fills the
cache still compiles). ``clusterlab run --data demo:digits --method umap-kmeans`` (two UMAPs):
14.7 s -> 8.3 s; ``auto`` on ``demo:digits``: its baseline UMAP 14.8 s -> 4.5 s. Every
``clusterlab run``, job worker and app start is a new process.

The cache lies where numba puts it: beside umap-learn's sources (``__pycache__``) when that
folder is writable, else in the user's cache folder (``NUMBA_CACHE_DIR`` moves it). numba
keys it on the source file and the CPU, and writes it atomically, so parallel processes and
upgrades are safe.
"""

from __future__ import annotations

import logging

__all__ = ["cache_umap_compilation"]

log = logging.getLogger(__name__)

_UMAP_MODULES = ("umap.umap_", "umap.utils", "umap.layouts", "umap.distances", "umap.spectral",
                 "umap.sparse")
_done = False


def cache_umap_compilation() -> int:
    """Turn numba's disk cache on for umap-learn's compiled functions (once per process).

    Returns
    -------
    int
        How many functions were switched to caching by this call (0 after the first).
    """
    global _done
    if _done:
        return 0
    _done = True
    import importlib

    from numba.core.caching import NullCache
    from numba.core.registry import CPUDispatcher

    switched = 0
    for name in _UMAP_MODULES:
        for obj in vars(importlib.import_module(name)).values():
            if isinstance(obj, CPUDispatcher) and isinstance(obj._cache, NullCache):
                try:
                    obj.enable_caching()
                except RuntimeError as err:  # no writable place for the cache
                    log.info("numba cache not used for umap-learn: %s", err)
                    return switched
                switched += 1
    log.debug("numba disk cache on for %d umap-learn functions", switched)
    return switched
