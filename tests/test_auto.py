"""``auto``: learned views and candidates chosen without labels (signals: ``test_series.py``)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from clustering import cluster
from clustering.auto import BASELINE, cluster_kappa, criterion, neighbour_kappa
from clustering.errors import InputError
from clustering.metrics import cluster_metrics
from helpers import stripes_and_discs


def rings(n: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric noisy rings: k-means cuts them in halves."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = np.where(y == 0, 1.0, 3.0) + rng.normal(0, 0.1, n)
    X = np.c_[radius * np.cos(angle), radius * np.sin(angle)]
    return X.astype(np.float32), y


def test_neighbour_kappa_prefers_the_clusters_neighbours_agree_on():
    X, y = rings(200)
    from clustering.deep.spaces import mine_neighbours

    nbrs = mine_neighbours(X, 10, 0)
    halves = (X[:, 0] > 0).astype(int)
    assert neighbour_kappa(y, nbrs) > 0.99
    assert neighbour_kappa(halves, nbrs) < 0.95  # cutting each ring parts neighbours
    assert neighbour_kappa(np.zeros(200, dtype=int), nbrs) == 0.0  # one cluster: no signal


def test_the_criterion_sees_groups_merged_to_spend_clusters_on_outliers():
    """Stop 18's failure on the tuning table: k-means merged two pairs of groups and gave
    the clusters it saved to outliers, and kept more neighbour pairs together than the right
    answer. Counting every cluster alike, the criterion prefers the right one."""
    from clustering.deep.spaces import mine_neighbours

    rng = np.random.default_rng(0)
    centres = np.array([[0, 0], [2.2, 0], [20, 0], [22.2, 0]])
    y = np.repeat(np.arange(4), 150)
    X = np.vstack([centres[y] + rng.normal(0, 0.6, (600, 2)),
                   [[10, 30], [10, 31], [11, 30], [-20, -20]]]).astype(np.float32)
    nbrs = mine_neighbours(X, 20, 0)
    right = np.r_[y, 0, 0, 0, 0]
    merged = np.r_[y // 2, 2, 2, 2, 3]  # two pairs merged, outliers as clusters 2 and 3
    assert neighbour_kappa(merged, nbrs) > neighbour_kappa(right, nbrs)
    assert cluster_kappa(merged, nbrs) < cluster_kappa(right, nbrs)
    assert criterion(merged, nbrs) < criterion(right, nbrs)


def test_tiny_data_records_the_choice_and_every_criterion_value():
    X, y = rings(150)
    result = cluster(X, "auto", 2)
    choice = result.info["auto"]
    assert choice["winner"] in choice["scores"]
    assert {"kmeans", BASELINE} <= set(choice["scores"])
    assert choice["scores"][choice["winner"]] == max(choice["scores"].values())
    assert "keeps nearest neighbours together" in choice["why"]
    assert choice["runner_up"] in choice["scores"] and choice["runner_up"] != choice["winner"]
    assert -1.0 <= choice["runner_up_ari"] <= 1.0
    json.dumps(result.info)  # goes into run.json


def test_texts_get_no_kmeans_candidate_on_their_sentence_embeddings():
    from clustering.auto_candidates import NO_RAW_KMEANS

    X, _ = rings(150)
    assert "kmeans" in cluster(X, "auto", 2, random_state=0).info["auto"]["scores"]
    assert "text" in NO_RAW_KMEANS
    text = cluster(X, "auto", 2, random_state=0, modality="text").info["auto"]
    assert "kmeans" not in text["scores"] and BASELINE in text["scores"]
    assert text["winner"] in text["scores"]


def test_a_narrow_table_trains_no_scarf_view_and_says_why():
    """With 4 columns SCARF's two corrupted copies share no original value half the time."""
    from clustering.auto_views import MIN_SCARF_COLUMNS

    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    X = (np.eye(3, 4)[y] * 4 + rng.normal(size=(300, 4))).astype(np.float32)
    result = cluster(X, "auto", 3, random_state=0)
    assert X.shape[1] < MIN_SCARF_COLUMNS
    assert "4 columns" in result.info["views_skipped"]["scarf"]
    assert not any(name.startswith("scarf") for name in result.info["auto"]["scores"])
    # the vote over UMAP seeds is a candidate; here every seed finds the three groups
    vote = result.info["auto"]["alternatives"].index("umap-kmeans-vote")
    assert cluster_metrics(X, result.alternatives[:, vote], y)["acc"] > 0.95


