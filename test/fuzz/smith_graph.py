# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The graph representation of kiln-smith: a small list of kiln-dialect ops
over 1-3 f32 function arguments, with its own shape inference (and the
validity rules the generator and the reducer must respect) and its MLIR
printer.

A Graph holds:
  args     [(shape, dyn)]: the concrete shape of each argument and, per dim,
           whether its MLIR type spells it `?`;
  inputs   [np.ndarray float32]: the concrete argument values;
  nodes    [Node(op, operands, attrs)]: value ids 0..len(args)-1 are the
           arguments, len(args)+i is node i;
  outputs  [value id]: what the function returns.

infer(graph) gives every value's Type (concrete shape, per-dim `?` flags,
element type) or raises Invalid when an op's operands, attributes or
dynamic dims break the documented rules (docs/reference/KilnDialect.md).
Nothing here calls Kiln.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "e2e"))
from e2e_lib import ttype as _e2e_ttype  # noqa: E402

INT64_MAX = 9223372036854775807
# The largest tensor a graph may hold; keeps thousands of graphs quick.
MAX_ELEMENTS = 50000

UNARY = ("abs", "neg", "relu", "exp", "log", "sqrt", "rsqrt", "tanh",
         "sigmoid", "erf", "gelu", "clamp")
BINARY = ("add", "sub", "mul", "div", "max", "min", "pow")
REDUCE = ("reduce_sum", "reduce_mean", "reduce_max", "reduce_min",
          "reduce_prod")

NP_DTYPES = {"f32": np.float32, "i1": np.bool_, "i64": np.int64}


class Invalid(Exception):
    """The graph breaks a rule of the dialect (or of kiln-smith's domain
    restrictions); generators and reducers discard it."""


class Type:
    __slots__ = ("shape", "dyn", "dtype")

    def __init__(self, shape, dyn=None, dtype="f32"):
        self.shape = tuple(int(d) for d in shape)
        self.dyn = tuple(bool(d) for d in (dyn or (False,) * len(self.shape)))
        assert len(self.dyn) == len(self.shape)
        self.dtype = dtype

    @property
    def rank(self):
        return len(self.shape)

    @property
    def size(self):
        return int(np.prod(self.shape, dtype=np.int64))

    def mlir(self):
        return _e2e_ttype(self.shape, NP_DTYPES[self.dtype],
                          [i for i, d in enumerate(self.dyn) if d])

    def __repr__(self):
        return self.mlir()

    def __eq__(self, other):
        return (self.shape, self.dyn, self.dtype) == \
            (other.shape, other.dyn, other.dtype)

    def __hash__(self):
        return hash((self.shape, self.dyn, self.dtype))


class Node:
    __slots__ = ("op", "operands", "attrs")

    def __init__(self, op, operands, attrs=None):
        self.op = op
        self.operands = list(operands)
        self.attrs = dict(attrs or {})

    def copy(self):
        attrs = {k: (v.copy() if isinstance(v, np.ndarray) else v)
                 for k, v in self.attrs.items()}
        return Node(self.op, self.operands, attrs)

    def __repr__(self):
        attrs = {k: v for k, v in self.attrs.items() if k != "value"}
        return "Node(%s, %s, %s)" % (self.op, self.operands, attrs)


