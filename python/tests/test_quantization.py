# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""int8 quantization from Python: the options and their errors, the
calibration report, and accuracy on scikit-learn's bundled digits with
models trained here (no downloads)."""

import io
import os
import subprocess

import numpy as np
import pytest

import kiln

torch = pytest.importorskip("torch")
datasets = pytest.importorskip("sklearn.datasets")


def onnx_of(model, example, dynamic_batch=True):
    buf = io.BytesIO()
    torch.onnx.export(model, example, buf, input_names=["x"],
                      output_names=["y"],
                      dynamic_axes={"x": {0: "n"}, "y": {0: "n"}}
                      if dynamic_batch else None)
    return buf.getvalue()


def first(out):
    return out[0] if isinstance(out, (tuple, list)) else out


@pytest.fixture(scope="module")
def digits():
    """The 8x8 digits, scaled to [0, 1], split 1200 train / rest test."""
    d = datasets.load_digits()
    x = (d.data / 16.0).astype(np.float32)
    y = d.target.astype(np.int64)
    order = np.random.default_rng(0).permutation(len(x))
    x, y = x[order], y[order]
    return x[:1200], y[:1200], x[1200:], y[1200:]


def train(model, x, y, epochs, lr=1e-2, batch=64):
    torch.manual_seed(0)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    gen = torch.Generator().manual_seed(0)
    for _ in range(epochs):
        perm = torch.randperm(len(xt), generator=gen)
        for i in range(0, len(xt), batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    return model.eval()


def accuracy(module, x, y):
    return float((first(module(x)).argmax(axis=1) == y).mean())


@pytest.fixture(scope="module")
def mlp(digits):
    xtr, ytr, _, _ = digits
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 64),
        torch.nn.ReLU(), torch.nn.Linear(64, 10))
    train(model, xtr, ytr, epochs=15)
    return onnx_of(model, torch.from_numpy(xtr[:4]))


def calibration_batches(x, n=4, size=64):
    return [x[i * size:(i + 1) * size] for i in range(n)]


@pytest.mark.parametrize("method", ["minmax", "percentile", "mse"])
def test_mlp_int8_accuracy(digits, mlp, method):
    """Post-training int8 of an MLP: top-1 within 1 point of f32."""
    xtr, _, xte, yte = digits
    f32 = kiln.compile(mlp)
    q = kiln.compile(mlp, quantize="int8", calibration_method=method,
                     calibration=calibration_batches(xtr))
    a32, a8 = accuracy(f32, xte, yte), accuracy(q, xte, yte)
    assert a32 > 0.9
    assert a8 >= a32 - 0.01, (method, a32, a8)
    layers = q.report["quantized_layers"]
    assert len(layers) == 3 and all(layer["quantized"] for layer in layers)
    assert all(layer["sqnr_db"] > 20 for layer in layers)
    assert "kiln.matmul_integer" in q.mlir
    # Every layer's range holds the calibration inputs' (minmax exactly).
    if method == "minmax":
        assert layers[0]["lo"] == pytest.approx(0.0)
        assert layers[0]["hi"] == pytest.approx(
            float(np.concatenate(calibration_batches(xtr)).max()))


def test_mlp_int8_dynamic_accuracy(digits, mlp):
    _, _, xte, yte = digits
    a32 = accuracy(kiln.compile(mlp), xte, yte)
    q = kiln.compile(mlp, quantize="int8-dynamic")
    assert accuracy(q, xte, yte) >= a32 - 0.01
    assert q.mlir.count("kiln.matmul_integer") == 3
    # One row at a time: the scale is each call's own.
    one = first(q(xte[:1]))
    assert one.shape == (1, 10)


@pytest.mark.parametrize("layout", ["nchw", "nhwc"])
def test_weight_only_int8(digits, mlp, cnn, layout, tmp_path):
    """int8-weights: float computation on int8-stored weights; the
    object's weights are about 4x smaller and the outputs as accurate."""
    _, _, xte, yte = digits
    for model, x in ((mlp, xte), (cnn, xte.reshape(-1, 1, 8, 8))):
        f32 = kiln.compile(model, layout=layout)
        w8 = kiln.compile(model, layout=layout, quantize="int8-weights")
        assert "matmul_integer" not in w8.mlir
        assert "xi8>" in w8.mlir
        assert accuracy(w8, x, yte) >= accuracy(f32, x, yte) - 0.01
        ref = first(f32(x))
        np.testing.assert_allclose(first(w8(x)), ref,
                                   atol=0.01 * np.abs(ref).max())
    # The MLP's weights dominate its object: about 4x smaller.
    sizes = []
    for options in ({}, {"quantize": "int8-weights"}):
        path = tmp_path / f"m{len(sizes)}.o"
        kiln.compile(mlp, **options).save_object(str(path))
        sizes.append(path.stat().st_size)
    weights = (64 * 128 + 128 * 64 + 64 * 10) * 4
    assert sizes[0] - sizes[1] > 0.7 * weights


