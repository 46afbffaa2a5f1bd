#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Runs the ONNX backend node tests through Kiln: import, compile, JIT-run,
and compare with the suite's reference outputs.

    run_node_tests.py --xfail node_xfail.txt [--data DIR] [--filter REGEX]
                      [--report results.json] [--jobs N]

Each test is `DIR/<name>/model.onnx` with `test_data_set_*/input_*.pb` and
`output_*.pb`. Outputs are compared as the ONNX backend runner does (rtol
1e-3, atol 1e-7). The suite is green when every test not in the xfail list
passes and every listed test still fails (an unexpected pass must be removed
from the list). Tests run in worker processes, so a crash is reported as a
failure of that test rather than ending the run.
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import time

RTOL, ATOL = 1e-3, 1e-7
DEFAULT_DATA = "/usr/share/libonnx-testdata/data/node"


def load_xfail(path):
    xfail = {}
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, sep, reason = line.partition("#")
            name, reason = name.strip(), reason.strip()
            if not sep or not reason:
                sys.exit("%s:%d: every expected failure needs a reason "
                         "after '#'" % (path, lineno))
            xfail[name] = reason
    return xfail


def run_one(test_dir):
    """Returns (status, detail): status is pass, fail or error."""
    import numpy as np
    import onnx
    from onnx import numpy_helper
    import kiln

    with open(os.path.join(test_dir, "model.onnx"), "rb") as f:
        model_bytes = f.read()
    model = onnx.load_from_string(model_bytes)
    initializers = {i.name for i in model.graph.initializer}
    graph_inputs = [i.name for i in model.graph.input
                    if i.name not in initializers]
    sets = sorted(glob.glob(os.path.join(test_dir, "test_data_set_*")))
    if not sets:
        return "error", "no test data sets"
    frozen_names = []
    for data_set in sets:
        def load(kind, count):
            arrays = []
            for k in range(count):
                t = onnx.TensorProto()
                path = os.path.join(data_set, "%s_%d.pb" % (kind, k))
                with open(path, "rb") as f:
                    t.ParseFromString(f.read())
                arrays.append(numpy_helper.to_array(t))
            return arrays
        try:
            inputs = dict(zip(graph_inputs, load("input", len(graph_inputs))))
            expected = load("output", len(model.graph.output))
        except Exception as e:  # sequences, optionals, ...
            try:
                kiln.compile(model_bytes)
            except kiln.CompileError as ce:
                return "error", " ".join(str(ce).split("\n")[:2])[:400]
            return "error", "cannot load test data: %s" % e
        # Kiln evaluates shapes at compile time: inputs that the model uses
        # as shapes, axes, pads, ... are frozen to this data set's values,
        # as a user would with kiln.compile(freeze=...).
        freeze = {}
        while True:
            try:
                module = kiln.compile(model_bytes, freeze=freeze)
                break
            except kiln.CompileError as e:
                message = str(e)
                wanted = [m for m in re.findall(
                    r"'([^']*)'\) must be known at compile time", message)
                    if m in inputs and m not in freeze]
                if not wanted:
                    return "error", " ".join(message.split("\n")[:2])[:400]
                for name in wanted:
                    freeze[name] = inputs[name]
        frozen_names = sorted(freeze)
        args = [inputs[n] for n in graph_inputs if n not in freeze]
        try:
            outputs = module.run(*args)
        except (TypeError, ValueError, RuntimeError) as e:
            return "fail", "run: %s" % e
        for i, (got, want) in enumerate(zip(outputs, expected)):
            if got.dtype != want.dtype and got.dtype.itemsize == \
                    want.dtype.itemsize and want.dtype.kind in "ub":
                got = got.view(want.dtype)  # quantized storage, bool bytes
            if got.shape != want.shape:
                return "fail", "output %d has shape %s, expected %s" % (
                    i, got.shape, want.shape)
            if want.dtype.kind in "fc":
                ok = np.allclose(got, want, rtol=RTOL, atol=ATOL,
                                 equal_nan=True)
            else:
                ok = np.array_equal(got, want)
            if not ok:
                err = np.max(np.abs(got.astype(np.float64) -
                                    want.astype(np.float64)))
                return "fail", "output %d differs (max abs error %g)" % (
                    i, err)
    if frozen_names:
        return "pass", "froze inputs: " + ", ".join(frozen_names)
    return "pass", ""


def worker(names, data):
    """Runs tests named on stdin, one JSON line per test on stdout."""
    for name in names:
        print(json.dumps({"start": name}), flush=True)
        started = time.time()
        try:
            status, detail = run_one(os.path.join(data, name))
        except Exception as e:  # a bug in the runner or the bindings
            status, detail = "fail", "exception: %r" % e
        print(json.dumps({"name": name, "status": status, "detail": detail,
                          "seconds": round(time.time() - started, 3)}),
              flush=True)


