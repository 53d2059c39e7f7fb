"""The contrastive pretext's encoder is kept channels-last where that was measured to pay."""

import numpy as np
import pytest
import torch

from clustering.deep.common import TrainContext


@pytest.mark.parametrize("native", [False, True], ids=["float32", "native-bf16"])
def test_the_encoder_trains_channels_last_on_the_cpu_in_float32_only(monkeypatch, native):
    """On the CPU in float32 the encoder's weights are channels-last (a step on ``digits``
    about 0.8 of the time, stop 89); where the pretext trains in bfloat16 they stay as they
    were (0.91 there, stop 90, left out to keep the shipped demo's rounding). Either way the
    encoder computes what the plain one does."""
    from clustering.deep.contrastive import build_encoder, encoder_shape, train_contrastive

    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: native)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False)
    images = np.random.default_rng(0).uniform(0, 1, size=(40, 8, 8)).astype(np.float32)
    emb, encoder = train_contrastive(images, TrainContext(seed=0), epochs=1, bf16=True)
    second = [m for m in encoder if isinstance(m, torch.nn.Conv2d)][1]  # 32 channels in
    assert second.weight.is_contiguous(memory_format=torch.channels_last) != native
    assert second.weight.is_contiguous() == native
    plain = build_encoder(1, 128, **encoder_shape(8))
    plain.load_state_dict(encoder.state_dict())
    assert all(p.is_contiguous() for p in plain.parameters())
    x = torch.as_tensor(images)[:, None]
    with torch.no_grad():
        assert torch.allclose(encoder(x), plain.eval()(x), atol=1e-5)
    assert emb.shape == (40, 128) and np.allclose(np.linalg.norm(emb, axis=1), 1, atol=1e-5)
