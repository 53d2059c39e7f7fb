"""Built-in demo data sets: ``demo:digits``, ``demo:iris``, ``demo:wine``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .dataset import Dataset
from .errors import InputError

__all__ = ["DEMOS", "load_demo"]

DEMOS = {
    "digits": "1,797 handwritten digits as 8x8 gray images (scikit-learn), labels 0-9",
    "iris": "150 iris flowers, 4 measurements in cm, 3 species",
    "wine": "178 wines, 13 chemical measurements, 3 cultivars",
}


def load_demo(name: str) -> Dataset:
    """Load a built-in demo by name (``digits``, ``iris`` or ``wine``).

    Parameters
    ----------
    name : str
        Demo name, without the ``demo:`` prefix.

    Returns
    -------
    Dataset
    """
    if name == "digits":
        pixels, target = _digits()  # (n, 8, 8), values 0..16
        cols = [f"px_{r}_{c}" for r in range(8) for c in range(8)]
        table = pd.DataFrame(pixels.reshape(len(pixels), -1), columns=cols)
        images = np.clip(np.rint(pixels * (255.0 / 16.0)), 0, 255).astype(np.uint8)
        return Dataset(
            name="demo:digits", modality="images", ids=_row_ids(len(pixels)), table=table,
            labels=target, images=images, source="demo:digits", label_name="digit",
            pixel_range=(0.0, 16.0))
    from sklearn import datasets

    if name in ("iris", "wine"):
        bunch = getattr(datasets, f"load_{name}")(as_frame=True)
        frame = bunch.frame.drop(columns=["target"])
        frame.columns = [str(c).replace(" (cm)", "").replace(" ", "_") for c in frame.columns]
        labels = np.asarray(bunch.target_names)[bunch.target.to_numpy()]
        return Dataset(
            name=f"demo:{name}", modality="table", ids=_row_ids(len(frame)), table=frame,
            labels=labels.astype(str), source=f"demo:{name}",
            label_name="species" if name == "iris" else "cultivar",
        )
    known = ", ".join(f"demo:{k}" for k in DEMOS)
    raise InputError(f"There is no demo called 'demo:{name}'; the built-in demos are {known}.")


def _digits() -> tuple[np.ndarray, np.ndarray]:
    """Scikit-learn's digits: images (n, 8, 8) in 0..16 and labels.

    Read from the file scikit-learn ships, as ``sklearn.datasets.load_digits`` reads it,
    without importing scikit-learn (several seconds on a cold start, where the demo is the
    first page).
    """
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("sklearn")
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"
    data = np.loadtxt(path, delimiter=",")
    return data[:, :-1].reshape(-1, 8, 8), data[:, -1].astype(np.int64)


def _row_ids(n: int) -> np.ndarray:
    return np.array([str(i) for i in range(n)], dtype=object)
