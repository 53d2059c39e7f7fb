"""``demo:digits`` through the whole pipeline with every training loop in bfloat16, or as shipped.

Stop 52's check of the GPU's precision on a CPU: until then CUDA trained every loop under
bfloat16 autocast, while the CPU trained only ``auto``'s contrastive pretext so (and only
where bfloat16 is native). ``--mode bf16`` autocasts every loop to bfloat16 on the CPU
(emulated where the CPU has no native bfloat16: about 11 minutes a run on 2 cores);
``--mode shipped`` runs the code as it is.

Usage::

    python benchmarks/bf16_replay.py --mode bf16 --seeds 0 1
    python benchmarks/bf16_replay.py --mode shipped --seeds 0 1
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("bf16", "shipped"), required=True)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    args = parser.parse_args()
    import torch

    from clustering.deep import common
    from clustering.pipeline import RunConfig, run_pipeline

    if args.mode == "bf16":
        common.TrainContext.autocast = lambda self, bf16=False: torch.autocast(
            "cpu", dtype=torch.bfloat16)
    for seed in args.seeds:
        start = time.perf_counter()
        result = run_pipeline(RunConfig(data="demo:digits", seed=seed, clusters=10))
        print(json.dumps({"mode": args.mode, "seed": seed, "acc": result.metrics["acc"],
                          "winner": result.clustering.params["pipeline"],
                          "s": round(time.perf_counter() - start, 1)}), flush=True)


if __name__ == "__main__":
    main()
