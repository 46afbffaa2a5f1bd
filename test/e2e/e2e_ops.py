#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""End-to-end numeric tests of every kiln op, JIT and AOT, against numpy.

Usage: e2e_ops.py <bin dir> <C compiler>
Sizes include 1, primes and non-multiples of the vector width; `?` dims
exercise dynamic shapes. References are computed in float64 from the same
float32 inputs.
"""

import math
import sys

import numpy as np

from e2e_lib import Case, conv_nchw, main

rng = np.random.default_rng(42)
f32 = np.float32


def rand(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, shape).astype(f32)


def ref(x):
    return np.asarray(x, dtype=np.float64)


def t(x, dyn=()):
    from e2e_lib import ttype
    return ttype(x.shape, x.dtype, dyn)


def unary(name, op, fn, x, dyn=(), attrs="", rtol=1e-4, atol=1e-5):
    body = (f"  %r = kiln.{op} %a0 {attrs}: ({t(x, dyn)}) -> {t(x, dyn)}\n"
            f"  return %r : {t(x, dyn)}")
    return Case(name, [x], body, [fn(ref(x)).astype(x.dtype)], [dyn],
                rtol=rtol, atol=atol, out_dynamic=[dyn])


def binary(name, op, fn, a, b, dyn=((), ()), out=None):
    want = fn(a.astype(np.float64) if a.dtype.kind == "f" else a,
              b.astype(np.float64) if b.dtype.kind == "f" else b)
    want = np.asarray(want).astype(out or a.dtype)
    od = dyn[0] if len(dyn[0]) and want.ndim == a.ndim else ()
    body = (f"  %r = kiln.{op} %a0, %a1 : ({t(a, dyn[0])}, {t(b, dyn[1])}) -> "
            f"{t(want, od)}\n  return %r : {t(want, od)}")
    return Case(name, [a, b], body, [want], list(dyn), out_dynamic=[od])


def erf(x):
    return np.vectorize(math.erf)(x)


# --- numpy references of the layered ops -----------------------------------

def pool_nchw(x, kind, k, stride=(1, 1), pads=(0, 0, 0, 0), dil=(1, 1),
              ceil=False, include_pad=False):
    x = ref(x)
    n, c, h, w = x.shape

    def osize(i, size):
        span = size + pads[i] + pads[i + 2] - dil[i] * (k[i] - 1) - 1
        if not ceil:
            return span // stride[i] + 1
        o = -(-span // stride[i]) + 1
        if (o - 1) * stride[i] >= size + pads[i]:
            o -= 1
        return o

    oh, ow = osize(0, h), osize(1, w)
    out = np.zeros((n, c, oh, ow))
    for y in range(oh):
        for z in range(ow):
            vals, count = [], 0
            for i in range(k[0]):
                for j in range(k[1]):
                    hi = y * stride[0] - pads[0] + i * dil[0]
                    wi = z * stride[1] - pads[1] + j * dil[1]
                    inside = 0 <= hi < h and 0 <= wi < w
                    in_padded = -pads[0] <= hi < h + pads[2] and -pads[1] <= wi < w + pads[3]
                    if inside:
                        vals.append(x[:, :, hi, wi])
                    if inside or (include_pad and in_padded):
                        count += 1
            if kind == "max":
                out[:, :, y, z] = np.max(np.stack(vals), axis=0)
            else:
                out[:, :, y, z] = np.sum(np.stack(vals), axis=0) / count
    return out


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def layer_norm(x, axis, eps, g=None, b=None):
    axes = tuple(range(axis, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (x - mean) / np.sqrt(var + eps)
    if g is not None:
        y = y * g
    if b is not None:
        y = y + b
    return y


def quantize(x, scale, zp, axis=None, qmin=-128, qmax=127):
    if axis is not None:
        shape = [1] * x.ndim
        shape[axis] = -1
        scale = np.reshape(scale, shape)
        zp = np.reshape(zp, shape)
    return np.clip(np.round(ref(x) / scale) + zp, qmin, qmax).astype(np.int8)


# --- cases -----------------------------------------------------------------

cases = []
add = cases.append

# Elementwise binary ops, with broadcasting, dynamic dims and edge sizes.
add(binary("add_broadcast_dynamic", "add", np.add, rand(5, 7), rand(7), dyn=((0,), ())))
add(binary("add_outer_broadcast", "add", np.add, rand(3, 1), rand(1, 13)))
add(binary("sub_scalar_operand", "sub", np.subtract, rand(2, 17), rand()))
add(binary("mul_size1", "mul", np.multiply, rand(1), rand(1)))
add(binary("div_float", "div", np.divide, rand(4, 9), rand(9, lo=0.5, hi=2)))
add(binary("max_nan_free", "max", np.maximum, rand(6, 5), rand(6, 5)))
add(binary("min_dynamic_both", "min", np.minimum, rand(11), rand(11), dyn=((0,), (0,))))
add(binary("pow_positive", "pow", np.power, rand(3, 5, lo=0.1, hi=2), rand(5, lo=-2, hi=2)))
ia = rng.integers(-50, 50, (4, 6)).astype(np.int32)
ib = rng.integers(1, 9, (6,)).astype(np.int32)
add(binary("add_i32", "add", np.add, ia, ib))
add(binary("div_i32_truncates", "div", lambda a, b: np.trunc(a / b).astype(np.int32), ia, ib))
add(binary("max_i32", "max", np.maximum, ia, ib))

# Elementwise unary ops.
x = rand(3, 19, lo=-3, hi=3)
add(unary("neg", "neg", np.negative, x))
add(unary("abs_dynamic", "abs", np.abs, x, dyn=(0, 1)))
add(unary("exp", "exp", np.exp, x))
add(unary("log", "log", np.log, rand(23, lo=0.01, hi=10)))
add(unary("sqrt", "sqrt", np.sqrt, rand(23, lo=0, hi=10)))
add(unary("rsqrt", "rsqrt", lambda v: 1 / np.sqrt(v), rand(23, lo=0.1, hi=10)))
add(unary("tanh", "tanh", np.tanh, rand(5, 31, lo=-6, hi=6)))
add(unary("sigmoid", "sigmoid", lambda v: 1 / (1 + np.exp(-v)), x))
add(unary("relu", "relu", lambda v: np.maximum(v, 0), x))
add(unary("erf", "erf", erf, rand(37, lo=-3, hi=3)))
add(unary("clamp_relu6", "clamp", lambda v: np.clip(v, 0, 6), rand(3, 17, lo=-8, hi=8),
          attrs="{min = 0.0 : f64, max = 6.0 : f64} "))
add(unary("gelu_erf", "gelu", lambda v: 0.5 * v * (1 + erf(v / math.sqrt(2))), x))
add(unary("gelu_tanh", "gelu",
          lambda v: 0.5 * v * (1 + np.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v ** 3))),
          x, attrs="{approximation = #kiln.gelu_approximation<tanh>} "))
# Rounding (ties to even, as numpy) and trigonometry, edge sizes included.
halves = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.7, -3.7, 0.0], np.float32)
add(unary("floor", "floor", np.floor, np.concatenate([x.ravel(), halves])))
add(unary("ceil_dynamic", "ceil", np.ceil, rand(2, 13, lo=-5, hi=5), dyn=(0,)))
add(unary("round_ties_to_even", "round", np.round, np.concatenate([halves, rand(8, lo=-9, hi=9)])))
add(unary("sin", "sin", np.sin, rand(1, 29, lo=-7, hi=7)))
add(unary("cos_size1", "cos", np.cos, rand(1, lo=-7, hi=7)))
add(unary("tan", "tan", np.tan, rand(17, lo=-1.4, hi=1.4), rtol=1e-4, atol=1e-4))
add(unary("asin", "asin", np.arcsin, rand(19, lo=-0.99, hi=0.99)))
add(unary("acos", "acos", np.arccos, rand(19, lo=-0.99, hi=0.99)))
add(unary("atan_dynamic", "atan", np.arctan, rand(3, 11, lo=-20, hi=20), dyn=(1,)))
add(unary("sinh", "sinh", np.sinh, rand(23, lo=-5, hi=5)))
add(unary("cosh", "cosh", np.cosh, rand(23, lo=-5, hi=5)))
add(unary("asinh", "asinh", np.arcsinh, rand(31, lo=-50, hi=50)))
add(unary("acosh", "acosh", np.arccosh, rand(31, lo=1, hi=50)))
add(unary("atanh", "atanh", np.arctanh, rand(31, lo=-0.95, hi=0.95)))

# Remainders: floored (sign of the divisor) and truncated (C fmod), with
# broadcasting; integer divisors of 0 and -1 give 0 (no trap).
fa = rand(5, 7, lo=-20, hi=20)
fb = np.where(np.abs(rand(7, lo=-4, hi=4)) < 0.25, 1.5, rand(7, lo=-4, hi=4)).astype(np.float32)
add(binary("mod_float", "mod", np.mod, fa, fb))
add(binary("fmod_float", "fmod", np.fmod, fa, fb))
ma = np.array([[-7, 7, -8, 8, 0, 5, -2147483648, 13]], np.int32)
mb = np.array([3, -3, 3, -3, 5, 0, -1, 13], np.int32)
mod_ref = lambda a, b: np.where(b == 0, 0, np.mod(a, np.where(b == 0, 1, b))).astype(a.dtype)
fmod_ref = lambda a, b: np.where(b == 0, 0, np.fmod(a, np.where(b == 0, 1, b))).astype(a.dtype)
add(binary("mod_i32_by_zero_and_minus_one", "mod", mod_ref, ma, mb))
add(binary("fmod_i32_by_zero_and_minus_one", "fmod", fmod_ref, ma, mb))
add(binary("mod_i64_dynamic", "mod", mod_ref, rng.integers(-1000, 1000, (3, 11)).astype(np.int64),
           rng.integers(1, 17, (11,)).astype(np.int64), dyn=((0,), ())))
add(binary("mod_i8", "mod", mod_ref, rng.integers(-128, 127, (29,)).astype(np.int8),
           rng.integers(-9, 9, (29,)).astype(np.int8)))

add(unary("neg_i32", "neg", np.negative, ia))
add(unary("relu_i8", "relu", lambda v: np.maximum(v, 0),
          rng.integers(-100, 100, (13,)).astype(np.int8)))

# compare and select.
a, b = rand(4, 7), rand(7)
b[2] = a[1, 2]
for pred, fn in [("lt", np.less), ("ge", np.greater_equal), ("eq", np.equal), ("ne", np.not_equal)]:
    add(Case(f"compare_{pred}", [a, b],
             f"  %r = kiln.compare {pred}, %a0, %a1 : ({t(a)}, {t(b)}) -> tensor<4x7xi1>\n"
             "  return %r : tensor<4x7xi1>", [fn(a, b)]))
cond = rng.random((4, 1)) > 0.5
add(Case("select_broadcast", [cond, a, b],
         f"  %r = kiln.select %a0, %a1, %a2 : (tensor<4x1xi1>, {t(a)}, {t(b)}) -> {t(a)}\n"
         f"  return %r : {t(a)}", [np.where(cond, a, b)]))

# cast.
fx = rand(3, 5, lo=-9, hi=9)
add(Case("cast_f32_to_i32", [fx], f"  %r = kiln.cast %a0 : ({t(fx)}) -> tensor<3x5xi32>\n"
         "  return %r : tensor<3x5xi32>", [np.trunc(fx).astype(np.int32)]))
ix = rng.integers(-1000, 1000, (7,)).astype(np.int64)
add(Case("cast_i64_to_f32", [ix], "  %r = kiln.cast %a0 : (tensor<7xi64>) -> tensor<7xf32>\n"
         "  return %r : tensor<7xf32>", [ix.astype(f32)]))
add(Case("cast_f32_to_i1", [fx], f"  %r = kiln.cast %a0 : ({t(fx)}) -> tensor<3x5xi1>\n"
         "  return %r : tensor<3x5xi1>", [fx != 0]))

# Structural ops.
w = rand(3, 4)
cx = rand(2, 3, 4)
wtext = np.array2string(w, separator=", ", floatmode="unique", threshold=10**6)
add(Case("constant_weights", [cx],
         "  %w = kiln.constant dense<" + wtext.replace("\n", "") + "> : tensor<3x4xf32>\n"
         "  %r = kiln.add %a0, %w : (tensor<2x3x4xf32>, tensor<3x4xf32>) -> tensor<2x3x4xf32>\n"
         "  return %r : tensor<2x3x4xf32>", [cx + w]))
x3 = rand(5, 3, 4)
add(Case("reshape_dynamic_copy_infer", [x3],
         "  %r = kiln.reshape %a0 [0, -1] : (tensor<?x3x4xf32>) -> tensor<?x12xf32>\n"
         "  return %r : tensor<?x12xf32>", [x3.reshape(5, 12)], [(0,)], out_dynamic=[(0,)]))
one = rand(1, 1)
add(Case("reshape_to_scalar", [one],
         "  %r = kiln.reshape %a0 [] : (tensor<1x1xf32>) -> tensor<f32>\n"
         "  return %r : tensor<f32>", [one.reshape(())]))
# Regressions found by kiln-smith: a dynamic input reshaped to a static
# shape, a rank-1 tensor to a scalar, and two `?` dims in and out (which
# crashed MLIR 22's expand-strided-metadata).
x34 = rand(3, 4)
add(Case("reshape_dynamic_to_static", [x34],
         "  %r = kiln.reshape %a0 [2, 6] : (tensor<?x4xf32>) -> tensor<2x6xf32>\n"
         "  return %r : tensor<2x6xf32>", [x34.reshape(2, 6)], [(0,)]))
one1 = rand(1)
add(Case("reshape_rank1_to_scalar", [one1],
         "  %r = kiln.reshape %a0 [] : (tensor<1xf32>) -> tensor<f32>\n"
         "  return %r : tensor<f32>", [one1.reshape(())]))
x235 = rand(2, 3, 5)
add(Case("reshape_two_dynamic_dims", [x235],
         "  %r = kiln.reshape %a0 [0, -1] : (tensor<?x?x5xf32>) -> tensor<?x?xf32>\n"
         "  return %r : tensor<?x?xf32>", [x235.reshape(2, 15)], [(0, 1)],
         out_dynamic=[(0, 1)]))
mw = rand(16, 8)
mwtext = np.array2string(mw, separator=", ", floatmode="unique", threshold=10**6)
mx = rand(3, 7, 16)
add(Case("matmul_two_dynamic_dims_constant_weight", [mx],
         "  %w = kiln.constant dense<" + mwtext.replace("\n", "") + "> : tensor<16x8xf32>\n"
         "  %r = kiln.matmul %a0, %w : (tensor<?x?x16xf32>, tensor<16x8xf32>) -> tensor<?x?x8xf32>\n"
         "  return %r : tensor<?x?x8xf32>", [mx @ mw], [(0, 1)], out_dynamic=[(0, 1)]))
add(Case("transpose_3d", [x3],
         "  %r = kiln.transpose %a0 [2, 0, 1] : (tensor<?x3x4xf32>) -> tensor<4x?x3xf32>\n"
         "  return %r : tensor<4x?x3xf32>", [x3.transpose(2, 0, 1)], [(0,)], out_dynamic=[(1,)]))
c1, c2 = rand(5, 2), rand(5, 3)
add(Case("concat_last_dynamic", [c1, c2],
         "  %r = kiln.concat %a0, %a1 {axis = -1 : i64} : (tensor<?x2xf32>, tensor<?x3xf32>) -> tensor<?x5xf32>\n"
         "  return %r : tensor<?x5xf32>", [np.concatenate([c1, c2], -1)], [(0,), (0,)],
         out_dynamic=[(0,)]))
s = rand(7, 11)
add(Case("slice_steps_negative", [s],
         "  %r = kiln.slice %a0 {starts = array<i64: 1, -8>, ends = array<i64: 9223372036854775807, -1>, "
         "steps = array<i64: 2, 3>} : (tensor<7x11xf32>) -> tensor<3x3xf32>\n"
         "  return %r : tensor<3x3xf32>", [s[1::2, -8:-1:3]]))
add(Case("slice_dynamic", [s],
         "  %r = kiln.slice %a0 {starts = array<i64: 2, 0>, ends = array<i64: -1, 5>, "
         "steps = array<i64: 1, 2>} : (tensor<?x11xf32>) -> tensor<?x3xf32>\n"
         "  return %r : tensor<?x3xf32>", [s[2:-1, 0:5:2]], [(0,)], out_dynamic=[(0,)]))
add(Case("pad_constant", [s],
         "  %r = kiln.pad %a0 {low = array<i64: 1, 0>, high = array<i64: 2, 3>, value = -1.5 : f64}"
         " : (tensor<7x11xf32>) -> tensor<10x14xf32>\n  return %r : tensor<10x14xf32>",
         [np.pad(s, ((1, 2), (0, 3)), constant_values=-1.5)]))
table = rand(10, 6)
ids = np.array([[0, 9, -1], [3, 3, 5]], dtype=np.int64)
add(Case("gather_embedding", [table, ids],
         "  %r = kiln.gather %a0, %a1 : (tensor<10x6xf32>, tensor<?x3xi64>) -> tensor<?x3x6xf32>\n"
         "  return %r : tensor<?x3x6xf32>", [table[ids]], [(), (0,)], out_dynamic=[(0,)]))
cols = np.array([5, -2, 0], dtype=np.int32)
add(Case("gather_axis1", [table, cols],
         "  %r = kiln.gather %a0, %a1 {axis = 1 : i64} : (tensor<10x6xf32>, tensor<3xi32>) -> tensor<10x3xf32>\n"
         "  return %r : tensor<10x3xf32>", [np.take(table, cols, axis=1)]))
bx = rand(3, 1)
add(Case("broadcast_to", [bx],
         "  %r = kiln.broadcast_to %a0 [2, 3, 5] : (tensor<3x1xf32>) -> tensor<2x3x5xf32>\n"
         "  return %r : tensor<2x3x5xf32>", [np.broadcast_to(bx, (2, 3, 5))]))

# Linear algebra.
A, B = rand(7, 13), rand(13, 5)
add(Case("matmul_primes", [A, B],
         "  %r = kiln.matmul %a0, %a1 : (tensor<7x13xf32>, tensor<13x5xf32>) -> tensor<7x5xf32>\n"
         "  return %r : tensor<7x5xf32>", [ref(A) @ ref(B)]))
add(Case("matmul_dynamic_m", [A, B],
         "  %r = kiln.matmul %a0, %a1 : (tensor<?x13xf32>, tensor<13x5xf32>) -> tensor<?x5xf32>\n"
         "  return %r : tensor<?x5xf32>", [ref(A) @ ref(B)], [(0,), ()], out_dynamic=[(0,)]))
QA, KB = rand(2, 3, 4, 8), rand(2, 3, 5, 8)
add(Case("matmul_batched_transpose_rhs", [QA, KB],
         "  %r = kiln.matmul %a0, %a1 {transpose_rhs = true} : (tensor<2x3x4x8xf32>, tensor<2x3x5x8xf32>)"
         " -> tensor<2x3x4x5xf32>\n  return %r : tensor<2x3x4x5xf32>",
         [ref(QA) @ ref(KB).swapaxes(-1, -2)]))
BA, BB = rand(3, 4, 6), rand(3, 6, 2)
add(Case("matmul_batch_named", [BA, BB],
         "  %r = kiln.matmul %a0, %a1 : (tensor<3x4x6xf32>, tensor<3x6x2xf32>) -> tensor<3x4x2xf32>\n"
         "  return %r : tensor<3x4x2xf32>", [ref(BA) @ ref(BB)]))
TA, TB = rand(6, 4), rand(1, 6, 3)
add(Case("matmul_transpose_lhs_broadcast", [TA, TB],
         "  %r = kiln.matmul %a0, %a1 {transpose_lhs = true} : (tensor<6x4xf32>, tensor<1x6x3xf32>)"
         " -> tensor<1x4x3xf32>\n  return %r : tensor<1x4x3xf32>", [ref(TA).T @ ref(TB)]))
X, W, Bv = rand(2, 5, 16), rand(9, 16), rand(9)
add(Case("linear_bias_dynamic", [X, W, Bv],
         "  %r = kiln.linear %a0, %a1, %a2 : (tensor<?x5x16xf32>, tensor<9x16xf32>, tensor<9xf32>)"
         " -> tensor<?x5x9xf32>\n  return %r : tensor<?x5x9xf32>",
         [ref(X) @ ref(W).T + Bv], [(0,), (), ()], out_dynamic=[(0,)]))
add(Case("linear_no_bias", [X[0], W],
         "  %r = kiln.linear %a0, %a1 : (tensor<5x16xf32>, tensor<9x16xf32>) -> tensor<5x9xf32>\n"
         "  return %r : tensor<5x9xf32>", [ref(X[0]) @ ref(W).T]))
u, v = rand(4), rand(7)
add(Case("outer", [u, v],
         "  %r = kiln.outer %a0, %a1 : (tensor<4xf32>, tensor<?xf32>) -> tensor<4x?xf32>\n"
         "  return %r : tensor<4x?xf32>", [np.outer(u, v)], [(), (0,)], out_dynamic=[(1,)]))

# Convolutions in both layouts.
def conv_case(name, x, w, b=None, nhwc=False, stride=(1, 1), pads=(0, 0, 0, 0),
              dil=(1, 1), groups=1, dyn_batch=False):
    want = conv_nchw(x, w, b, stride, pads, dil, groups)
    xin, win = x, w
    if nhwc:
        xin = x.transpose(0, 2, 3, 1).copy()
        win = w.transpose(2, 3, 1, 0).copy()
        want = want.transpose(0, 2, 3, 1)
    want = np.ascontiguousarray(want, dtype=f32)
    ins = [xin, win] + ([b] if b is not None else [])
    dyn = [(0,) if dyn_batch else (), ()] + ([()] if b is not None else [])
    attrs = (f"{{strides = array<i64: {stride[0]}, {stride[1]}>, pads = array<i64: "
             f"{', '.join(map(str, pads))}>, dilations = array<i64: {dil[0]}, {dil[1]}>, "
             f"groups = {groups} : i64, layout = #kiln.layout<{'nhwc' if nhwc else 'nchw'}>}}")
    operands = "%a0, %a1" + (", %a2" if b is not None else "")
    types = ", ".join(t(a, d) for a, d in zip(ins, dyn))
    od = (0,) if dyn_batch else ()
    body = (f"  %r = kiln.conv2d {operands} {attrs} : ({types}) -> {t(want, od)}\n"
            f"  return %r : {t(want, od)}")
    return Case(name, ins, body, [want], dyn, out_dynamic=[od])


add(conv_case("conv_nchw_stride2_pad_bias", rand(2, 3, 11, 13), rand(5, 3, 3, 3), rand(5),
              stride=(2, 2), pads=(1, 1, 1, 1)))
add(conv_case("conv_nhwc_dynamic_batch", rand(3, 4, 7, 9), rand(6, 4, 3, 3), rand(6),
              nhwc=True, pads=(1, 0, 1, 2), dyn_batch=True))
add(conv_case("conv_nchw_dilated_asym", rand(1, 2, 12, 10), rand(3, 2, 3, 2),
              dil=(2, 3), pads=(0, 1, 2, 0)))
add(conv_case("conv_depthwise_nchw", rand(1, 8, 9, 9), rand(8, 1, 3, 3), rand(8),
              groups=8, pads=(1, 1, 1, 1)))
add(conv_case("conv_depthwise_nhwc_stride2", rand(2, 6, 10, 10), rand(6, 1, 3, 3),
              nhwc=True, groups=6, stride=(2, 2), pads=(1, 1, 1, 1)))
# Depthwise convolutions and pooling run as sums of strided taps
# (kiln-cpu-decompose-windows), vectorized along the output's innermost
# dim: widths that no vector fills, a width of 1, dilation with stride,
# 5x5, and dynamic batches.
add(conv_case("conv_depthwise_nchw_s2_width37", rand(1, 5, 17, 73), rand(5, 1, 3, 3),
              rand(5), groups=5, stride=(2, 2), pads=(1, 1, 1, 1)))
add(conv_case("conv_depthwise_nchw_d2_5x5_dynamic_batch", rand(2, 3, 19, 23),
              rand(3, 1, 5, 5), rand(3), groups=3, dil=(2, 2), stride=(1, 2),
              pads=(4, 3, 4, 2), dyn_batch=True))
add(conv_case("conv_depthwise_nhwc_c37_width1", rand(1, 37, 5, 3), rand(37, 1, 3, 3),
              rand(37), nhwc=True, groups=37))
add(conv_case("conv_depthwise_nhwc_dynamic_batch", rand(3, 19, 9, 8), rand(19, 1, 3, 3),
              nhwc=True, groups=19, pads=(1, 1, 1, 1), dyn_batch=True))
# Grouped NCHW at batch 1: one batch_matmul over the groups (im2col).
add(conv_case("conv_grouped_nchw_s2_g4", rand(1, 16, 9, 11), rand(12, 4, 3, 3), rand(12),
              groups=4, stride=(2, 2), pads=(1, 0, 1, 1)))
add(conv_case("conv_grouped_nchw", rand(1, 6, 7, 7), rand(4, 3, 3, 3), rand(4), groups=2))
add(conv_case("conv_grouped_nhwc", rand(2, 6, 5, 5), rand(9, 2, 1, 1), nhwc=True, groups=3))
add(conv_case("conv_1x1_size1", rand(1, 1, 1, 1), rand(1, 1, 1, 1)))
# Regular convolutions run as im2col + a packed GEMM (kiln-cpu-im2col):
# prime channels and spatial sizes, stride 2 with dilation 2, batches of 3
# and dynamic, 1x1 with and without a gather, and a K larger than a K block.
add(conv_case("conv_nchw_primes_s2_d2_batch3", rand(3, 7, 13, 11), rand(11, 7, 3, 3),
              rand(11), stride=(2, 2), dil=(2, 2), pads=(1, 2, 1, 0)))
add(conv_case("conv_nhwc_primes_s2_d2_dynamic_batch", rand(3, 7, 13, 11), rand(11, 7, 3, 3),
              rand(11), nhwc=True, stride=(2, 2), dil=(2, 2), pads=(2, 1, 0, 1),
              dyn_batch=True))
add(conv_case("conv_nchw_dynamic_batch", rand(2, 5, 9, 7), rand(13, 5, 3, 3), rand(13),
              pads=(1, 1, 1, 1), dyn_batch=True))
add(conv_case("conv_nchw_1x1", rand(1, 17, 5, 7), rand(19, 17, 1, 1), rand(19)))
add(conv_case("conv_nhwc_1x1_batch3", rand(3, 17, 5, 7), rand(19, 17, 1, 1), nhwc=True))
add(conv_case("conv_nchw_1x1_stride2_batch3", rand(3, 5, 9, 9), rand(7, 5, 1, 1),
              stride=(2, 2)))
add(conv_case("conv_nchw_k333", rand(1, 37, 19, 17), rand(41, 37, 3, 3), rand(41),
              pads=(0, 1, 0, 1)))


def pool_case(name, x, kind, k, nhwc=False, **kw):
    want = pool_nchw(x, kind, k, **kw)
    attrs = [f"kernel = array<i64: {k[0]}, {k[1]}>"]
    if "stride" in kw:
        attrs.append(f"strides = array<i64: {kw['stride'][0]}, {kw['stride'][1]}>")
    if "pads" in kw:
        attrs.append(f"pads = array<i64: {', '.join(map(str, kw['pads']))}>")
    if "dil" in kw:
        attrs.append(f"dilations = array<i64: {kw['dil'][0]}, {kw['dil'][1]}>")
    if kw.get("ceil"):
        attrs.append("ceil_mode = true")
    if kw.get("include_pad"):
        attrs.append("count_include_pad = true")
    xin = x
    if nhwc:
        attrs.append("layout = #kiln.layout<nhwc>")
        xin = x.transpose(0, 2, 3, 1).copy()
        want = want.transpose(0, 2, 3, 1)
    want = want.astype(f32)
    body = (f"  %r = kiln.pool2d {kind} %a0 {{{', '.join(attrs)}}} : ({t(xin)}) -> {t(want)}\n"
            f"  return %r : {t(want)}")
    return Case(name, [xin], body, [want])


px = rand(2, 3, 11, 11)
add(pool_case("maxpool_3x3_s2_p1", px, "max", (3, 3), stride=(2, 2), pads=(1, 1, 1, 1)))
add(pool_case("maxpool_nhwc_ceil", px, "max", (2, 2), nhwc=True, stride=(2, 2), ceil=True))
add(pool_case("avgpool_exclude_pad", px, "avg", (3, 3), stride=(2, 2), pads=(1, 1, 1, 1)))
add(pool_case("avgpool_include_pad", px, "avg", (3, 2), stride=(1, 2), pads=(1, 0, 1, 1),
              include_pad=True))
add(pool_case("avgpool_ceil_dilated", px, "avg", (2, 2), stride=(3, 3), dil=(2, 2), ceil=True))
add(pool_case("avgpool_nhwc", px, "avg", (2, 3), nhwc=True, stride=(2, 2)))
add(pool_case("maxpool_width41_s1", rand(1, 3, 7, 43), "max", (3, 3), pads=(1, 0, 1, 0)))
add(pool_case("maxpool_nhwc_c35_dilated", rand(2, 35, 9, 9), "max", (2, 2), nhwc=True,
              dil=(2, 2)))
add(pool_case("avgpool_7x7_to_1", rand(1, 19, 7, 7), "avg", (7, 7)))

gx = rand(2, 5, 7, 3)
add(Case("global_avg_pool_nchw_dynamic", [gx],
         "  %r = kiln.global_avg_pool %a0 : (tensor<?x5x?x3xf32>) -> tensor<?x5x1x1xf32>\n"
         "  return %r : tensor<?x5x1x1xf32>", [ref(gx).mean(axis=(2, 3), keepdims=True)],
         [(0, 2)], out_dynamic=[(0,)]))
add(Case("global_avg_pool_nhwc", [gx],
         "  %r = kiln.global_avg_pool %a0 {layout = #kiln.layout<nhwc>} : (tensor<2x5x7x3xf32>)"
         " -> tensor<2x1x1x3xf32>\n  return %r : tensor<2x1x1x3xf32>",
         [ref(gx).mean(axis=(1, 2), keepdims=True)]))

# Normalization and reductions.
bn_x = rand(2, 4, 3, 5)
sc, bi, mu, var = rand(4), rand(4), rand(4), rand(4, lo=0.5, hi=2)
bn_want = (ref(bn_x) - mu[None, :, None, None]) / np.sqrt(var[None, :, None, None] + 1e-3) \
    * sc[None, :, None, None] + bi[None, :, None, None]
p4 = "tensor<4xf32>"
add(Case("batch_norm_nchw", [bn_x, sc, bi, mu, var],
         f"  %r = kiln.batch_norm %a0, %a1, %a2, %a3, %a4 {{epsilon = 1.0e-3 : f64}} : "
         f"(tensor<?x4x3x5xf32>, {p4}, {p4}, {p4}, {p4}) -> tensor<?x4x3x5xf32>\n"
         "  return %r : tensor<?x4x3x5xf32>", [bn_want], [(0,), (), (), (), ()],
         out_dynamic=[(0,)]))
ln_x, g, bb = rand(2, 7, 10, lo=-3, hi=3), rand(10), rand(10)
add(Case("layer_norm_last_axis", [ln_x, g, bb],
         "  %r = kiln.layer_norm %a0 scale %a1 bias %a2 : (tensor<?x7x10xf32>, tensor<10xf32>, "
         "tensor<10xf32>) -> tensor<?x7x10xf32>\n  return %r : tensor<?x7x10xf32>",
         [layer_norm(ref(ln_x), 2, 1e-5, g, bb)], [(0,), (), ()], out_dynamic=[(0,)]))
add(Case("layer_norm_axis1_no_params", [ln_x],
         "  %r = kiln.layer_norm %a0 {axis = 1 : i64, epsilon = 1.0e-3 : f64} : (tensor<2x7x10xf32>)"
         " -> tensor<2x7x10xf32>\n  return %r : tensor<2x7x10xf32>",
         [layer_norm(ref(ln_x), 1, 1e-3)]))
sm = rand(3, 5, 17, lo=-10, hi=10)
add(Case("softmax_last", [sm],
         "  %r = kiln.softmax %a0 : (tensor<3x5x?xf32>) -> tensor<3x5x?xf32>\n"
         "  return %r : tensor<3x5x?xf32>", [softmax(ref(sm))], [(2,)], out_dynamic=[(2,)]))
add(Case("log_softmax_axis1", [sm],
         "  %r = kiln.log_softmax %a0 {axis = 1 : i64} : (tensor<3x5x17xf32>) -> tensor<3x5x17xf32>\n"
         "  return %r : tensor<3x5x17xf32>", [np.log(softmax(ref(sm), 1))]))
# Rows that the target's vectors split take the online max and sum (one
# pass): 1024 (16 lanes on AVX-512, 8 on AVX2), 1000 (8 lanes), with wide
# values, whole masked (-inf) stretches and a row that peaks at its end;
# a dynamic batch; log_softmax; AVX2 code.
so = rand(6, 1024, lo=-30, hi=30)
so[1, :512] = -np.inf
so[2, ::3] = -np.inf
so[3] = np.linspace(-50, 50, 1024)
so[4] = np.linspace(50, -50, 1024)
for suffix, flags in (("", []), ("_avx2", ["--cpu=znver3"])):
    add(Case("softmax_online" + suffix, [so],
             "  %r = kiln.softmax %a0 : (tensor<?x1024xf32>) -> tensor<?x1024xf32>\n"
             "  return %r : tensor<?x1024xf32>", [softmax(ref(so))], [(0,)],
             out_dynamic=[(0,)], rtol=1e-5, atol=1e-6, flags=flags))
sk = rand(3, 4, 1000, lo=-8, hi=8)
add(Case("log_softmax_online_1000", [sk],
         "  %r = kiln.log_softmax %a0 : (tensor<3x4x1000xf32>) -> tensor<3x4x1000xf32>\n"
         "  return %r : tensor<3x4x1000xf32>", [np.log(softmax(ref(sk)))],
         rtol=1e-5, atol=1e-5))
rx = rand(4, 3, 5, lo=0.5, hi=1.5)
for op, fn in [("reduce_sum", np.sum), ("reduce_mean", np.mean), ("reduce_max", np.max),
               ("reduce_min", np.min), ("reduce_prod", np.prod)]:
    add(Case(f"{op}_keepdims", [rx],
             f"  %r = kiln.{op} %a0 {{axes = array<i64: -1, 0>}} : (tensor<?x3x5xf32>) -> tensor<1x3x1xf32>\n"
             "  return %r : tensor<1x3x1xf32>", [fn(ref(rx), axis=(0, 2), keepdims=True)], [(0,)]))
    add(Case(f"{op}_all", [rx],
             f"  %r = kiln.{op} %a0 {{keepdims = false}} : (tensor<4x3x5xf32>) -> tensor<f32>\n"
             "  return %r : tensor<f32>", [np.asarray(fn(ref(rx)))]))
ri = rng.integers(-20, 20, (3, 6)).astype(np.int32)
add(Case("reduce_sum_i32_axis", [ri],
         "  %r = kiln.reduce_sum %a0 {axes = array<i64: 1>, keepdims = false} : (tensor<3x6xi32>)"
         " -> tensor<3xi32>\n  return %r : tensor<3xi32>", [ri.sum(axis=1).astype(np.int32)]))

# Quantization.
qx = rand(4, 6, lo=-7, hi=7)
# A quantized result is returned as its i8 storage at the ABI.
add(Case("quantize_per_tensor", [qx],
         "  %q = kiln.quantize %a0 : (tensor<4x6xf32>) -> tensor<4x6x!quant.uniform<i8:f32, 0.05:-3>>\n"
         "  return %q : tensor<4x6x!quant.uniform<i8:f32, 0.05:-3>>", [quantize(qx, 0.05, -3)]))
cases[-1].mlir = cases[-1].mlir.replace("-> (tensor<4x6xi8>)",
                                        "-> (tensor<4x6x!quant.uniform<i8:f32, 0.05:-3>>)")
scales = [0.1, 0.02, 0.05, 0.2]
zps = [0, 1, -2, 5]
qtype = "!quant.uniform<i8:f32:0, {" + ", ".join(f"{s}:{z}" for s, z in zip(scales, zps)) + "}>"
add(Case("quantize_dequantize_per_axis", [qx],
         f"  %q = kiln.quantize %a0 : (tensor<4x6xf32>) -> tensor<4x6x{qtype}>\n"
         f"  %r = kiln.dequantize %q : (tensor<4x6x{qtype}>) -> tensor<4x6xf32>\n"
         "  return %r : tensor<4x6xf32>",
         [((quantize(qx, np.array(scales), np.array(zps), axis=0).astype(np.float64)
            - np.reshape(zps, (4, 1))) * np.reshape(scales, (4, 1)))]))

# Attention.
q, k, vv = rand(2, 3, 5, 8), rand(2, 3, 7, 8), rand(2, 3, 7, 4)
scores = ref(q) @ ref(k).swapaxes(-1, -2) / math.sqrt(8)
add(Case("attention_plain", [q, k, vv],
         "  %r = kiln.attention %a0, %a1, %a2 : (tensor<?x3x5x8xf32>, tensor<?x3x7x8xf32>, "
         "tensor<?x3x7x4xf32>) -> tensor<?x3x5x4xf32>\n  return %r : tensor<?x3x5x4xf32>",
         [softmax(scores) @ ref(vv)], [(0,), (0,), (0,)], out_dynamic=[(0,)]))
mask = rng.random((2, 1, 1, 7)) > 0.3
mask[..., 0] = True
add(Case("attention_bool_mask_scale", [q, k, vv, mask],
         "  %r = kiln.attention %a0, %a1, %a2, %a3 {scale = 0.5 : f64} : (tensor<2x3x5x8xf32>, "
         "tensor<2x3x7x8xf32>, tensor<2x3x7x4xf32>, tensor<2x1x1x7xi1>) -> tensor<2x3x5x4xf32>\n"
         "  return %r : tensor<2x3x5x4xf32>",
         [softmax(np.where(mask, ref(q) @ ref(k).swapaxes(-1, -2) * 0.5, -np.inf)) @ ref(vv)]))
fmask = rand(5, 7)
q2, k2, v2 = rand(3, 5, 8), rand(3, 5, 8), rand(3, 5, 6)
causal = np.triu(np.full((5, 5), -np.inf), 1)
add(Case("attention_causal", [q2, k2, v2],
         "  %r = kiln.attention %a0, %a1, %a2 {is_causal = true} : (tensor<3x5x8xf32>, "
         "tensor<3x5x8xf32>, tensor<3x5x6xf32>) -> tensor<3x5x6xf32>\n  return %r : tensor<3x5x6xf32>",
         [softmax(ref(q2) @ ref(k2).swapaxes(-1, -2) / math.sqrt(8) + causal) @ ref(v2)]))
add(Case("attention_float_mask", [q, k, vv, fmask],
         "  %r = kiln.attention %a0, %a1, %a2, %a3 : (tensor<2x3x5x8xf32>, tensor<2x3x7x8xf32>, "
         "tensor<2x3x7x4xf32>, tensor<5x7xf32>) -> tensor<2x3x5x4xf32>\n  return %r : tensor<2x3x5x4xf32>",
         [softmax(scores + fmask) @ ref(vv)]))

# Flash-style attention (more keys than one block of 128): a ragged last
# block, a block that the mask removes for a whole batch entry, causal
# masking across blocks, run-time key lengths and a float mask with -inf,
# and a key length that divides into blocks.
fq, fk, fv = rand(2, 300, 16), rand(2, 300, 16), rand(2, 300, 8)
fmask_b = rng.random((2, 1, 300)) > 0.2
fmask_b[..., 0] = True
fmask_b[1, :, 128:256] = False
fs = np.where(fmask_b, ref(fq) @ ref(fk).swapaxes(-1, -2) / 4.0, -np.inf)
fs = fs + np.triu(np.full((300, 300), -np.inf), 1)
add(Case("attention_flash_causal_bool_mask", [fq, fk, fv, fmask_b],
         "  %r = kiln.attention %a0, %a1, %a2, %a3 {is_causal = true} : (tensor<2x300x16xf32>, "
         "tensor<2x300x16xf32>, tensor<2x300x8xf32>, tensor<2x1x300xi1>) -> tensor<2x300x8xf32>\n"
         "  return %r : tensor<2x300x8xf32>",
         [softmax(fs) @ ref(fv)], ))
gq, gk, gv = rand(1, 2, 7, 8), rand(1, 2, 261, 8), rand(1, 2, 261, 4)
gmask = rand(7, 261)
gmask[3, :200] = -np.inf
add(Case("attention_flash_dynamic_keys_float_mask", [gq, gk, gv, gmask],
         "  %r = kiln.attention %a0, %a1, %a2, %a3 : (tensor<1x2x7x8xf32>, tensor<1x2x?x8xf32>, "
         "tensor<1x2x?x4xf32>, tensor<7x?xf32>) -> tensor<1x2x7x4xf32>\n"
         "  return %r : tensor<1x2x7x4xf32>",
         [softmax(ref(gq) @ ref(gk).swapaxes(-1, -2) / math.sqrt(8) + gmask) @ ref(gv)],
         [(), (2,), (2,), (1,)], ))
hq, hk, hv = rand(3, 33, 32), rand(3, 256, 32), rand(3, 256, 5)
add(Case("attention_flash_whole_blocks", [hq, hk, hv],
         "  %r = kiln.attention %a0, %a1, %a2 : (tensor<?x33x32xf32>, tensor<?x256x32xf32>, "
         "tensor<?x256x5xf32>) -> tensor<?x33x5xf32>\n  return %r : tensor<?x33x5xf32>",
         [softmax(ref(hq) @ ref(hk).swapaxes(-1, -2) / math.sqrt(32)) @ ref(hv)],
         [(0,), (0,), (0,)], out_dynamic=[(0,)]))

# A score block shaped like the output (block = queries = head dim = 128):
# the vectorizer once hoisted the model's loop's state as a tile's.
iq, ik, iv = rand(1, 128, 128), rand(1, 256, 128), rand(1, 256, 128)
add(Case("attention_flash_block_shaped_like_output", [iq, ik, iv],
         "  %r = kiln.attention %a0, %a1, %a2 : (tensor<1x128x128xf32>, tensor<1x256x128xf32>, "
         "tensor<1x256x128xf32>) -> tensor<1x128x128xf32>\n  return %r : tensor<1x128x128xf32>",
         [softmax(ref(iq) @ ref(ik).swapaxes(-1, -2) / math.sqrt(128)) @ ref(iv)]))

# Regressions found by kiln-smith: dims that are `?` in one operand and
# static in another or in the result.
qd, kd, vd = rand(2, 5, 6), rand(2, 7, 6), rand(2, 7, 3)
add(Case("attention_dynamic_head_dim", [qd, kd, vd],
         "  %r = kiln.attention %a0, %a1, %a2 : (tensor<2x5x?xf32>, tensor<2x7x?xf32>, "
         "tensor<2x7x3xf32>) -> tensor<2x5x3xf32>\n  return %r : tensor<2x5x3xf32>",
         [softmax(ref(qd) @ ref(kd).swapaxes(-1, -2) / math.sqrt(6)) @ ref(vd)],
         [(2,), (2,), ()]))
add(Case("attention_static_mask_dynamic_queries", [qd, kd, vd, fmask],
         "  %r = kiln.attention %a0, %a1, %a2, %a3 : (tensor<2x?x6xf32>, tensor<2x7x6xf32>, "
         "tensor<2x7x3xf32>, tensor<5x7xf32>) -> tensor<2x?x3xf32>\n  return %r : tensor<2x?x3xf32>",
         [softmax(ref(qd) @ ref(kd).swapaxes(-1, -2) / math.sqrt(6) + fmask) @ ref(vd)],
         [(1,), (), (), ()], out_dynamic=[(1,)]))
q1, k1, v1 = rand(1, 5, 6), rand(1, 7, 6), rand(1, 7, 3)
add(Case("attention_dynamic_batch_meets_1", [q1, k1, v1],
         "  %r = kiln.attention %a0, %a1, %a2 : (tensor<?x?x6xf32>, tensor<1x7x6xf32>, "
         "tensor<1x7x3xf32>) -> tensor<1x?x3xf32>\n  return %r : tensor<1x?x3xf32>",
         [softmax(ref(q1) @ ref(k1).swapaxes(-1, -2) / math.sqrt(6)) @ ref(v1)],
         [(0, 1), (), ()], out_dynamic=[(1,)]))
ma, mb = rand(7, 2, 3, 4), rand(7, 1, 4, 5)
add(Case("matmul_batch_dynamic_meets_static", [ma, mb],
         "  %r = kiln.matmul %a0, %a1 : (tensor<?x?x3x4xf32>, tensor<7x1x4x5xf32>) -> tensor<7x?x3x5xf32>\n"
         "  return %r : tensor<7x?x3x5xf32>", [ref(ma) @ ref(mb)], [(0, 1), ()],
         out_dynamic=[(1,)]))
cvx, cvw = rand(2, 4, 4, 2), rand(3, 3, 2, 5)
add(Case("conv_nhwc_dynamic_batch_static_result", [cvx, cvw],
         "  %r = kiln.conv2d %a0, %a1 {layout = #kiln.layout<nhwc>} : (tensor<?x4x4x2xf32>, "
         "tensor<3x3x2x5xf32>) -> tensor<2x2x2x5xf32>\n  return %r : tensor<2x2x2x5xf32>",
         [conv_nchw(ref(cvx).transpose(0, 3, 1, 2),
                    ref(cvw).transpose(3, 2, 0, 1)).transpose(0, 2, 3, 1)],
         [(0,), ()]))
sa, sb = rand(3, 1), rand(2, 7)
add(Case("strided_slice_broadcast", [sa, sb],
         "  %s = kiln.slice %a0 {starts = array<i64: 0, 0>, ends = array<i64: 3, 1>, "
         "steps = array<i64: 2, 1>} : (tensor<3x1xf32>) -> tensor<2x1xf32>\n"
         "  %r = kiln.add %s, %a1 : (tensor<2x1xf32>, tensor<2x7xf32>) -> tensor<2x7xf32>\n"
         "  return %r : tensor<2x7xf32>", [ref(sa)[::2] + ref(sb)]))
ca, cb = rand(2, 1), rand(2, 7)
add(Case("concat_relu_last_column", [ca, cb],
         "  %v = kiln.relu %a0 : (tensor<2x1xf32>) -> tensor<2x1xf32>\n"
         "  %r = kiln.concat %a1, %v {axis = -1 : i64} : (tensor<2x7xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>\n"
         "  return %r : tensor<2x8xf32>", [np.concatenate([ref(cb), np.maximum(ref(ca), 0)], -1)]))
gx, gw = rand(1, 34, 3, 3), rand(34, 2, 1, 1)
add(Case("conv_grouped_dynamic_channels", [gx, gw],
         "  %r = kiln.conv2d %a0, %a1 {groups = 17 : i64} : (tensor<1x?x3x3xf32>, "
         "tensor<34x2x1x1xf32>) -> tensor<1x34x3x3xf32>\n  return %r : tensor<1x34x3x3xf32>",
         [conv_nchw(ref(gx), ref(gw), groups=17)], [(1,), ()]))
bx = rand(2, 3, 2, 2)
bnp = [rand(3), rand(3), rand(3), np.abs(rand(3)) + 0.5]
add(Case("batch_norm_dynamic_channels", [bx] + bnp,
         "  %r = kiln.batch_norm %a0, %a1, %a2, %a3, %a4 {epsilon = 1.0e-05 : f64} : (tensor<?x?x2x2xf32>, "
         "tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x?x2x2xf32>\n"
         "  return %r : tensor<?x?x2x2xf32>",
         [(ref(bx) - ref(bnp[2])[:, None, None]) / np.sqrt(ref(bnp[3])[:, None, None] + 1e-5)
          * ref(bnp[0])[:, None, None] + ref(bnp[1])[:, None, None]],
         [(0, 1), (), (), (), ()], out_dynamic=[(0, 1)]))
kx, kw = rand(1, 2, 2, 3), rand(1, 2, 3, 4)
add(Case("matmul_dynamic_k_meets_static", [kx, kw],
         "  %r = kiln.matmul %a0, %a1 : (tensor<1x2x2x?xf32>, tensor<1x2x3x4xf32>) -> tensor<1x2x2x4xf32>\n"
         "  return %r : tensor<1x2x2x4xf32>", [ref(kx) @ ref(kw)], [(3,), ()]))
# kiln-smith's first miscompile: a GEMM result that is a strided tile of
# the packed accumulator (2x1 of 8x32), cast to a dynamic result type, was
# returned without a copy; the caller read row 1 from the wrong place.
rb = rand(1, 1)
rw = rand(2, 1)
rwtext = np.array2string(rw, separator=", ", floatmode="unique").replace("\n", "")
add(Case("matmul_tile_result_cast_dynamic", [rb],
         "  %w = kiln.constant dense<" + rwtext + "> : tensor<2x1xf32>\n"
         "  %s = kiln.sigmoid %a0 : (tensor<1x?xf32>) -> tensor<1x?xf32>\n"
         "  %r = kiln.matmul %w, %s : (tensor<2x1xf32>, tensor<1x?xf32>) -> tensor<2x?xf32>\n"
         "  return %r : tensor<2x?xf32>", [ref(rw) @ (1 / (1 + np.exp(-ref(rb))))],
         [(1,)], out_dynamic=[(1,)]))
so = rand(5, 1)
add(Case("strided_slice_dynamic_to_one_element", [so],
         "  %s = kiln.slice %a0 {starts = array<i64: 0, 0>, ends = array<i64: 1, 1>, "
         "steps = array<i64: 2, 1>} : (tensor<?x1xf32>) -> tensor<?x1xf32>\n"
         "  %r = kiln.reshape %s [1] : (tensor<?x1xf32>) -> tensor<1xf32>\n"
         "  return %r : tensor<1xf32>", [ref(so)[0:1:2].reshape(1)], [(0,)]))
pa, pb = rand(1, 5), rand(3, 3)
add(Case("matmul_rhs_zero_padded_k", [pa, pb],
         "  %p = kiln.pad %a1 {low = array<i64: 0, 0>, high = array<i64: 2, 0>, value = 0.0 : f64} "
         ": (tensor<3x3xf32>) -> tensor<5x3xf32>\n"
         "  %r = kiln.matmul %a0, %p : (tensor<1x5xf32>, tensor<5x3xf32>) -> tensor<1x3xf32>\n"
         "  return %r : tensor<1x3xf32>", [ref(pa)[:, :3] @ ref(pb)]))
ea, eb = rand(2, 3, 4), rand(3, 1)
add(Case("add_dynamic_dim_meets_static_with_broadcast", [ea, eb],
         "  %r = kiln.add %a0, %a1 : (tensor<2x?x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>\n"
         "  return %r : tensor<2x3x4xf32>", [ref(ea) + ref(eb)], [(1,), ()]))

# Vectorized elementwise ops and reductions (kiln-cpu-vectorize-elementwise):
# whole vectors, static and dynamic remainders of every vector width (4, 8,
# 16 lanes), and reductions whose masked lanes must not leak into the result
# (a max of negatives, a min of positives, a product). Own generator, so that
# the cases above keep their inputs.
vrng = np.random.default_rng(7)


def vrand(*shape, lo=-1.0, hi=1.0):
    return vrng.uniform(lo, hi, shape).astype(f32)


def gelu_ref(v):
    return 0.5 * v * (1 + erf(v / math.sqrt(2)))


vx, vb = vrand(2, 64, lo=-3, hi=3), vrand(64)
add(Case("vec_add_gelu_relu_whole_vectors", [vx, vb],
         "  %0 = kiln.add %a0, %a1 : (tensor<2x64xf32>, tensor<64xf32>) -> tensor<2x64xf32>\n"
         "  %1 = kiln.gelu %0 : (tensor<2x64xf32>) -> tensor<2x64xf32>\n"
         "  %r = kiln.relu %1 : (tensor<2x64xf32>) -> tensor<2x64xf32>\n"
         "  return %r : tensor<2x64xf32>",
         [np.maximum(gelu_ref(ref(vx) + ref(vb)), 0)]))
add(binary("vec_add_bias_remainder", "add", np.add, vrand(3, 37), vrand(37)))
add(binary("vec_mul_dynamic_remainder", "mul", np.multiply, vrand(2, 21), vrand(2, 21),
           dyn=((0, 1), (0, 1))))
add(unary("vec_sigmoid_collapsed_nchw", "sigmoid", lambda v: 1 / (1 + np.exp(-v)),
          vrand(2, 3, 5, 7)))
vi, vj = vrng.integers(-99, 99, (3, 37)).astype(np.int32), \
    vrng.integers(-99, 99, (37,)).astype(np.int32)
add(binary("vec_add_i32_remainder", "add", np.add, vi, vj))
for name, op, fn, lo, hi in [("max_negative", "reduce_max", np.max, -9, -1),
                             ("min_positive", "reduce_min", np.min, 1, 9),
                             ("prod", "reduce_prod", np.prod, 0.9, 1.1),
                             ("sum", "reduce_sum", np.sum, -1, 1)]:
    vr = vrand(3, 37, lo=lo, hi=hi)
    want = fn(ref(vr), axis=1)
    add(Case(f"vec_{name}_remainder", [vr],
             f"  %r = kiln.{op} %a0 {{axes = array<i64: -1>, keepdims = false}} : "
             "(tensor<3x37xf32>) -> tensor<3xf32>\n  return %r : tensor<3xf32>", [want]))
    add(Case(f"vec_{name}_dynamic", [vr],
             f"  %r = kiln.{op} %a0 {{axes = array<i64: -1>, keepdims = false}} : "
             "(tensor<?x?xf32>) -> tensor<?xf32>\n  return %r : tensor<?xf32>", [want],
             [(0, 1)], out_dynamic=[(0,)]))
vl = vrand(2, 1000)
add(Case("vec_sum_long_rows", [vl],
         "  %r = kiln.reduce_sum %a0 {axes = array<i64: 1>, keepdims = false} : "
         "(tensor<2x?xf32>) -> tensor<2xf32>\n  return %r : tensor<2xf32>",
         [ref(vl).sum(axis=1)], [(1,)]))
vc = vrand(37, 21)
add(Case("vec_sum_columns", [vc],
         "  %r = kiln.reduce_sum %a0 {axes = array<i64: 0>, keepdims = false} : "
         "(tensor<37x21xf32>) -> tensor<21xf32>\n  return %r : tensor<21xf32>",
         [ref(vc).sum(axis=0)]))
vsi = vrng.integers(-99, 99, (3, 37)).astype(np.int32)
add(Case("vec_sum_i32_dynamic", [vsi],
         "  %r = kiln.reduce_sum %a0 {axes = array<i64: 1>, keepdims = false} : "
         "(tensor<3x?xi32>) -> tensor<3xi32>\n  return %r : tensor<3xi32>",
         [vsi.sum(axis=1).astype(np.int32)], [(1,)]))
vs = vrand(2, 3, 100, lo=-30, hi=30)
add(Case("vec_softmax_long_rows", [vs],
         "  %r = kiln.softmax %a0 : (tensor<2x3x100xf32>) -> tensor<2x3x100xf32>\n"
         "  return %r : tensor<2x3x100xf32>", [softmax(ref(vs))]))
add(Case("vec_softmax_dynamic_rows", [vs[0]],
         "  %r = kiln.softmax %a0 : (tensor<?x?xf32>) -> tensor<?x?xf32>\n"
         "  return %r : tensor<?x?xf32>", [softmax(ref(vs[0]))], [(0, 1)],
         out_dynamic=[(0, 1)]))
vn, vg, vbb = vrand(3, 37, lo=10, hi=11), vrand(37), vrand(37)
add(Case("vec_layer_norm_offset_remainder", [vn, vg, vbb],
         "  %r = kiln.layer_norm %a0 scale %a1 bias %a2 : (tensor<3x37xf32>, tensor<37xf32>, "
         "tensor<37xf32>) -> tensor<3x37xf32>\n  return %r : tensor<3x37xf32>",
         [layer_norm(ref(vn), 1, 1e-5, vg, vbb)], rtol=1e-3, atol=1e-4))
vp = vrand(2, 5, 7, 7)
add(Case("vec_global_avg_pool_7x7", [vp],
         "  %r = kiln.global_avg_pool %a0 : (tensor<2x5x7x7xf32>) -> tensor<2x5x1x1xf32>\n"
         "  return %r : tensor<2x5x1x1xf32>", [ref(vp).mean(axis=(2, 3), keepdims=True)]))

# A recurrence carried through scf.for (as RNN/GRU/LSTM import): each step
# allocates its state and frees the last; the final state leaves the loop
# and is returned twice (itself and reshaped), so the results get copies
# and the loop's buffer is freed once (valgrind checks both).
lx, lw = vrand(7, 3, 5), vrand(5, 5)
lh = np.zeros((3, 5))
for step in range(7):
    lh = np.tanh(ref(lx)[step] @ ref(lw) + lh)
add(Case("loop_carried_state", [lx, lw],
         "  %c0 = arith.constant 0 : index\n  %c1 = arith.constant 1 : index\n"
         "  %n = tensor.dim %a0, %c0 : tensor<?x3x5xf32>\n"
         "  %h0 = kiln.constant dense<0.0> : tensor<3x5xf32>\n"
         "  %h = scf.for %i = %c0 to %n step %c1 iter_args(%s = %h0) -> (tensor<3x5xf32>) {\n"
         "    %x = tensor.extract_slice %a0[%i, 0, 0] [1, 3, 5] [1, 1, 1] : tensor<?x3x5xf32> to tensor<3x5xf32>\n"
         "    %m = kiln.matmul %x, %a1 : (tensor<3x5xf32>, tensor<5x5xf32>) -> tensor<3x5xf32>\n"
         "    %p = kiln.add %m, %s : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>\n"
         "    %t = kiln.tanh %p : (tensor<3x5xf32>) -> tensor<3x5xf32>\n"
         "    scf.yield %t : tensor<3x5xf32>\n  }\n"
         "  %r = kiln.reshape %h [1, 3, 5] : (tensor<3x5xf32>) -> tensor<1x3x5xf32>\n"
         "  return %h, %r : tensor<3x5xf32>, tensor<1x3x5xf32>",
         [lh, lh.reshape(1, 3, 5)], [(0,), ()], rtol=1e-3, atol=1e-4))
# Unsigned integers with the top bit set, where signed code would differ.
ua = np.array([0, 1, 127, 128, 200, 255, 37], np.uint8)
ub = np.array([1, 3, 2, 255, 100, 7, 37], np.uint8)
add(Case("unsigned_div_max_compare", [ua, ub],
         "  %d = kiln.div %a0, %a1 : (tensor<7xui8>, tensor<7xui8>) -> tensor<7xui8>\n"
         "  %m = kiln.max %a0, %a1 : (tensor<7xui8>, tensor<7xui8>) -> tensor<7xui8>\n"
         "  %c = kiln.compare lt, %a0, %a1 : (tensor<7xui8>, tensor<7xui8>) -> tensor<7xi1>\n"
         "  %f = kiln.cast %a0 : (tensor<7xui8>) -> tensor<7xf32>\n"
         "  return %d, %m, %c, %f : tensor<7xui8>, tensor<7xui8>, tensor<7xi1>, tensor<7xf32>",
         [ua // ub, np.maximum(ua, ub), ua < ub, ua.astype(np.float32)]))

# Dynamic dims that are 1 at run time broadcast (numpy): rows, columns,
# both operands at once, across ranks, against a static size, with a
# condition, through broadcast_to, and with a size 0 against a 1.
add(binary("add_runtime_broadcast_rows", "add", np.add, rand(5, 7),
           rand(1, 7), dyn=((0,), (0,))))
add(binary("mul_runtime_broadcast_both", "mul", np.multiply, rand(1, 13),
           rand(6, 1), dyn=((0, 1), (0, 1))))
add(binary("max_runtime_broadcast_static", "max", np.maximum, rand(1),
           rand(7), dyn=((0,), ())))
ra, rb = rand(3, 1, 5), rand(4, 1)
add(Case("sub_runtime_broadcast_ranks", [ra, rb],
         "  %r = kiln.sub %a0, %a1 : (tensor<?x?x?xf32>, tensor<?x?xf32>) -> tensor<?x?x?xf32>\n"
         "  return %r : tensor<?x?x?xf32>",
         [ref(ra) - ref(rb)], [(0, 1, 2), (0, 1)], out_dynamic=[(0, 1, 2)]))
rc, rx, ry = rng.uniform(size=(1, 11)) < 0.5, rand(3, 1), rand(3, 11)
add(Case("select_runtime_broadcast", [rc, rx, ry],
         "  %r = kiln.select %a0, %a1, %a2 : (tensor<?x?xi1>, tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>\n"
         "  return %r : tensor<?x?xf32>",
         [np.where(rc, ref(rx), ref(ry))], [(0, 1), (0, 1), (0, 1)],
         out_dynamic=[(0, 1)]))
bx = rand(1, 3)
add(Case("broadcast_to_runtime_one", [bx],
         "  %r = kiln.broadcast_to %a0 [5, 1] : (tensor<?x3xf32>) -> tensor<5x3xf32>\n"
         "  return %r : tensor<5x3xf32>",
         [np.ascontiguousarray(np.broadcast_to(ref(bx), (5, 3)))], [(0,)]))
ma, mb = rand(1, 4, 5), rand(3, 5, 6)
add(Case("matmul_runtime_broadcast_batch", [ma, mb],
         "  %r = kiln.matmul %a0, %a1 : (tensor<?x4x5xf32>, tensor<?x5x6xf32>) -> tensor<?x4x6xf32>\n"
         "  return %r : tensor<?x4x6xf32>",
         [np.matmul(ref(ma), ref(mb))], [(0,), (0,)], out_dynamic=[(0,)]))
add(binary("add_runtime_broadcast_empty", "add", np.add, np.zeros((0, 3), f32),
           rand(1, 3), dyn=((0,), (0,))))

# The rewrites of kiln-simplify, through the whole pipeline: a zero pad
# merged into a convolution's padding, a transpose into a matmul flag,
# x * (1 / y) as a division and a constant chain folded into one constant.
sx, sw = rand(1, 3, 7, 6), rand(4, 3, 3, 3)
sa, sb = rand(2, 5, 4), rand(2, 6, 4)
sy = rand(6, lo=0.5, hi=2)
want_conv = conv_nchw(np.pad(ref(sx), ((0, 0), (0, 0), (2, 1), (0, 1))), ref(sw),
                      pads=(1, 1, 1, 1))
want_mm = ref(sa) @ ref(sb).swapaxes(-1, -2)
want_div = ((want_mm / ref(sy)) + 2.0 + 3.0) * 2.0 * 0.5
add(Case("simplify_rewrites", [sx, sw, sa, sb, sy],
         "  %p = kiln.pad %a0 {low = array<i64: 0, 0, 2, 0>, high = array<i64: 0, 0, 1, 1>} : (tensor<1x3x7x6xf32>) -> tensor<1x3x10x7xf32>\n"
         "  %c = kiln.conv2d %p, %a1 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x10x7xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x10x7xf32>\n"
         "  %t = kiln.transpose %a3 [0, 2, 1] : (tensor<2x6x4xf32>) -> tensor<2x4x6xf32>\n"
         "  %m = kiln.matmul %a2, %t : (tensor<2x5x4xf32>, tensor<2x4x6xf32>) -> tensor<2x5x6xf32>\n"
         "  %one = kiln.constant dense<1.0> : tensor<f32>\n"
         "  %r = kiln.div %one, %a4 : (tensor<f32>, tensor<6xf32>) -> tensor<6xf32>\n"
         "  %q = kiln.mul %m, %r : (tensor<2x5x6xf32>, tensor<6xf32>) -> tensor<2x5x6xf32>\n"
         "  %c2 = kiln.constant dense<2.0> : tensor<f32>\n"
         "  %c3 = kiln.constant dense<3.0> : tensor<f32>\n"
         "  %h = kiln.constant dense<0.5> : tensor<f32>\n"
         "  %s1 = kiln.add %q, %c2 : (tensor<2x5x6xf32>, tensor<f32>) -> tensor<2x5x6xf32>\n"
         "  %s2 = kiln.add %s1, %c3 : (tensor<2x5x6xf32>, tensor<f32>) -> tensor<2x5x6xf32>\n"
         "  %s3 = kiln.mul %s2, %c2 : (tensor<2x5x6xf32>, tensor<f32>) -> tensor<2x5x6xf32>\n"
         "  %s4 = kiln.mul %s3, %h : (tensor<2x5x6xf32>, tensor<f32>) -> tensor<2x5x6xf32>\n"
         "  return %c, %s4 : tensor<1x4x10x7xf32>, tensor<2x5x6xf32>",
         [want_conv, want_div]))

# kiln-evaluate-constants, through the whole pipeline: a weight computed
# from constants (a matmul, tanh and a scale, none of which a folder
# evaluates) is computed at compile time by running Kiln's own code; the
# model then multiplies by it.
def dense(a):
    """The `dense<...>` literal of a float32 array."""
    def lit(x):
        return ("[" + ", ".join(lit(v) for v in x) + "]" if isinstance(x, list)
                else "%.9g" % x)
    return "dense<%s>" % lit(a.astype(np.float32).tolist())


ew1, ew2, ex = rand(5, 4), rand(4, 6), rand(3, 5)
want_w = np.tanh(ref(ew1) @ ref(ew2)) * 0.5
add(Case("evaluate_constants", [ex],
         f"  %w1 = kiln.constant {dense(ew1)} : tensor<5x4xf32>\n"
         f"  %w2 = kiln.constant {dense(ew2)} : tensor<4x6xf32>\n"
         "  %m = kiln.matmul %w1, %w2 : (tensor<5x4xf32>, tensor<4x6xf32>) -> tensor<5x6xf32>\n"
         "  %t = kiln.tanh %m : (tensor<5x6xf32>) -> tensor<5x6xf32>\n"
         "  %h = kiln.constant dense<0.5> : tensor<f32>\n"
         "  %w = kiln.mul %t, %h : (tensor<5x6xf32>, tensor<f32>) -> tensor<5x6xf32>\n"
         "  %r = kiln.matmul %a0, %w : (tensor<3x5xf32>, tensor<5x6xf32>) -> tensor<3x6xf32>\n"
         "  return %r : tensor<3x6xf32>",
         [ref(ex) @ want_w]))

# kiln-fold-batchnorm's scale/shift and batch-norm-before-conv folds,
# through the whole pipeline: conv * c + d (per channel) and a batch norm
# before an unpadded conv become one conv each.
fx, fw, fw2 = rand(1, 3, 6, 5), rand(4, 3, 3, 3), rand(2, 4, 1, 1)
fscale, fshift = rand(4, 1, 1, lo=0.5, hi=2), rand(4)
bn_s, bn_b, bn_m = rand(4, lo=0.5, hi=2), rand(4), rand(4)
bn_v = rand(4, lo=0.5, hi=2)
want_ss = conv_nchw(ref(fx), ref(fw), pads=(1, 1, 1, 1)) * ref(fscale) + \
    ref(fshift).reshape(1, 4, 1, 1)
bn_a = ref(bn_s) / np.sqrt(ref(bn_v) + 1e-5)
want_bn = conv_nchw((want_ss - ref(bn_m).reshape(1, 4, 1, 1)) *
                    bn_a.reshape(1, 4, 1, 1) + ref(bn_b).reshape(1, 4, 1, 1),
                    ref(fw2))
add(Case("fold_scale_shift_and_batchnorm_into_conv", [fx],
         f"  %w = kiln.constant {dense(fw)} : tensor<4x3x3x3xf32>\n"
         f"  %s = kiln.constant {dense(fscale)} : tensor<4x1x1xf32>\n"
         f"  %d = kiln.constant {dense(fshift.reshape(1, 4, 1, 1))} : tensor<1x4x1x1xf32>\n"
         "  %c = kiln.conv2d %a0, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x6x5xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x5xf32>\n"
         "  %m = kiln.mul %c, %s : (tensor<1x4x6x5xf32>, tensor<4x1x1xf32>) -> tensor<1x4x6x5xf32>\n"
         "  %y = kiln.add %m, %d : (tensor<1x4x6x5xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x6x5xf32>\n"
         f"  %bs = kiln.constant {dense(bn_s)} : tensor<4xf32>\n"
         f"  %bb = kiln.constant {dense(bn_b)} : tensor<4xf32>\n"
         f"  %bm = kiln.constant {dense(bn_m)} : tensor<4xf32>\n"
         f"  %bv = kiln.constant {dense(bn_v)} : tensor<4xf32>\n"
         "  %n = kiln.batch_norm %y, %bs, %bb, %bm, %bv {epsilon = 1.0e-5 : f64} : (tensor<1x4x6x5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x6x5xf32>\n"
         f"  %w2 = kiln.constant {dense(fw2)} : tensor<2x4x1x1xf32>\n"
         "  %z = kiln.conv2d %n, %w2 : (tensor<1x4x6x5xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x6x5xf32>\n"
         "  return %y, %z : tensor<1x4x6x5xf32>, tensor<1x2x6x5xf32>",
         [want_ss, want_bn]))

# kiln-convert-layout through the whole pipeline, both ways: an NCHW block
# (conv, per-channel constant add, relu, residual add, softmax over
# channels, max pool, concat, global pooling and flatten) compiled NHWC, and
# with a dynamic batch; its NHWC twin compiled NCHW. Odd sizes throughout.
lx, lw1, lw2 = rand(2, 3, 7, 5), rand(5, 3, 3, 3), rand(5, 5, 1, 1)
lc = rand(5, 1, 1)
l_a = conv_nchw(ref(lx), ref(lw1), pads=(1, 1, 1, 1)) + ref(lc)
l_r = np.maximum(l_a, 0)
l_b = conv_nchw(l_r, ref(lw2)) + l_r
l_s = np.exp(l_b - l_b.max(axis=1, keepdims=True))
l_s = l_s / l_s.sum(axis=1, keepdims=True)
l_p = pool_nchw(l_s, "max", (2, 2), stride=(2, 2))
l_cat = np.concatenate([l_p, l_p * 2.0], axis=1)
want_layout = l_cat.mean(axis=(2, 3))
layout_body = (
    f"  %w1 = kiln.constant {dense(lw1)} : tensor<5x3x3x3xf32>\n"
    f"  %w2 = kiln.constant {dense(lw2)} : tensor<5x5x1x1xf32>\n"
    f"  %c = kiln.constant {dense(lc)} : tensor<5x1x1xf32>\n"
    "  %two = kiln.constant dense<2.0> : tensor<f32>\n"
    "  %a = kiln.conv2d %a0, %w1 {pads = array<i64: 1, 1, 1, 1>} : (tensor<NX3x7x5xf32>, tensor<5x3x3x3xf32>) -> tensor<NX5x7x5xf32>\n"
    "  %a2 = kiln.add %a, %c : (tensor<NX5x7x5xf32>, tensor<5x1x1xf32>) -> tensor<NX5x7x5xf32>\n"
    "  %r = kiln.relu %a2 : (tensor<NX5x7x5xf32>) -> tensor<NX5x7x5xf32>\n"
    "  %b = kiln.conv2d %r, %w2 : (tensor<NX5x7x5xf32>, tensor<5x5x1x1xf32>) -> tensor<NX5x7x5xf32>\n"
    "  %b2 = kiln.add %b, %r : (tensor<NX5x7x5xf32>, tensor<NX5x7x5xf32>) -> tensor<NX5x7x5xf32>\n"
    "  %s = kiln.softmax %b2 {axis = 1 : i64} : (tensor<NX5x7x5xf32>) -> tensor<NX5x7x5xf32>\n"
    "  %p = kiln.pool2d max %s {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<NX5x7x5xf32>) -> tensor<NX5x3x2xf32>\n"
    "  %p2 = kiln.mul %p, %two : (tensor<NX5x3x2xf32>, tensor<f32>) -> tensor<NX5x3x2xf32>\n"
    "  %cat = kiln.concat %p, %p2 {axis = 1 : i64} : (tensor<NX5x3x2xf32>, tensor<NX5x3x2xf32>) -> tensor<NX10x3x2xf32>\n"
    "  %g = kiln.global_avg_pool %cat : (tensor<NX10x3x2xf32>) -> tensor<NX10x1x1xf32>\n"
    "  %f = kiln.reshape %g [0, -1] : (tensor<NX10x1x1xf32>) -> tensor<NX10xf32>\n"
    "  return %f : tensor<NX10xf32>")
add(Case("layout_nchw_to_nhwc", [lx], layout_body.replace("NX", "2x"),
         [want_layout], flags=["--layout=nhwc"]))
add(Case("layout_nchw_to_nhwc_dynamic_batch", [lx],
         layout_body.replace("NX", "?x"), [want_layout], [(0,)],
         out_dynamic=[(0,)], flags=["--layout=nhwc"]))
# The NHWC twin (filters [KH, KW, C, F]) compiled NCHW.
nx = np.ascontiguousarray(lx.transpose(0, 2, 3, 1))
add(Case("layout_nhwc_to_nchw", [nx],
         f"  %w1 = kiln.constant {dense(lw1.transpose(2, 3, 1, 0))} : tensor<3x3x3x5xf32>\n"
         f"  %c = kiln.constant {dense(lc.reshape(5))} : tensor<5xf32>\n"
         "  %a = kiln.conv2d %a0, %w1 {layout = #kiln.layout<nhwc>, pads = array<i64: 1, 1, 1, 1>} : (tensor<2x7x5x3xf32>, tensor<3x3x3x5xf32>) -> tensor<2x7x5x5xf32>\n"
         "  %a2 = kiln.add %a, %c : (tensor<2x7x5x5xf32>, tensor<5xf32>) -> tensor<2x7x5x5xf32>\n"
         "  %r = kiln.relu %a2 : (tensor<2x7x5x5xf32>) -> tensor<2x7x5x5xf32>\n"
         "  %p = kiln.pool2d max %r {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, layout = #kiln.layout<nhwc>} : (tensor<2x7x5x5xf32>) -> tensor<2x3x2x5xf32>\n"
         "  return %p : tensor<2x3x2x5xf32>",
         [pool_nchw(np.maximum(l_a, 0), "max", (2, 2),
                    stride=(2, 2)).transpose(0, 2, 3, 1)],
         flags=["--layout=nchw"]))

# int8 contractions (kiln.matmul_integer): exact i32 results, on each x86
# instruction path the target picks (vpdpbusd on AVX-512 VNNI, vpmaddwd on
# AVX2 and SSE2). Sizes: 1, primes, K not a multiple of the 2- or 4-byte
# steps, M past one register tile.
def imatmul(a, b, za=0, zb=0, transpose_rhs=False):
    b = b.T if transpose_rhs else b
    return ((a.astype(np.int64) - np.int64(za)) @
            (b.astype(np.int64) - np.asarray(zb, np.int64))).astype(np.int32)


INT8_TARGETS = [("", []), ("_avx2", ["--cpu=znver3"]),
                ("_sse2", ["--cpu=x86-64"])]
for m, k, n in [(1, 1, 1), (7, 13, 5), (37, 101, 53), (20, 64, 40)]:
    ia = rng.integers(0, 256, (m, k)).astype(np.uint8)
    ib = rng.integers(-128, 128, (n, k)).astype(np.int8)
    za = np.array(rng.integers(0, 256), np.uint8)
    for suffix, flags in INT8_TARGETS:
        add(Case(f"matmul_integer_u8s8_{m}x{k}x{n}{suffix}", [ia, ib, za],
                 f"  %r = kiln.matmul_integer %a0, %a1 lhs_zero_point(%a2) {{transpose_rhs = true}}"
                 f" : ({t(ia, (0,))}, {t(ib)}, tensor<ui8>) -> tensor<?x{n}xi32>\n"
                 f"  return %r : tensor<?x{n}xi32>",
                 [imatmul(ia, ib, za, transpose_rhs=True)], [(0,), (), ()],
                 out_dynamic=[(0,)], flags=flags))
# Frozen weights: packed (K padded to the step) and column-summed at
# compile time; a batch of rows in leading dims.
cx = rng.integers(0, 256, (2, 3, 29)).astype(np.uint8)
cw = rng.integers(-127, 128, (29, 11)).astype(np.int8)
czx = np.array(131, np.uint8)
for suffix, flags in INT8_TARGETS:
    add(Case(f"matmul_integer_constant_weights{suffix}", [cx, czx],
             f"  %w = kiln.constant {dense(cw)} : tensor<29x11xi8>\n"
             "  %r = kiln.matmul_integer %a0, %w lhs_zero_point(%a1)"
             " : (tensor<2x3x29xui8>, tensor<29x11xi8>, tensor<ui8>) -> tensor<2x3x11xi32>\n"
             "  return %r : tensor<2x3x11xi32>",
             [imatmul(cx.reshape(6, 29), cw, czx).reshape(2, 3, 11)],
             flags=flags))
# Signed x signed with per-column zero points, and unsigned x unsigned:
# vpmaddwd on every x86 target.
sa = rng.integers(-128, 128, (9, 17)).astype(np.int8)
sb = rng.integers(-128, 128, (17, 6)).astype(np.int8)
szb = rng.integers(-128, 128, (6,)).astype(np.int8)
sza = np.array(-7, np.int8)
for suffix, flags in INT8_TARGETS:
    add(Case(f"matmul_integer_s8s8_zero_points{suffix}", [sa, sb, sza, szb],
             "  %r = kiln.matmul_integer %a0, %a1 lhs_zero_point(%a2) rhs_zero_point(%a3)"
             " : (tensor<9x17xi8>, tensor<17x6xi8>, tensor<i8>, tensor<6xi8>) -> tensor<9x6xi32>\n"
             "  return %r : tensor<9x6xi32>", [imatmul(sa, sb, sza, szb)],
             flags=flags))
ua8 = rng.integers(0, 256, (5, 33)).astype(np.uint8)
ub8 = rng.integers(0, 256, (33, 19)).astype(np.uint8)
add(Case("matmul_integer_u8u8", [ua8, ub8],
         "  %r = kiln.matmul_integer %a0, %a1 : (tensor<5x33xui8>, tensor<33x19xui8>) -> tensor<5x19xi32>\n"
         "  return %r : tensor<5x19xi32>", [imatmul(ua8, ub8)]))


def dynamic_int8_linear(x, w, b):
    """kiln-quantize's int8-dynamic arithmetic, in float32 as Kiln's."""
    lo = min(np.float32(x.min()), f32(0))
    hi = max(np.float32(x.max()), f32(0))
    scale = max(f32((hi - lo) * f32(1 / 255)), f32(np.finfo(f32).tiny))
    inv = f32(1) / scale
    zp = np.clip(np.round(-(lo * inv)), 0, 255).astype(f32)
    xq = np.clip(np.round(x * inv) + zp, 0, 255).astype(np.int64)
    amax = np.abs(w.astype(np.float64)).max(axis=1)
    ws = np.where(amax > 0, amax / 127, 1.0)
    wq = np.clip(np.round(w / ws[:, None]), -127, 127).astype(np.int64)
    acc = ((xq - np.int64(zp)) @ wq.T).astype(f32)
    return acc * (scale * ws.astype(f32)) + b


# int8-dynamic quantization of a linear layer (kiln-quantize): the same
# arithmetic as the numpy emulation above, so the results agree to rounding.
qx = rand(13, 70, lo=-2.0, hi=3.0)
qw = rand(23, 70)
qb = rand(23)
for suffix, flags in INT8_TARGETS[:2]:
    add(Case(f"linear_int8_dynamic{suffix}", [qx],
             f"  %w = kiln.constant {dense(qw)} : tensor<23x70xf32>\n"
             f"  %b = kiln.constant {dense(qb)} : tensor<23xf32>\n"
             "  %r = kiln.linear %a0, %w, %b : (tensor<?x70xf32>, tensor<23x70xf32>, tensor<23xf32>) -> tensor<?x23xf32>\n"
             "  return %r : tensor<?x23xf32>",
             [dynamic_int8_linear(qx, qw, qb)], [(0,)], out_dynamic=[(0,)],
             rtol=1e-5, atol=1e-5, flags=["--quantize=int8-dynamic"] + flags))

def dynamic_int8_conv_nchw(x, w, b, stride, pads):
    """kiln-quantize's int8-dynamic convolution, emulated: the activations
    quantized as dynamic_int8_linear's, the filter per output channel."""
    lo = min(np.float32(x.min()), f32(0))
    hi = max(np.float32(x.max()), f32(0))
    scale = max(f32((hi - lo) * f32(1 / 255)), f32(np.finfo(f32).tiny))
    inv = f32(1) / scale
    zp = np.clip(np.round(-(lo * inv)), 0, 255).astype(f32)
    xq = np.clip(np.round(x * inv) + zp, 0, 255) - zp
    amax = np.abs(w.astype(np.float64)).reshape(w.shape[0], -1).max(axis=1)
    ws = np.where(amax > 0, amax / 127, 1.0)
    wq = np.clip(np.round(w / ws[:, None, None, None]), -127, 127)
    acc = conv_nchw(xq, wq, stride=stride, pads=pads).astype(f32)
    return acc * (scale * ws.astype(f32))[None, :, None, None] + \
        b.astype(f32)[None, :, None, None]


