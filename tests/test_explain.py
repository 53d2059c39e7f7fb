"""Explanations on data with known structure."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs

from clustering.clusterers import cluster
from explain.ambiguity import ambiguity, view_ambiguity
from explain.calibration import reliability
from explain.polyhedra import describe_polyhedra, polyhedron_matches
from explain.prototypes import keywords, prototypes
from explain.rules import describe_rules, rule_matches
from explain.saliency import saliency_summary
from workspace.cli import main


def test_rule_uses_the_separating_axis():
    rng = np.random.default_rng(0)
    n = 300
    X = rng.normal(size=(2 * n, 4))
    X[n:, 2] += 8.0  # only column 'c' separates the groups
    labels = np.r_[np.zeros(n, int), np.ones(n, int)]
    rules = describe_rules(X, ["a", "b", "c", "d"], labels, max_leaves=2)
    for c in (0, 1):
        r = rules.rules[c]
        assert {t["feature"] for conj in r.any_of for t in conj} == {"c"}
        assert r.precision >= 0.95 and r.coverage >= 0.95
    assert rules.fidelity >= 0.99


def test_convex_clusters_get_precise_polyhedra():
    X, y = make_blobs(n_samples=600, centers=[[0, 0], [6, 0], [3, 6]], cluster_std=0.8,
                      random_state=0)
    polys = describe_polyhedra(X, ["x", "y"], y, max_halfspaces=4, time_limit=5)
    for p in polys.values():
        assert p.precision >= 0.95 and p.coverage >= 0.95
        assert 1 <= p.complexity["halfspaces"] <= 4
        assert all(isinstance(v, int) and abs(v) <= 3 for h in p.halfspaces
                   for v in h["coef"].values())
        inside = polyhedron_matches(X, ["x", "y"], p.halfspaces)
        assert (inside & (y == p.cluster)).sum() / inside.sum() == pytest.approx(p.precision)


def test_points_between_blobs_are_more_ambiguous_than_centres():
    X, _ = make_blobs(n_samples=400, centers=[[0, 0], [6, 0]], cluster_std=1.0, random_state=1)
    between = np.array([[3.0, 0.0], [3.0, 0.5], [3.0, -0.5]])
    centres = np.array([[0.0, 0.0], [6.0, 0.0]])
    data = np.vstack([X, between, centres])
    result = cluster(data, "kmeans", 2, random_state=0)
    amb = ambiguity(data, result.labels, result.soft, data, n_boot=6)
    assert amb.score[-5:-2].min() > amb.score[-2:].max()
    assert amb.margin[-5:-2].max() < amb.margin[-2:].min()


def test_view_ambiguity_separated_vs_mixed():
    rng = np.random.default_rng(0)
    apart = np.vstack([rng.normal(0, 1, (200, 2)), rng.normal(10, 1, (200, 2))])
    mixed = np.vstack([rng.normal(0, 1, (200, 2)), rng.normal(0.5, 1, (200, 2))])
    labels = np.r_[np.zeros(200, int), np.ones(200, int)]
    assert view_ambiguity(apart, labels) < 0.05 < 0.5 < view_ambiguity(mixed, labels)


@pytest.mark.slow
def test_saliency_mass_sits_in_the_informative_corner():
    rng = np.random.default_rng(0)
    n, h = 300, 8
    imgs = rng.uniform(0, 0.3, size=(n, h, h))
    labels = np.r_[np.zeros(n // 2, int), np.ones(n // 2, int)]
    imgs[labels == 1, :3, :3] += 0.7  # the class lives in the top-left corner
    X = imgs.reshape(n, -1).astype(np.float32)
    sal = saliency_summary(X, labels, random_state=0)
    corner = np.zeros((h, h), bool)
    corner[:3, :3] = True
    for c in (0, 1):
        attr = sal.attribution[c].reshape(h, h)
        assert attr[corner].sum() / attr.sum() > 0.6  # 9 of 64 pixels hold most of the mass
        assert sal.deletion_auc[c] < sal.random_deletion_auc[c]
    assert sal.surrogate_agreement > 0.95


def test_ece_hand_computed():
    truth = np.array([0, 0, 1, 1])
    labels = np.array([0, 0, 1, 0])  # last point wrong
    conf = np.array([0.9, 0.9, 0.9, 0.9])
    rel = reliability(conf, labels, truth, bins=15)
    assert rel.ece == pytest.approx(abs(0.9 - 0.75))
    assert sum(rel.count) == 4


def test_prototypes_are_central_and_keywords_set_clusters_apart():
    X = np.array([[0.0], [0.1], [5.0], [10.0], [10.1], [14.0]])
    labels = np.array([0, 0, 0, 1, 1, 1])
    ids = np.array(list("abcdef"))
    protos = prototypes(X, labels, ids, per_cluster=1)
    assert protos == {0: ["b"], 1: ["e"]}
    texts = ["cats purr and meow", "a cat meows", "kitten purr", "stocks fall",
             "market stocks rally", "bond market yields"]
    words = keywords(texts, labels, top=3)
    assert "purr" in words[0] and ("stocks" in words[1] or "market" in words[1])


def test_keywords_and_readable_terms_in_any_script():
    """Keywords were ``[a-zA-Z]`` words only: ``café`` became ``caf``, and texts in Chinese
    had no terms at all, so naming the clusters failed (empty vocabulary)."""
    from clustering.dataset import Dataset
    from explain.readable import readable_features

    labels = np.array([0, 0, 0, 1, 1, 1])
    texts = ["今天下雨，明天下雨", "下雨了，带伞", "大雨下雨天", "足球比赛很精彩", "看足球比赛",
             "足球队赢了比赛"]
    words = keywords(texts, labels, top=2)
    assert words[0][0] == "下雨" and set(words[1]) == {"足球", "比赛"}
    accented = keywords(["un café noir", "le café crème", "café au lait", "la Größe zählt",
                         "eine Größe mehr", "die Größe"], labels, top=1)
    assert accented == {0: ["café"], 1: ["größe"]}
    assert keywords(["👍", "🎉", "👍👍", "123", "!!", "42"], labels) == {0: [], 1: []}
    import pandas as pd

    data = Dataset(name="t", modality="text", ids=np.array(list("abcdef")),
                   table=pd.DataFrame({"text": texts}), texts=texts)
    R, names = readable_features(data)
    assert R.shape[0] == 6 and "term:下雨" in names


@pytest.mark.slow
def test_explanations_json_rule_precision_rechecks(tmp_path):
    out = tmp_path / "iris"
    assert main(["run", "--data", "demo:iris", "--method", "kmeans", "--clusters", "3",
                 "--explain", "--out", str(out)]) == 0
    report = json.loads((out / "explanations.json").read_text())
    assignments = pd.read_parquet(out / "assignments.parquet")
    from clustering.loaders import load_data

    table = load_data("demo:iris").table
    names, X = list(table.columns), table.to_numpy()
    for entry in report["clusters"]:
        members = assignments["cluster"].to_numpy() == entry["cluster"]
        match = rule_matches(X, names, entry["rule"]["any_of"])
        assert entry["rule"]["precision"] == pytest.approx((match & members).sum() / match.sum(),
                                                           abs=1e-4)
        assert entry["rule"]["coverage"] == pytest.approx((match & members).sum() / members.sum(),
                                                          abs=1e-4)
        inside = polyhedron_matches(X, names, entry["polyhedron"]["halfspaces"])
        assert entry["polyhedron"]["precision"] == pytest.approx(
            (inside & members).sum() / inside.sum(), abs=1e-4)
        assert set(entry) >= {"cluster", "name", "size", "rule", "polyhedron", "ambiguity",
                              "prototypes"}


def test_saliency_depends_on_its_seed_alone_and_leaves_the_global_generator_alone():
    import torch

    rng = np.random.default_rng(1)
    X = rng.normal(size=(120, 4)).astype(np.float32)
    labels = (X[:, 1] > 0).astype(int)
    torch.manual_seed(123)
    a = saliency_summary(X, labels, per_cluster=10, n_steps=6, random_state=4)
    after = torch.random.get_rng_state()
    torch.manual_seed(999)  # a different global state must not change the result
    b = saliency_summary(X, labels, per_cluster=10, n_steps=6, random_state=4)
    for c in (0, 1):
        np.testing.assert_array_equal(a.attribution[c], b.attribution[c])
    torch.manual_seed(123)
    assert torch.equal(after, torch.random.get_rng_state())