@pytest.mark.slow
def test_auto_picks_a_candidate_that_splits_rings_and_is_deterministic():
    X, y = rings()
    first = cluster(X, "auto", 2, random_state=3)
    assert cluster_metrics(X, first.labels, y)["acc"] > 0.95
    assert first.info["auto"]["winner"] != "kmeans"
    kmeans_acc = cluster_metrics(X, cluster(X, "kmeans", 2).labels, y)["acc"]
    assert kmeans_acc < 0.8  # the case is one k-means gets wrong
    again = cluster(X, "auto", 2, random_state=3)
    np.testing.assert_array_equal(first.labels, again.labels)
    assert first.info["auto"]["scores"] == again.info["auto"]["scores"]


def test_the_cli_runs_auto_by_default_and_run_json_says_what_won(tmp_path):
    from tests.helpers import tiny_table
    from workspace.cli import main

    data = tiny_table(tmp_path)
    out = tmp_path / "out"
    assert main(["run", "--data", str(data), "--id-column", "item", "--label-column", "group",
                 "--clusters", "3", "--out", str(out)]) == 0
    run = json.loads((out / "run.json").read_text())
    assert run["method"] == "auto" and run["config"]["method"] == "auto"
    choice = run["fit_info"]["auto"]
    assert run["params"]["pipeline"] == choice["winner"]
    assert set(choice["scores"]) >= {"kmeans", BASELINE}
    assert any(note.startswith("auto chose") for note in run["notes"])
    assert run["metrics"]["acc"] == 1.0


@pytest.mark.slow
@pytest.mark.parametrize("both", [False, True], ids=["cpu", "both-views"])
def test_images_of_16_px_and_more_get_the_fine_tuned_view_as_candidates(monkeypatch, both):
    """On the CPU the fine-tuned view replaces the contrastive one; where both fit (a GPU),
    both are trained and the criterion reads both graphs. The second run also has its
    fine-tuning cut by a budget no step fits in, and says so; the first, by a run budget
    that the rest of the run already spends."""
    from clustering import auto_views

    monkeypatch.setattr(auto_views, "BOTH_IMAGE_VIEWS_ON_CPU", both)
    monkeypatch.setattr(auto_views, "FINETUNE_LEAST_STEPS", 30)
    if both:
        monkeypatch.setattr(auto_views, "FINETUNE_SECONDS", {"cpu": 1e-6, "gpu": 1e-6})
    else:
        monkeypatch.setattr(auto_views, "RUN_SECONDS", {"cpu": 1.0, "gpu": None})
    images, kinds = stripes_and_discs(220, 16, seed=1)
    X = images.reshape(len(images), -1).astype(np.float32) / 255.0
    reports = []
    result = cluster(X, "auto", 2, modality="images", image_shape=(16, 16, 3),
                     progress=lambda f, msg: reports.append((f, msg)))
    choice = result.info["auto"]
    assert {"finetuned-kmeans", "finetuned-umap-kmeans", "finetuned-merge"} <= set(choice["scores"])
    fractions = [f for f, _ in reports]
    assert fractions == sorted(fractions)  # never back, whatever span the fine-tuning had
    tuning = [f for f, msg in reports if "fine-tuning" in msg]
    # alone (on the CPU) the fine-tuning is most of auto's time, and of its progress
    assert max(tuning) - min(tuning) >= (0.1 if both else 0.5) * (max(fractions) - min(fractions))
    # then every image is read through the encoder, with its own reports (stop 79: at
    # 50,000 images longer than the steps, and the bar stood still through it)
    reading = [f for f, msg in reports if "reading the images through" in msg]
    assert len(reading) >= 2 and min(reading) >= max(tuning)
    assert choice["seconds"]["view:finetuned"] > 0
    assert "kmeans" not in choice["scores"]  # on the raw pixels: never picked beside a view
    graphs = set(choice["scores_per_graph"]["umap-kmeans"])
    assert {"finetuned", "finetuned (UMAP)"} <= graphs  # 1,280-D: read both ways
    assert "contrastive (UMAP)" not in graphs
    assert result.info["finetune"]["planned"] == auto_views.FINETUNE_STEPS["cpu"]
    assert result.info["finetune"]["steps"] == 30 and result.info["finetune"]["cut"]
    assert "fine-tuned 30 of its 150 steps" in result.info["note"]
    if both:
        assert "contrastive-scan" in choice["scores"] and "contrastive" in graphs
    else:
        assert result.info["finetune"]["budget_s"] == 0  # 1 s: spent before it starts
        assert "near its 1 s" in result.info["note"]
        assert not any(name.startswith("contrastive") for name in choice["scores"])
        assert "contrastive" not in graphs and "view:contrastive" not in choice["seconds"]
        assert "time budget" in result.info["views_skipped"]["contrastive"]
    assert cluster_metrics(X, result.labels, kinds)["acc"] >= 0.9


