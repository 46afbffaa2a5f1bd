# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""ONNX RNN, GRU and LSTM as exported by torch (one- and two-layer,
bidirectional, batch-first, dynamic batch and sequence) against torch, and
sequence_lens against a numpy reference."""

import io
import warnings

import numpy as np
import pytest
import torch
from onnx import TensorProto, helper

import kiln
from conftest import init, make_model, tensor

warnings.filterwarnings("ignore")


class Wrapped(torch.nn.Module):
    """The recurrent layer's full output sequence and final hidden state."""

    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def forward(self, x):
        y, state = self.layer(x)
        h = state[0] if isinstance(state, tuple) else state
        return y, h


def export(model, x, dynamic):
    f = io.BytesIO()
    axes = {0: "a", 1: "b"} if dynamic else {}
    torch.onnx.export(model, (x,), f, opset_version=14, input_names=["x"],
                      output_names=["y", "h"],
                      dynamic_axes={"x": axes} if dynamic else None)
    return f.getvalue()


LAYERS = {
    "rnn": lambda: torch.nn.RNN(5, 7),
    "rnn_relu_2layers": lambda: torch.nn.RNN(5, 7, num_layers=2,
                                             nonlinearity="relu"),
    "gru": lambda: torch.nn.GRU(5, 7),
    "gru_bidirectional_batch_first": lambda: torch.nn.GRU(
        5, 7, bidirectional=True, batch_first=True),
    "lstm": lambda: torch.nn.LSTM(5, 7),
    "lstm_bidirectional_2layers": lambda: torch.nn.LSTM(
        5, 7, num_layers=2, bidirectional=True),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
@pytest.mark.parametrize("dynamic", [False, True], ids=["static", "dynamic"])
def test_torch_recurrent_layers(name, dynamic):
    torch.manual_seed(0)
    model = Wrapped(LAYERS[name]()).eval()
    x = torch.randn(6, 3, 5)
    m = kiln.compile(export(model, x, dynamic))
    # One loop per layer and direction; the steps are not unrolled.
    assert "scf.for" in m.mlir
    shapes = [(6, 3, 5), (1, 2, 5), (11, 1, 5)] if dynamic else [(6, 3, 5)]
    for shape in shapes:
        x = torch.randn(*shape, generator=torch.Generator().manual_seed(3))
        with torch.no_grad():
            ref_y, ref_h = (t.numpy() for t in model(x))
        y, h = m(x.numpy())
        np.testing.assert_allclose(y, ref_y, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(h, ref_h, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("direction", ["forward", "reverse", "bidirectional"])
def test_rnn_sequence_lens_against_numpy(direction):
    # Each batch entry runs over its own first `lens` steps (the reverse
    # direction from its own last one); past them the output is 0 and the
    # final state is the entry's last.
    rng = np.random.default_rng(0)
    seq, batch, inp, hid = 5, 3, 4, 6
    dirs = 2 if direction == "bidirectional" else 1
    w = rng.standard_normal((dirs, hid, inp)).astype(np.float32)
    r = rng.standard_normal((dirs, hid, hid)).astype(np.float32) * 0.5
    bias = rng.standard_normal((dirs, 2 * hid)).astype(np.float32)
    model = make_model(
        [helper.make_node("RNN", ["x", "W", "R", "B", "lens"], ["y", "yh"],
                          hidden_size=hid, direction=direction)],
        [tensor("x", [seq, batch, inp]), tensor("lens", [batch],
                                                TensorProto.INT32)],
        [tensor("y", [seq, dirs, batch, hid]),
         tensor("yh", [dirs, batch, hid])],
        [init("W", w), init("R", r), init("B", bias)])
    m = kiln.compile(model)
    x = rng.standard_normal((seq, batch, inp)).astype(np.float64)
    lens = np.array([5, 2, 1], np.int32)
    y, yh = m(x.astype(np.float32), lens)
    ref_y = np.zeros((seq, dirs, batch, hid))
    ref_h = np.zeros((dirs, batch, hid))
    for d in range(dirs):
        backward = direction == "reverse" or d == 1
        for b in range(batch):
            h = np.zeros(hid)
            steps = range(lens[b])
            for t in (reversed(steps) if backward else steps):
                h = np.tanh(x[t, b] @ w[d].T + h @ r[d].T + bias[d, :hid] +
                            bias[d, hid:])
                ref_y[t, d, b] = h
            ref_h[d, b] = h
    np.testing.assert_allclose(y, ref_y, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(yh, ref_h, rtol=1e-5, atol=1e-5)


def lstm_node(**attrs):
    return helper.make_node("LSTM", ["x", "W", "R"], ["y"], hidden_size=2,
                            **attrs)


@pytest.mark.parametrize("attrs,message", [
    ({"input_forget": 1}, "input_forget=1"),
    ({"activations": ["Sigmoid", "Tanh"]}, "needs 3 activations"),
    ({"activations": ["Sigmoid", "Tanh", "Softsign"]},
     "activation 'Softsign' is not supported"),
    ({"direction": "sideways"}, "direction 'sideways'"),
])
def test_lstm_attribute_errors(attrs, message):
    model = make_model(
        [lstm_node(**attrs)],
        [tensor("x", [3, 1, 4])], [tensor("y", [3, 1, 1, 2])],
        [init("W", np.zeros((1, 8, 4), np.float32)),
         init("R", np.zeros((1, 8, 2), np.float32))])
    with pytest.raises(kiln.CompileError, match=message):
        kiln.compile(model)


def test_lstm_weight_shape_error():
    model = make_model(
        [lstm_node()], [tensor("x", [3, 1, 4])], [tensor("y", [3, 1, 1, 2])],
        [init("W", np.zeros((1, 8, 5), np.float32)),
         init("R", np.zeros((1, 8, 2), np.float32))])
    with pytest.raises(kiln.CompileError,
                       match="LSTM's W has dim 2 = 5, expected 4"):
        kiln.compile(model)


def test_lstm_initial_state_shape_error():
    node = helper.make_node("LSTM", ["x", "W", "R", "", "", "h0"], ["y"],
                            hidden_size=2, name="lstm")
    model = make_model(
        [node], [tensor("x", [3, 1, 4]), tensor("h0", [1, 1, 3])],
        [tensor("y", [3, 1, 1, 2])],
        [init("W", np.zeros((1, 8, 4), np.float32)),
         init("R", np.zeros((1, 8, 2), np.float32))])
    with pytest.raises(kiln.CompileError,
                       match="'lstm'.*initial state has dim 2 = 3, expected 2"):
        kiln.compile(model, check=False)


def test_gate_slices_of_large_weights_fold_at_compile_time():
    # A GRU wide enough that its weights are dense_resource blobs: the
    # per-gate, per-direction slices of W, R and B are evaluated at compile
    # time (kiln-fold-constants) into blobs of their own; the slices left
    # are of the run-time gates. The results are the same without it.
    torch.manual_seed(0)
    model = Wrapped(torch.nn.GRU(40, 48, bidirectional=True)).eval()
    x = torch.randn(4, 2, 40, generator=torch.Generator().manual_seed(3))
    onnx_bytes = export(model, x, False)
    folded = kiln.compile(onnx_bytes)
    unfolded = kiln.compile(onnx_bytes, fold_constants=False,
                            evaluate_constants=False)
    assert "dense_resource<kiln_folded" in folded.mlir
    assert "kiln_folded" not in unfolded.mlir
    # Without kiln-fold-constants, kiln-evaluate-constants computes them by
    # running the slices instead.
    evaluated = kiln.compile(onnx_bytes, fold_constants=False)
    assert "dense_resource<kiln_evaluated" in evaluated.mlir
    assert (evaluated.mlir.count("kiln.slice") ==
            folded.mlir.count("kiln.slice"))
    # W, R and B per direction, and R's reset slice per direction.
    assert (unfolded.mlir.count("kiln.slice") -
            folded.mlir.count("kiln.slice")) >= 6
    with torch.no_grad():
        ref_y, ref_h = [t.numpy() for t in model(x)]
    for m in (folded, unfolded, evaluated):
        y, h = m(x.numpy())
        np.testing.assert_allclose(y.reshape(ref_y.shape), ref_y, rtol=1e-5,
                                   atol=1e-5)
        np.testing.assert_allclose(h, ref_h, rtol=1e-5, atol=1e-5)
