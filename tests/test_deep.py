"""Deep methods: loss properties, Sinkhorn marginals, determinism, save/load/predict, CLI."""

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from clustering.clusterers import cluster
from clustering.deep.common import TrainContext, augment, seed_everything
from clustering.deep.dec import soft_assign, target_distribution
from clustering.deep.model import DeepModel
from clustering.deep.scan import scan_loss
from clustering.deep.transport import partial_sinkhorn, sinkhorn
from clustering.errors import InputError
from clustering.metrics import hungarian_accuracy
from workspace.cli import main
from workspace.store import Store, default_root


def test_student_t_assignment_rows_sum_to_one_and_prefer_the_nearest_centre():
    z = torch.tensor([[0.0, 0.0], [5.0, 5.0]])
    centers = torch.tensor([[0.0, 0.0], [5.0, 5.0], [10.0, 0.0]])
    q = soft_assign(z, centers)
    assert torch.allclose(q.sum(1), torch.ones(2))
    assert q.argmax(1).tolist() == [0, 1]


def test_target_distribution_sharpens_and_normalises():
    q = torch.softmax(torch.randn(50, 4, generator=torch.Generator().manual_seed(0)), 1)
    p = target_distribution(q)
    assert torch.allclose(p.sum(1), torch.ones(50), atol=1e-6)
    # sharper: the top assignment's share grows on average
    assert p.max(1).values.mean() > q.max(1).values.mean()
    # a uniform q stays uniform
    u = torch.full((10, 5), 0.2)
    assert torch.allclose(target_distribution(u), u)


def test_scan_entropy_term_rewards_spread_and_consistency_rewards_agreement():
    agree = torch.eye(4)
    total, consistency, entropy = scan_loss(agree, agree, entropy_weight=1.0)
    assert consistency.item() == pytest.approx(0.0, abs=1e-6)
    assert entropy.item() == pytest.approx(np.log(4), rel=1e-5)
    collapsed = torch.tensor([[1.0, 0, 0, 0]] * 4)
    _, c2, e2 = scan_loss(collapsed, collapsed, entropy_weight=1.0)
    assert e2.item() == pytest.approx(0.0, abs=1e-6) and c2.item() == pytest.approx(0, abs=1e-6)
    disagree = torch.tensor([[0.9, 0.1], [0.1, 0.9]])
    _, c3, _ = scan_loss(disagree, disagree.flip(0))
    assert c3.item() > 1.0


def test_scan_loss_of_every_head_at_once_is_each_heads_own():
    g = torch.Generator().manual_seed(3)
    pa = torch.softmax(torch.randn(5, 64, 7, generator=g), dim=-1)
    pn = torch.softmax(torch.randn(5, 64, 7, generator=g), dim=-1)
    together = scan_loss(pa, pn, entropy_weight=2.0)
    assert all(part.shape == (5,) for part in together)
    for h in range(5):
        alone = scan_loss(pa[h], pn[h], entropy_weight=2.0)
        for a, b in zip(together, alone, strict=True):
            assert a[h].item() == pytest.approx(b.item(), rel=1e-6)


def test_adam_is_multi_tensor_and_updates_as_torch_adam_does():
    from clustering.deep.common import adam

    def trained(make):
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
        opt = make(net.parameters())
        for _ in range(5):
            opt.zero_grad()
            net(torch.randn(16, 6)).square().mean().backward()
            opt.step()
        return opt, torch.cat([p.detach().ravel() for p in net.parameters()])

    ours, got = trained(lambda p: adam(p, lr=1e-2, weight_decay=1e-4))
    _, expected = trained(lambda p: torch.optim.Adam(p, lr=1e-2, weight_decay=1e-4))
    assert ours.defaults["foreach"] is True
    assert torch.equal(got, expected)
    decoupled, _ = trained(lambda p: adam(p, decoupled=True, lr=1e-2))
    assert isinstance(decoupled, torch.optim.AdamW)


def test_sinkhorn_meets_both_marginals():
    logp = torch.log_softmax(torch.randn(600, 6, generator=torch.Generator().manual_seed(1)) * 3,
                             1)
    q = sinkhorn(logp, n_iters=200)
    assert torch.allclose(q.sum(1), torch.ones(600), atol=1e-5)
    assert torch.allclose(q.sum(0) / 600, torch.full((6,), 1 / 6), atol=5e-3)