# int8-dynamic convolutions: windows of the zero-padded, quantized input by
# the filter viewed as [KH*KW*C, F], in either layout.
vx = rand(2, 3, 9, 7, lo=-1.0, hi=2.0)
vw = rand(5, 3, 3, 3)
vb = rand(5)
vwant = dynamic_int8_conv_nchw(vx, vw, vb, (2, 1), (1, 0, 1, 2))
add(Case("conv_int8_dynamic_nchw", [vx],
         f"  %w = kiln.constant {dense(vw)} : tensor<5x3x3x3xf32>\n"
         f"  %b = kiln.constant {dense(vb)} : tensor<5xf32>\n"
         "  %r = kiln.conv2d %a0, %w, %b {strides = array<i64: 2, 1>, pads = array<i64: 1, 0, 1, 2>}"
         " : (tensor<?x3x9x7xf32>, tensor<5x3x3x3xf32>, tensor<5xf32>) -> tensor<?x5x5x7xf32>\n"
         "  return %r : tensor<?x5x5x7xf32>", [vwant], [(0,)], out_dynamic=[(0,)],
         rtol=1e-5, atol=1e-5, flags=["--quantize=int8-dynamic", "--layout=keep"]))
add(Case("conv_int8_dynamic_nhwc", [np.ascontiguousarray(vx.transpose(0, 2, 3, 1))],
         f"  %w = kiln.constant {dense(vw.transpose(2, 3, 1, 0))} : tensor<3x3x3x5xf32>\n"
         f"  %b = kiln.constant {dense(vb)} : tensor<5xf32>\n"
         "  %r = kiln.conv2d %a0, %w, %b {layout = #kiln.layout<nhwc>, strides = array<i64: 2, 1>, pads = array<i64: 1, 0, 1, 2>}"
         " : (tensor<2x9x7x3xf32>, tensor<3x3x3x5xf32>, tensor<5xf32>) -> tensor<2x5x7x5xf32>\n"
         "  return %r : tensor<2x5x7x5xf32>", [vwant.transpose(0, 2, 3, 1)],
         rtol=1e-5, atol=1e-5, flags=["--quantize=int8-dynamic", "--layout=keep"]))

