#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Kiln's benchmark harness: Kiln (JIT and AOT), numpy/OpenBLAS and torch,
side by side in one run, on 1 and 2 threads.

    flock /tmp/kiln-build.lock /usr/bin/python3 bench/run.py \\
        [--cases gemm,conv,models,compile] [--quick] [--repeat N] \\
        [--threads 1,2] [--json out.json] [--plot out.png]

It records the host (CPU, ISA, versions, the BLAS numpy uses), measures the
f32 FMA peak (bench/fma_peak.c), and reports medians with [min, max], GFLOP/s,
the fraction of that peak and the ratios against OpenBLAS and torch. Every
Kiln result is checked against numpy/torch; a wrong result is printed as
WRONG and makes the exit status 1. docs/benchmarks.md explains the columns.
"""

import argparse
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(REPO, "bench")
SCHEMA = "kiln-bench/1"

# --------------------------------------------------------------------------
# Cases

# (M, K, N), run in order of FLOPs.
GEMM_SHAPES = [
    (1, 1, 1), (97, 89, 83), (127, 255, 129),
    (128, 768, 768), (128, 768, 3072), (128, 3072, 768),
    (513, 257, 1001), (512, 512, 512), (1024, 1024, 1024),
    (2048, 2048, 2048),
]
GEMM_QUICK = [(1, 1, 1), (97, 89, 83), (64, 64, 64)]
GEMM_SQUARE_BERT = {(512, 512, 512), (1024, 1024, 1024), (2048, 2048, 2048),
                    (128, 768, 768), (128, 768, 3072), (128, 3072, 768)}

# name: (Cin, Cout, kernel, stride, pad, input H=W); batch 1, NCHW, bias.
CONV_LAYERS = {
    "conv1_7x7s2": (3, 64, 7, 2, 3, 224),
    "l1_3x3_64": (64, 64, 3, 1, 1, 56),
    "l2_3x3s2_64to128": (64, 128, 3, 2, 1, 56),
    "l2_1x1s2_down": (64, 128, 1, 2, 0, 56),
    "l2_3x3_128": (128, 128, 3, 1, 1, 28),
    "l3_3x3s2_128to256": (128, 256, 3, 2, 1, 28),
    "l3_1x1s2_down": (128, 256, 1, 2, 0, 28),
    "l3_3x3_256": (256, 256, 3, 1, 1, 14),
    "l4_3x3s2_256to512": (256, 512, 3, 2, 1, 14),
    "l4_1x1s2_down": (256, 512, 1, 2, 0, 14),
    "l4_3x3_512": (512, 512, 3, 1, 1, 7),
}
CONV_QUICK = {"tiny_3x3": (8, 16, 3, 1, 1, 16),
              "tiny_1x1s2": (16, 32, 1, 2, 0, 16)}

MODELS = ["resnet18", "mobilenet_v2", "bert_layer"]
MODELS_QUICK = ["tiny_cnn"]
# Compiled only (compile time and peak RSS), for the compile-time targets:
# a model of 100 MB of weights and one of 440 MB (BERT-base sized: twelve
# encoder layers and a 30522-word output projection, random weights).
MODELS_COMPILE = ["resnet50", "bert_base_440mb"]
CNNS = {"resnet18", "mobilenet_v2", "tiny_cnn", "resnet50"}

SIDES = {
    "gemm": ["kiln-jit", "kiln-jit-const", "kiln-aot", "kiln-aot-const",
             "kiln-run", "numpy", "torch"],
    "conv": ["kiln-jit", "torch", "torch-cl"],
    "models": ["kiln-jit", "kiln-aot", "torch", "torch-cl"],
}
DEFAULT_OFF = {"kiln-run"}  # slow for scalar code (1 + 3 warm-up runs)
REFERENCE = {"gemm": "numpy", "conv": "torch", "models": "torch"}

# --------------------------------------------------------------------------
# Arguments and the environment (set before numpy/torch/kiln load).


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cases", default="gemm,conv,models,compile",
                    help="comma list of gemm, conv, models, compile")
    ap.add_argument("--quick", action="store_true",
                    help="tiny shapes and a tiny CNN, short timings (smoke)")
    ap.add_argument("--threads", default="1,2",
                    help="thread counts to run every side on (default 1,2)")
    ap.add_argument("--repeat", type=int, default=0,
                    help="exactly N timed runs per side (default: adaptive)")
    ap.add_argument("--min-runs", type=int, default=3)
    ap.add_argument("--min-time", type=float, default=1.0,
                    help="adaptive: time at least this long per side (s)")
    ap.add_argument("--max-time", type=float, default=5.0,
                    help="adaptive: stop after this long per side even "
                    "with fewer than --min-runs runs (s)")
    ap.add_argument("--max-runs", type=int, default=1000)
    ap.add_argument("--kiln-max-run-s", type=float, default=10.0,
                    help="skip a Kiln side whose predicted time per run, "
                    "from the smaller cases, is above this (0: never)")
    ap.add_argument("--sides", default="",
                    help="only these sides (e.g. numpy,torch,kiln-jit)")
    ap.add_argument("--skip-sides", default="",
                    help="sides to leave out (e.g. kiln-aot,kiln-aot-const)")
    ap.add_argument("--gemm", default="",
                    help="GEMM shapes MxKxN (or N for N^3), comma separated")
    ap.add_argument("--conv", default="",
                    help="conv layer names (see --list)")
    ap.add_argument("--models", default="",
                    help="models: resnet18, mobilenet_v2, bert_layer, "
                    "tiny_cnn")
    ap.add_argument("--compile-models", default=",".join(MODELS_COMPILE),
                    help="models only compiled by --cases compile, besides "
                    "--models (default: %s; '' for none)" %
                    ",".join(MODELS_COMPILE))
    ap.add_argument("--batches", default="1,8",
                    help="model batch sizes (default 1,8)")
    ap.add_argument("--tol", type=float, default=1e-4,
                    help="a result is WRONG when max|got-ref| > "
                    "tol * max|ref| (default 1e-4)")
    ap.add_argument("--json", default="", help="write the results here")
    ap.add_argument("--plot", default="",
                    help="PNG of the ratios (default: the --json path "
                    "with .png)")
    ap.add_argument("--tools-dir", default=os.environ.get(
        "KILN_TOOLS_DIR", os.path.join(REPO, "build", "bin")))
    ap.add_argument("--cc", default="clang-22")
    ap.add_argument("--workdir", default="",
                    help="keep the generated files here (default: a "
                    "temporary directory, removed)")
    ap.add_argument("--peak-seconds", type=float, default=0.2,
                    help="length of one FMA peak trial")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--list", action="store_true",
                    help="print the cases and sides, and exit")
    args = ap.parse_args(argv)
    if args.quick:
        for name, value in (("min_time", 0.05), ("max_time", 0.5),
                            ("peak_seconds", 0.05), ("min_runs", 2)):
            if getattr(args, name) == ap.get_default(name):
                setattr(args, name, value)
        if args.batches == ap.get_default("batches"):
            args.batches = "1"
    return args


def int_list(text):
    return [int(x) for x in text.split(",") if x.strip()]


def set_thread_env(n):
    """The variables every side reads; Kiln may ignore them until it has
    threads."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "KILN_NUM_THREADS",
                "MKL_NUM_THREADS"):
        os.environ[var] = str(n)


# --------------------------------------------------------------------------
# Utilities


def sh(cmd, timeout=1800, **kw):
    """Runs a command; a hang becomes a failed run, not a hung harness."""
    try:
        return subprocess.run(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True,
                              timeout=timeout, **kw)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(
            cmd, 124, "", "timed out after %d s: %s" % (
                timeout, " ".join(cmd)))


def first_line(cmd):
    try:
        r = sh(cmd, timeout=30)
        return (r.stdout or r.stderr).strip().splitlines()[0]
    except Exception as e:  # noqa: BLE001
        return "unavailable (%s)" % e


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def fmt_ms(x):
    if x is None:
        return "-"
    if x >= 100:
        return "%.0f" % x
    if x >= 10:
        return "%.1f" % x
    if x >= 1:
        return "%.2f" % x
    if x >= 0.01:
        return "%.3f" % x
    return "%.4f" % x


def fmt_ratio(x):
    if x is None:
        return "-"
    return ("%.2f×" % x) if x >= 0.1 else ("%.3f×" % x) if x >= 0.001 \
        else ("%.1e×" % x)


def fmt_g(x):
    return "-" if x is None else ("%.1f" % x if x >= 1 else "%.2f" % x)


def side_cell(s):
    if s is None:
        return "-"
    if s.get("skipped"):
        return "skipped"
    if s.get("error"):
        return "ERROR"
    if s.get("median_ms") is None:
        return "-"
    cell = "%s [%s, %s]" % (fmt_ms(s["median_ms"]), fmt_ms(s["min_ms"]),
                            fmt_ms(s["max_ms"]))
    if s.get("check") == "WRONG":
        cell += " WRONG"
    return cell


