"""A labelled text corpus that is available offline: docstrings of installed libraries.

Each document is the first paragraph of a public function's or method's docstring; its
label is the topic of the module it comes from. Nothing is downloaded: the text ships
with Python, NumPy, pandas, Pillow and the standard library.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import pkgutil
import warnings

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


def _as_recorded() -> None:
    """Load the embedding model's libraries before walking the standard library.

    They patch it: PyTorch replaces ``inspect.getfile``, transformers adds ``warning_once``
    and two more methods to ``logging.Logger``. Every recorded run built the corpora with
    them loaded (the suite imports them first), so a script that built ``tool-docs`` before
    them got 286 texts instead of 289, and another draw of ``stdlib-docs`` (stop 49).
    """
    import torch  # noqa: F401
    import transformers  # noqa: F401


def docstring_corpus(topics: dict | None = None, name: str = "docstrings",
                     source: str = "benchmarks:docstrings") -> Dataset:
    """The corpus as a text :class:`Dataset` (labels = topic).

    ``topics`` maps a topic to the modules or classes whose docstrings it takes (default
    :data:`TOPICS`).
    """
    _as_recorded()
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


PACKAGES = ("scipy", "sympy", "pandas", "numpy", "sklearn")
"""Packages :func:`package_corpus` walks (all installed with the project: SymPy comes with
PyTorch); about 6,400 distinct first paragraphs."""


def _package_paragraphs(top: str) -> list[tuple[str, str]]:
    """(qualified name, first paragraph) of every public callable defined in ``top``."""
    pkg = importlib.import_module(top)
    modules = [pkg]
    for info in pkgutil.walk_packages(pkg.__path__, f"{top}.",
                                      onerror=lambda name: None):
        parts = info.name.split(".")[1:]
        if any(p.startswith("_") or p in ("tests", "test", "testing", "conftest")
               for p in parts):
            continue
        try:
            modules.append(importlib.import_module(info.name))
        except Exception:  # noqa: BLE001 - optional submodules that do not import here
            continue
    rows = []
    for module in modules:
        for name in dir(module):
            member = getattr(module, name, None) if not name.startswith("_") else None
            if callable(member) and str(getattr(member, "__module__", "")).startswith(top):
                text = _first_paragraph(getattr(member, "__doc__", None))
                if text:
                    rows.append((f"{module.__name__}.{name}", text))
    return rows


def package_corpus(n: int = 5000, seed: int = 0) -> Dataset:
    """``n`` docstrings of :data:`PACKAGES`, labelled by package: a large text case.

    Each distinct first paragraph is kept once (under the package that defines it); ``n``
    of them are drawn at random. Used by ``benchmarks/auto_budget.py`` for the time budget
    of ``auto`` on 5,000 texts; the labels (which package) make a hard topic task, as
    NumPy, SciPy and pandas share much of their vocabulary.
    """
    rows, seen = [], set()
    quiet = io.StringIO()  # some modules print or warn when imported (sympy.this, PIL)
    with warnings.catch_warnings(), contextlib.redirect_stdout(quiet), \
            contextlib.redirect_stderr(quiet):
        warnings.simplefilter("ignore")
        for top in PACKAGES:
            for name, text in _package_paragraphs(top):
                if text not in seen:
                    seen.add(text)
                    rows.append((name, text, top))
    if len(rows) < n:
        raise ValueError(f"only {len(rows)} docstrings found in {PACKAGES}, fewer than {n}")
    keep = np.sort(np.random.default_rng(seed).choice(len(rows), n, replace=False))
    frame = pd.DataFrame([rows[i] for i in keep], columns=["id", "text", "package"])
    return Dataset(name=f"package-text-{n}", modality="text",
                   ids=frame["id"].to_numpy(dtype=object),
                   table=pd.DataFrame(index=range(len(frame))),
                   labels=frame["package"].to_numpy(dtype=object),
                   texts=frame["text"].tolist(), source=f"benchmarks:package-text:{n}")


if __name__ == "__main__":
    data = docstring_corpus()
    counts = pd.Series(data.labels).value_counts()
    print(data.n, "documents")
    print(counts.to_string())
    print(np.random.default_rng(0).choice(data.texts, 3))