# Pads that kiln-simplify folds into a pool's padding: -inf before a max
# pool, 0 after a ReLU before a max pool, 0 before an average pool (which
# then counts it); the references pool the explicitly padded input.
ppx = rand(1, 3, 9, 10)
ppad = np.pad(ref(ppx), ((0, 0), (0, 0), (1, 1), (2, 0)),
              constant_values=-np.inf)
prelu = np.pad(np.maximum(ref(ppx), 0), ((0, 0), (0, 0), (1, 1), (2, 0)))
pzero = np.pad(ref(ppx), ((0, 0), (0, 0), (1, 1), (2, 0)))
add(Case("pad_into_pools", [ppx],
         "  %p = kiln.pad %a0 {low = array<i64: 0, 0, 1, 2>, high = array<i64: 0, 0, 1, 0>, value = 0xFFF0000000000000 : f64} : (tensor<1x3x9x10xf32>) -> tensor<1x3x11x12xf32>\n"
         "  %m = kiln.pool2d max %p {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x3x11x12xf32>) -> tensor<1x3x5x5xf32>\n"
         "  %r = kiln.relu %a0 : (tensor<1x3x9x10xf32>) -> tensor<1x3x9x10xf32>\n"
         "  %q = kiln.pad %r {low = array<i64: 0, 0, 1, 2>, high = array<i64: 0, 0, 1, 0>} : (tensor<1x3x9x10xf32>) -> tensor<1x3x11x12xf32>\n"
         "  %n = kiln.pool2d max %q {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x3x11x12xf32>) -> tensor<1x3x5x5xf32>\n"
         "  %z = kiln.pad %a0 {low = array<i64: 0, 0, 1, 2>, high = array<i64: 0, 0, 1, 0>} : (tensor<1x3x9x10xf32>) -> tensor<1x3x11x12xf32>\n"
         "  %a = kiln.pool2d avg %z {kernel = array<i64: 3, 3>} : (tensor<1x3x11x12xf32>) -> tensor<1x3x9x10xf32>\n"
         "  return %m, %n, %a : tensor<1x3x5x5xf32>, tensor<1x3x5x5xf32>, tensor<1x3x9x10xf32>",
         [pool_nchw(ppad, "max", (3, 3), stride=(2, 2)),
          pool_nchw(prelu, "max", (3, 3), stride=(2, 2)),
          pool_nchw(pzero, "avg", (3, 3))]))

