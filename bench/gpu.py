#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Kiln's GPU targets on the GPU at hand: a square matmul (f32 and f16) in
TFLOP/s against the device's peak when given, and resnet18 and a BERT-base
layer at batch 1 and 32, each checked against Kiln's CPU path first, and
timed next to torch (CUDA when torch has it, else torch on the CPU) in one
run, interleaved (../shared/BENCHMARKS.md: these machines are noisy).

    PYTHONPATH=build/python_packages python3 bench/gpu.py \\
        [--target cuda|vulkan] [--runs N] [--size 4096] [--peak-tflops P]
        [--batches 1,32] [--quick] [--json out.json]

Latencies include Kiln's copies of every buffer to and from the device
(its runtimes keep tensors in host memory; docs/codegen-gpu.md), so they
are end-to-end from numpy arrays, as a Python user calls the model.
--quick runs small shapes (a 256^3 matmul, resnet18 at batch 1), for
checking the harness on lavapipe; its numbers say nothing about GPUs.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python",
                                "tests"))
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import torch  # noqa: E402

import kiln  # noqa: E402
from models import build  # noqa: E402


def matmul_mlir(n, dtype):
    t = f"tensor<{n}x{n}x{dtype}>"
    return (f"func.func @mm(%a: {t}, %b: {t}) -> {t} {{\n"
            f"  %0 = kiln.matmul %a, %b : ({t}, {t}) -> {t}\n"
            f"  return %0 : {t}\n}}\n")


def timed(fn, runs):
    fn()  # warm-up: module loading, pipeline creation, driver JIT
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return times


def summary(times):
    return {"median_ms": statistics.median(times), "min_ms": min(times),
            "max_ms": max(times)}


def torch_device():
    return "cuda" if torch.cuda.is_available() else "cpu"


def torch_call(model, x):
    device = torch_device()
    model = model.to(device).eval()
    xt = torch.from_numpy(x).to(device)

    def run():
        with torch.no_grad():
            y = model(xt)
        if device == "cuda":
            torch.cuda.synchronize()
        return y
    return run


def bench_matmul(args, results):
    rng = np.random.default_rng(0)
    n = args.size
    for dtype, np_type in (("f32", np.float32), ("f16", np.float16)):
        a = rng.standard_normal((n, n)).astype(np_type)
        b = rng.standard_normal((n, n)).astype(np_type)
        gpu = kiln.compile(matmul_mlir(n, dtype), target=args.target)
        got = gpu(a, b).astype(np.float64)
        want = a.astype(np.float64) @ b.astype(np.float64)
        err = float(np.max(np.abs(got - want)) / np.max(np.abs(want)))
        ta = torch.from_numpy(a).to(torch_device())
        tb = torch.from_numpy(b).to(torch_device())

        def torch_mm():
            if torch_device() == "cpu" and dtype == "f16":
                return None  # no fast f16 matmul on the CPU
            y = ta @ tb
            if torch_device() == "cuda":
                torch.cuda.synchronize()
            return y
        kiln_times, torch_times = [], []
        for _ in range(args.runs):  # interleaved
            kiln_times += timed(lambda: gpu(a, b), 1)
            torch_times += timed(torch_mm, 1)
        flops = 2.0 * n ** 3
        row = {"case": f"matmul {n}^3 {dtype}", "relative_error": err,
               "kiln": summary(kiln_times),
               f"torch_{torch_device()}": summary(torch_times),
               "kiln_tflops": flops / statistics.median(kiln_times) / 1e9}
        if args.peak_tflops:
            row["kiln_fraction_of_peak"] = row["kiln_tflops"] / args.peak_tflops
        results.append(row)
        print(f"{row['case']}: kiln {row['kiln']['median_ms']:.2f} ms "
              f"({row['kiln_tflops']:.3f} TFLOP/s), torch "
              f"{row[f'torch_{torch_device()}']['median_ms']:.2f} ms; "
              f"relative error {err:.2e}")


def bench_models(args, results):
    models = ["resnet18"] if args.quick else ["resnet18", "bert_layer"]
    for name in models:
        model, example, onnx_bytes, _ = build(name, dynamic_batch=True)
        gpu = kiln.compile(onnx_bytes, target=args.target)
        cpu = kiln.compile(onnx_bytes)
        for batch in args.batches:
            shape = (batch,) + tuple(example[0].shape[1:])
            x = torch.randn(*shape, generator=torch.Generator().manual_seed(
                batch)).numpy()
            got, want = gpu(x), cpu(x)
            err = float(np.max(np.abs(got - want)) / np.max(np.abs(want)))
            run_torch = torch_call(model, x)
            kiln_times, torch_times = [], []
            for _ in range(args.runs):
                kiln_times += timed(lambda: gpu(x), 1)
                torch_times += timed(run_torch, 1)
            row = {"case": f"{name} batch {batch}",
                   "relative_error_vs_cpu": err, "kiln": summary(kiln_times),
                   f"torch_{torch_device()}": summary(torch_times)}
            row["kiln/torch"] = (row["kiln"]["median_ms"] /
                                 row[f"torch_{torch_device()}"]["median_ms"])
            results.append(row)
            print(f"{row['case']}: kiln {row['kiln']['median_ms']:.2f} ms, "
                  f"torch ({torch_device()}) "
                  f"{row[f'torch_{torch_device()}']['median_ms']:.2f} ms, "
                  f"kiln/torch {row['kiln/torch']:.2f}; error vs CPU "
                  f"{err:.2e}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", default="cuda",
                        choices=["cuda", "vulkan"])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--batches", default="1,32")
    parser.add_argument("--peak-tflops", type=float, default=0.0,
                        help="the device's f32 peak, for a fraction of it")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args()
    args.batches = [int(b) for b in args.batches.split(",")]
    if args.quick:
        args.size, args.batches, args.runs = 256, [1], min(args.runs, 3)
    try:
        device = kiln.gpu_device(args.target)
    except RuntimeError as error:
        print(f"no {args.target} device: {error}")
        return 77
    print(f"device: {device} ({args.target}); host: {platform.processor()} "
          f"{platform.machine()}; torch {torch.__version__} on "
          f"{torch_device()}")
    results = []
    bench_matmul(args, results)
    bench_models(args, results)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"device": device, "target": args.target,
                       "results": results}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
