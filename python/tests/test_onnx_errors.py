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
    nodes = [helper.make_node("LpNormalization", ["x"], ["a"], name="lp_1"),
             helper.make_node("LpNormalization", ["a"], ["b"], name="lp_2"),
             helper.make_node("Relu", ["b"], ["c"], name="ok"),
             helper.make_node("Det", ["c"], ["y"], name="det_1")]
    model = make_model(nodes, [tensor("x", [1, 4, 2, 2])],
                       [tensor("y", [1, 4])])
    with pytest.raises(kiln.CompileError) as e:
        kiln.compile(model)
    msg = str(e.value)
    assert "2 unsupported ONNX op types (3 nodes)" in msg
    assert "LpNormalization x2: lp_1, lp_2" in msg
    assert "Det x1: det_1" in msg
    assert "Relu" not in msg


@pytest.mark.parametrize("opset", [18, 19])
def test_opset_out_of_range(opset):
    model = make_model([helper.make_node("Relu", ["x"], ["y"])],
                       [tensor("x", [4])], [tensor("y", [4])], opset=opset)
    with pytest.raises(kiln.CompileError,
                       match="uses opset %d .*supports opsets 1 to 17 \\(17 "
                       "is the highest that Debian's onnx knows\\)" % opset):
        kiln.compile(model)


def test_old_opsets_are_upgraded():
    # Opset 10 Clip takes min/max as attributes, opset 11 as inputs; opset 7
    # Add takes numpy broadcasting already, opset 6 only with broadcast=1.
    x = np.array([-3, -0.5, 0.25, 2, 7], np.float32)
    clip = make_model([helper.make_node("Clip", ["x"], ["y"], min=-1.0,
                                        max=1.5)],
                      [tensor("x", [5])], [tensor("y", [5])], opset=10)
    np.testing.assert_array_equal(kiln.compile(clip)(x), np.clip(x, -1, 1.5))
    add = make_model([helper.make_node("Add", ["x", "b"], ["y"], broadcast=1)],
                     [tensor("x", [2, 5]), tensor("b", [5])],
                     [tensor("y", [2, 5])], opset=6)
    a = np.stack([x, 2 * x])
    np.testing.assert_array_equal(kiln.compile(add)(a, x), a + x)


def test_failed_upgrade_is_reported():
    # An opset 9 model with an op onnx does not know: its checker, run
    # before the converter, says so.
    model = make_model([helper.make_node("NoSuchOp", ["x"], ["y"])],
                       [tensor("x", [4])], [tensor("y", [4])], opset=9)
    with pytest.raises(kiln.CompileError,
                       match="cannot be upgraded from opset 9 to opset 11 by "
                       "onnx's version converter: .*NoSuchOp"):
        kiln.compile(model)


def test_mod_fmod_must_be_0_or_1():
    model = make_model([helper.make_node("Mod", ["a", "b"], ["y"], fmod=2,
                                         name="m")],
                       [tensor("a", [4]), tensor("b", [4])],
                       [tensor("y", [4])])
    with pytest.raises(kiln.CompileError,
                       match="node 'm' \\(Mod\\).*Mod's fmod must be 0 or 1, "
                       "got 2"):
        kiln.compile(model)


def test_argmax_along_a_dynamic_dim_is_refused():
    model = make_model([helper.make_node("ArgMax", ["x"], ["y"], axis=1,
                                         name="am")],
                       [tensor("x", [3, "n"])],
                       [helper.make_tensor_value_info("y", TensorProto.INT64,
                                                      [3, 1])])
    with pytest.raises(kiln.CompileError,
                       match="node 'am' \\(ArgMax\\).*ArgMax along dim 1, "
                       "which is dynamic, is not supported"):
        kiln.compile(model)