# A resize between convolutions, as the ONNX importer writes a linear one
# (a gather per tap along each axis, weighted along it), in NHWC: the
# layout pass carries NHWC through the gathers and weights.
rx_, rw_ = rand(1, 4, 5, 5), rand(4, 4, 1, 1)
ridx0, ridx1 = np.array([0, 0, 1, 2, 3, 4, 4]), np.array([0, 1, 2, 3, 4, 4, 4])
rwt = rand(7, lo=0.0, hi=1.0)
rconv = conv_nchw(ref(rx_), ref(rw_))
rh = rconv[:, :, ridx0, :] * (1 - rwt)[None, None, :, None] + \
    rconv[:, :, ridx1, :] * rwt[None, None, :, None]
rout = conv_nchw(rh, ref(rw_))
add(Case("resize_between_convs_nhwc", [rx_],
         f"  %w = kiln.constant {dense(rw_)} : tensor<4x4x1x1xf32>\n"
         "  %a = kiln.conv2d %a0, %w : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32>\n"
         "  %i0 = kiln.constant dense<[0, 0, 1, 2, 3, 4, 4]> : tensor<7xi64>\n"
         "  %i1 = kiln.constant dense<[0, 1, 2, 3, 4, 4, 4]> : tensor<7xi64>\n"
         f"  %t0 = kiln.constant {dense((1 - rwt).reshape(7, 1))} : tensor<7x1xf32>\n"
         f"  %t1 = kiln.constant {dense(rwt.reshape(7, 1))} : tensor<7x1xf32>\n"
         "  %g0 = kiln.gather %a, %i0 {axis = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<7xi64>) -> tensor<1x4x7x5xf32>\n"
         "  %g1 = kiln.gather %a, %i1 {axis = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<7xi64>) -> tensor<1x4x7x5xf32>\n"
         "  %m0 = kiln.mul %g0, %t0 : (tensor<1x4x7x5xf32>, tensor<7x1xf32>) -> tensor<1x4x7x5xf32>\n"
         "  %m1 = kiln.mul %g1, %t1 : (tensor<1x4x7x5xf32>, tensor<7x1xf32>) -> tensor<1x4x7x5xf32>\n"
         "  %h = kiln.add %m0, %m1 : (tensor<1x4x7x5xf32>, tensor<1x4x7x5xf32>) -> tensor<1x4x7x5xf32>\n"
         "  %r = kiln.conv2d %h, %w : (tensor<1x4x7x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x7x5xf32>\n"
         "  return %r : tensor<1x4x7x5xf32>",
         [rout], flags=["--layout=nhwc"]))

