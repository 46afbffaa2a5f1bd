#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Where NHWC starts to pay off for Kiln's convolutions: a three-conv block
(3x3 from 3 channels, 3x3 and 1x1 of C channels, relus between) compiled
with --layout=nchw and --layout=nhwc, for a sweep of channel counts, timed
interleaved in one run. kiln-convert-layout's `auto` cost model
(dialects/Kiln/Transforms/ConvertLayout.cpp) reads its thresholds from
these numbers.

    PYTHONPATH=build/python_packages python3 bench/layout_channels.py \\
        [--runs N] [--cpu NAME] [C:H ...]
"""

import argparse
import statistics
import time

import numpy as np

import kiln


def block(c, h):
    t = f"tensor<1x{c}x{h}x{h}xf32>"
    return f"""
func.func @f(%x: tensor<1x3x{h}x{h}xf32>) -> {t} {{
  %w1 = kiln.constant dense<0.1> : tensor<{c}x3x3x3xf32>
  %w2 = kiln.constant dense<0.05> : tensor<{c}x{c}x3x3xf32>
  %w3 = kiln.constant dense<0.02> : tensor<{c}x{c}x1x1xf32>
  %a = kiln.conv2d %x, %w1 {{pads = array<i64: 1, 1, 1, 1>}} : (tensor<1x3x{h}x{h}xf32>, tensor<{c}x3x3x3xf32>) -> {t}
  %r = kiln.relu %a : ({t}) -> {t}
  %b = kiln.conv2d %r, %w2 {{pads = array<i64: 1, 1, 1, 1>}} : ({t}, tensor<{c}x{c}x3x3xf32>) -> {t}
  %r2 = kiln.relu %b : ({t}) -> {t}
  %c = kiln.conv2d %r2, %w3 : ({t}, tensor<{c}x{c}x1x1xf32>) -> {t}
  return %c : {t}
}}"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--cpu", default="",
                    help="compile for this CPU (e.g. znver3 for AVX2 code "
                         "on an AVX-512 host); default: the host's")
    ap.add_argument("sizes", nargs="*", default=[
        "4:112", "8:112", "16:112", "32:112", "64:56", "128:28", "256:14"])
    args = ap.parse_args()
    print("| channels | image | NCHW ms | NHWC ms | NCHW/NHWC |")
    print("|---|---|---|---|---|")
    for size in args.sizes:
        c, h = (int(v) for v in size.split(":"))
        x = np.random.default_rng(0).random((1, 3, h, h), np.float32)
        mods = {layout: kiln.compile(block(c, h), layout=layout, cpu=args.cpu)
                for layout in ("nchw", "nhwc")}
        np.testing.assert_allclose(mods["nchw"](x), mods["nhwc"](x),
                                   rtol=1e-4, atol=1e-4)
        ms = {layout: [] for layout in mods}
        for m in mods.values():
            m(x)
        for _ in range(args.runs):
            for layout, m in mods.items():
                t = time.perf_counter()
                m(x)
                ms[layout].append((time.perf_counter() - t) * 1e3)
        a, b = (statistics.median(ms[k]) for k in ("nchw", "nhwc"))
        print("| %d | %dx%d | %.3f | %.3f | %.2f |" % (c, h, h, a, b, a / b),
              flush=True)


if __name__ == "__main__":
    main()
