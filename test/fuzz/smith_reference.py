# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The numpy reference of kiln-smith graphs, written from the op semantics
in docs/reference/KilnDialect.md (nothing here calls Kiln or reuses its
code; the convolution is e2e_lib's plain-numpy conv_nchw).

evaluate(graph) computes every value in float64 from the graph's float32
inputs, and alongside each value an elementwise bound on the error that a
correct float32 implementation may make (first-order forward error
analysis: input errors propagated through the op's derivative, plus the
op's own rounding, with K*u for a K-term sum and APPROX for the polynomial
exp/tanh/erf/log/rsqrt that Kiln uses by default). The runner compares with
|got - want| <= SAFETY * bound + small floor.

It also enforces kiln-smith's domain rules: log, rsqrt and pow bases must
stay clearly positive, divisors clearly non-zero, and every value finite
and moderate; a graph that breaks them raises Invalid (the generator and
the reducer throw such graphs away; they are not Kiln failures).
"""

import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "e2e"))
from e2e_lib import conv_nchw  # noqa: E402

from smith_graph import BINARY, REDUCE, Invalid, infer, window_out  # noqa: E402

U = 2.0 ** -24          # float32 unit roundoff
APPROX = 4e-6           # relative accuracy allowed to approximate math
MAX_ABS = 1e5           # keep values moderate
MIN_POSITIVE = 0.05     # log / rsqrt / pow bases stay above this


def _f64(x):
    return np.asarray(x, dtype=np.float64)


def _erf(x):
    return np.vectorize(math.erf, otypes=[np.float64])(x)


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _axis_max(e, axis):
    return np.broadcast_to(np.max(e, axis=axis, keepdims=True), e.shape)


def _image_to_nchw(x, layout):
    return x if layout == "nchw" else x.transpose(0, 3, 1, 2)


def _nchw_to_image(x, layout):
    return x if layout == "nchw" else x.transpose(0, 2, 3, 1)


def _filter_to_fchw(w, layout):
    return w if layout == "nchw" else w.transpose(3, 2, 0, 1)


def pool_nchw(x, kind, k, s, d, p, ceil, include_pad):
    """2-D pooling of an NCHW float64 array; also returns the number of
    real elements of each window (never 0 for a valid graph)."""
    n, c, h, w = x.shape
    oh = window_out(h, k[0], s[0], d[0], p[0], p[2], ceil)
    ow = window_out(w, k[1], s[1], d[1], p[1], p[3], ceil)
    fill = -np.inf if kind == "max" else 0.0
    # Pad far enough that every window tap of every output is inside.
    bot = max(0, (oh - 1) * s[0] + d[0] * (k[0] - 1) - p[0] - h + 1)
    rgt = max(0, (ow - 1) * s[1] + d[1] * (k[1] - 1) - p[1] - w + 1)
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], bot), (p[1], rgt)),
                constant_values=fill)
    real = np.pad(np.ones((h, w)), ((p[0], bot), (p[1], rgt)))
    # Positions inside the declared padding (for count_include_pad).
    padded = np.pad(np.ones((h + p[0] + p[2], w + p[1] + p[3])),
                    ((0, max(0, bot - p[2])), (0, max(0, rgt - p[3]))))
    out = np.full((n, c, oh, ow), fill)
    count = np.zeros((oh, ow))
    count_pad = np.zeros((oh, ow))
    for i in range(k[0]):
        for j in range(k[1]):
            sl = (slice(i * d[0], i * d[0] + s[0] * (oh - 1) + 1, s[0]),
                  slice(j * d[1], j * d[1] + s[1] * (ow - 1) + 1, s[1]))
            tap = xp[(slice(None), slice(None)) + sl]
            out = np.maximum(out, tap) if kind == "max" else out + tap
            count += real[sl]
            count_pad += padded[sl]
    if np.any(count == 0):
        raise Invalid("a pooling window holds no element")
    if kind == "avg":
        out = out / (count_pad if include_pad else count)
    return out, count


def eval_node(node, vals, errs, types, out_type):
    """(value, error bound) of a node from its operands'."""
    op, a = node.op, node.attrs
    if op == "constant":
        v = a["value"]
        if v.dtype == np.float32:
            return _f64(v), np.zeros(v.shape)
        return v.copy(), np.zeros(v.shape)
    x = vals[0] if vals else None
    e = errs[0] if errs else None
    if op == "abs":
        return np.abs(x), e
    if op == "neg":
        return -x, e
    if op == "relu":
        return np.maximum(x, 0), e
    if op == "clamp":
        return np.clip(x, a["min"], a["max"]), e
    if op == "exp":
        r = np.exp(x)
        return r, r * (np.expm1(e) + APPROX + U * np.abs(x))
    if op == "log":
        if np.any(x - e < MIN_POSITIVE):
            raise Invalid("log of a value near or below 0")
        r = np.log(x)
        return r, e / (x - e) + APPROX * (1 + np.abs(r))
    if op == "sqrt":
        if np.any(x < 0):
            raise Invalid("sqrt of a negative value")
        r = np.sqrt(x)
        lin = e / (2 * np.sqrt(np.maximum(x - e, 1e-300)))
        return r, np.minimum(lin, np.sqrt(e)) + 2 * U * r
    if op == "rsqrt":
        if np.any(x - e < MIN_POSITIVE):
            raise Invalid("rsqrt of a value near or below 0")
        r = 1 / np.sqrt(x)
        return r, 0.5 * e * (x - e) ** -1.5 + APPROX * r
    if op == "tanh":
        return np.tanh(x), np.minimum(e, 2) + APPROX
    if op == "sigmoid":
        return 0.5 * (1 + np.tanh(0.5 * x)), 0.25 * e + APPROX
    if op == "erf":
        return _erf(x), 1.13 * e + APPROX
    if op == "gelu":
        if a.get("approximation") == "tanh":
            r = 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) *
                                       (x + 0.044715 * x ** 3)))
        else:
            r = 0.5 * x * (1 + _erf(x / math.sqrt(2)))
        return r, 1.13 * e + APPROX * (1 + np.abs(x))
    if op in BINARY:
        y, f = vals[1], errs[1]
        if op == "add":
            r = x + y
            return r, e + f + U * np.abs(r)
        if op == "sub":
            r = x - y
            return r, e + f + U * np.abs(r)
        if op == "mul":
            r = x * y
            return r, e * np.abs(y) + f * np.abs(x) + e * f + U * np.abs(r)
        if op == "div":
            den = np.abs(y) - f
            if np.any(den < MIN_POSITIVE):
                raise Invalid("division by a value near 0")
            r = x / y
            return r, (e + np.abs(r) * f) / den + 2 * U * np.abs(r)
        if op == "max":
            return np.maximum(x, y), np.maximum(e, f)
        if op == "min":
            return np.minimum(x, y), np.maximum(e, f)
        if op == "pow":
            if np.any(x - e < MIN_POSITIVE):
                raise Invalid("pow of a base near or below 0")
            lx = np.log(x)
            r = np.power(x, y)
            rel = np.abs(y) * e / (x - e) + np.abs(lx) * f
            return r, np.abs(r) * (np.expm1(rel) + APPROX * (1 + np.abs(y * lx)))
    if op == "select":
        c, y, f = vals[0], vals[1], vals[2]
        return np.where(c, y, f), np.broadcast_to(
            np.where(c, errs[1], errs[2]), out_type.shape).copy()
    if op in REDUCE:
        rank = x.ndim
        axes = tuple(sorted(ax % rank for ax in a["axes"])) or tuple(range(rank))
        kd = a["keepdims"]
        count = int(np.prod([x.shape[i] for i in axes]))
        gamma = count * U
        if op == "reduce_sum":
            r = x.sum(axis=axes, keepdims=kd)
            err = e.sum(axis=axes, keepdims=kd) + \
                gamma * np.abs(x).sum(axis=axes, keepdims=kd)
        elif op == "reduce_mean":
            r = x.mean(axis=axes, keepdims=kd)
            err = e.mean(axis=axes, keepdims=kd) + \
                gamma * np.abs(x).mean(axis=axes, keepdims=kd) + U * np.abs(r)
        elif op == "reduce_max":
            r = x.max(axis=axes, keepdims=kd)
            err = e.max(axis=axes, keepdims=kd)
        elif op == "reduce_min":
            r = x.min(axis=axes, keepdims=kd)
            err = e.max(axis=axes, keepdims=kd)
        else:
            r = x.prod(axis=axes, keepdims=kd)
            hi = (np.abs(x) + e).prod(axis=axes, keepdims=kd)
            err = hi - np.abs(r) + gamma * hi
        return r, err
    if op in ("softmax", "log_softmax"):
        ax = a.get("axis", -1)
        s = _softmax(x, ax)
        emax = _axis_max(e, ax)
        shifted = np.abs(x - x.max(axis=ax, keepdims=True))
        count = x.shape[ax]
        if op == "softmax":
            return s, s * (2 * emax + 2 * APPROX + count * U + U * shifted) + U
        # x - max - log(sum(exp(x - max))): finite where softmax underflows.
        z = x - x.max(axis=ax, keepdims=True)
        r = z - np.log(np.exp(z).sum(axis=ax, keepdims=True))
        return r, 2 * emax + APPROX * (1 + np.abs(r)) + U * shifted + count * U
    if op == "layer_norm":
        ax = a.get("axis", -1) % x.ndim
        eps = a.get("epsilon", 1e-5)
        axes = tuple(range(ax, x.ndim))
        count = int(np.prod(x.shape[ax:]))
        mean = x.mean(axis=axes, keepdims=True)
        xm = x - mean
        var = (xm ** 2).mean(axis=axes, keepdims=True)
        sd = np.sqrt(var + eps)
        y = xm / sd
        emean = e.mean(axis=axes, keepdims=True) + count * U * \
            np.abs(x).mean(axis=axes, keepdims=True)
        exm = e + emean + U * (np.abs(x) + np.abs(mean))
        evar = 2 * (np.abs(xm) * exm).mean(axis=axes, keepdims=True) + \
            4 * count * U * (x ** 2).mean(axis=axes, keepdims=True)
        ey = exm / sd + np.abs(y) * evar / (2 * (var + eps)) + APPROX * np.abs(y)
        rest = list(zip(vals[1:], errs[1:]))
        err = ey
        if a["has_scale"]:
            g, eg = rest.pop(0)
            err = ey * np.abs(g) + np.abs(y) * eg
            y = y * g
        if a["has_bias"]:
            b, eb = rest.pop(0)
            y = y + b
            err = err + eb
        return y, err + 2 * U * np.abs(y)
    if op == "batch_norm":
        ax = a.get("axis", 1) % x.ndim
        shape = [1] * x.ndim
        shape[ax] = -1
        sc, bi, mu, var = (v.reshape(shape) for v in vals[1:])
        esc, ebi, emu, evar = (v.reshape(shape) for v in errs[1:])
        eps = a["epsilon"]
        if np.any(var - evar + eps <= 0.01):
            raise Invalid("batch_norm variance near 0")
        inv = 1 / np.sqrt(var + eps)
        n = (x - mu) * inv
        r = n * sc + bi
        en = (e + emu + U * (np.abs(x) + np.abs(mu))) * inv + \
            np.abs(n) * (evar / (2 * (var + eps)) + APPROX)
        return r, en * np.abs(sc) + np.abs(n) * esc + ebi + 2 * U * np.abs(r)
    if op == "matmul":
        y, f = vals[1], errs[1]
        if a.get("transpose_lhs"):
            x, e = np.swapaxes(x, -1, -2), np.swapaxes(e, -1, -2)
        if a.get("transpose_rhs"):
            y, f = np.swapaxes(y, -1, -2), np.swapaxes(f, -1, -2)
        k = x.shape[-1]
        ax, ay = np.abs(x), np.abs(y)
        r = x @ y
        err = e @ ay + ax @ f + e @ f + k * U * (ax @ ay)
        return r, err
    if op == "linear":
        w, f = vals[1], errs[1]
        k = x.shape[-1]
        r = x @ w.T
        err = e @ np.abs(w).T + np.abs(x) @ f.T + e @ f.T + \
            k * U * (np.abs(x) @ np.abs(w).T)
        if len(vals) == 3:
            r = r + vals[2]
            err = err + errs[2] + U * np.abs(r)
        return r, err
    if op == "outer":
        y, f = vals[1], errs[1]
        r = np.outer(x, y)
        return r, np.outer(e, np.abs(y)) + np.outer(np.abs(x), f) + \
            np.outer(e, f) + U * np.abs(r)
    if op == "conv2d":
        lay = a["layout"]
        xs = _image_to_nchw(x, lay)
        es = _image_to_nchw(e, lay)
        w = _filter_to_fchw(vals[1], lay)
        f = _filter_to_fchw(errs[1], lay)
        conv = lambda i, k: conv_nchw(i, k, None, a["strides"], a["pads"],  # noqa
                                      a["dilations"], a["groups"])
        r = conv(xs, w)
        k = w.shape[1] * w.shape[2] * w.shape[3]
        err = conv(es, np.abs(w)) + conv(np.abs(xs), f) + conv(es, f) + \
            k * U * conv(np.abs(xs), np.abs(w))
        if len(vals) == 3:
            r = r + vals[2][None, :, None, None]
            err = err + errs[2][None, :, None, None] + U * np.abs(r)
        return _nchw_to_image(r, lay), _nchw_to_image(err, lay)
    if op == "pool2d":
        lay = a["layout"]
        xs, es = _image_to_nchw(x, lay), _image_to_nchw(e, lay)
        args = (a["kernel"], a["strides"], a["dilations"], a["pads"],
                a["ceil_mode"], a.get("count_include_pad", False))
        r, count = pool_nchw(xs, a["kind"], *args)
        emax, _ = pool_nchw(es, "max", *args)
        err = emax
        if a["kind"] == "avg":
            amax, _ = pool_nchw(np.abs(xs), "max", *args)
            kk = a["kernel"][0] * a["kernel"][1]
            err = emax + kk * U * amax + U * np.abs(r)
        return _nchw_to_image(r, lay), _nchw_to_image(err, lay)
    if op == "global_avg_pool":
        axes = (2, 3) if a["layout"] == "nchw" else (1, 2)
        count = x.shape[axes[0]] * x.shape[axes[1]]
        r = x.mean(axis=axes, keepdims=True)
        return r, e.mean(axis=axes, keepdims=True) + count * U * \
            np.abs(x).mean(axis=axes, keepdims=True) + U * np.abs(r)
    if op == "reshape":
        return x.reshape(out_type.shape), e.reshape(out_type.shape)
    if op == "transpose":
        return x.transpose(a["perm"]), e.transpose(a["perm"])
    if op == "concat":
        return (np.concatenate(vals, axis=a["axis"]),
                np.concatenate(errs, axis=a["axis"]))
    if op == "slice":
        idx = tuple(slice(s, t, p) for s, t, p in
                    zip(a["starts"], a["ends"], a["steps"]))
        return x[idx], e[idx]
    if op == "pad":
        w = list(zip(a["low"], a["high"]))
        return (np.pad(x, w, constant_values=a["value"]), np.pad(e, w))
    if op == "broadcast_to":
        shape = out_type.shape
        return np.broadcast_to(x, shape).copy(), np.broadcast_to(e, shape).copy()
    if op == "gather":
        idx = vals[1]
        return np.take(x, idx, axis=a["axis"]), np.take(e, idx, axis=a["axis"])
    if op == "attention":
        q, k, v = vals[:3]
        eq, ek, ev = errs[:3]
        d = q.shape[-1]
        scale = a.get("scale", 1 / math.sqrt(d))
        kt, ekt = np.swapaxes(k, -1, -2), np.swapaxes(ek, -1, -2)
        s = (q @ kt) * scale
        es = (eq @ np.abs(kt) + np.abs(q) @ ekt + eq @ ekt +
              (d + 2) * U * (np.abs(q) @ np.abs(kt))) * scale
        keep = np.ones(s.shape, bool)
        if len(vals) == 4:
            m = vals[3]
            if m.dtype == np.bool_:
                keep = np.broadcast_to(m, s.shape)
            else:
                s = s + m
                es = es + errs[3] + U * np.abs(s)
        if a.get("is_causal"):
            lq, lk = s.shape[-2], s.shape[-1]
            keep = keep & (np.arange(lk)[None, :] <= np.arange(lq)[:, None])
        if not np.all(keep.any(axis=-1)):
            raise Invalid("attention row with every key masked")
        s = np.where(keep, s, -np.inf)
        p = _softmax(s, -1)
        esm = np.where(keep, es, 0).max(axis=-1, keepdims=True)
        shifted = np.where(keep, np.abs(s - s.max(axis=-1, keepdims=True)), 0)
        ep = p * (2 * esm + 2 * APPROX + s.shape[-1] * U + U * shifted) + \
            np.where(keep, U, 0)
        r = p @ v
        lk = v.shape[-2]
        err = ep @ np.abs(v) + p @ ev + ep @ ev + lk * U * (p @ np.abs(v))
        return r, err
    raise Invalid("no reference for %s" % op)


