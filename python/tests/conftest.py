# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Shared helpers of the kiln package tests: small ONNX models built with
onnx.helper, and the `requires_cpu` marker for host CPU features."""

import functools
import os
import shutil
import subprocess

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper


def make_model(nodes, inputs, outputs, initializers=(), opset=14):
    graph = helper.make_graph(nodes, "g", inputs, outputs,
                              initializer=list(initializers))
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    return model


def tensor(name, shape, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


def init(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


@pytest.fixture
def mlp_model():
    """y = relu(x @ W + b) with a dynamic batch."""
    rng = np.random.default_rng(0)
    w = rng.standard_normal((8, 5)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    model = make_model(
        [helper.make_node("MatMul", ["x", "W"], ["h"], name="mm"),
         helper.make_node("Add", ["h", "b"], ["hb"], name="add"),
         helper.make_node("Relu", ["hb"], ["y"], name="relu")],
        [tensor("x", ["batch", 8])], [tensor("y", ["batch", 5])],
        [init("W", w), init("b", b)])
    return model, w, b


# --- host CPU features -----------------------------------------------------

@functools.lru_cache(maxsize=None)
def host_cpu_features():
    """The host's CPU features as test/Utils/cpu-features.c prints them
    (avx2, f16c, avx512f, avx512bf16, amx, ...); empty without the probe."""
    tools = os.environ.get("KILN_TOOLS_DIR")
    probe = (os.path.join(tools, "kiln-cpu-features") if tools
             else shutil.which("kiln-cpu-features"))
    if not probe or not os.path.exists(probe):
        return frozenset()
    result = subprocess.run([probe], capture_output=True, text=True)
    if result.returncode != 0:
        return frozenset()
    return frozenset(result.stdout.split())


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "requires_cpu(*features): skip unless the host CPU has "
        "all the features (names as kiln-cpu-features prints them)")


def pytest_runtest_setup(item):
    for marker in item.iter_markers(name="requires_cpu"):
        missing = [f for f in marker.args if f not in host_cpu_features()]
        if missing:
            pytest.skip(f"the host CPU lacks {', '.join(missing)}")


def requires_cpu(*features):
    """`@requires_cpu("avx512f")`: the same as
    `@pytest.mark.requires_cpu("avx512f")`."""
    return pytest.mark.requires_cpu(*features)
