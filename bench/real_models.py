#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Compile time and latency of the real models (python/tests/models.py),
with torch's latency measured in the same run.

    PYTHONPATH=build/python_packages python3 bench/real_models.py [--runs N]

Kiln runs with its own default thread count (see KILN_NUM_THREADS); torch
runs with the thread count given (default 2, the machine's cores) and
OMP_WAIT_POLICY=PASSIVE, as ../shared/BENCHMARKS.md recommends. Medians
with min/max. The ratio column is Kiln's latency over torch's (below 1:
Kiln is faster).

bench/run.py (docs/benchmarks.md) supersedes this script: it also runs the
AOT path, channels_last torch, batch 8, both thread counts and the GEMM and
conv cases, checks every result, and writes JSON and a plot. Its ratios are
the other way round (reference time / Kiln time).
"""

import argparse
import os
import statistics
import sys
import time
import warnings

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python",
                                "tests"))
warnings.filterwarnings("ignore")

import torch  # noqa: E402

import kiln  # noqa: E402
from models import build  # noqa: E402


def timed(fn, runs):
    fn()  # warm-up
    ms = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t) * 1e3)
    return statistics.median(ms), min(ms), max(ms)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--torch-threads", type=int, default=2)
    ap.add_argument("models", nargs="*", default=[
        "resnet18", "mobilenet_v2", "bert_layer", "tiny_encoder"])
    args = ap.parse_args()
    torch.set_num_threads(args.torch_threads)
    print("| model | Kiln compile (s) | Kiln latency ms (median [min, max]) "
          "| torch %d threads ms | ratio |" % args.torch_threads)
    print("|---|---|---|---|---|")
    for name in args.models:
        model, inputs, onnx_bytes, _ = build(name)
        t = time.perf_counter()
        m = kiln.compile(onnx_bytes)
        compile_s = time.perf_counter() - t
        arrays = [x.numpy() for x in inputs]
        k = timed(lambda: m(*arrays), args.runs)
        with torch.no_grad():
            tt = timed(lambda: model(*inputs), args.runs)
        print("| %s | %.2f | %.1f [%.1f, %.1f] | %.1f [%.1f, %.1f] | %.1fx |"
              % (name, compile_s, *k, *tt, k[0] / tt[0]), flush=True)


if __name__ == "__main__":
    main()