# GEMM and convolution epilogues computed in the contraction's task loop
# (kiln-cpu-tile-and-vectorize's fuse-epilogues), large enough to be shared
# between threads: bias, activation and residual add after a linear; a
# prime M (padded register tiles, unpacked by a copy in each task); AVX2
# register tiles (6 x 16: M = 128 is not a multiple); a ragged last task;
# a batch of matmuls;
# a convolution's NCHW and NHWC views; and the same with fusion off.
ex, ew, eb, er = rand(128, 256), rand(512, 256), rand(512), rand(128, 512)
ey = ref(ex) @ ref(ew).T + ref(eb)
ewant = 0.5 * ey * (1 + erf(ey / np.sqrt(2))) + ref(er)
epilogue_linear = (
    "  %y = kiln.linear %a0, %a1, %a2 : (tensor<128x256xf32>, tensor<512x256xf32>, tensor<512xf32>) -> tensor<128x512xf32>\n"
    "  %g = kiln.gelu %y : (tensor<128x512xf32>) -> tensor<128x512xf32>\n"
    "  %r = kiln.add %g, %a3 : (tensor<128x512xf32>, tensor<128x512xf32>) -> tensor<128x512xf32>\n"
    "  return %r : tensor<128x512xf32>")
for suffix, flags in (("", []), ("_avx2", ["--cpu=znver3"]),
                      ("_unfused", ["--fuse-epilogues=false"])):
    add(Case("epilogue_linear_gelu_residual" + suffix, [ex, ew, eb, er],
             epilogue_linear, [ewant], rtol=1e-4, atol=1e-4, flags=flags))