def table(headers, rows):
    out = ["| " + " | ".join(headers) + " |",
           "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


RUSAGE_WRAPPER = """
import json, os, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
t = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execv(cmd[0], cmd)
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
secs = time.perf_counter() - t
with open(out, "w") as f:
    json.dump({"seconds": secs, "maxrss_kb": ru.ru_maxrss,
               "rc": os.waitstatus_to_exitcode(status)}, f)
"""


def clip(text, head=600, tail=1400):
    """An error message short enough for the JSON: its start and its end."""
    text = str(text)
    if len(text) <= head + tail:
        return text
    return text[:head] + "\n[... %d characters ...]\n" % (
        len(text) - head - tail) + text[-tail:]


def err_text(e):
    return clip("%s: %s" % (type(e).__name__, e))


class Policy:
    """How long to time one side of one case."""

    def __init__(self, args):
        self.repeat = args.repeat
        self.min_runs = max(1, args.min_runs)
        self.min_time = args.min_time
        self.max_time = args.max_time
        self.max_runs = max(1, args.max_runs)

    def driver_args(self):
        if self.repeat:
            return [self.repeat, self.repeat, 0.0, 1e9]
        return [self.min_runs, self.max_runs, self.min_time, self.max_time]

    def as_dict(self):
        return {"repeat": self.repeat or None, "min_runs": self.min_runs,
                "min_time_s": self.min_time, "max_time_s": self.max_time,
                "max_runs": self.max_runs,
                "warmup": "1 checked run, then until 3 runs or 0.1 s"}


def measure(fn, policy):
    """Runs fn once (its result is checked), warms up, then times it.
    Returns (first result, list of ms)."""
    first = fn()
    w0 = time.perf_counter()
    w = 1
    while w < 3 and time.perf_counter() - w0 < 0.1:
        fn()
        w += 1
    ms = []
    t0 = time.perf_counter()
    while True:
        s = time.perf_counter()
        fn()
        e = time.perf_counter()
        ms.append((e - s) * 1e3)
        if policy.repeat:
            if len(ms) >= policy.repeat:
                break
            continue
        elapsed = e - t0
        if len(ms) >= policy.max_runs or elapsed >= policy.max_time or \
                (len(ms) >= policy.min_runs and elapsed >= policy.min_time):
            break
    return first, ms


def stats(ms):
    return {"median_ms": statistics.median(ms), "min_ms": min(ms),
            "max_ms": max(ms), "runs": len(ms)}


def check(got, ref, tol):
    """("ok" | "WRONG", max|got-ref| / max|ref|)."""
    import numpy as np
    got = np.asarray(got)
    if got.shape != ref.shape:
        return "WRONG", None
    if ref.size == 0:
        return "ok", 0.0
    scale = float(np.max(np.abs(ref))) or 1.0
    diff = np.abs(got.astype(np.float64) - ref.astype(np.float64))
    if not np.all(np.isfinite(got)):
        return "WRONG", float("inf")
    err = float(np.max(diff)) / scale
    return ("ok" if err <= tol else "WRONG"), err


# --------------------------------------------------------------------------
# The host


CPU_NAMES = {
    # (vendor, family, first model, last model): microarchitecture
    ("AuthenticAMD", 23, 0x00, 0x2f): "Zen / Zen+",
    ("AuthenticAMD", 23, 0x30, 0xff): "Zen 2",
    ("AuthenticAMD", 25, 0x00, 0x0f): "Zen 3",
    ("AuthenticAMD", 25, 0x10, 0x1f): "Zen 4",
    ("AuthenticAMD", 25, 0x20, 0x5f): "Zen 3",
    ("AuthenticAMD", 25, 0x60, 0xaf): "Zen 4",
    ("AuthenticAMD", 26, 0x00, 0xff): "Zen 5",
    ("GenuineIntel", 6, 0x55, 0x55): "Skylake-SP / Cascade Lake",
    ("GenuineIntel", 6, 0x6a, 0x6c): "Ice Lake-SP",
    ("GenuineIntel", 6, 0x8f, 0x8f): "Sapphire Rapids",
    ("GenuineIntel", 6, 0xcf, 0xcf): "Emerald Rapids",
    ("GenuineIntel", 6, 0xad, 0xae): "Granite Rapids",
}


def cpu_info():
    info = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if not line.strip():
                    break  # the first processor is enough
                k, _, v = line.partition(":")
                info[k.strip()] = v.strip()
    except OSError:
        pass
    flags = set(info.get("flags", info.get("Features", "")).split())
    vendor = info.get("vendor_id", "")
    family = int(info.get("cpu family", "0") or 0)
    model = int(info.get("model", "0") or 0) \
        if info.get("model", "").isdigit() else 0
    uarch = "unknown"
    for (v, fam, lo, hi), name in CPU_NAMES.items():
        if v == vendor and fam == family and lo <= model <= hi:
            uarch = name
    isa_flags = ["avx2", "fma", "avx512f", "avx512bw", "avx512vl",
                 "avx512_vnni", "avx512_bf16", "avx512_fp16", "avx_vnni",
                 "amx_tile", "amx_int8", "amx_bf16", "neon", "asimd"]
    present = [f for f in isa_flags if f in flags]
    if "avx512f" in flags:
        isa = "AVX-512 (32 zmm)"
    elif "avx2" in flags:
        isa = "AVX2%s (16 ymm)" % ("+FMA" if "fma" in flags else "")
    else:
        isa = platform.machine()
    return {
        "model_name": info.get("model name", platform.processor()),
        "vendor": vendor, "family": family, "model": model,
        "microarchitecture": uarch, "isa": isa, "isa_flags": present,
        "amx": any(f.startswith("amx") for f in flags),
        "logical_cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity") else os.cpu_count(),
    }


def openblas_handle():
    """ctypes handle of the OpenBLAS this process loaded (through numpy's
    libblas.so.3), or None."""
    import ctypes
    try:
        with open("/proc/self/maps") as f:
            paths = sorted({line.split()[-1] for line in f
                            if "openblas" in line and ".so" in line})
    except OSError:
        return None, []
    for p in paths:
        try:
            lib = ctypes.CDLL(p)
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return lib, paths
        except (OSError, AttributeError):
            continue
    return None, paths


def blas_info(np):
    a = np.ones((64, 64), np.float32)
    a @ a  # make sure the BLAS is loaded
    info = {}
    try:
        import threadpoolctl
        info["threadpoolctl"] = threadpoolctl.threadpool_info()
    except ImportError:
        info["threadpoolctl"] = None
    lib, paths = openblas_handle()
    info["loaded_libraries"] = paths
    try:
        with open("/proc/self/maps") as f:
            info["loaded_libraries"] = sorted({
                line.split()[-1] for line in f
                if re.search(r"lib(open)?blas|liblapack|libmkl|libblis",
                             line)})
    except OSError:
        pass
    alt = "/usr/lib/x86_64-linux-gnu/libblas.so.3"
    info["libblas_so_3"] = os.path.realpath(alt) if os.path.exists(alt) \
        else None
    if lib is not None:
        info["name"] = "OpenBLAS"
        info["config"] = lib.openblas_get_config().decode()
        info["corename"] = lib.openblas_get_corename().decode()
    elif any("blas/libblas" in p for p in info["loaded_libraries"]):
        info["name"] = "reference BLAS (slow; install libopenblas0-pthread)"
    else:
        # numpy.show_config() as a last resort.
        import contextlib
        import io
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            np.show_config()
        m = re.search(r"blas_opt_info:\s*\n(?:.*\n)*?\s*libraries = (.*)",
                      buf.getvalue())
        info["name"] = "unknown (%s)" % (m.group(1) if m else "?")
    status = sh(["dpkg-query", "-W", "-f=${Status} ${Version}",
                 "libopenblas0-pthread"]) if shutil.which("dpkg-query") \
        else None
    info["libopenblas0_pthread"] = (status.stdout.strip() or "not installed") \
        if status and status.returncode == 0 else "not installed"
    return info, lib


