# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""TOSA input (as TensorFlow, TFLite and torch-mlir emit it): a small CNN
and an MLP written in TOSA with random weights, compiled by Kiln and
compared with torch. convert-tosa-to-kiln turns them into kiln ops; what it
leaves takes upstream's TOSA-to-linalg path."""

import numpy as np
import pytest
import torch

import kiln


def dense(a):
    """A dense attribute of `a` in MLIR's hex form."""
    a = np.ascontiguousarray(a, np.float32)
    shape = "x".join(map(str, a.shape)) + "x" if a.ndim else ""
    return 'dense<"0x%s"> : tensor<%sf32>' % (a.tobytes().hex().upper(), shape)


def const(name, a):
    shape = "x".join(map(str, a.shape)) + "x" if a.ndim else ""
    return '  %%%s = "tosa.const"() {values = %s} : () -> tensor<%sf32>\n' % (
        name, dense(a), shape)


ZP = '  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>\n'


def cnn_mlir(w1, b1, dw, db, fc, fb):
    return ("func.func @cnn(%x: tensor<1x8x8x3xf32>) -> tensor<1x1x10xf32> {\n"
            + ZP + const("w1", w1) + const("b1", b1) + const("dw", dw)
            + const("db", db) + const("fc", fc) + const("fb", fb) + """
  %c = tosa.conv2d %x, %w1, %b1, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x8x8x3xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x8x8xf32>
  %r = tosa.clamp %c {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  %p = tosa.max_pool2d %r {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x8x8x8xf32>) -> tensor<1x4x4x8xf32>
  %d = tosa.depthwise_conv2d %p, %dw, %db, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x8xf32>, tensor<3x3x8x2xf32>, tensor<16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x16xf32>
  %a = tosa.avg_pool2d %d, %zp, %zp {acc_type = f32, kernel = array<i64: 3, 3>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x16xf32>
  %s = tosa.const_shape {values = dense<[1, 1, 256]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %f = tosa.reshape %a, %s : (tensor<1x4x4x16xf32>, !tosa.shape<3>) -> tensor<1x1x256xf32>
  %m = tosa.matmul %f, %fc, %zp, %zp : (tensor<1x1x256xf32>, tensor<1x256x10xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x10xf32>
  %y = tosa.add %m, %fb : (tensor<1x1x10xf32>, tensor<1x1x10xf32>) -> tensor<1x1x10xf32>
  %z = tosa.sigmoid %y : (tensor<1x1x10xf32>) -> tensor<1x1x10xf32>
  return %z : tensor<1x1x10xf32>
}
""")


def test_tosa_cnn_matches_torch():
    rng = np.random.default_rng(0)
    w1 = rng.standard_normal((8, 3, 3, 3)).astype(np.float32) * 0.5  # OHWI
    b1 = rng.standard_normal(8).astype(np.float32)
    dw = rng.standard_normal((3, 3, 8, 2)).astype(np.float32) * 0.5  # HWCM
    db = rng.standard_normal(16).astype(np.float32)
    fc = rng.standard_normal((1, 256, 10)).astype(np.float32) * 0.1
    fb = rng.standard_normal((1, 1, 10)).astype(np.float32)
    m = kiln.compile(cnn_mlir(w1, b1, dw, db, fc, fb))
    # Every TOSA op became a kiln op, so Kiln's conv codegen runs them.
    assert "tosa." not in m.mlir
    assert m.mlir.count("kiln.conv2d") == 2
    x = rng.standard_normal((1, 8, 8, 3)).astype(np.float32)

    t = torch.from_numpy(x).permute(0, 3, 1, 2)
    t = torch.nn.functional.conv2d(t, torch.from_numpy(w1).permute(0, 3, 1, 2),
                                   torch.from_numpy(b1), padding=1)
    t = torch.clamp(t, 0, 6)
    t = torch.nn.functional.max_pool2d(t, 2)
    # Depthwise filter [KH, KW, C, M] is torch's [C * M, 1, KH, KW].
    dwt = torch.from_numpy(dw).permute(2, 3, 0, 1).reshape(16, 1, 3, 3)
    t = torch.nn.functional.conv2d(t, dwt, torch.from_numpy(db), padding=1,
                                   groups=8)
    t = torch.nn.functional.avg_pool2d(t, 3, 1, 1, count_include_pad=False)
    t = t.permute(0, 2, 3, 1).reshape(1, 1, 256)
    ref = torch.sigmoid(t @ torch.from_numpy(fc) + torch.from_numpy(fb))
    np.testing.assert_allclose(m(x), ref.numpy(), rtol=1e-5, atol=1e-5)


