"""Texts longer than the sentence model reads are read in windows (clustering.text_windows)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from clustering.text_windows import plan_windows, pool_windows


def words(texts, **kwargs):
    """A tokenizer of whitespace-separated words with their character offsets, called as a
    Hugging Face tokenizer is (for the planning logic alone; the model's own is tested below)."""
    return {"offset_mapping": [[m.span() for m in re.finditer(r"\S+", text)] for text in texts]}


def test_a_text_that_fits_is_its_own_piece_and_a_long_one_is_cut_evenly_in_order():
    long = " ".join(f"w{i}" for i in range(10))
    plan = plan_windows(["short text", long], words, width=4)
    assert plan.pieces[0] == "short text"
    assert plan.pieces[1:] == ["w0 w1 w2", "w3 w4 w5 w6", "w7 w8 w9"]
    assert plan.owner.tolist() == [0, 1, 1, 1]
    assert plan.weight.tolist() == [2, 3, 4, 3]
    assert plan.per_text == 4


def test_windows_stop_at_the_cap_and_the_budget_never_below_one_window_each():
    long = " ".join(f"w{i}" for i in range(20))
    capped = plan_windows([long], words, width=4, max_windows=2)
    assert capped.pieces == ["w0 w1 w2 w3", "w4 w5 w6 w7"]
    # 2 texts x 3 windows x 4 = 24 words exceed a budget of 20: two windows each (16)
    tight = plan_windows([long, long], words, width=4, max_windows=3, budget=20)
    assert tight.per_text == 2 and len(tight.pieces) == 4
    # a budget below one window each: every text read as before, whole (the model cuts it)
    none = plan_windows([long, long], words, width=4, budget=5)
    assert none.pieces == [long, long] and none.per_text == 1


def test_pooled_vectors_are_the_length_weighted_mean_of_the_windows_normalised():
    long = " ".join(f"w{i}" for i in range(6))
    plan = plan_windows(["one", long], words, width=4)  # "one"; "w0 w1 w2", "w3 w4 w5"
    vectors = np.array([[0.0, 1.0], [1.0, 0.0], [0.6, 0.8]])
    pooled = pool_windows(vectors, plan, 2)
    np.testing.assert_allclose(pooled[0], [0.0, 1.0])
    mean = np.array([1.6, 0.8]) / np.linalg.norm([1.6, 0.8])
    np.testing.assert_allclose(pooled[1], mean, rtol=1e-6)


@pytest.mark.slow
def test_the_sentence_model_reads_past_its_first_256_word_pieces(monkeypatch):
    """A text whose first 300 words are about banking and last 300 about football: read whole,
    its vector lies between the two halves; cut after 256 word pieces (as before stop 50), it
    was the banking half alone."""
    from clustering.text_features import load_minilm, minilm_embed

    monkeypatch.setenv("CLUSTERLAB_CPU_BF16", "0")
    bank = "the central bank raised interest rates to fight inflation in the economy. " * 25
    ball = "the striker scored a late goal and the football team won the cup final. " * 25
    X = minilm_embed([bank + ball, bank, ball])
    first_part = load_minilm().encode([bank + ball], normalize_embeddings=True)[0]
    assert X[0] @ X[2] > 0.5 > first_part @ X[2]  # 0.72 and 0.11
    assert X[0] @ X[1] > 0.5  # 0.72
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, rtol=1e-5)
