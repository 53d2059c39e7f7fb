"""The spaces in which ``auto`` estimates a table's k by the prediction strength.

Up to :data:`clustering.kselect.K_SAMPLE_FROM` rows: the UMAPs of the features ``auto``
draws anyway (the baseline's and the vote's, :data:`clustering.auto.STRENGTH_UMAPS`). From
there: UMAPs of a seeded sample of :data:`clustering.kselect.K_SAMPLE_ROWS` rows, so that
the estimate reads the groups at the density a 5,000-row table shows them, whatever the
number of rows.

Why a sample: in the UMAP of all 50,000 rows the groups' overlaps fill in and touch, and the
prediction-strength curve flattens: k = 2, 5, 2, 2 and 6 for the 5, 2, 5, 3 and 6 groups of
``mixed-table``, ``skewed-table`` (tuning) and ``elongated-blobs``, ``arcs-nuisance``,
``aniso-blobs`` (held out, frozen in stop 81); in UMAPs of 5,000 sampled rows 2, 3, 4, 2 and
6 (mean absolute error 2.0 -> 1.2; within one 2 -> 4 of 5), for 6-7 s more (three UMAPs of
5,000 rows and their graph on 2 cores, against 117-169 s of ``auto`` at 50,000 rows;
``benchmarks/README.md``, stop 82). Whole runs without k: ``skewed-table`` ACC 0.345 ->
0.516, ``elongated-blobs`` 0.598 -> 0.880, the other three unchanged. Up to 10,000 rows
nothing changes. At 20,000 rows (stop 83) ``mixed-table`` got 5 for 5 (ACC 0.994) and
``elongated-blobs`` 2 for 5 (0.465), where 50,000 gave 2 and 4: not yet steady between the
sizes. On tables of counts (:data:`clustering.auto.STRENGTH_K_MODALITIES`) it was not
measured.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .auto_progress import K_UMAPS_SHARE
from .auto_views import standardise
from .kselect import K_SAMPLE_FROM, K_SAMPLE_ROWS

if TYPE_CHECKING:
    from .auto import _Run

__all__ = ["samples_for_k", "strength_spaces"]


def samples_for_k(run: _Run) -> bool:
    """Whether ``run`` estimates k in UMAPs of a sample (then its bar plans for them)."""
    from .auto import STRENGTH_K_MODALITIES

    return (run.k is None and run.modality in STRENGTH_K_MODALITIES
            and len(run.X) >= K_SAMPLE_FROM)


def strength_spaces(run: _Run, count: int) -> tuple[list[np.ndarray], str]:
    """``count`` standardised UMAPs in which :func:`.kselect.prediction_strength_k` reads k.

    Parameters
    ----------
    run : clustering.auto._Run
        The run (its features, neighbour graph, baseline UMAP, seed and progress).
    count : int
        How many UMAPs (:data:`clustering.auto.STRENGTH_UMAPS`).

    Returns
    -------
    spaces : list of ndarray
        The first is the one the curve is drawn in, the others are averaged in.
    where : str
        Where, for ``run.json``'s ``k_selection``.
    """
    from .projection import TINY

    if samples_for_k(run):
        from .clusterers import umap_space
        from .fit_on_sample import sample_rows
        from .projection import knn_graph

        rows = sample_rows(len(run.X), K_SAMPLE_ROWS, run.seed)
        X = run.X[rows]
        run.phase("candidates", 0.0, f"auto: estimating k in {len(rows):,} sampled rows")
        knn = knn_graph(X, n_neighbors=15, random_state=run.seed)
        dims, width = run.views["umap"].shape[1], K_UMAPS_SHARE / count
        spaces, seeds = [], [run.seed + 100 * i for i in range(count)]
        for i, seed in enumerate(seeds):
            message = (f"auto: estimating k, UMAP {i + 1}/{count} of {len(rows):,} sampled "
                       f"rows")
            run.phase("candidates", width * i, message)

            def report(f: float, msg: str, i: int = i, message: str = message) -> None:
                run.phase("candidates", width * (i + f), f"{message}, {msg}")

            Z = run.timed(f"k:umap seed {i + 1}",
                          lambda s=seed, report=report: umap_space(X, knn, s, dims, report))
            spaces.append(standardise(Z))
        run.vote_start = K_UMAPS_SHARE  # the vote's UMAPs fill the phase from here
        return spaces, (f"in {count} UMAPs of {len(rows):,} rows sampled from the "
                        f"{len(run.X):,} (seeds {', '.join(map(str, seeds))})")
    others = run.vote_spaces() if run.knn is not None else []
    spaces = [standardise(Z) for Z in (run.views["umap"], *others)]
    if not others:
        one = ("the UMAP of the features" if len(run.X) >= TINY else
               "the standardised features (too few rows for a UMAP)")
        return spaces, f"in {one}"
    names = ", ".join(str(run.seed + 100 * i) for i in range(len(spaces)))
    return spaces, f"in the {len(spaces)} UMAPs of the features (seeds {names})"