px = rand(131, 256)
add(Case("epilogue_prime_m_relu", [px, ew, eb],
         "  %y = kiln.linear %a0, %a1, %a2 : (tensor<131x256xf32>, tensor<512x256xf32>, tensor<512xf32>) -> tensor<131x512xf32>\n"
         "  %r = kiln.relu %y : (tensor<131x512xf32>) -> tensor<131x512xf32>\n"
         "  return %r : tensor<131x512xf32>",
         [np.maximum(ref(px) @ ref(ew).T + ref(eb), 0)], rtol=1e-4, atol=1e-4))
# 196 rows (a 14x14 image) in tasks of 40 when there are only 3 column
# tiles: the last task has 36 rows, 4 of them padding.
rgx, rgw, rgr = rand(196, 576), rand(96, 576), rand(196, 96)
add(Case("epilogue_ragged_last_task", [rgx, rgw, rgr],
         "  %y = kiln.linear %a0, %a1 : (tensor<196x576xf32>, tensor<96x576xf32>) -> tensor<196x96xf32>\n"
         "  %r = kiln.add %y, %a2 : (tensor<196x96xf32>, tensor<196x96xf32>) -> tensor<196x96xf32>\n"
         "  return %r : tensor<196x96xf32>",
         [ref(rgx) @ ref(rgw).T + ref(rgr)], rtol=1e-4, atol=1e-4))
