#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Installs Kiln into a temporary prefix and uses it from there, as an
application developer and a Python user would (no container, no PYTHONPATH
into the build tree):

  check_install.py install SOURCE_DIR BUILD_DIR
      cmake --install into PREFIX; import the Python package from PREFIX and
      run a model; build examples/cmake against PREFIX/lib/cmake/Kiln (two
      models through kiln_add_model) and check its outputs against numpy;
      check that touching a model recompiles it and nothing else; check
      kiln_add_model's argument errors.
  check_install.py deb SOURCE_DIR BUILD_DIR
      cpack -G DEB; check the package's fields and files; unpack it into a
      folder and run its tools and Python package from there.

Prints 'N passed, 0 failed' at the end; exits non-zero on the first failure.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

PY = "python3.%d" % sys.version_info.minor
checks = 0


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit("FAILED: %s\n--- stdout\n%s\n--- stderr\n%s" %
                 (" ".join(map(str, cmd)), p.stdout, p.stderr))
    return p.stdout


def check(cond, what):
    global checks
    if not cond:
        sys.exit("FAILED: " + what)
    checks += 1
    print("ok:", what)


def use_python_package(site, env_extra=None):
    """Imports kiln from `site` and runs a tiny model on numpy arrays."""
    code = (
        "import kiln, numpy as np, sys\n"
        "assert kiln.__file__.startswith(sys.argv[1]), kiln.__file__\n"
        "m = kiln.compile('func.func @f(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {"
        " %0 = kiln.relu %x : (tensor<?x3xf32>) -> tensor<?x3xf32>"
        " return %0 : tensor<?x3xf32> }')\n"
        "x = np.array([[-1, 2, -3], [4, -5, 6]], np.float32)\n"
        "assert (m(x) == np.maximum(x, 0)).all()\n"
        "print(kiln.__version__)\n")
    env = dict(os.environ, PYTHONPATH=site)
    env.update(env_extra or {})
    return run(["/usr/bin/python3", "-c", code, site], env=env).strip()


def configure_app(src, app, prefix, extra=()):
    cc = shutil.which("cc") or "clang-22"
    return subprocess.run(
        ["cmake", "-S", src, "-B", app, "-G", "Ninja",
         "-DCMAKE_C_COMPILER=" + cc, "-DCMAKE_PREFIX_PATH=" + prefix,
         *extra], capture_output=True, text=True)