def test_a_view_wider_than_the_limit_is_also_read_through_the_graph_of_its_umap():
    from sklearn.datasets import make_blobs

    from clustering.auto import _Run
    from clustering.auto_graphs import UMAP_GRAPH_ABOVE

    _, y = make_blobs(300, centers=3, random_state=0)
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 1, (3, UMAP_GRAPH_ABOVE + 1))
    wide = (centres[y] + rng.normal(0, 0.3, (300, UMAP_GRAPH_ABOVE + 1))).astype(np.float32)
    reports = []
    run = _Run(rng.normal(0, 1, (300, 5)).astype(np.float32), 3, 0, None, None,
               lambda f, msg: reports.append((f, msg)))
    run.plan("finetuned")
    run.views = {"finetuned": wide, "scarf": wide[:, :64].copy(), "scarf-umap": wide[:, :10]}
    graphs = run.graphs(50)
    assert set(graphs) == {"features", "finetuned", "finetuned (UMAP)", "scarf"}
    assert graphs["finetuned (UMAP)"].shape == (300, 50)
    assert (y[graphs["finetuned (UMAP)"]] == y[:, None]).mean() > 0.95  # a graph of the view
    # every graph drawn is timed and reported inside the scoring phase (stop 80: at 50,000
    # images they were 35 s that neither covered)
    assert {f"graph:{name}" for name in graphs} <= set(run.seconds)
    start, end = run.spans["scoring"]
    assert [msg for _, msg in reports if "epoch" not in msg] == [
        "auto: the 50 nearest neighbours in the features",
        "auto: the 50 nearest neighbours in the finetuned view",
        "auto: the 50 nearest neighbours in a UMAP of the finetuned view",
        "auto: the 50 nearest neighbours in the scarf view"]
    assert "auto: a UMAP of the finetuned view, epoch 200/200" in [m for _, m in reports]
    assert all(start <= f < end for f, _ in reports)
    assert [f for f, _ in reports] == sorted(f for f, _ in reports)


