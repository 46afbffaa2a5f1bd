# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""f16 and bf16 arithmetic (not only casts): MatMul, Add, LayerNormalization,
Softmax, Erf, Transpose and, for f16, Conv and pooling computed in half
precision, against numpy in float32 on the same rounded inputs and weights.
The graph takes and returns float32 and casts at its edges, since numpy
has no bf16."""

import numpy as np
import pytest
import torch
from onnx import TensorProto, helper

import kiln
from conftest import init, make_model, tensor

TYPES = {"float16": TensorProto.FLOAT16, "bfloat16": TensorProto.BFLOAT16}


def rounded(a, dtype):
    """`a` rounded to `dtype` and back to float32 (what the model sees)."""
    return torch.from_numpy(a).to(getattr(torch, dtype)).float().numpy()


def half_init(name, a, dtype):
    t = torch.from_numpy(a).to(getattr(torch, dtype))
    if dtype == "float16":
        return init(name, t.numpy())
    raw = t.view(torch.int16).numpy().tobytes()
    return helper.make_tensor(name, TensorProto.BFLOAT16, a.shape, raw,
                              raw=True)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_arithmetic(dtype):
    rng = np.random.default_rng(0)
    w = rng.standard_normal((16, 16)).astype(np.float32) * 0.25
    bias = rng.standard_normal(16).astype(np.float32)
    gamma = rng.standard_normal(16).astype(np.float32)
    beta = rng.standard_normal(16).astype(np.float32)
    T = TYPES[dtype]
    nodes = [
        helper.make_node("Cast", ["x"], ["xh"], to=T),
        helper.make_node("MatMul", ["xh", "w"], ["h0"]),
        helper.make_node("Add", ["h0", "b"], ["h1"]),
        helper.make_node("LayerNormalization", ["h1", "g", "be"], ["h2"],
                         axis=-1, epsilon=1e-5),
        helper.make_node("Erf", ["h2"], ["e"]),
        helper.make_node("Transpose", ["e"], ["et"], perm=[1, 0]),
        helper.make_node("MatMul", ["e", "et"], ["s"]),
        helper.make_node("Softmax", ["s"], ["p"], axis=-1),
        helper.make_node("MatMul", ["p", "h2"], ["o"]),
        helper.make_node("Cast", ["o"], ["y"], to=TensorProto.FLOAT),
    ]
    model = make_model(
        nodes, [tensor("x", [5, 16])], [tensor("y", [5, 16])],
        [half_init("w", w, dtype), half_init("b", bias, dtype),
         half_init("g", gamma, dtype), half_init("be", beta, dtype)],
        opset=17)
    m = kiln.compile(model)
    x = rng.standard_normal((5, 16)).astype(np.float32)
    # The reference in float32 on the same rounded values.
    r = lambda a: rounded(a, dtype)
    h1 = r(x) @ r(w) + r(bias)
    mu = h1.mean(-1, keepdims=True)
    var = h1.var(-1, keepdims=True)
    h2 = (h1 - mu) / np.sqrt(var + 1e-5) * r(gamma) + r(beta)
    e = torch.erf(torch.from_numpy(h2)).numpy()
    p = torch.softmax(torch.from_numpy(e @ e.T), -1).numpy()
    ref = p @ h2
    # Each op rounds to the storage type: f16 keeps 11 bits, bf16 8.
    tol = 3e-2 if dtype == "float16" else 1.5e-1
    np.testing.assert_allclose(m(x), ref, rtol=tol, atol=tol)


def test_f16_convolution_and_pooling():
    rng = np.random.default_rng(1)
    k = (rng.standard_normal((4, 3, 3, 3)) * 0.3).astype(np.float16)
    nodes = [helper.make_node("Conv", ["img", "k"], ["c"], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["r"]),
             helper.make_node("MaxPool", ["r"], ["mp"], kernel_shape=[2, 2],
                              strides=[2, 2]),
             helper.make_node("AveragePool", ["mp"], ["y"],
                              kernel_shape=[2, 2], strides=[2, 2])]
    model = make_model(
        nodes, [tensor("img", [1, 3, 8, 8], TensorProto.FLOAT16)],
        [tensor("y", [1, 4, 2, 2], TensorProto.FLOAT16)], [init("k", k)])
    m = kiln.compile(model)
    img = rng.standard_normal((1, 3, 8, 8)).astype(np.float16)
    got = m(img)
    assert got.dtype == np.float16
    t = torch.nn.functional.conv2d(torch.from_numpy(img).float(),
                                   torch.from_numpy(k).float(), padding=1)
    t = torch.nn.functional.avg_pool2d(
        torch.nn.functional.max_pool2d(torch.relu(t), 2), 2)
    np.testing.assert_allclose(got.astype(np.float32), t.numpy(), rtol=2e-2,
                               atol=2e-2)
