"""``auto``'s progress bar: each phase fills its share of the time on the run's path."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits

from clustering import cluster
from clustering.auto_progress import PHASES, PLAN_WEIGHTS, VOTE_UMAPS_SHARE, phase_spans


@pytest.mark.parametrize("plan", sorted(PLAN_WEIGHTS))
@pytest.mark.parametrize("words", [False, True])
def test_every_path_splits_the_whole_bar_among_the_phases_it_takes(plan, words):
    spans = phase_spans(plan, words)
    assert list(spans) == list(PHASES)
    edges = [edge for phase in PHASES for edge in spans[phase]]
    assert edges[0] == 0.0 and edges[-1] == 1.0 and edges == sorted(edges)
    for phase, (start, end) in spans.items():
        taken = phase in PLAN_WEIGHTS[plan] or words and phase == "words"
        assert (end > start) == taken, phase


def test_the_contrastive_pretext_fills_the_bar_as_it_fills_the_time(monkeypatch):
    """On images the pretext is two thirds of ``auto``'s time (``demo:digits``; three
    quarters before stop 76's max-pooling): it filled 0.1-0.5 of the bar before stop 72, so
    the time left read from the pace inside the stage said "~3 min" through the pretext when
    30-100 s were left. Now its reports cover its share of the bar (0.65 of it, the first
    and last report a step inside), the SCAN heads come after, and the bar never goes back."""
    from clustering import auto_candidates, auto_views

    monkeypatch.setitem(auto_views.PRETEXT_STEPS, "contrastive", 40)
    monkeypatch.setattr(auto_candidates, "HEAD_STEPS", 40)
    digits = load_digits()
    X = (digits.data[:300] / 16.0).astype(np.float32)
    reports = []
    result = cluster(X, "auto", 10, modality="images", image_shape=(8, 8, 1),
                     progress=lambda f, msg: reports.append((f, msg)))
    assert "contrastive-scan" in result.info["auto"]["scores"]
    fractions = [f for f, _ in reports]
    assert fractions == sorted(fractions) and fractions[-1] <= 1.0
    pretext = [f for f, msg in reports if "contrastive pretext" in msg]
    heads = [f for f, msg in reports if "SCAN heads" in msg]
    assert max(pretext) - min(pretext) >= 0.55
    assert min(heads) >= max(pretext) and max(heads) - min(heads) >= 0.1


def test_the_fine_tuned_images_bar_follows_the_phases_at_50000_images():
    """At 50,000 photos the features' UMAP took 27 s, the fine-tuning and its UMAP 81 s,
    the candidates 9 s and the criterion's graphs 59 s (``eta_stop80.json``; 35 s of
    them untimed until stop 80); before stop 79 the bar gave the UMAP 3 % and the candidates
    34 %, and the time left shown was 177 s with 68 s left; until stop 80 the graphs 21 %."""
    measured = {"umap": 26.8, "finetuned": 81.0, "candidates": 8.8, "scoring": 58.7}
    spans = phase_spans("finetuned", rows=50_000)
    for phase, seconds in measured.items():
        share = spans[phase][1] - spans[phase][0]
        assert abs(share - seconds / sum(measured.values())) < 0.08, phase
    small = phase_spans("finetuned", rows=400)  # fine-tuning is nearly all of it
    assert small["finetuned"][1] - small["finetuned"][0] > 0.9


@pytest.mark.parametrize("plan, measured", [
    # 50,000 rows of mixed-table and of waveforms (benchmarks/results/scale_50000_stop80.json)
    ("scarf", {"umap": 24.4, "view": 11.0, "view-umap": 25.1, "candidates": 57.7, "heads": 29.5,
               "scoring": 6.7}),
    ("series", {"umap": 21.3, "view": 43.3, "view-umap": 23.0, "candidates": 1.9, "heads": 25.2,
                "scoring": 7.9}),
    # 50,000 program messages (no learned view; two runs' means)
    ("features", {"umap": 22.9, "candidates": 48.0, "scoring": 5.9}),
])
def test_the_table_signal_and_text_bars_follow_the_phases_at_50000_rows(plan, measured):
    """Before stop 80 only the fine-tuned images' shares grew with the rows: at 50,000 table
    rows the bar gave the SCAN heads 40 % of the stage (they took 19 %) and the candidates 23 %
    (37 %). The heads' share is theirs and their self-labelling's together."""
    spans = phase_spans(plan, rows=50_000)
    shares = {phase: spans[phase][1] - spans[phase][0] for phase in measured}
    if "heads" in shares:
        shares["heads"] += spans["self-label"][1] - spans["self-label"][0]
    for phase, seconds in measured.items():
        assert abs(shares[phase] - seconds / sum(measured.values())) < 0.08, phase


def test_umap_layouts_report_their_epochs_inside_autos_phases():
    """A UMAP of 50,000 rows takes 20-25 s on two cores, and ``auto`` draws three to six of
    them; until stop 80 none reported inside, so 50,000 texts gave 3 estimates of the time
    left in a 72 s stage. Each layout now reports its epochs (read from umap-learn's epoch
    bar), each within its own phase, and the bar never goes back."""
    from sklearn.datasets import make_blobs

    from clustering.projection import knn_graph, project, umap_embed

    X, _ = make_blobs(400, n_features=6, centers=3, random_state=0)
    X = X.astype(np.float32)
    layout = []
    shown = umap_embed(X, 2, knn_graph(X), 0, n_epochs=50,
                       progress=lambda f, m: layout.append((f, m)))
    assert len(layout) >= 2 and layout[-1] == (1.0, "epoch 50/50")
    assert np.array_equal(shown, umap_embed(X, 2, knn_graph(X), 0, n_epochs=50))  # same map
    assert [f for f, _ in layout] == sorted(f for f, _ in layout)
    shown_map = []
    project(X, progress=lambda f, m: shown_map.append((f, m)))  # the map stage's UMAP too
    assert any(m.startswith("map: UMAP epoch") and 0.05 <= f <= 0.95 for f, m in shown_map)

    reports = []
    cluster(X, "auto", 3, progress=lambda f, msg: reports.append((f, msg)))
    spans = phase_spans("features", rows=len(X))
    features = [f for f, m in reports if m.startswith("auto: UMAP view of the features, epoch")]
    vote = [f for f, m in reports if "seed 3/3, epoch" in m]
    assert features and vote
    assert spans["umap"][0] <= min(features) and max(features) <= spans["umap"][1]
    assert spans["candidates"][0] < min(vote) and max(vote) <= spans["candidates"][1]
    # the vote's UMAPs are 0.88-0.97 of the candidates phase's time; until stop 81 they
    # filled 0.8 of its span, and at 50,000 messages the time left read 5-11 s too long
    start, end = spans["candidates"]
    assert (max(vote) - start) / (end - start) == pytest.approx(VOTE_UMAPS_SHARE, abs=0.01)
    fractions = [f for f, _ in reports]
    assert fractions == sorted(fractions)