# Ragged N: 40 columns in tasks of 32 (the last one half padding), and
# 1000 classes.
rnx, rnw, rnb = rand(128, 2048), rand(40, 2048), rand(40)
add(Case("epilogue_ragged_n", [rnx, rnw, rnb],
         "  %y = kiln.linear %a0, %a1, %a2 : (tensor<128x2048xf32>, tensor<40x2048xf32>, tensor<40xf32>) -> tensor<128x40xf32>\n"
         "  %r = kiln.relu %y : (tensor<128x40xf32>) -> tensor<128x40xf32>\n"
         "  return %r : tensor<128x40xf32>",
         [np.maximum(ref(rnx) @ ref(rnw).T + ref(rnb), 0)], rtol=1e-4, atol=1e-4))
clx, clw, clb = rand(64, 512), rand(1000, 512), rand(1000)
add(Case("epilogue_classifier_1000", [clx, clw, clb],
         "  %y = kiln.linear %a0, %a1, %a2 : (tensor<64x512xf32>, tensor<1000x512xf32>, tensor<1000xf32>) -> tensor<64x1000xf32>\n"
         "  %r = kiln.sigmoid %y : (tensor<64x1000xf32>) -> tensor<64x1000xf32>\n"
         "  return %r : tensor<64x1000xf32>",
         [1 / (1 + np.exp(-(ref(clx) @ ref(clw).T + ref(clb))))],
         rtol=1e-4, atol=1e-5))
