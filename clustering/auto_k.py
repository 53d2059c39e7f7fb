"""The spaces in which ``auto`` estimates k.

A table's by the prediction strength (:func:`strength_spaces`), a learned view's by the
plateau (:func:`plateau_space`).

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
sizes. Tables of counts read their k from the communities of their neighbour graph since
stop 85 (:data:`clustering.auto.COMMUNITY_K_MODALITIES`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .auto_progress import K_UMAPS_SHARE
from .auto_views import standardise
from .kselect import K_SAMPLE_FROM, K_SAMPLE_ROWS

if TYPE_CHECKING:
    from .auto import _Run

__all__ = ["K_IN_VIEW", "plateau_space", "samples_for_k", "strength_spaces"]

K_IN_VIEW = ("series",)
"""Learned views whose k is read in the view itself, not in its UMAP, from
:data:`clustering.kselect.K_SAMPLE_FROM` rows (:func:`plateau_space`). At 20,000 and 50,000
rows the UMAP of the signal view breaks a kind into pieces that k-means counts as groups.
Views trained as ``auto`` trains them, seed 0, k by the plateau in the UMAP (as before) /
in the view itself; tuning and seen sets (stop 83): ``waveforms`` 8 / 3 and 5 / 3 for 4,
``cbf`` 4 / 4 and 3 / 3 for 3 (total error 6 / 3). Then a batch frozen before it was read
(stop 84, ``benchmarks/README.md``): ``heartbeats`` 6 / 2 and 2 / 4 for 5, ``spectra`` 6 / 5
and 5 / 8 for 4, ``seasonal-loads`` 8 / 2 and 6 / 2 for 2 (total error 17 / 9; the argmax
in the UMAP, the other reading tried, 11). Whole runs without k on those six: mean ACC
0.596 -> 0.734, but ``heartbeats-20000`` 0.538 -> 0.406 (2 for 5) and ``spectra-50000``
0.752 -> 0.471 (9 for 4); seed 1 too, mean 0.601 -> 0.729, ``heartbeats`` 2 for 5 at both
sizes (0.601 -> 0.406, 0.751 -> 0.401). The tuning and seen signal sets of 20,000 and 50,000 rows:
``cbf`` got its 3 at both sizes (ACC 0.999), ``waveforms`` 3 for 4 (8 and 5 before; ACC
0.557 -> 0.742 and 0.691 -> 0.745), ``control-charts`` 7 for 6 (15 and 15 before; ACC
0.536 -> 0.937 and 0.489 -> 0.941), ``vibrations`` 4 for 5 (4 and 6 before). Images are
not in it: their fine-tuned view has 1,280 dimensions, and no large image set was studied."""


def plateau_space(run: _Run, where: str) -> tuple[np.ndarray, str]:
    """Where :func:`clustering.neighbour_kappa.plateau_k` reads the k of learned view ``where``.

    Parameters
    ----------
    run : clustering.auto._Run
        With ``where`` and ``where + "-umap"`` in its views.
    where : str
        The learned view.

    Returns
    -------
    Z : ndarray
        The view itself from :data:`clustering.kselect.K_SAMPLE_FROM` rows when it is in
        :data:`K_IN_VIEW`, else its UMAP.
    place : str
        Where, for ``run.json``'s ``k_selection``.
    """
    if where in K_IN_VIEW and len(run.X) >= K_SAMPLE_FROM:
        return np.ascontiguousarray(run.views[where], dtype=np.float32), f"the {where} view"
    return run.views[f"{where}-umap"], f"the UMAP of the {where} view"


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