def evaluate(graph, types=None):
    """[(value float64, error bound)] for every value of the graph.
    Raises Invalid for graphs outside kiln-smith's domain."""
    types = types or infer(graph)
    vals = [np.asarray(x, np.float64) for x in graph.inputs]
    errs = [np.zeros(x.shape) for x in graph.inputs]
    for i, node in enumerate(graph.nodes):
        vid = graph.nargs + i
        v, e = eval_node(node, [vals[o] for o in node.operands],
                         [errs[o] for o in node.operands],
                         [types[o] for o in node.operands], types[vid])
        check_value(node, v, e, types[vid])
        vals.append(v)
        errs.append(np.broadcast_to(e, v.shape).astype(np.float64))
    return vals, errs


def check_value(node, v, e, t):
    if v.shape != t.shape:
        raise AssertionError("reference shape %s != inferred %s for %s" %
                             (v.shape, t.shape, node))
    if v.dtype != np.float64:
        return
    if not np.all(np.isfinite(v)) or not np.all(np.isfinite(e)):
        raise Invalid("non-finite value")
    if v.size and np.max(np.abs(v)) > MAX_ABS:
        raise Invalid("value too large")


SAFETY = 4.0


def tolerance(want, err):
    """The elementwise tolerance of a float32 result."""
    scale = np.max(np.abs(want)) if want.size else 0.0
    return SAFETY * err + U * np.abs(want) + 1e-6 * (1 + scale) * 1e-2


