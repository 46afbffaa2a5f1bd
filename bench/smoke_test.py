#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Smoke test of the benchmark harness (ctest `bench-smoke`): runs
`bench/run.py --quick` on tiny shapes with JSON output, then validates the
JSON against the schema and checks that every side was checked against its
reference and passed. It asserts nothing about speed.

    PYTHONPATH=build/python_packages KILN_TOOLS_DIR=build/bin \\
        /usr/bin/python3 bench/smoke_test.py
"""

import importlib.util
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def load_run():
    spec = importlib.util.spec_from_file_location(
        "kiln_bench_run", os.path.join(HERE, "run.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main():
    run = load_run()
    failures = []

    def expect(cond, msg):
        if not cond:
            failures.append(msg)

    # The correctness check itself catches a fast-but-wrong result.
    import numpy as np
    ref = np.arange(12, dtype=np.float32).reshape(3, 4) - 5
    expect(run.check(ref.copy(), ref, 1e-4)[0] == "ok", "check(ref, ref)")
    bad = ref.copy()
    bad[1, 2] += 0.01 * np.abs(ref).max()
    expect(run.check(bad, ref, 1e-4)[0] == "WRONG", "check missed an error")
    expect(run.check(ref[:2], ref, 1e-4)[0] == "WRONG",
           "check missed a wrong shape")
    nan = ref.copy()
    nan[0, 0] = np.nan
    expect(run.check(nan, ref, 1e-4)[0] == "WRONG", "check missed a NaN")

    with tempfile.TemporaryDirectory(prefix="kiln-bench-smoke-") as tmp:
        out = os.path.join(tmp, "out.json")
        png = os.path.join(tmp, "out.png")
        cmd = [sys.executable, os.path.join(HERE, "run.py"), "--quick",
               "--json", out, "--plot", png,
               "--workdir", os.path.join(tmp, "work")]
        print(" ".join(cmd), flush=True)
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=600)
        print(r.stdout)
        if r.returncode != 0:
            print(r.stderr[-5000:], file=sys.stderr)
        expect(r.returncode == 0, "run.py --quick exited %d" % r.returncode)
        if not os.path.exists(out):
            failures.append("no JSON written")
        else:
            with open(out) as f:
                doc = json.load(f)
            for p in run.validate(doc):
                failures.append("schema: " + p)
            expect(not doc.get("schema_problems"), "run.py found schema "
                   "problems: %s" % doc.get("schema_problems"))
            kinds = {r["kind"] for r in doc.get("results", [])}
            for kind in ("gemm", "conv", "models"):
                expect(kind in kinds, "no %s results" % kind)
            expect(doc.get("compile"), "no compile results")
            for c in doc.get("compile", []):
                expect(c.get("rc") == 0 and c.get("peak_rss_mb", 0) > 0,
                       "compile %s: rc %s" % (c.get("model"), c.get("rc")))
            for t, g in doc.get("peak", {}).get("gflops", {}).items():
                expect(g > 0, "peak for %s threads is %r" % (t, g))
            # Every side that ran was checked, and passed.
            sides = {}
            for rec in doc.get("results", []):
                for s, v in rec["sides"].items():
                    where = "%s %s %dT %s" % (rec["kind"], rec["name"],
                                              rec["threads"], s)
                    expect(not v.get("error"), "%s: %s" % (where,
                                                          v.get("error")))
                    if v.get("skipped"):
                        continue
                    expect(v.get("check") == "ok", "%s: check %r (err %r)" % (
                        where, v.get("check"), v.get("max_rel_err")))
                    sides.setdefault(rec["kind"], set()).add(s)
            want = {"gemm": {"kiln-jit", "kiln-jit-const", "kiln-aot",
                             "kiln-aot-const", "numpy", "torch"},
                    "conv": {"kiln-jit", "torch", "torch-cl"},
                    "models": {"kiln-jit", "kiln-aot", "torch", "torch-cl"}}
            for kind, ss in want.items():
                missing = ss - sides.get(kind, set())
                expect(not missing, "%s: sides never measured: %s" % (
                    kind, sorted(missing)))
            expect(doc["checks"]["ok"] > 0 and not doc["checks"]["wrong"],
                   "checks: %s" % doc["checks"])
            try:
                import matplotlib  # noqa: F401
                has_mpl = True
            except ImportError:
                has_mpl = False
            if has_mpl:
                ok = os.path.exists(png)
                if ok:
                    with open(png, "rb") as f:
                        ok = f.read(8) == b"\x89PNG\r\n\x1a\n"
                expect(ok, "no PNG plot written")

    if failures:
        print("bench-smoke FAILED:\n  " + "\n  ".join(failures))
        return 1
    print("bench-smoke: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
