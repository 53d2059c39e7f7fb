"""DivClust's training step with its loss computed for all heads at once or head by head.

Stop 88 replaced the head-by-head loss of :func:`clustering.deep.divclust.train_divclust`
(one SCAN loss per head and one similarity per pair of heads, 4 + 6 calls for 4 heads) by
one SCAN call over every head and one product for every pair
(:func:`clustering.deep.divclust.pair_similarities`). Both forms are timed here in the same
process, alternating, on the same network and batches: a full training step (forward pass
of the anchors and their neighbours, the loss, the backward pass, Adam's update).

Usage::

    python benchmarks/divclust_loss.py [--rows 5000] [--heads 4] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from clustering.deep.divclust import clustering_similarity, pair_similarities  # noqa: E402
from clustering.deep.heads import ScanNet  # noqa: E402
from clustering.deep.scan import scan_loss  # noqa: E402


def head_by_head(pa, pn, m, diversity=0.8):
    """The loss as it was before stop 88."""
    loss = sum(scan_loss(pa[h].repeat_interleave(m, dim=0), pn[h])[0] for h in range(len(pa)))
    for a in range(len(pa)):
        for b in range(a + 1, len(pa)):
            loss = loss + 5.0 * torch.relu(clustering_similarity(pa[a], pa[b]) - diversity)
    return loss


def at_once(pa, pn, m, diversity=0.8):
    """The loss as :func:`train_divclust` computes it now."""
    loss = scan_loss(pa.repeat_interleave(m, dim=1), pn)[0].sum()
    return loss + 5.0 * torch.relu(pair_similarities(pa) - diversity).sum()


def epoch_seconds(loss_fn, X, nbr, heads, k, batch=256) -> float:
    """Seconds of one epoch of training steps with ``loss_fn``."""
    torch.manual_seed(0)
    net = ScanNet(X.shape[1], k, heads)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    m = nbr.shape[1]
    start = time.perf_counter()
    for lo in range(0, len(X), batch):
        idx = torch.arange(lo, min(lo + batch, len(X)))
        pa = torch.softmax(net(X[idx]), dim=-1)
        pn = torch.softmax(net(X[nbr[idx].reshape(-1)]), dim=-1)
        opt.zero_grad()
        loss_fn(pa, pn, m).backward()
        opt.step()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "divclust_loss.json")
    args = parser.parse_args()
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(args.rows, 10, generator=gen)  # a 10-D UMAP view's width
    nbr = torch.randint(0, args.rows, (args.rows, 5), generator=gen)
    times = {"head by head": [], "at once": []}
    epoch_seconds(at_once, X, nbr, args.heads, 10)  # warm-up
    for _ in range(args.rounds):
        for name, fn in (("head by head", head_by_head), ("at once", at_once)):
            times[name].append(epoch_seconds(fn, X, nbr, args.heads, 10))
    med = {name: statistics.median(t) for name, t in times.items()}
    result = {"rows": args.rows, "heads": args.heads, "torch_threads": torch.get_num_threads(),
              "epoch_s": times, "median_s": med,
              "ratio": med["at once"] / med["head by head"]}
    args.out.write_text(json.dumps(result, indent=1))
    print(json.dumps({"median_s": med, "ratio": round(result["ratio"], 3)}))


if __name__ == "__main__":
    main()