def error_ratio(got, want, err):
    """max |got - want| / tolerance (<= 1 passes)."""
    g = np.asarray(got, np.float64)
    if g.shape != want.shape or not want.size:
        return 0.0 if g.shape == want.shape else np.inf
    r = np.abs(g - want) / np.maximum(tolerance(want, err), 1e-300)
    return float(np.nan_to_num(r, nan=np.inf).max())


def compare(got, want, err):
    """'' when got (float32, from Kiln) matches want within the bound,
    else a description of the worst element."""
    got = np.asarray(got)
    if got.shape != want.shape:
        return "shape %s, expected %s" % (got.shape, want.shape)
    if got.dtype != np.float32:
        return "dtype %s, expected float32" % got.dtype
    g = got.astype(np.float64)
    tol = tolerance(want, err)
    diff = np.abs(g - want)
    bad = ~(diff <= tol)  # NaN counts as bad
    if not bad.any():
        return ""
    ratio = np.where(bad, np.nan_to_num(diff / np.maximum(tol, 1e-300),
                                        nan=np.inf), 0)
    i = int(np.argmax(ratio.reshape(-1)))
    idx = np.unravel_index(i, want.shape) if want.ndim else ()
    return ("%d of %d elements differ; worst at %s: got %r, want %r "
            "(|diff| %.3g, tolerance %.3g)" % (
                int(bad.sum()), want.size, tuple(int(j) for j in idx),
                float(g.reshape(-1)[i]), float(want.reshape(-1)[i]),
                float(diff.reshape(-1)[i]), float(tol.reshape(-1)[i])))
