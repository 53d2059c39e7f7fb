"""One call from a config to every artifact: load, features, cluster, map, metrics."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .clustering_result import Clustering
from .count_tables import COUNTS
from .dataset import Dataset
from .errors import InputError
from .features import Features, featurize
from .kselect import top_note
from .loaders import load_data
from .metrics import cluster_metrics
from .progress import ProgressFn, no_progress
from .projection import TINY, KnnGraph, Projection, knn_graph, project
from .stage_cache import StageCache

__all__ = ["STAGES", "RunConfig", "RunResult", "image_shape_of", "modality_of", "neighbour_graph",
           "run_pipeline", "seed_global", "stage_of", "stage_span", "texts_of"]


STAGES = ("load", "features", "neighbours", "cluster", "map", "metrics")
STORED_STAGES = ("features", "neighbours", "cluster", "map")
KNN_FREE = ("kmeans", "gmm")
"""Methods that do not read the shared k-NN graph."""
"""Stages whose output is kept for resuming (loading and metrics are quick to redo)."""
STAGE_WEIGHTS = dict(zip(STAGES, (0.05, 0.25, 0.1, 0.3, 0.25, 0.05), strict=True))
"""Share of a run's progress bar each stage fills."""


def stage_of(fraction: float) -> str:
    """The stage a run's overall progress ``fraction`` falls in."""
    return stage_span(fraction)[0]


def stage_span(fraction: float) -> tuple[str, float, float]:
    """The stage a run's overall progress ``fraction`` falls in, and where it starts and ends.

    Examples
    --------
    >>> stage_span(0.5)
    ('cluster', 0.4, 0.7)
    """
    edge = 0.0
    for stage in STAGES:
        start, edge = edge, round(edge + STAGE_WEIGHTS[stage], 9)
        if fraction < edge - 1e-9:
            return stage, start, edge
    return STAGES[-1], round(1.0 - STAGE_WEIGHTS[STAGES[-1]], 9), 1.0


DEVICES = ("auto", "cpu", "cuda", "mps")


