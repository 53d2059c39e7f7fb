"""``auto``: a learned view for the modality, several candidate clusterings, one kept.

What it does, in order:

1. **Views.** The UMAP-10d of the features (always), and where it pays off a learned view
   for the modality: SCARF for tables of 8 columns or more, a 1-D convolutional encoder for
   signals, a contrastive encoder (with colour augmentations for colour images) for images
   (:mod:`clustering.auto_views`, :mod:`clustering.deep.pretexts`,
   :mod:`clustering.deep.contrastive`; signals and images from 30 rows, tables from 201:
   :data:`clustering.auto_views.MIN_VIEW_ROWS`); images of 16 px
   and more also an ImageNet-pretrained encoder fine-tuned with the same pretext
   (:func:`clustering.deep.pretrained.finetune_pretrained`); on the CPU only that one (both
   do not fit the time budget, :data:`clustering.auto_views.BOTH_IMAGE_VIEWS_ON_CPU`).
   Texts of which the sentence model reads less than half (its first 256 word pieces) also
   get a view of their words, TF-IDF reduced by SVD (:data:`clustering.auto_views.WORDS`).
2. **k**, when not given: for tables, the largest k whose k-means clusters in the UMAP of
   the features one half of the rows predicts for the other (prediction strength,
   :func:`clustering.kselect.prediction_strength_k`); else in the UMAP of the learned view,
   the largest k before k-means starts cutting groups (:func:`plateau_k`; from 10,001 rows
   read in the neighbour graph of 5,000 sampled rows, as tables' k is read in their UMAPs
   from there, :mod:`clustering.auto_k`, and in the signal view itself, not its UMAP,
   :data:`clustering.auto_k.K_IN_VIEW`); for texts
   without one (the words of long texts are not read for k) and for uploaded embeddings,
   the number of communities of their neighbour graph (:func:`clustering.kselect.
   community_k`); else the best silhouette of k-means in the UMAP of the features.
3. **Candidates** (:mod:`clustering.auto_candidates`): k-means on the features (not on
   texts' sentence embeddings), the UMAP + k-means baseline and a vote of it over several
   UMAP seeds (:mod:`clustering.consensus`; not where images or signals have a learned view),
   for tables of counts a Gaussian mixture in that UMAP (:data:`.auto_candidates.GMM`) and
   k-means on the standardised features (:data:`.auto_candidates.STANDARDISED`),
   spectral clustering of the features' neighbour graph (only where learned views alone
   judge, :data:`clustering.auto_candidates.SPECTRAL_ONLY_WITH_VIEW`, and not of images'
   pixels, :data:`clustering.auto_candidates.NO_SPECTRAL`), and for each learned
   view k-means
   on it and on its UMAP and SCAN heads trained on it, then self-labelled (not on the
   1,280-D fine-tuned view; that one gets k-means pieces of its UMAP joined along its own
   neighbour graph instead, :mod:`clustering.merge_clusters`; the words of long texts get
   UMAP + k-means and its vote, as the features do).
   (Spectral clustering of the graph the criterion reads is left out: it cuts the very graph
   it is judged in; of a learned view's graph it won on 5,000 rows of the mixed-type table
   with ACC 0.36, of the features' graph it lost on held-out texts.)
4. **The choice, without labels**: every candidate is scored by how well its clusters keep
   the 50 nearest neighbours of each point together (the share of neighbour pairs in one
   cluster, corrected for the share expected by chance from the cluster sizes, as in Cohen's
   kappa), once over all points and once per cluster averaged over the clusters (so that
   a clustering which merges groups and spends the clusters saved on a few outliers scores
   low), the two averaged (:func:`criterion`), in the learned views when there are any
   (averaged; they hold the invariances the augmentations taught; long texts' words hold
   what the sentence model never read; the 1,280-D fine-tuned view also through the graph
   of a UMAP of it, :data:`clustering.auto_graphs.UMAP_GRAPH_ABOVE`), else in the features
   (a table of counts' also standardised, :data:`clustering.auto_graphs.STANDARDISED_GRAPH`);
   signals aligned to their readings' places (a day's hours, a spectrum's
   wavelengths: :func:`clustering.series.alignment`) in the features' graph as well, since
   the signal view learns to ignore the shifts that tell such rows apart.
   The highest score wins; the vote, then the baseline win ties, so ``auto`` never returns
   a candidate its own criterion rates below UMAP + k-means. (Chosen on the tuning half of
   ``benchmarks/quality_suite.py`` against other criteria: the mean over all graphs, 15, 30
   or 100 neighbours, the UMAP graphs, agreement among all candidates or the top 3-5, kappa
   plus agreement, near ties broken by agreement, stability under resampling, a consensus
   candidate, the per-cluster kappa alone; see ``benchmarks/README.md``.)

``run.json`` gets the winner, every candidate's score and the seconds each took.
"""

