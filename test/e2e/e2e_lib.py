# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Runs kiln test cases through the JIT (kiln-run) and the AOT path
(kiln-compile + generated C header + a generated C driver) and compares
both with numpy references."""

import os
import shlex
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import numpy as np

DTYPES = {"f32": np.float32, "f64": np.float64, "i1": np.bool_, "i8": np.int8,
          "i32": np.int32, "i64": np.int64, "ui8": np.uint8}
# Sanitizer builds (docs/fuzzing.md) compile the C drivers with the flags in
# KILN_E2E_CFLAGS (ASan/UBSan; the AOT objects, being generated code, stay
# uninstrumented) and set KILN_E2E_VALGRIND=0, since valgrind cannot run
# ASan binaries: the valgrind cases then run natively.
CFLAGS = shlex.split(os.environ.get("KILN_E2E_CFLAGS", ""))
VALGRIND = os.environ.get("KILN_E2E_VALGRIND", "1") != "0"
# KILN_E2E_TARGET=vulkan runs every case's kernels through the Vulkan path
# (on lavapipe in CI), JIT and AOT, against the same references.
GPU_TARGET = os.environ.get("KILN_E2E_TARGET", "")
# KILN_E2E_PTXAS=<ptxas> compiles every case for --target=cuda instead and
# assembles its PTX for each chip in PTX_CHIPS (no GPU needed).
PTXAS = os.environ.get("KILN_E2E_PTXAS", "")
PTX_CHIPS = ("sm_80", "sm_90")

CTYPES = {"f32": "float", "f64": "double", "i1": "uint8_t", "i8": "int8_t",
          "i32": "int32_t", "i64": "int64_t", "ui8": "uint8_t"}


def kiln_type(dtype):
    for k, v in DTYPES.items():
        if np.dtype(v) == np.dtype(dtype):
            return k
    raise ValueError(dtype)


def ttype(shape, dtype, dynamic=()):
    dims = ["?" if i in dynamic else str(d) for i, d in enumerate(shape)]
    return "tensor<" + "".join(d + "x" for d in dims) + kiln_type(dtype) + ">"


def conv_nchw(x, w, b=None, stride=(1, 1), pads=(0, 0, 0, 0), dil=(1, 1), groups=1):
    """The NCHW convolution (pads: top, left, bottom, right), in float64."""
    x, w = np.asarray(x, np.float64), np.asarray(w, np.float64)
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    oh = (h + pads[0] + pads[2] - dil[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (wd + pads[1] + pads[3] - dil[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n, f, oh, ow))
    fg = f // groups
    for g in range(groups):
        xs = xp[:, g * cg:(g + 1) * cg]
        ws = w[g * fg:(g + 1) * fg]
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, :, i * dil[0]:i * dil[0] + stride[0] * (oh - 1) + 1:stride[0],
                           j * dil[1]:j * dil[1] + stride[1] * (ow - 1) + 1:stride[1]]
                out[:, g * fg:(g + 1) * fg] += np.einsum("nchw,fc->nfhw", patch, ws[:, :, i, j])
    if b is not None:
        out += np.asarray(b, np.float64)[None, :, None, None]
    return out



class Case:
    """A kiln function `@model` with inputs and numpy reference outputs.

    `body` uses %a0, %a1, ... for the arguments and returns its results;
    `dynamic` lists, per input, the dims to declare as `?`; `flags` are
    compiler options for both paths (`--layout=nhwc`, say).
    """

    def __init__(self, name, inputs, body, outputs, dynamic=None,
                 rtol=1e-4, atol=1e-5, out_dynamic=None, flags=()):
        self.name = name
        self.flags = list(flags)
        self.inputs = inputs
        # References are computed in float64; results are float32.
        self.outputs = [np.asarray(o) for o in outputs]
        self.outputs = [o.astype(np.float32) if o.dtype == np.float64 else o
                        for o in self.outputs]
        dynamic = dynamic or [()] * len(inputs)
        out_dynamic = out_dynamic or [()] * len(self.outputs)
        args = ", ".join(f"%a{i}: {ttype(x.shape, x.dtype, dynamic[i])}"
                         for i, x in enumerate(inputs))
        results = ", ".join(ttype(o.shape, o.dtype, out_dynamic[i])
                            for i, o in enumerate(self.outputs))
        self.mlir = (f"func.func @model({args}) -> ({results}) {{\n{body}\n}}\n")
        self.rtol, self.atol = rtol, atol


def close(got, want, rtol, atol):
    if got.shape != want.shape:
        return f"shape {got.shape} != {want.shape}"
    if want.dtype == np.bool_ or np.issubdtype(want.dtype, np.integer):
        bad = np.count_nonzero(got != want)
        return f"{bad} elements differ" if bad else ""
    ok = np.isclose(got.astype(np.float64), want.astype(np.float64),
                    rtol=rtol, atol=atol, equal_nan=True)
    if ok.all():
        return ""
    i = np.argmax(~ok.reshape(-1))
    return (f"{np.count_nonzero(~ok)} of {ok.size} differ; at {i}: got "
            f"{got.reshape(-1)[i]}, want {want.reshape(-1)[i]}")


def c_driver(case):
    """A C program that reads raw inputs, calls kiln_main, writes outputs."""
    lines = ["#include \"model.h\"", "#include <stdio.h>",
             "static void *load(const char *p, size_t n) {",
             "  void *b = malloc(n ? n : 1); FILE *f = fopen(p, \"rb\");",
             "  if (!f || fread(b, 1, n, f) != n) { perror(p); exit(3); }",
             "  fclose(f); return b; }",
             "int main(void) {"]
    args = []
    for i, x in enumerate(case.inputs):
        ct = CTYPES[kiln_type(x.dtype)]
        lines.append(f"  {ct} *in{i} = load(\"in{i}.bin\", {x.nbytes});")
        args += [f"in{i}"] + [str(d) for d in x.shape]
    for i, o in enumerate(case.outputs):
        ct = CTYPES[kiln_type(o.dtype)]
        lines.append(f"  {ct} *out{i} = malloc({max(o.nbytes, o.itemsize)});")
        args += [f"out{i}"] + [str(d) for d in o.shape]
    lines.append(f"  int status = kiln_model({', '.join(args)});")
    lines.append("  if (status) { fprintf(stderr, \"status %d: %s\\n\", status,"
                 " kiln_last_error()); return status; }")
    for i, o in enumerate(case.outputs):
        lines.append(f"  FILE *f{i} = fopen(\"out{i}.bin\", \"wb\");")
        lines.append(f"  fwrite(out{i}, 1, {o.nbytes}, f{i}); fclose(f{i});")
        lines.append(f"  free(out{i});")
    for i in range(len(case.inputs)):
        lines.append(f"  free(in{i});")
    lines.append("  return 0;\n}")
    return "\n".join(lines) + "\n"


def run(cmd, cwd):
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def vulkan_device(bindir):
    """The Vulkan device Kiln's runtime (next to `bindir`) would use, or
    None with the reason printed."""
    import ctypes
    path = os.path.join(bindir, "..", "lib", "libkiln_vulkan_runtime.so")
    if not os.path.exists(path):
        print(f"no Vulkan runtime: {path} was not built (libvulkan-dev)")
        return None
    lib = ctypes.CDLL(path)
    lib.kiln_gpu_device_name.restype = ctypes.c_char_p
    lib.kiln_gpu_last_error.restype = ctypes.c_char_p
    name = lib.kiln_gpu_device_name()
    if not name:
        print(f"no Vulkan device: {lib.kiln_gpu_last_error().decode()}")
        return None
    return name.decode()


def gpu_link_flags(bindir, target):
    """The linker flags of an AOT object compiled for GPU `target`."""
    lib = os.path.abspath(os.path.join(bindir, "..", "lib"))
    return [f"-L{lib}", f"-Wl,-rpath,{lib}", f"-lkiln_{target}_runtime"]


def check_ptx(case, tools):
    """Compiles `case` to PTX for each chip and assembles it with ptxas."""
    failures = []
    with tempfile.TemporaryDirectory(prefix=f"kiln-{case.name}-") as d:
        with open(os.path.join(d, "model.mlir"), "w") as f:
            f.write(case.mlir)
        for chip in PTX_CHIPS:
            r = run([tools["kiln-compile"], "model.mlir", "--target=cuda",
                     f"--gpu-chip={chip}", "--emit=ptx", "-o", f"{chip}.ptx"]
                    + case.flags, d)
            if r.returncode != 0 and "has no kernels" in r.stderr:
                break  # reshapes and copies: the host does all the work
            if r.returncode != 0:
                failures.append(f"PTX for {chip}: {r.stderr.strip()}")
                continue
            r = run([PTXAS, f"-arch={chip}", f"{chip}.ptx", "-o",
                     f"{chip}.cubin"], d)
            if r.returncode != 0:
                failures.append(f"ptxas -arch={chip}: {r.stderr.strip()}")
    return failures


def check_case(case, tools, valgrind=False):
    """Returns a list of failure messages (empty when both paths pass)."""
    if PTXAS:
        return check_ptx(case, tools)
    valgrind = valgrind and VALGRIND and not GPU_TARGET
    failures = []
    flags = case.flags + ([f"--target={GPU_TARGET}"] if GPU_TARGET else [])
    with tempfile.TemporaryDirectory(prefix=f"kiln-{case.name}-") as d:
        with open(os.path.join(d, "model.mlir"), "w") as f:
            f.write(case.mlir)
        cmd = [tools["kiln-run"], "model.mlir", f"--rtol={case.rtol}",
               f"--atol={case.atol}"] + flags
        for i, x in enumerate(case.inputs):
            np.save(os.path.join(d, f"in{i}.npy"), x)
            x.tofile(os.path.join(d, f"in{i}.bin"))
            cmd += ["-i", f"in{i}.npy"]
        for i, o in enumerate(case.outputs):
            np.save(os.path.join(d, f"want{i}.npy"), o)
            cmd += ["--expect", f"want{i}.npy"]
        r = run(cmd, d)
        if r.returncode != 0:
            failures.append(f"JIT: {r.stderr.strip() or r.stdout.strip()}")

        # valgrind cannot execute AVX-512, so those builds target x86-64-v3.
        cpu = ["--cpu=x86-64-v3"] if valgrind else []
        r = run([tools["kiln-compile"], "model.mlir", "-o", "model.o",
                 "--emit-header=model.h"] + cpu + flags, d)
        if r.returncode != 0:
            failures.append(f"AOT compile: {r.stderr.strip()}")
            return failures
        with open(os.path.join(d, "driver.c"), "w") as f:
            f.write(c_driver(case))
        libs = ["-lm", "-lomp"]
        if GPU_TARGET:
            libs = gpu_link_flags(os.path.dirname(tools["kiln-run"]),
                                  GPU_TARGET) + libs
        r = run([tools["cc"], "-O1", "-Wall", "-Werror", *CFLAGS, "driver.c",
                 "model.o", *libs, "-o", "driver"], d)
        if r.returncode != 0:
            failures.append(f"AOT link: {r.stderr.strip()}")
            return failures
        prefix = (["valgrind", "--error-exitcode=9", "--leak-check=full",
                   "--errors-for-leak-kinds=definite,indirect", "-q"]
                  if valgrind else [])
        r = run(prefix + ["./driver"], d)
        if r.returncode != 0:
            failures.append(f"AOT run (exit {r.returncode}): {r.stderr.strip()}")
            return failures
        for i, o in enumerate(case.outputs):
            got = np.fromfile(os.path.join(d, f"out{i}.bin"),
                              dtype=o.dtype).reshape(o.shape)
            msg = close(got, o, case.rtol, case.atol)
            if msg:
                failures.append(f"AOT output {i}: {msg}")
    return failures


def main(cases, tools, valgrind_cases=()):
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    # ctest's SKIP_RETURN_CODE: the GPU tooling is checked, never assumed.
    if GPU_TARGET == "vulkan":
        device = vulkan_device(os.path.dirname(tools["kiln-run"]))
        if not device:
            return 77
        print(f"Vulkan device: {device}")
    if PTXAS and not os.access(PTXAS, os.X_OK):
        print(f"no ptxas at {PTXAS}")
        return 77
    only = os.environ.get("KILN_E2E_FILTER")
    if only:
        cases = [c for c in cases if only in c.name]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(
            lambda c: check_case(c, tools, c.name in valgrind_cases), cases))
    passed = failed = 0
    for case, failures in zip(cases, results):
        if failures:
            failed += 1
            print(f"FAIL {case.name}")
            for msg in failures:
                print("   ", msg.replace("\n", "\n    "))
        else:
            passed += 1
            print(f"PASS {case.name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0