@dataclass(frozen=True)
class RunConfig:
    """Everything that decides a run's result (JSON-serialisable).

    :meth:`validate` checks every field in one place; the pipeline, the job queue and
    the CLI call it before anything runs or is queued.

    Examples
    --------
    >>> RunConfig(data="demo:iris", method="kmeans", clusters=3).validate().clusters
    3
    >>> RunConfig(data="demo:iris", clusters=1).validate()
    Traceback (most recent call last):
    ...
    clustering.errors.InputError: clusters must be at least 2 (or left out to choose it), not 1.
    """

    data: str
    kind: str = "auto"
    text_column: str | None = None
    label_column: str | None = None
    id_column: str | None = None
    representation: str = "auto"
    method: str = "auto"
    clusters: int | None = None
    seed: int = 0
    device: str = "auto"
    drop_invalid: bool = False
    fill_missing: bool = False
    """Fill empty numeric cells of a table instead of refusing (``--fill-missing``)."""
    transpose: bool = False
    """Swap a table's rows and columns before reading it (``--transpose``): a count matrix
    with a gene in each row is clustered by sample (:mod:`clustering.transpose_table`)."""
    min_cluster_size: int | None = None
    image_size: int | None = None
    epochs: int | None = None
    options: dict = field(default_factory=dict)
    """Settings of a deep method (``clusterlab methods`` lists them with defaults)."""
    map_columns: list[str] | None = None
    """Two columns of the table that are the 2-D map (UMAP is then skipped)."""
    feature_columns: list[str] | None = None
    """The table columns to cluster on (None: numeric columns that are not id-like)."""
    ignore_columns: list[str] | None = None
    """Table columns left out altogether."""
    sample: int | None = None
    """Fit on this many rows drawn by id hash, then assign every row in chunks
    (``workspace.partitioned``); None: fit on every row."""
    images_root: str | None = None
    """A table naming image files: the folder their paths start from, where it is not the
    table's own (``--images-root``; :mod:`clustering.image_manifest`)."""

    def to_dict(self) -> dict:
        """Plain dict for JSON (``sample`` only when set, so earlier runs keep their keys)."""
        out = asdict(self)
        for key in ("sample", "fill_missing", "transpose", "images_root"):  # earlier keys stay
            if not out[key]:
                del out[key]
        return out

    def validate(self) -> RunConfig:
        """Check every field; return ``self``.

        Raises
        ------
        InputError
            One sentence naming the field, the bad value and what is allowed.
        """
        from .clusterers import METHODS
        from .dataset import MODALITIES
        from .deep.registry import DEEP_METHODS, check_options
        from .features import REPRESENTATIONS

        def need(ok: bool, message: str) -> None:
            if not ok:
                raise InputError(message)

        need(bool(self.data), "data must name a file, a folder or demo:NAME.")
        need(self.method in METHODS, f"Unknown method '{self.method}'; the methods are "
             f"{', '.join(METHODS)} (clusterlab methods describes them).")
        need(self.kind in ("auto", *MODALITIES),
             f"kind must be one of auto, {', '.join(MODALITIES)}, not '{self.kind}'.")
        need(self.representation in REPRESENTATIONS, f"representation must be one of "
             f"{', '.join(REPRESENTATIONS)}, not '{self.representation}'.")
        need(self.device in DEVICES,
             f"device must be one of {', '.join(DEVICES)}, not '{self.device}'.")
        for name, low in (("clusters", 2), ("min_cluster_size", 2), ("epochs", 1)):
            value = getattr(self, name)
            need(value is None or (isinstance(value, int) and value >= low),
                 f"{name} must be at least {low} (or left out to choose it), not {value}.")
        need(isinstance(self.seed, int) and self.seed >= 0,
             f"seed must be a whole number of 0 or more, not {self.seed}.")
        need(self.map_columns is None or (
            isinstance(self.map_columns, list | tuple) and len(self.map_columns) == 2
            and all(isinstance(c, str) and c for c in self.map_columns)
            and self.map_columns[0] != self.map_columns[1]),
            f"map_columns must name two different columns (x and y), not {self.map_columns}.")
        for name in ("feature_columns", "ignore_columns"):
            value = getattr(self, name)
            need(value is None or (isinstance(value, list | tuple) and len(value) > 0 and all(
                isinstance(c, str) and c for c in value) and len(set(value)) == len(value)),
                f"{name} must be a list of different column names, not {value}.")
        need(self.sample is None or (isinstance(self.sample, int) and self.sample >= 100),
             f"sample must be at least 100 rows, not {self.sample}.")
        need(self.sample is None or not self.map_columns, "map columns cannot be used with a "
             "sampled run yet; leave --map-columns or --sample out.")
        need(self.sample is None or not self.fill_missing, "fill_missing fills from the whole "
             "table's column medians, which a run in chunks never sees at once; fill the gaps "
             "in the files, or leave --fill-missing or --sample out.")
        need(self.sample is None or not self.transpose, "a table's rows and columns are "
             "swapped whole, which a run in chunks never reads at once; leave --transpose or "
             "--sample out.")
        need(self.images_root is None or Path(self.images_root).is_dir(),
             f"images_root must be a folder (the one a table's image paths start from), not "
             f"'{self.images_root}'.")
        need(self.sample is None or not self.images_root, "a sampled run reads a table's own "
             "columns in chunks, not the images it names; leave --images-root or --sample out.")
        need(self.image_size is None or isinstance(self.image_size, int)
             and 8 <= self.image_size <= 256,
             f"image_size must be between 8 and 256 pixels, not {self.image_size}.")
        if self.options and self.method == "auto":
            from .auto import OPTIONS

            unknown = sorted(set(self.options) - set(OPTIONS))
            need(not unknown, f"auto has no setting '{unknown[0] if unknown else ''}'; it "
                 f"takes {', '.join(OPTIONS)}.")
        elif self.options:
            need(self.method in DEEP_METHODS, f"options are settings of deep methods and "
                 f"auto; '{self.method}' takes none (got {', '.join(sorted(self.options))}).")
            try:
                check_options(self.method, self.options)
            except TypeError as exc:
                raise InputError(f"{exc}.") from None
        return self