def run_all(names, data, jobs):
    """Runs `names` in `jobs` worker processes, restarting after crashes."""
    results = {}
    chunks = [names[i::jobs] for i in range(jobs)]
    procs = []

    def spawn(chunk):
        if not chunk:
            return None
        p = subprocess.Popen(
            [sys.executable, __file__, "--worker", "--data", data] + chunk,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        return [p, list(chunk), None]

    procs = [s for s in (spawn(c) for c in chunks) if s]
    import selectors
    sel = selectors.DefaultSelector()
    for entry in procs:
        sel.register(entry[0].stdout, selectors.EVENT_READ, entry)
    while procs:
        for key, _ in sel.select():
            entry = key.data
            proc, pending, current = entry
            line = proc.stdout.readline()
            if line:
                msg = json.loads(line)
                if "start" in msg:
                    entry[2] = msg["start"]
                else:
                    results[msg["name"]] = msg
                    pending.remove(msg["name"])
                    entry[2] = None
                continue
            # The worker ended: a crash if tests remain.
            sel.unregister(proc.stdout)
            proc.wait()
            procs.remove(entry)
            if current:
                results[current] = {"name": current, "status": "fail",
                                    "detail": "crashed (exit code %d)" %
                                    proc.returncode, "seconds": 0}
                pending.remove(current)
            if pending:
                fresh = spawn(pending)
                procs.append(fresh)
                sel.register(fresh[0].stdout, selectors.EVENT_READ, fresh)
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--xfail", help="expected-failure list")
    ap.add_argument("--filter", help="regex of test names to run")
    ap.add_argument("--report", help="write per-test results as JSON")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--write-xfail", metavar="FILE",
                    help="write the failing tests, with the reason taken "
                    "from their errors, as a new expected-failure list")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("names", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.names, args.data)
        return 0

    if not os.path.isdir(args.data):
        sys.exit("no ONNX node tests at %s (install libonnx-testdata)" %
                 args.data)
    names = sorted(d for d in os.listdir(args.data)
                   if os.path.isfile(os.path.join(args.data, d,
                                                  "model.onnx")))
    if args.filter:
        names = [n for n in names if re.search(args.filter, n)]
    xfail = load_xfail(args.xfail) if args.xfail else {}
    stale = sorted(set(xfail) - set(os.listdir(args.data)))
    started = time.time()
    results = run_all(names, args.data, max(1, args.jobs))
    elapsed = time.time() - started

    unexpected_fail, unexpected_pass = [], []
    passed = sum(1 for r in results.values() if r["status"] == "pass")
    for name in names:
        r = results[name]
        if r["status"] == "pass" and name in xfail:
            unexpected_pass.append(name)
        elif r["status"] != "pass" and name not in xfail:
            unexpected_fail.append(name)
    for name in unexpected_fail:
        r = results[name]
        print("UNEXPECTED FAIL %s: %s: %s" % (name, r["status"], r["detail"]))
    for name in unexpected_pass:
        print("UNEXPECTED PASS %s (remove it from the xfail list; it said: "
              "%s)" % (name, xfail[name]))
    for name in stale:
        print("STALE xfail entry %s: no such test" % name)
    print("ONNX node tests: %d run, %d passed, %d expected failures, "
          "%d unexpected failures, %d unexpected passes (%.1f s)" %
          (len(names), passed, len(names) - passed - len(unexpected_fail),
           len(unexpected_fail), len(unexpected_pass), elapsed))
    if args.report:
        with open(args.report, "w") as f:
            json.dump({"passed": passed, "total": len(names),
                       "results": [results[n] for n in names]}, f, indent=1)
    if args.write_xfail:
        write_xfail(args.write_xfail, names, results, xfail)
    ok = not unexpected_fail and not unexpected_pass and not stale
    return 0 if ok else 1


def reason_of(detail):
    """A one-line reason from a failure's diagnostic."""
    m = re.search(r"uses opset (\d+)", detail)
    if m:
        return "opset %s is outside the supported 1-17" % m.group(1)
    m = re.search(r"cannot be upgraded from opset (\d+).*version converter: "
                  r"(.*)", detail)
    if m:
        return "onnx's version converter cannot upgrade opset %s: %s" % (
            m.group(1), m.group(2).strip().splitlines()[0][:120])
    if "imports no opset of the default domain" in detail:
        return "training-domain model (ai.onnx.preview.training only)"
    m = re.search(r"unsupported ONNX op types? \([^)]*\):\s*(.*)", detail)
    if m:
        ops = re.findall(r"(\S+) x\d+", m.group(1))
        rejected = re.search(r"\(rejected: ([^)]*)\)", m.group(1))
        if rejected and len(ops) == 1:
            return "%s rejected by design: %s" % (ops[0], rejected.group(1))
        return "unsupported op: " + ", ".join(ops)
    detail = re.sub(r'loc\((?:[^()]|\([^()]*\))*\):\s*', "", detail)
    detail = detail.replace("error: ", "").strip()
    return detail.split("\n")[0][:160]


def write_xfail(path, names, results, old):
    with open(path, "w") as f:
        f.write("# ONNX node tests that Kiln is expected to fail, one per "
                "line with its reason.\n# Maintained with run_node_tests.py "
                "--write-xfail; the suite fails on an unexpected pass.\n")
        for name in names:
            r = results[name]
            if r["status"] == "pass":
                continue
            reason = old.get(name) or reason_of(r["detail"])
            f.write("%s  # %s\n" % (name, reason))


if __name__ == "__main__":
    sys.exit(main())