def test_argmin_picks_the_first_or_last_tie():
    x = np.array([[3, 1, 1, 5], [2, 2, 9, 2]], np.float32)
    for last, want in ((0, [[1], [0]]), (1, [[2], [3]])):
        model = make_model(
            [helper.make_node("ArgMin", ["x"], ["y"], axis=-1,
                              select_last_index=last)],
            [tensor("x", [2, 4])],
            [helper.make_tensor_value_info("y", TensorProto.INT64, [2, 1])])
        np.testing.assert_array_equal(kiln.compile(model)(x), want)


@pytest.mark.parametrize("node, inputs, out, message", [
    (helper.make_node("DepthToSpace", ["x"], ["y"], blocksize=2, name="d2s"),
     [tensor("x", [1, 8, "h", 3])], tensor("y", [1, 2, None, 6]),
     "DepthToSpace needs static channels, height and width"),
    # onnx's shape inference lets 8 // 9 = 0 channels through.
    (helper.make_node("DepthToSpace", ["x"], ["y"], blocksize=3, name="d2s"),
     [tensor("x", [1, 8, 2, 3])], tensor("y", [1, 0, 6, 9]),
     "DepthToSpace's blocksize 3 does not divide the channels 8 by its square"),
    (helper.make_node("SpaceToDepth", ["x"], ["y"], blocksize=2, name="s2d"),
     [tensor("x", [1, 1, 3, 4])], tensor("y", [1, 4, 1, 2]),
     "SpaceToDepth's blocksize 2 does not divide the height 3 and width 4"),
    (helper.make_node("Hardmax", ["x"], ["y"], axis=-1, name="hm"),
     [tensor("x", [2, "n"])], tensor("y", [2, None]),
     "Hardmax along dim 1, which is dynamic, is not supported"),
    (helper.make_node("Trilu", ["x"], ["y"], name="tri"),
     [tensor("x", [3, "n"])], tensor("y", [3, None]),
     "Trilu needs its last two dims static"),
    (helper.make_node("EyeLike", ["x"], ["y"], name="eye"),
     [tensor("x", ["n", 3])], tensor("y", [None, 3]),
     "EyeLike needs a 2-D input of static shape"),
    (helper.make_node("Tile", ["x", "r"], ["y"], name="tile"),
     [tensor("x", ["n", 3]), tensor("r", [2], TensorProto.INT64)],
     tensor("y", [None, 6]),
     "Tile's repeats \\(input 1, 'r'\\) must be known at compile time"),
    (helper.make_node("InstanceNormalization", ["x", "s", "b"], ["y"],
                      name="inorm"),
     [tensor("x", [2, 3]), tensor("s", [3]), tensor("b", [3])],
     tensor("y", [2, 3]),
     "InstanceNormalization needs an input of rank 3 or more, got rank 2"),
])
def test_compositions_that_need_static_dims(node, inputs, out, message):
    model = make_model([node], inputs, [out])
    with pytest.raises(kiln.CompileError,
                       match="node '%s' \\(%s\\).*%s" %
                       (node.name, node.op_type, message)):
        kiln.compile(model)


def test_tile_of_a_dynamic_dim_is_refused():
    model = make_model([helper.make_node("Tile", ["x", "r"], ["y"],
                                         name="tile")],
                       [tensor("x", ["n", 3])], [tensor("y", [None, 6])],
                       [init("r", np.array([2, 2], np.int64))])
    with pytest.raises(kiln.CompileError,
                       match="node 'tile' \\(Tile\\).*Tile repeats dim 0, "
                       "which is dynamic, 2 times"):
        kiln.compile(model)