@dataclass(frozen=True, eq=False)
class RunResult:
    """The artifacts of one run."""

    config: RunConfig
    dataset: Dataset
    features: Features
    clustering: Clustering
    projection: Projection
    metrics: dict
    timings: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def run_pipeline(config: RunConfig, progress: ProgressFn = no_progress,
                 dataset: Dataset | None = None, should_stop=None,
                 checkpoint_dir=None) -> RunResult:
    """Run every stage for a config.

    Parameters
    ----------
    config : RunConfig
    progress : callable
        ``progress(fraction_of_whole_run, message)``.
    dataset : Dataset, optional
        Already loaded data (skips loading).
    should_stop : callable, optional
        Returns True to cancel deep training between batches.
    checkpoint_dir : Path, optional
        Finished stages and deep-training checkpoints are kept here; a rerun with the
        same folder continues after the last finished stage or checkpoint.

    Returns
    -------
    RunResult

    Examples
    --------
    >>> result = run_pipeline(RunConfig(data="demo:iris", method="kmeans", clusters=3))
    >>> result.clustering.n_clusters, result.projection.xy.shape, result.metrics["acc"] > 0.8
    (3, (150, 2), True)
    """
    from .clusterers import cluster
    from .device import resolve_device

    config.validate()
    timings: dict[str, float] = {}
    weights = STAGE_WEIGHTS

    def stage_progress(stage):
        base = sum(weights[s] for s in STAGES[:STAGES.index(stage)])
        return lambda f, msg: progress(min(1.0, base + weights[stage] * f), msg)

    cache = StageCache(checkpoint_dir)

    def timed(stage, fn):
        stage_progress(stage)(0.0, f"{stage}...")
        start = time.perf_counter()
        if stage in STORED_STAGES:
            out = cache.get(stage, lambda: fn(stage_progress(stage)))
        else:
            out = fn(stage_progress(stage))
        timings[stage] = round(time.perf_counter() - start, 4)
        return out

    seed_global(config.seed)
    data = dataset or timed("load", lambda p: load_data(
        config.data, config.kind, text_column=config.text_column,
        label_column=config.label_column, id_column=config.id_column,
        drop_invalid=config.drop_invalid, image_size=config.image_size,
        map_columns=config.map_columns, feature_columns=config.feature_columns,
        ignore_columns=config.ignore_columns, fill_missing=config.fill_missing,
        transpose=config.transpose, images_root=config.images_root, progress=p))
    device = resolve_device(config.device)
    feats = timed("features", lambda p: featurize(data, config.representation, progress=p,
                                                  device=device,
                                                  shorten_long_texts=config.method == "auto"))
    from .auto import fits_on_sample
    from .sampled_map import MAP_SAMPLE

    # the shared k-NN graph serves a full UMAP map and the graph-based methods; k-means and
    # GMM on a map the data brings (or a sampled one) need none (minutes at a million rows),
    # nor does auto where it fits on a sample
    reads_knn = config.method not in KNN_FREE and not (
        config.method == "auto" and fits_on_sample(len(feats.X), modality_of(data, feats)))
    needs_knn = reads_knn or (data.map_xy is None and len(feats.X) <= MAP_SAMPLE)
    knn = timed("neighbours", lambda p: neighbour_graph(feats.X, config.seed)
                if needs_knn else None)
    clus = timed("cluster", lambda p: cluster(
        feats.X, config.method, config.clusters, random_state=config.seed, knn=knn,
        name=data.name, min_cluster_size=config.min_cluster_size, device=device, progress=p,
        image_shape=image_shape_of(data, feats), epochs=config.epochs,
        options=config.options or None, should_stop=should_stop,
        checkpoint_dir=cache.train_dir, modality=modality_of(data, feats),
        texts=texts_of(data, feats)))
    if data.map_xy is not None:  # the data brings its own map
        proj = timed("map", lambda p: Projection(data.map_xy, "columns"))
    else:  # the features, or the learned view the clusters were cut in
        rows, graph = clus.map_input(feats.X, knn)
        proj = timed("map", lambda p: project(rows, graph, config.seed, p, device=device))
    metrics = timed("metrics", lambda p: cluster_metrics(feats.X, clus.labels, data.labels,
                                                         random_state=config.seed,
                                                         confidence=clus.confidence))
    progress(1.0, "done")
    notes = tuple(data.notes) + tuple(feats.notes) + tuple(
        v for k, v in clus.info.items() if k in ("k_selection", "note", "long_texts"))
    k_note = top_note(int(clus.params.get("n_clusters", clus.n_clusters)))
    if config.clusters is None and "k_selection" in clus.info and k_note:
        notes += (k_note,)
    if "auto" in clus.info:
        notes += (f"auto chose {clus.info['auto']['winner']}: {clus.info['auto']['why']}.",)
    if clus.space is not None and data.map_xy is None:
        notes += (f"The map is laid out from {clus.info.get('space', 'the learned view')}, "
                  "the space the clusters were cut in.",)
    notes += unused_settings(config, data.modality)
    return RunResult(config, data, feats, clus, proj, metrics, timings, notes)


