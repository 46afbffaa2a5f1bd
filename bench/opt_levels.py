#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""What graph optimization, fusion and layout are worth on the real models:
each model compiled at -O0 and at -O2 on the same code generation (LLVM
-O2 for all), -O2 also with each layout forced (NCHW, NHWC) next to the
one kiln-convert-layout's `auto` chose, with the compile report's kernel
counts and intermediate-tensor bytes, and the latency of every variant and
of torch measured in one run, interleaved (../shared/BENCHMARKS.md: these
machines are noisy).

    PYTHONPATH=build/python_packages python3 bench/opt_levels.py \\
        [--runs N] [--threads T] [--json out.json] [models...]

Every result is checked against torch before timing. Medians with
min/max; "-O0/-O2" is the -O0 latency over the -O2 latency, "-O2/torch"
Kiln's over torch's (below 1: Kiln is faster).
"""

import argparse
import json
import os
import platform
import statistics
import sys
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

# Variant name -> compile() keywords.
VARIANTS = {
    "-O0": {"opt_level": 0},
    "-O2": {"opt_level": 2},
    "-O2 nchw": {"opt_level": 2, "layout": "nchw"},
    "-O2 nhwc": {"opt_level": 2, "layout": "nhwc"},
    # What kiln-cpu-tile-and-vectorize's epilogue fusion is worth alone.
    "-O2 no epilogue fusion": {"opt_level": 2, "fuse_epilogues": False},
}


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def mib(n):
    return n / 1048576.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("models", nargs="*", default=[
        "resnet18", "mobilenet_v2", "bert_layer", "tiny_encoder"])
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    host = kiln.compile('func.func @f(%x: tensor<1xf32>) -> tensor<1xf32> {'
                        ' return %x : tensor<1xf32> }').target_description
    llvm_cpu = host.split('cpu = "')[1].split('"')[0] if 'cpu = "' in host \
        else "?"
    print("CPU: %s (LLVM: %s); %d threads (Kiln and torch)"
          % (cpu_name(), llvm_cpu, args.threads))
    print("| model | variant | kernels (before -> after fusion) | "
          "intermediate MiB (before -> after) | fusion groups | "
          "epilogues fused (MiB of products not written) | "
          "compile s | latency ms median [min, max] |")
    print("|---|---|---|---|---|---|---|---|")
    results = []
    for name in args.models:
        model, inputs, onnx_bytes, _ = build(name)
        arrays = [x.numpy() for x in inputs]
        with torch.no_grad():
            want = model(*inputs)
        want = want[0] if isinstance(want, (tuple, list)) else want
        want = want.numpy()
        modules, rows = {}, {}
        for variant, options in VARIANTS.items():
            t = time.perf_counter()
            m = kiln.compile(onnx_bytes, llvm_opt_level=2,
                             threads=args.threads, **options)
            compile_s = time.perf_counter() - t
            got = m(*arrays)
            got = got[0] if isinstance(got, (tuple, list)) else got
            np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-3,
                                       err_msg="%s %s" % (name, variant))
            r = m.report
            chose = [x["rewrite"] for x in r["rewrites"]
                     if x["rewrite"].startswith("chose-")]
            modules[variant] = m
            rows[variant] = {
                "compile_s": compile_s,
                "kernels_before": r["kernels_before_fusion"]["kernels"],
                "kernels_after": r["kernels_after_fusion"]["kernels"],
                "bytes_before":
                    r["kernels_before_fusion"]["intermediate_bytes"],
                "bytes_after": r["kernels_after_fusion"]["intermediate_bytes"],
                "fusion_groups": len(r["fusion_groups"]),
                # Epilogues computed in their GEMM's or convolution's task
                # loop, and the products that no longer go to memory.
                "epilogues": sum(x["count"] for x in
                                 r.get("codegen_rewrites", [])
                                 if x["rewrite"] == "epilogue-fused"),
                "epilogue_bytes": sum(x.get("bytes", 0) for x in
                                      r.get("codegen_rewrites", [])
                                      if x["rewrite"] == "epilogue-fused"),
                "layout": chose[0][len("chose-"):] if chose else "keep",
                "ms": [],
            }
        torch_ms = []
        calls = {variant: (lambda m=m: m(*arrays))
                 for variant, m in modules.items()}
        with torch.no_grad():
            calls["torch"] = lambda: model(*inputs)
            for fn in calls.values():
                fn()  # warm-up
            for _ in range(args.runs):
                for key, fn in calls.items():
                    t = time.perf_counter()
                    fn()
                    ms = (time.perf_counter() - t) * 1e3
                    (torch_ms if key == "torch" else rows[key]["ms"]).append(ms)
        for variant, row in rows.items():
            ms = row["ms"]
            label = variant
            if variant == "-O2":
                label += " (auto: %s)" % row["layout"]
            print("| %s | %s | %d -> %d | %.1f -> %.1f | %d | %d (%.1f) | "
                  "%.1f | %.2f [%.2f, %.2f] |"
                  % (name, label, row["kernels_before"], row["kernels_after"],
                     mib(row["bytes_before"]), mib(row["bytes_after"]),
                     row["fusion_groups"], row["epilogues"],
                     mib(row["epilogue_bytes"]), row["compile_s"],
                     statistics.median(ms), min(ms), max(ms)))
        med = {v: statistics.median(r["ms"]) for v, r in rows.items()}
        tm = statistics.median(torch_ms)
        faster = "nhwc" if med["-O2 nhwc"] < med["-O2 nchw"] else "nchw"
        if rows["-O2"]["layout"] == "keep":
            faster = "(no image ops)"
        print("| %s | torch | | | | | | %.2f [%.2f, %.2f] |"
              % (name, tm, min(torch_ms), max(torch_ms)))
        print("| %s | -O0/-O2 %.2fx; -O2/torch %.2fx; auto chose %s, faster "
              "measured %s | | | | | | |"
              % (name, med["-O0"] / med["-O2"], med["-O2"] / tm,
                 rows["-O2"]["layout"], faster), flush=True)
        results.append({"model": name, "variants": rows,
                        "torch_ms": torch_ms})
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cpu": cpu_name(), "threads": args.threads,
                       "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
