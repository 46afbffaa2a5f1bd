#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""f16/bf16 conversions bit for bit against numpy, through the JIT and the
AOT path, with no compiler-rt builtin left in the code.

Usage: e2e_float_conversions.py <bin dir> <C compiler> <llvm-nm>

One kiln model casts f64 -> f16, f64 -> bf16, f32 -> f16, f32 -> bf16,
f16 -> f32, f16 -> f64, f16 -> bf16 and bf16 -> f16 (the bf16 results come
back widened to f32, which is exact, because .npy has no bf16; the bf16
input is every bf16 bit pattern, passed widened to f32 and narrowed back
exactly in the model). The inputs are the special values (+-0,
subnormals, the largest finite values, overflow to infinity, infinities,
NaN), every tie between two neighbouring f16 or bf16 values together with
the f64 values just beside it (where rounding f64 -> f32 -> f16 naively goes
wrong), every f16 bit pattern and random bit patterns. The f16 references are
numpy's casts; bf16 is referenced by rounding to 8 significant bits in
float64 with np.rint.

The model runs through kiln-run (JIT, host CPU) and kiln-compile objects
linked with `cc main.c model.o -lm`, both for the host CPU and for
--cpu=x86-64 (no F16C); `llvm-nm -u` must show no __trunc*/__extend*
symbol in either object.
"""

import os
import re
import sys
import tempfile

import numpy as np

from e2e_lib import CFLAGS, run

rng = np.random.default_rng(7)


def bf16_reference(x):
    """float64 -> bf16 bits, rounding to nearest even, as uint16."""
    x = np.asarray(x, np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        _, e = np.frexp(x)
        # bf16 keeps 8 significant bits; its subnormals are multiples of
        # 2^-133. Scaling by a power of two is exact, and np.rint rounds
        # ties to even.
        q = np.maximum(e - 8, -133)
        r = np.ldexp(np.rint(np.ldexp(x, -q)), q)
        # r is a bf16 value or 2^128, so this cast is exact or gives inf.
        f = r.astype(np.float32)
    bits = (f.view(np.uint32) >> 16).astype(np.uint16)
    nan = np.isnan(x)
    bits[nan] = np.where(np.signbit(x[nan]), 0xFFC0, 0x7FC0)
    return bits


def f16_reference_check(x):
    """Cross-checks numpy's float64 -> float16 the same way as bf16."""
    x = np.asarray(x, np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        _, e = np.frexp(x)
        q = np.maximum(e - 11, -24)
        r = np.ldexp(np.rint(np.ldexp(x, -q)), q)
        r = np.where(np.abs(r) >= 65536.0, np.copysign(np.inf, x), r)
        return r.astype(np.float16)


def widen_bf16(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def neighbours(values):
    """Each value together with the float64 values a hair beside it."""
    v = np.asarray(values, np.float64)
    out = [v]
    for scale in (2.0**-30, 2.0**-45):
        out += [v * (1 + scale), v * (1 - scale)]
    return np.concatenate(out)


def f64_inputs():
    specials = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, -np.nan,
                65504.0, 65519.99, 65520.0, 65536.0, -65520.0, 1e300, -1e300,
                2.0**-14, 2.0**-24, 2.0**-25, 3 * 2.0**-26, 1.5 * 2.0**-24,
                2.5 * 2.0**-24, 5e-324, -5e-324, 1e-40, 1e-45, 1e-50,
                1 + 2.0**-11, 1 + 3 * 2.0**-11, 1 + 2.0**-8, 1 + 3 * 2.0**-8,
                float(np.finfo(np.float32).max), 3.5e38, -3.5e38,
                2.0**128 - 2.0**119, 2.0**128 - 2.0**120, 2.0**-126,
                2.0**-133, 2.0**-134, 3 * 2.0**-134, 2.0**-149, 2.0**-150]
    # Every tie between neighbouring f16 values (the top one is the tie
    # with 2^16, i.e. the overflow threshold) and between bf16 values of a
    # few binades, including subnormal ones.
    h = np.arange(0, 0x7C00, dtype=np.uint16).view(np.float16)
    h = h.astype(np.float64)
    f16_ties = (h[:-1] + h[1:]) / 2
    f16_ties = np.append(f16_ties, 65520.0)
    b = np.concatenate([np.arange(0, 0x0200), np.arange(0x3F00, 0x4000),
                        np.arange(0x7E00, 0x7F80)]).astype(np.uint16)
    b = widen_bf16(b).astype(np.float64)
    bf16_ties = (b[:-1] + b[1:]) / 2
    ties = np.concatenate([f16_ties, bf16_ties])
    ties = np.concatenate([ties, -ties])
    # Random values of every magnitude f16 and bf16 care about.
    mags = np.ldexp(rng.uniform(1, 2, 4000), rng.integers(-160, 130, 4000))
    mags *= rng.choice([-1.0, 1.0], 4000)
    return np.concatenate([neighbours(specials), neighbours(ties), mags])


def f32_inputs():
    specials = np.array([0.0, -0.0, 1.0, np.inf, -np.inf, np.nan, -np.nan,
                         65504.0, 65520.0, 65519.996, 1e-40, 1e-45,
                         np.finfo(np.float32).max, 2.0**-14, 2.0**-24,
                         2.0**-25], np.float32)
    # Each f16 tie and its two f32 neighbours.
    h = np.arange(0, 0x7C00, dtype=np.uint16).view(np.float16)
    h = h.astype(np.float32)
    ties = (h[:-1] + h[1:]) / 2
    ties = np.append(ties, np.float32(65520.0))
    ties = np.concatenate([ties, np.nextafter(ties, np.float32(0)),
                           np.nextafter(ties, np.float32(np.inf))])
    ties = np.concatenate([ties, -ties])
    # The bf16 ties are in the random bit patterns' low bits already; add
    # each exact one for a few binades.
    random = rng.integers(0, 2**32, 200000, dtype=np.uint64)
    random = random.astype(np.uint32).view(np.float32)
    bf_ties = (np.arange(0x3F800000, 0x40000000, 0x10000, dtype=np.uint32)
               + 0x8000).view(np.float32)
    return np.concatenate([specials, ties, random, bf_ties, -bf_ties])


def f16_inputs():
    return np.arange(0, 2**16, dtype=np.uint32).astype(np.uint16).view(
        np.float16)


def bf16_inputs():
    """Every bf16 bit pattern, widened to f32 (exact)."""
    return widen_bf16(np.arange(0, 2**16, dtype=np.uint32).astype(np.uint16))


def model(n, m, k, j):
    t = lambda d, ty: f"tensor<{d}x{ty}>"
    return f"""func.func @model(%a0: {t(n, 'f64')}, %a1: {t(m, 'f32')},
                  %a2: {t(k, 'f16')}, %a3: {t(j, 'f32')})
    -> ({t(n, 'f16')}, {t(n, 'f32')}, {t(m, 'f16')}, {t(m, 'f32')},
        {t(k, 'f32')}, {t(k, 'f64')}, {t(k, 'f32')}, {t(j, 'f16')}) {{
  %0 = kiln.cast %a0 : ({t(n, 'f64')}) -> {t(n, 'f16')}
  %b0 = kiln.cast %a0 : ({t(n, 'f64')}) -> {t(n, 'bf16')}
  %1 = kiln.cast %b0 : ({t(n, 'bf16')}) -> {t(n, 'f32')}
  %2 = kiln.cast %a1 : ({t(m, 'f32')}) -> {t(m, 'f16')}
  %b1 = kiln.cast %a1 : ({t(m, 'f32')}) -> {t(m, 'bf16')}
  %3 = kiln.cast %b1 : ({t(m, 'bf16')}) -> {t(m, 'f32')}
  %4 = kiln.cast %a2 : ({t(k, 'f16')}) -> {t(k, 'f32')}
  %5 = kiln.cast %a2 : ({t(k, 'f16')}) -> {t(k, 'f64')}
  %b2 = kiln.cast %a2 : ({t(k, 'f16')}) -> {t(k, 'bf16')}
  %6 = kiln.cast %b2 : ({t(k, 'bf16')}) -> {t(k, 'f32')}
  %b3 = kiln.cast %a3 : ({t(j, 'f32')}) -> {t(j, 'bf16')}
  %7 = kiln.cast %b3 : ({t(j, 'bf16')}) -> {t(j, 'f16')}
  return %0, %1, %2, %3, %4, %5, %6, %7 : {t(n, 'f16')}, {t(n, 'f32')},
      {t(m, 'f16')}, {t(m, 'f32')}, {t(k, 'f32')}, {t(k, 'f64')},
      {t(k, 'f32')}, {t(j, 'f16')}
}}
"""


CTYPE = {np.dtype(np.float64): "double", np.dtype(np.float32): "float",
         np.dtype(np.float16): "uint16_t"}


def c_driver(inputs, outputs):
    lines = ['#include "model.h"', "#include <stdio.h>", "#include <stdlib.h>",
             "static void *load(const char *p, size_t n) {",
             "  void *b = malloc(n); FILE *f = fopen(p, \"rb\");",
             "  if (!f || fread(b, 1, n, f) != n) { perror(p); exit(3); }",
             "  fclose(f); return b; }", "int main(void) {"]
    args = []
    for i, x in enumerate(inputs):
        lines.append(f"  {CTYPE[x.dtype]} *in{i} = load(\"in{i}.bin\", "
                     f"{x.nbytes});")
        args += [f"in{i}", str(x.size)]
    for i, o in enumerate(outputs):
        lines.append(f"  {CTYPE[o.dtype]} *out{i} = malloc({o.nbytes});")
        args += [f"out{i}", str(o.size)]
    lines.append(f"  int status = kiln_model({', '.join(args)});")
    lines.append("  if (status) return status;")
    for i, o in enumerate(outputs):
        lines.append(f"  FILE *f{i} = fopen(\"out{i}.bin\", \"wb\");")
        lines.append(f"  fwrite(out{i}, 1, {o.nbytes}, f{i}); fclose(f{i});")
        lines.append(f"  free(out{i});")
    # Everything freed: sanitizer builds run the driver with LeakSanitizer.
    for i in range(len(inputs)):
        lines.append(f"  free(in{i});")
    lines.append("  return 0;\n}")
    return "\n".join(lines) + "\n"


NAMES = ["f64->f16", "f64->bf16", "f32->f16", "f32->bf16", "f16->f32",
         "f16->f64", "f16->bf16", "bf16->f16"]


def bits(v):
    """A scalar's bit pattern in hex."""
    ints = {2: np.uint16, 4: np.uint32, 8: np.uint64}[v.itemsize]
    return f"{np.asarray(v).view(ints):#x}"


def compare(got, want, inputs_of):
    """Bitwise, except that any two NaNs of the same sign match."""
    failures = []
    for i, (g, w) in enumerate(zip(got, want)):
        if g.dtype != w.dtype or g.shape != w.shape:
            failures.append(f"{NAMES[i]}: got {g.dtype}{g.shape}, want "
                            f"{w.dtype}{w.shape}")
            continue
        ints = {2: np.uint16, 4: np.uint32, 8: np.uint64}[w.itemsize]
        same = g.view(ints) == w.view(ints)
        nans = np.isnan(g) & np.isnan(w) & (np.signbit(g) == np.signbit(w))
        bad = np.flatnonzero(~(same | nans))
        if bad.size:
            j = bad[0]
            x = inputs_of[i][j]
            failures.append(
                f"{NAMES[i]}: {bad.size} of {w.size} differ; first at input "
                f"{x!r} ({bits(x)}): got {g[j]!r} ({bits(g[j])}), want "
                f"{w[j]!r} ({bits(w[j])})")
    return failures


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    bindir, cc, nm = sys.argv[1:]
    x64, x32, x16 = f64_inputs(), f32_inputs(), f16_inputs()
    xb16 = bf16_inputs()
    with np.errstate(over="ignore", invalid="ignore"):
        want = [x64.astype(np.float16), widen_bf16(bf16_reference(x64)),
                x32.astype(np.float16),
                widen_bf16(bf16_reference(x32.astype(np.float64))),
                x16.astype(np.float32), x16.astype(np.float64),
                widen_bf16(bf16_reference(x16.astype(np.float64))),
                xb16.astype(np.float16)]
        # The f16 references must agree before they judge Kiln.
        check = [f16_reference_check(x64),
                 f16_reference_check(x32.astype(np.float64)),
                 f16_reference_check(xb16.astype(np.float64))]
    assert not compare(check, [want[0], want[2], want[7]],
                       [x64, x32, xb16]), "numpy's f16 casts disagree"
    inputs_of = [x64, x64, x32, x32, x16, x16, x16, xb16]
    inputs = [x64, x32, x16, xb16]

    failures = []
    with tempfile.TemporaryDirectory(prefix="kiln-float-conv-") as d:
        with open(os.path.join(d, "model.mlir"), "w") as f:
            f.write(model(x64.size, x32.size, x16.size, xb16.size))
        for i, x in enumerate(inputs):
            np.save(os.path.join(d, f"in{i}.npy"), x)
            x.tofile(os.path.join(d, f"in{i}.bin"))

        cmd = [os.path.join(bindir, "kiln-run"), "model.mlir"]
        for i in range(len(inputs)):
            cmd += ["-i", f"in{i}.npy"]
        for i in range(len(want)):
            cmd += ["-o", f"jit{i}.npy"]
        r = run(cmd, d)
        if r.returncode:
            failures.append(f"JIT: {r.stderr.strip() or r.stdout.strip()}")
        else:
            got = [np.load(os.path.join(d, f"jit{i}.npy"))
                   for i in range(len(want))]
            failures += [f"JIT {m}" for m in compare(got, want, inputs_of)]

        with open(os.path.join(d, "main.c"), "w") as f:
            f.write(c_driver(inputs, want))
        for name, cpu in (("host", []), ("x86-64", ["--cpu=x86-64"])):
            r = run([os.path.join(bindir, "kiln-compile"), "model.mlir",
                     "-o", "model.o", "--emit-header=model.h"] + cpu, d)
            if r.returncode:
                failures.append(f"AOT {name} compile: {r.stderr.strip()}")
                continue
            r = run([nm, "-u", "model.o"], d)
            builtins = re.findall(r"__(?:trunc|extend)\w+", r.stdout)
            if r.returncode or builtins:
                failures.append(f"AOT {name}: the object needs "
                                f"{builtins or r.stderr.strip()}")
            r = run([cc, "-O1", "-Wall", "-Werror", *CFLAGS, "main.c", "model.o",
                     "-lm", "-lomp", "-o", "main"], d)
            if r.returncode:
                failures.append(f"AOT {name} link: {r.stderr.strip()}")
                continue
            r = run(["./main"], d)
            if r.returncode:
                failures.append(f"AOT {name} run: exit {r.returncode}: "
                                f"{r.stderr.strip()[-2000:]}")
                continue
            got = [np.fromfile(os.path.join(d, f"out{i}.bin"), w.dtype)
                   for i, w in enumerate(want)]
            failures += [f"AOT {name} {m}"
                         for m in compare(got, want, inputs_of)]

    for msg in failures:
        print("FAIL", msg)
    total = sum(w.size for w in want)
    print(f"{'FAIL' if failures else 'PASS'}: {total} conversions x 3 builds")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