def unused_settings(config: RunConfig, modality: str) -> tuple[str, ...]:
    """A sentence for each setting given that the run's method or data did not use.

    Examples
    --------
    >>> print(*unused_settings(RunConfig(data="x.csv", method="kmeans", epochs=5), "table"))
    Training epochs (--epochs 5) are a deep method's; 'kmeans' trains none, so they were not used.
    >>> unused_settings(RunConfig(data="x.csv", method="hdbscan", min_cluster_size=5), "table")
    ()
    """
    from .clusterers import METHODS

    notes = []
    if config.epochs and METHODS[config.method].family != "deep":
        notes.append(f"Training epochs (--epochs {config.epochs}) are a deep method's; "
                     f"'{config.method}' trains none, so they were not used.")
    if config.min_cluster_size and config.method not in ("hdbscan", "umap-hdbscan"):
        notes.append(f"A minimum cluster size (--min-cluster-size {config.min_cluster_size}) "
                     f"is HDBSCAN's; '{config.method}' does not take one, so it was not used.")
    if config.image_size and modality != "images":
        notes.append(f"An image size (--image-size {config.image_size}) is for images; the "
                     f"data was read as {modality}, so it was not used.")
    if config.images_root and modality != "images":
        notes.append(f"A folder of images (--images-root {config.images_root}) is for a table "
                     f"naming image files; the data was read as {modality}, so it was not used.")
    return tuple(notes)


def image_shape_of(data: Dataset, feats: Features) -> tuple[int, ...] | None:
    """The image shape when the features are the images' pixels (for augmentations)."""
    if feats.representation == "pixels" and data.images is not None:
        return tuple(data.images.shape[1:])
    return None


def modality_of(data: Dataset, feats: Features) -> str:
    """What ``auto`` is told the rows are (it picks the learned view).

    ``counts`` for a table read as counts (its features are principal components, not the
    table's columns), else the data's modality.
    """
    return COUNTS if feats.representation == COUNTS else data.modality


def texts_of(data: Dataset, feats: Features) -> list[str] | None:
    """The texts when the features are their MiniLM embeddings (for ``auto``'s text view)."""
    if feats.representation == "minilm" and data.texts is not None:
        return list(data.texts)
    return None


def neighbour_graph(X: np.ndarray, seed: int) -> KnnGraph | None:
    """The 15-nearest-neighbour graph UMAP-based stages share (None for tiny data)."""
    if len(X) < TINY:
        return None
    return knn_graph(X, n_neighbors=15, random_state=seed)


def seed_global(seed: int) -> None:
    """Seed Python's and NumPy's global generators (for libraries that read them)."""
    import random

    random.seed(seed)
    np.random.seed(seed % (2**32))  # noqa: NPY002 - libraries that read the global state
