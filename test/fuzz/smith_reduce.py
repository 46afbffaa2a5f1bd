#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Reduces a failing kiln-smith graph to a minimal repro.

Usage:
  smith_reduce.py --seed S --index I [--config jit-o2] [--out DIR]
  smith_reduce.py --graph FILE.pkl [--config ...]   (from --save-failures)

The graph is rebuilt from its seed and index (or loaded), run once in the
configuration to learn its failure (its kind and first message line, with
numbers masked), and then shrunk for as long as that failure stays:
outputs dropped, nodes dropped (their users rewired to a same-shaped
operand, or to a new function argument that carries the node's reference
value, so the rest of the graph sees the same numbers), arguments turned
into constants, `?` dims made static, dims shrunk (one dim, or every dim of
one size at once), window attributes reset. Every candidate must pass
smith_graph's shape inference and smith_reference's domain checks, so the
repro stays valid. The result is printed as MLIR with its inputs, and
written to DIR as NAME.mlir, NAME.npz (inputs in0.. and the reference's
outputs want0..) and NAME.py (a standalone script that shows the failure).
"""

import argparse
import os
import pickle
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402

import kiln_smith  # noqa: E402
import smith_gen  # noqa: E402
from smith_graph import Invalid, Node, infer, to_mlir  # noqa: E402
from smith_reference import evaluate  # noqa: E402


class Reducer:
    def __init__(self, config, worker, match_any=False, verbose=True):
        self.config = config
        self.worker = worker
        self.match_any = match_any
        self.verbose = verbose
        self.want = None
        self.tests = 0

    def failures(self, g):
        """The failures of graph g in the configuration (after checking
        that g is valid); None for an invalid graph."""
        try:
            types_ = infer(g)
            vals, errs = evaluate(g, types_)
        except Invalid:
            return None
        ref = ([vals[o] for o in g.outputs], [errs[o] for o in g.outputs])
        stats = kiln_smith.Stats()
        args = types.SimpleNamespace(seed=g.info.get("seed", 0), cc="cc",
                                     workdir=None)
        self.tests += 1
        kiln_smith.run_batch(self.worker, self.config, [(0, g)], {0: ref},
                             args, stats)
        return stats.failures

    def signature(self, fs):
        return sorted({kiln_smith.signature(f) for f in fs})

    def still_fails(self, g):
        fs = self.failures(g)
        if not fs:
            return False
        if self.match_any:
            return True
        return any(s in self.want for s in self.signature(fs))

    # --- transformations ----------------------------------------------------
    @staticmethod
    def dce(g):
        live = set(g.outputs)
        for i in reversed(range(len(g.nodes))):
            vid = g.nargs + i
            if vid in live:
                live.update(g.nodes[i].operands)
        keep = [i for i in range(len(g.nodes)) if g.nargs + i in live]
        remap = {}
        for a in range(g.nargs):
            remap[a] = a
        nodes = []
        for i in keep:
            n = g.nodes[i]
            n.operands = [remap[o] for o in n.operands]
            remap[g.nargs + i] = g.nargs + len(nodes)
            nodes.append(n)
        g.nodes = nodes
        g.outputs = [remap[o] for o in g.outputs]
        for a in reversed(range(g.nargs)):
            if g.nargs > 1 and a not in g.outputs and \
                    all(a not in n.operands for n in g.nodes):
                g.remove_arg(a)
        return g

    @staticmethod
    def replace_uses(g, old, new):
        for n in g.nodes:
            n.operands = [new if o == old else o for o in n.operands]
        g.outputs = [new if o == old else o for o in g.outputs]

    def candidates(self, g):
        """Smaller variants of g, the most promising first."""
        # Fewer outputs.
        if len(g.outputs) > 1:
            for k in range(len(g.outputs)):
                c = g.copy()
                del c.outputs[k]
                yield "drop output %d" % k, self.dce(c)
        types_ = infer(g)
        vals, _ = evaluate(g, types_)
        # Drop nodes, last first.
        for i in reversed(range(len(g.nodes))):
            vid = g.nargs + i
            n = g.nodes[i]
            if n.op == "constant":
                continue
            for o in dict.fromkeys(n.operands):
                if types_[o] == types_[vid]:
                    c = g.copy()
                    self.replace_uses(c, vid, o)
                    yield "bypass node %d (%s)" % (i, n.op), self.dce(c)
            c = g.copy()
            t = types_[vid]
            new = c.insert_arg(t.shape, t.dyn, vals[vid].astype(np.float32))
            self.replace_uses(c, vid + 1, new)
            yield "node %d (%s) -> argument" % (i, n.op), self.dce(c)
        # Arguments -> constants.
        for a in range(g.nargs):
            if g.nargs == 1:
                break
            c = g.copy()
            value = c.inputs[a]
            c.nodes.insert(0, Node("constant", [], {"value": value.copy()}))
            # The constant is node 0: ids of nodes shift by one.
            c.nodes[1:] = [self._shift(n, c.nargs) for n in c.nodes[1:]]
            c.outputs = [o + 1 if o >= c.nargs else o for o in c.outputs]
            const_id = c.nargs
            self.replace_uses(c, a, const_id)
            c.nodes[0].operands = []
            yield "argument %d -> constant" % a, self.dce(c)
        # `?` dims -> static.
        for a, (shape, dyn) in enumerate(g.args):
            for d in range(len(shape)):
                if dyn[d]:
                    c = g.copy()
                    nd = list(dyn)
                    nd[d] = False
                    c.args[a] = (shape, tuple(nd))
                    yield "argument %d dim %d static" % (a, d), c
        # Smaller dims: every dim of one size at once, then one dim.
        sizes = sorted({s for shape, _ in g.args for s in shape} |
                       {s for n in g.nodes if n.op == "constant"
                        for s in n.attrs["value"].shape}, reverse=True)
        for s in sizes:
            for new in self.smaller(s):
                yield "all dims %d -> %d" % (s, new), self.resize_all(g, s, new)
        for a, (shape, _) in enumerate(g.args):
            for d, s in enumerate(shape):
                for new in self.smaller(s):
                    yield "argument %d dim %d -> %d" % (a, d, new), \
                        self.resize(g, a, d, new)
        # Window attributes back to their defaults.
        for i, n in enumerate(g.nodes):
            for key, default in (("strides", [1, 1]), ("dilations", [1, 1]),
                                 ("pads", [0, 0, 0, 0])):
                if key in n.attrs and list(n.attrs[key]) != default:
                    c = g.copy()
                    c.nodes[i].attrs[key] = default
                    yield "node %d %s default" % (i, key), c
            for key in ("ceil_mode", "count_include_pad", "is_causal",
                        "spell_axes", "spell_keepdims"):
                if n.attrs.get(key):
                    c = g.copy()
                    c.nodes[i].attrs[key] = False
                    yield "node %d %s off" % (i, key), c
            for key in ("scale", "epsilon"):
                if key in n.attrs and n.op in ("attention", "layer_norm"):
                    c = g.copy()
                    del c.nodes[i].attrs[key]
                    yield "node %d %s default" % (i, key), c

    @staticmethod
    def _shift(n, nargs):
        n.operands = [o + 1 if o >= nargs else o for o in n.operands]
        return n

    @staticmethod
    def smaller(s):
        out = []
        for v in (1, 2, s // 2, s - 1):
            if 1 <= v < s and v not in out:
                out.append(v)
        return out

    @staticmethod
    def resize(g, a, d, new):
        c = g.copy()
        shape, dyn = c.args[a]
        shape = list(shape)
        shape[d] = new
        c.args[a] = (tuple(shape), dyn)
        idx = [slice(None)] * len(shape)
        idx[d] = slice(0, new)
        c.inputs[a] = np.ascontiguousarray(c.inputs[a][tuple(idx)])
        return c

    @staticmethod
    def resize_all(g, s, new):
        c = g.copy()
        for a, (shape, dyn) in enumerate(c.args):
            idx = tuple(slice(0, new) if x == s else slice(None) for x in shape)
            c.args[a] = (tuple(new if x == s else x for x in shape), dyn)
            c.inputs[a] = np.ascontiguousarray(c.inputs[a][idx])
        for n in c.nodes:
            if n.op == "constant":
                v = n.attrs["value"]
                idx = tuple(slice(0, new) if x == s else slice(None)
                            for x in v.shape)
                n.attrs["value"] = np.ascontiguousarray(v[idx])
            for key in ("shape",):
                if key in n.attrs and n.op == "broadcast_to":
                    n.attrs[key] = [new if x == s else x for x in n.attrs[key]]
        return c

    def reduce(self, g):
        fs = self.failures(g)
        if not fs:
            raise SystemExit("the graph does not fail in %s" % self.config)
        self.want = self.signature(fs)
        self.log("failure: %s" % "; ".join(self.want))
        progress = True
        while progress:
            progress = False
            for what, c in self.candidates(g):
                if self.still_fails(c):
                    self.log("  %-40s -> %d ops, %d args" % (
                        what, len(c.ops()), c.nargs))
                    g = c
                    progress = True
                    break
        return g, fs

    def log(self, msg):
        if self.verbose:
            print(msg, flush=True)


REPRO_PY = '''#!/usr/bin/python3
# A kiln-smith repro: compiles NAME.mlir next to this script (with the
# options below), runs it twice on the inputs in NAME.npz and prints how
# far each output is from the numpy reference stored there. A compile
# error, a crash or a large difference shows the bug.
# Run: PYTHONPATH=build/python_packages /usr/bin/python3 %(py)s
import os
import numpy as np
import kiln

here = os.path.dirname(os.path.abspath(__file__))
name = os.path.splitext(os.path.basename(__file__))[0]
mlir = open(os.path.join(here, name + ".mlir")).read()
data = np.load(os.path.join(here, name + ".npz"))
inputs = [data["in%%d" %% i] for i in range(len(data.files))
          if "in%%d" %% i in data.files]
wants = [data["want%%d" %% i] for i in range(len(data.files))
         if "want%%d" %% i in data.files]
m = kiln.compile(mlir, **%(kw)r)
for attempt in range(2):
    outs = m.run(*inputs)
for i, (got, want) in enumerate(zip(outs, wants)):
    err = np.max(np.abs(got.astype(np.float64) - want)) if want.size else 0.0
    print("output %%d: max |kiln - numpy| = %%.3g (max |numpy| %%.3g)"
          %% (i, err, np.max(np.abs(want)) if want.size else 0.0))
'''


def write_repro(g, out, name, config, what, header=None):
    os.makedirs(out, exist_ok=True)
    base = os.path.join(out, name)
    mlir = to_mlir(g, "model")
    with open(base + ".mlir", "w") as f:
        f.write(header or ("// %s\n// config %s; inputs and numpy outputs "
                           "in %s.npz; run %s.py\n" % (what, config, name,
                                                        name)))
        f.write(mlir)
    vals, _ = evaluate(g)
    np.savez(base + ".npz", **{"in%d" % i: x for i, x in enumerate(g.inputs)},
             **{"want%d" % i: vals[o] for i, o in enumerate(g.outputs)})
    with open(base + ".py", "w") as f:
        f.write(REPRO_PY % {"py": os.path.relpath(base + ".py"),
                            "kw": kiln_smith.CONFIGS[config][0]})
    return base


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int)
    ap.add_argument("--index", type=int)
    ap.add_argument("--graph", help="a .pkl written by --save-failures")
    ap.add_argument("--config", default="jit-o2",
                    choices=sorted(kiln_smith.CONFIGS))
    ap.add_argument("--include-known-bugs", action="store_true")
    ap.add_argument("--any-failure", action="store_true",
                    help="keep any failure, not only the original one")
    ap.add_argument("--out", default="smith-repro")
    ap.add_argument("--name")
    ap.add_argument("--timeout", type=int, default=120)
    args = ap.parse_args(argv)
    if args.graph:
        with open(args.graph, "rb") as f:
            g = pickle.load(f)
    elif args.seed is not None and args.index is not None:
        g = smith_gen.generate(args.seed, args.index,
                               () if args.include_known_bugs else None)
    else:
        ap.error("give --seed and --index, or --graph")
    worker = kiln_smith.Worker(args.timeout)
    try:
        r = Reducer(args.config, worker, args.any_failure)
        small, fs = r.reduce(g)
        final = r.failures(small)
    finally:
        worker.stop()
    name = args.name or "seed%s-g%s-%s" % (g.info.get("seed"),
                                           g.info.get("index"), args.config)
    what = "; ".join(r.want)
    base = write_repro(small, args.out, name, args.config, what)
    print("\n// minimal repro after %d tests (%d ops, was %d):" % (
        r.tests, len(small.ops()), len(g.ops())))
    print(to_mlir(small, "model"))
    np.set_printoptions(precision=8, threshold=64, linewidth=100)
    for i, x in enumerate(small.inputs):
        text = ("np.%r" % x if x.size <= 64 else
                "%s array (%d elements, in %s.npz)" % (x.shape, x.size, base))
        print("// in%d = %s" % (i, text.replace("\n", "\n//   ")))
    for f in final or []:
        print("// %s: %s" % (f["kind"], f["message"][:800]))
    print("// written: %s.{mlir,npz,py}" % base)
    return 0


if __name__ == "__main__":
    sys.exit(main())