def check_install(source, build):
    sys.path.insert(0, os.path.join(source, "examples", "models"))
    sys.path.insert(0, os.path.join(source, "examples", "cmake", "models"))
    sys.path.insert(0, os.path.join(source, "test", "e2e"))
    from reference_small_cnn import forward, images
    from gen_small_cnn import make_weights
    from gen_mlp import make_mlp, reference as mlp_reference

    with tempfile.TemporaryDirectory(prefix="kiln-install-") as tmp:
        prefix = os.path.join(tmp, "prefix")
        run(["cmake", "--install", build, "--prefix", prefix])
        for path in ["bin/kiln-compile", "bin/kiln-run", "bin/kiln-opt",
                     "bin/kiln-import", "lib/cmake/Kiln/KilnConfig.cmake",
                     "lib/cmake/Kiln/KilnConfigVersion.cmake",
                     "lib/cmake/Kiln/KilnModel.cmake",
                     "lib/%s/dist-packages/kiln/__init__.py" % PY,
                     "share/doc/kiln/aot-abi.md"]:
            check(os.path.exists(os.path.join(prefix, path)),
                  "installed " + path)
        # The installed tools run from the prefix (RPATH to Debian's LLVM).
        out = run([os.path.join(prefix, "bin", "kiln-compile"), "--version"])
        check(out.startswith("Kiln "), "installed kiln-compile runs: " +
              out.strip())
        site = os.path.join(prefix, "lib", PY, "dist-packages")
        version = use_python_package(site)
        check(version, "the installed Python package compiles and runs a "
              "model (kiln %s)" % version)

        # The CMake example against the installed package.
        app = os.path.join(tmp, "app")
        example = os.path.join(source, "examples", "cmake")
        p = configure_app(example, app, prefix)
        check(p.returncode == 0, "examples/cmake configures against the "
              "installed package" + ("" if p.returncode == 0 else
                                     ":\n" + p.stdout + p.stderr))
        start = time.time()
        out = run(["cmake", "--build", app])
        print("built examples/cmake in %.1f s" % (time.time() - start))
        check("Kiln: compiling" in out, "the build compiled the models")
        weights = os.path.join(app, "kiln", "cnn", "cnn.weights")
        for f in ["kiln/cnn/cnn.o", "kiln/cnn/cnn.h", "kiln/cnn/cnn.weights",
                  "kiln/scorer/mlp.o", "kiln/scorer/mlp.h"]:
            check(os.path.exists(os.path.join(app, f)), "generated " + f)
        exe = os.path.join(app, "classify_and_score")
        if shutil.which("readelf"):
            dynamic = run(["readelf", "-d", exe])
            check("libomp.so" in dynamic and "llvm-22/lib" in dynamic,
                  "the program finds LLVM's libomp through its RUNPATH")
        lines = run([exe, weights])
        cnn = np.array([[float(v) for v in l.split()[1:]]
                        for l in lines.splitlines() if l.startswith("cnn")])
        mlp = np.array([[float(v) for v in l.split()[1:]]
                        for l in lines.splitlines() if l.startswith("mlp")])
        want_cnn = forward(images(), make_weights())
        check(cnn.shape == want_cnn.shape and
              np.allclose(cnn, want_cnn, rtol=1e-4, atol=1e-6),
              "the CNN (external weights) matches numpy, max error %.2g" %
              np.abs(cnn - want_cnn).max())
        r = np.arange(5)[:, None] * 8 + np.arange(8)[None, :]
        x = np.cos((0.3 * r).astype(np.float32)).astype(np.float32)
        want_mlp = mlp_reference(make_mlp(), x.astype(np.float64))
        check(mlp.shape == want_mlp.shape and
              np.allclose(mlp, want_mlp, rtol=1e-4, atol=1e-6),
              "the ONNX MLP matches numpy, max error %.2g" %
              np.abs(mlp - want_mlp).max())

        # Dependencies: nothing to do on a second build; a model that
        # changed is compiled again, the other is not.
        out = run(["cmake", "--build", app])
        check("Kiln: compiling" not in out, "a second build compiles nothing")
        copy = os.path.join(tmp, "example")
        shutil.copytree(example, copy)
        models = os.path.join(tmp, "models")
        os.makedirs(models, exist_ok=True)
        shutil.copy(os.path.join(source, "examples", "models", "small_cnn.mlir"),
                    models)
        app2 = os.path.join(tmp, "app2")
        run(["cmake", "-S", copy, "-B", app2, "-G", "Ninja",
             "-DCMAKE_PREFIX_PATH=" + prefix])
        run(["cmake", "--build", app2])
        time.sleep(1.1)
        os.utime(os.path.join(copy, "models", "mlp.onnx"))
        out = run(["cmake", "--build", app2])
        check("compiling models/mlp.onnx" in out and "small_cnn" not in out,
              "touching mlp.onnx recompiles it, and only it")

        # kiln_add_model's errors name the target and the argument.
        bad = os.path.join(tmp, "bad")
        os.makedirs(bad)
        cases = {
            "WEIGHTS shared": "WEIGHTS must be embedded or external",
            "PREFIX 1x": "PREFIX '1x' is not a C identifier",
            "PARALLEL posix": "PARALLEL must be openmp or none",
            "OPT_LEVEL 7": "OPT_LEVEL must be 0-3",
            "QUANTIZE int4": "QUANTIZE must be int8, int8-dynamic or "
                             "int8-weights, got 'int4'",
            "QUANTIZE int8": "QUANTIZE int8 needs CALIBRATION <dir>",
            "QUANTIZE int8-dynamic CALIBRATION cal":
                "CALIBRATION is for QUANTIZE int8",
            "QUANTIZE int8 CALIBRATION no/such/dir": "no calibration directory",
            "FREEZE shape": "FREEZE takes <input>=<file.npy>",
            "BOGUS 1": "unknown arguments: BOGUS;1",
        }
        for args, message in cases.items():
            with open(os.path.join(bad, "CMakeLists.txt"), "w") as f:
                f.write("cmake_minimum_required(VERSION 3.20)\n"
                        "project(bad LANGUAGES C)\nfind_package(Kiln REQUIRED)\n"
                        "kiln_add_model(m %s %s)\n" %
                        (os.path.join(example, "models", "mlp.onnx"), args))
            p = configure_app(bad, os.path.join(tmp, "bad-build"), prefix)
            shutil.rmtree(os.path.join(tmp, "bad-build"), ignore_errors=True)
            text = " ".join(p.stderr.split())
            check(p.returncode != 0 and "kiln_add_model(m)" in text and
                  message in text,
                  "kiln_add_model(%s) fails: %s%s" %
                  (args, message, "" if message in text else "\n" + p.stderr))
        with open(os.path.join(bad, "CMakeLists.txt"), "w") as f:
            f.write("cmake_minimum_required(VERSION 3.20)\n"
                    "project(bad LANGUAGES C)\nfind_package(Kiln REQUIRED)\n"
                    "kiln_add_model(m no/such/model.onnx)\n")
        p = configure_app(bad, os.path.join(tmp, "bad-build"), prefix)
        check(p.returncode != 0 and "no model at" in p.stderr,
              "kiln_add_model on a missing model fails at configure time")


def check_deb(source, build):
    with tempfile.TemporaryDirectory(prefix="kiln-deb-") as tmp:
        run(["cpack", "-G", "DEB", "--config",
             os.path.join(build, "CPackConfig.cmake"), "-B", tmp])
        debs = [f for f in os.listdir(tmp) if f.endswith(".deb")]
        check(len(debs) == 1, "cpack wrote one .deb: %s" % debs)
        deb = os.path.join(tmp, debs[0])
        fields = run(["dpkg-deb", "-f", deb, "Package", "Version",
                      "Architecture", "Depends"])
        print(fields)
        for want in ["Package: kiln", "libmlir-22", "libllvm22", "libonnx1",
                     "libomp-22-dev", "python3-numpy"]:
            check(want in fields, "the package's fields name " + want)
        files = run(["dpkg-deb", "-c", deb])
        for path in ["./usr/bin/kiln-compile", "./usr/lib/cmake/Kiln/KilnConfig.cmake",
                     "./usr/lib/%s/dist-packages/kiln/__init__.py" % PY]:
            check(path in files, "the package holds " + path)
        root = os.path.join(tmp, "root")
        run(["dpkg-deb", "-x", deb, root])
        out = run([os.path.join(root, "usr", "bin", "kiln-compile"),
                   "--version"])
        check(out.startswith("Kiln "), "the unpacked kiln-compile runs")
        site = os.path.join(root, "usr", "lib", PY, "dist-packages")
        check(use_python_package(site), "the unpacked Python package runs")


def main():
    mode = sys.argv[1]
    source, build = (os.path.abspath(p) for p in sys.argv[2:4])
    {"install": check_install, "deb": check_deb}[mode](source, build)
    print("%d passed, 0 failed" % checks)


if __name__ == "__main__":
    main()
