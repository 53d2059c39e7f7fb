"""How much of ``auto``'s progress bar each of its phases fills: its share of the time.

The app and the CLI estimate the time left in a stage from the pace measured inside it
(:class:`workspace.worker.StageClock`), which is right only when equal stretches of the bar
take equal times. ``auto``'s phases differ by orders of magnitude between paths: on
``demo:digits`` the contrastive pretext is three quarters of the time, on a 5,000-row table
the SCARF view a fifth. With one fixed split for every path (the pretext 0.1-0.5, the SCAN
heads 0.7-0.87), the CLI said "~3 min left" through the digits' pretext when 30-100 s were
left. So each path gets its own split, from the seconds its phases took
(``benchmarks/results/auto_budget*.json``, ``fit_info.auto.seconds`` of runs), and only the
phases a run will take fill its bar.
"""

from __future__ import annotations

__all__ = ["K_UMAPS_SHARE", "PHASES", "PLAN_WEIGHTS", "READ_STEPS_PER_IMAGE", "REFERENCE_ROWS",
           "ROW_GROWTH", "VOTE_UMAPS_SHARE", "WORDS_VOTE_SHARE", "finetune_marks", "phase_spans",
           "vote_share"]

PHASES = ("umap", "words", "view", "view-umap", "finetuned", "candidates", "heads",
          "self-label", "scoring")
"""``auto``'s phases in the order they run: the UMAP of the features, the long texts' words,
the learned view's pretext, its UMAP, the fine-tuned image encoder, the candidates
(k-means, the UMAP vote and spectral clustering, and the UMAPs the vote and the k estimate
draw), the SCAN heads, their self-labelling, scoring the candidates."""

PLAN_WEIGHTS: dict[str, dict[str, float]] = {
    # no learned view (texts, embeddings, tables under 201 rows or 8 columns): text-5000
    # (stop 80) UMAP 3.0 s, candidates 4.05 s (the vote's two UMAPs), graphs 0.24 s; until
    # then 6 / 18 / 1, when spectral clustering was a candidate of texts
    "features": {"umap": 3.0, "candidates": 4.05, "scoring": 0.24},
    # long texts: UMAP 2.4 s, words 3.0 s, the words' and features' UMAPs and votes 10 s
    "words": {"umap": 2.4, "words": 3.0, "candidates": 10.0, "scoring": 0.5},
    # table-5000 (stop 80, the mean of 3 runs on its machine; ROW_GROWTH): UMAP 2.7 s,
    # SCARF 2.3 s and its UMAP 1.8 s, candidates 4.1 s (the vote's two UMAPs), SCAN heads
    # with their self-labelling 7.1 s, the criterion's graphs 0.33 s
    "scarf": {"umap": 2.7, "view": 2.3, "view-umap": 1.8, "candidates": 4.1, "heads": 5.8,
              "self-label": 1.3, "scoring": 0.33},
    # signals-5000 (stop 80, 3 runs): UMAP 2.6 s, the signal view 7.1 s and its UMAP 2.0 s,
    # candidates 1.4 s (spectral), SCAN heads 7.4 s, graphs 0.16 s
    "series": {"umap": 2.6, "view": 7.1, "view-umap": 2.0, "candidates": 1.4, "heads": 6.1,
               "self-label": 1.3, "scoring": 0.16},
    # demo:digits: UMAP 5.6 s, pretext and its UMAP 113 s, SCAN heads 20.6 s and their
    # self-labelling 3.6 s on a 2-core machine at 65 GFLOP/s (27.2 s and 9.5 s in all on
    # stop 59's): the pretext 3.8 times the heads; since stop 76's max-pooling of 8-15 px
    # images (POOL_FROM), the pretext 49-56 s against SCAN's 20-24 s on that machine
    "contrastive": {"umap": 5.0, "view": 49.0, "view-umap": 1.0, "candidates": 0.5,
                    "heads": 18.0, "self-label": 3.0, "scoring": 0.5},
    # images-5000 on the CPU: UMAP 3.0-6.6 s, fine-tuning and its UMAP 66-68 s, candidates
    # 1-4 s, the fine-tuned view's UMAP graph 2.9-6.2 s (grown with the rows: ROW_GROWTH)
    "finetuned": {"umap": 4.0, "finetuned": 58.0, "candidates": 4.0, "scoring": 4.0},
    # both image views (on a GPU): the pretext's 400 steps beside the fine-tuning
    "contrastive+finetuned": {"umap": 5.0, "view": 19.0, "view-umap": 1.0, "finetuned": 50.0,
                              "candidates": 3.0, "heads": 10.0, "self-label": 2.0,
                              "scoring": 5.0},
    # the SCCL text view (``--option text_view=true``): embedding the copies and training
    # the view are most of it; its head is a candidate, no SCAN heads follow
    "sccl": {"umap": 6.0, "view": 58.0, "view-umap": 2.0, "candidates": 18.0, "scoring": 1.0},
}
"""Relative seconds of each phase, by path (phases left out take none)."""


