#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""int8 quantization against f32, Kiln's and torch's, in one interleaved
run (../shared/BENCHMARKS.md: these machines are noisy):

- Kiln f32 (-O2), Kiln int8-dynamic (activation ranges at run time),
  Kiln int8 (ranges calibrated on 4 batches like the input), Kiln
  int8-weights (int8-stored weights dequantized per call: size, not speed);
- torch f32, and torch's quantize_dynamic (qint8 Linear layers, fbgemm).

    PYTHONPATH=build/python_packages python3 bench/int8.py \\
        [--runs N] [--threads T] [--cpu NAME] [--json out.json] [models...]

--cpu compiles Kiln's variants for another CPU of this host's family
(`--cpu=znver3`: AVX2 code, vpmaddwd instead of vpdpbusd, on an AVX-512
host).

Each variant's output is compared with torch f32's (relative L2 error).
The objects' sizes (save_object, weights embedded) show what int8 weights
save. Medians with min/max; the ratios are Kiln f32 / Kiln int8 and torch
quantize_dynamic / Kiln int8 (above 1: Kiln int8 is faster).
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import warnings

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python",
                                "tests"))
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import torch  # noqa: E402

import kiln  # noqa: E402
from models import build  # noqa: E402
from opt_levels import cpu_name  # noqa: E402


def first(out):
    return out[0] if isinstance(out, (tuple, list)) else out


def object_bytes(module):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "model.o")
        module.save_object(path)
        return os.path.getsize(path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--cpu", default="",
                    help="compile Kiln's variants for this CPU (default: "
                    "the host's)")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("models", nargs="*",
                    default=["linear_stack", "bert_layer"])
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    host = kiln.compile('func.func @f(%x: tensor<1xf32>) -> tensor<1xf32> {'
                        ' return %x : tensor<1xf32> }',
                        cpu=args.cpu).target_description
    llvm_cpu = host.split('cpu = "')[1].split('"')[0] if 'cpu = "' in host \
        else "?"
    print("CPU: %s (LLVM: %s); %d threads (Kiln and torch)"
          % (cpu_name(), llvm_cpu, args.threads))
    print("| model | variant | rel. L2 error vs torch f32 | object MiB | "
          "compile s | latency ms median [min, max] |")
    print("|---|---|---|---|---|---|")
    results = []
    for name in args.models:
        model, inputs, onnx_bytes, _ = build(name)
        model.eval()
        arrays = [x.numpy() for x in inputs]
        gen = torch.Generator().manual_seed(1)
        calibration = [tuple(torch.randn(x.shape, generator=gen).numpy()
                             for x in inputs) for _ in range(4)]
        with torch.no_grad():
            want = first(model(*inputs)).numpy()
        qmodel = torch.quantization.quantize_dynamic(
            model, {torch.nn.Linear}, dtype=torch.qint8)
        qkwargs = {}
        if isinstance(model, torch.nn.TransformerEncoderLayer):
            # torch 1.13's fast path cannot take quantized Linear layers;
            # an all-zero mask (no effect on the result) avoids it.
            seq = inputs[0].shape[1]
            qkwargs = {"src_mask": torch.zeros(seq, seq)}
        variants = {
            "kiln f32": {},
            "kiln int8-dynamic": {"quantize": "int8-dynamic"},
            "kiln int8": {"quantize": "int8", "calibration": calibration},
            "kiln int8-weights": {"quantize": "int8-weights"},
        }
        rows, calls = {}, {}
        for variant, options in variants.items():
            t = time.perf_counter()
            m = kiln.compile(onnx_bytes, threads=args.threads, cpu=args.cpu,
                             **options)
            compile_s = time.perf_counter() - t
            got = first(m(*arrays))
            rows[variant] = {
                "error": float(np.linalg.norm(got - want) /
                               np.linalg.norm(want)),
                "object_bytes": object_bytes(m), "compile_s": compile_s,
                "ms": []}
            calls[variant] = lambda m=m: m(*arrays)
        with torch.no_grad():
            for variant, mod, kw in (("torch f32", model, {}),
                                     ("torch quantize_dynamic", qmodel,
                                      qkwargs)):
                got = first(mod(*inputs, **kw)).numpy()
                rows[variant] = {
                    "error": float(np.linalg.norm(got - want) /
                                   np.linalg.norm(want)),
                    "ms": []}
                calls[variant] = lambda mod=mod, kw=kw: mod(*inputs, **kw)
            for fn in calls.values():
                fn()  # warm-up
            for _ in range(args.runs):
                for key, fn in calls.items():
                    t = time.perf_counter()
                    fn()
                    rows[key]["ms"].append((time.perf_counter() - t) * 1e3)
        for variant, row in rows.items():
            ms = row["ms"]
            size = ("%.1f" % (row["object_bytes"] / 1048576.0)
                    if "object_bytes" in row else "")
            compile_s = ("%.1f" % row["compile_s"]
                         if "compile_s" in row else "")
            print("| %s | %s | %.4f | %s | %s | %.2f [%.2f, %.2f] |"
                  % (name, variant, row["error"], size, compile_s,
                     statistics.median(ms), min(ms), max(ms)))
        med = {v: statistics.median(r["ms"]) for v, r in rows.items()}
        print("| %s | f32/int8-dynamic %.2fx, f32/int8 %.2fx; torch "
              "quantize_dynamic/int8-dynamic %.2fx, /int8 %.2fx; object "
              "f32/int8 %.2fx | | | | |"
              % (name, med["kiln f32"] / med["kiln int8-dynamic"],
                 med["kiln f32"] / med["kiln int8"],
                 med["torch quantize_dynamic"] / med["kiln int8-dynamic"],
                 med["torch quantize_dynamic"] / med["kiln int8"],
                 rows["kiln f32"]["object_bytes"] /
                 rows["kiln int8"]["object_bytes"]), flush=True)
        results.append({"model": name, "variants": rows})
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cpu": cpu_name(), "threads": args.threads,
                       "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