def test_partial_sinkhorn_moves_only_rho_of_the_mass():
    logp = torch.log_softmax(torch.randn(500, 4, generator=torch.Generator().manual_seed(2)), 1)
    plan, selected = partial_sinkhorn(logp, rho=0.3, n_iters=300)
    assert plan.sum().item() / 500 == pytest.approx(0.3, abs=0.01)
    assert (selected <= 1.0 + 1e-5).all()


def test_image_augmentation_keeps_shape_and_range():
    ctx = TrainContext(seed=0, image_shape=(8, 8))
    x = torch.rand(16, 64)
    out = augment(x, ctx)
    assert out.shape == x.shape and out.min() >= 0 and out.max() <= 1
    assert not torch.allclose(out, x)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["dec", "idec", "scan", "sela", "p2ot", "divclust", "temi"])
def test_each_deep_method_recovers_easy_blobs(method, blobs3):
    X, y = blobs3
    result = cluster(X, method, 3, random_state=0, epochs=20)
    assert adjusted_rand_score(y, result.labels) >= 0.9
    np.testing.assert_allclose(result.soft.sum(1), 1.0, atol=1e-4)
    assert result.info["seconds_per_epoch"] > 0 and result.model is not None


def test_same_seed_same_result_on_cpu(blobs3):
    X, _ = blobs3
    a = cluster(X, "sela", 3, random_state=5, epochs=5)
    b = cluster(X, "sela", 3, random_state=5, epochs=5)
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_allclose(a.soft, b.soft, atol=1e-6)


@pytest.mark.parametrize("method", ["idec", "p2ot"])
def test_save_load_predict_round_trip(method, blobs3, tmp_path):
    X, _ = blobs3
    result = cluster(X, method, 3, random_state=0, epochs=5)
    result.model.save(tmp_path)
    back = DeepModel.load(tmp_path)
    np.testing.assert_allclose(back.predict_soft(X), result.soft, atol=1e-5)
    assert (back.predict(X[:10]) == result.labels[:10]).all()


@pytest.mark.slow
@pytest.mark.parametrize("method", ["scan", "divclust"])
def test_model_reading_a_umap_view_assigns_held_out_rows(method, blobs, tmp_path):
    """SCAN and DivClust heads read a UMAP of the data; the saved model carries a network
    distilled from it, so rows never seen in training are assigned from their features."""
    X, y = blobs
    train, test = np.arange(500), np.arange(500, 600)
    result = cluster(X[train], method, 4, random_state=0, epochs=10)
    assert result.info["view_fit_r2"] > 0.9 and result.info["predict_agreement"] >= 0.95
    result.model.save(tmp_path)
    back = DeepModel.load(tmp_path)
    assert back.view is not None and back.config["view"]["kind"] == "mlp"
    assert hungarian_accuracy(y[test], back.predict(X[test])) >= 0.95
    labels, confidence = back.predict_confidence(X[train])
    assert (labels == result.labels).mean() >= 0.95
    np.testing.assert_allclose(confidence, result.confidence, atol=1e-4)


def test_model_that_did_not_keep_its_view_says_so(blobs3):
    X, _ = blobs3
    model = cluster(X, "sela", 3, random_state=0, epochs=2).model
    model.config["input"] = "umap-10d"
    with pytest.raises(InputError, match="run the clustering again"):
        model.predict(X)


def test_weights_file_with_pickle_payload_is_refused(tmp_path, blobs3, monkeypatch):
    import os
    import pickle

    X, _ = blobs3
    cluster(X, "sela", 3, random_state=0, epochs=1).model.save(tmp_path)
    monkeypatch.chdir(tmp_path)

    class Payload:
        def __reduce__(self):
            return (os.system, ("touch PWNED",))

    (tmp_path / "model.pt").write_bytes(pickle.dumps(Payload()))
    with pytest.raises(pickle.UnpicklingError):
        DeepModel.load(tmp_path)
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.slow
def test_imbalanced_switch_beats_balanced_transport():
    X, y = make_blobs(n_samples=[30, 300, 3000], centers=[[0, 0], [8, 0], [0, 8]],
                      cluster_std=1.0, random_state=0)
    X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
    seed_everything(0)
    balanced = cluster(X, "sela", 3, random_state=0)
    imbalanced = cluster(X, "p2ot", 3, random_state=0)
    ari_b = adjusted_rand_score(y, balanced.labels)
    ari_i = adjusted_rand_score(y, imbalanced.labels)
    assert ari_i > ari_b + 0.3 and ari_i > 0.8


@pytest.mark.slow
@pytest.mark.parametrize("method,epochs", [("dec", []), ("idec", []), ("scan", ["--epochs", "20"]),
                                           ("sela", ["--epochs", "20"]),
                                           ("p2ot", ["--epochs", "20"]),
                                           ("divclust", ["--epochs", "10"])])