def host_record(args, np, torch, kiln, blas):
    cc = first_line([args.cc, "--version"])
    kc = first_line([os.path.join(args.tools_dir, "kiln-compile"),
                     "--version"])
    llvm = re.search(r"LLVM/MLIR ([\w.]+)", kc)
    git = sh(["git", "-C", REPO, "describe", "--always", "--dirty"])
    # The JIT sides run the Python extension, the AOT sides kiln-compile:
    # when they were built at different times they may differ.
    built = {}
    for name, path in (("kiln-compile", os.path.join(args.tools_dir,
                                                      "kiln-compile")),
                       ("kiln-run", os.path.join(args.tools_dir, "kiln-run")),
                       ("python", getattr(kiln._kiln, "__file__", ""))):
        if path and os.path.exists(path):
            built[name] = time.strftime("%Y-%m-%d %H:%M:%S",
                                        time.localtime(os.path.getmtime(path)))
    stamps = [time.mktime(time.strptime(v, "%Y-%m-%d %H:%M:%S"))
              for v in built.values()]
    return {
        "cpu": cpu_info(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "kiln_version": kiln.__version__,
        "kiln_compile_version": kc,
        "llvm_version": llvm.group(1) if llvm else None,
        "kiln_git": git.stdout.strip() if git.returncode == 0 else None,
        "kiln_built": built,
        "kiln_build_skew_s": max(stamps) - min(stamps) if stamps else None,
        "cc": cc,
        "numpy": np.__version__,
        "torch": torch.__version__,
        "blas": blas,
        "loadavg_start": list(os.getloadavg()),
    }


# --------------------------------------------------------------------------
# Threads, for every side at once


class Threads:
    def __init__(self, torch, openblas, kiln):
        self.torch = torch
        self.openblas = openblas
        # A process-wide thread-count call, where the package has one.
        self.kiln_setter = getattr(kiln, "set_num_threads", None)

    def set(self, n):
        set_thread_env(n)
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
        if self.openblas is not None:
            self.openblas.openblas_set_num_threads(n)
        self.torch.set_num_threads(n)
        if self.kiln_setter is not None:
            self.kiln_setter(n)

    def effective(self):
        d = {"torch": self.torch.get_num_threads()}
        if self.openblas is not None:
            d["openblas"] = self.openblas.openblas_get_num_threads()
        d["kiln_env"] = os.environ.get("KILN_NUM_THREADS")
        return d


def subprocess_env(n):
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "KILN_NUM_THREADS",
                "MKL_NUM_THREADS"):
        env[var] = str(n)
    env["OMP_WAIT_POLICY"] = "PASSIVE"
    return env


# --------------------------------------------------------------------------
# The FMA peak


def measure_peak(args, work, threads):
    exe = os.path.join(work, "fma_peak")
    cmd = [args.cc, "-O3", "-march=native", "-ffp-contract=fast", "-pthread",
           os.path.join(BENCH, "fma_peak.c"), "-o", exe]
    r = sh(cmd)
    if r.returncode != 0:
        return {"error": "cannot build fma_peak: " + clip(r.stderr),
                "gflops": {}}
    r = sh([exe, str(args.peak_seconds)] + [str(t) for t in threads])
    if r.returncode != 0:
        return {"error": clip(r.stderr), "gflops": {}}
    peak = json.loads(r.stdout)
    peak["command"] = " ".join(cmd)
    return peak


# --------------------------------------------------------------------------
# Kiln: JIT, AOT (kiln-compile + aot_driver.c) and kiln-run


def mlir_type(shape, dtype="f32"):
    return "tensor<%s%s>" % ("".join("%dx" % d for d in shape), dtype)


def hex_dense(a):
    import numpy as np
    a = np.ascontiguousarray(a, dtype="<f4")
    return 'dense<"0x%s">' % a.tobytes().hex().upper()


def gemm_mlir(M, K, N, B=None):
    ta, tb, tc = mlir_type((M, K)), mlir_type((K, N)), mlir_type((M, N))
    if B is None:
        return ("func.func @forward(%%a: %s, %%b: %s) -> %s {\n"
                "  %%r = kiln.matmul %%a, %%b : (%s, %s) -> %s\n"
                "  return %%r : %s\n}\n" % (ta, tb, tc, ta, tb, tc, tc))
    return ("func.func @forward(%%a: %s) -> %s {\n"
            "  %%b = kiln.constant %s : %s\n"
            "  %%r = kiln.matmul %%a, %%b : (%s, %s) -> %s\n"
            "  return %%r : %s\n}\n" % (ta, tc, hex_dense(B), tb, ta, tb, tc,
                                       tc))


def conv_mlir(cin, cout, k, stride, pad, hw, w, b):
    x = (1, cin, hw, hw)
    ho = (hw + 2 * pad - k) // stride + 1
    y = (1, cout, ho, ho)
    attrs = ("{strides = array<i64: %d, %d>, pads = array<i64: %d, %d, %d, "
             "%d>, dilations = array<i64: 1, 1>, groups = 1 : i64, layout = "
             "#kiln.layout<nchw>}" % (stride, stride, pad, pad, pad, pad))
    tw, tb = mlir_type(w.shape), mlir_type(b.shape)
    return ("func.func @forward(%%x: %s) -> %s {\n"
            "  %%w = kiln.constant %s : %s\n"
            "  %%b = kiln.constant %s : %s\n"
            "  %%r = kiln.conv2d %%x, %%w, %%b %s : (%s, %s, %s) -> %s\n"
            "  return %%r : %s\n}\n" % (
                mlir_type(x), mlir_type(y), hex_dense(w), tw, hex_dense(b),
                tb, attrs, mlir_type(x), tw, tb, mlir_type(y), mlir_type(y)))


class Kiln:
    def __init__(self, args, kiln, work):
        self.args = args
        self.kiln = kiln
        self.work = work
        self.tools = args.tools_dir
        self.run_help = sh([self.tool("kiln-run"), "--help"]).stdout
        self.nm = shutil.which("llvm-nm-22") or shutil.which("llvm-nm")
        self.counter = 0

    def tool(self, name):
        return os.path.join(self.tools, name)

    def path(self, stem):
        self.counter += 1
        return os.path.join(self.work, "%03d_%s" % (self.counter, stem))

    def jit(self, source):
        """(module, seconds). One module serves every thread count; see
        threads()."""
        t = time.perf_counter()
        m = self.kiln.compile(source)
        return m, time.perf_counter() - t

    def threads(self, module, n):
        """Sets a JIT module's threads where the package can (the
        environment variables are set already)."""
        f = getattr(module, "set_num_threads", None)
        if f is not None:
            f(n)

    def compile_object(self, src_path, stem):
        """kiln-compile in a subprocess: {object, header, seconds,
        peak_rss_mb, object_mb, rc, error}."""
        obj = self.path(stem + ".o")
        hdr = obj[:-2] + ".h"
        cmd = [self.tool("kiln-compile"), src_path, "-o", obj,
               "--emit-header=" + hdr]
        usage = obj + ".rusage.json"
        # The compiler is started by a small Python, whose wait4() gives
        # the compiler's own peak RSS. Started from this process, Linux
        # would count this process's RSS (torch, the models: often more
        # than the compiler's) into the child's at exec().
        r = sh([sys.executable, "-S", "-c", RUSAGE_WRAPPER, usage] + cmd)
        try:
            with open(usage) as f:
                u = json.load(f)
        except (OSError, ValueError):
            u = {"seconds": None, "maxrss_kb": 0, "rc": r.returncode}
        rec = {"command": " ".join(os.path.basename(c) if i == 0 else c
                                   for i, c in enumerate(cmd)),
               "seconds": u["seconds"], "peak_rss_mb": u["maxrss_kb"] / 1024.0,
               "rc": u["rc"], "object": obj, "header": hdr}
        if u["rc"] != 0:
            rec["error"] = clip(r.stderr or "rc %d" % u["rc"])
        else:
            rec["object_mb"] = os.path.getsize(obj) / 1e6
        return rec

    def link_driver(self, obj, hdr, in_shapes, out_shapes):
        """Builds aot_driver against one object; returns (exe, error)."""
        with open(hdr) as f:
            text = f.read()
        # The first entry point: the function after its `/** name: ... */`
        # comment (the header's own helpers come before it).
        m = re.search(r"/\*\* [^\n]*\*/\nstatic inline int (\w+)\(([^)]*)\)\s*\{",
                      text)
        if not m:
            return None, "no entry point in " + hdr
        fn, params = m.group(1), [p.strip() for p in m.group(2).split(",")]
        sizes = {"float": 4, "double": 8, "int8_t": 1, "int16_t": 2,
                 "int32_t": 4, "int64_t": 8, "uint8_t": 1, "uint16_t": 2}
        args, nin, nout = [], 0, 0
        in_bytes, out_bytes = [], []
        shape = None
        dim = 0
        for p in params:
            pm = re.match(r"(const\s+)?(\w+)\s*\*\s*(\w+)$", p)
            if pm:
                const, ctype = pm.group(1), pm.group(2)
                if const:
                    shape = in_shapes[nin]
                    args.append("(const %s *)in[%d]" % (ctype, nin))
                    in_bytes.append(sizes[ctype] * math.prod(shape))
                    nin += 1
                else:
                    shape = out_shapes[nout]
                    args.append("(%s *)out[%d]" % (ctype, nout))
                    out_bytes.append(sizes[ctype] * math.prod(shape))
                    nout += 1
                dim = 0
            elif re.match(r"int64_t\s+\w+$", p):
                args.append(str(shape[dim]))
                dim += 1
            else:
                return None, "cannot read parameter '%s' of %s" % (p, fn)
        # The header's own thread-count function (a definition: the header
        # may also declare the OpenMP runtime's omp_set_num_threads, weak).
        setter = re.search(r"static inline void (\w+_set_num_threads)\s*\("
                           r"\s*(?:int|int32_t|int64_t)\s+\w+\s*\)\s*\{",
                           text)
        glue = os.path.splitext(obj)[0] + "_glue.h"
        with open(glue, "w") as f:
            f.write('#include "%s"\n' % os.path.abspath(hdr))
            f.write("#define BENCH_NIN %d\n#define BENCH_NOUT %d\n"
                    % (nin, nout))
            f.write("static const size_t bench_in_bytes[] = {%s};\n"
                    % ", ".join(map(str, in_bytes + [0])))
            f.write("static const size_t bench_out_bytes[] = {%s};\n"
                    % ", ".join(map(str, out_bytes + [0])))
            f.write("static int bench_call(void **in, void **out) {\n"
                    "  return %s(%s);\n}\n" % (fn, ", ".join(args)))
            f.write("static void bench_set_threads(int n) { %s }\n"
                    % ("%s(n);" % setter.group(1) if setter else "(void)n;"))
        exe = os.path.splitext(obj)[0] + "_driver"
        libs = ["-lm"]
        if self.nm:
            und = sh([self.nm, "-u", obj]).stdout
            if re.search(r"\b(__kmpc_|omp_|GOMP_)", und):
                libs = ["-fopenmp=libomp", "-lm"]
        cmd = [self.args.cc, "-O2", "-DBENCH_GLUE=\"%s\"" % glue,
               os.path.join(BENCH, "aot_driver.c"), obj, "-o", exe] + libs
        r = sh(cmd)
        if r.returncode != 0 and libs == ["-lm"]:
            r = sh(cmd[:-1] + ["-fopenmp=libomp", "-lm", "-lpthread"])
        if r.returncode != 0:
            return None, "link failed: " + clip(r.stderr)
        return exe, None

    def run_driver(self, exe, inputs, out_shapes, threads, policy):
        """(outputs, ms list, error)."""
        import numpy as np
        ins = []
        for i, a in enumerate(inputs):
            p = "%s_in%d.bin" % (exe, i)
            np.ascontiguousarray(a).tofile(p)
            ins.append(p)
        outs = ["%s_out%d.bin" % (exe, i) for i in range(len(out_shapes))]
        r = sh([exe, str(threads)] + [str(x) for x in policy.driver_args()]
               + ins + outs, env=subprocess_env(threads))
        if r.returncode != 0:
            return None, None, "driver rc %d: %s" % (r.returncode,
                                                     clip(r.stderr))
        m = re.search(r"^times_ms:(.*)$", r.stdout, re.M)
        ms = [float(x) for x in m.group(1).split()]
        got = [np.fromfile(p, np.float32).reshape(s)
               for p, s in zip(outs, out_shapes)]
        for p in ins + outs:
            os.remove(p)
        return got, ms, None

    def kiln_run(self, src, inputs, ref, threads, policy, tol):
        """kiln-run --bench N: parses its one-line summary."""
        import numpy as np
        n = policy.repeat or policy.min_runs
        files = []
        for i, a in enumerate(inputs):
            p = "%s_in%d.npy" % (src, i)
            np.save(p, a)
            files += ["-i", p]
        exp = src + "_ref.npy"
        np.save(exp, ref)
        cmd = [self.tool("kiln-run"), src, "--bench", str(n)] + files + [
            "--expect", exp, "--rtol", "0",
            "--atol", repr(tol * float(np.max(np.abs(ref)) or 1.0))]
        if "--threads" in self.run_help:
            cmd += ["--threads", str(threads)]
        r = sh(cmd, env=subprocess_env(threads))
        m = re.search(r"bench: (\d+) runs, median ([\d.]+) ms, min ([\d.]+) "
                      r"ms(?:, ([\d.]+) GFLOP/s)?", r.stdout)
        res = {"command": " ".join(["kiln-run"] + cmd[1:4])}
        if not m:
            res["error"] = "no bench line (rc %d): %s" % (
                r.returncode, clip(r.stderr or r.stdout))
            return res
        res.update({"runs": int(m.group(1)),
                    "median_ms": float(m.group(2)),
                    "min_ms": float(m.group(3)), "max_ms": None,
                    "reported_gflops": float(m.group(4)) if m.group(4)
                    else None,
                    "check": "WRONG" if "MISMATCH" in r.stderr else "ok"})
        return res