def test_error_budget_keeps_layers_in_float(digits, mlp):
    xtr, _, xte, _ = digits
    q = kiln.compile(mlp, quantize="int8", quant_error_budget=100.0,
                     calibration=calibration_batches(xtr))
    layers = q.report["quantized_layers"]
    assert layers and not any(layer["quantized"] for layer in layers)
    assert all(layer["reason"] == "SQNR below the error budget"
               for layer in layers)
    assert "matmul_integer" not in q.mlir
    np.testing.assert_allclose(first(q(xte)), first(kiln.compile(mlp)(xte)),
                               rtol=1e-5, atol=1e-5)
    text = q.report_text()
    assert "int8 quantization" in text and "float: SQNR below" in text


def test_calibration_single_arrays_and_tuples(mlp, digits):
    xtr = digits[0]
    a = kiln.compile(mlp, quantize="int8", calibration=[xtr[:32]])
    b = kiln.compile(mlp, quantize="int8", calibration=[(xtr[:32],)])
    np.testing.assert_array_equal(first(a(xtr[:5])), first(b(xtr[:5])))


@pytest.fixture(scope="module")
def cnn(digits):
    xtr, ytr, _, _ = digits
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2), torch.nn.Conv2d(16, 32, 3, padding=1),
        torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
        torch.nn.Linear(128, 10))
    train(model, xtr.reshape(-1, 1, 8, 8), ytr, epochs=8)
    return onnx_of(model, torch.from_numpy(xtr[:4].reshape(-1, 1, 8, 8)))


@pytest.mark.parametrize("layout", ["nchw", "nhwc"])
def test_cnn_int8_accuracy(digits, cnn, layout):
    """Post-training int8 of a small CNN (both convolutions and the
    classifier in int8): top-1 within 1 point of f32, in either layout."""
    xtr, _, xte, yte = digits
    xtr, xte = xtr.reshape(-1, 1, 8, 8), xte.reshape(-1, 1, 8, 8)
    a32 = accuracy(kiln.compile(cnn, layout=layout), xte, yte)
    q = kiln.compile(cnn, layout=layout, quantize="int8",
                     calibration=calibration_batches(xtr))
    layers = q.report["quantized_layers"]
    assert [layer["op"] for layer in layers] == [
        "kiln.conv2d", "kiln.conv2d", "kiln.linear"]
    assert all(layer["quantized"] for layer in layers)
    assert q.mlir.count("kiln.matmul_integer") == 3
    assert a32 > 0.9
    assert accuracy(q, xte, yte) >= a32 - 0.01
    d = kiln.compile(cnn, layout=layout, quantize="int8-dynamic")
    assert accuracy(d, xte, yte) >= a32 - 0.01


