#!/bin/bash
# Every GPU check in one go, for a machine with CUDA (about 6 minutes on an H200):
#   the `gpu` tests, `auto` on demo:digits and on 1,000 images (seeds 0-2; the device is
#   CUDA by default), and every deep method on CUDA and on that machine's CPU.
# Usage: bash benchmarks/gpu_session.sh [OUT_DIR]      (default: benchmarks/results/gpu)
# Each step writes its own log and JSON under OUT_DIR as it goes, so a run cut short keeps
# what it measured. Needs the project's dependencies importable (pip install -e ., or
# PYTHONPATH with the wheels of umap-learn, pynndescent, hdbscan, captum and the two
# efficientnet packages where nothing can be installed from an index).
set -o pipefail
out=${1:-benchmarks/results/gpu}
mkdir -p "$out"
export PYTHONUNBUFFERED=1
{ nvidia-smi -L; python3 -c "import torch; print(torch.__version__, torch.cuda.get_device_name(0))"; } \
    2>&1 | tee "$out/env.txt"
python3 -m pytest -m gpu tests/test_gpu.py -q -p no:cacheprovider --durations=5 2>&1 \
    | tee "$out/pytest_gpu.log"
python3 benchmarks/auto_budget.py --cases digits images-1000 --seeds 0 1 2 \
    --out "$out/auto_budget_gpu.json" 2>&1 | tee "$out/auto_budget.log"
python3 benchmarks/gpu_check.py --out "$out/gpu_check.json" 2>&1 | tail -20 \
    | tee "$out/gpu_check.log"