# --------------------------------------------------------------------------
# Case runners


class Predictor:
    """Predicts a Kiln side's time per run from the cases measured before,
    so that a scalar kernel does not spend minutes on one large case."""

    def __init__(self, limit_s):
        self.limit_ms = limit_s * 1e3
        self.rates = {}  # (kind, side, threads) -> (flops, flop/ms)

    def learn(self, kind, side, threads, flops, median_ms):
        if flops and median_ms:
            key = (kind, side, threads)
            old = self.rates.get(key)
            if old is None or flops >= old[0]:
                self.rates[key] = (flops, flops / median_ms)

    def predict_ms(self, kind, side, threads, flops):
        r = self.rates.get((kind, side, threads))
        if r is None:
            alts = [v for (k, s, t), v in self.rates.items()
                    if k == kind and t == threads and s.startswith("kiln")]
            if not alts:
                return None
            r = max(alts)
        return flops / r[1]

    def skip_reason(self, predicted_ms):
        if self.limit_ms > 0 and predicted_ms is not None and \
                predicted_ms > self.limit_ms:
            return "predicted %.1f s per run > --kiln-max-run-s %.0f" % (
                predicted_ms / 1e3, self.limit_ms / 1e3)
        return None


def finish_side(res, flops, peak, threads):
    if res.get("median_ms"):
        if flops:
            res["gflops"] = flops / (res["median_ms"] * 1e6)
            p = peak.get("gflops", {}).get(str(threads))
            res["pct_peak"] = 100.0 * res["gflops"] / p if p else None
    return res


def add_ratios(rec, kind):
    """ratio = reference median / side median: above 1, the side is faster."""
    sides = rec["sides"]
    refs = {}
    if kind == "gemm":
        refs = {"vs_openblas": "numpy", "vs_torch": "torch"}
    else:
        refs = {"vs_torch": "torch-best"}
        tb = [sides[s] for s in ("torch", "torch-cl")
              if s in sides and sides[s].get("median_ms")]
        if tb:
            best = min(tb, key=lambda s: s["median_ms"])
            rec["torch_best"] = "torch-cl" if best is sides.get("torch-cl") \
                else "torch"
            rec["torch_best_ms"] = best["median_ms"]
    ratios = {}
    kiln_sides = [s for s in sides if s.startswith("kiln")
                  and sides[s].get("median_ms")]
    for s in kiln_sides:
        ratios[s] = {}
        for name, ref in refs.items():
            ref_ms = rec.get("torch_best_ms") if ref == "torch-best" \
                else sides.get(ref, {}).get("median_ms")
            ratios[s][name] = ref_ms / sides[s]["median_ms"] if ref_ms \
                else None
    rec["ratios"] = ratios
    if kiln_sides:
        best = min(kiln_sides, key=lambda s: sides[s]["median_ms"])
        rec["kiln_best"] = best
        rec["kiln_best_ratios"] = ratios[best]
    else:
        rec["kiln_best"] = None
        rec["kiln_best_ratios"] = {}