@pytest.mark.parametrize("kwargs, message", [
    ({"quantize": "int4"}, "quantization 'int4' is not none, int8, "
                           "int8-dynamic or int8-weights"),
    ({"quantize": "int8"}, "quantize='int8' needs calibration="),
    ({"calibration": [np.zeros((1, 64), np.float32)]},
     "calibration= is for quantize='int8'"),
    ({"quantize": "int8", "calibration": [np.zeros((1, 64), np.float32)],
      "calibration_method": "kl"},
     "calibration method 'kl' is not minmax, percentile or mse"),
    ({"quantize": "int8-dynamic", "quant_error_budget": -1},
     "error budget must be a finite number of dB >= 0"),
])
def test_bad_options(mlp, kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")
                       .replace(")", r"\)")):
        kiln.compile(mlp, **kwargs)


def test_bad_calibration_batches(mlp):
    x = np.zeros((2, 64), np.float32)
    with pytest.raises(kiln.CompileError,
                       match="calibration batch 1 has 2 arrays, but @forward "
                             "takes 1 inputs"):
        kiln.compile(mlp, quantize="int8", calibration=[x, (x, x)])
    with pytest.raises(kiln.CompileError, match="calibration batch 0: .*x"):
        kiln.compile(mlp, quantize="int8",
                     calibration=[np.zeros((2, 63), np.float32)])
    with pytest.raises(kiln.CompileError, match="calibration batch 0: .*x"):
        kiln.compile(mlp, quantize="int8",
                     calibration=[np.zeros((2, 64), np.int32)])
    with pytest.raises(TypeError, match="unsupported dtype"):
        kiln.compile(mlp, quantize="int8",
                     calibration=[np.zeros((2, 64), np.complex64)])


def tool(name):
    tools = os.environ.get("KILN_TOOLS_DIR")
    path = os.path.join(tools, name) if tools else None
    if not path or not os.path.exists(path):
        pytest.skip(f"{name} not found (set KILN_TOOLS_DIR)")
    return path


def test_cli_calibration_directory(tmp_path, mlp, digits):
    """kiln-run --quantize=int8 --calibration=DIR, with batches as .npy
    files or directories of them, and its errors."""
    xtr = digits[0]
    model = tmp_path / "mlp.onnx"
    model.write_bytes(mlp)
    flat, nested = tmp_path / "flat", tmp_path / "nested"
    flat.mkdir()
    nested.mkdir()
    for i, batch in enumerate(calibration_batches(xtr, n=2)):
        np.save(flat / f"{i}.npy", batch)
        (nested / f"b{i}").mkdir()
        np.save(nested / f"b{i}" / "x.npy", batch)
    np.save(tmp_path / "x.npy", xtr[:7])
    run = tool("kiln-run")
    outs = []
    for d in (flat, nested):
        out = tmp_path / f"y_{d.name}.npy"
        subprocess.run([run, str(model), "--quantize=int8",
                        f"--calibration={d}", "-i", str(tmp_path / "x.npy"),
                        "-o", str(out)], check=True, capture_output=True)
        outs.append(np.load(out))
    np.testing.assert_array_equal(outs[0], outs[1])
    want = first(kiln.compile(mlp, quantize="int8",
                              calibration=calibration_batches(xtr, n=2))(
        xtr[:7]))
    np.testing.assert_allclose(outs[0], want, rtol=1e-6, atol=1e-6)

    def error(*args):
        r = subprocess.run([run, str(model), *args], capture_output=True,
                           text=True)
        assert r.returncode != 0
        return r.stderr

    assert "does not exist or is not a directory" in error(
        "--quantize=int8", f"--calibration={tmp_path / 'missing'}")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "has no batches" in error("--quantize=int8",
                                     f"--calibration={empty}")
    (empty / "notes.txt").write_text("x")
    assert "is neither a .npy file nor a directory of them" in error(
        "--quantize=int8", f"--calibration={empty}")
    assert "int8 quantization needs calibration data" in error(
        "--quantize=int8")
    assert "calibration data is only used by int8 quantization" in error(
        f"--calibration={flat}")