from __future__ import annotations

import logging
import time

import numpy as np
from sklearn.metrics import adjusted_rand_score

from .auto_candidates import (
    BASELINE,
    STANDARDISED_MODALITIES,
    VOTE,
    VOTE_SEEDS,
    make_candidates,
)
from .auto_graphs import FEATURE_GRAPHS, reference_graphs
from .auto_progress import phase_spans, vote_share
from .auto_views import (
    LEARNED_VIEWS,
    VIEWS,
    WORDS,
    make_views,
    standardise,
)
from .clustering_result import Clustering
from .kselect import (
    K_RANGE,
    choose_k,
    community_k,
    distance_soft,
    kmeans_fit,
    prediction_strength_k,
)
from .neighbour_kappa import (
    REFERENCE_NEIGHBOURS,
    cluster_kappa,
    criterion,
    neighbour_kappa,
    plateau_k,
)
from .progress import no_progress
from .spectral_graph import spectral_labels

__all__ = ["BASELINE", "FIT_ROWS", "LEARNED_VIEWS", "OPTIONS", "cluster_kappa", "criterion",
           "fit_auto", "fits_on_sample", "neighbour_kappa", "plateau_k"]

log = logging.getLogger(__name__)

OPTIONS = {"text_view": False}
"""Settings of ``auto`` (``--option text_view=true``). ``text_view`` trains the SCCL-style
view of texts (:mod:`clustering.deep.text_view`); off by default because on the tuning text
set it did not pay off (k-means in it 0.45-0.61 against 0.51 on the MiniLM features, spectral
0.55-0.63 against 0.74; ``benchmarks/README.md``) and embedding the augmented copies is most
of the time."""
COMMUNITY_K_MODALITIES = ("text", "embeddings", "counts")
"""Without a learned view, k of these is the number of communities of the features'
neighbour graph (:func:`clustering.kselect.community_k`) instead of the best silhouette in
their UMAP. Tuning half, the four text sets, seeds 0 and 1 (true 6 / 5 / 5 / 6): the
silhouette found 2 5 / 9 2 / 6 6 / 9 2 (k = 2 caps ACC at 0.33-0.40), the communities
9 9 / 6 6 / 6 6 / 7 7: never fewer than the topics (at Louvain's resolution 1; 0.8 since
stop 27, :data:`clustering.kselect.COMMUNITY_RESOLUTION`). On the tables the communities
overshoot (7-9 for the 3 species of ``penguins``), so tables do not use them
(:data:`STRENGTH_K_MODALITIES`). Uploaded embeddings use them since stop 28, measured as
embeddings on the tuning half (seeds 0 and 1; the four texts' MiniLM vectors and the
EfficientNet-Lite0 features of ``shapes``, ``numerals`` and ``digits``, 14 runs; k found /
ACC of k-means in the UMAP with it; ``benchmarks/k_embeddings.py``): mean absolute error
2.29 / 1.36 / 2.21 and ACC 0.590 / 0.642 / 0.617 for the silhouette (used until then) / the
communities / the prediction strength. The texts carry it: on the image features alone the
communities did worse (1.83 / 2.33 / 1.83, ACC 0.588 / 0.531 / 0.609). Tables of counts
(their principal components) use them since stop 85, as single-cell tools cluster cells by
the communities of that graph: on the tuning count sets, seed 0, total |k - true| 7 against
13 for the prediction strength (benchmarks/README.md, "Single-cell atlases")."""
STRENGTH_UMAPS = VOTE_SEEDS
"""The prediction strength that estimates k of a table averages its curve over this many
UMAPs of the features (the baseline's and the vote's, :data:`clustering.auto_candidates.
VOTE_SEEDS`; drawn anyway, so it costs only the k-means fits, 0.2-0.5 s a UMAP up to 2,000
rows). One UMAP's layout can split a group or join two that the next seed's does not, and
``k`` followed it: stop 37, 34 tables x seeds 0-2, the same k on all three seeds for 14 of 34
tables with one UMAP, 25 with three (tuning half 4 -> 8 of 11, held-out batches 10 -> 17 of
23); k right 39 -> 40 of 102 runs (tuning 17 -> 15, held out 22 -> 25)."""
STRENGTH_K_MODALITIES = ("table",)
"""k of these, when not given, is the largest k whose k-means clusters in the UMAP of the
features one half of the rows predicts for the other (prediction strength at least 0.9,
:func:`clustering.kselect.prediction_strength_k`), learned view or not. Tuning half, the ten
tuning tables, seeds 0-2 (30 runs): right 17, within one 26, mean absolute error 0.63,
against 8 / 21 / 1.67 for the best silhouette in the same UMAP (at 0.8: 15 / 25 / 0.67);
on the five tables with a SCARF view, seeds 0 and 1, 7/10 right against 3/10 for the
plateau in the SCARF view's UMAP (``skewed-table``: 2 and 2 for 2, against 6 and 7). In
the learned views of signals and images it missed (``digits`` 12 and 13 for 10,
``waveforms`` 5 and 2 for 4), and on texts it was right on 0/8, so they keep
:func:`plateau_k` and the communities."""
PLATEAU_K_FROM_ROWS = 201
"""Fewest rows whose k :func:`plateau_k` estimates in a learned view. Signals and images
train their view from 30 rows since stop 42 (:data:`clustering.auto_views.MIN_VIEW_ROWS`);
below this their k is estimated as before that stop, when they had no view (the best
silhouette in the UMAP of the features): the plateau reads a 50-nearest-neighbour graph,
which clusters of a dozen rows cannot keep together (held out, ``mnist-150``, 10 digits of
10-19: k = 2 on seed 0, ACC 0.23, against 7 and 0.59 this way). On the five held-out sets
the views reach (seed 0, k not given) the plateau was right on 2 (``trace``, ``coffee``) with
mean ACC 0.479, this way on 1 with 0.509 (before stop 42: 1, 0.502): a wash, so ``k`` stays
as it was. Not measured on the tuning half."""
FIT_ROWS = 50_000
"""Above this many rows of a table, texts or embeddings ``auto`` fits on a random sample of
this size and every other row takes its nearest fitted row's cluster
(:mod:`clustering.fit_on_sample`): 100,000 table rows took 486 s on one thread fitted whole
(four UMAPs 315 s, SCAN heads 106 s), the suite's budget case of 5,000 rows 50 s on two."""
SAMPLED_MODALITIES = ("table", "counts", "text", "embeddings")
"""Where the nearest row in the features carries the cluster. Not signals or images: their
groups differ by shifts, turns and noise the learned views are taught to ignore, and the
nearest raw row is of the same class for only 56 % of ``waveforms`` and 68 % of ``shapes``
(1-NN, half the rows fitted; ``mixed-table`` 96 %). They are fitted whole."""


