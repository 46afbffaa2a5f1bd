# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Bad ONNX input: every case gives a clear CompileError, never a crash."""

import numpy as np
import pytest
from onnx import TensorProto, helper

import kiln
from conftest import init, make_model, tensor


def test_corrupt_file(tmp_path):
    path = tmp_path / "corrupt.onnx"
    path.write_bytes(b"\x08\x07this is not a protobuf \xff\xff\xff")
    with pytest.raises(kiln.CompileError, match="not a valid ONNX model"):
        kiln.compile(str(path))


def test_truncated_file(tmp_path, mlp_model):
    data = mlp_model[0].SerializeToString()
    for cut in (5, len(data) // 2, len(data) - 3):
        path = tmp_path / ("trunc%d.onnx" % cut)
        path.write_bytes(data[:cut])
        with pytest.raises(kiln.CompileError):
            kiln.compile(str(path))


def test_empty_file(tmp_path):
    path = tmp_path / "empty.onnx"
    path.write_bytes(b"")
    with pytest.raises(kiln.CompileError, match="no graph nodes|not a valid"):
        kiln.compile(str(path))


def test_unsupported_ops_listed_with_names_and_counts():
    nodes = [helper.make_node("Cos", ["x"], ["a"], name="cos_1"),
             helper.make_node("Cos", ["a"], ["b"], name="cos_2"),
             helper.make_node("Relu", ["b"], ["c"], name="ok"),
             helper.make_node("Floor", ["c"], ["y"], name="floor_1")]
    model = make_model(nodes, [tensor("x", [4])], [tensor("y", [4])])
    with pytest.raises(kiln.CompileError) as e:
        kiln.compile(model)
    msg = str(e.value)
    assert "2 unsupported ONNX op types (3 nodes)" in msg
    assert "Cos x2: cos_1, cos_2" in msg
    assert "Floor x1: floor_1" in msg
    assert "Relu" not in msg


@pytest.mark.parametrize("opset", [9, 10, 18])
def test_opset_out_of_range(opset):
    model = make_model([helper.make_node("Relu", ["x"], ["y"])],
                       [tensor("x", [4])], [tensor("y", [4])], opset=opset)
    with pytest.raises(kiln.CompileError,
                       match="uses opset %d .*supports opsets 11 to 17" %
                       opset):
        kiln.compile(model)


def test_checker_failure_is_reported():
    # A node reading a value nothing defines.
    model = make_model([helper.make_node("Relu", ["nowhere"], ["y"])],
                       [tensor("x", [4])], [tensor("y", [4])])
    with pytest.raises(kiln.CompileError, match="checker|nowhere"):
        kiln.compile(model)


def test_shape_mismatch_names_the_node():
    model = make_model(
        [helper.make_node("MatMul", ["x", "W"], ["y"], name="proj")],
        [tensor("x", [2, 3])], [tensor("y", [2, 5])],
        [init("W", np.zeros((4, 5), np.float32))])
    with pytest.raises(kiln.CompileError, match="proj"):
        kiln.compile(model, check=False)


def test_unsupported_element_type_names_the_input():
    model = make_model([helper.make_node("Max", ["x", "x"], ["y"])],
                       [tensor("x", [4], TensorProto.UINT16)],
                       [tensor("y", [4], TensorProto.UINT16)])
    with pytest.raises(kiln.CompileError,
                       match="graph input 'x' has element type UINT16"):
        kiln.compile(model, check=False)


def test_runtime_shape_input_must_be_frozen():
    model = make_model(
        [helper.make_node("Reshape", ["x", "shape"], ["y"], name="rs")],
        [tensor("x", [2, 6]), tensor("shape", [2], TensorProto.INT64)],
        [tensor("y", [3, 4])])
    with pytest.raises(kiln.CompileError,
                       match="'shape'\\) must be known at compile time"):
        kiln.compile(model)
    m = kiln.compile(model, freeze={"shape": np.array([3, 4], np.int64)})
    x = np.arange(12, dtype=np.float32).reshape(2, 6)
    np.testing.assert_array_equal(m(x), x.reshape(3, 4))
    with pytest.raises(kiln.CompileError, match="cannot freeze input 'shape'"):
        kiln.compile(model, freeze={"shape": np.array([3, 4], np.int32)})
    with pytest.raises(kiln.CompileError, match="no such input"):
        kiln.compile(model, freeze={"nope": np.array([1], np.int64)})


def test_initializer_with_wrong_byte_count():
    w = init("W", np.zeros((4, 5), np.float32))
    w.raw_data = w.raw_data[:-4]
    model = make_model(
        [helper.make_node("MatMul", ["x", "W"], ["y"])],
        [tensor("x", [2, 4])], [tensor("y", [2, 5])], [w])
    with pytest.raises(kiln.CompileError, match="bytes"):
        kiln.compile(model, check=False)