# --- Models that arrive quantized ------------------------------------------

@pytest.fixture(scope="module")
def qat_cnn(digits):
    """A small CNN trained with PyTorch quantization-aware training
    (fake-quantized u8 activations, per-channel symmetric int8 weights),
    exported to ONNX as QuantizeLinear/DequantizeLinear pairs."""
    tq = pytest.importorskip("torch.ao.quantization")
    xtr, ytr, _, _ = digits

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.q, self.dq = tq.QuantStub(), tq.DeQuantStub()
            self.c1 = torch.nn.Conv2d(1, 16, 3, padding=1)
            self.c2 = torch.nn.Conv2d(16, 32, 3, padding=1)
            self.fc = torch.nn.Linear(128, 10)
            self.relu, self.pool = torch.nn.ReLU(), torch.nn.MaxPool2d(2)

        def forward(self, x):
            x = self.pool(self.relu(self.c1(self.q(x))))
            x = self.pool(self.relu(self.c2(x)))
            return self.dq(self.fc(torch.flatten(x, 1)))

    torch.manual_seed(0)
    model = Net().train()
    # Plain FakeQuantize (torch 1.13 exports no fused observer to ONNX).
    model.qconfig = tq.QConfig(
        activation=tq.FakeQuantize.with_args(
            observer=tq.MovingAverageMinMaxObserver, quant_min=0,
            quant_max=255, dtype=torch.quint8),
        weight=tq.FakeQuantize.with_args(
            observer=tq.MovingAveragePerChannelMinMaxObserver,
            quant_min=-128, quant_max=127, dtype=torch.qint8,
            qscheme=torch.per_channel_symmetric))
    tq.prepare_qat(model, inplace=True)
    train(model, xtr.reshape(-1, 1, 8, 8), ytr, epochs=15, lr=3e-3)
    model.apply(tq.disable_observer)
    buf = io.BytesIO()
    torch.onnx.export(model, torch.from_numpy(xtr[:4].reshape(-1, 1, 8, 8)),
                      buf, input_names=["x"], output_names=["y"],
                      opset_version=13,
                      dynamic_axes={"x": {0: "n"}, "y": {0: "n"}})
    return model, buf.getvalue()


def test_qat_cnn_runs_int8(digits, qat_cnn):
    """The QAT model's three layers run as int8 kernels (kiln-fold-qdq, no
    quantize= needed); its outputs match the fake-quantized torch model
    within one quantization step of the output, and its accuracy matches."""
    model, onnx_bytes = qat_cnn
    _, _, xte, yte = digits
    xte = xte.reshape(-1, 1, 8, 8)
    m = kiln.compile(onnx_bytes)
    folded = [r for r in m.report["rewrites"]
              if r["rewrite"] == "folded-qdq-int8"]
    assert folded and folded[0]["count"] == 3
    assert m.mlir.count("kiln.matmul_integer") == 3
    with torch.no_grad():
        want = model(torch.from_numpy(xte)).numpy()
    got = first(m(xte))
    step = float(model.fc.activation_post_process.scale)
    assert np.abs(got - want).max() <= step * 1.0001
    torch_acc = float((want.argmax(1) == yte).mean())
    assert torch_acc > 0.9
    assert accuracy(m, xte, yte) == pytest.approx(torch_acc, abs=0.002)


def qdq_matmul_model(rng, per_channel):
    """onnxruntime's QDQ format: int8 weight initializers behind
    DequantizeLinear, activations through QuantizeLinear/DequantizeLinear."""
    from onnx import TensorProto, helper
    from conftest import init, make_model, tensor
    k, n = 37, 19
    wq = rng.integers(-127, 128, (k, n)).astype(np.int8)
    ws = (rng.uniform(0.01, 0.05, n) if per_channel
          else np.array(0.02)).astype(np.float32)
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
        helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"]),
        helper.make_node("DequantizeLinear", ["wq", "ws"], ["wd"], axis=1),
        helper.make_node("MatMul", ["xd", "wd"], ["y"]),
    ]
    inits = [init("xs", np.float32(0.03)), init("xz", np.uint8(117)),
             init("wq", wq), init("ws", ws)]
    model = make_model(nodes, [tensor("x", ["m", k])], [tensor("y", ["m", n])],
                       inits, opset=13)
    return model, wq, ws


