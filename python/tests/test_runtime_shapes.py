# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Shapes computed at run time (ONNX Shape, Gather, arithmetic, Concat,
Reshape, Expand, ConstantOfShape on dynamic dims): they compile without
freezing any input, and run at several shapes against numpy."""

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

import kiln
from conftest import init, make_model, tensor


def shape_chain_model():
    # x [B, S, 8]: flatten to [B*S, 8], relu, split back with Shape(x); a
    # fill of Shape(x); the shape times 2 as data; Expand of a bias.
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Gather", ["s", "zero"], ["b"], axis=0),
        helper.make_node("Gather", ["s", "one"], ["q"], axis=0),
        helper.make_node("Mul", ["b", "q"], ["bq"]),
        helper.make_node("Unsqueeze", ["bq", "axes"], ["bq1"]),
        helper.make_node("Concat", ["bq1", "eight"], ["flat_shape"], axis=0),
        helper.make_node("Reshape", ["x", "flat_shape"], ["flat"]),
        helper.make_node("Relu", ["flat"], ["r"]),
        helper.make_node("Reshape", ["r", "s"], ["split"]),
        helper.make_node("ConstantOfShape", ["s"], ["twos"],
                         value=numpy_helper.from_array(
                             np.array([2.0], np.float32))),
        helper.make_node("Mul", ["split", "twos"], ["y"]),
        helper.make_node("Mul", ["s", "two"], ["s2"]),
        helper.make_node("Expand", ["bias", "s"], ["e"]),
    ]
    return make_model(
        nodes, [tensor("x", ["B", "S", 8])],
        [tensor("y", ["B", "S", 8]), tensor("s2", [3], TensorProto.INT64),
         tensor("e", ["B", "S", 8])],
        [init("zero", np.array(0, np.int64)),
         init("one", np.array(1, np.int64)),
         init("axes", np.array([0], np.int64)),
         init("eight", np.array([8], np.int64)),
         init("two", np.array(2, np.int64)),
         init("bias", np.arange(8, dtype=np.float32))], opset=13)


@pytest.mark.parametrize("shape", [(2, 3, 8), (1, 1, 8), (5, 7, 8)])
def test_shape_chain_at_several_shapes(shape):
    m = kiln.compile(shape_chain_model())
    assert m.inputs[0].shape == (None, None, 8)
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    y, s2, e = m(x)
    np.testing.assert_array_equal(y, 2 * np.maximum(x, 0))
    np.testing.assert_array_equal(s2, 2 * np.array(shape, np.int64))
    np.testing.assert_array_equal(
        e, np.broadcast_to(np.arange(8, dtype=np.float32), shape))


def test_run_time_reshape_with_a_different_count_is_an_error():
    # Reshape x [B, S, 4] to [B, B, 4]: fine when B == S, a run-time error
    # naming the node otherwise, never a read past the input.
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Gather", ["s", "zero"], ["b"], axis=0),
        helper.make_node("Unsqueeze", ["b", "axes"], ["b1"]),
        helper.make_node("Concat", ["b1", "b1", "four"], ["shape"], axis=0),
        helper.make_node("Reshape", ["x", "shape"], ["y"], name="square"),
    ]
    model = make_model(
        nodes, [tensor("x", ["B", "S", 4])], [tensor("y", ["B", "B", 4])],
        [init("zero", np.array(0, np.int64)),
         init("axes", np.array([0], np.int64)),
         init("four", np.array([4], np.int64))], opset=13)
    m = kiln.compile(model)
    x = np.arange(2 * 2 * 4, dtype=np.float32).reshape(2, 2, 4)
    np.testing.assert_array_equal(m(x), x)
    with pytest.raises(RuntimeError, match="square.*different element count"):
        m(np.zeros((2, 3, 4), np.float32))


def shape_input_model():
    # Reshape of a shape that is a graph input; Expand and ConstantOfShape of
    # another.
    nodes = [helper.make_node("Reshape", ["x", "shape"], ["y"], name="rs"),
             helper.make_node("Expand", ["col", "size"], ["e"], name="ex"),
             helper.make_node("ConstantOfShape", ["size"], ["z"], name="cs")]
    return make_model(
        nodes, [tensor("x", [2, 6]), tensor("col", [3, 1]),
                tensor("shape", [2], TensorProto.INT64),
                tensor("size", [2], TensorProto.INT64)],
        [tensor("y", ["a", "b"]), tensor("e", ["c", "d"]),
         tensor("z", ["f", "g"])])


def test_shape_from_a_graph_input_needs_no_freeze():
    m = kiln.compile(shape_input_model())
    x = np.arange(12, dtype=np.float32).reshape(2, 6)
    col = np.arange(3, dtype=np.float32).reshape(3, 1)
    size = np.array([3, 4], np.int64)
    # ONNX's 0 (copy the input dim) and -1 (infer) are honoured at run time.
    for shape, want in [([3, 4], (3, 4)), ([-1, 4], (3, 4)),
                        ([0, -1], (2, 6)), ([12, 1], (12, 1))]:
        y, _, _ = m(x, col, np.array(shape, np.int64), size)
        np.testing.assert_array_equal(y, x.reshape(want))
    # Expand keeps the input's dim where the shape says 1.
    for size in ([3, 4], [1, 5], [3, 1]):
        _, e, z = m(x, col, np.array([2, 6], np.int64),
                    np.array(size, np.int64))
        np.testing.assert_array_equal(e, col * np.ones(size, np.float32))
        assert z.shape == tuple(size) and not z.any()


@pytest.mark.parametrize("shape,message", [
    ([5, 5], "'rs' \\(Reshape\\): the shape computed at run time has a "
             "different element count"),
    ([-1, -1], "'rs' \\(Reshape\\): the shape computed at run time has a "
               "different element count"),
])
def test_shape_from_a_graph_input_errors(shape, message):
    nodes = [helper.make_node("Reshape", ["x", "shape"], ["y"], name="rs")]
    m = kiln.compile(make_model(
        nodes, [tensor("x", [2, 6]), tensor("shape", [2], TensorProto.INT64)],
        [tensor("y", ["a", "b"])]))
    with pytest.raises(RuntimeError, match=message):
        m(np.zeros((2, 6), np.float32), np.array(shape, np.int64))


@pytest.mark.parametrize("shape,message", [
    ([4, 2], "'ex' \\(Expand\\): kiln.mul: the operands' sizes in dim 0 do "
             "not broadcast"),
    # 0 is an empty dim, which 3 does not broadcast against.
    ([0, 2], "'ex' \\(Expand\\): kiln.mul: the operands' sizes in dim 0 do "
             "not broadcast"),
    ([-1, 2], "'ex' \\(Expand\\): a shape read at run time has a negative "
              "entry"),
])
def test_expand_to_a_graph_input_shape_errors(shape, message):
    nodes = [helper.make_node("Expand", ["col", "shape"], ["e"], name="ex")]
    m = kiln.compile(make_model(
        nodes, [tensor("col", [3, 1]), tensor("shape", [2], TensorProto.INT64)],
        [tensor("e", ["c", "d"])]))
    with pytest.raises(RuntimeError, match=message):
        m(np.zeros((3, 1), np.float32), np.array(shape, np.int64))


def test_shape_input_of_dynamic_length_is_rejected():
    nodes = [helper.make_node("Reshape", ["x", "shape"], ["y"], name="rs")]
    model = make_model(
        nodes, [tensor("x", [2, 6]), tensor("shape", ["n"], TensorProto.INT64)],
        [tensor("y", None)])
    with pytest.raises(kiln.CompileError,
                       match="Reshape's shape \\(input 1, 'shape'\\) must be a "
                             "1-D integer tensor of static length"):
        kiln.compile(model, check=False)


def test_data_dependent_ops_are_rejected_with_the_reason():
    nodes = [helper.make_node("NonZero", ["x"], ["y"], name="nz")]
    model = make_model(nodes, [tensor("x", [4])],
                       [tensor("y", [1, "n"], TensorProto.INT64)])
    with pytest.raises(kiln.CompileError,
                       match="NonZero x1: nz \\(rejected: data-dependent "
                             "output shape"):
        kiln.compile(model)
    assert dict(kiln.rejected_onnx_ops()).keys() == {
        "Compress", "NonMaxSuppression", "NonZero", "Unique"}


def test_range_over_a_run_time_length():
    # Position ids of a dynamic sequence: Range(0, Shape(x)[1], 1), added to
    # the input as GPT-style exports do.
    nodes = [helper.make_node("Shape", ["x"], ["s"]),
             helper.make_node("Gather", ["s", "one"], ["n"], axis=0),
             helper.make_node("Range", ["zero", "n", "one"], ["pos"]),
             helper.make_node("Cast", ["pos"], ["posf"], to=TensorProto.FLOAT),
             helper.make_node("Add", ["x", "posf"], ["y"])]
    m = kiln.compile(make_model(
        nodes, [tensor("x", ["B", "S"])], [tensor("y", ["B", "S"])],
        [init("zero", np.array(0, np.int64)), init("one", np.array(1, np.int64))],
        opset=13))
    for shape in [(2, 5), (1, 1), (3, 17)]:
        x = np.zeros(shape, np.float32)
        np.testing.assert_array_equal(m(x), np.broadcast_to(
            np.arange(shape[1], dtype=np.float32), shape))


@pytest.mark.parametrize("dtype,start,limit,delta", [
    (np.float32, 0.5, 3.0, 0.75), (np.int32, 10, 1, -3), (np.int64, 0, 7, 2)])
def test_range_of_graph_input_scalars(dtype, start, limit, delta):
    T = {np.float32: TensorProto.FLOAT, np.int32: TensorProto.INT32,
         np.int64: TensorProto.INT64}[dtype]
    node = helper.make_node("Range", ["s", "l", "d"], ["y"], name="range")
    m = kiln.compile(make_model(
        [node], [tensor("s", [], T), tensor("l", [], T), tensor("d", [], T)],
        [tensor("y", ["n"], T)], opset=13))
    args = [np.array(v, dtype) for v in (start, limit, delta)]
    np.testing.assert_allclose(m(*args), np.arange(start, limit, delta,
                                                   dtype=dtype))
    # Swapped bounds: an empty range, as numpy gives.
    empty = m(args[1], args[0], args[2])
    assert empty.shape == (0,) and empty.dtype == dtype


def test_expand_of_a_dynamic_dim_that_is_one_at_run_time():
    # x [N] with N = 1 at run time broadcasts to Shape(y), as numpy does;
    # N = 3 against 4 is an error naming the node.
    nodes = [helper.make_node("Shape", ["y"], ["s"]),
             helper.make_node("Expand", ["x", "s"], ["z"], name="ex")]
    m = kiln.compile(make_model(nodes, [tensor("x", ["N"]), tensor("y", ["M"])],
                                [tensor("z", ["M"])], opset=13))
    np.testing.assert_array_equal(
        m(np.array([2.5], np.float32), np.zeros(4, np.float32)), [2.5] * 4)
    np.testing.assert_array_equal(
        m(np.arange(4, dtype=np.float32), np.zeros(4, np.float32)),
        np.arange(4))
    with pytest.raises(RuntimeError, match="'ex'.*neither 1 nor the target"):
        m(np.zeros(3, np.float32), np.zeros(4, np.float32))


def test_run_time_reshape_rejects_negative_sizes():
    nodes = [helper.make_node("Reshape", ["x", "shape"], ["y"], name="rs")]
    m = kiln.compile(make_model(
        nodes, [tensor("x", [2, 3]), tensor("shape", [2], TensorProto.INT64)],
        [tensor("y", ["a", "b"])]))
    with pytest.raises(RuntimeError, match="'rs'.*different element count"):
        m(np.zeros((2, 3), np.float32), np.array([-2, -3], np.int64))


@pytest.mark.parametrize("T", [TensorProto.INT64, TensorProto.FLOAT])
def test_range_with_a_zero_delta_is_a_run_time_error(T):
    dtype = np.int64 if T == TensorProto.INT64 else np.float32
    node = helper.make_node("Range", ["s", "l", "d"], ["y"], name="range")
    m = kiln.compile(make_model(
        [node], [tensor(n, [], T) for n in "sld"], [tensor("y", ["n"], T)],
        opset=13))
    with pytest.raises(RuntimeError, match="'range'.*Range's delta is 0"):
        m(*[np.array(v, dtype) for v in (0, 5, 0)])


def test_shape_arithmetic_that_may_be_negative_is_not_folded():
    # Equal(Shape(x)[0] - 8, -1) is true when the dim is 7; only a plain dim
    # is known never to be negative.
    nodes = [helper.make_node("Shape", ["x"], ["s"]),
             helper.make_node("Sub", ["s", "eight"], ["d"]),
             helper.make_node("Equal", ["d", "minus1"], ["e"]),
             helper.make_node("Cast", ["e"], ["y"], to=TensorProto.INT64)]
    m = kiln.compile(make_model(
        nodes, [tensor("x", ["N"])], [tensor("y", [1], TensorProto.INT64)],
        [init("eight", np.array([8], np.int64)),
         init("minus1", np.array([-1], np.int64))], opset=13))
    assert m(np.zeros(7, np.float32))[0] == 1
    assert m(np.zeros(9, np.float32))[0] == 0


def broadcasting_model():
    # x [N, 8] + y [M, 8], times a column w [M, 1], plus z [K, 8]: N, M and
    # K are unrelated dynamic dims, so any of them may be 1 at run time.
    nodes = [
        helper.make_node("Add", ["x", "y"], ["s"], name="add_xy"),
        helper.make_node("Mul", ["s", "w"], ["p"], name="mul_w"),
        helper.make_node("Sub", ["p", "z"], ["out"], name="sub_z"),
    ]
    return make_model(
        nodes, [tensor("x", ["N", 8]), tensor("y", ["M", 8]),
                tensor("w", ["M", 1]), tensor("z", ["K", 8])],
        [tensor("out", ["R", 8])])


@pytest.mark.parametrize("n,m,k", [(5, 5, 5), (5, 1, 5), (1, 5, 1), (1, 1, 7),
                                   (1, 1, 1), (13, 1, 1), (0, 1, 1)])
def test_dynamic_dims_that_are_one_broadcast(n, m, k):
    m_ = kiln.compile(broadcasting_model())
    rng = np.random.default_rng(n * 100 + m * 10 + k)
    x, y = (rng.standard_normal((s, 8)).astype(np.float32) for s in (n, m))
    w = rng.standard_normal((m, 1)).astype(np.float32)
    z = rng.standard_normal((k, 8)).astype(np.float32)
    want = (x.astype(np.float64) + y) * w - z
    np.testing.assert_allclose(m_(x, y, w, z), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("n,m,k,error,message", [
    # Input dims that meet directly are checked before anything runs...
    (5, 3, 5, ValueError, "input y dim 0 is 3 but input x dim 0 is 5; the "
                          "model broadcasts them, so they must be equal or 1"),
    # ...and a dim computed inside the model where it broadcasts.
    (5, 1, 3, RuntimeError, "node 'sub_z' \\(Sub\\): kiln.sub: the operands' "
                            "sizes in dim 0 do not broadcast"),
])
def test_dims_that_do_not_broadcast_are_errors(n, m, k, error, message):
    m_ = kiln.compile(broadcasting_model())
    args = [np.zeros((n, 8), np.float32), np.zeros((m, 8), np.float32),
            np.zeros((m, 1), np.float32), np.zeros((k, 8), np.float32)]
    with pytest.raises(error, match=message):
        m_(*args)


def test_run_time_broadcast_in_a_linked_program(tmp_path):
    # The AOT path: the C entry point broadcasts the same way.
    m_ = kiln.compile(broadcasting_model())
    m_.save_object(tmp_path / "b.o", header=tmp_path / "b.h", prefix="bcast")
    (tmp_path / "main.c").write_text("""