def test_cli_runs_each_deep_method_on_digits(method, epochs, tmp_path):
    out = tmp_path / method
    assert main(["run", "--data", "demo:digits", "--method", method, "--clusters", "10",
                 *epochs, "--out", str(out)]) == 0
    run = json.loads((out / "run.json").read_text())
    assert run["method"] == method and run["metrics"]["acc"] > 0.5
    assert "seconds_per_epoch" in run["fit_info"]
    # the saved model (with its view network and calibration head) assigns the rows as
    # the run did, from the features alone
    folder = Path(Store(default_root()).runs()[0]["path"])
    model = DeepModel.load(folder)
    assert model.calibration is not None
    assert (model.view is not None) == (method in ("scan", "divclust"))
    features = np.load(folder / "features.npy", allow_pickle=False)
    labels, confidence = model.predict_confidence(features)
    assigned = pd.read_parquet(out / "assignments.parquet")
    same = labels == assigned["cluster"].to_numpy()  # DivClust: mean of heads vs consensus
    assert same.mean() >= 0.95
    np.testing.assert_allclose(confidence[same], assigned["confidence"].to_numpy()[same],
                               atol=1e-3)


@pytest.mark.slow
def test_cli_runs_temi_on_digits_with_calibrated_confidence(tmp_path):
    """TEMI is the weakest head on digits here (ACC about 0.5 against SCAN's 0.97, see
    benchmarks/README.md); the run must still learn the structure (NMI far above the ~0.01
    of a random partition) and report the calibration head's confidence."""
    out = tmp_path / "temi"
    assert main(["run", "--data", "demo:digits", "--method", "temi", "--clusters", "10",
                 "--epochs", "20", "--out", str(out)]) == 0
    run = json.loads((out / "run.json").read_text())
    assert run["metrics"]["nmi"] > 0.4 and run["fit_info"]["confidence"].startswith(
        "calibration head")


@pytest.mark.slow
def test_divclust_diversity_target_controls_how_alike_the_heads_are(blobs3):
    import torch

    from clustering.deep.divclust import clustering_similarity, train_divclust
    from clustering.projection import knn_graph

    X, y = blobs3
    nbr = knn_graph(X, 6).indices[:, 1:]
    sims = {}
    for target in (1.0, 0.6):
        seed_everything(0)
        result = train_divclust(X, nbr, 3, TrainContext(seed=0), diversity=target, epochs=20)
        soft = [torch.as_tensor(h) for h in result.heads_soft]
        sims[target] = np.mean([clustering_similarity(soft[a], soft[b]).item()
                                for a in range(4) for b in range(a + 1, 4)])
        assert adjusted_rand_score(y, result.consensus_labels) >= 0.9
    assert sims[0.6] < sims[1.0]


def test_divclust_loss_of_all_heads_at_once_equals_the_loss_head_by_head():
    """The batched loss (one SCAN call, one similarity product for every pair of heads) is
    the same number, and the same gradient, as the head-by-head sum it replaced."""
    import torch

    from clustering.deep.divclust import clustering_similarity, pair_similarities
    from clustering.deep.scan import scan_loss

    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(4, 32, 5, generator=gen, requires_grad=True)
    neighbours = torch.softmax(torch.randn(4, 32 * 3, 5, generator=gen), dim=-1)

    def head_by_head(p):
        loss = sum(scan_loss(p[h].repeat_interleave(3, dim=0), neighbours[h])[0]
                   for h in range(4))
        return loss + sum(torch.relu(clustering_similarity(p[a], p[b]) - 0.5)
                          for a in range(4) for b in range(a + 1, 4))

    def at_once(p):
        loss = scan_loss(p.repeat_interleave(3, dim=1), neighbours)[0].sum()
        return loss + torch.relu(pair_similarities(p) - 0.5).sum()

    grads = []
    for fn in (head_by_head, at_once):
        value = fn(torch.softmax(logits, dim=-1))
        (grad,) = torch.autograd.grad(value, logits)
        grads.append((value.item(), grad))
    assert grads[0][0] == pytest.approx(grads[1][0], rel=1e-6)
    assert torch.allclose(grads[0][1], grads[1][1], atol=1e-6)


@pytest.mark.slow
def test_divclust_keeps_alternatives_through_save_and_load(blobs3, tmp_path):
    from clustering.clustering_result import Clustering

    X, _ = blobs3
    result = cluster(X, "divclust", 3, random_state=0, epochs=10)
    assert result.alternatives.shape == (len(X), 4)
    result.save(tmp_path / "c.npz")
    np.testing.assert_array_equal(Clustering.load(tmp_path / "c.npz").alternatives,
                                  result.alternatives)
    assert len(result.info["head_similarity_nmi"]) == 4


