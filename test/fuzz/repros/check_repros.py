#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Runs every kiln-smith repro in this directory (NAME.mlir with the inputs
and numpy reference outputs in NAME.npz, each in its own process, with a
time and memory limit) and says which still fail.

Usage: PYTHONPATH=build/python_packages check_repros.py [--expect] [NAME ...]
       PYTHONPATH=build/python_packages check_repros.py --one NAME
           (compiles and runs one repro here, printing how far each output
           is from the reference)
A repro passes when it compiles, runs and every output is within 1e-4 x
max|reference| (+1e-5) of the numpy reference in NAME.npz.
Exits 1 when any repro fails; with --expect, only when a repro of a fixed
bug fails (a regression) or one of an open bug (smith_gen.KNOWN_BUGS)
passes (fixed: move it to the fixed list).
"""

import os
import re
import resource
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def limit():
    if os.environ.get("ASAN_OPTIONS"):
        return  # ASan reserves terabytes of address space
    n = 3 << 30
    resource.setrlimit(resource.RLIMIT_AS, (n, n))


def check(name):
    try:
        r = subprocess.run([sys.executable, os.path.abspath(__file__), "--one",
                            name],
                           capture_output=True, text=True, timeout=60,
                           preexec_fn=limit)
    except subprocess.TimeoutExpired:
        return "FAILS: timed out after 60 s"
    if r.returncode:
        lines = [l for l in r.stderr.splitlines() if "error" in l.lower()]
        why = lines[0] if lines else r.stderr.strip()[-200:]
        return "FAILS: exit %d %s" % (r.returncode, why[:200])
    for m in re.finditer(r"max \|kiln - numpy\| = (\S+) \(max \|numpy\| (\S+)\)",
                         r.stdout):
        err, scale = float(m.group(1)), float(m.group(2))
        if not err <= 1e-4 * scale + 1e-5:
            return "FAILS: " + m.group(0)
    return "passes"


def run_one(name):
    """Compiles NAME.mlir (JIT, opt_level=2), runs it twice on the inputs in
    NAME.npz and prints max |kiln - numpy| per output."""
    import numpy as np
    import kiln
    with open(os.path.join(HERE, name + ".mlir")) as f:
        mlir = f.read()
    data = np.load(os.path.join(HERE, name + ".npz"))
    inputs = [data["in%d" % i] for i in range(len(data.files))
              if "in%d" % i in data.files]
    wants = [data["want%d" % i] for i in range(len(data.files))
             if "want%d" % i in data.files]
    m = kiln.compile(mlir, opt_level=2)
    for _ in range(2):
        outs = m.run(*inputs)
    for i, (got, want) in enumerate(zip(outs, wants)):
        err = (np.max(np.abs(got.astype(np.float64) - want))
               if want.size else 0.0)
        print("output %d: max |kiln - numpy| = %.3g (max |numpy| %.3g)"
              % (i, err, np.max(np.abs(want)) if want.size else 0.0))
    return 0


def main():
    args = sys.argv[1:]
    if args[:1] == ["--one"] and len(args) == 2:
        return run_one(args[1])
    expect = "--expect" in args
    args = [a for a in args if a != "--expect"]
    names = args or sorted(
        f[:-5] for f in os.listdir(HERE) if f.endswith(".mlir"))
    sys.path.insert(0, os.path.dirname(HERE))
    from smith_gen import KNOWN_BUGS
    open_bugs = {r for repros in KNOWN_BUGS.values() for r in repros}
    bad = 0
    for name in names:
        status = check(name)
        if not expect:
            bad += status != "passes"
        elif name in open_bugs:
            if status == "passes":
                status = "passes, but its bug is listed as open: fixed?"
                bad += 1
            else:
                status = "still fails (open bug): " + status
        else:
            bad += status != "passes"
        print("%-45s %s" % (name, status), flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