def test_tile_and_onehot_against_numpy():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    tile = make_model([helper.make_node("Tile", ["x", "r"], ["y"])],
                      [tensor("x", [2, 3])], [tensor("y", [6, 3])],
                      [init("r", np.array([3, 1], np.int64))])
    np.testing.assert_array_equal(kiln.compile(tile)(x), np.tile(x, (3, 1)))
    ids = np.array([[1, -1], [0, 2]], np.int64)
    onehot = make_model(
        [helper.make_node("OneHot", ["i", "d", "v"], ["y"], axis=1)],
        [tensor("i", [2, 2], TensorProto.INT64)], [tensor("y", [2, 3, 2])],
        [init("d", np.array(3, np.int64)),
         init("v", np.array([-1.0, 5.0], np.float32))])
    want = np.where(np.arange(3)[None, :, None] == (ids % 3)[:, None, :],
                    5.0, -1.0)
    np.testing.assert_array_equal(kiln.compile(onehot)(ids), want)


@pytest.mark.parametrize("reduction, classes, message", [
    ("median", 3, "unknown reduction 'median' \\(none, sum or mean\\)"),
    ("mean", "c", "the loss's classes \\(dim 1\\) must be known at compile "
     "time"),
])
def test_nll_loss_errors(reduction, classes, message):
    node = helper.make_node("NegativeLogLikelihoodLoss", ["x", "t"], ["y"],
                            reduction=reduction, name="nll")
    model = make_model([node], [tensor("x", [2, classes]),
                                tensor("t", [2], TensorProto.INT64)],
                       [tensor("y", [])])
    with pytest.raises(kiln.CompileError,
                       match="node 'nll' \\(NegativeLogLikelihoodLoss\\).*" +
                       message):
        kiln.compile(model)


def test_softmax_cross_entropy_against_numpy():
    scores = np.array([[1.0, 2.0, 0.5], [0.1, -1.0, 3.0], [2.0, 2.0, 2.0]],
                      np.float32)
    labels = np.array([1, 2, -1], np.int64)
    weights = np.array([0.5, 1.0, 2.0], np.float32)
    node = helper.make_node("SoftmaxCrossEntropyLoss", ["s", "l", "w"],
                            ["loss", "logp"], ignore_index=-1)
    model = make_model([node], [tensor("s", [3, 3]),
                                tensor("l", [3], TensorProto.INT64),
                                tensor("w", [3])],
                       [tensor("loss", []), tensor("logp", [3, 3])])
    loss, logp = kiln.compile(model)(scores, labels, weights)
    want_logp = scores - np.log(np.exp(scores).sum(1, keepdims=True))
    np.testing.assert_allclose(logp, want_logp, rtol=1e-5, atol=1e-6)
    # Mean over the kept rows, weighted: -(1.0 * logp[0,1] + 2.0 * logp[1,2])
    # / (1.0 + 2.0); the third row is ignored.
    want = -(1.0 * want_logp[0, 1] + 2.0 * want_logp[1, 2]) / 3.0
    np.testing.assert_allclose(loss, want, rtol=1e-5)


def test_gather_elements_wraps_and_checks_indices():
    node = helper.make_node("GatherElements", ["d", "i"], ["y"], axis=1,
                            name="ge")
    model = make_model([node], [tensor("d", [2, 3]),
                                tensor("i", [2, 2], TensorProto.INT64)],
                       [tensor("y", [2, 2])])
    m = kiln.compile(model)
    d = np.arange(6, dtype=np.float32).reshape(2, 3)
    i = np.array([[0, 2], [-1, 1]], np.int64)
    np.testing.assert_array_equal(m(d, i), np.take_along_axis(d, i % 3, 1))
    # 3 would silently read the next row's element of a flat gather.
    with pytest.raises(RuntimeError, match="node 'ge' \\(GatherElements\\): "
                       "an index is out of range"):
        m(d, np.array([[0, 3], [1, 1]], np.int64))
    dynamic = make_model([node], [tensor("d", ["n", 3]),
                                  tensor("i", ["n", 2], TensorProto.INT64)],
                         [tensor("y", [None, 2])])
    with pytest.raises(kiln.CompileError,
                       match="GatherElements needs data and indices of static "
                       "shapes"):
        kiln.compile(dynamic)