ROW_GROWTH = {"finetuned": {"umap": 0.85, "finetuned": 0.05, "candidates": 0.3,
                            "scoring": 1.1},
              "scarf": {"umap": 0.93, "view": 0.65, "view-umap": 1.1, "candidates": 1.07,
                        "heads": 0.58, "self-label": 0.58, "scoring": 1.28},
              "series": {"umap": 0.91, "view": 0.78, "view-umap": 1.06, "candidates": 0.16,
                         "heads": 0.54, "self-label": 0.54, "scoring": 1.6},
              "features": {"umap": 0.88, "candidates": 1.07, "scoring": 1.39}}
"""How the phases of a path grow with the rows where the rest of it does not: a phase's
weight in :data:`PLAN_WEIGHTS` (at :data:`REFERENCE_ROWS`) times (rows / REFERENCE_ROWS) to
this power. On the fine-tuned images' path the fine-tuning takes a fixed number of steps
(or its time budget, at least 60) and every image is then read through the encoder; the
UMAPs of the features and of the view and the view's graph grow almost as the rows; the
candidates (k-means in the UMAPs) much less. Measured, in seconds of UMAP / fine-tuning with
its UMAP / candidates / graph: 400 images 1.3 / 43.5 / 0.1 / 0.2, 1,000 3.9 / 73.8 / 1.0 /
1.0, 5,000 3.0-6.6 / 66-68 / 1-4 / 2.9-6.2, 50,000 26.2 / 78.1 / 8.4 / 26.0
(``benchmarks/results/photos_50000_stop79.json``). Before stop 79 only the candidates and
the graph grew, and as the rows: at 50,000 images the bar gave the UMAP 3 % and the
candidates 34 %. The scoring phase is the criterion's neighbour graphs (of the features,
the view and a UMAP of the view): 3.5 s at 5,000 images, 58.7 s at 50,000, of which 30.6 s
were untimed until stop 80 (``benchmarks/results/eta_stop80.json``), so it grows
faster than the rows (NN-descent in place of exact neighbours past 5,000 rows); at 0.85 the
bar gave it 21 % of the stage against the 34 % it took.

Tables with a SCARF view, signals and texts (stop 80, the means of 2-4 runs at 5,000 /
50,000 rows of ``mixed-table``, ``waveforms`` and docstrings / program messages;
``benchmarks/results/eta_stop80_tables_signals.json``), in seconds: the features' UMAP
2.7 / 22.8, 2.6 / 21.6 and 3.0 / 22.9; the view 2.3 / 10.2 (SCARF) and 7.1 / 43.3 (the
signal encoder; steps grow less than the rows) and its UMAP 1.8 / 23.3 and 2.0 / 22.1; the
candidates 4.1 / 47.9 (the vote's two UMAPs), 1.4 / 2.1 (no vote on signals with a view) and
4.05 / 48.0; the SCAN heads with their self-labelling 7.1 / 27.0 and 7.4 / 25.5 (a fixed
number of steps, at least 10 epochs); the criterion's graphs 0.33 / 6.3, 0.16 / 6.3 and
0.24 / 5.9. Without growth the bar gave a 50,000-row table's heads 40 % of the stage (they
took 19 %) and its candidates 23 % (37 %); and until stop 80 a view's UMAP had 3 % of the
view's span, so at 50,000 rows the training filled the view in 8 s and the 21 s of its UMAP
followed with no report."""

VOTE_UMAPS_SHARE = 0.93
"""Share of the candidates phase that the vote's UMAPs fill (the features' UMAPs of the other
seeds, :meth:`clustering.auto._Run.vote_spaces`); k-means in them, spectral clustering and
k-means in the learned views take the rest. Measured (``auto`` seconds in
``benchmarks/results``, stops 80-81): 0.88 and 0.96 of the phase at 5,000 and 50,000 table
rows, 0.97 and 0.96 at 5,000 docstrings and 50,000 messages. Until stop 81 they filled 0.8:
at 50,000 messages the last 0.2 of the phase (9.5 s of the bar) took 1.2 s, and the time
left read 5-11 s too long through the second half of the stage."""

WORDS_VOTE_SHARE = 0.4
"""The same share with the long texts' words view, whose three UMAPs follow in the phase:
the features' two UMAPs took 2.9 s of its 7.3 s at 5,000 manual pages (stop 53)."""


def vote_share(words: bool) -> float:
    """Where the vote's UMAPs end in the candidates phase (0..1).

    Examples
    --------
    >>> vote_share(False), vote_share(True)
    (0.93, 0.4)
    """
    return WORDS_VOTE_SHARE if words else VOTE_UMAPS_SHARE


