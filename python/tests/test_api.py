# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The kiln package API: compile, call, save_object, import_onnx, and its
errors."""

import os
import subprocess

import numpy as np
import pytest

import kiln

MLIR_ADD = """
func.func @add(%a: tensor<?x4xf32> {kiln.name = "a"},
               %b: tensor<?x4xf32> {kiln.name = "b"}) -> tensor<?x4xf32> {
  %0 = kiln.add %a, %b : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
"""


def test_compile_mlir_text_and_call():
    m = kiln.compile(MLIR_ADD)
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    b = np.ones((3, 4), np.float32)
    np.testing.assert_array_equal(m(a, b), a + b)
    assert [i.name for i in m.inputs] == ["a", "b"]
    assert m.inputs[0].shape == (None, 4)
    assert m.outputs[0].dtype == np.float32
    assert "kiln.add" in m.mlir


def test_results_own_their_memory_and_inputs_are_not_copied():
    """Inputs are read in place (non-contiguous ones are made contiguous
    first) and each result owns the buffer Kiln wrote it to: it outlives the
    module, is writable, and is not shared with another call's result."""
    import gc
    m = kiln.compile(MLIR_ADD)
    a = np.arange(40, dtype=np.float32).reshape(10, 4)
    b = np.full((10, 4), 2.0, np.float32)
    first = m(a, b)
    second = m(a[::2], b[::2])  # strided views: copied to C order
    np.testing.assert_array_equal(second, a[::2] + 2)
    first[0, 0] = -1.0
    third = m(a, b)
    assert third[0, 0] == 2.0 and first[0, 0] == -1.0
    assert first.flags.owndata is False and first.flags.writeable
    del m
    gc.collect()
    np.testing.assert_array_equal(third, a + b)


@pytest.mark.parametrize("batch", [1, 2, 7])
def test_onnx_file_dynamic_batch(tmp_path, mlp_model, batch):
    model, w, b = mlp_model
    path = tmp_path / "mlp.onnx"
    path.write_bytes(model.SerializeToString())
    m = kiln.compile(str(path))
    x = np.random.default_rng(batch).standard_normal((batch, 8)).astype(
        np.float32)
    np.testing.assert_allclose(m(x), np.maximum(x @ w + b, 0), rtol=1e-5,
                               atol=1e-6)


def test_model_proto_bytes_and_opt_levels(mlp_model):
    model, w, b = mlp_model
    x = np.ones((2, 8), np.float32)
    for source in (model, model.SerializeToString()):
        for level in (0, 3):
            m = kiln.compile(source, opt_level=level)
            np.testing.assert_allclose(m(x), np.maximum(x @ w + b, 0),
                                       rtol=1e-5)


def test_run_returns_a_list(mlp_model):
    m = kiln.compile(mlp_model[0])
    out = m.run(np.zeros((1, 8), np.float32))
    assert isinstance(out, list) and len(out) == 1


def test_import_onnx_gives_kiln_mlir(mlp_model):
    text = kiln.import_onnx(mlp_model[0])
    assert "func.func @forward" in text
    assert "kiln.matmul" in text and "kiln.relu" in text
    assert 'kiln.name = "x"' in text
    # The text compiles again.
    m = kiln.compile(text)
    assert m.inputs[0].shape == (None, 8)


def test_save_object_links_into_c(tmp_path, mlp_model):
    model, w, b = mlp_model
    m = kiln.compile(model)
    obj, header = tmp_path / "mlp.o", tmp_path / "mlp.h"
    m.save_object(obj, header=header, prefix="mlp")
    assert obj.stat().st_size > 0
    text = header.read_text()
    assert "mlp_forward" in text
    driver = tmp_path / "main.c"
    driver.write_text("""
#include "mlp.h"
#include <stdio.h>
int main(void) {
  float x[2 * 8], y[2 * 5];
  for (int i = 0; i < 16; ++i) x[i] = (float)i / 16;
  if (mlp_forward(x, 2, 8, y, 2, 5)) { puts(mlp_last_error()); return 1; }
  for (int i = 0; i < 10; ++i) printf("%.6f\\n", y[i]);
  return 0;
}
""")
    exe = tmp_path / "main"
    subprocess.run(["clang-22", "-I", str(tmp_path), str(driver), str(obj),
                    "-lm", "-lomp", "-o", str(exe)], check=True)
    out = subprocess.run([str(exe)], check=True, capture_output=True,
                         text=True).stdout.split()
    x = (np.arange(16, dtype=np.float32) / 16).reshape(2, 8)
    np.testing.assert_allclose(np.array(out, np.float32).reshape(2, 5),
                               np.maximum(x @ w + b, 0), rtol=1e-5,
                               atol=1e-6)


def test_cross_target_object_only(tmp_path, mlp_model):
    m = kiln.compile(mlp_model[0], target="aarch64-linux-gnu")
    with pytest.raises(ValueError, match="cannot run in this process"):
        m(np.zeros((1, 8), np.float32))
    obj = tmp_path / "a64.o"
    m.save_object(obj)
    assert obj.read_bytes()[:4] == b"\x7fELF"
    assert obj.read_bytes()[18] == 183  # e_machine EM_AARCH64


def test_wrong_dtype_names_the_input(mlp_model):
    m = kiln.compile(mlp_model[0])
    with pytest.raises(TypeError, match=r"input 'x' \(argument 0\) must be "
                       r"float32, got float64"):
        m(np.zeros((1, 8), np.float64))
    with pytest.raises(TypeError, match="input 'x'.*int64"):
        m(np.zeros((1, 8), np.int64))


def test_wrong_shape_names_the_input(mlp_model):
    m = kiln.compile(mlp_model[0])
    with pytest.raises(ValueError, match="input x dim 1 is 9, expected 8"):
        m(np.zeros((1, 9), np.float32))
    with pytest.raises(ValueError, match="input x has rank 1, expected 2"):
        m(np.zeros(8, np.float32))


def test_wrong_input_count(mlp_model):
    m = kiln.compile(mlp_model[0])
    with pytest.raises(TypeError, match=r"takes 1 inputs \(x\) but 2"):
        m(np.zeros((1, 8), np.float32), np.zeros((1, 8), np.float32))


def test_non_contiguous_input_is_accepted(mlp_model):
    model, w, b = mlp_model
    m = kiln.compile(model)
    x = np.asfortranarray(np.random.default_rng(1).standard_normal(
        (3, 8)).astype(np.float32))
    np.testing.assert_allclose(m(x), np.maximum(x @ w + b, 0), rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize("order", [">", "<", "="])
def test_any_byte_order_is_read_by_value(mlp_model, order):
    """A big-endian '>f4' array used to be read as little-endian: a silently
    wrong answer. Inputs are converted to native order by value."""
    model, w, b = mlp_model
    m = kiln.compile(model)
    x = np.random.default_rng(2).standard_normal((3, 8)).astype(np.float32)
    swapped = x.astype(x.dtype.newbyteorder(order))
    np.testing.assert_allclose(m(swapped), np.maximum(x @ w + b, 0),
                               rtol=1e-5, atol=1e-6)


def test_byte_swapped_integer_indices_are_read_by_value():
    m = kiln.compile("""
func.func @take(%t: tensor<5x2xf32>, %i: tensor<3xi64>) -> tensor<3x2xf32> {
  %0 = kiln.gather %t, %i {axis = 0 : i64} : (tensor<5x2xf32>, tensor<3xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}""")
    table = np.arange(10, dtype=">f4").reshape(5, 2)
    idx = np.array([4, 0, 2], dtype=">i8")
    np.testing.assert_array_equal(m(table, idx),
                                  np.arange(10, dtype=np.float32).reshape(
                                      5, 2)[[4, 0, 2]])


def test_bad_arguments():
    with pytest.raises(ValueError, match="opt_level"):
        kiln.compile(MLIR_ADD, opt_level=4)
    with pytest.raises(FileNotFoundError):
        kiln.compile("/nonexistent/model.onnx")
    with pytest.raises(TypeError):
        kiln.compile(42)
    # Bad targets are found before any work.
    with pytest.raises(ValueError, match="unknown target triple "
                       "'nonsense-arch-none'"):
        kiln.compile(MLIR_ADD, target="nonsense-arch-none")
    with pytest.raises(ValueError, match="unknown CPU 'notacpu'"):
        kiln.compile(MLIR_ADD, cpu="notacpu")
    with pytest.raises(ValueError, match="unknown feature 'nope'"):
        kiln.compile(MLIR_ADD, features="+nope")
    with pytest.raises(ValueError, match="cannot run 64-bit code"):
        kiln.compile(MLIR_ADD, cpu="i686")


def test_invalid_mlir_raises_compile_error():
    with pytest.raises(kiln.CompileError, match="custom op 'kiln.nope'|"
                       "unregistered|kiln.nope"):
        kiln.compile("func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {\n"
                     "  %0 = kiln.nope %a : tensor<4xf32>\n"
                     "  return %0 : tensor<4xf32>\n}")


def test_supported_ops_list():
    ops = dict(kiln.supported_onnx_ops())
    for op in ("Conv", "Gemm", "LayerNormalization", "Resize",
               "QuantizeLinear"):
        assert op in ops
    assert (kiln.MIN_OPSET, kiln.MAX_OPSET) == (11, 17)
    assert kiln.MIN_CONVERTED_OPSET == 1


def test_gather_out_of_range_raises():
    """Ids 150 and 10^12 on a 100-row embedding used to be clamped to row 99
    silently; they are a run-time error now, like numpy.take's."""
    from onnx import TensorProto, helper
    from conftest import init, make_model, tensor
    table = np.arange(400, dtype=np.float32).reshape(100, 4)
    model = make_model(
        [helper.make_node("Gather", ["E", "ids"], ["y"], name="embed")],
        [tensor("ids", ["n"], TensorProto.INT64)], [tensor("y", ["n", 4])],
        [init("E", table)])
    m = kiln.compile(model)
    ids = np.array([1, 99, -100, -1], np.int64)
    np.testing.assert_array_equal(m(ids), np.take(table, ids, axis=0))
    for bad in ([1, 150, 3], [10 ** 12], [-101]):
        with pytest.raises(RuntimeError,
                           match="node 'embed' \\(Gather\\): an index is out "
                           "of range for dim 0"):
            m(np.array(bad, np.int64))
    # The module still works after a failed call.
    np.testing.assert_array_equal(m(ids), np.take(table, ids, axis=0))


def test_allocation_failure_raises():
    """A result too large for the address space is an error, not a crash."""
    m = kiln.compile("""
func.func @outer(%x: tensor<?x1xf32>, %y: tensor<1x?xf32>) -> tensor<?x?xf32> {
  %0 = kiln.add %x, %y : (tensor<?x1xf32>, tensor<1x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}""")
    # 2^23 x 2^23 floats = 256 TiB: the inputs are 32 MiB each.
    n = 1 << 23
    x = np.zeros((n, 1), np.float32)
    y = np.zeros((1, n), np.float32)
    with pytest.raises(RuntimeError, match="out of memory allocating a "
                       "buffer of type memref<\\?x\\?xf32>"):
        m(x, y)
    small = m(np.ones((2, 1), np.float32), np.ones((1, 3), np.float32))
    np.testing.assert_array_equal(small, np.full((2, 3), 2, np.float32))


def test_results_that_share_a_buffer_are_separate_arrays():
    """`return %v, %v` and a tensor returned with its reshape used to hand
    one buffer out twice, which was freed twice (abort in free())."""
    m = kiln.compile("""
func.func @f(%a: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?xf32>) {
  %0 = kiln.relu %a : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %1 = kiln.reshape %0 [-1] : (tensor<?x4xf32>) -> tensor<?xf32>
  return %0, %0, %1 : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?xf32>
}""")
    x = np.arange(-6, 6, dtype=np.float32).reshape(3, 4)
    r0, r1, r2 = m(x)
    want = np.maximum(x, 0)
    np.testing.assert_array_equal(r0, want)
    np.testing.assert_array_equal(r1, want)
    np.testing.assert_array_equal(r2, want.reshape(-1))
    r0[0, 0] = 42  # separate buffers
    assert r1[0, 0] == 0 and r2[0] == 0
    del r0, r1, r2


def test_reshape_element_count_is_checked_at_run_time():
    m = kiln.compile("""
func.func @f(%a: tensor<?x4xf32>) -> tensor<2x6xf32> {
  %0 = kiln.reshape %a [2, 6] : (tensor<?x4xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}""")
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.testing.assert_array_equal(m(x), x.reshape(2, 6))
    with pytest.raises(RuntimeError, match="reshape: the input's element "
                       "count does not fit the result shape"):
        m(np.zeros((2, 4), np.float32))
