#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Writes the small ONNX models of the tool tests.

    make_models.py NAME OUT.onnx
"""

import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper


def model(nodes, inputs, outputs, inits=(), opset=13):
    g = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def reshape_input():
    """y = reshape(x, shape): the shape is a graph input, to be frozen."""
    return model(
        [helper.make_node("Reshape", ["x", "shape"], ["y"], name="reshape")],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 6]),
         helper.make_tensor_value_info("shape", TensorProto.INT64, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["h", "w"])])


def conv_bn():
    """A conv + batch norm + relu block whose batch norm folds away."""
    rng = np.random.default_rng(0)
    f32 = lambda *s: rng.standard_normal(s).astype(np.float32)
    inits = [numpy_helper.from_array(a, n) for n, a in [
        ("w", f32(4, 3, 3, 3)), ("s", f32(4)), ("b", f32(4)), ("m", f32(4)),
        ("v", np.abs(f32(4)) + 0.5)]]
    return model(
        [helper.make_node("Conv", ["x", "w"], ["c"], name="conv",
                          pads=[1, 1, 1, 1]),
         helper.make_node("BatchNormalization", ["c", "s", "b", "m", "v"],
                          ["bn"], name="bn"),
         helper.make_node("Relu", ["bn"], ["y"], name="relu")],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 8, 8])],
        inits)


MODELS = {f.__name__: f for f in (reshape_input, conv_bn)}

if __name__ == "__main__":
    name, out = sys.argv[1], sys.argv[2]
    with open(out, "wb") as f:
        f.write(MODELS[name]().SerializeToString())