class Graph:
    def __init__(self):
        self.args = []
        self.inputs = []
        self.nodes = []
        self.outputs = []
        self.info = {}  # seed, index, theme: for reports only

    @property
    def nargs(self):
        return len(self.args)

    def num_values(self):
        return len(self.args) + len(self.nodes)

    def node(self, vid):
        return self.nodes[vid - len(self.args)]

    def copy(self):
        g = Graph()
        g.args = [(tuple(s), tuple(d)) for s, d in self.args]
        g.inputs = [x.copy() for x in self.inputs]
        g.nodes = [n.copy() for n in self.nodes]
        g.outputs = list(self.outputs)
        g.info = dict(self.info)
        return g

    def add_arg(self, shape, dyn, value):
        """Appends an argument; ids of nodes shift, so only the generator
        calls this before any node exists, or through insert_arg."""
        assert not self.nodes
        self.args.append((tuple(shape), tuple(dyn)))
        self.inputs.append(np.array(value, np.float32, order="C"))
        return len(self.args) - 1

    def insert_arg(self, shape, dyn, value):
        """Adds an argument at the end of the argument list, renumbering
        node ids. Returns the new argument's id."""
        n = len(self.args)
        self._renumber(lambda v: v + 1 if v >= n else v)
        self.args.append((tuple(shape), tuple(dyn)))
        self.inputs.append(np.array(value, np.float32, order="C"))
        return n

    def remove_arg(self, a):
        """Removes argument a, which must be unused."""
        assert all(a not in n.operands for n in self.nodes)
        assert a not in self.outputs
        del self.args[a]
        del self.inputs[a]
        self._renumber(lambda v: v - 1 if v > a else v)

    def _renumber(self, f):
        for n in self.nodes:
            n.operands = [f(v) for v in n.operands]
        self.outputs = [f(v) for v in self.outputs]

    def users(self, vid):
        return [i for i, n in enumerate(self.nodes) if vid in n.operands]

    def ops(self):
        return [n.op for n in self.nodes if n.op != "constant"]


# --- shape helpers -----------------------------------------------------------

def broadcast(types):
    """numpy broadcasting of concrete shapes plus kiln's rule for `?` dims:
    a dim broadcast from 1 must be a static 1 (a dynamic dim never
    broadcasts at run time). The result dim is static when some operand
    has it static and != 1 (or all operands have it static)."""
    rank = max(t.rank for t in types)
    shape, dyn = [], []
    for i in range(rank):
        dims = []
        for t in types:
            j = i - (rank - t.rank)
            if j >= 0:
                dims.append((t.shape[j], t.dyn[j]))
        size = max(d for d, _ in dims)
        for d, dy in dims:
            if d != size and d != 1:
                raise Invalid("operands are not broadcast-compatible")
            if d != size and dy:
                raise Invalid("a dynamic dim of size 1 would broadcast")
        static_big = any(not dy and d == size and d != 1 for d, dy in dims)
        all_static = all(not dy for _, dy in dims)
        shape.append(size)
        dyn.append(not (static_big or all_static))
    return shape, dyn


def norm_axis(axis, rank):
    if not -rank <= axis < rank:
        raise Invalid("axis %d out of range for rank %d" % (axis, rank))
    return axis % rank


def slice_len(n, start, end, step):
    return len(range(*slice(start, end, step).indices(n)))