@pytest.mark.parametrize("exclusive, reverse", [(0, 0), (1, 0), (0, 1), (1, 1)])
def test_cumsum_against_numpy(exclusive, reverse):
    x = np.array([[3, -1, 4], [1, 5, -9]], np.int32)
    model = make_model(
        [helper.make_node("CumSum", ["x", "a"], ["y"], exclusive=exclusive,
                          reverse=reverse)],
        [tensor("x", [2, 3], TensorProto.INT32)],
        [tensor("y", [2, 3], TensorProto.INT32)],
        [init("a", np.array(1, np.int64))])
    v = x[:, ::-1] if reverse else x
    want = np.cumsum(v, axis=1)
    if exclusive:
        want = np.concatenate([np.zeros((2, 1), np.int32), want[:, :-1]], 1)
    if reverse:
        want = want[:, ::-1]
    np.testing.assert_array_equal(kiln.compile(model)(x), want)


def test_cumsum_along_a_dynamic_dim_is_refused():
    model = make_model([helper.make_node("CumSum", ["x", "a"], ["y"],
                                         name="cs")],
                       [tensor("x", [2, "n"])], [tensor("y", [2, None])],
                       [init("a", np.array(-1, np.int64))])
    with pytest.raises(kiln.CompileError,
                       match="node 'cs' \\(CumSum\\).*CumSum along dim 1, "
                       "which is dynamic, is not supported"):
        kiln.compile(model)


@pytest.mark.parametrize("reduction", ["none", "add", "mul"])
def test_scatter_elements_against_numpy(reduction):
    # (max and min need opset 18, above Debian's onnx 1.12.)
    data = np.arange(12, dtype=np.float32).reshape(3, 4)
    idx = np.array([[2, 0, 1, 2], [0, 2, -3, 1]], np.int64)
    upd = np.array([[10, 20, 30, 40], [50, 60, 70, 80]], np.float32)
    attrs = {} if reduction == "none" else {"reduction": reduction}
    node = helper.make_node("ScatterElements", ["d", "i", "u"], ["y"], axis=0,
                            name="se", **attrs)
    model = make_model([node], [tensor("d", [3, 4]),
                                tensor("i", [2, 4], TensorProto.INT64),
                                tensor("u", [2, 4])], [tensor("y", [3, 4])],
                       opset=13 if reduction == "none" else 16)
    want = data.copy()
    for r in range(2):
        for c in range(4):
            t = idx[r, c] % 3
            if reduction == "none":
                want[t, c] = upd[r, c]
            elif reduction == "add":
                want[t, c] += upd[r, c]
            else:
                want[t, c] *= upd[r, c]
    m = kiln.compile(model)
    np.testing.assert_array_equal(m(data, idx, upd), want)
    with pytest.raises(RuntimeError, match="node 'se' \\(ScatterElements\\): "
                       "an index is out of range"):
        m(data, np.where(idx == 1, 3, idx), upd)


def test_scatter_elements_reduction_must_be_known():
    node = helper.make_node("ScatterElements", ["d", "i", "u"], ["y"], axis=0,
                            reduction="max", name="se")
    model = make_model([node], [tensor("d", [3, 4]),
                                tensor("i", [2, 4], TensorProto.INT64),
                                tensor("u", [2, 4])], [tensor("y", [3, 4])],
                       opset=16)
    with pytest.raises(kiln.CompileError,
                       match="ScatterElements's reduction 'max' is not none, "
                       "add or mul"):
        kiln.compile(model)


def test_scatter_elements_needs_matching_dims():
    node = helper.make_node("ScatterElements", ["d", "i", "u"], ["y"], axis=0,
                            name="se")
    model = make_model([node], [tensor("d", [3, 4]),
                                tensor("i", [2, 2], TensorProto.INT64),
                                tensor("u", [2, 2])], [tensor("y", [3, 4])])
    with pytest.raises(kiln.CompileError,
                       match="ScatterElements's indices must match the data's "
                       "dims except along the axis; dim 1 has 2 and 4"):
        kiln.compile(model)


