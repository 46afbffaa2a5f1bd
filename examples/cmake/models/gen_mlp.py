#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Writes mlp.onnx, the second model of the CMake example: a 2-layer MLP
(Gemm 8->16, Relu, Gemm 16->4, Softmax) with seeded random weights and a
dynamic batch.

    gen_mlp.py [OUT.onnx]
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper


def make_mlp():
    rng = np.random.default_rng(2026)
    w1 = rng.standard_normal((16, 8)).astype(np.float32) * 0.5
    b1 = rng.standard_normal(16).astype(np.float32) * 0.1
    w2 = rng.standard_normal((4, 16)).astype(np.float32) * 0.5
    b2 = rng.standard_normal(4).astype(np.float32) * 0.1
    nodes = [
        helper.make_node("Gemm", ["x", "w1", "b1"], ["h"], transB=1),
        helper.make_node("Relu", ["h"], ["r"]),
        helper.make_node("Gemm", ["r", "w2", "b2"], ["logits"], transB=1),
        helper.make_node("Softmax", ["logits"], ["probs"], axis=1),
    ]
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 8])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["batch", 4])],
        [numpy_helper.from_array(a, n)
         for a, n in ((w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2"))])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model


def reference(model, x):
    """The MLP's forward pass in numpy, from the model's own initializers."""
    w = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    h = np.maximum(x @ w["w1"].T + w["b1"], 0)
    logits = h @ w["w2"].T + w["b2"]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "mlp.onnx")
    with open(out, "wb") as f:
        f.write(make_mlp().SerializeToString())
