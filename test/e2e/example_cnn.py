#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Builds and runs the C example on the AOT-compiled bundled CNN and compares
its probabilities with the numpy reference; also runs it under valgrind
(except in sanitizer builds, KILN_E2E_VALGRIND=0; see e2e_lib.py)."""

import os
import shlex
import subprocess
import sys
import tempfile

import numpy as np

root = os.path.join(os.path.dirname(__file__), "..", "..")
sys.path.insert(0, os.path.join(root, "examples", "models"))
from reference_small_cnn import forward, images  # noqa: E402
from gen_small_cnn import make_weights  # noqa: E402
sys.path.insert(0, os.path.dirname(__file__))
from e2e_lib import gpu_link_flags, vulkan_device  # noqa: E402


def main(bindir, cc):
    bindir = os.path.abspath(bindir)
    want = forward(images(), make_weights())
    failures = []
    passed = 0
    # Sanitizer builds: sanitized C driver, no valgrind (see e2e_lib.py).
    cflags = shlex.split(os.environ.get("KILN_E2E_CFLAGS", ""))
    runs = [("native", [], [])]
    if os.environ.get("KILN_E2E_VALGRIND", "1") != "0":
        runs.append(("valgrind", ["--cpu=x86-64-v3"],
                     ["valgrind", "-q", "--error-exitcode=9",
                      "--leak-check=full",
                      "--errors-for-leak-kinds=definite,indirect"]))
    # The kernels on a Vulkan device (lavapipe in CI), when there is one.
    if vulkan_device(bindir):
        runs.append(("vulkan", ["--target=vulkan"], []))
    with tempfile.TemporaryDirectory(prefix="kiln-example-") as d:
        for label, cpu, prefix in runs:
            subprocess.run([f"{bindir}/kiln-compile",
                            os.path.join(root, "examples/models/small_cnn.mlir"),
                            "-o", f"{d}/small_cnn.o", f"--emit-header={d}/small_cnn.h",
                            *cpu], check=True)
            subprocess.run([cc, "-O2", "-Wall", "-Werror", *cflags, f"-I{d}",
                            os.path.join(root, "examples/c/classify.c"),
                            f"{d}/small_cnn.o",
                            *(gpu_link_flags(bindir, "vulkan")
                              if label == "vulkan" else []),
                            "-lm", "-lomp", "-o", f"{d}/classify"], check=True)
            before = len(failures)
            r = subprocess.run(prefix + [f"{d}/classify"], capture_output=True, text=True)
            if r.returncode != 0:
                failures.append(f"{label}: exit {r.returncode}: {r.stderr}")
                continue
            lines = r.stdout.strip().splitlines()
            got = np.array([[float(v) for v in l.split("probs")[1].split()]
                            for l in lines[:3]])
            if not np.allclose(got, want, rtol=1e-4, atol=1e-6):
                failures.append(f"{label}: max abs error {np.abs(got - want).max()}")
            if [int(l.split()[3]) for l in lines[:3]] != list(want.argmax(1)):
                failures.append(f"{label}: top-1 classes differ")
            if "wrong shape: status 1: forward: input arg0 dim 2 is 28, expected 32" not in lines[3]:
                failures.append(f"{label}: wrong-shape call: {lines[3]}")
            passed += len(failures) == before
    for f in failures:
        print("FAIL", f)
    print(f"{passed} passed, {len(runs) - passed} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
