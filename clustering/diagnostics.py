"""Concerns about a finished run, each with the fix to offer.

A default that fails says so: HDBSCAN leaving a fifth of the points as noise, a density
method splitting a few groups into many small clusters, or an automatically chosen k that
another k fits almost as well. Each concern names what is wrong in one sentence and the
run settings that would address it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Concern", "run_concerns"]

HIGH_NOISE = 0.15
"""A share of noise points above which the run says so."""
SMALL_CLUSTER = 0.02
"""A cluster holding less than this share of the points counts as small."""
K_CLOSE = 0.1
"""Another k whose silhouette is within this share of the best one's makes k uncertain."""
KAPPA_CLOSE = 0.03
"""``auto`` took k as the largest k whose per-cluster kappa is within 0.02 of the best; when
k + 1 falls less than this below the best, the groups may be one more and the run says so
(tuning half, seed 0: ``waveforms`` 1.000 -> 0.972 at its 4 groups, where ``auto`` took 3).
Not lower than the drop past clean groups: the journeys' four cell types 1.00 -> 0.96 at
k = 5, ``small-blobs`` 0.983 -> 0.794 (at 0.05 the cell types were said to be uncertain)."""
AUTO_CLOSE = 0.01
"""``auto``'s winner scoring less than this above the runner-up is a close call: one
candidate's score moves by about 0.01 between seeds (stop 12)."""
AUTO_CLOSE_ROWS = 0.4
"""On n rows the criterion, a mean over rows, is noisier: a winner less than
``AUTO_CLOSE_ROWS / sqrt(n)`` (when that is more than :data:`AUTO_CLOSE`) above a runner-up
it disagrees with is a close call too (0.040 at 100 rows, 0.017 at 569, 0.01 from 1,600 up).
Stop 38, the quality suite's 246 recorded runs (82 sets, seeds 0-2, k given;
``results/quality_suite.json``): with :data:`AUTO_CLOSE` alone the concern held on 45 runs,
where the runner-up had the higher ACC on 22 and the lower on 21; with this margin on 68,
higher on 32 and lower on 29 (0.8 / sqrt(n): 78 runs, 32 and 37). The 23 runs it adds are
as much a coin toss as the 45."""
AUTO_DISAGREE = 0.8
"""... and when the two also agree less than this (adjusted Rand index), the run says so. In
stop 32's quality run (29 sets, 3 seeds, k given) both held on 19 of 87 runs, and the
runner-up had the higher ACC on 10 of those 19 (``iris``, ``tool-docs``, ``package-docs``
seed 2, ``letters``, ``numerals``, ``science-docs``, ``stdlib-docs``): a coin toss the user
should see."""
DENSITY_METHODS = ("hdbscan", "umap-hdbscan")
IMAGE_K_RECORD = "right on 1 of 11 runs of the image benchmarks, off by 1-5 on the others"
"""How often ``auto``'s k of images was right (stop 61, ``benchmarks/README.md``, *auto
without k*: ``digits`` 9 / 11 / 11 for 10, ``shapes`` 5 / 5 / 4 for 4, ``numerals`` 4 / 3 /
3 for 8, ``digits-transformed`` 7 for 10, ``colour-patterns`` 5 for 4)."""


@dataclass(frozen=True)
class Concern:
    """One problem with a run and what to run instead.

    Parameters
    ----------
    message : str
        One sentence: what is wrong and why.
    fix : dict
        ``RunConfig`` fields to change for the fix.
    fix_label : str
        The fix as a button would say it.
    """

    message: str
    fix: dict = field(default_factory=dict)
    fix_label: str = ""


def run_concerns(run: dict, sizes: np.ndarray | None = None) -> list[Concern]:
    """What may be wrong with a finished run (empty when nothing is).

    Parameters
    ----------
    run : dict
        The run's ``run.json``.
    sizes : ndarray of int, optional
        Points per cluster (noise left out), for the many-small-clusters check.

    Returns
    -------
    list of Concern

    Examples
    --------
    >>> run = {"config": {"method": "hdbscan", "clusters": None},
    ...        "metrics": {"noise_share": 0.83, "n_clusters": 3}, "fit_info": {}}
    >>> run_concerns(run)[0].fix
    {'method': 'auto'}
    """
    config, metrics = run.get("config", {}), run.get("metrics") or {}
    method = config.get("method", "")
    info = run.get("fit_info") or {}
    other = {"method": "auto"} if method != "auto" else {"method": "umap-kmeans"}
    out = []
    noise = float(metrics.get("noise_share") or 0.0)
    if noise >= HIGH_NOISE:
        out.append(Concern(
            f"{noise:.0%} of the points are noise (in no cluster): {method} keeps only the "
            "dense cores of groups here. A method that places every point, or a smaller "
            "minimum cluster size, keeps them.",
            other, f"Run {other['method']} (every point in a cluster)"))
    if method in DENSITY_METHODS and sizes is not None and len(sizes) > 8:
        small = int((np.asarray(sizes) < SMALL_CLUSTER * np.sum(sizes)).sum())
        if small >= 0.3 * len(sizes):
            out.append(Concern(
                f"{method} found {len(sizes)} clusters, {small} of them holding under "
                f"{SMALL_CLUSTER:.0%} of the points each: density methods split groups "
                "whose density varies. A method that estimates k, or a larger minimum "
                "cluster size, gives fewer, whole groups.",
                other, f"Run {other['method']} (k estimated)"))
    scores = {int(k): float(v) for k, v in (info.get("k_scores") or {}).items()}
    if not config.get("clusters") and len(scores) > 1:
        best = max(scores, key=scores.get)
        close = [k for k, v in scores.items()
                 if k != best and v >= scores[best] - K_CLOSE * abs(scores[best])]
        if close:
            runner = max(close, key=scores.get)
            out.append(Concern(
                f"k={best} was chosen automatically, but k={runner} fits almost as well "
                f"(silhouette {scores[best]:.2f} against {scores[runner]:.2f}), so the "
                "number of groups is uncertain: if you know how many to expect, set it.",
                {"clusters": runner}, f"Run with k={runner}"))
    out.extend(_close_call_concern(info, (run.get("data") or {}).get("rows")
                                   or metrics.get("rows")))
    out.extend(_community_concern(config, info, metrics))
    plateau = _plateau_concern(config, info, metrics)
    out.extend(plateau or _image_k_concern(run, info, metrics))
    return out


