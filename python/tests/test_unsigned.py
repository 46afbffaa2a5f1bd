# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Unsigned integer tensors (uint8/16/32/64) as graph inputs, outputs and
constants: unsigned arithmetic, comparisons, casts, pooling and reductions
against numpy, and a uint8 image model."""

import numpy as np
import pytest
from onnx import TensorProto, helper

import kiln
from conftest import init, make_model, tensor

ONNX = {np.uint8: TensorProto.UINT8, np.uint16: TensorProto.UINT16,
        np.uint32: TensorProto.UINT32, np.uint64: TensorProto.UINT64}


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.uint32, np.uint64])
def test_unsigned_arithmetic_and_comparisons(dtype):
    T = ONNX[dtype]
    nodes = [helper.make_node("Add", ["a", "b"], ["add"]),
             helper.make_node("Sub", ["a", "b"], ["sub"]),
             helper.make_node("Mul", ["a", "b"], ["mul"]),
             helper.make_node("Div", ["a", "b"], ["div"]),
             helper.make_node("Mod", ["a", "b"], ["mod"]),
             helper.make_node("Max", ["a", "b"], ["max"]),
             helper.make_node("Less", ["a", "b"], ["less"]),
             helper.make_node("Cast", ["a"], ["f"], to=TensorProto.FLOAT)]
    outs = [tensor(o, [7], T) for o in ("add", "sub", "mul", "div", "mod",
                                       "max")]
    outs += [tensor("less", [7], TensorProto.BOOL),
             tensor("f", [7], TensorProto.FLOAT)]
    m = kiln.compile(make_model(nodes, [tensor("a", [7], T),
                                        tensor("b", [7], T)], outs))
    top = np.iinfo(dtype).max
    # Values with the top bit set, where signed arithmetic would differ.
    a = np.array([0, 1, 200, top, top - 5, 128, 37], dtype)
    b = np.array([1, 3, 100, 2, top, 255, 37], dtype)
    add, sub, mul, div, mod, mx, less, f = m(a, b)
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(add, a + b)
        np.testing.assert_array_equal(sub, a - b)
        np.testing.assert_array_equal(mul, a * b)
    np.testing.assert_array_equal(div, a // b)
    np.testing.assert_array_equal(mod, a % b)
    np.testing.assert_array_equal(mx, np.maximum(a, b))
    np.testing.assert_array_equal(less, a < b)
    np.testing.assert_array_equal(f, a.astype(np.float32))
    assert add.dtype == dtype


def test_uint8_image_model_and_pooling():
    # A uint8 image in, max-pooled and reduced as uint8, then normalized in
    # float: what exported image models with uint8 inputs do.
    nodes = [helper.make_node("MaxPool", ["img"], ["p"], kernel_shape=[2, 2],
                              strides=[2, 2]),
             helper.make_node("ReduceMax", ["p"], ["top"], axes=[2, 3],
                              keepdims=1),
             helper.make_node("ArgMax", ["img"], ["am"], axis=3, keepdims=0),
             helper.make_node("Cast", ["p"], ["pf"], to=TensorProto.FLOAT),
             helper.make_node("Div", ["pf", "scale"], ["y"])]
    m = kiln.compile(make_model(
        nodes, [tensor("img", [1, 3, 6, 8], TensorProto.UINT8)],
        [tensor("y", [1, 3, 3, 4]), tensor("top", [1, 3, 1, 1],
                                           TensorProto.UINT8),
         tensor("am", [1, 3, 6], TensorProto.INT64)],
        [init("scale", np.array(255.0, np.float32))]))
    img = np.random.default_rng(0).integers(0, 256, (1, 3, 6, 8),
                                            dtype=np.uint8)
    y, top, am = m(img)
    pooled = img.reshape(1, 3, 3, 2, 4, 2).max((3, 5))
    np.testing.assert_allclose(y, pooled / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(top, pooled.max((2, 3), keepdims=True))
    assert top.dtype == np.uint8
    np.testing.assert_array_equal(am, img.argmax(3))


def test_dequantize_a_uint8_input():
    node = helper.make_node("DequantizeLinear", ["q", "s", "zp"], ["y"],
                            axis=1)
    m = kiln.compile(make_model(
        [node], [tensor("q", [2, 3], TensorProto.UINT8)], [tensor("y", [2, 3])],
        [init("s", np.array([0.5, 0.25, 2.0], np.float32)),
         init("zp", np.array([128, 0, 7], np.uint8))]))
    q = np.array([[0, 255, 7], [128, 1, 9]], np.uint8)
    np.testing.assert_array_equal(
        m(q), (q.astype(np.float32) - [128, 0, 7]) * [0.5, 0.25, 2.0])


def test_wrong_unsigned_dtype_is_a_type_error():
    m = kiln.compile(make_model(
        [helper.make_node("Identity", ["x"], ["y"])],
        [tensor("x", [2], TensorProto.UINT8)],
        [tensor("y", [2], TensorProto.UINT8)]))
    with pytest.raises(TypeError, match="input 'x'.*must be uint8, got int8"):
        m(np.zeros(2, np.int8))


# ONNX's ReduceMax and ArgMax take no uint16.
@pytest.mark.parametrize("dtype", [np.uint8, np.uint32, np.uint64])
def test_unsigned_extremes_in_every_order_sensitive_op(dtype):
    # Values on both sides of the signed boundary (the top bit set or not):
    # max/min reductions, max pooling, arg max/min and top-k must order them
    # as unsigned.
    info = np.iinfo(dtype)
    T = ONNX[dtype]
    x = np.array([[0, info.max, 1, info.max // 2 + 1],
                  [info.max // 2, 5, info.max - 1, 3]], dtype)
    nodes = [helper.make_node("ReduceMax", ["x"], ["mx"], axes=[1], keepdims=0),
             helper.make_node("ReduceMin", ["x"], ["mn"], axes=[1], keepdims=0),
             helper.make_node("ArgMax", ["x"], ["am"], axis=1, keepdims=0),
             helper.make_node("ArgMin", ["x"], ["an"], axis=1, keepdims=0),
             helper.make_node("TopK", ["x", "k"], ["tv", "ti"], axis=1)]
    outputs = [tensor("mx", [2], T), tensor("mn", [2], T),
               tensor("am", [2], TensorProto.INT64),
               tensor("an", [2], TensorProto.INT64), tensor("tv", [2, 2], T),
               tensor("ti", [2, 2], TensorProto.INT64)]
    # ONNX's MaxPool takes uint8 only among the unsigned types.
    if dtype == np.uint8:
        nodes += [helper.make_node("Unsqueeze", ["x", "axes"], ["x4"]),
                  helper.make_node("MaxPool", ["x4"], ["mp"],
                                   kernel_shape=[1, 2], strides=[1, 2])]
        outputs.append(tensor("mp", [1, 1, 2, 2], T))
    m = kiln.compile(make_model(
        nodes, [tensor("x", [2, 4], T)], outputs,
        [init("k", np.array([2], np.int64)),
         init("axes", np.array([0, 1], np.int64))]))
    mx, mn, am, an, tv, ti, *mp = m(x)
    np.testing.assert_array_equal(mx, x.max(1))
    np.testing.assert_array_equal(mn, x.min(1))
    np.testing.assert_array_equal(am, x.argmax(1))
    np.testing.assert_array_equal(an, x.argmin(1))
    order = np.argsort(-x.astype(np.float64), axis=1, kind="stable")[:, :2]
    np.testing.assert_array_equal(ti, order)
    np.testing.assert_array_equal(tv, np.take_along_axis(x, order, 1))
    if mp:
        np.testing.assert_array_equal(mp[0][0, 0], x.reshape(2, 2, 2).max(2))
        assert mp[0].dtype == dtype
    assert mx.dtype == dtype and tv.dtype == dtype


@pytest.mark.parametrize("dtype", [np.uint8, np.uint32, np.uint64])
def test_bitshift_against_numpy(dtype):
    T = ONNX[dtype]
    nodes = [helper.make_node("BitShift", ["x", "s"], ["l"], direction="LEFT"),
             helper.make_node("BitShift", ["x", "s"], ["r"],
                              direction="RIGHT")]
    m = kiln.compile(make_model(nodes, [tensor("x", [6], T),
                                        tensor("s", [6], T)],
                                [tensor("l", [6], T), tensor("r", [6], T)]))
    bits = np.iinfo(dtype).bits
    x = np.array([1, 255, 128, np.iinfo(dtype).max, 7, 3], dtype)
    s = np.array([0, 1, 7, 3, bits - 1, bits], dtype)
    left, right = m(x, s)
    # A shift by the width or more gives 0.
    ref_l = np.where(s < bits, x << np.minimum(s, bits - 1), 0).astype(dtype)
    ref_r = np.where(s < bits, x >> np.minimum(s, bits - 1), 0).astype(dtype)
    np.testing.assert_array_equal(left, ref_l)
    np.testing.assert_array_equal(right, ref_r)


def test_clip_of_uint8_defaults_to_the_unsigned_range():
    node = helper.make_node("Clip", ["x", "lo"], ["y"])
    m = kiln.compile(make_model(
        [node], [tensor("x", [3], TensorProto.UINT8)],
        [tensor("y", [3], TensorProto.UINT8)],
        [init("lo", np.array(100, np.uint8))]))
    np.testing.assert_array_equal(m(np.array([0, 200, 255], np.uint8)),
                                  [100, 200, 255])
