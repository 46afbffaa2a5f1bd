#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""A seeded randomized sweep of GEMM and convolution shapes, through the JIT,
against numpy (float64 references from the same float32 inputs).

Usage: e2e_sweep.py [--seed N] [--gemms N] [--convs N]

Besides the random cases it always runs the edge shapes of the packed GEMM
path: 1x1x1, 9x9x9, primes, sizes just below, at and above every register
tile of the host's target (m0 = 6 or 8, n0 = 16 or 32), K around the K
block, dynamic M, N and K (an M of 0 included), and weights both constant
(packed at compile time) and passed at run time. Convolutions cover
strides, dilations, paddings, groups and depthwise in both layouts. The
functions are compiled in batches of modules, one kiln.compile each, to
keep the run short. The AOT path runs the same codegen; e2e_ops.py covers
it per op.
"""

import argparse
import math
import sys

import numpy as np

import kiln
import e2e_lib
from e2e_lib import conv_nchw

F32 = np.float32


def ttype(shape, dynamic=()):
    return e2e_lib.ttype(shape, F32, dynamic)


def hex_dense(a):
    return 'dense<"0x%s">' % np.ascontiguousarray(a, "<f4").tobytes().hex().upper()


class Sweep:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.cases = []  # (name, mlir function, inputs, reference, tolerance)

    def rand(self, *shape):
        return self.rng.uniform(-1, 1, shape).astype(F32)

    def gemm(self, m, k, n, const_b=False, dyn=(), run_m=None):
        """A (M x K) times B (K x N); `dyn` names the dynamic dims among
        "m", "k", "n"; `run_m` runs a dynamic M at another size."""
        name = "gemm_%d_%dx%dx%d%s%s" % (len(self.cases), m, k, n,
                                         "_const" if const_b else "",
                                         "_dyn" + "".join(dyn) if dyn else "")
        rm = m if run_m is None else run_m
        a, b = self.rand(rm, k), self.rand(k, n)
        ta = ttype((m, k), [i for i, d in enumerate("mk") if d in dyn])
        tb = ttype((k, n), [i for i, d in enumerate("kn") if d in dyn])
        tr = ttype((m, n), [i for i, d in enumerate("mn") if d in dyn])
        if const_b:
            body = ("  %%b = kiln.constant %s : %s\n"
                    "  %%r = kiln.matmul %%a, %%b : (%s, %s) -> %s\n" %
                    (hex_dense(b), ttype((k, n)), ta, ttype((k, n)), tr))
            args, inputs = "%%a: %s" % ta, [a]
        else:
            body = "  %%r = kiln.matmul %%a, %%b : (%s, %s) -> %s\n" % (ta, tb, tr)
            args, inputs = "%%a: %s, %%b: %s" % (ta, tb), [a, b]
        fn = "func.func @%s(%s) -> %s {\n%s  return %%r : %s\n}\n" % (
            name, args, tr, body, tr)
        want = a.astype(np.float64) @ b.astype(np.float64)
        self.cases.append((name, fn, inputs, want, 1e-4 * math.sqrt(k + 1)))

    def conv(self, n, c, f, h, w, kh, kw, stride, dil, pads, groups, nhwc,
             bias, const_w):
        x = self.rand(n, c, h, w)
        wt = self.rand(f, c // groups, kh, kw)
        b = self.rand(f) if bias else None
        want = conv_nchw(x, wt, b, stride, pads, dil, groups)
        name = "conv_%d_%s" % (len(self.cases), "nhwc" if nhwc else "nchw")
        xin, win = x, wt
        if nhwc:
            xin, win = x.transpose(0, 2, 3, 1).copy(), wt.transpose(2, 3, 1, 0).copy()
            want = want.transpose(0, 2, 3, 1)
        attrs = ("{strides = array<i64: %d, %d>, pads = array<i64: %d, %d, %d, %d>, "
                 "dilations = array<i64: %d, %d>, groups = %d : i64, layout = "
                 "#kiln.layout<%s>}" % (stride + pads + dil + (groups,) +
                                        ("nhwc" if nhwc else "nchw",)))
        tx, tw, tr = ttype(xin.shape), ttype(win.shape), ttype(want.shape)
        inputs, args, lines = [xin], ["%%x: %s" % tx], []
        if const_w:
            lines.append("  %%w = kiln.constant %s : %s\n" % (hex_dense(win), tw))
        else:
            inputs.append(win)
            args.append("%%w: %s" % tw)
        operands, types = "%x, %w", [tx, tw]
        if bias:
            inputs.append(b)
            args.append("%%b: %s" % ttype(b.shape))
            operands += ", %b"
            types.append(ttype(b.shape))
        lines.append("  %%r = kiln.conv2d %s %s : (%s) -> %s\n" % (
            operands, attrs, ", ".join(types), tr))
        fn = "func.func @%s(%s) -> %s {\n%s  return %%r : %s\n}\n" % (
            name, ", ".join(args), tr, "".join(lines), tr)
        k = (c // groups) * kh * kw
        self.cases.append((name, fn, inputs, want, 1e-4 * math.sqrt(k + 1)))


def edge_gemms(s):
    for m, k, n in [(1, 1, 1), (9, 9, 9), (2, 3, 5), (7, 11, 13), (97, 89, 83),
                    (1, 300, 1), (300, 1, 1), (1, 1, 300)]:
        s.gemm(m, k, n)
        s.gemm(m, k, n, const_b=True)
    # Around every register tile (m0: 6 on AVX2, 8 on AVX-512; n0: 16, 32),
    # and K around one K block (128 or 256 wide) and a single step.
    for m in (5, 6, 7, 8, 9, 17):
        for n in (15, 16, 17, 31, 32, 33):
            k = [1, 127, 129, 257][(m + n) % 4]
            s.gemm(m, k, n, const_b=(m + n) % 2 == 0)
    # M beyond one L2 block (mc: 252 rows on Zen 3, 1024 on Zen 4, 2048 on
    # Sapphire Rapids), so that M is walked in blocks, with a ragged last one.
    s.gemm(1100, 64, 300, const_b=True)
    s.gemm(2100, 40, 200)
    # Dynamic dims, an M of 0 (a batch of nothing) included.
    s.gemm(13, 40, 37, dyn="m")
    s.gemm(13, 40, 37, dyn="m", run_m=0)
    s.gemm(13, 40, 37, dyn="m", run_m=1)
    s.gemm(29, 40, 37, dyn="n")
    s.gemm(29, 41, 37, dyn="k")
    s.gemm(29, 41, 37, dyn="mnk")
    s.gemm(64, 150, 33, dyn="m", const_b=True, run_m=71)


def random_gemms(s, count):
    for _ in range(count):
        m, k, n = (int(math.exp(s.rng.uniform(0, math.log(260)))) for _ in range(3))
        s.gemm(m, k, n, const_b=bool(s.rng.integers(2)))


def random_convs(s, count):
    made = 0
    while made < count:
        r = s.rng
        kind = r.choice(["regular", "regular", "depthwise", "grouped"])
        groups = 1
        if kind == "depthwise":
            c = f = groups = int(r.integers(1, 20))
        elif kind == "grouped":
            groups = int(r.integers(2, 4))
            c, f = groups * int(r.integers(1, 5)), groups * int(r.integers(1, 5))
        else:
            c, f = int(r.integers(1, 24)), int(r.integers(1, 40))
        kh, kw = int(r.choice([1, 2, 3, 5])), int(r.choice([1, 2, 3, 5]))
        stride = (int(r.integers(1, 3)), int(r.integers(1, 3)))
        dil = (int(r.integers(1, 3)), int(r.integers(1, 3)))
        pads = tuple(int(v) for v in r.integers(0, 3, 4))
        h, w = int(r.integers(1, 21)), int(r.integers(1, 21))
        oh = (h + pads[0] + pads[2] - dil[0] * (kh - 1) - 1) // stride[0] + 1
        ow = (w + pads[1] + pads[3] - dil[1] * (kw - 1) - 1) // stride[1] + 1
        if oh < 1 or ow < 1:
            continue
        s.conv(int(r.integers(1, 3)), c, f, h, w, kh, kw, stride, dil, pads,
               groups, nhwc=bool(r.integers(2)), bias=bool(r.integers(2)),
               const_w=bool(r.integers(2)))
        made += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--gemms", type=int, default=150)
    ap.add_argument("--convs", type=int, default=120)
    ap.add_argument("--per-module", type=int, default=40)
    args = ap.parse_args()
    s = Sweep(args.seed)
    edge_gemms(s)
    random_gemms(s, args.gemms)
    random_convs(s, args.convs)
    failures = 0
    for start in range(0, len(s.cases), args.per_module):
        batch = s.cases[start:start + args.per_module]
        module = kiln.compile("".join(fn for _, fn, _, _, _ in batch))
        for name, fn, inputs, want, tol in batch:
            try:
                got = module.run(*inputs, entry=name)[0]
            except Exception as e:  # noqa: BLE001
                print("FAIL %s: %s\n%s" % (name, e, fn))
                failures += 1
                continue
            want = want.astype(np.float64)
            err = float(np.max(np.abs(got - want))) if want.size else 0.0
            scale = float(np.max(np.abs(want))) if want.size else 0.0
            if got.shape != want.shape or err > tol * (1 + scale):
                print("FAIL %s: shape %s (want %s), max error %.3g (tolerance "
                      "%.3g)\n%s" % (name, got.shape, want.shape, err,
                                     tol * (1 + scale), fn[:2000]))
                failures += 1
    print("%d cases (seed %d), %d failed" % (len(s.cases), args.seed, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