def fits_on_sample(n: int, modality: str) -> bool:
    """Whether ``auto`` fits ``n`` rows of this modality on a sample (:data:`FIT_ROWS`)."""
    return n > FIT_ROWS and modality in SAMPLED_MODALITIES


class _Run:
    """The views, candidates and timings of one ``auto`` fit."""

    def __init__(self, X, k, seed, knn, ctx, progress, texts=None, modality="table",
                 text_view=False):
        self.X, self.k, self.seed, self.knn, self.ctx = X, k, seed, knn, ctx
        self.modality, self.text_view = modality, text_view
        self.texts, self._report, self._reached = texts, progress, 0.0
        self.plan("features")
        self.info: dict = {}
        self.heads: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.views: dict[str, np.ndarray] = {}
        self.candidates: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.seconds: dict[str, float] = {}
        self.started = time.perf_counter()  # the fine-tuning's budget counts from here
        self._graphs: dict[int, dict[str, np.ndarray]] = {}
        self._vote_spaces: list[np.ndarray] | None = None
        self.vote_start = 0.0
        """Where the vote's UMAPs start in the candidates phase (after the k estimate's,
        :data:`.auto_progress.K_UMAPS_SHARE`, where it draws its own)."""
        self.judge_in_features = False
        """Score candidates in the features' graph besides the learned views' (aligned
        signals, :func:`clustering.auto_views._read_alignment`)."""

    def progress(self, fraction: float, message: str) -> None:
        """Report progress, never backwards.

        Phases report through :meth:`phase`, whose spans follow their share of the time on
        the run's path (:mod:`clustering.auto_progress`).
        """
        self._reached = max(self._reached, float(fraction))
        self._report(self._reached, message)

    def plan(self, name: str, words: bool = False) -> None:
        """Split the bar among the phases of the path ``name``.

        See :func:`.auto_progress.phase_spans`; ``words``: the long texts' words view is
        made too.
        """
        from .auto_k import samples_for_k

        self.plan_name, self.spans = name, phase_spans(name, words, len(self.X),
                                                       samples_for_k(self))
        self.vote_end = vote_share(words)

    def phase(self, name: str, done: float, message: str) -> None:
        """Report ``done`` (0..1) of the phase ``name`` (:data:`.auto_progress.PHASES`)."""
        start, end = self.spans[name]
        self.progress(start + (end - start) * min(1.0, max(0.0, float(done))), message)

    def graphs(self, m: int) -> dict[str, np.ndarray]:
        """``m``-nearest-neighbour graphs of the features and of every learned view.

        Drawn once per ``m`` by :func:`.auto_graphs.reference_graphs`.

        ``m`` is capped at half the mean cluster size, so that on small data a point's
        neighbours can all lie in its own cluster.
        """
        if m not in self._graphs:
            m_ = int(min(m, max(2, len(self.X) // (2 * self.k)), len(self.X) - 1))
            known = (self.knn.indices[:, 1:m_ + 1] if self.knn is not None
                     and self.knn.indices.shape[1] > m_ else None)
            self._graphs[m] = reference_graphs(
                self.X, self.views, m_, self.seed, known, self.timed,
                lambda done, message: self.phase("scoring", 0.9 * done, message),
                standardised=self.modality in STANDARDISED_MODALITIES)
        return self._graphs[m]

    def ensure_k(self) -> int:
        """``k`` as given, else estimated.

        For tables by the prediction strength of k-means in the UMAP of the features
        (:data:`STRENGTH_K_MODALITIES`; of a sample of them on large tables,
        :mod:`.auto_k`); else by :func:`plateau_k` in the UMAP of the
        learned view when there is one (from 10,001 rows in the signal view itself,
        :func:`.auto_k.plateau_space`); for texts without one, for uploaded embeddings and
        for tables of counts by the communities of the features' neighbour graph
        (:data:`COMMUNITY_K_MODALITIES`);
        else by the best silhouette in the UMAP of the features, its columns standardised
        (tuning half, seeds 0-2, the sets without a learned view: k found for wine (3),
        docstrings (6), package-docs (5): 3/3/3, 2/5/7, 9/2/6; unstandardised 3/3/3, 2/2/2,
        2/2/2).
        """
        if self.k is None:
            if self.modality in STRENGTH_K_MODALITIES:
                from .auto_k import strength_spaces

                spaces, where = strength_spaces(self, STRENGTH_UMAPS)
                self.k, how = prediction_strength_k(
                    spaces[0], self.seed, self.info.setdefault("k_strength", {}), spaces[1:])
                self.info["k_selection"] = f"{how}, {where}"
                return self.k
            where = next((v for v in self.views if v in VIEWS and v != WORDS), None)
            if len(self.X) < PLATEAU_K_FROM_ROWS:
                where = None  # as before views on few rows (PLATEAU_K_FROM_ROWS)
            if where is not None and f"{where}-umap" in self.views:
                from .auto_k import plateau_space

                Z, place = plateau_space(self, where)
                self.k, how = plateau_k(Z, self.seed, self.info.setdefault("k_kappa", {}))
                self.info["k_selection"] = f"{how}, in {place}"
                return self.k
            if self.modality in COMMUNITY_K_MODALITIES and len(self.X) > 2 * K_RANGE[1]:
                self.k, how = community_k(self.X, self.seed,
                                          self.info.setdefault("k_communities", []))
                self.info["k_selection"] = f"{how}, in the features"
                return self.k
            where = where or "umap"
            Z = standardise(self.views[where]) if where == "umap" else self.views[where]
            self.k, how = choose_k(Z, random_state=self.seed,
                                   scores_out=self.info.setdefault("k_scores", {}))
            self.info["k_selection"] = f"{how} in the {where} view"
        return self.k

    def vote_spaces(self) -> list[np.ndarray]:
        """UMAPs of the features with :data:`VOTE_SEEDS` - 1 other seeds than the baseline's.

        Drawn once: the vote of UMAP + k-means (:mod:`clustering.auto_candidates`) clusters
        in them, and for tables the prediction strength that estimates k averages over
        them (:data:`STRENGTH_UMAPS`). They are most of the candidates phase's time.
        """
        from .clusterers import umap_space

        if self._vote_spaces is None:
            spaces = []
            start, width = self.vote_start, (self.vote_end - self.vote_start) / (VOTE_SEEDS - 1)
            for i in range(1, VOTE_SEEDS):
                self.phase("candidates", start + width * (i - 1),
                           f"auto: UMAP of the features, seed {i + 1}/{VOTE_SEEDS}")
                spaces.append(self.timed(f"view:umap seed {i + 1}", lambda i=i: umap_space(
                    self.X, self.knn, self.seed + 100 * i, self.views["umap"].shape[1],
                    progress=lambda f, msg: self.phase(
                        "candidates", start + width * (i - 1 + f),
                        f"auto: UMAP of the features, seed {i + 1}/{VOTE_SEEDS}, {msg}"))))
            self._vote_spaces = spaces
        return self._vote_spaces

    def timed(self, name, fn):
        start = time.perf_counter()
        out = fn()
        self.seconds[name] = round(time.perf_counter() - start, 2)
        return out

    def kmeans(self, name: str, Z: np.ndarray) -> None:
        def fit():
            model = kmeans_fit(Z, self.k, self.seed)
            return model.labels_.astype(np.int64), distance_soft(Z, model.cluster_centers_)
        self.candidates[name] = self.timed(name, fit)

    def spectral(self, name: str, Z: np.ndarray, neighbours: np.ndarray) -> None:
        """Spectral clustering of the symmetric neighbour graph (normalised cut)."""
        def fit():
            labels = spectral_labels(neighbours, self.k, self.seed)
            centres = np.stack([Z[labels == c].mean(axis=0) for c in range(self.k)])
            return labels, distance_soft(Z, centres)
        self.candidates[name] = self.timed(name, fit)


def fit_auto(X: np.ndarray, n_clusters: int | None = None, *, random_state: int = 0,
             knn=None, modality: str = "table", image_shape: tuple[int, ...] | None = None,
             device: str = "cpu", progress=no_progress, should_stop=None,
             checkpoint_dir=None, texts: list[str] | None = None,
             text_view: bool = OPTIONS["text_view"]) -> Clustering:
    """Cluster ``X`` with the best of several pipelines, chosen without labels.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Feature rows (flattened images when ``image_shape`` is set).
    n_clusters : int, optional
        Estimated in the learned view when omitted (said how in ``info``).
    random_state : int
        Seed of every random choice (the same seed gives the same result).
    knn : KnnGraph, optional
        The 15-nearest-neighbour graph of ``X`` (computed when omitted; not read where
        ``auto`` fits on a sample, :func:`fits_on_sample`).
    modality : str
        What the rows are, which picks the learned view: ``table``, ``series``, ``images``,
        ``text``, ``embeddings`` or ``counts`` (a table of counts read as principal
        components, :mod:`clustering.count_tables`: SCARF's corruption of a column by its
        own marginal means nothing for components, so no learned view).
    image_shape : tuple of int, optional
        Rows are flattened images of this shape.
    device : str
        Resolved torch device.
    progress, should_stop : callable
        ``progress(fraction, message)``; ``should_stop()`` True cancels.
    checkpoint_dir : Path, optional
        Training checkpoints (resumed from when present).
    texts : list of str, optional
        The texts, when ``X`` holds their sentence-model embeddings: long ones get the view
        of their words (:data:`clustering.auto_views.LONG_TEXTS`), and the text view embeds
        augmented copies of them the same way when ``text_view`` is on.
    text_view : bool
        Train the text view (see :data:`OPTIONS`).

    Returns
    -------
    Clustering
        The winner's labels and soft assignments; ``info["auto"]`` holds the winner, every
        candidate's criterion value and seconds, and why the winner won; ``alternatives``
        every candidate's labels, in the order of ``info["auto"]["alternatives"]``.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> X, _ = make_blobs(120, centers=3, random_state=0)
    >>> result = fit_auto(X.astype("float32"), 3)  # too few rows (120) to train a view
    >>> sorted(result.info["auto"]["scores"])
    ['kmeans', 'umap-kmeans', 'umap-kmeans-vote']
    """
    from .deep.common import TrainContext, seed_everything
    from .projection import TINY, knn_graph

    if fits_on_sample(len(X), modality):
        from .fit_on_sample import fit_on_sample

        progress(0.0, f"auto: fitting on a random sample of {FIT_ROWS:,} of the {len(X):,} "
                      f"rows, then giving every other row its nearest fitted row's cluster")
        return fit_on_sample(lambda rows: fit_auto(
            X[rows], n_clusters, random_state=random_state, modality=modality,
            image_shape=image_shape, device=device,
            progress=lambda f, msg: progress(0.9 * f, msg), should_stop=should_stop,
            checkpoint_dir=checkpoint_dir,
            texts=None if texts is None else [texts[i] for i in rows], text_view=text_view),
            X, FIT_ROWS, random_state, progress)
    seed_everything(random_state)
    ctx = TrainContext(device, random_state, no_progress, should_stop,
                       image_shape if modality == "images" else None, checkpoint_dir)
    X = np.ascontiguousarray(X, dtype=np.float32)
    if knn is None and len(X) >= TINY:
        knn = knn_graph(X, 15, random_state)
    run = _Run(X, n_clusters, random_state, knn, ctx, progress, texts, modality, text_view)
    make_views(run, modality)
    run.phase("candidates", 0.0, f"auto: candidates with k={run.ensure_k()}")
    make_candidates(run)
    run.phase("scoring", 0.0, "auto: scoring the candidates without labels")
    return _choose(run, run.info)


def _choose(run: _Run, info: dict) -> Clustering:
    graphs = run.graphs(REFERENCE_NEIGHBOURS)
    reference = ([v for v in graphs if v not in FEATURE_GRAPHS]
                 or [v for v in graphs if v in FEATURE_GRAPHS])
    if run.judge_in_features and "features" not in reference:
        reference.append("features")
    per_graph = {name: {g: round(criterion(labels, nbrs), 4)
                        for g, nbrs in graphs.items()}
                 for name, (labels, _) in run.candidates.items()}
    scores = {name: round(float(np.mean([v[g] for g in reference])), 4)
              for name, v in per_graph.items()}
    winner = max(scores, key=lambda name: (scores[name], name == VOTE, name == BASELINE))
    labels, soft = run.candidates[winner]
    ranked = sorted(scores, key=scores.get, reverse=True)
    runner = next((name for name in ranked if name != winner), winner)
    info["auto"] = {
        "winner": winner, "criterion": "mean of the point and per-cluster neighbour kappa on "
        f"the {' and '.join(reference)} "
        f"graph ({graphs[reference[0]].shape[1]} nearest neighbours)"
        + (f"; the signals are aligned (alignment {info['signal_alignment']:.2f}), so the raw "
           "readings' graph judges too" if run.judge_in_features else ""), "scores": scores,
        "scores_per_graph": per_graph,
        "seconds": run.seconds, "alternatives": list(run.candidates),
        "runner_up": runner, "runner_up_ari": round(float(adjusted_rand_score(
            labels, run.candidates[runner][0])), 3),
        "why": (f"{winner} keeps nearest neighbours together best (score {scores[winner]:.3f}"
                f"; next {runner} {scores[runner]:.3f}; the UMAP + k-means baseline "
                f"{scores[BASELINE]:.3f})")}
    log.info("auto: %s", info["auto"]["why"])
    others = np.stack([lab for lab, _ in run.candidates.values()], axis=1).astype(np.int64)
    view = next((v for v in VIEWS if winner.startswith(f"{v}-") and v in run.views), None)
    if view is not None:
        info["space"] = f"the {view} view ({run.views[view].shape[1]} columns)"
    return Clustering(labels, soft, soft.max(axis=1).astype(np.float32), "auto",
                      {"n_clusters": int(run.k), "pipeline": winner}, info,
                      alternatives=others,
                      space=None if view is None else run.views[view].astype(np.float32))