class Runner:
    def __init__(self, args, np, torch, kiln, threads, peak, work,
                 thread_counts):
        self.args = args
        self.threads = thread_counts
        self.np = np
        self.torch = torch
        self.threads_ctl = threads
        self.peak = peak
        self.work = work
        self.policy = Policy(args)
        self.kiln = Kiln(args, kiln, work)
        self.predictor = Predictor(args.kiln_max_run_s)
        self.results = []
        self.compiles = {}
        self.errors = []
        self.rng = np.random.default_rng(args.seed)
        only = {s for s in args.sides.split(",") if s}
        skip = {s for s in args.skip_sides.split(",") if s}
        self.enabled = {}
        for kind, sides in SIDES.items():
            self.enabled[kind] = [
                s for s in sides
                if (s in only if only else s not in DEFAULT_OFF)
                and s not in skip]

    def on(self, kind, side):
        return side in self.enabled[kind]

    def log(self, msg):
        print(msg, file=sys.stderr, flush=True)

    def timed_py(self, fn, ref, flops, threads):
        try:
            got, ms = measure(fn, self.policy)
        except Exception as e:  # noqa: BLE001
            return {"error": err_text(e)}
        res = stats(ms)
        res["check"], res["max_rel_err"] = check(got, ref, self.args.tol)
        return finish_side(res, flops, self.peak, threads)

    # ---- GEMM ------------------------------------------------------------

    def gemm(self, shapes):
        np, torch = self.np, self.torch
        for (M, K, N) in sorted(shapes, key=lambda s: (s[0] * s[1] * s[2],
                                                      s)):
            name = "%dx%dx%d" % (M, K, N)
            flops = 2.0 * M * K * N
            A = self.rng.uniform(-1, 1, (M, K)).astype(np.float32)
            B = self.rng.uniform(-1, 1, (K, N)).astype(np.float32)
            self.threads_ctl.set(1)
            ref = A @ B
            tA, tB = torch.from_numpy(A), torch.from_numpy(B)
            kiln_sides = [s for s in self.enabled["gemm"]
                          if s.startswith("kiln")]
            # Which Kiln sides run at which thread counts.
            plan = {}
            for t in self.threads:
                for s in kiln_sides:
                    plan[(s, t)] = self.predictor.skip_reason(
                        self.predictor.predict_ms("gemm", s, t, flops))
            built = {}
            for s in kiln_sides:
                if all(plan[(s, t)] for t in self.threads):
                    continue
                self.log("gemm %s: compiling %s" % (name, s))
                built[s] = self.build_gemm_side(s, M, K, N, A, B, ref)
            for t in self.threads:
                self.threads_ctl.set(t)
                rec = {"kind": "gemm", "name": name, "m": M, "k": K, "n": N,
                       "flops": flops, "threads": t,
                       "threads_effective": self.threads_ctl.effective(),
                       "sides": {}}
                for s in self.enabled["gemm"]:
                    self.log("gemm %s, %d thread(s): %s" % (name, t, s))
                    if s == "numpy":
                        res = self.timed_py(lambda: A @ B, ref, flops, t)
                    elif s == "torch":
                        res = self.timed_py(
                            lambda: torch.mm(tA, tB).numpy(), ref, flops, t)
                    elif plan.get((s, t)):
                        res = {"skipped": plan[(s, t)]}
                    else:
                        res = self.run_gemm_side(s, built[s], A, B, ref,
                                                 flops, t)
                        self.predictor.learn("gemm", s, t, flops,
                                             res.get("median_ms"))
                    rec["sides"][s] = res
                add_ratios(rec, "gemm")
                self.results.append(rec)
                self.print_progress(rec)

    def build_gemm_side(self, side, M, K, N, A, B, ref):
        const = side.endswith("-const")
        src = gemm_mlir(M, K, N, B if const else None)
        b = {}
        try:
            if side.startswith("kiln-jit"):
                b["module"], b["compile_s"] = self.kiln.jit(src)
            elif side.startswith("kiln-aot"):
                path = self.kiln.path("gemm_%dx%dx%d%s.mlir" % (
                    M, K, N, "_const" if const else ""))
                with open(path, "w") as f:
                    f.write(src)
                c = self.kiln.compile_object(path, os.path.basename(path)[:-5])
                b["compile_s"], b["compile_peak_rss_mb"] = \
                    c["seconds"], c["peak_rss_mb"]
                if c.get("error"):
                    b["error"] = "kiln-compile: " + c["error"]
                    return b
                ins = [(M, K)] + ([] if const else [(K, N)])
                b["exe"], err = self.kiln.link_driver(
                    c["object"], c["header"], ins, [(M, N)])
                if err:
                    b["error"] = err
            elif side == "kiln-run":
                path = self.kiln.path("gemm_%dx%dx%d.mlir" % (M, K, N))
                with open(path, "w") as f:
                    f.write(src)
                b["src"] = path
        except Exception as e:  # noqa: BLE001
            b["error"] = err_text(e)
        return b

    def run_gemm_side(self, side, b, A, B, ref, flops, t):
        if b.get("error"):
            return {"error": b["error"]}
        const = side.endswith("-const")
        ins = [A] if const else [A, B]
        if side.startswith("kiln-jit"):
            m = b["module"]
            self.kiln.threads(m, t)
            res = self.timed_py(lambda: m(*ins), ref, flops, t)
        elif side.startswith("kiln-aot"):
            got, ms, err = self.kiln.run_driver(b["exe"], ins, [ref.shape], t,
                                                self.policy)
            if err:
                return {"error": err}
            res = stats(ms)
            res["check"], res["max_rel_err"] = check(got[0], ref,
                                                     self.args.tol)
            finish_side(res, flops, self.peak, t)
        else:  # kiln-run
            res = self.kiln.kiln_run(b["src"], [A, B], ref, t, self.policy,
                                     self.args.tol)
            finish_side(res, flops, self.peak, t)
        for k in ("compile_s", "compile_peak_rss_mb"):
            if k in b:
                res[k] = b[k]
        res["threads_requested"] = t
        return res

    # ---- conv ------------------------------------------------------------

    def conv(self, layers):
        np, torch = self.np, self.torch
        for name, (cin, cout, k, stride, pad, hw) in layers.items():
            ho = (hw + 2 * pad - k) // stride + 1
            flops = 2.0 * cout * ho * ho * cin * k * k
            x = self.rng.uniform(-1, 1, (1, cin, hw, hw)).astype(np.float32)
            w = (self.rng.uniform(-1, 1, (cout, cin, k, k)) /
                 math.sqrt(cin * k * k)).astype(np.float32)
            b = self.rng.uniform(-1, 1, (cout,)).astype(np.float32)
            conv = torch.nn.Conv2d(cin, cout, k, stride, pad).eval()
            with torch.no_grad():
                conv.weight.copy_(torch.from_numpy(w))
                conv.bias.copy_(torch.from_numpy(b))
            conv_cl = torch.nn.Conv2d(cin, cout, k, stride, pad).eval()
            conv_cl.load_state_dict(conv.state_dict())
            conv_cl = conv_cl.to(memory_format=torch.channels_last)
            tx = torch.from_numpy(x)
            tx_cl = tx.contiguous(memory_format=torch.channels_last)
            self.threads_ctl.set(1)
            with torch.no_grad():
                ref = conv(tx).numpy()
            module, compile_s, build_err = None, None, None
            plan = {t: self.predictor.skip_reason(
                self.predictor.predict_ms("conv", "kiln-jit", t, flops))
                for t in self.threads}
            if self.on("conv", "kiln-jit") and not all(plan.values()):
                self.log("conv %s: compiling" % name)
                try:
                    module, compile_s = self.kiln.jit(
                        conv_mlir(cin, cout, k, stride, pad, hw, w, b))
                except Exception as e:  # noqa: BLE001
                    build_err = err_text(e)
            for t in self.threads:
                self.threads_ctl.set(t)
                rec = {"kind": "conv", "name": name,
                       "params": {"cin": cin, "cout": cout, "kernel": k,
                                  "stride": stride, "pad": pad, "hw": hw,
                                  "batch": 1, "layout": "nchw"},
                       "flops": flops, "threads": t,
                       "threads_effective": self.threads_ctl.effective(),
                       "sides": {}}
                for s in self.enabled["conv"]:
                    self.log("conv %s, %d thread(s): %s" % (name, t, s))
                    if s == "torch":
                        with torch.no_grad():
                            res = self.timed_py(lambda: conv(tx), ref, flops,
                                                t)
                    elif s == "torch-cl":
                        with torch.no_grad():
                            res = self.timed_py(
                                lambda: conv_cl(tx_cl), ref, flops, t)
                    elif plan[t]:
                        res = {"skipped": plan[t]}
                    elif build_err:
                        res = {"error": build_err}
                    else:
                        self.kiln.threads(module, t)
                        res = self.timed_py(lambda: module(x), ref, flops, t)
                        res["compile_s"] = compile_s
                        res["threads_requested"] = t
                        self.predictor.learn("conv", s, t, flops,
                                             res.get("median_ms"))
                    rec["sides"][s] = res
                add_ratios(rec, "conv")
                self.results.append(rec)
                self.print_progress(rec)

    # ---- models ----------------------------------------------------------

    def build_model(self, name):
        torch = self.torch
        torch.manual_seed(0)
        if name in ("resnet18", "mobilenet_v2", "resnet50"):
            import torchvision
            # The same weights as the Python package's model tests.
            tests = os.path.join(REPO, "python", "tests")
            if tests not in sys.path:
                sys.path.insert(0, tests)
            from models import randomize_batchnorm
            model = randomize_batchnorm(
                getattr(torchvision.models, name)(), 1)
            shape = (3, 224, 224)
        elif name == "bert_layer":
            model = torch.nn.TransformerEncoderLayer(768, 12, 3072,
                                                     batch_first=True)
            shape = (128, 768)
        elif name == "bert_base_440mb":
            nn = torch.nn
            layer = nn.TransformerEncoderLayer(768, 12, 3072, batch_first=True)

            class Bert(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.enc = nn.TransformerEncoder(
                        layer, 12, enable_nested_tensor=False)
                    self.head = nn.Linear(768, 30522)

                def forward(self, x):
                    return self.head(self.enc(x))
            model = Bert()
            # Distinct weights per layer: the exporter shares equal ones.
            g = torch.Generator().manual_seed(2)
            with torch.no_grad():
                for p in model.parameters():
                    p.copy_(torch.randn(p.shape, generator=g) * 0.02)
            shape = (128, 768)
        elif name == "tiny_cnn":
            nn = torch.nn
            model = nn.Sequential(
                nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, stride=2), nn.ReLU(),
                nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))
            shape = (3, 32, 32)
        else:
            raise ValueError("unknown model %r" % name)
        return model.eval(), shape

    def export(self, model, x):
        import io
        f = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.torch.onnx.export(model, (x,), f, opset_version=14,
                                   input_names=["x"], output_names=["y"])
        return f.getvalue()

    def compile_model(self, name, batch, onnx_bytes):
        key = "%s_b%d" % (name, batch)
        if key in self.compiles:
            return self.compiles[key]
        path = self.kiln.path(key + ".onnx")
        with open(path, "wb") as f:
            f.write(onnx_bytes)
        self.log("compile %s: kiln-compile" % key)
        c = self.kiln.compile_object(path, key)
        rec = {"model": name, "batch": batch, "command": c["command"],
               "seconds": c["seconds"], "peak_rss_mb": c["peak_rss_mb"],
               "object_mb": c.get("object_mb"), "rc": c["rc"],
               "onnx_mb": len(onnx_bytes) / 1e6,
               "object": c["object"], "header": c["header"]}
        if c.get("error"):
            rec["error"] = c["error"]
        self.compiles[key] = rec
        return rec

    def models(self, names, batches, with_compile):
        torch = self.torch
        for name in names:
            model, shape = self.build_model(name)
            cnn = name in CNNS
            model_cl = None
            if cnn and self.on("models", "torch-cl"):
                import copy
                model_cl = copy.deepcopy(model).to(
                    memory_format=torch.channels_last)
            for batch in batches:
                key = "%s_b%d" % (name, batch)
                gen = torch.Generator().manual_seed(batch)
                tx = torch.randn((batch,) + shape, generator=gen)
                x = tx.numpy()
                self.threads_ctl.set(1)
                with torch.no_grad():
                    ref = model(tx).numpy()
                plan = {}
                for t in self.threads:
                    for s in ("kiln-jit", "kiln-aot"):
                        pred = self.predictor.predict_ms(
                            "models:" + name, s, t, float(batch))
                        plan[(s, t)] = self.predictor.skip_reason(pred)
                need = {s for s in ("kiln-jit", "kiln-aot")
                        if self.on("models", s)
                        and not all(plan[(s, t)] for t in self.threads)}
                onnx_bytes = self.export(model, tx) \
                    if need or (with_compile and batch == batches[0]) \
                    else None
                if onnx_bytes is not None and (
                        with_compile or "kiln-aot" in need):
                    self.compile_model(name, batch, onnx_bytes)
                jit, jit_s, jit_err, exe, aot_err = None, None, None, None, \
                    None
                if "kiln-jit" in need:
                    self.log("models %s: kiln.compile" % key)
                    try:
                        jit, jit_s = self.kiln.jit(onnx_bytes)
                    except Exception as e:  # noqa: BLE001
                        jit_err = err_text(e)
                    if key in self.compiles:
                        self.compiles[key]["jit_compile_s"] = jit_s
                if "kiln-aot" in need:
                    c = self.compiles[key]
                    if c.get("error"):
                        aot_err = "kiln-compile: " + c["error"]
                    else:
                        exe, aot_err = self.kiln.link_driver(
                            c["object"], c["header"], [x.shape], [ref.shape])
                for t in self.threads:
                    self.threads_ctl.set(t)
                    rec = {"kind": "models", "name": key, "model": name,
                           "batch": batch, "flops": None, "threads": t,
                           "threads_effective": self.threads_ctl.effective(),
                           "sides": {}}
                    for s in self.enabled["models"]:
                        if s == "torch-cl" and not cnn:
                            continue
                        self.log("models %s, %d thread(s): %s" % (key, t, s))
                        if s == "torch":
                            with torch.no_grad():
                                res = self.timed_py(lambda: model(tx), ref,
                                                    None, t)
                        elif s == "torch-cl":
                            tx_cl = tx.contiguous(
                                memory_format=torch.channels_last)
                            with torch.no_grad():
                                res = self.timed_py(
                                    lambda: model_cl(tx_cl), ref, None, t)
                        elif plan[(s, t)]:
                            res = {"skipped": plan[(s, t)]}
                        elif s == "kiln-jit":
                            if jit_err:
                                res = {"error": jit_err}
                            else:
                                self.kiln.threads(jit, t)
                                res = self.timed_py(lambda: jit(x), ref, None,
                                                    t)
                                res["compile_s"] = jit_s
                        else:  # kiln-aot
                            if aot_err:
                                res = {"error": aot_err}
                            else:
                                got, ms, err = self.kiln.run_driver(
                                    exe, [x], [ref.shape], t, self.policy)
                                if err:
                                    res = {"error": err}
                                else:
                                    res = stats(ms)
                                    res["check"], res["max_rel_err"] = check(
                                        got[0], ref, self.args.tol)
                                    res["compile_s"] = \
                                        self.compiles[key]["seconds"]
                        if s.startswith("kiln"):
                            res["threads_requested"] = t
                            # Per-sample time predicts the larger batches.
                            if res.get("median_ms"):
                                self.predictor.learn(
                                    "models:" + name, s, t, float(batch),
                                    res["median_ms"])
                        rec["sides"][s] = res
                    add_ratios(rec, "models")
                    self.results.append(rec)
                    self.print_progress(rec)

    def compile_only(self, names):
        for name in names:
            if "%s_b1" % name in self.compiles:
                continue
            model, shape = self.build_model(name)
            tx = self.torch.randn((1,) + shape)
            self.compile_model(name, 1, self.export(model, tx))

    def print_progress(self, rec):
        parts = []
        for s, r in rec["sides"].items():
            parts.append("%s %s" % (s, side_cell(r)))
        self.log("  -> %s %dT: %s" % (rec["name"], rec["threads"],
                                       "; ".join(parts)))