def test_conv_transpose_needs_static_spatial_dims():
    node = helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="ct")
    model = make_model([node], [tensor("x", [1, 2, "h", 3]),
                                tensor("w", [2, 3, 2, 2])],
                       [tensor("y", [1, 3, None, 4])])
    with pytest.raises(kiln.CompileError,
                       match="node 'ct' \\(ConvTranspose\\).*ConvTranspose "
                       "needs static channels, spatial dims and weight shape"):
        kiln.compile(model)


def gather_nd_reference(data, idx, batch):
    out = []
    for p in np.ndindex(*idx.shape[:-1]):
        out.append(data[p[:batch] + tuple(idx[p])])
    return np.array(out).reshape(idx.shape[:-1] + data.shape[batch +
                                                             idx.shape[-1]:])


@pytest.mark.parametrize("batch, idx", [
    (0, np.array([[[1, -2]], [[0, 1]], [[2, 0]]], np.int64)),
    (0, np.array([[2], [0]], np.int64)),
    (1, np.array([[1], [0], [2]], np.int64)),
])
def test_gather_nd_against_numpy(batch, idx):
    data = np.arange(36, dtype=np.float32).reshape(3, 3, 4)
    out_shape = idx.shape[:-1] + data.shape[batch + idx.shape[-1]:]
    node = helper.make_node("GatherND", ["d", "i"], ["y"], batch_dims=batch,
                            name="gnd")
    model = make_model([node], [tensor("d", [3, 3, 4]),
                                tensor("i", list(idx.shape), TensorProto.INT64)],
                       [tensor("y", list(out_shape))])
    m = kiln.compile(model)
    np.testing.assert_array_equal(m(data, idx),
                                  gather_nd_reference(data, idx % 3, batch))
    with pytest.raises(RuntimeError, match="node 'gnd' \\(GatherND\\): an "
                       "index is out of range"):
        m(data, np.full_like(idx, 3))


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
    model = make_model([helper.make_node("Identity", ["x"], ["y"])],
                       [tensor("x", [4], TensorProto.COMPLEX64)],
                       [tensor("y", [4], TensorProto.COMPLEX64)])
    with pytest.raises(kiln.CompileError,
                       match="graph input 'x' has element type COMPLEX64, "
                             "which Kiln does not support"):
        kiln.compile(model, check=False)


def test_shape_input_is_read_at_run_time_or_frozen():
    model = make_model(
        [helper.make_node("Reshape", ["x", "shape"], ["y"], name="rs")],
        [tensor("x", [2, 6]), tensor("shape", [2], TensorProto.INT64)],
        [tensor("y", [3, 4])])
    x = np.arange(12, dtype=np.float32).reshape(2, 6)
    m = kiln.compile(model)
    np.testing.assert_array_equal(m(x, np.array([4, 3])), x.reshape(4, 3))
    m = kiln.compile(model, freeze={"shape": np.array([3, 4], np.int64)})
    assert [i.name for i in m.inputs] == ["x"]
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


# --- attributes that onnx's shape inference would divide by -----------------

def _window_model(op, **attrs):
    """A Conv, ConvTranspose or pool over a 1x3x8x8 input with `attrs`; the
    output shape is left to inference (named dims)."""
    inputs, inits = ["x"], []
    if op in ("Conv", "ConvTranspose"):
        shape = (4, 3, 3, 3) if op == "Conv" else (3, 4, 3, 3)
        inputs.append("W")
        inits.append(init("W", np.ones(shape, np.float32)))
    elif "kernel_shape" not in attrs:
        attrs["kernel_shape"] = [2, 2]
    return make_model([helper.make_node(op, inputs, ["y"], name="win", **attrs)],
                      [tensor("x", [1, 3, 8, 8])],
                      [tensor("y", ["n", "c", "h", "w"])], inits)