def mlp_mlir(w1, b1, w2, b2):
    return ("func.func @mlp(%x: tensor<1x5x16xf32>) -> (tensor<1x5x4xf32>, tensor<1x1x4xf32>) {\n"
            + ZP + const("w1", w1) + const("b1", b1) + const("w2", w2)
            + const("b2", b2) + """
  %h = tosa.matmul %x, %w1, %zp, %zp : (tensor<1x5x16xf32>, tensor<1x16x32xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x5x32xf32>
  %hb = tosa.add %h, %b1 : (tensor<1x5x32xf32>, tensor<1x1x32xf32>) -> tensor<1x5x32xf32>
  %t = tosa.tanh %hb : (tensor<1x5x32xf32>) -> tensor<1x5x32xf32>
  %o = tosa.matmul %t, %w2, %zp, %zp : (tensor<1x5x32xf32>, tensor<1x32x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x5x4xf32>
  %ob = tosa.add %o, %b2 : (tensor<1x5x4xf32>, tensor<1x1x4xf32>) -> tensor<1x5x4xf32>
  %mx = tosa.reduce_max %ob {axis = 2 : i32} : (tensor<1x5x4xf32>) -> tensor<1x5x1xf32>
  %sh = tosa.sub %ob, %mx : (tensor<1x5x4xf32>, tensor<1x5x1xf32>) -> tensor<1x5x4xf32>
  %e = tosa.exp %sh : (tensor<1x5x4xf32>) -> tensor<1x5x4xf32>
  %sum = tosa.reduce_sum %e {axis = 2 : i32} : (tensor<1x5x4xf32>) -> tensor<1x5x1xf32>
  %inv = tosa.reciprocal %sum : (tensor<1x5x1xf32>) -> tensor<1x5x1xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %sm = tosa.mul %e, %inv, %shift : (tensor<1x5x4xf32>, tensor<1x5x1xf32>, tensor<1xi8>) -> tensor<1x5x4xf32>
  %rev = tosa.reverse %sm {axis = 1 : i32} : (tensor<1x5x4xf32>) -> tensor<1x5x4xf32>
  %first = tosa.reduce_sum %rev {axis = 1 : i32} : (tensor<1x5x4xf32>) -> tensor<1x1x4xf32>
  return %sm, %first : tensor<1x5x4xf32>, tensor<1x1x4xf32>
}
""")


def test_tosa_mlp_with_softmax_and_an_op_left_to_upstream():
    rng = np.random.default_rng(1)
    w1 = rng.standard_normal((1, 16, 32)).astype(np.float32) * 0.3
    b1 = rng.standard_normal((1, 1, 32)).astype(np.float32)
    w2 = rng.standard_normal((1, 32, 4)).astype(np.float32) * 0.3
    b2 = rng.standard_normal((1, 1, 4)).astype(np.float32)
    m = kiln.compile(mlp_mlir(w1, b1, w2, b2))
    # tosa.reverse has no kiln equivalent; upstream's tosa-to-linalg lowers it.
    assert "tosa.reverse" in m.mlir
    assert m.mlir.count("kiln.matmul") == 2
    x = rng.standard_normal((1, 5, 16)).astype(np.float32)
    h = np.tanh(x @ w1 + b1)
    logits = h @ w2 + b2
    ref = torch.softmax(torch.from_numpy(logits), -1).numpy()
    sm, first = m(x)
    np.testing.assert_allclose(sm, ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(first, ref.sum(1, keepdims=True), rtol=1e-5)


def test_quantized_tosa_stays_tosa_and_still_runs():
    # An i8 matmul with zero points is not converted; upstream lowers it.
    text = """
func.func @qmm(%a: tensor<1x2x3xi8>, %b: tensor<1x3x2xi8>) -> tensor<1x2x2xi32> {
  %azp = "tosa.const"() {values = dense<1> : tensor<1xi8>} : () -> tensor<1xi8>
  %bzp = "tosa.const"() {values = dense<-2> : tensor<1xi8>} : () -> tensor<1xi8>
  %m = tosa.matmul %a, %b, %azp, %bzp : (tensor<1x2x3xi8>, tensor<1x3x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2xi32>
  return %m : tensor<1x2x2xi32>
}
"""
    m = kiln.compile(text)
    assert "tosa.matmul" in m.mlir
    rng = np.random.default_rng(2)
    a = rng.integers(-5, 5, (1, 2, 3)).astype(np.int8)
    b = rng.integers(-5, 5, (1, 3, 2)).astype(np.int8)
    ref = (a.astype(np.int32) - 1) @ (b.astype(np.int32) + 2)
    np.testing.assert_array_equal(m(a, b), ref)