# --------------------------------------------------------------------------
# Report


def summarize(results):
    """Per kind, thread count and Kiln side: geomean and minimum of the
    ratios."""
    out = {}
    for kind, refname in (("gemm", "vs_openblas"), ("gemm", "vs_torch"),
                          ("conv", "vs_torch"), ("models", "vs_torch")):
        for rec in results:
            if rec["kind"] != kind:
                continue
            for side, rr in rec["ratios"].items():
                r = rr.get(refname)
                if r is None:
                    continue
                key = "%s %s %dT %s" % (kind, side, rec["threads"], refname)
                d = out.setdefault(key, {"kind": kind, "side": side,
                                         "threads": rec["threads"],
                                         "reference": refname,
                                         "ratios": {}})
                d["ratios"][rec["name"]] = r
    summary = []
    for key, d in out.items():
        rs = d.pop("ratios")
        d["geomean"] = geomean(rs.values())
        worst = min(rs, key=rs.get)
        d["min"], d["min_case"] = rs[worst], worst
        d["cases"] = len(rs)
        if d["kind"] == "gemm":
            sq = [r for n, r in rs.items()
                  if tuple(map(int, n.split("x"))) in GEMM_SQUARE_BERT]
            d["geomean_square_bert"] = geomean(sq)
            d["cases_square_bert"] = len(sq)
        summary.append(d)
    return summary