def test_nt_xent_prefers_matching_views():
    from clustering.deep.contrastive import nt_xent

    g = torch.Generator().manual_seed(0)
    z = torch.randn(32, 16, generator=g)
    aligned = nt_xent(z, z + 0.01 * torch.randn(32, 16, generator=g))
    shuffled = nt_xent(z, z[torch.randperm(32, generator=g)])
    assert aligned < shuffled


def test_contrastive_views_keep_shape_range_and_differ():
    from clustering.deep.contrastive import random_views

    ctx = TrainContext(seed=0)
    imgs = torch.rand(8, 1, 8, 8)
    a, b = random_views(imgs, ctx), random_views(imgs, ctx)
    assert a.shape == imgs.shape and a.min() >= 0 and a.max() <= 1
    assert not torch.allclose(a, b)


@pytest.mark.parametrize("side", [8, 12, 14, 7, 4])
def test_encoder_pooling_matches_adaptive_pooling_values_and_gradients(side):
    from clustering.deep.contrastive import PoolTo4

    x = torch.randn(3, 5, side, side, generator=torch.Generator().manual_seed(side),
                    requires_grad=True)
    ours = PoolTo4()(x)
    grad_ours, = torch.autograd.grad((ours * ours).sum(), x)
    theirs = torch.nn.functional.adaptive_avg_pool2d(x, 4)
    grad_theirs, = torch.autograd.grad((theirs * theirs).sum(), x)
    assert ours.shape == (3, 5, 4, 4)
    assert torch.allclose(ours, theirs, atol=1e-6)
    assert torch.allclose(grad_ours, grad_theirs, atol=1e-6)


@pytest.mark.parametrize("side", [7, 8, 12, 24])
def test_the_image_view_of_each_encoder_shape_is_rebuilt_from_its_config(side):
    """Images of 8-15 px are max-pooled after the first convolution (stop 76), 16 px and
    more strided, smaller ones neither; a saved view rebuilds the same network (a config
    saved before has no 'pool' and rebuilds without it)."""
    from clustering.deep.contrastive import build_encoder, encoder_shape
    from clustering.deep.view import build_view, image_view

    shape = encoder_shape(side)
    assert shape == {"stride": 2 if side >= 16 else 1, "pool": 8 <= side < 16}
    torch.manual_seed(0)
    encoder = build_encoder(1, 16, **shape).eval()
    view, config = image_view(encoder, (side, side))
    rebuilt = build_view(json.loads(json.dumps(config)))
    rebuilt.load_state_dict(view.state_dict())
    rows = torch.rand(5, side * side, generator=torch.Generator().manual_seed(1))
    assert config["pool"] == shape["pool"]
    assert torch.allclose(view.eval()(rows), rebuilt.eval()(rows))
    old = {key: value for key, value in config.items() if key != "pool"}
    assert not any(isinstance(m, torch.nn.MaxPool2d) for m in build_view(old).encoder)


def test_signal_encoder_reads_long_rows_averaged_down_and_short_rows_as_they_are():
    from clustering.deep.pretexts import SERIES_MAX_LENGTH, SeriesEncoder

    torch.manual_seed(0)
    encoder = SeriesEncoder(16).eval()
    seen = []
    encoder.conv[0].register_forward_hook(lambda module, inputs, out: seen.append(inputs[0]))
    t = torch.linspace(0, 8 * torch.pi, 1000)
    long_rows = torch.stack([torch.sin(t), torch.sign(torch.sin(t))])
    with torch.no_grad():
        z_long = encoder(long_rows)
        z_short = encoder(long_rows[:, :SERIES_MAX_LENGTH])
    assert seen[0].shape == (2, 1, SERIES_MAX_LENGTH)  # the convolutions' cost is capped
    assert seen[1].shape == (2, 1, SERIES_MAX_LENGTH)  # a row of exactly the cap is untouched
    assert z_long.shape == z_short.shape == (2, 16)
    # window means: a square wave averaged down stays a square wave, distinct from the sine
    assert not torch.allclose(z_long[0], z_long[1], atol=1e-3)
    smooth = torch.nn.functional.adaptive_avg_pool1d(long_rows[:1, None], SERIES_MAX_LENGTH)[:, 0]
    with torch.no_grad():
        assert torch.allclose(encoder(smooth), z_long[:1], atol=1e-4)


