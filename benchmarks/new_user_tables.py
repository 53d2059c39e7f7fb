"""The tables and texts of ``new_user_files.py``: files as exports, reports and tools save them.

Stop 69's (pandas' JSON layouts, a workbook opening on notes, a total row, joined exports, HTML
posts, short product titles) and stop 70's (folders of text files, sheets of one header,
templated tickets, a survey on a scale). Each builder writes its file under ``folder`` and
returns its path and the true groups (by row, or by file for folders).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent

__all__ = [
    "wine_pandas_json", "wine_readme_sheet", "wine_total_row", "wine_joined",
    "docstrings_html", "product_titles", "wine_sheets_by_batch", "templated_tickets",
    "likert_survey", "newsgroups_folder", "docstrings_folder", "wine_european_named",
    "wine_european_3dp"]


def wine_frame():
    from sklearn.datasets import load_wine

    wine = load_wine(as_frame=True)
    return wine.data.copy(), wine.target.to_numpy()


def wine_pandas_json(folder: Path) -> tuple[Path, np.ndarray]:
    frame, y = wine_frame()
    path = folder / "wine.json"
    frame.to_json(path)  # pandas' default layout: one object of columns
    return path, y


def wine_readme_sheet(folder: Path) -> tuple[Path, np.ndarray]:
    frame, y = wine_frame()
    path = folder / "wine_supplement.xlsx"
    with pd.ExcelWriter(path) as book:
        pd.DataFrame({"About": ["Chemical analysis of 178 wines", "Source: UCI",
                                "Columns: see sheet 'data'"]}).to_excel(
            book, sheet_name="README", index=False)
        frame.to_excel(book, sheet_name="data", index=False)
    return path, y


def wine_total_row(folder: Path) -> tuple[Path, np.ndarray]:
    frame, y = wine_frame()
    frame.insert(0, "sample", [f"W{i:03d}" for i in range(len(frame))])
    total = frame.drop(columns="sample").sum().round(3).to_frame().T
    total.insert(0, "sample", "Total")
    path = folder / "wine_report.csv"
    pd.concat([frame, total]).to_csv(path, index=False)
    return path, y


def wine_joined(folder: Path) -> tuple[Path, np.ndarray]:
    frame, y = wine_frame()
    path = folder / "wine_joined.csv"
    path.write_text(frame.iloc[:90].to_csv(index=False) + frame.iloc[90:].to_csv(index=False))
    return path, y


def docstrings_html(folder: Path) -> tuple[Path, np.ndarray]:
    from quality_sets import docstrings

    data = docstrings()
    posts = [f'<div class="post"><h3>Entry {i}</h3><p>{" ".join(text.split())}</p><br/>'
             f'<a href="https://docs.example.org/{i}">read more</a></div>'
             for i, text in enumerate(data.texts)]
    path = folder / "docstrings_posts.csv"
    pd.DataFrame({"body": posts}).to_csv(path, index=False)
    return path, np.asarray(data.labels)


def product_titles(folder: Path) -> tuple[Path, np.ndarray]:
    rng = np.random.default_rng(0)
    kinds = {"shirts": ["cotton t-shirt", "linen shirt", "polo shirt", "flannel shirt"],
             "shoes": ["running shoes", "leather boots", "canvas sneakers", "suede loafers"],
             "kitchen": ["chef knife", "cast iron pan", "wooden spoon", "ceramic bowl"]}
    colours = ["red", "blue", "black", "white", "green", "grey"]
    titles, y = [], []
    for label, items in enumerate(kinds.values()):
        for _ in range(100):
            titles.append(f"{rng.choice(colours)} {rng.choice(items)} "
                          f"{rng.choice(['S', 'M', 'L', 'XL'])}")
            y.append(label)
    path = folder / "titles.csv"  # the kind beside each title, as the shop's export has it
    pd.DataFrame({"title": titles, "label": y}).to_csv(path, index=False)
    return path, np.asarray(y)


def wine_sheets_by_batch(folder: Path) -> tuple[Path, np.ndarray]:
    """Wine split over three sheets of one header (a batch each), as a lab's workbook keeps
    it; labels in the order the sheets are joined."""
    frame, y = wine_frame()
    batch = np.random.default_rng(0).integers(0, 3, len(frame))
    path = folder / "wine_batches.xlsx"
    with pd.ExcelWriter(path) as book:
        for b in range(3):
            frame[batch == b].to_excel(book, sheet_name=f"batch {b + 1}", index=False)
    return path, np.concatenate([y[batch == b] for b in range(3)])


def templated_tickets(folder: Path) -> tuple[Path, np.ndarray]:
    """300 support tickets from nine templates (three per queue), a third with an order
    number added: 104 distinct texts, most repeated; the queue as the label column."""
    rng = np.random.default_rng(0)
    queues = {
        "billing": ["I was charged twice for my subscription this month and need a refund",
                    "My invoice shows the wrong amount and the tax is missing from the bill",
                    "Please update the credit card on file because the old one expired"],
        "login": ["I cannot log in to my account since the password reset email never came",
                  "The two factor code is rejected every time I try to sign in on my phone",
                  "My account is locked after too many attempts and I need access today"],
        "shipping": ["The parcel has not arrived yet and the tracking page shows no update",
                     "My order was delivered to the wrong address and the courier will not help",
                     "The package arrived damaged and two items were missing from the box"]}
    texts, y = [], []
    for i in range(300):
        label = i % 3
        text = list(queues.values())[label][rng.integers(3)]
        if rng.random() < 0.35:
            text += f" (order {rng.integers(10_000)}) thanks"
        texts.append(text)
        y.append(label)
    path = folder / "tickets.csv"
    pd.DataFrame({"ticket": texts, "label": y}).to_csv(path, index=False)
    return path, np.asarray(y)


def likert_survey(folder: Path) -> tuple[Path, np.ndarray]:
    """600 respondents of four profiles answering 16 questions from 1 to 5, beside their
    age and years of schooling (continuous), as a survey tool exports it."""
    rng = np.random.default_rng(7)
    label = rng.integers(0, 4, 600)
    profiles = rng.integers(1, 6, (4, 16))
    answers = np.clip(profiles[label] + rng.integers(-1, 2, (600, 16)), 1, 5)
    frame = pd.DataFrame(answers, columns=[f"Q{i + 1}" for i in range(16)])
    frame["age"] = rng.normal(44, 13, 600).round(1)
    frame["schooling_years"] = rng.normal(13, 3, 600).round(1)
    frame["label"] = label
    path = folder / "survey.csv"
    frame.to_csv(path, index=False)
    return path, label


def text_files(folder: Path, name: str, texts, labels) -> tuple[Path, dict[str, int]]:
    """One .txt per text in a sub-folder per group (20 Newsgroups' layout); labels by file."""
    root = folder / name
    codes = pd.factorize(pd.Series(list(labels)))[0]
    truth = {}
    for i, (text, label) in enumerate(zip(texts, labels, strict=True)):
        file = f"{label}/{i:05d}.txt"
        (root / str(label)).mkdir(parents=True, exist_ok=True)
        (root / file).write_text(str(text), encoding="utf-8")
        truth[file] = int(codes[i])
    return root, truth


def newsgroups_folder(folder: Path) -> tuple[Path, dict[str, int]]:
    frame = pd.read_csv(ROOT / "data" / "newsgroups-long-tune.csv.gz")
    return text_files(folder, "newsgroups", frame["text"], frame["category"])


def docstrings_folder(folder: Path) -> tuple[Path, dict[str, int]]:
    from quality_sets import docstrings

    data = docstrings()
    return text_files(folder, "docstrings", data.texts, [f"topic{v}" for v in data.labels])


def wine_european_named(folder: Path) -> tuple[Path, np.ndarray]:
    """Wine as a European spreadsheet saves it (``;`` between cells, ``,`` in numbers), with
    a column naming each wine ("cellar 17 reserve") and the label (stop 78)."""
    frame, y = wine_frame()
    frame.insert(0, "wine", [f"cellar {i} reserve" for i in range(len(frame))])
    frame["label"] = y
    path = folder / "wine_named_european.csv"
    frame.to_csv(path, sep=";", decimal=",", index=False)
    return path, y


def wine_european_3dp(folder: Path) -> tuple[Path, np.ndarray]:
    """Wine saved the same way with three decimals in every number (``14,230``): each cell
    could as well be a whole number with a thousands comma (stop 78). Only its columns of
    values of 1 and more are kept: a ``0,280`` settles the commas for the whole table."""
    frame, y = wine_frame()
    frame = frame.loc[:, (frame >= 1).all()].copy()
    frame["label"] = y
    path = folder / "wine_european_3dp.csv"
    frame.to_csv(path, sep=";", decimal=",", float_format="%.3f", index=False)
    return path, y