WINDOW_ATTRS = [("strides", 2), ("dilations", 2), ("kernel_shape", 2),
                ("pads", 4)]


@pytest.mark.parametrize("op", ["Conv", "ConvTranspose", "MaxPool",
                                "AveragePool", "LpPool"])
@pytest.mark.parametrize("attr,count", WINDOW_ATTRS)
@pytest.mark.parametrize("value", [0, -1, -(2 ** 62)])
def test_window_attribute_out_of_range_is_an_error(op, attr, count, value):
    """strides=[0,0] used to kill the process with SIGFPE inside libonnx's
    shape inference; every window attribute is now checked first."""
    if attr == "pads" and value == 0:
        pytest.skip("zero padding is valid")
    if attr == "dilations" and op in ("AveragePool", "LpPool"):
        pytest.skip("%s has no dilations in opset 14" % op)
    model = _window_model(op, **{attr: [value] * count})
    expected = "non-negative" if attr == "pads" else "positive"
    with pytest.raises(kiln.CompileError,
                       match="node 'win' \\(%s\\): attribute '%s' must be %s, "
                       "got %d" % (op, attr, expected, value)):
        kiln.import_onnx(model)


@pytest.mark.parametrize("op,attr", [("Conv", "group"),
                                     ("ConvTranspose", "group"),
                                     ("ConvTranspose", "output_padding"),
                                     ("ConvTranspose", "output_shape"),
                                     ("LpPool", "p"),
                                     ("MaxPool", "storage_order")])
def test_other_window_attributes_out_of_range(op, attr):
    value = -1
    if attr in ("output_padding", "output_shape"):
        value = [-1, -1]
    model = _window_model(op, **{attr: value})
    with pytest.raises(kiln.CompileError,
                       match="node 'win' \\(%s\\): attribute '%s' must be" %
                       (op, attr)):
        kiln.import_onnx(model)


@pytest.mark.parametrize("op", ["DepthToSpace", "SpaceToDepth"])
@pytest.mark.parametrize("value", [0, -2])
def test_blocksize_out_of_range(op, value):
    model = make_model([helper.make_node(op, ["x"], ["y"], name="b",
                                         blocksize=value)],
                       [tensor("x", [1, 4, 8, 8])],
                       [tensor("y", ["n", "c", "h", "w"])])
    with pytest.raises(kiln.CompileError,
                       match="attribute 'blocksize' must be positive"):
        kiln.import_onnx(model)


def _resize_model(scales=None, sizes=None, **attrs):
    inputs, inits = ["x", "", ""], []
    if scales is not None:
        inputs[2] = "s"
        inits.append(init("s", np.array(scales, np.float32)))
    if sizes is not None:
        inputs = ["x", "", "", "z"]
        inits.append(init("z", np.array(sizes, np.int64)))
    return make_model([helper.make_node("Resize", inputs, ["y"], name="rz",
                                        **attrs)],
                      [tensor("x", [1, 3, 8, 8])],
                      [tensor("y", ["n", "c", "h", "w"])], inits)


@pytest.mark.parametrize("model", [
    _resize_model(scales=[1, 1, 0, 0]),
    _resize_model(scales=[1, 1, -2, -2]),
    _resize_model(sizes=[1, 3, 0, 0]),
    _resize_model(sizes=[1, 3, -4, -4]),
    _resize_model(scales=[1, 1, 2, 2], exclude_outside=-1),
], ids=["scales0", "scales-neg", "sizes0", "sizes-neg", "exclude_outside"])
def test_resize_out_of_range_is_an_error(model):
    with pytest.raises(kiln.CompileError, match="rz|Resize"):
        kiln.import_onnx(model)