def window_out(size, k, stride, dil, lo, hi, ceil=False):
    span = size + lo + hi - dil * (k - 1) - 1
    if span < 0:
        return 0
    if not ceil:
        return span // stride + 1
    o = -(-span // stride) + 1
    if (o - 1) * stride >= size + lo:
        o -= 1
    return o


def image_dims(layout):
    """(n, c, h, w) axes of a rank-4 image in the layout."""
    return (0, 1, 2, 3) if layout == "nchw" else (0, 3, 1, 2)


def filter_dims(layout):
    """(f, c/g, kh, kw) axes of a conv filter in the layout."""
    return (0, 1, 2, 3) if layout == "nchw" else (3, 2, 0, 1)


def image_type(layout, dims, dyns):
    """A rank-4 Type from (n, c, h, w) sizes and `?` flags."""
    ax = image_dims(layout)
    shape, dyn = [0] * 4, [False] * 4
    for i, a in enumerate(ax):
        shape[a], dyn[a] = dims[i], dyns[i]
    return Type(shape, dyn)


def reshape_result(t, spec):
    """The result Type of kiln.reshape (-1 inferred, 0 copies the dim)."""
    total = t.size
    shape, dyn, infer_at = [], [], None
    for i, s in enumerate(spec):
        if s == -1:
            if infer_at is not None:
                raise Invalid("reshape: two -1 entries")
            infer_at = i
            shape.append(-1)
            dyn.append(any(t.dyn))
        elif s == 0:
            if i >= t.rank:
                raise Invalid("reshape: 0 beyond the input rank")
            shape.append(t.shape[i])
            dyn.append(t.dyn[i])
        elif s > 0:
            shape.append(s)
            dyn.append(False)
        else:
            raise Invalid("reshape: negative entry")
    known = int(np.prod([d for d in shape if d != -1], dtype=np.int64))
    if infer_at is not None:
        if known == 0 or total % known:
            raise Invalid("reshape: -1 cannot be inferred")
        shape[infer_at] = total // known
    elif known != total:
        raise Invalid("reshape: element counts differ")
    if any(d < 1 for d in shape):
        raise Invalid("reshape: zero-size dim")
    return Type(shape, dyn)


# --- shape inference ------------------------------------------------------------

def infer_node(node, ins):
    """The result Type of a node from its operands' Types (raises
    Invalid)."""
    op, a = node.op, node.attrs
    for t in ins:
        if t.size > MAX_ELEMENTS:
            raise Invalid("operand too large")
    if op == "constant":
        v = a["value"]
        dt = {np.dtype(np.float32): "f32", np.dtype(np.bool_): "i1",
              np.dtype(np.int64): "i64"}[v.dtype]
        return Type(v.shape, None, dt)
    if any(t.dtype != "f32" for t in ins) and op not in (
            "attention", "gather", "select"):
        raise Invalid("%s needs f32 operands" % op)
    if op in UNARY:
        (x,) = ins
        if op == "clamp" and not a["min"] <= a["max"]:
            raise Invalid("clamp: min > max")
        return Type(x.shape, x.dyn)
    if op in BINARY:
        return Type(*broadcast(ins))
    if op == "select":
        c, x, y = ins
        if c.dtype != "i1" or x.dtype != "f32" or y.dtype != "f32":
            raise Invalid("select: types")
        return Type(*broadcast(ins))
    if op in REDUCE:
        (x,) = ins
        if x.rank < 1:
            raise Invalid("reduce of a rank-0 tensor")
        axes = [norm_axis(ax, x.rank) for ax in a["axes"]]
        if len(set(axes)) != len(axes):
            raise Invalid("axis reduced twice")
        if not axes:
            axes = list(range(x.rank))
        shape, dyn = [], []
        for i in range(x.rank):
            if i in axes:
                if a["keepdims"]:
                    shape.append(1)
                    dyn.append(False)
            else:
                shape.append(x.shape[i])
                dyn.append(x.dyn[i])
        return Type(shape, dyn)
    if op in ("softmax", "log_softmax"):
        (x,) = ins
        if x.rank < 1:
            raise Invalid("softmax of a rank-0 tensor")
        norm_axis(a.get("axis", -1), x.rank)
        return Type(x.shape, x.dyn)
    if op == "layer_norm":
        x = ins[0]
        if x.rank < 1:
            raise Invalid("layer_norm of rank 0")
        ax = norm_axis(a.get("axis", -1), x.rank)
        for p in ins[1:]:
            if p.shape != x.shape[ax:]:
                raise Invalid("layer_norm: parameter shape")
        if len(ins) != 1 + a["has_scale"] + a["has_bias"]:
            raise Invalid("layer_norm: operand count")
        return Type(x.shape, x.dyn)
    if op == "batch_norm":
        x = ins[0]
        if x.rank < 2:
            raise Invalid("batch_norm rank")
        ax = norm_axis(a.get("axis", 1), x.rank)
        for p in ins[1:]:
            if p.shape != (x.shape[ax],):
                raise Invalid("batch_norm: parameter shape")
        return Type(x.shape, x.dyn)
    if op == "matmul":
        l, r = ins
        if l.rank < 2 or r.rank < 2:
            raise Invalid("matmul rank")
        tl, tr = a.get("transpose_lhs", False), a.get("transpose_rhs", False)
        m, k = (-1, -2) if tl else (-2, -1)
        k2, n = (-1, -2) if tr else (-2, -1)
        if l.shape[k] != r.shape[k2]:
            raise Invalid("matmul K")
        bl, br = Type(l.shape[:-2], l.dyn[:-2]), Type(r.shape[:-2], r.dyn[:-2])
        if bl.rank or br.rank:
            shape, dyn = broadcast([bl, br])
        else:
            shape, dyn = [], []
        return Type(shape + [l.shape[m], r.shape[n]],
                    dyn + [l.dyn[m], r.dyn[n]])
    if op == "linear":
        x, w = ins[0], ins[1]
        if x.rank < 1 or w.rank != 2 or w.shape[1] != x.shape[-1]:
            raise Invalid("linear shapes")
        if len(ins) == 3 and ins[2].shape != (w.shape[0],):
            raise Invalid("linear bias")
        return Type(x.shape[:-1] + (w.shape[0],), x.dyn[:-1] + (w.dyn[0],))
    if op == "outer":
        l, r = ins
        if l.rank != 1 or r.rank != 1:
            raise Invalid("outer rank")
        return Type((l.shape[0], r.shape[0]), (l.dyn[0], r.dyn[0]))
    if op == "conv2d":
        x, w = ins[0], ins[1]
        lay = a["layout"]
        if x.rank != 4 or w.rank != 4:
            raise Invalid("conv rank")
        n, c, h, wd = (x.shape[i] for i in image_dims(lay))
        nd, cd, hd, wdd = (x.dyn[i] for i in image_dims(lay))
        f, cg, kh, kw = (w.shape[i] for i in filter_dims(lay))
        g = a["groups"]
        if g < 1 or c % g or f % g or cg * g != c:
            raise Invalid("conv groups")
        if len(ins) == 3 and ins[2].shape != (f,):
            raise Invalid("conv bias")
        s, d, p = a["strides"], a["dilations"], a["pads"]
        if min(s) < 1 or min(d) < 1 or min(p) < 0:
            raise Invalid("conv window attrs")
        oh = window_out(h, kh, s[0], d[0], p[0], p[2])
        ow = window_out(wd, kw, s[1], d[1], p[1], p[3])
        if oh < 1 or ow < 1:
            raise Invalid("conv kernel does not fit")
        fdyn = w.dyn[filter_dims(lay)[0]]
        return image_type(lay, (n, f, oh, ow), (nd, fdyn, hd, wdd))
    if op == "pool2d":
        (x,) = ins
        lay = a["layout"]
        if x.rank != 4:
            raise Invalid("pool rank")
        n, c, h, wd = (x.shape[i] for i in image_dims(lay))
        nd, cd, hd, wdd = (x.dyn[i] for i in image_dims(lay))
        k, s, d, p = a["kernel"], a["strides"], a["dilations"], a["pads"]
        for i in range(4):
            if p[i] >= d[i % 2] * (k[i % 2] - 1) + 1:
                raise Invalid("pool pad not smaller than the kernel extent")
        oh = window_out(h, k[0], s[0], d[0], p[0], p[2], a["ceil_mode"])
        ow = window_out(wd, k[1], s[1], d[1], p[1], p[3], a["ceil_mode"])
        if oh < 1 or ow < 1:
            raise Invalid("pool kernel does not fit")
        return image_type(lay, (n, c, oh, ow), (nd, cd, hd, wdd))
    if op == "global_avg_pool":
        (x,) = ins
        if x.rank != 4:
            raise Invalid("global_avg_pool rank")
        lay = a["layout"]
        n, c, _, _ = (x.shape[i] for i in image_dims(lay))
        nd, cd, _, _ = (x.dyn[i] for i in image_dims(lay))
        return image_type(lay, (n, c, 1, 1), (nd, cd, False, False))
    if op == "reshape":
        (x,) = ins
        return reshape_result(x, a["shape"])
    if op == "transpose":
        (x,) = ins
        perm = a["perm"]
        if sorted(perm) != list(range(x.rank)):
            raise Invalid("transpose perm")
        return Type([x.shape[p] for p in perm], [x.dyn[p] for p in perm])
    if op == "concat":
        x = ins[0]
        if x.rank < 1:
            raise Invalid("concat of rank 0")
        ax = norm_axis(a["axis"], x.rank)
        shape, dyn = list(x.shape), list(x.dyn)
        for t in ins[1:]:
            if t.rank != x.rank:
                raise Invalid("concat ranks")
            for i in range(x.rank):
                if i == ax:
                    shape[i] += t.shape[i]
                    dyn[i] = dyn[i] or t.dyn[i]
                elif t.shape[i] != x.shape[i]:
                    raise Invalid("concat dims")
                else:
                    dyn[i] = dyn[i] and t.dyn[i]
        return Type(shape, dyn)
    if op == "slice":
        (x,) = ins
        st, en, sp = a["starts"], a["ends"], a["steps"]
        if not len(st) == len(en) == len(sp) == x.rank or x.rank < 1:
            raise Invalid("slice attrs")
        if min(sp) < 1:
            raise Invalid("slice steps")
        shape = [slice_len(x.shape[i], st[i], en[i], sp[i])
                 for i in range(x.rank)]
        if min(shape) < 1:
            raise Invalid("empty slice")
        return Type(shape, x.dyn)
    if op == "pad":
        (x,) = ins
        lo, hi = a["low"], a["high"]
        if len(lo) != x.rank or len(hi) != x.rank or min(lo + hi, default=0) < 0:
            raise Invalid("pad attrs")
        return Type([x.shape[i] + lo[i] + hi[i] for i in range(x.rank)], x.dyn)
    if op == "broadcast_to":
        (x,) = ins
        tgt = a["shape"]
        if min(tgt, default=1) < 1:
            raise Invalid("broadcast_to entries must be positive")
        return Type(*broadcast([x, Type(tgt)]))
    if op == "attention":
        q, k, v = ins[:3]
        if any(t.dtype != "f32" for t in (q, k, v)):
            raise Invalid("attention types")
        if not q.rank == k.rank == v.rank or q.rank < 2:
            raise Invalid("attention ranks")
        if q.shape[:-2] != k.shape[:-2] or q.shape[:-2] != v.shape[:-2]:
            raise Invalid("attention leading dims")
        if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
            raise Invalid("attention dims")
        if a.get("is_causal") and q.shape[-2] != k.shape[-2]:
            raise Invalid("causal attention with Lq != Lk")
        lead_dyn = [q.dyn[i] and k.dyn[i] and v.dyn[i]
                    for i in range(q.rank - 2)]
        if len(ins) == 4:
            m = ins[3]
            if m.dtype not in ("f32", "i1") or m.rank > q.rank:
                raise Invalid("attention mask")
            scores = Type(q.shape[:-1] + (k.shape[-2],),
                          tuple(lead_dyn) + (q.dyn[-2], k.dyn[-2] and v.dyn[-2]))
            if tuple(broadcast([scores, m])[0]) != scores.shape:
                raise Invalid("mask does not broadcast to the scores")
        return Type(q.shape[:-1] + (v.shape[-1],),
                    tuple(lead_dyn) + (q.dyn[-2], v.dyn[-1]))
    if op == "gather":
        x, idx = ins
        if x.rank < 1 or idx.dtype != "i64" or x.dtype != "f32":
            raise Invalid("gather types")
        ax = norm_axis(a["axis"], x.rank)
        return Type(x.shape[:ax] + idx.shape + x.shape[ax + 1:],
                    x.dyn[:ax] + idx.dyn + x.dyn[ax + 1:])
    raise Invalid("unknown op %s" % op)


def infer(graph):
    """Types of all values; raises Invalid."""
    if not 1 <= graph.nargs:
        raise Invalid("no arguments")
    types = [Type(s, d) for s, d in graph.args]
    for t, x in zip(types, graph.inputs):
        if x.shape != t.shape:
            raise Invalid("input shape")
    for node in graph.nodes:
        if any(not 0 <= v < len(types) for v in node.operands):
            raise Invalid("operand is not defined before use")
        t = infer_node(node, [types[v] for v in node.operands])
        if t.size > MAX_ELEMENTS:
            raise Invalid("result too large")
        if t.size == 0:
            raise Invalid("zero-size result")
        types.append(t)
    if not graph.outputs:
        raise Invalid("no outputs")
    for v in graph.outputs:
        if not 0 <= v < len(types) or types[v].dtype != "f32":
            raise Invalid("bad output")
    return types


# --- MLIR printing ----------------------------------------------------------

def fmt_float(x):
    s = repr(float(x))
    if "inf" in s or "nan" in s:
        raise ValueError(x)
    if "e" in s and "." not in s.split("e")[0]:
        m, e = s.split("e")
        s = m + ".0e" + e
    elif "." not in s and "e" not in s:
        s += ".0"
    return s


def i64s(values):
    return "array<i64%s>" % ("".join(
        (": " if i == 0 else ", ") + str(int(v)) for i, v in enumerate(values)))


def dense(value, t):
    if value.dtype == np.float32:
        if value.size == 1:
            return "dense<%s>" % fmt_float(value.reshape(-1)[0])
        return 'dense<"0x%s">' % np.ascontiguousarray(
            value, "<f4").tobytes().hex().upper()
    if value.dtype == np.bool_:
        flat = ["true" if b else "false" for b in value.reshape(-1)]
    else:
        flat = [str(int(b)) for b in value.reshape(-1)]
    if value.ndim == 0:
        return "dense<%s>" % flat[0]
    return "dense<%s>" % _nest(flat, value.shape)


def _nest(flat, shape):
    if len(shape) == 1:
        return "[" + ", ".join(flat) + "]"
    step = len(flat) // shape[0]
    return "[" + ", ".join(_nest(flat[i * step:(i + 1) * step], shape[1:])
                           for i in range(shape[0])) + "]"


def _attr_dict(items):
    items = [(k, v) for k, v in items if v is not None]
    if not items:
        return ""
    return " {" + ", ".join("%s = %s" % kv for kv in items) + "}"


def node_mlir(node, name, operand_names, ins, out):
    op, a = node.op, node.attrs
    types = "(%s) -> %s" % (", ".join(t.mlir() for t in ins), out.mlir())
    opnds = ", ".join(operand_names)
    if op == "constant":
        return "%s = kiln.constant %s : %s" % (name, dense(a["value"], out),
                                                out.mlir())
    attrs = ""
    prefix = ""
    if op == "clamp":
        attrs = _attr_dict([("min", fmt_float(a["min"]) + " : f64"),
                            ("max", fmt_float(a["max"]) + " : f64")])
    elif op == "gelu" and a.get("approximation"):
        attrs = _attr_dict([("approximation", "#kiln.gelu_approximation<%s>"
                             % a["approximation"])])
    elif op in REDUCE:
        attrs = _attr_dict([
            ("axes", i64s(a["axes"]) if a["axes"] or a.get("spell_axes")
             else None),
            ("keepdims", None if a["keepdims"] and not a.get("spell_keepdims")
             else ("true" if a["keepdims"] else "false"))])
    elif op in ("softmax", "log_softmax", "concat", "gather"):
        if "axis" in a:
            attrs = _attr_dict([("axis", "%d : i64" % a["axis"])])
    elif op == "layer_norm":
        attrs = _attr_dict([
            ("axis", "%d : i64" % a["axis"] if "axis" in a else None),
            ("epsilon", fmt_float(a["epsilon"]) + " : f64"
             if "epsilon" in a else None)])
        parts = [operand_names[0]]
        rest = operand_names[1:]
        if a["has_scale"]:
            parts.append("scale " + rest.pop(0))
        if a["has_bias"]:
            parts.append("bias " + rest.pop(0))
        opnds = " ".join(parts)
    elif op == "batch_norm":
        attrs = _attr_dict([
            ("epsilon", fmt_float(a["epsilon"]) + " : f64"),
            ("axis", "%d : i64" % a["axis"] if "axis" in a else None)])
    elif op == "matmul":
        attrs = _attr_dict([
            ("transpose_lhs", "true" if a.get("transpose_lhs") else None),
            ("transpose_rhs", "true" if a.get("transpose_rhs") else None)])
    elif op == "conv2d":
        attrs = _attr_dict([
            ("strides", i64s(a["strides"])), ("pads", i64s(a["pads"])),
            ("dilations", i64s(a["dilations"])),
            ("groups", "%d : i64" % a["groups"]),
            ("layout", "#kiln.layout<%s>" % a["layout"])])
    elif op == "pool2d":
        prefix = a["kind"] + " "
        attrs = _attr_dict([
            ("kernel", i64s(a["kernel"])), ("strides", i64s(a["strides"])),
            ("pads", i64s(a["pads"])), ("dilations", i64s(a["dilations"])),
            ("ceil_mode", "true" if a["ceil_mode"] else None),
            ("count_include_pad", "true" if a.get("count_include_pad")
             else None),
            ("layout", "#kiln.layout<nhwc>" if a["layout"] == "nhwc"
             else None)])
    elif op == "global_avg_pool":
        attrs = _attr_dict([("layout", "#kiln.layout<nhwc>"
                             if a["layout"] == "nhwc" else None)])
    elif op in ("reshape", "transpose", "broadcast_to"):
        key = {"reshape": "shape", "transpose": "perm",
               "broadcast_to": "shape"}[op]
        opnds += " [" + ", ".join(str(int(v)) for v in a[key]) + "]"
    elif op == "slice":
        attrs = _attr_dict([("starts", i64s(a["starts"])),
                            ("ends", i64s(a["ends"])),
                            ("steps", i64s(a["steps"]))])
    elif op == "pad":
        attrs = _attr_dict([("low", i64s(a["low"])), ("high", i64s(a["high"])),
                            ("value", fmt_float(a["value"]) + " : f64")])
    elif op == "attention":
        attrs = _attr_dict([
            ("scale", fmt_float(a["scale"]) + " : f64" if "scale" in a
             else None),
            ("is_causal", "true" if a.get("is_causal") else None)])
    return "%s = kiln.%s %s%s%s : %s" % (name, op, prefix, opnds, attrs, types)


def to_mlir(graph, name="model", types=None):
    """The graph as one func.func named @name."""
    types = types or infer(graph)
    names = ["%%a%d" % i for i in range(graph.nargs)]
    names += ["%%v%d" % i for i in range(len(graph.nodes))]
    lines = []
    for i, node in enumerate(graph.nodes):
        vid = graph.nargs + i
        lines.append("  " + node_mlir(node, names[vid],
                                      [names[v] for v in node.operands],
                                      [types[v] for v in node.operands],
                                      types[vid]))
    outs = [types[v] for v in graph.outputs]
    args = ", ".join("%s: %s" % (names[i], types[i].mlir())
                     for i in range(graph.nargs))
    res = ", ".join(t.mlir() for t in outs)
    lines.append("  return %s : %s" % (
        ", ".join(names[v] for v in graph.outputs), res))
    return "func.func @%s(%s) -> (%s) {\n%s\n}\n" % (name, args, res,
                                                     "\n".join(lines))