def print_report(doc):
    host, peak = doc["host"], doc["peak"]
    cpu = host["cpu"]
    print("# Kiln benchmark, %s" % doc["date"])
    print()
    print("Host: %s, family %d model %d (%s), %s, %d logical CPUs; ISA: %s" %
          (cpu["model_name"], cpu["family"], cpu["model"],
           cpu["microarchitecture"], cpu["isa"], cpu["logical_cpus"],
           " ".join(cpu["isa_flags"])))
    blas = host["blas"]
    print("Kiln %s (LLVM %s, %s); numpy %s, torch %s; BLAS: %s %s; "
          "libopenblas0-pthread: %s" % (
              host["kiln_version"], host["llvm_version"], host["kiln_git"],
              host["numpy"], host["torch"], blas.get("name"),
              blas.get("corename", ""), blas.get("libopenblas0_pthread")))
    skew = host.get("kiln_build_skew_s")
    if skew and skew > 60:
        print("WARNING: the Kiln tools and the Python extension were built "
              "%.0f s apart (%s): if the sources changed in between, the JIT "
              "and AOT sides ran different compilers." % (skew, ", ".join(
                  "%s %s" % kv for kv in host["kiln_built"].items())))
    print("FMA peak (%s, %s-bit, %s accumulators; the higher of the "
          "start and end of the run): %s GFLOP/s" % (
              peak.get("isa"), peak.get("vector_bits"),
              peak.get("accumulators"),
              ", ".join("%sT %.1f (%s / %s)" % (
                  k, v, fmt_g(peak.get("gflops_start", {}).get(k)),
                  fmt_g(peak.get("gflops_end", {}).get(k)))
                  for k, v in peak["gflops"].items())))
    st = doc["settings"]
    print("Threads: %s, OMP_WAIT_POLICY=%s; timing: %s" % (
        ",".join(map(str, st["threads"])), st["env"]["OMP_WAIT_POLICY"],
        "%d runs" % st["timing"]["repeat"] if st["timing"]["repeat"] else
        "adaptive (>= %d runs and >= %.2g s, at most %.2g s) after warm-up"
        % (st["timing"]["min_runs"], st["timing"]["min_time_s"],
           st["timing"]["max_time_s"])))
    print("Times in ms: median [min, max]. Ratios are reference time / Kiln "
          "time (above 1: Kiln is faster), for the fastest Kiln side.")
    results = doc["results"]
    for kind, title in (("gemm", "GEMM f32 (M×K×N)"),
                        ("conv", "resnet18 conv layers (batch 1, NCHW)"),
                        ("models", "Models")):
        recs = [r for r in results if r["kind"] == kind]
        if not recs:
            continue
        sides = []
        for r in recs:
            for s in r["sides"]:
                if s not in sides:
                    sides.append(s)
        print()
        print("## " + title)
        print()
        headers = ["case", "T"] + sides + ["best Kiln"]
        if kind != "models":
            headers += ["GFLOP/s", "% peak"]
        headers += (["vs OpenBLAS", "vs torch"] if kind == "gemm"
                    else ["vs torch (best layout)"])
        headers += ["check"]
        rows = []
        for r in recs:
            row = [r["name"], r["threads"]]
            row += [side_cell(r["sides"].get(s)) for s in sides]
            best = r["kiln_best"]
            bs = r["sides"].get(best, {}) if best else {}
            row.append(best or "-")
            if kind != "models":
                row += [fmt_g(bs.get("gflops")),
                        "%.1f" % bs["pct_peak"] if bs.get("pct_peak")
                        is not None else "-"]
            rr = r["kiln_best_ratios"]
            if kind == "gemm":
                row += [fmt_ratio(rr.get("vs_openblas")),
                        fmt_ratio(rr.get("vs_torch"))]
            else:
                row.append(fmt_ratio(rr.get("vs_torch")) +
                           (" (%s)" % r.get("torch_best")
                            if r.get("torch_best") else ""))
            checks = [(s, v.get("check")) for s, v in r["sides"].items()
                      if v.get("check")]
            bad = [s for s, c in checks if c != "ok"]
            errs = [s for s, v in r["sides"].items() if v.get("error")]
            row.append(("WRONG: " + ",".join(bad)) if bad else
                       ("ERROR: " + ",".join(errs)) if errs else
                       "ok" if checks else "-")
            rows.append(row)
        print(table(headers, rows))
    if doc["compile"]:
        print()
        print("## Compile (kiln-compile model.onnx -o m.o, in a subprocess)")
        print()
        rows = []
        for c in doc["compile"]:
            rows.append([c["model"], c["batch"], "%.2f" % c["seconds"],
                         "%.0f" % c["peak_rss_mb"],
                         "%.1f" % c["onnx_mb"],
                         "%.1f" % c["object_mb"] if c.get("object_mb")
                         else "-",
                         "%.2f" % c["jit_compile_s"] if c.get("jit_compile_s")
                         else "-",
                         "ERROR" if c.get("error") else "ok"])
        print(table(["model", "batch", "kiln-compile s", "peak RSS MB",
                     "ONNX MB", "object MB", "kiln.compile (JIT) s", "rc"],
                    rows))
    if doc["summary"]:
        print()
        print("## Summary (geomean / min of the ratios, per Kiln side)")
        print()
        rows = []
        for d in doc["summary"]:
            rows.append([d["kind"], d["side"], d["threads"], d["reference"],
                         fmt_ratio(d["geomean"]),
                         fmt_ratio(d.get("geomean_square_bert")),
                         "%s (%s)" % (fmt_ratio(d["min"]), d["min_case"]),
                         d["cases"]])
        print(table(["kind", "side", "T", "vs", "geomean", "geomean "
                     "square+BERT", "min", "cases"], rows))
    c = doc["checks"]
    print()
    print("Checks: %d ok, %d WRONG, %d errors, %d skipped" % (
        c["ok"], len(c["wrong"]), len(c["errors"]), c["skipped"]))
    for w in c["wrong"]:
        print("  WRONG: " + w)
    for e in c["errors"]:
        print("  ERROR: " + e)
    for w in c.get("skipped_why", []):
        print("  skipped: " + w)