def test_conv_kernel_shape_must_match_the_weight():
    model = _window_model("Conv", kernel_shape=[5, 5])
    with pytest.raises(kiln.CompileError,
                       match="kernel_shape \\[5, 5\\] does not match the "
                       "weight's spatial dims \\[3, 3\\]"):
        kiln.import_onnx(model)


@pytest.mark.parametrize("dim", [-1, -3])
def test_graph_input_dims_must_not_be_negative(dim):
    """A dim of -3 used to become a dynamic dim silently."""
    model = make_model([helper.make_node("Relu", ["x"], ["y"])],
                       [tensor("x", [2, dim])], [tensor("y", [2, "d"])])
    with pytest.raises(kiln.CompileError,
                       match="graph input 'x' has dim 1 = %d; ONNX dims are "
                       "non-negative" % dim):
        kiln.import_onnx(model)


def test_graph_input_zero_dim_stays_static():
    """A dim of 0 (an empty tensor, as ONNX's own tests use) used to become
    a dynamic dim; it is a static 0 now."""
    model = make_model([helper.make_node("Relu", ["x"], ["y"])],
                       [tensor("x", [2, 0])], [tensor("y", [2, 0])])
    assert "tensor<2x0xf32>" in kiln.import_onnx(model)
    m = kiln.compile(model)
    assert m.inputs[0].shape == (2, 0)
    assert m(np.zeros((2, 0), np.float32)).shape == (2, 0)


# --- inputs that crashed inside onnx 1.12's shape inference (found by the
# onnx-import fuzzer; test/fuzz/regressions/onnx-import-fuzzer) ------------

@pytest.mark.parametrize("axis", [-3, 2, -2049, 2 ** 63 - 1])
def test_layernorm_axis_outside_rank(axis):
    model = make_model(
        [helper.make_node("LayerNormalization", ["x", "w", "b"], ["y"],
                          name="ln", axis=axis)],
        [tensor("x", [3, 4]), tensor("w", [4]), tensor("b", [4])],
        [tensor("y", [3, 4])], opset=17)
    with pytest.raises(kiln.CompileError,
                       match="LayerNormalization.*axis %d is outside the "
                       "input's rank 2" % axis):
        kiln.import_onnx(model)


@pytest.mark.parametrize("op", ["Conv", "ConvTranspose"])
def test_conv_input_and_weight_ranks_must_agree(op):
    model = make_model(
        [helper.make_node(op, ["x", "w"], ["y"], name="c")],
        [tensor("x", [1, 1, 3]), tensor("w", [1, 3])], [tensor("y", ["n"])])
    with pytest.raises(kiln.CompileError, match="rank"):
        kiln.import_onnx(model)


def test_non_tensor_graph_input():
    seq = helper.make_tensor_sequence_value_info("s", TensorProto.FLOAT, [2])
    model = make_model([helper.make_node("Relu", ["x"], ["y"])],
                       [tensor("x", [2]), seq], [tensor("y", [2])])
    with pytest.raises(kiln.CompileError,
                       match="graph input 's' is not a tensor"):
        kiln.import_onnx(model)


def test_constant_dims_that_overflow():
    value = TensorProto(name="c", data_type=TensorProto.FLOAT,
                        dims=[2 ** 62, 4])
    model = make_model([helper.make_node("Constant", [], ["y"], value=value)],
                       [], [tensor("y", [2 ** 62, 4])])
    with pytest.raises(kiln.CompileError,
                       match="tensor 'c' has more elements than fit in 64 "
                       "bits"):
        kiln.import_onnx(model, check=False)


@pytest.mark.parametrize("op", ["MaxPool", "AveragePool", "LpPool"])
def test_pool_input_rank_below_3(op):
    model = make_model(
        [helper.make_node(op, ["x"], ["y"], name="p", kernel_shape=[2])],
        [tensor("x", [4, 4])], [tensor("y", ["n"])])
    with pytest.raises(kiln.CompileError,
                       match="the input needs rank 3 or more, not 2"):
        kiln.import_onnx(model)
