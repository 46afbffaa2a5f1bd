# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The random graph generator of kiln-smith.

generate(seed, index) builds graph `index` of a run deterministically from
numpy's generator seeded with (seed, index), so that any graph can be
rebuilt alone from the two numbers. Every op is checked by smith_graph's
shape inference and evaluated by smith_reference as it is added, so the
generator can keep inputs in safe domains (log/rsqrt/pow on values made
positive first, exp on bounded values, divisors away from 0) and drop an
op that would break a rule. The result is valid by construction.
"""

import math

import numpy as np

from smith_graph import (BINARY, MAX_ELEMENTS, REDUCE, UNARY, Graph,
                         Invalid, Node, Type, broadcast, filter_dims,
                         image_dims, infer, infer_node)
from smith_reference import check_value, eval_node, evaluate

PRIMES = (3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 61, 67)

# Kiln bugs that kiln-smith found and that are not fixed yet: the generator
# leaves out these op/attribute combinations unless told to include them
# (--include-known-bugs), so that the fixed-seed test stays green while each
# bug stays reproducible. name -> its minimal repros in test/fuzz/repros/
# (repros/README.md also lists the bugs found that are fixed already).
KNOWN_BUGS = {}

# Inputs Kiln rejects on purpose, with a diagnostic that says why; not
# bugs, never generated.
KNOWN_LIMITATIONS = {
    # "cannot lower kiln.pool2d: ceil_mode needs static spatial dims"
    "pool2d_ceil_mode_dynamic_spatial",
}


def known_bug(node, ins, producers):
    """The KNOWN_BUGS or KNOWN_LIMITATIONS entry that a node would hit (ins:
    the operands' Types, producers: the operands' Nodes, None for
    arguments), or None."""
    op, a = node.op, node.attrs
    if op == "pool2d" and a["ceil_mode"]:
        h, w = image_dims(a["layout"])[2:]
        if ins[0].dyn[h] or ins[0].dyn[w]:
            return "pool2d_ceil_mode_dynamic_spatial"
    return None


OP_WEIGHTS = {
    "binary": 14, "unary": 12, "matmul": 7, "linear": 5, "conv2d": 7,
    "pool2d": 4, "global_avg_pool": 2, "reduce": 7, "softmax": 4,
    "log_softmax": 2, "layer_norm": 4, "batch_norm": 2, "reshape": 5,
    "transpose": 4, "concat": 4, "slice": 4, "pad": 3, "broadcast_to": 3,
    "attention": 4, "outer": 1, "gather": 2, "select": 2,
}


class _Value:
    __slots__ = ("kind", "type", "val", "err", "node", "input")

    def __init__(self, kind, type_, val, err, node=None, input_=None):
        self.kind, self.type, self.val, self.err = kind, type_, val, err
        self.node, self.input = node, input_


class Retry(Exception):
    pass


class Builder:
    def __init__(self, rng, avoid=()):
        self.r = rng
        self.avoid = set(avoid)
        self.values = []
        self.bugs = set()  # known bugs the graph includes
        self.dyn_rate = 0.0 if rng.random() < 0.45 else float(
            rng.choice([0.25, 0.5]))

    # --- random sizes -----------------------------------------------------
    def coin(self, p):
        return bool(self.r.random() < p)

    def choice(self, seq):
        return seq[int(self.r.integers(len(seq)))]

    def dim(self, hi=40):
        r = self.r.random()
        if hi >= 64 and r < 0.06:
            # Beyond the register tiles and a K block: 65..300.
            return int(self.r.integers(65, max(hi, 66) + 1))
        if r < 0.12:
            d = 1
        elif r < 0.47:
            d = int(self.r.integers(2, 9))
        elif r < 0.77:
            d = self.choice(PRIMES)
        else:
            d = int(self.r.integers(9, max(hi, 10) + 1))
        return max(1, min(d, hi))

    def shape(self, rank, budget=4096, hi=40):
        shape = [self.dim(hi) for _ in range(rank)]
        while int(np.prod(shape, dtype=np.int64)) > budget:
            i = int(np.argmax(shape))
            shape[i] = max(1, shape[i] // 2)
        return shape

    def dyns(self, shape, rate=None):
        rate = self.dyn_rate if rate is None else rate
        return [self.coin(rate) for _ in shape]

    # --- values -----------------------------------------------------------
    def nargs(self):
        return sum(v.kind == "arg" for v in self.values)

    def new_arg(self, shape, dyn=None):
        if self.nargs() >= 3:
            return self.new_const(shape)
        dyn = dyn if dyn is not None else self.dyns(shape)
        scale = self.choice([1.0, 1.0, 1.0, 3.0, 0.25])
        x = self.r.uniform(-scale, scale, shape).astype(np.float32)
        t = Type(shape, dyn)
        if t.size > MAX_ELEMENTS:
            raise Retry()
        self.values.append(_Value("arg", t, x.astype(np.float64),
                                  np.zeros(x.shape), input_=x))
        return len(self.values) - 1

    def new_const(self, shape, lo=-1.0, hi=1.0, dtype=np.float32, value=None):
        if value is None:
            value = self.r.uniform(lo, hi, shape).astype(dtype)
        return self.emit("constant", [], {"value": np.asarray(value)})

    def new_input(self, shape, dyn=None, p_arg=0.5, lo=-1.0, hi=1.0):
        if self.nargs() < 3 and self.coin(p_arg):
            return self.new_arg(shape, dyn)
        return self.new_const(shape, lo, hi)

    def emit(self, op, operands, attrs=None):
        node = Node(op, operands, attrs)
        ins = [self.values[o] for o in operands]
        bug = known_bug(node, [v.type for v in ins],
                        [v.node if v.kind == "node" else None for v in ins])
        if bug and (bug in self.avoid or bug in KNOWN_LIMITATIONS):
            raise Retry()
        if bug:
            self.bugs.add(bug)
        t = infer_node(node, [v.type for v in ins])
        if t.size > MAX_ELEMENTS or t.size == 0:
            raise Invalid("too large")
        val, err = eval_node(node, [v.val for v in ins], [v.err for v in ins],
                             [v.type for v in ins], t)
        check_value(node, val, err, t)
        err = np.broadcast_to(err, val.shape).astype(np.float64)
        self.values.append(_Value("node", t, val, err, node=node))
        return len(self.values) - 1

    def t(self, v):
        return self.values[v].type

    def f32_values(self, pred=lambda t: True):
        return [i for i, v in enumerate(self.values)
                if v.type.dtype == "f32" and pred(v.type) and
                not (v.kind == "node" and v.node.op == "constant" and
                     v.type.rank == 0)]

    def pick(self, pred=lambda t: True):
        cands = self.f32_values(pred)
        if not cands:
            raise Retry()
        if cands[-1] == len(self.values) - 1 or self.coin(0.5):
            # Prefer the newest values: chains rather than fans.
            recent = cands[-3:]
            if self.coin(0.6):
                return recent[-1]
            return self.choice(recent)
        return self.choice(cands)

    def num_ops(self):
        return sum(v.kind == "node" and v.node.op != "constant"
                   for v in self.values)

    # --- domain helpers -----------------------------------------------------
    def positive(self, x, lo=0.25):
        v = self.values[x]
        if v.val.size and np.min(v.val - v.err) >= lo and self.coin(0.7):
            return x
        if self.coin(0.25):
            x = self.bounded(x, 2.0)
            return self.emit("exp", [x])
        y = self.emit(self.choice(["abs", "abs", "relu"]), [x])
        c = self.choice([0.25, 0.5, 1.0])
        cshape = [] if self.coin(0.7) else [1] * self.t(y).rank
        k = self.new_const(cshape, value=np.full(cshape, c, np.float32))
        return self.emit("add", [y, k] if self.coin(0.5) else [k, y])

    def bounded(self, x, lim):
        v = self.values[x]
        if v.val.size == 0 or np.max(np.abs(v.val) + v.err) <= lim:
            return x
        if self.coin(0.5):
            return self.emit("clamp", [x], {"min": -float(lim),
                                            "max": float(lim)})
        y = self.emit("tanh", [x])
        k = self.new_const([], value=np.float32(lim))
        return self.emit("mul", [y, k])

    # --- broadcasting partners --------------------------------------------
    def broadcast_variant(self, t):
        shape, dyn = list(t.shape), list(t.dyn)
        modes = [self.choice(["same", "suffix", "ones", "prepend", "outer",
                              "scalar", "ones", "suffix"])
                 for _ in range(1 + int(self.coin(0.3)))]
        for mode in modes:
            if mode == "suffix" and shape:
                k = int(self.r.integers(1, len(shape) + 1))
                shape, dyn = shape[k:], dyn[k:]
            elif mode == "ones" and shape:
                for i in range(len(shape)):
                    if self.coin(0.5):
                        shape[i], dyn[i] = 1, False
            elif mode == "prepend" and len(shape) < 5:
                for _ in range(int(self.r.integers(1, 3))):
                    shape.insert(0, self.dim(6))
                    dyn.insert(0, self.coin(self.dyn_rate))
            elif mode == "outer":
                off = len(shape) - t.rank
                for i in range(len(shape)):
                    j = i - off
                    if 0 <= j < t.rank and t.shape[j] == 1 and not t.dyn[j]:
                        shape[i] = self.dim(12)
                        dyn[i] = self.coin(self.dyn_rate / 2)
            elif mode == "scalar":
                shape, dyn = ([], []) if self.coin(0.5) else ([1], [False])
        # A dim the partner shares with t may be `?` only when it is not a
        # size-1 dim broadcast against a bigger one.
        off = len(shape) - t.rank
        for i in range(len(shape)):
            j = i - off
            if shape[i] == 1 and (j < 0 or t.shape[j] != 1):
                dyn[i] = False
            elif 0 <= j < t.rank and shape[i] == t.shape[j] and t.dyn[j]:
                dyn[i] = self.coin(0.6)
        return shape, dyn

    def partner(self, x, p_existing=0.35):
        t = self.t(x)
        if self.coin(p_existing):
            cands = []
            for v in self.f32_values():
                try:
                    s, _ = broadcast([t, self.t(v)])
                except Invalid:
                    continue
                if int(np.prod(s, dtype=np.int64)) <= MAX_ELEMENTS:
                    cands.append(v)
            if cands:
                return self.choice(cands)
        for _ in range(4):
            shape, dyn = self.broadcast_variant(t)
            try:
                s, _ = broadcast([t, Type(shape, dyn)])
            except Invalid:
                continue
            if int(np.prod(s, dtype=np.int64)) <= MAX_ELEMENTS:
                return self.new_input(shape, dyn)
        raise Retry()

    # --- ops ----------------------------------------------------------------
    def op_binary(self):
        op = self.choice(BINARY)
        x = self.pick()
        y = self.partner(x)
        if op == "div":
            if self.coin(0.5):
                x, y = y, x
            y = self.positive(y)
            if self.coin(0.3):
                y = self.emit("neg", [y])
            return self.emit("div", [x, y])
        if op == "pow":
            if self.coin(0.5):
                x, y = y, x
            x = self.positive(self.bounded(x, 3.0))
            y = self.bounded(y, 2.0)
            return self.emit("pow", [x, y])
        if self.coin(0.5):
            x, y = y, x
        return self.emit(op, [x, y])

    def op_unary(self):
        op = self.choice(UNARY)
        x = self.pick()
        attrs = {}
        if op == "exp":
            x = self.bounded(x, 5.0)
        elif op in ("log", "rsqrt"):
            x = self.positive(x)
        elif op == "sqrt":
            if self.coin(0.5):
                x = self.emit(self.choice(["abs", "relu"]), [x])
            else:
                x = self.positive(x, 0.0)
        elif op == "clamp":
            lo = self.choice([-2.0, -1.0, -0.5, 0.0, 0.25])
            attrs = {"min": lo, "max": lo + self.choice([0.0, 0.5, 1.0, 6.0])}
        elif op == "gelu" and self.coin(0.5):
            attrs = {"approximation": "tanh"}
        return self.emit(op, [x], attrs)

    def op_select(self):
        x = self.pick()
        y = self.partner(x)
        cshape, _ = self.broadcast_variant(self.t(x))
        c = self.new_const(cshape, value=self.r.random(cshape) < 0.5)
        ops = [c, x, y] if self.coin(0.5) else [c, y, x]
        return self.emit("select", ops)

    def batch_variant(self, lead, lead_dyn):
        """Batch dims that broadcast against `lead` (matmul)."""
        t = Type(lead, lead_dyn)
        if not lead:
            if self.coin(0.3):
                shape = [self.dim(4) for _ in range(int(self.r.integers(1, 3)))]
                return shape, [False] * len(shape)
            return [], []
        if self.coin(0.4):
            return list(lead), [d and self.coin(0.6) for d in lead_dyn]
        shape, dyn = self.broadcast_variant(t)
        broadcast([t, Type(shape, dyn)])
        return shape, dyn

    def op_matmul(self):
        x = self.pick(lambda t: t.rank >= 2)
        t = self.t(x)
        tl, tr = self.coin(0.25), self.coin(0.25)
        if self.coin(0.1):
            # x times its own transpose.
            return self.emit("matmul", [x, x], {"transpose_rhs": True})
        as_lhs = self.coin(0.7)
        if as_lhs:
            kax = -2 if tl else -1
        else:
            kax = -1 if tr else -2
        k, kdyn = t.shape[kax], t.dyn[kax]
        n = self.dim(300)
        bshape, bdyn = self.batch_variant(t.shape[:-2], t.dyn[:-2])
        if as_lhs:
            mat = [n, k] if tr else [k, n]
            mdyn = [self.coin(self.dyn_rate), kdyn and self.coin(0.6)]
            if not tr:
                mdyn.reverse()
        else:
            mat = [k, n] if tl else [n, k]
            mdyn = [kdyn and self.coin(0.6), self.coin(self.dyn_rate)]
            if not tl:
                mdyn.reverse()
        shape, dyn = bshape + mat, bdyn + mdyn
        scale = 1.0 / math.sqrt(k)
        y = self.new_input(shape, dyn, lo=-scale, hi=scale)
        attrs = {}
        if tl:
            attrs["transpose_lhs"] = True
        if tr:
            attrs["transpose_rhs"] = True
        return self.emit("matmul", [x, y] if as_lhs else [y, x], attrs)

    def op_linear(self):
        x = self.pick(lambda t: t.rank >= 1)
        k = self.t(x).shape[-1]
        n = self.dim(300)
        s = 1.0 / math.sqrt(k)
        w = self.new_input([n, k], [False, False], p_arg=0.25, lo=-s, hi=s)
        ops = [x, w]
        if self.coin(0.6):
            ops.append(self.new_input([n], [False], p_arg=0.25))
        return self.emit("linear", ops)

    def op_outer(self):
        x = self.pick(lambda t: t.rank == 1)
        y = self.new_input([self.dim(48)], None)
        return self.emit("outer", [x, y] if self.coin(0.5) else [y, x])

    def op_conv2d(self):
        x = self.pick(lambda t: t.rank == 4)
        t = self.t(x)
        lay = self.choice(["nchw", "nhwc"])
        n, c, h, w = (t.shape[i] for i in image_dims(lay))
        mode = self.choice(["regular"] * 3 + ["depthwise", "grouped"])
        if mode == "depthwise":
            g = c
            f = c * self.choice([1, 1, 2])
        elif mode == "grouped":
            divs = [d for d in range(2, c + 1) if c % d == 0]
            if not divs:
                g = 1
            else:
                g = self.choice(divs)
            f = g * int(self.r.integers(1, 5))
        else:
            g, f = 1, self.dim(32)
        for _ in range(6):
            kh = self.choice([1, 1, 2, 3, 3, 3, 5, 7])
            kw = kh if self.coin(0.7) else self.choice([1, 2, 3, 5])
            s = [self.choice([1, 1, 1, 2, 3]) for _ in range(2)]
            d = [self.choice([1, 1, 1, 1, 2, 3]) for _ in range(2)]
            p = [self.choice([0, 0, 1, 1, 2, 3]) for _ in range(4)]
            if self.coin(0.5):
                p = [p[0], p[1], p[0], p[1]]
            oh = (h + p[0] + p[2] - d[0] * (kh - 1) - 1) // s[0] + 1
            ow = (w + p[1] + p[3] - d[1] * (kw - 1) - 1) // s[1] + 1
            if oh >= 1 and ow >= 1 and n * f * oh * ow <= 20000:
                break
        else:
            raise Retry()
        fan = (c // g) * kh * kw
        fshape = [0] * 4
        for i, size in zip(filter_dims(lay), (f, c // g, kh, kw)):
            fshape[i] = size
        sc = 1.0 / math.sqrt(fan)
        wv = self.new_input(fshape, [False] * 4, p_arg=0.3, lo=-sc, hi=sc)
        ops = [x, wv]
        if self.coin(0.5):
            ops.append(self.new_input([f], [False], p_arg=0.2))
        return self.emit("conv2d", ops, {
            "strides": s, "dilations": d, "pads": p, "groups": g,
            "layout": lay})

    def op_pool2d(self):
        x = self.pick(lambda t: t.rank == 4)
        lay = self.choice(["nchw", "nhwc"])
        kind = self.choice(["max", "avg"])
        k = [self.choice([1, 2, 2, 3, 3, 4, 5]) for _ in range(2)]
        if self.coin(0.5):
            k[1] = k[0]
        s = [self.choice([1, 1, 2, 2, 3]) for _ in range(2)]
        d = [self.choice([1, 1, 1, 2]) for _ in range(2)]
        p = []
        for i in range(4):
            ext = d[i % 2] * (k[i % 2] - 1) + 1
            p.append(min(self.choice([0, 0, 1, 1, 2]), ext - 1))
        attrs = {"kind": kind, "kernel": k, "strides": s, "dilations": d,
                 "pads": p, "ceil_mode": self.coin(0.3), "layout": lay}
        if kind == "avg" and self.coin(0.5):
            attrs["count_include_pad"] = True
        return self.emit("pool2d", [x], attrs)

    def op_global_avg_pool(self):
        x = self.pick(lambda t: t.rank == 4)
        return self.emit("global_avg_pool", [x],
                         {"layout": self.choice(["nchw", "nhwc"])})

    def op_reduce(self):
        op = self.choice(REDUCE)
        x = self.pick(lambda t: t.rank >= 1)
        t = self.t(x)
        k = int(self.r.integers(0, t.rank + 1))
        axes = sorted(self.r.permutation(t.rank)[:k].tolist())
        if k == t.rank and self.coin(0.5):
            axes = []
        axes = [a - t.rank if self.coin(0.4) else a for a in axes]
        if self.coin(0.5):
            axes.reverse()
        count = int(np.prod([t.shape[a] for a in axes] if axes else t.shape))
        if op == "reduce_prod":
            if count > 16:
                raise Retry()
            x = self.bounded(x, 1.3)
        attrs = {"axes": axes, "keepdims": self.coin(0.5),
                 "spell_axes": self.coin(0.3), "spell_keepdims": self.coin(0.3)}
        return self.emit(op, [x], attrs)

    def op_softmax(self, op="softmax"):
        x = self.pick(lambda t: t.rank >= 1)
        rank = self.t(x).rank
        attrs = {}
        if self.coin(0.6):
            ax = int(self.r.integers(0, rank))
            attrs["axis"] = ax - rank if self.coin(0.4) else ax
        return self.emit(op, [x], attrs)

    def op_log_softmax(self):
        return self.op_softmax("log_softmax")

    def op_layer_norm(self):
        x = self.pick(lambda t: t.rank >= 1)
        t = self.t(x)
        attrs = {"has_scale": self.coin(0.6), "has_bias": self.coin(0.5)}
        ax = -1
        if self.coin(0.5):
            ax = int(self.r.integers(0, t.rank))
            if self.coin(0.4):
                ax -= t.rank
            attrs["axis"] = ax
        if self.coin(0.4):
            attrs["epsilon"] = self.choice([1e-3, 1e-6, 1e-5, 0.0])
        if attrs.get("epsilon") == 0.0:
            attrs["epsilon"] = 1e-3
        pshape = list(t.shape[ax % t.rank:])
        ops = [x]
        if attrs["has_scale"]:
            ops.append(self.new_input(pshape, [False] * len(pshape),
                                      p_arg=0.2, lo=0.5, hi=1.5))
        if attrs["has_bias"]:
            ops.append(self.new_input(pshape, [False] * len(pshape), p_arg=0.2))
        return self.emit("layer_norm", ops, attrs)

    def op_batch_norm(self):
        x = self.pick(lambda t: t.rank >= 2)
        t = self.t(x)
        attrs = {"epsilon": self.choice([1e-5, 1e-3])}
        ax = 1
        if self.coin(0.4):
            ax = -1
            attrs["axis"] = -1
        elif self.coin(0.3):
            attrs["axis"] = 1
        c = t.shape[ax]
        ops = [x, self.new_const([c], 0.5, 1.5), self.new_const([c]),
               self.new_const([c]), self.new_const([c], 0.25, 2.0)]
        return self.emit("batch_norm", ops, attrs)

    def op_reshape(self):
        x = self.pick()
        t = self.t(x)
        total = t.size
        factors = []
        m, p = total, 2
        while m > 1:
            while m % p == 0:
                factors.append(p)
                m //= p
            p += 1
        rank = int(self.r.integers(max(1, min(len(factors), 1)), 5))
        if total == 1 and self.coin(0.3):
            rank = 0
        dims = [1] * rank
        for f in factors:
            if rank == 0:
                raise Retry()
            dims[int(self.r.integers(rank))] *= f
        spec = list(dims)
        for i in range(min(rank, t.rank)):
            if spec[i] == t.shape[i] and self.coin(0.5):
                spec[i] = 0
        if rank and self.coin(0.5):
            spec[int(self.r.integers(rank))] = -1
        return self.emit("reshape", [x], {"shape": spec})

    def op_transpose(self):
        x = self.pick(lambda t: t.rank >= 2)
        perm = self.r.permutation(self.t(x).rank).tolist()
        return self.emit("transpose", [x], {"perm": perm})

    def op_concat(self):
        x = self.pick(lambda t: t.rank >= 1)
        t = self.t(x)
        ax = int(self.r.integers(0, t.rank))
        ops = [x]
        for _ in range(int(self.r.integers(1, 4))):
            r = self.r.random()
            if r < 0.2:
                ops.append(x)
                continue
            if r < 0.4:
                cands = [v for v in self.f32_values(
                    lambda u: u.rank == t.rank and all(
                        u.shape[i] == t.shape[i] for i in range(t.rank)
                        if i != ax))]
                if cands:
                    ops.append(self.choice(cands))
                    continue
            shape, dyn = list(t.shape), [d and self.coin(0.6) for d in t.dyn]
            shape[ax] = self.dim(20)
            dyn[ax] = self.coin(self.dyn_rate)
            ops.append(self.new_input(shape, dyn))
        if self.coin(0.3):
            self.r.shuffle(ops)
        return self.emit("concat", ops,
                         {"axis": ax - t.rank if self.coin(0.4) else ax})

    def op_slice(self):
        x = self.pick(lambda t: t.rank >= 1)
        t = self.t(x)
        st, en, sp = [], [], []
        for n in t.shape:
            if self.coin(0.35):
                st.append(0)
                en.append(self.choice([INT64_MAX_, n]))
                sp.append(1)
                continue
            for _ in range(10):
                step = self.choice([1, 1, 1, 2, 3])
                s = self.choice([int(self.r.integers(0, n)),
                                 -int(self.r.integers(1, n + 1)), -n - 3, 0])
                e = self.choice([INT64_MAX_, n, n + 7,
                                 int(self.r.integers(0, n + 1)),
                                 -int(self.r.integers(1, n + 1))])
                if len(range(*slice(s, e, step).indices(n))) >= 1:
                    break
            else:
                s, e, step = 0, INT64_MAX_, 1
            st.append(s)
            en.append(e)
            sp.append(step)
        return self.emit("slice", [x], {"starts": st, "ends": en, "steps": sp})

    def op_pad(self):
        x = self.pick(lambda t: t.rank >= 1)
        rank = self.t(x).rank
        lo = [self.choice([0, 0, 1, 2, 3]) for _ in range(rank)]
        hi = [self.choice([0, 0, 1, 2, 3]) for _ in range(rank)]
        return self.emit("pad", [x], {"low": lo, "high": hi,
                                      "value": self.choice([0.0, 1.0, -1.5,
                                                            0.25])})

    def op_broadcast_to(self):
        x = self.pick()
        t = self.t(x)
        tgt = []
        for n, dy in zip(t.shape, t.dyn):
            if n == 1 and not dy:
                tgt.append(self.choice([1, self.dim(12)]))
            else:
                tgt.append(self.choice([1, n]))
        for _ in range(int(self.r.integers(0, 3)) if t.rank < 4 else 0):
            tgt.insert(0, self.dim(5))
        if not tgt:
            tgt = [self.dim(8)]
        return self.emit("broadcast_to", [x], {"shape": tgt})

    def op_attention(self):
        q = self.pick(lambda t: t.rank >= 2)
        t = self.t(q)
        lead, lq, d = list(t.shape[:-2]), t.shape[-2], t.shape[-1]
        attrs = {}
        if self.coin(0.2):
            k = v = q
            lk = lq
        else:
            lk, dv = self.dim(24), self.dim(32)
            ldyn = [dy and self.coin(0.6) for dy in t.dyn[:-2]]
            ld = self.coin(self.dyn_rate)
            k = self.new_input(lead + [lk, d], ldyn + [ld, t.dyn[-1] and
                                                       self.coin(0.6)])
            v = self.new_input(lead + [lk, dv], ldyn + [ld and self.coin(0.6),
                                                        self.coin(self.dyn_rate)])
        if lq == lk and self.coin(0.3):
            attrs["is_causal"] = True
        if self.coin(0.4):
            attrs["scale"] = self.choice([0.5, 0.125, 1.0, 0.3])
        ops = [q, k, v]
        r = self.r.random()
        if r < 0.5:
            opts = [[lq, lk], [lk], [1, lk], [lq, 1]]
            if lead:
                opts.append(lead + [lq, lk])
                opts.append([1] * len(lead) + [1, lk])
            mshape = self.choice(opts)
            if r < 0.25:
                ops.append(self.new_input(mshape, [False] * len(mshape),
                                          p_arg=0.3, lo=-3.0, hi=0.0))
            else:
                m = self.r.random(mshape) < 0.6
                m[..., 0] = True
                ops.append(self.new_const(mshape, value=m))
        return self.emit("attention", ops, attrs)

    def op_gather(self):
        x = self.pick(lambda t: t.rank >= 1)
        t = self.t(x)
        ax = int(self.r.integers(0, t.rank))
        n = t.shape[ax]
        ishape = [self.dim(6) for _ in range(int(self.r.integers(0, 3)))]
        idx = self.r.integers(-n, n, ishape).astype(np.int64)
        i = self.new_const(ishape, value=idx)
        return self.emit("gather", [x, i],
                         {"axis": ax - t.rank if self.coin(0.3) else ax})

    # --- arguments and graphs ---------------------------------------------
    def first_arg(self, theme):
        if theme == "cnn":
            n = self.choice([1, 1, 2, 3])
            c = self.choice([1, 2, 3, 4, 5, 7, 8, 12, 16])
            h = self.dim(24)
            w = h if self.coin(0.5) else self.dim(24)
            shape = [n, c, h, w] if self.coin(0.5) else [n, h, w, c]
            while np.prod(shape) > 6000:
                i = int(np.argmax(shape))
                shape[i] = max(1, shape[i] // 2)
        elif theme == "seq":
            shape = [self.choice([1, 2, 3]), self.dim(24), self.dim(64)]
            if self.coin(0.3):
                shape.insert(1, self.choice([1, 2, 4]))
        elif theme == "matrix":
            shape = self.shape(2, 8192, 300)
        else:
            shape = self.shape(int(self.r.integers(0, 5)), 4096)
        dyn = self.dyns(shape)
        if theme in ("cnn", "seq") and self.coin(self.dyn_rate * 1.5):
            dyn[0] = True
        return self.new_arg(shape, dyn)


INT64_MAX_ = 9223372036854775807


def generate(seed, index, avoid=None, max_ops=8):
    """Graph `index` of the run with `seed` (deterministic)."""
    avoid = set(KNOWN_BUGS) if avoid is None else set(avoid)
    rng = np.random.default_rng([int(seed), int(index)])
    while True:
        b = Builder(rng, avoid)
        theme = b.choice(["cnn", "cnn", "seq", "matrix", "generic", "generic"])
        b.first_arg(theme)
        if b.coin(0.25):
            b.new_arg(b.shape(int(b.r.integers(1, 4)), 2048))
        target = int(rng.integers(2, max_ops + 1))
        ops = [o for o in OP_WEIGHTS if o not in avoid]
        weights = np.array([OP_WEIGHTS[o] for o in ops], float)
        weights /= weights.sum()
        attempts = 0
        while b.num_ops() < target and attempts < 80:
            attempts += 1
            kind = ops[int(rng.choice(len(ops), p=weights))]
            mark = len(b.values)
            try:
                getattr(b, "op_" + kind)()
            except (Invalid, Retry):
                del b.values[mark:]
        if b.num_ops() < 1:
            continue
        g = finish(b, rng)
        g.info = {"seed": int(seed), "index": int(index), "theme": theme,
                  "known_bugs": sorted(b.bugs)}
        types = infer(g)
        evaluate(g, types)  # must not raise: every node was checked
        return g


def finish(b, rng):
    """The Graph of a builder: arguments first, then nodes in order; the
    outputs are the leaves (plus, rarely, an argument or a repeat)."""
    ids = {}
    g = Graph()
    for i, v in enumerate(b.values):
        if v.kind == "arg":
            ids[i] = g.add_arg(v.type.shape, v.type.dyn, v.input)
    nodes = []
    for i, v in enumerate(b.values):
        if v.kind == "node":
            ids[i] = g.nargs + len(nodes)
            n = v.node.copy()
            n.operands = [ids[o] for o in n.operands]
            nodes.append(n)
    g.nodes = nodes
    used = set()
    for n in g.nodes:
        used.update(n.operands)
    leaves = [ids[i] for i, v in enumerate(b.values)
              if v.kind == "node" and v.node.op != "constant" and
              v.type.dtype == "f32" and ids[i] not in used]
    last = leaves[-1:]
    others = leaves[:-1]
    rng.shuffle(others)
    outs = others[:2] + last
    if rng.random() < 0.05:
        outs.insert(int(rng.integers(len(outs) + 1)), int(rng.integers(g.nargs)))
    if rng.random() < 0.05:
        outs.append(outs[int(rng.integers(len(outs)))])
    g.outputs = outs
    return g
