#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Cross-compiled objects that run: the bundled CNN (MLIR) and an ONNX MLP
compiled for aarch64-linux-gnu (--parallel=none: no OpenMP runtime on the
target), cross-linked with Debian's aarch64 toolchain, run under
qemu-user, and compared with the same models compiled for and run on the
host, and with numpy references. Also with external weights. Skipped
(exit 0, saying so) when gcc-aarch64-linux-gnu or qemu-user is missing.

    cross_aarch64.py BINDIR HOST_CC
"""

import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(root, "examples", "models"))
sys.path.insert(0, os.path.join(root, "examples", "cmake", "models"))
from reference_small_cnn import forward, images  # noqa: E402
from gen_small_cnn import make_weights  # noqa: E402
from gen_mlp import make_mlp, reference as mlp_reference  # noqa: E402

CROSS_CC = "aarch64-linux-gnu-gcc"
QEMU = "qemu-aarch64"
SYSROOT = "/usr/aarch64-linux-gnu"

MLP_DRIVER = r"""
#include "mlp.h"
#include <math.h>
int main(void) {
  float x[5][8], y[5][4];
  for (int r = 0; r < 5; ++r)
    for (int i = 0; i < 8; ++i)
      x[r][i] = cosf(0.3f * (float)(r * 8 + i));
  if (mlp_forward(&x[0][0], 5, 8, &y[0][0], 5, 4)) {
    fprintf(stderr, "%s\n", mlp_last_error());
    return 1;
  }
  for (int r = 0; r < 5; ++r)
    printf("%.9g %.9g %.9g %.9g\n", y[r][0], y[r][1], y[r][2], y[r][3]);
  /* A wrong shape is a status on aarch64 too. */
  printf("status %d: %s\n", mlp_forward(&x[0][0], 5, 7, &y[0][0], 5, 4),
         mlp_last_error());
  return 0;
}
"""

CNN_EXTERNAL_DRIVER = r"""
#include "cnnx.h"
#include <math.h>
int main(int argc, char **argv) {
  static float x[3][3][32][32];
  float p[3][10];
  for (int n = 0; n < 3; ++n)
    for (int c = 0; c < 3; ++c)
      for (int h = 0; h < 32; ++h)
        for (int w = 0; w < 32; ++w)
          x[n][c][h][w] = sinf(0.1f * (float)(h * 32 + w) + (float)c + (float)n);
  if (argc != 2 || cnnx_load_weights(argv[1]) ||
      cnnx_forward(&x[0][0][0][0], 3, 3, 32, 32, &p[0][0], 3, 10)) {
    fprintf(stderr, "%s\n", cnnx_last_error());
    return 1;
  }
  for (int n = 0; n < 3; ++n) {
    for (int k = 0; k < 10; ++k)
      printf("%.9g ", p[n][k]);
    printf("\n");
  }
  return 0;
}
"""


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError("%s: exit %d\n%s%s" % (" ".join(cmd), r.returncode,
                                                  r.stdout, r.stderr))
    return r.stdout


def numbers(text, rows):
    return np.array([[float(v) for v in l.split()] for l in
                     text.strip().splitlines()[:rows]])


def main(bindir, host_cc):
    missing = [t for t in (CROSS_CC, QEMU) if not shutil.which(t)]
    if missing or not os.path.isdir(SYSROOT):
        print("SKIP: no %s (scripts/install-deps.sh installs "
              "gcc-aarch64-linux-gnu, libc6-dev-arm64-cross and qemu-user)" %
              ", ".join(missing or [SYSROOT]))
        print("0 passed, 0 failed, 1 skipped")
        return 0
    compile_ = os.path.join(os.path.abspath(bindir), "kiln-compile")
    cnn = os.path.join(root, "examples", "models", "small_cnn.mlir")
    classify = os.path.join(root, "examples", "c", "classify.c")
    failures, passed = [], 0

    def expect(ok, what):
        nonlocal passed
        print(("ok: " if ok else "FAIL: ") + what)
        if ok:
            passed += 1
        else:
            failures.append(what)

    with tempfile.TemporaryDirectory(prefix="kiln-aarch64-") as d:
        mlp = os.path.join(d, "mlp.onnx")
        with open(mlp, "wb") as f:
            f.write(make_mlp().SerializeToString())
        outputs = {}
        for arch, triple, cc, runner in [
                ("host", [], [host_cc], []),
                ("aarch64", ["--target-triple=aarch64-linux-gnu"], [CROSS_CC],
                 [QEMU, "-L", SYSROOT])]:
            a = os.path.join(d, arch)
            os.makedirs(a)
            common = triple + ["--parallel=none"]
            run([compile_, cnn, "-o", f"{a}/small_cnn.o",
                 f"--emit-header={a}/small_cnn.h", *common])
            run([compile_, mlp, "-o", f"{a}/mlp.o", f"--emit-header={a}/mlp.h",
                 "--prefix=mlp", *common])
            run([compile_, cnn, "-o", f"{a}/cnnx.o", f"--emit-header={a}/cnnx.h",
                 "--prefix=cnnx", "--weights=external", *common])
            with open(f"{a}/mlp_main.c", "w") as f:
                f.write(MLP_DRIVER)
            with open(f"{a}/cnnx_main.c", "w") as f:
                f.write(CNN_EXTERNAL_DRIVER)
            for exe, sources in [("classify", [classify, f"{a}/small_cnn.o"]),
                                 ("mlp", [f"{a}/mlp_main.c", f"{a}/mlp.o"]),
                                 ("cnnx", [f"{a}/cnnx_main.c", f"{a}/cnnx.o"])]:
                run(cc + ["-O2", "-Wall", "-Werror", f"-I{a}", *sources, "-lm",
                          "-o", f"{a}/{exe}"])
            if arch == "aarch64":
                kind = run(["file", f"{a}/classify"]) if shutil.which("file") \
                    else run(["readelf", "-h", f"{a}/classify"])
                expect("aarch64" in kind.lower() or "AArch64" in kind,
                       "the cross-linked program is an aarch64 executable")
            cls = run(runner + [f"{a}/classify"])
            outputs[arch] = {
                "cnn": np.array([[float(v) for v in l.split("probs")[1].split()]
                                 for l in cls.strip().splitlines()[:3]]),
                "cnn-shape": cls.strip().splitlines()[3],
                "mlp": run(runner + [f"{a}/mlp"]),
                "cnnx": numbers(run(runner + [f"{a}/cnnx", f"{a}/cnnx.weights"]), 3),
            }

        want_cnn = forward(images(), make_weights())
        r = np.arange(5)[:, None] * 8 + np.arange(8)[None, :]
        want_mlp = mlp_reference(make_mlp(),
                                 np.cos((0.3 * r).astype(np.float32)).astype(np.float64))
        host, arm = outputs["host"], outputs["aarch64"]
        for name in ["cnn", "cnnx"]:
            expect(np.allclose(arm[name], host[name], rtol=1e-5, atol=1e-7),
                   "%s: aarch64 under qemu matches the host, max difference %.2g"
                   % (name, np.abs(arm[name] - host[name]).max()))
            expect(np.allclose(arm[name], want_cnn, rtol=1e-4, atol=1e-6),
                   "%s: aarch64 matches numpy, max error %.2g"
                   % (name, np.abs(arm[name] - want_cnn).max()))
        arm_mlp, host_mlp = numbers(arm["mlp"], 5), numbers(host["mlp"], 5)
        expect(np.allclose(arm_mlp, host_mlp, rtol=1e-5, atol=1e-7),
               "ONNX MLP: aarch64 under qemu matches the host, max difference %.2g"
               % np.abs(arm_mlp - host_mlp).max())
        expect(np.allclose(arm_mlp, want_mlp, rtol=1e-4, atol=1e-6),
               "ONNX MLP: aarch64 matches numpy, max error %.2g"
               % np.abs(arm_mlp - want_mlp).max())
        expect(arm["cnn-shape"] == host["cnn-shape"] and "status 1" in arm["cnn-shape"],
               "a wrong shape is status 1 on aarch64: " + arm["cnn-shape"])
        last = arm["mlp"].strip().splitlines()[-1]
        expect(last.startswith("status 1: forward: input x dim 1 is 7"),
               "ONNX MLP wrong shape on aarch64: " + last)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