def topic_texts(n: int = 300, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Short texts on three topics, each a random draw of its topic's words and fillers."""
    rng = np.random.default_rng(seed)
    words = [["rocket", "orbit", "comet", "telescope", "moon", "launch", "planet"],
             ["bread", "oven", "yeast", "flour", "bake", "dough", "crust"],
             ["goal", "match", "striker", "league", "referee", "penalty", "keeper"]]
    filler = ["the", "a", "report", "today", "new", "about", "we", "saw", "long"]
    y = rng.integers(0, 3, n)
    texts = [" ".join(rng.permutation(list(rng.choice(words[t], 4)) + list(rng.choice(filler, 4))))
             for t in y]
    return texts, y


def test_augmented_text_copies_keep_most_words_and_change_some():
    from clustering.deep.text_view import augment_text, augmented_copies

    rng = np.random.default_rng(0)
    text = "the quick brown fox jumps over the lazy dog near the river bank"
    copies = [augment_text(text, rng, ["cat", "hill"]) for _ in range(20)]
    assert len(set(copies)) > 10  # random edits
    for copy in copies:
        kept = set(copy.split()) & set(text.split())
        assert len(kept) >= 6 and 0 < len(copy.split()) <= len(text.split())
    texts, _ = topic_texts(50)
    rows, (a1, a2) = augmented_copies(texts, lambda batch: np.eye(len(batch), 8), 0,
                                      max_rows=30)
    assert len(rows) == 30 and len(set(rows)) == 30 and a1.shape == a2.shape == (30, 8)


@pytest.mark.slow
def test_texts_get_a_learned_view_and_its_clustering_head_when_asked(monkeypatch):
    from clustering.text_features import TEST_EMBEDDER, minilm_embed

    monkeypatch.setenv(TEST_EMBEDDER, "hashing")
    texts, y = topic_texts()
    X = minilm_embed(texts)
    plain = cluster(X, "auto", 3, modality="text", texts=texts, random_state=0)
    assert "sccl" not in plain.info["auto"]["scores_per_graph"][BASELINE]  # off by default
    result = cluster(X, "auto", 3, modality="text", texts=texts, random_state=0,
                     options={"text_view": True})
    choice = result.info["auto"]
    assert {"sccl-kmeans", "sccl-umap-kmeans", "sccl-scan", "sccl-head"} <= set(choice["scores"])
    assert "sccl" in choice["scores_per_graph"][BASELINE]
    assert choice["seconds"]["view:sccl"] > 0
    head = result.alternatives[:, choice["alternatives"].index("sccl-head")]
    assert cluster_metrics(X, head, y)["acc"] > 0.9
    assert cluster_metrics(X, result.labels, y)["acc"] > 0.9
    again = cluster(X, "auto", 3, modality="text", texts=texts, random_state=0,
                    options={"text_view": True})
    assert np.array_equal(again.labels, result.labels)


def test_auto_names_the_settings_it_takes():
    X, _ = rings(100)
    with pytest.raises(TypeError, match="it takes text_view"):
        cluster(X, "auto", 2, options={"heads": 3})
    from clustering.pipeline import RunConfig

    with pytest.raises(InputError, match="auto has no setting 'heads'"):
        RunConfig(data="demo:digits", options={"heads": 3}).validate()
    RunConfig(data="demo:digits", options={"text_view": True}).validate()


def test_scan_heads_learn_from_one_sampled_neighbour_per_point():
    from sklearn.datasets import make_blobs

    from clustering.deep.common import TrainContext
    from clustering.deep.scan import train_scan
    from clustering.deep.spaces import mine_neighbours

    X, y = make_blobs(300, centers=3, cluster_std=0.5, random_state=0)
    X = X.astype(np.float32)
    result = train_scan(X, mine_neighbours(X, 10, 0), 3, TrainContext("cpu", 0), epochs=20,
                        n_heads=2, sample_one=True)
    assert cluster_metrics(X, result.soft.argmax(axis=1), y)["acc"] > 0.95


@pytest.mark.slow
def test_without_k_a_table_takes_k_from_the_prediction_strength_and_says_how():
    """Tables: k from the prediction strength of k-means in the UMAP of the features, also
    where a SCARF view is trained (the plateau in its UMAP said 6-7 for 2 on ``skewed-table``)."""
    from sklearn.datasets import make_blobs

    X, y = make_blobs(600, n_features=8, centers=5, cluster_std=1.0, random_state=4)
    noise = np.random.default_rng(4).normal(size=(600, 4))
    X = np.c_[X, noise].astype(np.float32)
    result = cluster(X, "auto", None, random_state=0, modality="table")
    info = result.info
    assert "scarf" in info["auto"]["scores_per_graph"]["kmeans"]
    assert info["k_selection"].startswith("k=5 chosen as the largest k") and \
        "prediction strength" in info["k_selection"] and \
        info["k_selection"].endswith("in the 3 UMAPs of the features (seeds 0, 100, 200)"), \
        info["k_selection"]
    strength = info["k_strength"]
    assert set(strength) == set(range(2, 16)) and strength[5] >= 0.9 > max(
        v for k, v in strength.items() if k > 5)
    assert len(np.unique(result.labels)) == 5
    assert cluster_metrics(X, result.labels, y)["acc"] > 0.95


@pytest.mark.parametrize("modality", ["text", "embeddings"])
def test_texts_and_embeddings_without_k_take_the_number_of_communities(modality):
    """Texts (no learned view by default) and uploaded embeddings: k is Louvain's count of
    communities in the features' neighbour graph, and run.json says so."""
    from sklearn.datasets import make_blobs

    X, y = make_blobs(400, n_features=40, centers=5, cluster_std=2.0, random_state=3)
    X = X.astype(np.float32)
    result = cluster(X, "auto", None, random_state=0, modality=modality)
    info = result.info
    assert "number of communities" in info["k_selection"], info["k_selection"]
    assert len(info["k_communities"]) == 3 and len(np.unique(result.labels)) == 5
    assert cluster_metrics(X, result.labels, y)["acc"] > 0.95


def test_the_prediction_strength_finds_the_groups_and_drops_past_them():
    """k-means past the number of groups cuts one in a different place in each half."""
    from sklearn.datasets import make_blobs

    from clustering.kselect import PS_THRESHOLD, prediction_strength, prediction_strength_k

    X, _ = make_blobs(900, n_features=6, centers=6, cluster_std=1.0, random_state=2)
    curve: dict = {}
    k, how = prediction_strength_k(X, 0, curve)
    assert k == 6 and "prediction strength" in how and set(curve) == set(range(2, 16))
    assert curve[6] >= PS_THRESHOLD > max(curve[j] for j in range(7, 16))
    assert prediction_strength_k(X, 0)[0] == k  # same seed, same k
    # one round cloud: k-means cuts it anywhere, no k reaches the threshold, and it says so
    k, how = prediction_strength_k(np.random.default_rng(0).normal(size=(400, 3)), 0)
    assert k == 2 and "may hold no distinct groups" in how, how
    # other views of the same rows are averaged in: two copies give the curve of one, a
    # view without groups pulls it down
    both: dict = {}
    k, how = prediction_strength_k(X, 0, both, [X.copy()])
    assert k == 6 and both == curve and "halvings in each of 2 views" in how
    mixed: dict = {}
    prediction_strength_k(X, 0, mixed, [np.random.default_rng(1).normal(size=X.shape)])
    assert mixed[6] < curve[6]
    # a test cluster the training centres split in half keeps a third of its pairs
    assert prediction_strength(np.zeros(4, int), np.array([0, 0, 1, 1])) == pytest.approx(1 / 3)
    # 26 rows (car::Pottery's size): halves of 13 test only k = 2, and the run says so
    k, how = prediction_strength_k(X[:26], 0)
    assert k == 2 and "halves of 13 rows can test no more than 2 clusters" in how, how


def test_the_community_count_reads_samples_of_at_most_500_rows():
    """So the estimate does not grow with the number of rows."""
    from sklearn.datasets import make_blobs

    from clustering.kselect import COMMUNITY_ROWS, community_k

    X, _ = make_blobs(2000, n_features=20, centers=4, cluster_std=2.0, random_state=0)
    sizes: list = []
    k, how = community_k(X, 0, sizes)
    assert k == 4 and [sum(draw) for draw in sizes] == [COMMUNITY_ROWS] * 3, (how, sizes)


def test_large_graphs_get_spectral_clustering_without_factorising_the_laplacian(monkeypatch):
    """Above ``SPECTRAL_EXACT_UP_TO`` rows the spectral candidate uses LOBPCG (shift-invert
    ARPACK factorised a 100,000-row Laplacian for over 6 minutes); on rings the two solvers
    give the same clusters, and both split the rings as they are (plain Lanczos did not)."""
    import clustering.spectral_graph as spectral_graph
    from clustering.deep.spaces import mine_neighbours

    X, y = rings(3000)
    nbrs = mine_neighbours(X, 15, 0)
    exact = spectral_graph.spectral_labels(nbrs, 2, 0)
    monkeypatch.setattr(spectral_graph, "SPECTRAL_EXACT_UP_TO", 1000)
    lobpcg = spectral_graph.spectral_labels(nbrs, 2, 0)
    assert cluster_metrics(X, exact, y)["acc"] > 0.99
    assert np.array_equal(exact, lobpcg) or np.array_equal(exact, 1 - lobpcg)
    # same seed, same result
    assert np.array_equal(lobpcg, spectral_graph.spectral_labels(nbrs, 2, 0))


def test_from_10001_rows_the_spectral_candidate_does_not_factorise_the_laplacian(monkeypatch):
    """Shift-invert ARPACK took 48-77 s on 20,000-row graphs (``waveforms``,
    ``elongated-blobs``; LOBPCG 0.1-0.3 s, the same clusters), so LOBPCG from 10,001 rows."""
    import sklearn.cluster

    import clustering.spectral_graph as spectral_graph
    from clustering.deep.spaces import mine_neighbours

    solvers = []

    class Spy(sklearn.cluster.SpectralClustering):
        def fit_predict(self, X, y=None):
            solvers.append(self.eigen_solver)
            return super().fit_predict(X)

    monkeypatch.setattr(sklearn.cluster, "SpectralClustering", Spy)
    X, y = rings(10_001)
    labels = spectral_graph.spectral_labels(mine_neighbours(X, 15, 0), 2, 0)
    assert solvers == ["lobpcg"] and cluster_metrics(X, labels, y)["acc"] > 0.99


def test_above_fit_rows_auto_fits_a_sample_and_gives_the_rest_their_nearest_fitted_row(
        monkeypatch):
    """``auto`` on more rows than ``FIT_ROWS`` fits a seeded sample (100,000 table rows
    fitted whole took 8 minutes on one thread) and copies each other row's nearest fitted
    row; it says so in ``info`` and repeats with the same seed."""
    from sklearn.datasets import make_blobs
    from sklearn.metrics import pairwise_distances_argmin

    import clustering.auto as auto

    X, y = make_blobs(900, n_features=4, centers=3, random_state=1)
    X = X.astype(np.float32)
    monkeypatch.setattr(auto, "FIT_ROWS", 300)
    messages = []
    result = auto.fit_auto(X, 3, random_state=0, progress=lambda f, msg: messages.append(msg))
    again = auto.fit_auto(X, 3, random_state=0)
    assert result.labels.shape == (900,) and result.alternatives.shape[0] == 900
    assert result.info["fitted_on"]["rows"] == 300 and result.info["fitted_on"]["of"] == 900
    assert "sample of 300 of the 900 rows" in result.info["note"]
    assert any("nearest fitted row: 600/600" in m for m in messages)
    assert np.array_equal(result.labels, again.labels)
    assert cluster_metrics(X, result.labels, y)["acc"] > 0.99
    fitted = np.sort(np.random.default_rng(0).choice(900, 300, replace=False))
    rest = np.setdiff1d(np.arange(900), fitted)
    nearest = fitted[pairwise_distances_argmin(X[rest], X[fitted])]
    assert np.array_equal(result.labels[rest], result.labels[nearest])
    from clustering.assigner import fit_assigner  # keeps the fitted rows only, agrees
    kept = fit_assigner(X, result, X[:, :2], {"representation": "raw"})
    assert kept.arrays["rows"].shape == (300, 4) and kept.fit["agreement_with_fit"] == 1.0
    # signals and images are fitted whole: their nearest raw row is often of another group
    assert auto.fits_on_sample(301, "text") and not auto.fits_on_sample(300, "table")
    assert not auto.fits_on_sample(10 ** 6, "images") and not auto.fits_on_sample(10 ** 6, "series")


def test_the_progress_of_auto_never_goes_back_through_the_scan_heads_and_their_self_labels():
    """One bar from start to end: the SCAN heads' self-labelling has its own stretch after the
    heads' training (it went back from 0.90 to 0.78 before, and the time left with it)."""
    from sklearn.datasets import make_blobs

    import clustering.auto as auto

    X, _ = make_blobs(260, n_features=8, centers=3, random_state=2)
    reports = []
    result = auto.fit_auto(X.astype(np.float32), 3, random_state=0,
                           progress=lambda f, msg: reports.append((f, msg)))
    assert "scarf-scan" in result.info["auto"]["scores"]
    assert any("self-labelling" in msg for _, msg in reports)
    fractions = [f for f, _ in reports]
    assert fractions == sorted(fractions) and 0.0 <= fractions[0] and fractions[-1] <= 1.0


def test_spectral_clustering_is_a_candidate_only_where_learned_views_alone_judge():
    """Judged in the features' own graph, spectral clustering of that graph would be rated in
    nearly the graph it cut (#12: it lost on held-out texts); with a view it is drawn."""
    from sklearn.datasets import make_blobs

    import clustering.auto as auto

    X, _ = make_blobs(260, n_features=8, centers=3, random_state=2)
    X = X.astype(np.float32)
    with_view = auto.fit_auto(X, 3, random_state=0).info["auto"]
    assert "scarf" in with_view["criterion"] and "features" not in with_view["criterion"]
    assert "spectral" in with_view["scores"]
    narrow = auto.fit_auto(X[:, :4], 3, random_state=0).info["auto"]  # no SCARF view
    assert "features" in narrow["criterion"] and "spectral" not in narrow["scores"]
