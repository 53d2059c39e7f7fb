"""A labelled text corpus that is available offline: docstrings of installed libraries.

Each document is the first paragraph of a public function's or method's docstring; its
label is the topic of the module it comes from. Nothing is downloaded: the text ships
with Python, NumPy, pandas, Pillow and the standard library.
"""

from __future__ import annotations

import importlib
import inspect

import numpy as np
import pandas as pd

from clustering.dataset import Dataset

TOPICS = {
    "linear algebra and math": ["numpy.linalg", "numpy.fft", "math", "cmath", "statistics"],
    "random numbers": ["numpy.random", "random"],
    "data frames": ["pandas.DataFrame", "pandas.Series"],
    "images": ["PIL.Image", "PIL.ImageOps", "PIL.ImageFilter", "PIL.ImageDraw"],
    "internet and email": ["http.client", "urllib.request", "urllib.parse", "email.message",
                           "smtplib", "ftplib"],
    "files and paths": ["os.path", "shutil", "pathlib.Path", "glob", "tempfile"],
}


def _first_paragraph(doc: str | None) -> str | None:
    if not isinstance(doc, str) or not doc:
        return None
    para = inspect.cleandoc(doc).split("\n\n")[0].replace("\n", " ").strip()
    return para if 40 <= len(para) <= 600 else None


def _members(path: str):
    module_name, _, attr = path.rpartition(".")
    try:
        obj = importlib.import_module(path)
    except ImportError:
        obj = getattr(importlib.import_module(module_name), attr)
    for name in dir(obj):
        if not name.startswith("_"):
            member = getattr(obj, name, None)
            if callable(member):
                yield f"{path}.{name}", getattr(member, "__doc__", None)


def docstring_corpus(topics: dict | None = None, name: str = "docstrings",
                     source: str = "benchmarks:docstrings") -> Dataset:
    """The corpus as a text :class:`Dataset` (labels = topic).

    ``topics`` maps a topic to the modules or classes whose docstrings it takes (default
    :data:`TOPICS`).
    """
    rows, seen = [], set()
    for topic, modules in (topics or TOPICS).items():
        for path in modules:
            for name, doc in _members(path):
                text = _first_paragraph(doc)
                if text and text not in seen:
                    seen.add(text)
                    rows.append((name, text, topic))
    frame = pd.DataFrame(rows, columns=["id", "text", "topic"])
    return Dataset(name=name, modality="text", ids=frame["id"].to_numpy(dtype=object),
                   table=pd.DataFrame(index=range(len(frame))),
                   labels=frame["topic"].to_numpy(dtype=object),
                   texts=frame["text"].tolist(), source=source)


if __name__ == "__main__":
    data = docstring_corpus()
    counts = pd.Series(data.labels).value_counts()
    print(data.n, "documents")
    print(counts.to_string())
    print(np.random.default_rng(0).choice(data.texts, 3))
