#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Writes the small ONNX models of the importer's lit tests.

    make_onnx.py NAME OUT.onnx
"""

import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper


def model(nodes, inputs, outputs, inits=(), opset=13):
    g = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def t(name, shape, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


def init(name, a):
    return numpy_helper.from_array(np.asarray(a), name)


rng = np.random.default_rng(0)
f32 = lambda *s: rng.standard_normal(s).astype(np.float32)


def cnn():
    return model(
        [helper.make_node("Conv", ["input.1", "w"], ["c"], name="conv",
                          pads=[1, 1, 1, 1], strides=[2, 2]),
         helper.make_node("BatchNormalization", ["c", "s", "b", "m", "v"],
                          ["bn"], name="bn", epsilon=1e-3),
         helper.make_node("Relu", ["bn"], ["r"], name="relu"),
         helper.make_node("MaxPool", ["r"], ["p"], name="pool",
                          kernel_shape=[2, 2], strides=[2, 2]),
         helper.make_node("GlobalAveragePool", ["p"], ["g"], name="gap"),
         helper.make_node("Flatten", ["g"], ["f"], name="flat"),
         helper.make_node("Gemm", ["f", "fc.w", "fc.b"], ["logits"],
                          name="fc", transB=1)],
        [t("input.1", ["batch", 3, 8, 8])], [t("logits", ["batch", 10])],
        [init("w", f32(64, 3, 3, 3)), init("s", f32(64)), init("b", f32(64)),
         init("m", f32(64)), init("v", np.abs(f32(64)) + 1),
         init("fc.w", f32(10, 64)), init("fc.b", f32(10))])


def shape_arith():
    # y = reshape(x, concat(shape(x)[0:1], [-1])): a dynamic-batch flatten.
    return model(
        [helper.make_node("Shape", ["x"], ["s"]),
         helper.make_node("Gather", ["s", "zero"], ["n"], axis=0),
         helper.make_node("Unsqueeze", ["n", "axes"], ["n1"]),
         helper.make_node("Concat", ["n1", "minus1"], ["shape"], axis=0),
         helper.make_node("Reshape", ["x", "shape"], ["y"], name="flatten")],
        [t("x", ["N", 4, 5])], [t("y", ["N", 20])],
        [init("zero", np.array(0, np.int64)),
         init("axes", np.array([0], np.int64)),
         init("minus1", np.array([-1], np.int64))])


def math_ops():
    # Rounding, trigonometry, Sign, Mod both ways and the boolean ops.
    return model(
        [helper.make_node("Round", ["x"], ["r"]),
         helper.make_node("Atanh", ["r"], ["a"]),
         helper.make_node("Sign", ["a"], ["s"]),
         helper.make_node("Mod", ["n", "m"], ["floored"]),
         helper.make_node("Mod", ["n", "m"], ["truncated"], fmod=1),
         helper.make_node("Greater", ["x", "s"], ["p"]),
         helper.make_node("Less", ["x", "s"], ["q"]),
         helper.make_node("And", ["p", "q"], ["both"]),
         helper.make_node("Or", ["p", "q"], ["either"]),
         helper.make_node("Xor", ["p", "q"], ["one"]),
         helper.make_node("ArgMax", ["x"], ["am"], axis=1, keepdims=0)],
        [t("x", ["N", 4]), t("n", [4], TensorProto.INT32),
         t("m", [4], TensorProto.INT32)],
        [t("s", ["N", 4]), t("floored", [4], TensorProto.INT32),
         t("truncated", [4], TensorProto.INT32),
         t("both", ["N", 4], TensorProto.BOOL),
         t("either", ["N", 4], TensorProto.BOOL),
         t("one", ["N", 4], TensorProto.BOOL),
         t("am", ["N"], TensorProto.INT64)])


def compositions():
    # DepthToSpace (DCR), Trilu (lower, k = 1), InstanceNormalization and
    # Hardmax: compositions of kiln ops.
    return model(
        [helper.make_node("DepthToSpace", ["x"], ["d"], blocksize=2),
         helper.make_node("Trilu", ["d", "k"], ["t"], upper=0),
         helper.make_node("InstanceNormalization", ["t", "s", "b"], ["i"]),
         helper.make_node("Hardmax", ["i"], ["y"])],
        [t("x", ["N", 8, 2, 3])], [t("y", ["N", 2, 4, 6])],
        [init("k", np.array(1, np.int64)),
         init("s", np.array([1.5, 2.0], np.float32)),
         init("b", np.array([0.0, -1.0], np.float32))], opset=14)


def runtime_shapes():
    # Shapes computed from the run-time dims of x [B, S, 8]: a reshape that
    # splits a merged run-time dim, a fill of x's shape, the shape as data,
    # and an Expand to run-time dims.
    return model(
        [helper.make_node("Shape", ["x"], ["s"]),
         helper.make_node("Gather", ["s", "zero"], ["b"], axis=0),
         helper.make_node("Gather", ["s", "one"], ["q"], axis=0),
         helper.make_node("Mul", ["b", "q"], ["bq"]),
         helper.make_node("Unsqueeze", ["bq", "axes"], ["bq1"]),
         helper.make_node("Concat", ["bq1", "eight"], ["flat_shape"], axis=0),
         helper.make_node("Reshape", ["x", "flat_shape"], ["flat"]),
         helper.make_node("Relu", ["flat"], ["r"]),
         helper.make_node("Reshape", ["r", "s"], ["split"], name="split"),
         helper.make_node("ConstantOfShape", ["s"], ["twos"], name="fill",
                          value=numpy_helper.from_array(
                              np.array([2.0], np.float32))),
         helper.make_node("Mul", ["split", "twos"], ["y"]),
         helper.make_node("Mul", ["s", "two"], ["s2"], name="shape_data"),
         helper.make_node("Expand", ["bias", "s"], ["e"], name="expand")],
        [t("x", ["B", "S", 8])],
        [t("y", ["B", "S", 8]), t("s2", [3], TensorProto.INT64),
         t("e", ["B", "S", 8])],
        [init("zero", np.array(0, np.int64)), init("one", np.array(1, np.int64)),
         init("axes", np.array([0], np.int64)),
         init("eight", np.array([8], np.int64)),
         init("two", np.array(2, np.int64)),
         init("bias", np.arange(8, dtype=np.float32))])


def recurrent():
    # A forward LSTM over a run-time sequence: x [S, 2, 3], hidden 4.
    return model(
        [helper.make_node("LSTM", ["x", "W", "R", "B"], ["y", "yh", "yc"],
                          hidden_size=4, name="lstm")],
        [t("x", ["S", 2, 3])],
        [t("y", ["S", 1, 2, 4]), t("yh", [1, 2, 4]), t("yc", [1, 2, 4])],
        [init("W", f32(1, 16, 3)), init("R", f32(1, 16, 4)),
         init("B", f32(1, 32))])


def unsupported():
    return model(
        [helper.make_node("LpNormalization", ["x"], ["a"], name="lp_a"),
         helper.make_node("Det", ["a"], ["b"], name="det_b"),
         helper.make_node("LpNormalization", ["b"], ["y"], name="lp_c")],
        [t("x", [1, 4, 2, 2])], [t("y", [1, 4])])


def old_opset():
    return model([helper.make_node("Relu", ["x"], ["y"])],
                 [t("x", [4])], [t("y", [4])], opset=9)


def new_opset():
    return model([helper.make_node("Relu", ["x"], ["y"])],
                 [t("x", [4])], [t("y", [4])], opset=18)


def old_unknown_op():
    return model([helper.make_node("NoSuchOp", ["x"], ["y"])],
                 [t("x", [4])], [t("y", [4])], opset=9)


MODELS = {f.__name__: f for f in (cnn, shape_arith, runtime_shapes,
                                  recurrent, math_ops, compositions,
                                  unsupported,
                                  old_opset,
                                  new_opset, old_unknown_op)}

if __name__ == "__main__":
    name, out = sys.argv[1], sys.argv[2]
    if name == "corrupt":
        data = MODELS["cnn"]().SerializeToString()
        open(out, "wb").write(data[: len(data) // 3])
    else:
        open(out, "wb").write(MODELS[name]().SerializeToString())