@pytest.mark.parametrize("per_channel", [False, True])
def test_qdq_matmul_int8(per_channel):
    rng = np.random.default_rng(3)
    model, wq, ws = qdq_matmul_model(rng, per_channel)
    m = kiln.compile(model)
    assert "kiln.matmul_integer" in m.mlir
    x = rng.uniform(-3, 4, (11, 37)).astype(np.float32)
    xq = np.clip(np.round(x / np.float32(0.03)) + 117, 0, 255)
    want = ((xq - 117) * np.float32(0.03)) @ (wq * ws)
    np.testing.assert_allclose(first(m(x)), want, rtol=1e-5, atol=1e-5)


def test_matmul_integer_and_qlinear_matmul_use_int8_kernels():
    from onnx import TensorProto, helper
    from conftest import init, make_model, tensor
    rng = np.random.default_rng(5)
    b = rng.integers(-128, 128, (45, 29)).astype(np.int8)
    model = make_model(
        [helper.make_node("MatMulInteger", ["a", "B", "az"], ["y"])],
        [tensor("a", ["m", 45], TensorProto.UINT8)],
        [tensor("y", ["m", 29], TensorProto.INT32)],
        [init("B", b), init("az", np.uint8(12))])
    m = kiln.compile(model)
    assert "kiln.matmul_integer" in m.mlir
    a = rng.integers(0, 256, (13, 45)).astype(np.uint8)
    np.testing.assert_array_equal(
        first(m(a)), (a.astype(np.int64) - 12) @ b.astype(np.int64))

    bs = rng.uniform(0.01, 0.02, 29).astype(np.float32)
    model = make_model(
        [helper.make_node("QLinearMatMul", ["a", "as", "az", "B", "bs", "bz",
                                            "ys", "yz"], ["y"])],
        [tensor("a", ["m", 45], TensorProto.UINT8)],
        [tensor("y", ["m", 29], TensorProto.UINT8)],
        [init("as", np.float32(0.05)), init("az", np.uint8(12)),
         init("B", b), init("bs", bs), init("bz", np.zeros(29, np.int8)),
         init("ys", np.float32(0.9)), init("yz", np.uint8(128))])
    m = kiln.compile(model)
    assert "kiln.matmul_integer" in m.mlir
    acc = (a.astype(np.int64) - 12) @ b.astype(np.int64)
    want = np.clip(np.rint(acc * (np.float32(0.05) * bs / np.float32(0.9)))
                   + 128, 0, 255)
    got = first(m(a)).astype(np.int64)
    # Float rounding of the multiplier may move a value across .5: one step.
    assert np.abs(got - want).max() <= 1
    assert (got == want).mean() > 0.99


def test_qlinear_zero_point_at_run_time_is_an_error():
    from onnx import TensorProto, helper
    from conftest import make_model, tensor, init
    model = make_model(
        [helper.make_node("MatMulInteger", ["a", "b", "az"], ["y"],
                          name="mmi")],
        [tensor("a", [2, 3], TensorProto.UINT8),
         tensor("b", [3, 2], TensorProto.UINT8),
         tensor("az", [], TensorProto.UINT8)],
        [tensor("y", [2, 2], TensorProto.INT32)])
    with pytest.raises(kiln.CompileError,
                       match="node 'mmi' \\(MatMulInteger\\).*MatMulInteger's "
                             "a_zero_point \\(input 2, 'az'\\) must be known "
                             "at compile time"):
        kiln.compile(model)
