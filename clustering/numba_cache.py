"""Keep umap-learn's numba compilation on disk, so that only the first UMAP ever compiles.

umap-learn compiles its k-NN, fuzzy-graph and layout functions with numba on first use in
every process and, unlike pynndescent, does not cache them: on 2 cores the first UMAP of
``demo:digits`` in a process took 18.6 s and the second 6.7 s. With numba's on-disk cache
enabled for those functions the first UMAP of every later process took 6.4 s (the run that
fills the cache still compiles). Every ``clusterlab run``, job worker and app start is a new
process, so each saved about 12 s of every run's wall time.

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
