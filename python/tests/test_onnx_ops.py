# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""ONNX operators that Kiln composes from kiln ops (Pad's edge and reflect
modes, cubic Resize, Einsum, TopK, ScatterND), at edge sizes, against numpy
and torch."""

import numpy as np
import pytest
import torch
from onnx import TensorProto, helper

import kiln
from conftest import init, make_model, tensor


def run_single(node, inputs, out_shape, inits=(), out_type=TensorProto.FLOAT,
               extra_outputs=()):
    ins = [tensor(name, list(a.shape),
                  TensorProto.INT64 if a.dtype == np.int64 else
                  TensorProto.FLOAT)
           for name, a in inputs]
    outs = [tensor(node.output[0], out_shape, out_type)] + list(extra_outputs)
    m = kiln.compile(make_model([node], ins, outs, inits))
    return m(*[a for _, a in inputs])


@pytest.mark.parametrize("mode", ["edge", "reflect"])
@pytest.mark.parametrize("shape,pads", [
    ((1, 5), [0, 2, 0, 3]),
    ((3, 4, 5), [1, 0, 2, 0, 3, 4]),
    ((2, 3), [0, 7, 0, 6]),      # reflect pads wider than the dim
    ((7,), [3, 2]),               # prime size
    ((1,), [2, 2]),               # a dim of 1
])
def test_pad_edge_and_reflect(mode, shape, pads):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    rank = len(shape)
    node = helper.make_node("Pad", ["x", "pads"], ["y"], mode=mode)
    ref = np.pad(x, list(zip(pads[:rank], pads[rank:])), mode=mode)
    y = run_single(node, [("x", x)], list(ref.shape),
                   [init("pads", np.array(pads, np.int64))])
    np.testing.assert_array_equal(y, ref)


def test_pad_with_cropping():
    # Negative pads crop: drop 1 at the start of dim 1, pad 2 at its end.
    x = np.arange(4 * 6, dtype=np.float32).reshape(4, 6)
    node = helper.make_node("Pad", ["x", "pads"], ["y"], mode="reflect")
    y = run_single(node, [("x", x)], [4, 7],
                   [init("pads", np.array([0, -1, 0, 2], np.int64))])
    np.testing.assert_array_equal(y, np.pad(x[:, 1:], [(0, 0), (0, 2)],
                                            mode="reflect"))


def test_pad_unknown_mode_is_an_error():
    node = helper.make_node("Pad", ["x", "pads"], ["y"], mode="wrap")
    with pytest.raises(kiln.CompileError,
                       match="Pad mode 'wrap' is not supported"):
        run_single(node, [("x", np.zeros((2, 2), np.float32))], [2, 4],
                   [init("pads", np.array([0, 1, 0, 1], np.int64))])


@pytest.mark.parametrize("size,align", [((13, 7), False), ((5, 11), True),
                                        ((1, 3), False)])
def test_bicubic_resize_matches_torch(size, align):
    # torch exports bicubic interpolation as Resize mode=cubic, A = -0.75.
    import io

    class Up(torch.nn.Module):
        def forward(self, x):
            return torch.nn.functional.interpolate(
                x, size=size, mode="bicubic", align_corners=align)

    x = torch.randn(1, 2, 6, 5, generator=torch.Generator().manual_seed(0))
    f = io.BytesIO()
    torch.onnx.export(Up(), (x,), f, opset_version=13)
    m = kiln.compile(f.getvalue())
    with torch.no_grad():
        ref = Up()(x).numpy()
    np.testing.assert_allclose(m(x.numpy()), ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("mode", ["nearest", "linear", "cubic"])
@pytest.mark.parametrize("roi,sizes,extrapolation", [
    # Inside the input (onnx's own example), then boxes reaching past it on
    # both sides, a single output row, and a 7x5 output of a prime-sized
    # input.
    ([0, 0, 0.4, 0.6, 1, 1, 0.6, 0.8], [1, 1, 3, 3], 0.0),
    ([0, 0, -0.3, 0.5, 1, 1, 1.4, 1.2], [1, 1, 4, 5], 10.0),
    ([0, 0, 0.2, -0.5, 1, 1, 0.9, 0.25], [1, 1, 1, 3], -2.5),
    ([0, 0, 0.1, 0.0, 1, 1, 0.9, 1.0], [1, 1, 7, 5], 0.0),
])
def test_resize_tf_crop_and_resize_against_onnx(mode, roi, sizes,
                                                 extrapolation):
    # The reference is onnx's own interpolate_nd, which generated the node
    # tests (Debian's onnx 1.12 ships only the in-range example).
    from onnx.backend.test.case.node.resize import (
        cubic_coeffs, interpolate_nd, linear_coeffs, nearest_coeffs)
    coeffs = {"nearest": nearest_coeffs, "linear": linear_coeffs,
              "cubic": cubic_coeffs}[mode]
    data = np.random.default_rng(3).standard_normal((1, 1, 5, 7)).astype(
        np.float32)
    roi = np.array(roi, np.float32)
    want = interpolate_nd(data, coeffs, output_size=sizes, roi=roi,
                          coordinate_transformation_mode="tf_crop_and_resize",
                          extrapolation_value=extrapolation)
    node = helper.make_node(
        "Resize", ["x", "roi", "", "sizes"], ["y"], mode=mode,
        coordinate_transformation_mode="tf_crop_and_resize",
        extrapolation_value=extrapolation)
    got = run_single(node, [("x", data)], list(sizes),
                     inits=[init("roi", roi),
                            init("sizes", np.array(sizes, np.int64))])
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_resize_tf_crop_and_resize_needs_an_roi():
    node = helper.make_node(
        "Resize", ["x", "roi", "", "sizes"], ["y"], mode="linear",
        coordinate_transformation_mode="tf_crop_and_resize")
    with pytest.raises(kiln.CompileError,
                       match="needs an roi of 8 values \\(starts, then "
                             "ends\\), got 2"):
        run_single(node, [("x", np.zeros((1, 1, 3, 3), np.float32))],
                   [1, 1, 2, 2],
                   inits=[init("roi", np.array([0, 1], np.float32)),
                          init("sizes", np.array([1, 1, 2, 2], np.int64))])


def scatter_nd_ref(data, indices, updates, reduction):
    out = data.copy()
    for pos in np.ndindex(*indices.shape[:-1]):
        idx = tuple(indices[pos])
        if reduction == "add":
            out[idx] += updates[pos]
        elif reduction == "mul":
            out[idx] *= updates[pos]
        else:
            out[idx] = updates[pos]
    return out


@pytest.mark.parametrize("reduction", ["none", "add", "mul"])
@pytest.mark.parametrize("data_shape,indices", [
    ((7,), [[2], [-1], [0]]),                 # prime size, a negative index
    ((2, 8, 4), [[0, 3], [1, 5], [1, 0]]),    # rows of a KV cache
    ((3, 5), [[[0, 1], [2, 4]], [[1, 1], [0, 0]]]),  # single elements
    ((1, 1, 3), [[0]]),                       # a dim of 1
])
def test_scatter_nd_against_numpy(reduction, data_shape, indices):
    rng = np.random.default_rng(0)
    data = rng.standard_normal(data_shape).astype(np.float32)
    indices = np.array(indices, np.int64)
    k = indices.shape[-1]
    updates = rng.standard_normal(
        indices.shape[:-1] + data.shape[k:]).astype(np.float32)
    node = helper.make_node("ScatterND", ["data", "indices", "updates"],
                            ["y"], reduction=reduction)
    m = kiln.compile(make_model(
        [node], [tensor("data", list(data.shape)),
                 tensor("indices", list(indices.shape), TensorProto.INT64),
                 tensor("updates", list(updates.shape))],
        [tensor("y", list(data.shape))], opset=16))
    wrapped = np.where(indices < 0, indices + np.array(data.shape[:k]),
                       indices)
    np.testing.assert_allclose(
        m(data, indices, updates),
        scatter_nd_ref(data, wrapped, updates, reduction), rtol=1e-6)


def test_scatter_nd_index_out_of_range_is_a_run_time_error():
    node = helper.make_node("ScatterND", ["data", "indices", "updates"],
                            ["y"], name="scatter")
    m = kiln.compile(make_model(
        [node], [tensor("data", [4]),
                 tensor("indices", [1, 1], TensorProto.INT64),
                 tensor("updates", [1])], [tensor("y", [4])]))
    data = np.zeros(4, np.float32)
    with pytest.raises(RuntimeError, match="scatter"):
        m(data, np.array([[4]], np.int64), np.ones(1, np.float32))
    np.testing.assert_array_equal(
        m(data, np.array([[3]], np.int64), np.ones(1, np.float32)),
        [0, 0, 0, 1])


@pytest.mark.parametrize("equation,shapes", [
    ("ij,jk->ik", [(3, 5), (5, 7)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 1)]),
    ("bhqd,bhkd->bhqk", [(1, 2, 5, 8), (1, 2, 7, 8)]),   # attention scores
    ("i,i->", [(13,), (13,)]),
    ("ij->", [(3, 4)]),
    ("ij->ji", [(3, 4)]),
    ("ij", [(2, 3)]),                                      # implicit output
    ("ij,jk", [(2, 3), (3, 4)]),
    ("bi,bj->bij", [(2, 3), (2, 4)]),                      # outer products
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("...ij,...jk->...ik", [(2, 3, 3, 4), (2, 3, 4, 2)]),  # ellipsis batch
    ("...i,i->...", [(2, 3, 4), (4,)]),
    ("abc,cd->abd", [(1, 1, 3), (3, 1)]),                  # dims of 1
    ("ijk,ik->j", [(3, 4, 5), (3, 5)]),
    ("ii->i", [(4, 4)]),                                   # diagonal
    ("ii", [(5, 5)]),                                      # trace
    ("...ii->...i", [(2, 3, 3)]),
    ("iij,jk->ik", [(3, 3, 2), (2, 4)]),
])
def test_einsum_against_numpy(equation, shapes):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    ref = np.einsum(equation, *arrays)
    names = ["x%d" % i for i in range(len(arrays))]
    node = helper.make_node("Einsum", names, ["y"], equation=equation)
    m = kiln.compile(make_model(
        [node], [tensor(nm, list(a.shape)) for nm, a in zip(names, arrays)],
        [tensor("y", list(ref.shape))], opset=12))
    np.testing.assert_allclose(m(*arrays), ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("equation,message", [
    ("i2->i", "which is not a letter"),
])
def test_einsum_errors(equation, message):
    node = helper.make_node("Einsum", ["x"], ["y"], equation=equation)
    model = make_model([node], [tensor("x", [3, 3])], [tensor("y", [3])],
                       opset=12)
    with pytest.raises(kiln.CompileError, match=message):
        kiln.compile(model, check=False)


@pytest.mark.parametrize("shape,k,axis,largest", [
    ((1000,), 5, 0, 1),          # top-5 classes
    ((2, 7), 7, 1, 1),           # k = the whole (prime) dim
    ((3, 5, 4), 2, 1, 0),        # smallest, a middle axis
    ((4, 1), 1, 0, 1),
])
def test_topk_against_torch(shape, k, axis, largest):
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(k))
    node = helper.make_node("TopK", ["x", "k"], ["v", "i"], axis=axis,
                            largest=largest)
    out_shape = list(shape)
    out_shape[axis] = k
    m = kiln.compile(make_model(
        [node], [tensor("x", list(shape))],
        [tensor("v", out_shape), tensor("i", out_shape, TensorProto.INT64)],
        [init("k", np.array([k], np.int64))]))
    v, i = m(x.numpy())
    ref_v, ref_i = torch.topk(x, k, dim=axis, largest=bool(largest))
    np.testing.assert_array_equal(v, ref_v.numpy())
    np.testing.assert_array_equal(i, ref_i.numpy())


def test_topk_ties_take_the_lower_index_and_dynamic_batch():
    node = helper.make_node("TopK", ["x", "k"], ["v", "i"])
    m = kiln.compile(make_model(
        [node], [tensor("x", ["N", 6])],
        [tensor("v", ["N", 3]), tensor("i", ["N", 3], TensorProto.INT64)],
        [init("k", np.array([3], np.int64))]))
    x = np.array([[1, 5, 5, 2, 5, 0], [0, 0, 0, 0, 0, 0]], np.float32)
    v, i = m(x)
    np.testing.assert_array_equal(i, [[1, 2, 4], [0, 1, 2]])
    np.testing.assert_array_equal(v, [[5, 5, 5], [0, 0, 0]])
    assert m(np.ones((5, 6), np.float32))[1].shape == (5, 3)


def test_topk_k_computed_at_run_time_is_an_error():
    node = helper.make_node("TopK", ["x", "k"], ["v", "i"], name="top")
    model = make_model(
        [node], [tensor("x", [2, 4]), tensor("k", [1], TensorProto.INT64)],
        [tensor("v", [2, "k"]), tensor("i", [2, "k"], TensorProto.INT64)])
    with pytest.raises(kiln.CompileError,
                       match="TopK's k \\(input 1, 'k'\\) must be known at "
                             "compile time"):
        kiln.compile(model)


def export_torch(module, x, opset=13, dynamic_batch=False):
    import io
    f = io.BytesIO()
    torch.onnx.export(module, (x,), f, opset_version=opset,
                      input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "n"}, "y": {0: "n"}}
                      if dynamic_batch else None)
    return f.getvalue()


@pytest.mark.parametrize("conv", [
    dict(in_channels=3, out_channels=4, kernel_size=3, padding=1),
    dict(in_channels=4, out_channels=6, kernel_size=(3, 2, 3),
         stride=(2, 1, 2), padding=(1, 0, 2), dilation=(1, 2, 1), groups=2),
    dict(in_channels=2, out_channels=5, kernel_size=1, bias=False),
])
def test_conv3d_matches_torch(conv):
    torch.manual_seed(0)
    model = torch.nn.Conv3d(**conv).eval()
    x = torch.randn(2, conv["in_channels"], 5, 7, 6)
    m = kiln.compile(export_torch(model, x, dynamic_batch=True))
    for batch in (2, 1):
        xb = x[:batch]
        with torch.no_grad():
            ref = model(xb).numpy()
        np.testing.assert_allclose(m(xb.numpy()), ref, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("pool", [
    torch.nn.MaxPool3d(2),
    torch.nn.MaxPool3d((3, 2, 3), stride=(2, 1, 2), padding=(1, 0, 1),
                       ceil_mode=True),
    torch.nn.AvgPool3d(3, stride=2, padding=1),
    torch.nn.AvgPool3d(3, stride=2, padding=1, count_include_pad=False),
    torch.nn.AvgPool3d((2, 3, 1), stride=1, ceil_mode=True),
])
def test_pool3d_matches_torch(pool):
    x = torch.randn(2, 3, 7, 6, 5, generator=torch.Generator().manual_seed(1))
    m = kiln.compile(export_torch(pool, x))
    with torch.no_grad():
        ref = pool(x).numpy()
    got = m(x.numpy())
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("conv", [
    dict(in_channels=4, out_channels=3, kernel_size=3, stride=2, padding=1,
         output_padding=1),
    dict(in_channels=4, out_channels=6, kernel_size=(2, 3, 2),
         stride=(1, 2, 3), groups=2, dilation=(2, 1, 1)),
])
def test_conv_transpose3d_matches_torch(conv):
    torch.manual_seed(0)
    model = torch.nn.ConvTranspose3d(**conv).eval()
    x = torch.randn(2, 4, 3, 4, 5)
    m = kiln.compile(export_torch(model, x))
    with torch.no_grad():
        ref = model(x).numpy()
    got = m(x.numpy())
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("size", [1, 3, 5])
def test_lrn_matches_torch(size):
    # Local response normalization (AlexNet/GoogLeNet-era zoo models); torch
    # has the same formula for odd sizes (it centres even windows one
    # channel earlier than ONNX).
    node = helper.make_node("LRN", ["x"], ["y"], size=size, alpha=2e-3,
                            beta=0.6, bias=1.5)
    m = kiln.compile(make_model([node], [tensor("x", ["N", 7, 5, 4])],
                                [tensor("y", ["N", 7, 5, 4])]))
    lrn = torch.nn.LocalResponseNorm(size, alpha=2e-3, beta=0.6, k=1.5)
    for batch in (2, 1):
        x = torch.randn(batch, 7, 5, 4,
                        generator=torch.Generator().manual_seed(size))
        with torch.no_grad():
            ref = lrn(x).numpy()
        np.testing.assert_allclose(m(x.numpy()), ref, rtol=1e-5, atol=1e-6)


def test_lrn_even_size_follows_onnx():
    # ONNX sums channels [c - floor((size-1)/2), c + ceil((size-1)/2)].
    node = helper.make_node("LRN", ["x"], ["y"], size=4, alpha=1e-2,
                            beta=0.75, bias=2.0)
    m = kiln.compile(make_model([node], [tensor("x", [1, 6, 2, 3])],
                                [tensor("y", [1, 6, 2, 3])]))
    x = np.random.default_rng(3).standard_normal((1, 6, 2, 3)).astype(
        np.float32)
    sq = np.pad(x.astype(np.float64) ** 2, [(0, 0), (1, 2), (0, 0), (0, 0)])
    window = sum(sq[:, k:k + 6] for k in range(4))
    ref = x / (2.0 + 1e-2 / 4 * window) ** 0.75
    np.testing.assert_allclose(m(x), ref, rtol=1e-5, atol=1e-6)


def test_topk_with_infinities_nan_and_integer_extremes():
    # Masked logits hold -inf: each element is still chosen once; NaN ranks
    # above everything for the largest, as in torch.
    node = helper.make_node("TopK", ["x", "k"], ["v", "i"])
    m = kiln.compile(make_model(
        [node], [tensor("x", [2, 4])],
        [tensor("v", [2, 4]), tensor("i", [2, 4], TensorProto.INT64)],
        [init("k", np.array([4], np.int64))]))
    x = np.array([[-np.inf, 5, -np.inf, 1], [1, np.nan, 3, -np.inf]],
                 np.float32)
    v, i = m(x)
    np.testing.assert_array_equal(i, [[1, 3, 0, 2], [1, 2, 0, 3]])
    np.testing.assert_array_equal(v[0], [5, 1, -np.inf, -np.inf])
    assert np.isnan(v[1, 0])
    mi = kiln.compile(make_model(
        [helper.make_node("TopK", ["x", "k"], ["v", "i"], largest=0)],
        [tensor("x", [5], TensorProto.INT32)],
        [tensor("v", [5], TensorProto.INT32),
         tensor("i", [5], TensorProto.INT64)],
        [init("k", np.array([5], np.int64))]))
    big = np.iinfo(np.int32).max
    v, i = mi(np.array([big, 3, big, -1, big], np.int32))
    np.testing.assert_array_equal(i, [3, 1, 0, 2, 4])


def test_scatter_nd_keeps_infinite_updates_where_they_land():
    node = helper.make_node("ScatterND", ["d", "i", "u"], ["y"])
    m = kiln.compile(make_model(
        [node], [tensor("d", [3]), tensor("i", [2, 1], TensorProto.INT64),
                 tensor("u", [2])], [tensor("y", [3])]))
    y = m(np.zeros(3, np.float32), np.array([[0], [1]], np.int64),
          np.array([1, np.inf], np.float32))
    np.testing.assert_array_equal(y, [1, np.inf, 0])


def test_conv_transpose_output_shape_lengths():
    w = np.ones((1, 1, 3, 3), np.float32)
    def model(output_shape):
        node = helper.make_node("ConvTranspose", ["x", "w"], ["y"],
                                strides=[2, 2], output_shape=output_shape,
                                name="ct")
        return make_model([node], [tensor("x", [1, 1, 3, 3])],
                          [tensor("y", [1, 1, 7, 7])], [init("w", w)])
    x = np.ones((1, 1, 3, 3), np.float32)
    spatial = kiln.compile(model([7, 7]))(x)
    full = kiln.compile(model([1, 1, 7, 7]), check=False)(x)
    np.testing.assert_array_equal(spatial, full)
    with pytest.raises(kiln.CompileError,
                       match="'ct'.*output_shape has 1 entries for 2"):
        kiln.compile(model([7]), check=False)