@pytest.mark.slow
@pytest.mark.parametrize("bf16", [False, True], ids=["float32", "bf16-if-native"])
def test_contrastive_embedding_separates_two_kinds_of_images(bf16):
    from sklearn.cluster import KMeans

    from clustering.deep.contrastive import contrastive_embedding

    rng = np.random.default_rng(0)
    imgs = rng.uniform(0, 0.2, size=(200, 8, 8))
    kind = np.r_[np.zeros(100, int), np.ones(100, int)]
    imgs[kind == 0, :, 3:5] = 1.0  # vertical bar
    imgs[kind == 1, 3:5, :] = 1.0  # horizontal bar
    seed_everything(0)
    emb = contrastive_embedding(imgs, TrainContext(seed=0), epochs=15, bf16=bf16)
    assert emb.shape == (200, 128)
    labels = KMeans(2, n_init=5, random_state=0).fit_predict(emb)
    assert adjusted_rand_score(kind, labels) > 0.9


@pytest.mark.parametrize("native", [True, False], ids=["native-bf16", "no-bf16"])
def test_bfloat16_only_where_asked_native_and_not_switched_off(monkeypatch, native):
    """``auto``'s contrastive pretext may train in bfloat16 on CUDA and on CPUs that compute
    it natively; nothing else does, on any device, nor where ``CLUSTERLAB_CPU_BF16=0``."""
    from clustering import device

    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: native)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False)
    ctx = TrainContext(seed=0)
    with ctx.autocast():
        assert not torch.is_autocast_enabled("cpu")
    with ctx.autocast(bf16=True):
        assert torch.is_autocast_enabled("cpu") == native
    assert ctx.bf16_applies() == native and not ctx.bf16_applies(False)
    gpu = TrainContext(device="cuda", seed=0)  # a device object: no GPU is needed to ask
    assert gpu.bf16_applies() and not gpu.bf16_applies(False)
    monkeypatch.setenv("CLUSTERLAB_CPU_BF16", "0")
    assert not device.cpu_has_native_bf16()
    with ctx.autocast(bf16=True):
        assert not torch.is_autocast_enabled("cpu")


def test_seeding_fixes_cublas_workspace_unless_the_user_chose_one(monkeypatch):
    """Same seed, same numbers on a GPU needs cuBLAS's fixed workspace; a user's own wins."""
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    seed_everything(0)
    assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8"
    monkeypatch.setenv("CUBLAS_WORKSPACE_CONFIG", ":16:8")
    seed_everything(0)
    assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":16:8"


def test_temi_loss_rewards_agreeing_pairs_and_penalises_collapse():
    from clustering.deep.temi import temi_loss

    eye = torch.eye(4)
    uniform_prior = torch.full((4,), 0.25)
    agree = temi_loss(eye, eye, eye, uniform_prior)
    disagree = temi_loss(eye, eye.roll(1, 0), eye, uniform_prior)
    assert agree < disagree
    # everyone in one cluster (and the running prior saying so) costs more than spread use
    one = torch.zeros(4, 4)
    one[:, 0] = 1.0
    collapsed = temi_loss(one, one, one, torch.tensor([0.97, 0.01, 0.01, 0.01]))
    assert collapsed > agree


def test_region_targets_average_within_regions():
    from clustering.deep.calibration import region_targets

    Z = np.array([[0.0], [0.1], [10.0], [10.1]])
    soft = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 0.0]])
    target = region_targets(Z, soft, 2, seed=0)
    np.testing.assert_allclose(target[:2], [[0.5, 0.5], [0.5, 0.5]])
    np.testing.assert_allclose(target[2:], [[1.0, 0.0], [1.0, 0.0]])


@pytest.mark.slow
def test_calibration_head_lowers_confidence_where_the_head_is_inconsistent():
    """Two blobs; inside the second the clustering head flips labels at random. The
    calibration head keeps the first blob confident and gives the second about 1/2."""
    from clustering.deep.calibration import train_calibration_head

    rng = np.random.default_rng(0)
    Z = np.vstack([rng.normal(0, 0.3, (200, 2)), rng.normal(6, 0.3, (200, 2))])
    labels = np.r_[np.zeros(200, int), rng.integers(0, 2, 200)]
    soft = np.eye(2)[labels] * 0.98 + 0.01
    result = train_calibration_head(Z.astype(np.float32), soft, TrainContext(seed=0),
                                    epochs=30, n_regions=10)
    assert result.confidence[:200].mean() > 0.9
    assert 0.35 < result.confidence[200:].mean() < 0.65
