"""The contrastive pretext's training step with the encoder kept channels-last or not.

Stop 89 keeps the small image encoder's weights channels-last on the CPU
(:data:`clustering.deep.contrastive.CHANNELS_LAST_ON`). Both layouts are timed here in the
same process, alternating, from the same initial weights, on the same batch: a full step of
:func:`clustering.deep.contrastive.contrastive_pass` (two augmented views, the encoder and
projector, NT-Xent, the backward pass, Adam's update), for each image shape asked for.
``digits`` is ``demo:digits`` itself (8x8 grey); other shapes are random pixels of that
shape (the step's time does not depend on the values).

Usage::

    python benchmarks/contrastive_layout.py [--shapes digits 28x1 32x3] [--rounds 7] [--bf16]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from clustering.deep.common import TrainContext  # noqa: E402
from clustering.deep.contrastive import contrastive_parts, contrastive_pass  # noqa: E402


def images_of(shape: str) -> torch.Tensor:
    """(n, c, h, w) images in 0..1: ``digits`` or ``SIDExCHANNELS`` random pixels."""
    if shape == "digits":
        from sklearn.datasets import load_digits

        return torch.as_tensor(load_digits().images.astype(np.float32) / 16.0)[:, None]
    side, channels = (int(v) for v in shape.split("x"))
    return torch.rand(2000, channels, side, side, generator=torch.Generator().manual_seed(0))


def trainer(x: torch.Tensor, channels_last: bool):
    """Encoder, projector and optimiser as ``train_contrastive`` builds them (same seed)."""
    torch.manual_seed(0)
    return contrastive_parts(x.shape[1], min(x.shape[2:]), torch.device("cpu"),
                             channels_last=channels_last)


def step_ms(x, parts, ctx, steps: int, batch: int = 256, bf16: bool = False) -> float:
    """Milliseconds per step, over ``steps`` contrastive steps on one batch of ``x``."""
    idx = [torch.arange(batch) % len(x)] * steps
    start = time.perf_counter()
    contrastive_pass(x, idx, *parts, ctx, bf16)
    return 1e3 * (time.perf_counter() - start) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", nargs="+", default=["digits", "28x1", "32x3"])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--bf16", action="store_true",
                        help="steps in bfloat16 where the CPU computes it natively, as auto's")
    parser.add_argument("--out", type=Path,
                        default=ROOT / "results" / "contrastive_layout.json")
    args = parser.parse_args()
    ctx = TrainContext(seed=0)
    if args.bf16 and not ctx.bf16_applies(True):
        parser.error("this CPU does not compute bfloat16 natively")
    result = {"torch_threads": torch.get_num_threads(), "steps_per_round": args.steps,
              "bf16": args.bf16, "shapes": {}}
    for shape in args.shapes:
        x = images_of(shape)
        parts = {"plain": trainer(x, False), "channels-last": trainer(x, True)}
        for p in parts.values():
            step_ms(x, p, ctx, 3, bf16=args.bf16)  # warm-up
        times = {name: [] for name in parts}
        for _ in range(args.rounds):
            for name, p in parts.items():
                times[name].append(step_ms(x, p, ctx, args.steps, bf16=args.bf16))
        med = {name: statistics.median(t) for name, t in times.items()}
        ratios = [b / a for a, b in zip(times["plain"], times["channels-last"], strict=True)]
        result["shapes"][shape] = {"step_ms": times, "median_ms": med,
                                   "ratio_of_medians": med["channels-last"] / med["plain"],
                                   "median_ratio_in_round": statistics.median(ratios)}
        print(shape, json.dumps({k: round(v, 1) for k, v in med.items()}),
              "ratio", round(result["shapes"][shape]["ratio_of_medians"], 3), flush=True)
    args.out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