#include <stdio.h>
#include "b.h"
int main(void) {
  float x[3 * 8], y[8], w[1], z[8], out[3 * 8];
  for (int i = 0; i < 24; ++i) x[i] = (float)i;
  for (int i = 0; i < 8; ++i) y[i] = 100.0f * (float)i, z[i] = 1.0f;
  w[0] = 2.0f;
  int s = bcast_forward(x, 3, 8, y, 1, 8, w, 1, 1, z, 1, 8, out, 3, 8);
  printf("%d %g %g %g\\n", s, out[0], out[9], out[23]);
  s = bcast_forward(x, 3, 8, y, 1, 8, w, 1, 1, z, 2, 8, out, 3, 8);
  printf("%d %s\\n", s, bcast_last_error());
  return 0;
}
""")
    import subprocess
    exe = tmp_path / "main"
    subprocess.run(["clang-22", "-Wall", "-Werror", "-I", str(tmp_path),
                    str(tmp_path / "main.c"), str(tmp_path / "b.o"), "-lm",
                    "-lomp", "-o", str(exe)], check=True)
    lines = subprocess.run([str(exe)], check=True, capture_output=True,
                           text=True).stdout.splitlines()
    # out = (x + y) * 2 - 1: [0][0] = -1, [1][1] = (9 + 100) * 2 - 1,
    # [2][7] = (23 + 700) * 2 - 1.
    assert lines[0] == "0 -1 217 1445"
    # 3: a run-time check failed (z broadcasts against a computed dim).
    assert lines[1].startswith("3 ") and "do not broadcast" in lines[1]


@pytest.mark.parametrize("shape", [[0], [2, 0, 3], [1, 4]])
def test_constant_of_shape_read_at_run_time_may_be_empty(shape):
    nodes = [helper.make_node("ConstantOfShape", ["shape"], ["y"],
                              value=numpy_helper.from_array(
                                  np.array([7], np.int32)))]
    m = kiln.compile(make_model(
        nodes, [tensor("shape", [len(shape)], TensorProto.INT64)],
        [tensor("y", ["d%d" % i for i in range(len(shape))],
                TensorProto.INT32)]))
    y = m(np.array(shape, np.int64))
    np.testing.assert_array_equal(y, np.full(shape, 7, np.int32))


@pytest.mark.parametrize("b,c", [(1, 3), (3, 1), (3, 3), (1, 1)])
def test_matmul_batch_dims_that_are_one_broadcast(b, c):
    nodes = [helper.make_node("MatMul", ["x", "w"], ["y"])]
    m = kiln.compile(make_model(
        nodes, [tensor("x", ["B", 4, 5]), tensor("w", ["C", 5, 2])],
        [tensor("y", ["R", 4, 2])]))
    rng = np.random.default_rng(b * 10 + c)
    x = rng.standard_normal((b, 4, 5)).astype(np.float32)
    w = rng.standard_normal((c, 5, 2)).astype(np.float32)
    np.testing.assert_allclose(m(x, w), np.matmul(x.astype(np.float64), w),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shape", [(2, 3), (1, 7), (0, 4)])
def test_size_of_a_tensor_with_run_time_dims(shape):
    nodes = [helper.make_node("Size", ["x"], ["n"])]
    m = kiln.compile(make_model(
        nodes, [tensor("x", ["a", "b"])], [tensor("n", [], TensorProto.INT64)]))
    assert m(np.zeros(shape, np.float32)) == np.prod(shape)


@pytest.mark.parametrize("limit", [5, 3, 9])
def test_constant_range_may_be_empty(limit):
    # Range(5, limit, 1) feeding arithmetic: empty for limit <= 5.
    nodes = [helper.make_node("Range", ["s", "l", "d"], ["r"]),
             helper.make_node("Cast", ["r"], ["rf"], to=TensorProto.FLOAT),
             helper.make_node("Add", ["rf", "x"], ["y"])]
    m = kiln.compile(make_model(
        nodes, [tensor("x", [1])],
        [tensor("y", ["n"]), tensor("r", ["n"], TensorProto.INT64)],
        [init("s", np.array(5, np.int64)), init("l", np.array(limit, np.int64)),
         init("d", np.array(1, np.int64))]))
    y, r = m(np.ones(1, np.float32))
    want = np.arange(5, limit, 1, dtype=np.int64)
    np.testing.assert_array_equal(r, want)
    np.testing.assert_array_equal(y, want.astype(np.float32) + 1)
