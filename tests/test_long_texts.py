"""``auto`` on long texts: the view of their words where the sentence model reads too little."""

from __future__ import annotations

import numpy as np
import pytest

from clustering import cluster
from clustering.auto_views import LONG_TEXTS, WORDS
from clustering.metrics import cluster_metrics
from clustering.text_features import hashing_embed, unread_share

FILLER = ["report", "today", "people", "house", "water", "music", "table", "letter", "garden",
          "window", "river", "paper", "family", "summer", "market", "friend"]
TOPICS = [["rocket", "orbit", "comet", "telescope", "moon", "launch", "planet", "galaxy"],
          ["bread", "oven", "yeast", "flour", "bake", "dough", "crust", "butter"],
          ["goal", "match", "striker", "league", "referee", "penalty", "keeper", "stadium"]]


def long_texts(n: int = 150, opening: int = 300, body: int = 300, seed: int = 0):
    """Texts whose first ``opening`` words are shared filler and whose topic comes after.

    Returns the texts, their topics, and vectors of what a reader of the first 200 words
    sees (hashed word counts of the openings: no topic in them).
    """
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    texts = [" ".join(list(rng.choice(FILLER, opening))
                      + list(rng.choice(TOPICS[t] + FILLER, body))) for t in y]
    openings = hashing_embed([" ".join(text.split()[:200]) for text in texts])
    return texts, y, openings


def test_the_unread_share_counts_the_word_pieces_past_the_sentence_models_window():
    assert unread_share(["a short text", "another one"]) == 0.0
    assert unread_share([]) == 0.0
    # "cat" is one word piece; with [CLS] and [SEP] a text of 998 is 1,000 pieces
    assert unread_share(["cat " * 998]) == pytest.approx((1000 - 256) / 1000)
    assert unread_share(["cat " * 998, "cat " * 98]) == pytest.approx((1000 - 256) / 1100)


def test_long_texts_are_judged_in_their_words_and_short_ones_are_not():
    texts, y, openings = long_texts()
    assert unread_share(texts) >= LONG_TEXTS
    result = cluster(openings, "auto", 3, modality="text", texts=texts, random_state=0)
    choice = result.info["auto"]
    assert {f"{WORDS}-umap-kmeans", f"{WORDS}-umap-kmeans-vote"} <= set(choice["scores"])
    assert "spectral" not in choice["scores"]  # measured with trained views only
    assert choice["criterion"].startswith("mean of the point and per-cluster neighbour "
                                          f"kappa on the {WORDS} graph")
    assert choice["winner"].startswith(f"{WORDS}-")
    assert result.info["text_unread_share"] >= LONG_TEXTS
    assert "the sentence model reads" in result.info["long_texts"]  # a note of the run
    assert result.info["space"].startswith(f"the {WORDS} view (")  # SVD of a 40-word vocabulary
    assert cluster_metrics(openings, result.labels, y)["acc"] > 0.95
    baseline = result.alternatives[:, choice["alternatives"].index("umap-kmeans")]
    assert cluster_metrics(openings, baseline, y)["acc"] < 0.6  # the openings hold no topic
    again = cluster(openings, "auto", 3, modality="text", texts=texts, random_state=0)
    assert np.array_equal(again.labels, result.labels)

    short = [" ".join(text.split()[300:340]) for text in texts]  # the topic, in 40 words
    plain = cluster(hashing_embed(short), "auto", 3, modality="text", texts=short,
                    random_state=0)
    assert plain.info["text_unread_share"] == 0.0 and "long_texts" not in plain.info
    assert not any(name.startswith(WORDS) for name in plain.info["auto"]["scores"])
    assert plain.info["auto"]["criterion"].split(" on the ")[1].startswith("features graph")


def test_a_run_on_a_file_of_long_texts_says_it_read_their_words(tmp_path, monkeypatch):
    import pandas as pd

    from clustering.pipeline import RunConfig, run_pipeline
    from clustering.text_features import TEST_EMBEDDER

    monkeypatch.setenv(TEST_EMBEDDER, "hashing")  # reads every word: the test is the run's path
    texts, y, _ = long_texts(90)
    path = tmp_path / "posts.csv"
    pd.DataFrame({"body": texts, "topic": y}).to_csv(path, index=False)
    result = run_pipeline(RunConfig(data=str(path), kind="text", text_column="body",
                                    label_column="topic", clusters=3, seed=0))
    assert WORDS in result.clustering.info["auto"]["scores_per_graph"]["umap-kmeans"]
    notes = " ".join(result.notes)
    assert "also read all their words" in notes
    assert result.metrics["acc"] > 0.9
