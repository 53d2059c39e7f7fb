"""Turn a :class:`Dataset` into a numeric feature matrix (the ``Features`` record)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .count_tables import COUNTS, count_features, counts_like, looks_like_counts
from .dataset import Dataset
from .errors import InputError
from .progress import ProgressFn, no_progress
from .validation import check_not_identical, drop_constant_columns

__all__ = ["REPRESENTATIONS", "Features", "featurize", "featurize_like"]


REPRESENTATIONS = {
    "auto": "the default for the data: scaled table, pixels, MiniLM text embedding, embeddings",
    "raw": "numbers as loaded, no scaling (categoricals one-hot)",
    "scaled": "each column standardised to mean 0, sd 1 (categoricals one-hot)",
    "pixels": "image pixels scaled to 0..1",
    "minilm": "all-MiniLM-L6-v2 sentence embedding (384-D, offline)",
    "tfidf": "TF-IDF of words reduced to 100-D with truncated SVD (light, no model)",
    COUNTS: "a table of counts (reads per gene or taxon, words): rows scaled to the median "
            "total, log(1 + x), 50 principal components of the 2,000 most variable columns",
}


@dataclass(frozen=True, eq=False)
class Features:
    """A numeric matrix ready for clustering.

    Parameters
    ----------
    X : ndarray of float32, shape (n, d)
    names : tuple of str, length d
        Column names (original columns, one-hot ``col=value``, ``px_r_c``, ``dim_j``).
    representation : str
        Key of :data:`REPRESENTATIONS` actually used.
    notes : tuple of str
        What featurisation changed (dropped constant columns).
    scaling : dict, optional
        ``{"columns", "mean", "sd"}`` of standardised numeric columns (``scaled`` tables),
        so new rows can be scaled the same way (:func:`featurize_like`).
    extra : dict
        Anything else new rows need to be featurised alike: ``text_window``, the word pieces
        the sentence model read of each text where it read fewer than its own 256
        (:func:`clustering.text_budget.reading_window`).
    """

    X: np.ndarray
    names: tuple[str, ...]
    representation: str
    notes: tuple[str, ...] = field(default_factory=tuple)
    scaling: dict | None = None
    extra: dict = field(default_factory=dict)

    def transform(self) -> dict:
        """What :func:`featurize_like` needs to compute these features for new rows."""
        return {"representation": self.representation, "names": list(self.names),
                "scaling": self.scaling, **self.extra}

    def __post_init__(self) -> None:
        """Check that the arrays agree in shape (``ValueError`` otherwise)."""
        if self.X.ndim != 2 or self.X.shape[1] != len(self.names):
            raise ValueError(f"X has shape {self.X.shape} but there are {len(self.names)} names")


def featurize(data: Dataset, representation: str = "auto", *, batch_size: int | None = None,
              progress: ProgressFn = no_progress, device: str = "cpu",
              shorten_long_texts: bool = False) -> Features:
    """Compute the feature matrix for a data set.

    Parameters
    ----------
    data : Dataset
    representation : str
        A key of :data:`REPRESENTATIONS`; ``auto`` picks the modality's default.
    batch_size : int, optional
        Texts per forward pass of the text model (default
        :data:`clustering.text_features.ENCODE_BATCH`).
    progress : callable
        ``progress(fraction, message)``.
    device : str
        Torch device for the text model.
    shorten_long_texts : bool
        Let the text model read a shorter opening of each text where a large collection of
        long texts would not keep to the time budget
        (:func:`clustering.text_budget.reading_window`). For ``auto`` only, which reads
        every word of long texts in their words' view; any other method sees the
        embedding alone, and the model reads its whole window (unless
        :data:`clustering.text_budget.WINDOW_OVERRIDE` sets one for every run).

    Returns
    -------
    Features

    Examples
    --------
    >>> from clustering.loaders import load_data
    >>> feats = featurize(load_data("demo:iris"))
    >>> feats.representation, feats.X.shape
    ('scaled', (150, 4))
    """
    rep = _resolve(data, representation)
    progress(0.0, f"features: {rep}")
    scaling, extra, notes_first = None, {}, []
    if rep in ("minilm", "tfidf"):
        from .text_features import ENCODE_BATCH, minilm_embed, tfidf_svd

        if rep == "minilm":
            from .text_budget import reading_window

            window, why = reading_window(data.texts, device, automatic=shorten_long_texts)
            X = minilm_embed(data.texts, batch_size=batch_size or ENCODE_BATCH,
                             progress=progress, device=device, window=window)
            extra = {"text_window": window} if window else {}
            notes_first = [why] if why else []
        else:
            X = tfidf_svd(data.texts)
        names = [f"dim_{j}" for j in range(X.shape[1])]
    elif rep == "pixels":
        X = data.images.reshape(data.n, -1).astype(np.float32) / 255.0
        names = _pixel_names(data.images.shape[1:])
        extra = {"pixel_range": list(data.pixel_range)} if data.pixel_range else {}
    elif data.modality == "embeddings" and rep in ("raw", "auto"):
        X, names = data.embeddings.astype(np.float32), list(data.feature_table().columns)
    elif rep == COUNTS:
        X, names, extra, note = count_features(data.feature_table(), data.name)
        notes_first = [note]
    else:
        if data.feature_table().shape[1] == 0:  # every number column an id or empty
            raise InputError(f"'{data.name}' has no column to cluster on: its columns "
                             f"({', '.join(map(repr, list(data.table.columns)[:6]))}) were left "
                             "out as ids or empty (the notes say which); name the columns to "
                             "cluster on (--feature-columns), or a column of texts "
                             "(--text-column).")
        X, names, scaling = _table_matrix(data.feature_table(), scale=(rep == "scaled"))
    dropped: list[str] = []
    if rep != "pixels":  # pixels keep their grid for image augmentations
        X, names, dropped = drop_constant_columns(X, list(names))
    notes = notes_first
    if dropped:
        shown = ", ".join(dropped[:8]) + (" ..." if len(dropped) > 8 else "")
        notes.append(f"Dropped {len(dropped)} constant column(s): {shown}.")
    check_not_identical(X, data.name)
    progress(1.0, f"features: {X.shape[1]} columns")
    return Features(np.ascontiguousarray(X, dtype=np.float32), tuple(names), rep, tuple(notes),
                    scaling, extra)


def _alike_pixels(data: Dataset, run_range: list[float] | None) -> np.ndarray:
    """New images brought to 8 bits as the run's were.

    A file of numbers is stretched to 0..255 by its own range when it is not 0..1 or
    0..255 (:func:`clustering.image_arrays.eight_bit_range`); new rows stretched by another
    range than the run's (a subset without the brightest value) are brought to the run's.
    New rows of 8-bit or 0..1 values are full scale, as they were read.

    Examples
    --------
    >>> from clustering.dataset import Dataset
    >>> import pandas as pd
    >>> new = Dataset("n", "images", np.array(["0"]), pd.DataFrame(index=[0]),
    ...               images=np.array([[[0, 255]]], np.uint8), pixel_range=(0.0, 15.0))
    >>> _alike_pixels(new, [0.0, 16.0]).tolist()  # 15 of 0..16
    [[[0, 239]]]
    >>> from dataclasses import replace
    >>> _alike_pixels(replace(new, pixel_range=(0.0, 1.0)), [0.0, 16.0]).tolist()
    [[[0, 255]]]
    """
    from .image_arrays import FULL_SCALE, to_eight_bits

    now = data.pixel_range
    if not run_range or not now or tuple(map(float, run_range)) == tuple(map(float, now)) \
            or tuple(map(float, now)) in FULL_SCALE:  # 8-bit or 0..1: full scale as read
        return data.images
    values = now[0] + data.images.astype(np.float32) * ((now[1] - now[0]) / 255.0)
    return to_eight_bits(values, float(run_range[0]), float(run_range[1]))


def featurize_like(data: Dataset, transform: dict, *, device: str = "cpu") -> np.ndarray:
    """Features of new rows, computed as a run computed its own.

    Same columns, same order, same scaling: what a saved model needs to assign them. Cells
    the loader filled (``fill_missing``) take the run's own column mean where the run scaled
    its columns.

    Parameters
    ----------
    data : Dataset
        The new rows.
    transform : dict
        :meth:`Features.transform` of the run.
    device : str
        Torch device for the text model.

    Returns
    -------
    ndarray of float32, shape (n, d)

    Raises
    ------
    InputError
        When the new data cannot give those features (missing columns, other image size,
        another modality, or a representation fitted to the training rows).
    """
    rep, names = transform["representation"], list(transform["names"])
    if rep == "tfidf":
        raise InputError("This run used TF-IDF features, which are fitted to its own texts; "
                         "run it again with the minilm representation to assign new texts.")
    if rep == "minilm":
        if data.texts is None:
            raise InputError("This run clustered texts; give new data with a text column.")
        from .text_features import minilm_embed

        X = minilm_embed(data.texts, device=device, window=transform.get("text_window"))
        return X[:, [int(n.split("_")[1]) for n in names]].astype(np.float32)
    if rep == "pixels":
        expected = len(names)
        if data.images is None or int(np.prod(data.images.shape[1:])) != expected:
            got = "no images" if data.images is None else f"images of {data.images.shape[1:]}"
            raise InputError(f"This run clustered images with {expected} pixel values each; "
                             f"the new data has {got}. Resize them to the run's size.")
        return _alike_pixels(data, transform.get("pixel_range")).reshape(
            data.n, -1).astype(np.float32) / 255.0
    table = data.table
    if rep == COUNTS:
        return counts_like(table, transform)
    scaling = transform.get("scaling") or {"columns": []}
    stats = dict(zip(scaling["columns"], zip(scaling.get("mean", []), scaling.get("sd", []),
                                             strict=True), strict=True))
    out, missing = np.zeros((data.n, len(names)), np.float32), []
    for j, name in enumerate(names):
        if name in table.columns and table[name].dtype.kind in "biuf":
            values = table[name].to_numpy(np.float64)
            if name in stats:
                values = (values - stats[name][0]) / stats[name][1]
                if data.filled and name in data.filled:  # the run's mean, not the new rows'
                    values[data.filled[name]] = 0.0
            out[:, j] = values
        elif "=" in name and name.split("=", 1)[0] in table.columns:
            column, value = name.split("=", 1)
            out[:, j] = (table[column].astype(str) == value).to_numpy(np.float32)
        else:
            missing.append(name)
    if missing:
        shown = ", ".join(missing[:8]) + (" ..." if len(missing) > 8 else "")
        raise InputError(f"The new data lacks {len(missing)} numeric column(s) the run was "
                         f"trained on: {shown}. Give the same columns as the run's data.")
    return out


def _resolve(data: Dataset, rep: str) -> str:
    if rep not in REPRESENTATIONS:
        raise InputError(f"Unknown representation '{rep}'; choose one of "
                         f"{', '.join(REPRESENTATIONS)}.")
    if rep == "auto" and data.modality == "table" and _all_counts(data):
        return COUNTS
    if rep == "auto":
        return {"table": "scaled", "images": "pixels", "text": "minilm",
                "embeddings": "raw", "series": "raw"}[data.modality]
    allowed = {"table": ("raw", "scaled", COUNTS), "series": ("raw", "scaled"),
               "images": ("pixels", "raw", "scaled"),
               "text": ("minilm", "tfidf"), "embeddings": ("raw", "scaled")}[data.modality]
    if rep not in allowed:
        raise InputError(f"Representation '{rep}' does not apply to {data.modality} data; use "
                         f"one of {', '.join(allowed)}.")
    if data.modality == "images" and data.images.ndim == 4 and rep != "pixels":
        return "pixels"
    return rep


def _all_counts(data: Dataset) -> bool:
    """Whether every feature column of a table holds counts (:func:`looks_like_counts`)."""
    table = data.feature_table()
    if any(table[c].dtype.kind not in "biuf" for c in table.columns):
        return False
    return looks_like_counts(table.to_numpy(dtype=np.float64))


def _pixel_names(shape: tuple[int, ...]) -> list[str]:
    h, w = shape[:2]
    if len(shape) == 2:
        return [f"px_{r}_{c}" for r in range(h) for c in range(w)]
    return [f"px_{r}_{c}_{ch}" for r in range(h) for c in range(w) for ch in "rgb"]


def _table_matrix(table: pd.DataFrame, scale: bool
                  ) -> tuple[np.ndarray, list[str], dict | None]:
    numeric = [c for c in table.columns if table[c].dtype.kind in "biuf"]
    categorical = [c for c in table.columns if c not in numeric]
    parts, names, scaling = [], [], None
    if numeric:
        values = table[numeric].to_numpy(dtype=np.float64)
        if scale:
            mean, sd = values.mean(axis=0), values.std(axis=0)
            sd = np.where(sd > 0, sd, 1.0)
            values = (values - mean) / sd
            scaling = {"columns": [str(c) for c in numeric], "mean": mean.tolist(),
                       "sd": sd.tolist()}
        parts.append(values)
        names += numeric
    if categorical:
        dummies = pd.get_dummies(table[categorical], prefix_sep="=", dtype=np.float64)
        parts.append(dummies.to_numpy())
        names += list(dummies.columns)
    return np.hstack(parts).astype(np.float32), names, scaling