def _close_call_concern(info: dict, rows: int | None = None) -> list[Concern]:
    """The concern when ``auto``'s winner barely beat a runner-up that clusters differently.

    ``rows``: rows clustered; on few rows "barely" is wider (:data:`AUTO_CLOSE_ROWS`).
    """
    choice = info.get("auto") or {}
    scores, winner = choice.get("scores") or {}, choice.get("winner")
    runner, agreement = choice.get("runner_up"), choice.get("runner_up_ari")
    if winner not in scores or runner not in scores or agreement is None:
        return []
    close = max(AUTO_CLOSE, AUTO_CLOSE_ROWS / np.sqrt(rows)) if rows else AUTO_CLOSE
    if scores[winner] - scores[runner] >= close or agreement >= AUTO_DISAGREE:
        return []
    column = (f"'alternative {choice['alternatives'].index(runner) + 1}'"
              if runner in choice.get("alternatives", []) else "the alternatives")
    noise = (f"scores move by about {AUTO_CLOSE} between seeds" if close == AUTO_CLOSE else
             f"on {rows:,} rows scores less than {close:.3f} apart do not tell which is right")
    return [Concern(
        f"auto's choice was close: {winner} kept nearest neighbours together barely better "
        f"than {runner} (score {scores[winner]:.3f} against {scores[runner]:.3f}; {noise}), "
        f"and the two agree only partly (adjusted Rand index {agreement:.2f}): colour the map "
        f"by {column} on the Explore page to compare them before you label.")]


def _plateau_concern(config: dict, info: dict, metrics: dict) -> list[Concern]:
    """The concern when the k after ``auto``'s plateau keeps neighbours almost as well."""
    kappa = {int(k): float(v) for k, v in (info.get("k_kappa") or {}).items()}
    k = metrics.get("n_clusters")
    if config.get("clusters") or k is None or k + 1 not in kappa:
        return []
    best = max(kappa.values())
    if kappa[k + 1] < best - KAPPA_CLOSE:
        return []
    return [Concern(
        f"k={k} was chosen automatically as the largest k before k-means starts cutting "
        f"groups, but k={k + 1} keeps nearest neighbours almost as well (per-cluster kappa "
        f"{kappa[k + 1]:.2f} against the best {best:.2f}), so the number of groups is "
        "uncertain: if you know how many to expect, set it.",
        {"clusters": k + 1}, f"Run with k={k + 1}")]


def _image_k_concern(run: dict, info: dict, metrics: dict) -> list[Concern]:
    """The concern when ``auto`` estimated k of images (:data:`IMAGE_K_RECORD`).

    Examples
    --------
    >>> run = {"config": {"clusters": None}, "data": {"modality": "images"}}
    >>> len(_image_k_concern(run, {"k_kappa": {"9": 0.98}}, {"n_clusters": 9}))
    1
    """
    k = metrics.get("n_clusters")
    if (run.get("config") or {}).get("clusters") or k is None or not info.get("k_kappa") \
            or (run.get("data") or {}).get("modality") != "images":
        return []
    return [Concern(
        f"k={k} was estimated from the learned view of the images, and for images that "
        f"estimate is often off ({IMAGE_K_RECORD}): if you know how many groups to expect, "
        "give it (Clusters on the Cluster page, --clusters in the command line).")]


def _community_concern(config: dict, info: dict, metrics: dict) -> list[Concern]:
    """The concern when samples of the rows gave different community counts for k."""
    from .kselect import counted_communities

    draws = info.get("k_communities") or []
    k = metrics.get("n_clusters")
    if config.get("clusters") or len(draws) < 2 or k is None:
        return []
    counts = [counted_communities(draw) for draw in draws]
    others = sorted({c for c in counts if c != k}, key=lambda c: (abs(c - k), c))
    if not others:
        return []
    return [Concern(
        f"k={k} was chosen automatically as the number of communities in the neighbour "
        f"graph, but samples of the rows gave {', '.join(map(str, counts))}, so the number of "
        "groups is uncertain: if you know how many to expect, set it.",
        {"clusters": others[0]}, f"Run with k={others[0]}")]
