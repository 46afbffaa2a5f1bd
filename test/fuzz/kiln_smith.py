#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""kiln-smith: random differential testing of Kiln.

Generates random kiln-dialect graphs that are valid by construction
(smith_gen.py), compiles them with the Python package through the JIT at
opt_level=2 and 0, for the generic x86-64 CPU as well as the host, and (on
every Nth batch) through the AOT path (save_object + a generated C driver
linked with cc), and compares every result with an independent float64
numpy reference (smith_reference.py) within a tolerance derived from each
op's error bound. A compile error on a generated graph, a run-time error
and a crash are failures too.

Usage:
  kiln_smith.py --seed S --count N [--start I] [--aot-every K] [--jobs J]
                [--batch B] [--configs jit-o2,jit-o0,jit-x86-64:2,aot-o2:4]
                [--save-failures DIR] [--include-known-bugs] [--json FILE]
  kiln_smith.py --seed S --index I [--print]      one graph (or its MLIR)

Graphs are compiled many to a module (one func.func each), in a separate
worker process, so that a crash is attributed to its graph and reported
with the seed and index that rebuild it. Exits 1 on any failure.
Reduce a failure with smith_reduce.py (see docs/testing-smith.md).
"""

import argparse
import collections
import json
import os
import pickle
import re
import select
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402

import smith_gen  # noqa: E402
from smith_graph import infer, to_mlir  # noqa: E402
from smith_reference import compare, error_ratio, evaluate  # noqa: E402

CONFIGS = {
    # name: (kiln.compile keywords, AOT?)
    "jit-o2": ({"opt_level": 2}, False),
    "jit-o0": ({"opt_level": 0}, False),
    "jit-x86-64": ({"opt_level": 2, "cpu": "x86-64"}, False),
    "jit-x86-64-o0": ({"opt_level": 0, "cpu": "x86-64"}, False),
    "aot-o2": ({"opt_level": 2}, True),
    "aot-x86-64": ({"opt_level": 2, "cpu": "x86-64"}, True),
    # Every image op forced into each layout, whatever auto would choose.
    "jit-nhwc": ({"opt_level": 2, "layout": "nhwc"}, False),
    "jit-nchw": ({"opt_level": 2, "layout": "nchw"}, False),
}
DEFAULT_CONFIGS = ("jit-o2", "jit-o0", "jit-x86-64")
AOT_CONFIG = "aot-o2"
PREFIX = "smith"


# --- messages between the runner and its worker ------------------------------

def send(f, obj):
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(struct.pack("<Q", len(data)) + data)
    while view:
        view = view[f.write(view) or 0:]
    f.flush()


def recv(f):
    head = f.read(8)
    if len(head) < 8:
        raise EOFError
    (n,) = struct.unpack("<Q", head)
    data = f.read(n)
    if len(data) < n:
        raise EOFError
    return pickle.loads(data)


# --- the worker: compiles and runs, in its own process ------------------------

def aot_driver(entries):
    """A C program that runs the entry points named on its command line:
    reads each input from <entry>_in<i>.bin, calls <prefix>_<entry> and
    writes <entry>_out<i>.bin (modeled on e2e_lib.c_driver)."""
    lines = ['#include "model.h"', "#include <stdio.h>", "#include <stdlib.h>",
             "#include <string.h>",
             "static void *load(const char *p, size_t n) {",
             "  void *b = malloc(n ? n : 1); FILE *f = fopen(p, \"rb\");",
             "  if (!f || fread(b, 1, n, f) != n) { perror(p); exit(3); }",
             "  fclose(f); return b; }",
             "static void save(const char *p, const void *b, size_t n) {",
             "  FILE *f = fopen(p, \"wb\");",
             "  if (!f || fwrite(b, 1, n, f) != n) { perror(p); exit(3); }",
             "  fclose(f); }"]
    for name, inputs, outputs in entries:
        lines.append("static int run_%s(void) {" % name)
        args = []
        for i, x in enumerate(inputs):
            lines.append('  float *in%d = load("%s_in%d.bin", %d);' %
                         (i, name, i, x.nbytes))
            args += ["in%d" % i] + [str(d) for d in x.shape]
        for i, shape in enumerate(outputs):
            n = int(np.prod(shape, dtype=np.int64)) * 4
            lines.append("  float *out%d = malloc(%d);" % (i, max(n, 1)))
            args += ["out%d" % i] + [str(d) for d in shape]
        lines.append("  int status = %s_%s(%s);" % (PREFIX, name, ", ".join(args)))
        lines.append('  if (status) fprintf(stderr, "%s: status %%d: %%s\\n", '
                     'status, %s_last_error());' % (name, PREFIX))
        for i, shape in enumerate(outputs):
            n = int(np.prod(shape, dtype=np.int64)) * 4
            lines.append('  if (!status) save("%s_out%d.bin", out%d, %d);' %
                         (name, i, i, n))
            lines.append("  free(out%d);" % i)
        for i in range(len(inputs)):
            lines.append("  free(in%d);" % i)
        lines.append("  return status;\n}")
    lines.append("int main(int argc, char **argv) {")
    lines.append("  for (int i = 1; i < argc; ++i) {")
    lines.append("    int s = -1;")
    for name, _, _ in entries:
        lines.append('    if (!strcmp(argv[i], "%s")) s = run_%s();' % (name, name))
    lines.append('    printf("done %s %d\\n", argv[i], s); fflush(stdout);')
    lines.append("  }\n  return 0;\n}")
    return "\n".join(lines) + "\n"


def worker_main():
    import kiln
    # Messages go to a private copy of fd 1; anything else printed there
    # (by Python or by Kiln's C++) goes to stderr instead.
    sys.stdout.flush()
    fout = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    fin = sys.stdin.buffer
    while True:
        try:
            job = recv(fin)
        except EOFError:
            return 0
        send(fout, ("result", worker_job(kiln, job, lambda *m: send(fout, m))))


def worker_job(kiln, job, stage):
    """job: {"config", "funcs": [(name, text)], "inputs": {name: [arrays]},
    "outputs": {name: [shapes]}, "cc", "workdir"}. Returns
    {name: (kind, payload)} with kind ok / compile-error / run-error /
    aot-error, and the number of kiln.compile calls."""
    kw, aot = CONFIGS[job["config"]]
    funcs = job["funcs"]
    results, compiles = {}, 0

    def compile_(names):
        nonlocal compiles
        compiles += 1
        stage("compile", names)
        text = "\n".join(t for n, t in funcs if n in names)
        return kiln.compile(text, **kw)

    names = [n for n, _ in funcs]
    modules = []
    try:
        modules.append((compile_(names), names))
    except kiln.CompileError as e:
        batch_error = str(e)
        good = []
        for n in names:
            try:
                modules_one = compile_([n])
                good.append((modules_one, [n]))
            except kiln.CompileError as e1:
                results[n] = ("compile-error", str(e1))
        if len(names) > 1 and len(good) == len(names):
            # Every function compiles alone: a failure of the batch only.
            for n in names:
                results[n] = ("batch-compile-error", batch_error)
            return results, compiles
        modules = good
    for module, mnames in modules:
        if aot:
            results.update(run_aot(module, mnames, job, stage))
            continue
        for n in mnames:
            stage("run", n)
            try:
                outs = module.run(*job["inputs"][n], entry=n)
                results[n] = ("ok", [np.asarray(o) for o in outs])
            except Exception as e:  # noqa: BLE001
                results[n] = ("run-error", "%s: %s" % (type(e).__name__, e))
    return results, compiles


def run_aot(module, names, job, stage):
    results = {}
    d = tempfile.mkdtemp(prefix="smith-aot-", dir=job.get("workdir"))
    try:
        stage("aot-save", names)
        try:
            module.save_object(os.path.join(d, "model.o"),
                               header=os.path.join(d, "model.h"), prefix=PREFIX)
        except Exception as e:  # noqa: BLE001
            return {n: ("aot-error", "save_object: %s" % e) for n in names}
        entries = []
        for n in names:
            for i, x in enumerate(job["inputs"][n]):
                x.tofile(os.path.join(d, "%s_in%d.bin" % (n, i)))
            entries.append((n, job["inputs"][n], job["outputs"][n]))
        with open(os.path.join(d, "driver.c"), "w") as f:
            f.write(aot_driver(entries))
        stage("aot-cc", names)
        # Sanitizer builds give the C drivers their flags as e2e_lib does.
        cflags = shlex.split(os.environ.get("KILN_E2E_CFLAGS", ""))
        r = subprocess.run([job["cc"], "-O1", "-I", d] + cflags +
                           ["driver.c", "model.o", "-lm", "-lomp", "-o",
                            "driver"], cwd=d,
                           capture_output=True, text=True, timeout=300)
        if r.returncode:
            return {n: ("aot-error", "cc: " + r.stderr[-3000:]) for n in names}
        todo = list(names)
        while todo:
            stage("aot-run", todo)
            try:
                r = subprocess.run(["./driver"] + todo, cwd=d,
                                   capture_output=True, text=True, timeout=300)
            except subprocess.TimeoutExpired as e:
                out = e.stdout.decode() if isinstance(e.stdout, bytes) else \
                    (e.stdout or "")
                r = subprocess.CompletedProcess(e.cmd, -9, out,
                                                "timed out after 300 s")
            done = {}
            for line in r.stdout.splitlines():
                m = re.match(r"done (\S+) (-?\d+)$", line)
                if m:
                    done[m.group(1)] = int(m.group(2))
            for n in todo:
                if n not in done:
                    break
                if done[n]:
                    msg = [l for l in r.stderr.splitlines() if l.startswith(n + ":")]
                    results[n] = ("aot-error", "status %d: %s" % (
                        done[n], msg[0] if msg else r.stderr[-2000:]))
                    continue
                outs = []
                for i, shape in enumerate(job["outputs"][n]):
                    outs.append(np.fromfile(os.path.join(d, "%s_out%d.bin" % (n, i)),
                                            np.float32).reshape(shape))
                results[n] = ("ok", outs)
            rest = [n for n in todo if n not in done]
            if rest:
                # The driver died in rest[0].
                results[rest[0]] = ("crash", "AOT driver exited with %d in %s: %s"
                                    % (r.returncode, rest[0], r.stderr[-2000:]))
                rest = rest[1:]
            todo = rest
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return results


# --- the runner side ----------------------------------------------------------

class Worker:
    """A worker process; restarted after a crash. Its address space is
    limited (memory_mb), so that a compile that blows up fails instead of
    taking the machine."""

    def __init__(self, timeout, memory_mb=4096):
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.proc = None
        self.log = None

    def start(self):
        self.log = tempfile.TemporaryFile()
        env = dict(os.environ)
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
            env=env, bufsize=0, preexec_fn=self._limit)

    def _limit(self):
        # ASan reserves terabytes of address space: no limit under it.
        asan = os.environ.get("ASAN_OPTIONS") or \
            "asan" in os.environ.get("LD_PRELOAD", "")
        if self.memory_mb and not asan:
            import resource
            n = self.memory_mb << 20
            resource.setrlimit(resource.RLIMIT_AS, (n, n))

    def stop(self):
        if self.proc:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def _stderr_tail(self):
        try:
            self.log.seek(0)
            return self.log.read()[-3000:].decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""

    def _recv(self, deadline):
        """One message from the worker's stdout (a raw pipe: no buffering
        that select() would not see)."""
        fd = self.proc.stdout.fileno()

        def read(n):
            chunks = []
            while n:
                left = deadline - time.time()
                if left <= 0:
                    raise TimeoutError
                r, _, _ = select.select([fd], [], [], left)
                if not r:
                    raise TimeoutError
                data = os.read(fd, min(n, 1 << 20))
                if not data:
                    raise EOFError
                chunks.append(data)
                n -= len(data)
            return b"".join(chunks)

        (n,) = struct.unpack("<Q", read(8))
        return pickle.loads(read(n))

    def run(self, job):
        """(results, compiles, crash) where crash is None or
        (stage, names, message)."""
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        try:
            send(self.proc.stdin, job)
        except (BrokenPipeError, OSError):
            self.stop()
            self.start()
            send(self.proc.stdin, job)
        last = ("start", None)
        deadline = time.time() + self.timeout
        compiles = 0
        while True:
            try:
                msg = self._recv(deadline)
            except (EOFError, OSError):
                code = self.proc.wait()
                sig = -code if code < 0 else None
                why = ("killed by signal %d (%s)" % (sig, signal.Signals(sig).name)
                       if sig else "exited with %d" % code)
                tail = self._stderr_tail()
                self.proc = None
                return None, compiles, (last, "worker %s during %s: %s" % (
                    why, last[0], tail))
            except TimeoutError:
                self.proc.kill()
                self.proc.wait()
                self.proc = None
                return None, compiles, (last, "timed out after %ds during %s"
                                        % (self.timeout, last[0]))
            if msg[0] == "result":
                results, compiles = msg[1]
                return results, compiles, None
            last = (msg[0], msg[1])
            if msg[0] == "compile":
                compiles += 1


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.graphs = 0
        self.ops = collections.Counter()
        self.compiles = 0
        self.runs = 0
        self.failures = []  # dicts
        self.ratios = []  # (max error / tolerance, index, config, output)

    def fail(self, **kw):
        with self.lock:
            self.failures.append(kw)


def run_batch(worker, config, batch, refs, args, stats):
    """Runs one batch of (index, graph) in one config, retrying around
    crashes so that each crash is pinned on one graph."""
    pending = [i for i, _ in batch]
    graphs = dict(batch)
    while pending:
        funcs = [("g%d" % i, to_mlir(graphs[i], "g%d" % i)) for i in pending]
        job = {"config": config, "funcs": funcs,
               "inputs": {"g%d" % i: graphs[i].inputs for i in pending},
               "outputs": {"g%d" % i: [refs[i][0][k].shape for k in
                                       range(len(graphs[i].outputs))]
                           for i in pending},
               "cc": args.cc, "workdir": args.workdir}
        results, compiles, crash = worker.run(job)
        with stats.lock:
            stats.compiles += compiles
        if crash is None:
            for i in pending:
                check_result(config, i, graphs[i], refs[i],
                             results.get("g%d" % i, ("missing", "")), args, stats)
            return
        (stage, names), msg = crash
        if stage in ("run",) and names:
            culprit = int(names[1:])
            stats.fail(seed=args.seed, index=culprit, config=config,
                       kind="crash", message=msg, graph=graphs[culprit])
            pending = [i for i in pending if i != culprit]
            continue
        if len(pending) == 1:
            stats.fail(seed=args.seed, index=pending[0], config=config,
                       kind="crash", message=msg, graph=graphs[pending[0]])
            return
        # A crash while compiling a batch: one graph at a time.
        for i in pending:
            run_batch(worker, config, [(i, graphs[i])], refs, args, stats)
        return


def check_result(config, i, g, ref, result, args, stats):
    kind, payload = result
    with stats.lock:
        stats.runs += 1
    if kind != "ok":
        stats.fail(seed=args.seed, index=i, config=config, kind=kind,
                   message=payload, graph=g)
        return
    want, errs = ref
    for k, got in enumerate(payload):
        with stats.lock:
            stats.ratios.append((error_ratio(got, want[k], errs[k]), i,
                                 config, k))
        msg = compare(got, want[k], errs[k])
        if msg:
            stats.fail(seed=args.seed, index=i, config=config, kind="mismatch",
                       message="output %d: %s" % (k, msg), graph=g)


def signature(f):
    """Groups failures that look like one bug."""
    msg = f["message"].splitlines()[0] if f["message"] else ""
    msg = re.sub(r"\d+(\.\d+)?(e[-+]?\d+)?", "N", msg)
    msg = re.sub(r"\"<string>\":N:N", "", msg)
    msg = re.sub(r"%\w+", "%v", msg)
    msg = re.sub(r"worker exited with.*during", "worker died during", msg)
    if f["kind"] == "mismatch":
        msg = "mismatch"
    return "%s: %s" % (f["kind"], msg[:160])


def reference(g):
    vals, errs = evaluate(g, infer(g))
    return [vals[o] for o in g.outputs], [errs[o] for o in g.outputs]


def save_failure(d, f):
    os.makedirs(d, exist_ok=True)
    g = f["graph"]
    base = os.path.join(d, "seed%d-g%d-%s" % (f["seed"], f["index"], f["config"]))
    with open(base + ".mlir", "w") as fh:
        fh.write(to_mlir(g, "model"))
    want, _ = reference(g)
    np.savez(base + ".npz", **{"in%d" % i: x for i, x in enumerate(g.inputs)},
             **{"want%d" % i: w.astype(np.float32) for i, w in enumerate(want)})
    with open(base + ".pkl", "wb") as fh:
        pickle.dump(g, fh)
    with open(base + ".txt", "w") as fh:
        fh.write("kind: %s\nconfig: %s\nseed: %d\nindex: %d\n\n%s\n\n"
                 "rebuild: test/fuzz/kiln_smith.py --seed %d --index %d "
                 "--configs %s\nreduce:  test/fuzz/smith_reduce.py --seed %d "
                 "--index %d --config %s\n" % (
                     f["kind"], f["config"], f["seed"], f["index"],
                     f["message"], f["seed"], f["index"], f["config"],
                     f["seed"], f["index"], f["config"]))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--start", type=int, default=0,
                    help="index of the first graph")
    ap.add_argument("--index", type=int, help="run only this graph")
    ap.add_argument("--print", action="store_true",
                    help="print the graphs' MLIR and inputs instead")
    ap.add_argument("--batch", type=int, default=25,
                    help="graphs per module (one kiln.compile each)")
    ap.add_argument("--aot-every", type=int, default=4,
                    help="run the AOT path on every Kth batch (0: never)")
    ap.add_argument("--configs", default=",".join(DEFAULT_CONFIGS),
                    help="comma-separated, of: " + ", ".join(CONFIGS) +
                    "; NAME:K runs that one on every Kth batch only")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--save-failures", metavar="DIR")
    ap.add_argument("--include-known-bugs", action="store_true",
                    help="also generate the op combinations of known Kiln "
                         "bugs (smith_gen.KNOWN_BUGS)")
    ap.add_argument("--max-ops", type=int, default=8)
    ap.add_argument("--timeout", type=int, default=180,
                    help="seconds per batch and configuration")
    ap.add_argument("--memory-mb", type=int, default=4096,
                    help="address-space limit of the worker process")
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"))
    ap.add_argument("--json", metavar="FILE", help="write the summary as JSON")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--stats", action="store_true",
                    help="print how close the results come to the tolerance")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker_main()
    args.workdir = None
    avoid = () if args.include_known_bugs else None
    indices = ([args.index] if args.index is not None else
               list(range(args.start, args.start + args.count)))
    t0 = time.time()
    graphs = [(i, smith_gen.generate(args.seed, i, avoid, args.max_ops))
              for i in indices]
    if args.print:
        for i, g in graphs:
            print("// seed %d, graph %d (%s)" % (args.seed, i, g.info["theme"]))
            print(to_mlir(g, "g%d" % i))
            for k, x in enumerate(g.inputs):
                print("// input %d: %s %s" % (k, x.shape,
                                              np.array2string(x.reshape(-1)[:8])))
        return 0
    refs = {i: reference(g) for i, g in graphs}
    stats = Stats()
    stats.graphs = len(graphs)
    for _, g in graphs:
        stats.ops.update(g.ops())
    configs = []  # (name, every Kth batch)
    for item in args.configs.split(","):
        if not item:
            continue
        name, _, every = item.partition(":")
        if name not in CONFIGS:
            ap.error("unknown configuration %s" % name)
        configs.append((name, int(every or 1)))
    if args.aot_every and not any(CONFIGS[c][1] for c, _ in configs):
        configs.append((AOT_CONFIG, args.aot_every))
    batches = [graphs[s:s + args.batch] for s in range(0, len(graphs), args.batch)]
    work = []
    for b, batch in enumerate(batches):
        for c, every in configs:
            if b % every == 0:
                work.append((c, batch))
    aot_graphs = sum(len(batch) for c, batch in work if CONFIGS[c][1])

    workers = [Worker(args.timeout, args.memory_mb)
               for _ in range(max(1, args.jobs))]
    free = list(workers)
    lock = threading.Lock()

    def do(item):
        with lock:
            w = free.pop()
        try:
            run_batch(w, item[0], item[1], refs, args, stats)
        finally:
            with lock:
                free.append(w)

    try:
        with ThreadPoolExecutor(max_workers=len(workers)) as pool:
            list(pool.map(do, work))
    finally:
        for w in workers:
            w.stop()
    elapsed = time.time() - t0

    failures = stats.failures
    by_sig = collections.OrderedDict()
    for f in sorted(failures, key=lambda f: (f["index"], f["config"])):
        by_sig.setdefault(signature(f), []).append(f)
    if not args.quiet or failures:
        for f in sorted(failures, key=lambda f: (f["index"], f["config"])):
            known = f["graph"].info.get("known_bugs")
            print("FAIL seed %d graph %d [%s] %s%s: %s" % (
                f["seed"], f["index"], f["config"], f["kind"],
                " (has known bugs: %s)" % ", ".join(known) if known else "",
                f["message"][:1500].replace("\n", "\n    ")))
    if args.save_failures:
        for f in failures:
            save_failure(args.save_failures, f)
    mismatches = sum(f["kind"] == "mismatch" for f in failures)
    failed_graphs = len({f["index"] for f in failures})
    print("kiln-smith seed %d: %d graphs (%d..%d), %d ops (%d kinds), "
          "%d compilations, %d runs (%d AOT), %d mismatches, %d failures "
          "in %d graphs, %.1fs" % (
              args.seed, len(graphs), indices[0], indices[-1],
              sum(stats.ops.values()), len(stats.ops), stats.compiles,
              stats.runs, aot_graphs, mismatches, len(failures), failed_graphs,
              elapsed))
    if not args.quiet:
        print("ops covered: " + ", ".join(
            "%s %d" % kv for kv in sorted(stats.ops.items())))
    for sig, fs in by_sig.items():
        print("  %4d x %s  (e.g. --seed %d --index %d --configs %s)" % (
            len(fs), sig, fs[0]["seed"], fs[0]["index"], fs[0]["config"]))
    if args.stats and stats.ratios:
        r = np.array([x[0] for x in stats.ratios])
        edges = [0, 1e-4, 1e-3, 1e-2, 0.1, 0.5, 1, np.inf]
        hist = np.histogram(r, edges)[0]
        print("max |error| / tolerance per output: " + ", ".join(
            "[%g, %g): %d" % (edges[i], edges[i + 1], hist[i])
            for i in range(len(hist))))
        for ratio, i, c, k in sorted(stats.ratios, reverse=True)[:8]:
            g = dict(graphs)[i]
            print("  %.3g  graph %d [%s] output %d: %s" % (
                ratio, i, c, k, " ".join(g.ops())))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"seed": args.seed, "graphs": len(graphs),
                       "first": indices[0], "last": indices[-1],
                       "ops": dict(stats.ops), "compiles": stats.compiles,
                       "runs": stats.runs, "aot_graphs": aot_graphs,
                       "mismatches": mismatches, "failures": [
                           {k: v for k, v in f.items() if k != "graph"}
                           for f in failures],
                       "signatures": {s: len(fs) for s, fs in by_sig.items()},
                       "seconds": elapsed}, fh, indent=1)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