qa, qb, qc = rand(4, 64, 512), rand(4, 512, 128), rand(4, 64, 128)
add(Case("epilogue_batched_matmul_add", [qa, qb, qc],
         "  %y = kiln.matmul %a0, %a1 : (tensor<4x64x512xf32>, tensor<4x512x128xf32>) -> tensor<4x64x128xf32>\n"
         "  %r = kiln.add %y, %a2 : (tensor<4x64x128xf32>, tensor<4x64x128xf32>) -> tensor<4x64x128xf32>\n"
         "  return %r : tensor<4x64x128xf32>",
         [ref(qa) @ ref(qb) + ref(qc)], rtol=1e-4, atol=1e-4))
cx_, cw_, cb_ = rand(1, 32, 32, 32), rand(64, 32, 3, 3), rand(64)
cwant = np.maximum(conv_nchw(ref(cx_), ref(cw_), ref(cb_), pads=(1, 1, 1, 1)), 0)
conv_relu = (
    f"  %w = kiln.constant {dense(cw_)} : tensor<64x32x3x3xf32>\n"
    f"  %b = kiln.constant {dense(cb_)} : tensor<64xf32>\n"
    "  %y = kiln.conv2d %a0, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x32x32x32xf32>, tensor<64x32x3x3xf32>, tensor<64xf32>) -> tensor<1x64x32x32xf32>\n"
    "  %r = kiln.relu %y : (tensor<1x64x32x32xf32>) -> tensor<1x64x32x32xf32>\n"
    "  return %r : tensor<1x64x32x32xf32>")
for layout in ("nchw", "nhwc"):
    add(Case("epilogue_conv_relu_" + layout, [cx_], conv_relu, [cwant],
             rtol=1e-4, atol=1e-4, flags=["--layout=" + layout]))

if __name__ == "__main__":
    import os
    bindir, cc = os.path.abspath(sys.argv[1]), sys.argv[2]
    tools = {"kiln-run": f"{bindir}/kiln-run", "kiln-compile": f"{bindir}/kiln-compile",
             "cc": cc}
    sys.exit(main(cases, tools,
                  valgrind_cases={"conv_grouped_nchw", "gather_embedding",
                                  "attention_causal", "concat_last_dynamic",
                                  "loop_carried_state",
                                  "mul_runtime_broadcast_both",
                                  "add_runtime_broadcast_rows",
                                  "attention_flash_dynamic_keys_float_mask",
                                  "resize_between_convs_nhwc"}))