def plot(doc, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import matplotlib.ticker
    except ImportError as e:
        return "matplotlib unavailable: %s" % e
    panels = []
    for kind, refs in (("gemm", ("vs_openblas", "vs_torch")),
                       ("conv", ("vs_torch",)), ("models", ("vs_torch",))):
        recs = [r for r in doc["results"]
                if r["kind"] == kind and r["kiln_best"]]
        if recs:
            panels.append((kind, refs, recs))
    if not panels:
        return "nothing to plot"
    fig, axes = plt.subplots(len(panels), 1,
                             figsize=(12, 3.8 * len(panels)), squeeze=False)
    for ax, (kind, refs, recs) in zip(axes[:, 0], panels):
        names = []
        for r in recs:
            if r["name"] not in names:
                names.append(r["name"])
        threads = sorted({r["threads"] for r in recs})
        series = [(t, ref) for t in threads for ref in refs]
        width = 0.8 / len(series)
        for i, (t, ref) in enumerate(series):
            ys = []
            for n in names:
                r = next((r for r in recs if r["name"] == n and
                          r["threads"] == t), None)
                v = r["kiln_best_ratios"].get(ref) if r else None
                ys.append(v if v else float("nan"))
            xs = [j + (i - (len(series) - 1) / 2) * width
                  for j in range(len(names))]
            ax.bar(xs, ys, width, label="%dT %s" % (t, ref.replace(
                "vs_", "vs ").replace("openblas", "OpenBLAS")))
            for x, y in zip(xs, ys):
                if y == y:  # not NaN
                    ax.annotate("%.2g" % y, (x, y), ha="center",
                                va="bottom", fontsize=6,
                                xytext=(0, 1), textcoords="offset points")
        ax.axhline(1.0, color="k", lw=0.8)
        ax.set_yscale("log")
        lo, hi = ax.get_ylim()
        ax.set_ylim(min(lo, 0.5), max(hi, 2.0))
        ax.yaxis.set_major_formatter(
            matplotlib.ticker.FuncFormatter(lambda v, _: "%g×" % v))
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
        ax.set_ylabel("reference time / Kiln time")
        ax.set_title("%s: fastest Kiln side (above 1: Kiln faster)" % kind)
        ax.legend(fontsize=8)
        ax.grid(axis="y", which="both", alpha=0.3)
    cpu = doc["host"]["cpu"]
    fig.suptitle("Kiln %s on %s (%s), %s" % (
        doc["host"]["kiln_version"], cpu["model_name"],
        cpu["microarchitecture"], doc["date"]), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return None


# --------------------------------------------------------------------------
# The JSON schema (validated by bench/smoke_test.py and on every run)

SIDE_KEYS = {"median_ms", "min_ms", "max_ms", "runs", "gflops", "pct_peak",
             "check", "max_rel_err", "compile_s", "compile_peak_rss_mb",
             "threads_requested", "skipped", "error", "command",
             "reported_gflops"}


def validate(doc):
    """Problems with a result document, as a list of strings."""
    p = []

    def need(obj, keys, where):
        for k in keys:
            if k not in obj:
                p.append("%s: missing %r" % (where, k))

    need(doc, ["schema", "date", "command", "host", "settings", "peak",
               "results", "compile", "summary", "checks"], "document")
    if p:
        return p
    if doc["schema"] != SCHEMA:
        p.append("schema is %r, expected %r" % (doc["schema"], SCHEMA))
    need(doc["host"], ["cpu", "kiln_version", "llvm_version", "numpy",
                       "torch", "blas"], "host")
    need(doc["host"].get("cpu", {}), ["model_name", "family", "model",
                                      "microarchitecture", "isa",
                                      "isa_flags", "logical_cpus"],
         "host.cpu")
    need(doc["host"].get("blas", {}), ["name", "libopenblas0_pthread"],
         "host.blas")
    need(doc["settings"], ["threads", "cases", "env", "timing", "tol"],
         "settings")
    need(doc["peak"], ["gflops"], "peak")
    for t in doc["settings"].get("threads", []):
        if not isinstance(doc["peak"].get("gflops", {}).get(str(t)),
                          (int, float)):
            p.append("peak.gflops has no number for %s thread(s)" % t)
    for i, r in enumerate(doc["results"]):
        where = "results[%d] (%s)" % (i, r.get("name"))
        need(r, ["kind", "name", "threads", "flops", "sides", "ratios",
                 "kiln_best", "kiln_best_ratios"], where)
        if r.get("kind") not in SIDES:
            p.append("%s: unknown kind %r" % (where, r.get("kind")))
            continue
        for s, v in r.get("sides", {}).items():
            w = "%s.sides[%s]" % (where, s)
            if s not in SIDES[r["kind"]]:
                p.append("%s: unknown side" % w)
            extra = set(v) - SIDE_KEYS
            if extra:
                p.append("%s: unknown keys %s" % (w, sorted(extra)))
            if v.get("skipped") or v.get("error"):
                continue
            need(v, ["median_ms", "min_ms", "runs", "check"], w)
            if v.get("median_ms") is not None and v.get("min_ms") is not None:
                if not 0 <= v["min_ms"] <= v["median_ms"] + 1e-9:
                    p.append("%s: min > median" % w)
                if v.get("max_ms") is not None and \
                        v["max_ms"] + 1e-9 < v["median_ms"]:
                    p.append("%s: max < median" % w)
            if v.get("check") not in ("ok", "WRONG"):
                p.append("%s: check is %r" % (w, v.get("check")))
            if r["flops"] and v.get("gflops") is None:
                p.append("%s: no gflops" % w)
        for s, rr in r.get("ratios", {}).items():
            if not s.startswith("kiln") or s not in r["sides"]:
                p.append("%s: ratio for %r" % (where, s))
    for i, c in enumerate(doc["compile"]):
        need(c, ["model", "batch", "seconds", "peak_rss_mb", "rc"],
             "compile[%d]" % i)
    need(doc["checks"], ["ok", "wrong", "errors", "skipped"], "checks")
    return p


def headline(text):
    """The line of an error message that says what went wrong."""
    lines = [x.strip() for x in str(text).strip().splitlines() if x.strip()]
    for x in lines:
        if "error:" in x.lower() or "error" in x.split(":")[0].lower():
            return x[:300]
    return lines[-1][:300] if lines else "?"


def collect_checks(results, compiles):
    ok, wrong, errors, skipped, why = 0, [], [], 0, []
    for r in results:
        for s, v in r["sides"].items():
            where = "%s %s %dT %s" % (r["kind"], r["name"], r["threads"], s)
            if v.get("skipped"):
                skipped += 1
                why.append("%s: %s" % (where, v["skipped"]))
            elif v.get("error"):
                errors.append("%s: %s" % (where, headline(v["error"])))
            elif v.get("check") == "ok":
                ok += 1
            elif v.get("check") == "WRONG":
                wrong.append("%s: max rel err %s" % (where,
                                                     v.get("max_rel_err")))
    for c in compiles:
        if c.get("error"):
            errors.append("compile %s b%d: %s" % (
                c["model"], c["batch"], headline(c["error"])))
    return {"ok": ok, "wrong": wrong, "errors": errors, "skipped": skipped,
            "skipped_why": why}


# --------------------------------------------------------------------------


def parse_gemm(text):
    shapes = []
    for item in text.split(","):
        item = item.strip().lower()
        if not item:
            continue
        dims = [int(d) for d in item.split("x")]
        if len(dims) == 1:
            dims *= 3
        if len(dims) != 3 or min(dims) < 1:
            raise SystemExit("bad GEMM shape %r (want MxKxN or N)" % item)
        shapes.append(tuple(dims))
    return shapes


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    cases = [c for c in args.cases.split(",") if c]
    for c in cases:
        if c not in ("gemm", "conv", "models", "compile"):
            raise SystemExit("unknown case %r" % c)
    known = {s for sides in SIDES.values() for s in sides}
    named = {s for s in (args.sides + "," + args.skip_sides).split(",") if s}
    if named - known:
        raise SystemExit("unknown side(s) %s; the sides are %s" % (
            ", ".join(sorted(named - known)), ", ".join(sorted(known))))
    allc = dict(CONV_LAYERS, **CONV_QUICK)
    bad = [n for n in args.conv.split(",") if n and n not in allc] + \
        [n for n in args.models.split(",")
         if n and n not in MODELS + MODELS_QUICK] + \
        [n for n in args.compile_models.split(",")
         if n and n not in MODELS_COMPILE + MODELS + MODELS_QUICK]
    if bad:
        raise SystemExit("unknown conv layer or model: %s (see --list)" %
                         ", ".join(bad))
    if args.list:
        print("cases: gemm, conv, models, compile")
        print("gemm shapes: " + ", ".join("%dx%dx%d" % s for s in
                                          GEMM_SHAPES))
        print("conv layers: " + ", ".join(CONV_LAYERS))
        print("models: " + ", ".join(MODELS + MODELS_QUICK))
        print("compile-only models: " + ", ".join(MODELS_COMPILE))
        for k, v in SIDES.items():
            print("%s sides: %s (off unless --sides: %s)" % (
                k, ", ".join(v), ", ".join(x for x in v if x in DEFAULT_OFF)
                or "none"))
        return 0
    threads = int_list(args.threads)
    # Before numpy, torch and kiln load their thread pools.
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    set_thread_env(max(threads))
    if os.path.join(REPO, "build", "python_packages") not in sys.path and \
            not os.environ.get("PYTHONPATH"):
        sys.path.insert(0, os.path.join(REPO, "build", "python_packages"))
    warnings.filterwarnings("ignore")
    import numpy as np
    import torch
    import kiln

    work = args.workdir or tempfile.mkdtemp(prefix="kiln-bench-")
    os.makedirs(work, exist_ok=True)
    try:
        blas, openblas = blas_info(np)
        ctl = Threads(torch, openblas, kiln)
        host = host_record(args, np, torch, kiln, blas)
        print("measuring the FMA peak...", file=sys.stderr, flush=True)
        peak = measure_peak(args, work, threads)
        peak_start = dict(peak.get("gflops", {}))
        runner = Runner(args, np, torch, kiln, ctl, peak, work, threads)
        t0 = time.time()
        if "gemm" in cases:
            runner.gemm(parse_gemm(args.gemm) if args.gemm else
                        GEMM_QUICK if args.quick else GEMM_SHAPES)
        if "conv" in cases:
            if args.conv:
                layers = {n: allc[n] for n in args.conv.split(",") if n}
            else:
                layers = CONV_QUICK if args.quick else CONV_LAYERS
            runner.conv(layers)
        names = [n for n in args.models.split(",") if n] or \
            (MODELS_QUICK if args.quick else MODELS)
        if "models" in cases:
            runner.models(names, int_list(args.batches), "compile" in cases)
        if "compile" in cases:
            extra = [] if args.quick else \
                [n for n in args.compile_models.split(",") if n]
            runner.compile_only(names + [n for n in extra if n not in names])
        # The peak again, now that the run is over: on a shared host the
        # first measurement may have met a busy neighbour. The higher of
        # the two counts (% of peak above used the first; recomputed here).
        again = measure_peak(args, work, threads).get("gflops", {})
        peak["gflops_start"], peak["gflops_end"] = peak_start, again
        for t, g in again.items():
            if g > peak["gflops"].get(t, 0):
                peak["gflops"][t] = g
        for rec in runner.results:
            for v in rec["sides"].values():
                if v.get("gflops"):
                    p = peak["gflops"].get(str(rec["threads"]))
                    v["pct_peak"] = 100.0 * v["gflops"] / p if p else None
        compiles = []
        for c in runner.compiles.values():
            c = dict(c)
            for k in ("object", "header"):
                c.pop(k, None)
            compiles.append(c)
        doc = {
            "schema": SCHEMA,
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "command": " ".join([os.path.basename(sys.executable),
                                 os.path.relpath(os.path.abspath(__file__),
                                                 os.getcwd())]
                                + (argv if argv is not None
                                   else sys.argv[1:])),
            "host": host,
            "settings": {
                "cases": cases, "threads": threads, "quick": args.quick,
                "tol": args.tol, "timing": Policy(args).as_dict(),
                "kiln_max_run_s": args.kiln_max_run_s,
                "sides": runner.enabled,
                "env": {k: os.environ.get(k) for k in (
                    "OMP_WAIT_POLICY", "OMP_NUM_THREADS",
                    "OPENBLAS_NUM_THREADS", "KILN_NUM_THREADS")},
                "thread_control": (
                    "per thread count: OMP_NUM_THREADS, OPENBLAS_NUM_THREADS,"
                    " KILN_NUM_THREADS and MKL_NUM_THREADS set (in this "
                    "process and the AOT driver's), openblas_set_num_threads"
                    "(), torch.set_num_threads(); kiln.set_num_threads() %s;"
                    " kiln.Module.set_num_threads() %s; the AOT driver (a "
                    "new process per thread count) calls the header's "
                    "<prefix>_set_num_threads() where there is one" % (
                        "called" if ctl.kiln_setter else "not available",
                        "called" if hasattr(kiln.Module, "set_num_threads")
                        else "not available")),
                "seconds": time.time() - t0,
            },
            "peak": peak,
            "results": runner.results,
            "compile": compiles,
        }
        doc["host"]["loadavg_end"] = list(os.getloadavg())
        doc["summary"] = summarize(runner.results)
        doc["checks"] = collect_checks(runner.results, compiles)
        problems = validate(doc)
        if problems:
            doc["schema_problems"] = problems
        print_report(doc)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(doc, f, indent=1, default=str)
            print("\nwrote %s" % args.json)
        plot_path = args.plot or (os.path.splitext(args.json)[0] + ".png"
                                  if args.json else "")
        if plot_path:
            err = plot(doc, plot_path)
            print(("plot: " + err) if err else "wrote %s" % plot_path)
        if problems:
            print("JSON schema problems:\n  " + "\n  ".join(problems))
        c = doc["checks"]
        return 1 if (c["wrong"] or c["errors"] or problems) else 0
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
