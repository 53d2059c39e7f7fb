"""The deep methods and ``auto`` on a CUDA device (skipped where none is visible).

Run on a GPU machine with ``python -m pytest -m gpu``. What a user of a GPU meets: every deep
method trains there, a model trained there predicts on a machine without one, the same seed
gives the same result, and ``auto`` on images trains both image views on the GPU.
"""

import numpy as np
import pytest
import torch
from sklearn.metrics import adjusted_rand_score

from clustering.clusterers import cluster
from clustering.deep.common import TrainContext, seed_everything
from clustering.deep.model import DeepModel
from clustering.metrics import hungarian_accuracy
from helpers import stripes_and_discs

pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here")]

DEEP = ["dec", "idec", "scan", "sela", "p2ot", "divclust", "temi"]


@pytest.mark.parametrize("method", DEEP)
def test_each_deep_method_trains_on_cuda_and_its_model_predicts_on_the_cpu(method, blobs3,
                                                                           tmp_path):
    X, y = blobs3
    result = cluster(X, method, 3, random_state=0, epochs=20, device="cuda")
    assert adjusted_rand_score(y, result.labels) >= 0.9
    np.testing.assert_allclose(result.soft.sum(1), 1.0, atol=1e-4)
    result.model.save(tmp_path)
    back = DeepModel.load(tmp_path)
    assert (back.predict(X, device="cpu") == result.labels).mean() >= 0.99


@pytest.mark.parametrize("method", ["sela", "scan"])
def test_same_seed_same_result_on_cuda(method, blobs3):
    X, _ = blobs3
    a = cluster(X, method, 3, random_state=5, epochs=5, device="cuda")
    b = cluster(X, method, 3, random_state=5, epochs=5, device="cuda")
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_allclose(a.soft, b.soft, atol=1e-5)


@pytest.mark.parametrize("bf16", [False, True], ids=["float32", "bf16"])
def test_contrastive_embedding_separates_two_kinds_of_images_on_cuda(bf16):
    from sklearn.cluster import KMeans

    from clustering.deep.contrastive import contrastive_embedding

    rng = np.random.default_rng(0)
    imgs = rng.uniform(0, 0.2, size=(200, 8, 8))
    kind = np.r_[np.zeros(100, int), np.ones(100, int)]
    imgs[kind == 0, :, 3:5] = 1.0
    imgs[kind == 1, 3:5, :] = 1.0
    seed_everything(0)
    emb = contrastive_embedding(imgs, TrainContext(device="cuda", seed=0), epochs=15, bf16=bf16)
    assert emb.shape == (200, 128) and np.isfinite(emb).all()
    labels = KMeans(2, n_init=5, random_state=0).fit_predict(emb)
    assert adjusted_rand_score(kind, labels) > 0.9


def test_auto_on_cuda_trains_both_image_views_and_repeats_itself():
    """On a GPU ``auto`` trains the contrastive encoder and fine-tunes EfficientNet-Lite0
    (the CPU trains only the second); the criterion reads both graphs."""
    from clustering import auto_views

    images, kinds = stripes_and_discs(220, 16, seed=1)
    X = images.reshape(len(images), -1).astype(np.float32) / 255.0
    runs = [cluster(X, "auto", 2, modality="images", image_shape=(16, 16, 3), device="cuda",
                    random_state=0) for _ in range(2)]
    choice = runs[0].info["auto"]
    graphs = set(choice["scores_per_graph"]["kmeans"])
    assert {"contrastive", "finetuned"} <= graphs
    assert "contrastive-scan" in choice["scores"]
    assert runs[0].info["finetune"]["planned"] == auto_views.FINETUNE_STEPS["gpu"]
    assert runs[0].info["precision"] == {
        "contrastive": "bfloat16 (the GPU computes it natively)"}  # every other loop float32
    assert hungarian_accuracy(kinds, runs[0].labels) >= 0.9
    np.testing.assert_array_equal(runs[0].labels, runs[1].labels)