K_UMAPS_SHARE = 0.13
"""Where the k estimate's UMAPs of a sample end in the candidates phase, on tables large
enough to draw them (:data:`clustering.kselect.K_SAMPLE_FROM`); the vote's UMAPs then
fill the phase from here to :func:`vote_share`. At 50,000 rows (stop 82, five tables) the
three UMAPs of 5,000 rows took 5.2-6.3 s and their graph about a second, the vote's two
UMAPs 39-49 s, the rest of the phase under 2 s. Without a share they left the bar standing
at the phase's start, and the time left's median error went from 2.0-9.6 s to 7.3-11.6 s;
with a share but the phase's weight as with k given, 7.8-9.7 s (the phase's 7 s more were
not planned for: :func:`phase_spans`' ``sampled_k``)."""
READ_STEPS_PER_IMAGE = 1 / 460
"""Reading one image through the fine-tuned encoder, in fine-tuning steps (a step reads two
views of 48 images forward and backward): 50,000 photos at 32 px were read in 32 s after
steps of 0.316 s (101 steps' time), and in 42 s after steps of 0.365 s (115)."""


def finetune_marks(rows: int, step_seconds: float, steps: int,
                   umap_seconds: float) -> tuple[float, float]:
    """Where the fine-tuning's steps, then the reading of the images, end in its phase.

    The view's UMAP fills the rest. The steps take ``steps`` times ``step_seconds``; reading
    the images :data:`READ_STEPS_PER_IMAGE` steps each; the UMAP as long as the features'
    UMAP of the same rows took (``umap_seconds``). Before stop 79 the steps filled 0.93 of the
    phase, though at 50,000 images they took 22 s of its 92 s.

    Examples
    --------
    >>> finetune_marks(1000, 0.3, 150, 1.0)  # the steps are nearly all of it
    (0.9646, 0.9786)
    >>> finetune_marks(50000, 0.3, 60, 26.0)
    (0.235, 0.6606)
    """
    step_s = steps * step_seconds
    read_s = rows * READ_STEPS_PER_IMAGE * step_seconds
    total = max(step_s + read_s + umap_seconds, 1e-9)
    return round(step_s / total, 4), round((step_s + read_s) / total, 4)


REFERENCE_ROWS = 5000


def phase_spans(plan: str, words: bool = False, rows: int | None = None,
                sampled_k: bool = False) -> dict[str, tuple[float, float]]:
    """Where each phase starts and ends on ``auto``'s bar (0..1) on the path ``plan``.

    Parameters
    ----------
    plan : str
        A key of :data:`PLAN_WEIGHTS`.
    words : bool
        Whether the long texts' words view is made too (its phase and its candidates'
        UMAPs are added to the plan's).
    rows : int, optional
        Rows fitted: the weights of :data:`ROW_GROWTH`'s phases grow with them.
    sampled_k : bool
        Whether k is estimated in UMAPs of a sample (:mod:`clustering.auto_k`): they make
        the candidates phase longer, by :data:`K_UMAPS_SHARE` of it.

    Returns
    -------
    dict
        ``phase -> (start, end)`` for every phase of :data:`PHASES`; a phase the path does
        not take is an empty span where it would run.

    Examples
    --------
    >>> spans = phase_spans("contrastive")
    >>> round(spans["view"][1] - spans["view"][0], 2), spans["finetuned"]
    (0.64, (0.7143, 0.7143))
    >>> phase_spans("features")["scoring"]
    (0.9671, 1.0)
    >>> phase_spans("finetuned", rows=50000)["umap"]  # 5,000 images': (0.0, 0.0571)
    (0.0, 0.1866)
    >>> phase_spans("scarf", rows=50000)["candidates"]
    (0.407, 0.7577)
    >>> phase_spans("scarf", rows=50000, sampled_k=True)["candidates"]
    (0.3868, 0.7698)
    """
    weights = dict(PLAN_WEIGHTS[plan])
    for phase, power in ROW_GROWTH.get(plan, {}).items():
        if rows is not None:
            weights[phase] *= (max(rows, 1) / REFERENCE_ROWS) ** power
    if words and plan != "words":
        for phase, extra in PLAN_WEIGHTS["words"].items():
            if phase in ("words", "candidates"):
                weights[phase] = weights.get(phase, 0.0) + extra
    if sampled_k:
        weights["candidates"] /= 1 - K_UMAPS_SHARE
    total = sum(weights.values())
    spans, edge = {}, 0.0
    for phase in PHASES:
        start, edge = edge, edge + weights.get(phase, 0.0) / total
        spans[phase] = (round(start, 4), round(edge, 4))
    return spans
