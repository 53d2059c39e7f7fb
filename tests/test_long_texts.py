"""``auto`` on long texts: the view of their words where the sentence model reads too little."""

from __future__ import annotations

import numpy as np
import pytest

from clustering import cluster
from clustering.auto_progress import WORDS_VOTE_SHARE, phase_spans
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


def test_the_words_umaps_report_after_the_features_vote_in_the_candidates_phase():
    """With long texts the candidates phase holds five UMAPs: the features' vote's two, then
    the words view's three. Until stop 81 the first two filled 0.8 of the phase and the
    words' three reported nothing (7.3 s at 5,000 manual pages, 4.2 s of it theirs)."""
    texts, _, openings = long_texts()
    reports = []
    cluster(openings, "auto", 3, modality="text", texts=texts, random_state=0,
            progress=lambda f, msg: reports.append((f, msg)))
    spans = phase_spans("features", words=True, rows=len(texts))
    start, end = spans["candidates"]
    vote = [f for f, m in reports if "UMAP of the features, seed 3/3, epoch" in m]
    words = [f for f, m in reports if "UMAP of the long texts' words, seed" in m]
    assert vote and words
    assert (max(vote) - start) / (end - start) == pytest.approx(WORDS_VOTE_SHARE, abs=0.01)
    assert max(vote) <= min(words) and max(words) <= end
    assert (max(words) - start) / (end - start) > 0.95
    assert [f for f, _ in reports] == sorted(f for f, _ in reports)


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


def test_large_collections_of_long_texts_are_read_to_a_shorter_window_on_a_cpu(monkeypatch):
    """The sentence model's word pieces are what a long collection's embedding costs."""
    from clustering import text_budget
    from clustering.text_budget import WINDOW_OVERRIDE, reading_window

    monkeypatch.delenv(WINDOW_OVERRIDE, raising=False)
    texts = ["cat " * 598] * 20  # 600 word pieces each: 58 % past the window of 256
    assert reading_window(texts) == (None, None)  # 5,120 pieces: well inside the budget
    monkeypatch.setattr(text_budget, "WORD_PIECE_BUDGET", 2_000)
    window, note = reading_window(texts)
    assert window == 96  # 20 x 96 = 1,920 pieces; 20 x 128 would be 2,560
    assert "first 96 word pieces" in note and f"{WINDOW_OVERRIDE}=256" in note
    assert reading_window(texts, device="cuda") == (None, None)  # a GPU reads them whole
    assert reading_window(texts, automatic=False) == (None, None)  # methods other than auto
    assert reading_window(["cat " * 200] * 20) == (None, None)  # short: nothing unread
    assert reading_window(["cat " * 598] * 40)[0] == 64  # 2,560 pieces even so: not less
    monkeypatch.setenv(WINDOW_OVERRIDE, "256")
    assert reading_window(texts) == (None, None)
    monkeypatch.setenv(WINDOW_OVERRIDE, "32")
    assert reading_window(["a short text"])[0] == 32
    monkeypatch.setenv(WINDOW_OVERRIDE, "all")
    assert reading_window(["a short text"]) == (None, None)  # ignored, with a warning


def test_a_run_records_the_window_its_texts_were_read_to(tmp_path, monkeypatch):
    import pandas as pd

    from clustering import text_budget
    from clustering.pipeline import RunConfig, run_pipeline
    from clustering.text_features import TEST_EMBEDDER

    monkeypatch.setenv(TEST_EMBEDDER, "hashing")
    monkeypatch.delenv(text_budget.WINDOW_OVERRIDE, raising=False)
    monkeypatch.setattr(text_budget, "WORD_PIECE_BUDGET", 10_000)
    texts, y, _ = long_texts(90)
    path = tmp_path / "posts.csv"
    pd.DataFrame({"body": texts, "topic": y}).to_csv(path, index=False)
    result = run_pipeline(RunConfig(data=str(path), kind="text", text_column="body",
                                    label_column="topic", clusters=3, seed=0))
    assert result.features.transform()["text_window"] == 96  # 90 x 96 = 8,640 pieces
    assert any("read the first 96 word pieces of each" in note for note in result.notes)
    assert result.metrics["acc"] > 0.9  # auto still reads every word in their words' view
    kmeans = run_pipeline(RunConfig(data=str(path), kind="text", text_column="body",
                                    method="kmeans", clusters=3, seed=0))
    assert "text_window" not in kmeans.features.transform()  # sees the embedding alone


@pytest.mark.slow
def test_the_sentence_model_reads_only_the_window_it_is_given(monkeypatch):
    import pandas as pd

    from clustering.dataset import Dataset
    from clustering.features import featurize_like
    from clustering.text_features import minilm_embed

    monkeypatch.setenv("CLUSTERLAB_CPU_BF16", "0")
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda".split()
    long = " ".join(words * 40)  # 440 word pieces
    head = " ".join(words[:6])
    cut, opening, whole = minilm_embed([long, head, long], window=8)  # [CLS] + 6 + [SEP]
    np.testing.assert_allclose(cut, opening, atol=1e-5)
    assert not np.allclose(minilm_embed([long])[0], opening, atol=1e-2)
    np.testing.assert_allclose(cut, whole)
    again = minilm_embed([long])  # the shared model's own window is back
    np.testing.assert_allclose(again[0], minilm_embed([long])[0])
    new = Dataset(name="new", modality="text", ids=np.array(["a"], dtype=object),
                  table=pd.DataFrame(index=range(1)), texts=[long])
    transform = {"representation": "minilm", "names": [f"dim_{j}" for j in range(384)],
                 "text_window": 8}  # new rows are read as the run read its own
    np.testing.assert_allclose(featurize_like(new, transform)[0], opening, atol=1e-5)


def test_texts_in_other_scripts_are_judged_in_their_words_too():
    """The sentence model learned English: texts mostly in other scripts also get the view
    of their words, Chinese read as pairs of characters (stop 68)."""
    from clustering.auto_views import OTHER_SCRIPTS

    topics = [["火箭", "轨道", "彗星", "望远镜", "月亮", "发射"],
              ["面包", "烤箱", "酵母", "面粉", "烘焙", "黄油"],
              ["进球", "比赛", "前锋", "联赛", "裁判", "点球"]]
    filler = ["今天", "我们", "大家", "时候", "已经", "觉得", "事情", "这个"]
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 150)
    texts = ["，".join(rng.choice(filler, 6).tolist() + rng.choice(topics[t], 3).tolist())
             + "。" for t in y]
    unread = rng.normal(size=(150, 32)).astype(np.float32)  # a model that reads none of it
    result = cluster(unread, "auto", 3, modality="text", texts=texts, random_state=0)
    assert 1 - result.info["text_latin_share"] >= OTHER_SCRIPTS
    assert "letters are not Latin" in result.info["long_texts"]
    assert result.info["auto"]["winner"].startswith(f"{WORDS}-")
    assert cluster_metrics(unread, result.labels, y)["acc"] > 0.9
