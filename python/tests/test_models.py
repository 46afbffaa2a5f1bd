# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Real models end to end: torch -> ONNX -> Kiln (JIT), against torch in
f32. The max absolute error must be at most 1e-4 x max|reference|, and the
CNNs must agree on the top-1 class."""

import warnings

import numpy as np
import pytest
import torch

import kiln
from models import build

warnings.filterwarnings("ignore")


def check(got, ref):
    err = np.max(np.abs(got - ref))
    bound = 1e-4 * np.max(np.abs(ref))
    assert err <= bound, "max abs error %g > %g" % (err, bound)


@pytest.mark.parametrize("name", ["resnet18", "mobilenet_v2"])
@pytest.mark.parametrize("dynamic", [False, True], ids=["batch1", "dynbatch"])
def test_cnn(name, dynamic):
    model, args, onnx_bytes, _ = build(name, dynamic_batch=dynamic)
    m = kiln.compile(onnx_bytes)
    assert m.inputs[0].shape == ((None,) if dynamic else (1,)) + (3, 224, 224)
    # Batch norms are folded into the convolutions.
    assert "kiln.batch_norm" not in m.mlir
    for batch in ([1, 3] if dynamic else [1]):
        x = torch.randn(batch, 3, 224, 224,
                        generator=torch.Generator().manual_seed(batch))
        with torch.no_grad():
            ref = model(x).numpy()
        got = m(x.numpy())
        assert got.shape == ref.shape
        check(got, ref)
        np.testing.assert_array_equal(got.argmax(1), ref.argmax(1))


def test_conv1d_audio_model_with_dynamic_batch_and_length():
    # 1-D convolutions and pooling run as 2-D ones of height 1.
    model, _, onnx_bytes, _ = build("audio_1d", dynamic_batch=True)
    m = kiln.compile(onnx_bytes)
    assert m.inputs[0].shape == (None, 1, None)
    for shape in [(2, 1, 1600), (3, 1, 803)]:
        x = torch.randn(*shape, generator=torch.Generator().manual_seed(7))
        with torch.no_grad():
            ref = model(x).numpy()
        got = m(x.numpy())
        assert got.shape == ref.shape
        check(got, ref)


def test_dcgan_generator_with_conv_transpose():
    # ConvTranspose runs as a convolution of the zero-interleaved input.
    model, _, onnx_bytes, _ = build("dcgan_generator", dynamic_batch=True)
    m = kiln.compile(onnx_bytes)
    for batch in (1, 4):
        z = torch.randn(batch, 16, 1, 1,
                        generator=torch.Generator().manual_seed(batch))
        with torch.no_grad():
            ref = model(z).numpy()
        got = m(z.numpy())
        assert got.shape == ref.shape == (batch, 3, 16, 16)
        check(got, ref)


def test_old_opset_goes_through_the_version_converter():
    # mobilenet_v2 exported at opset 9: onnx's version converter upgrades
    # it to opset 11 (BatchNormalization, Clip's min/max attributes become
    # inputs, ...) before Kiln imports it.
    model, (x,), onnx_bytes, opset = build("mobilenet_v2", opset=9)
    assert opset == 9
    m = kiln.compile(onnx_bytes)
    with torch.no_grad():
        ref = model(x).numpy()
    got = m(x.numpy())
    check(got, ref)
    np.testing.assert_array_equal(got.argmax(1), ref.argmax(1))


def test_bert_encoder_layer():
    model, (x,), onnx_bytes, _ = build("bert_layer")
    m = kiln.compile(onnx_bytes)
    ir = m.mlir
    # The decomposed LayerNorms (opset 14) and the attention are recomposed.
    assert ir.count("kiln.layer_norm") == 2
    assert ir.count("kiln.attention") == 1
    assert "kiln.pow" not in ir and "kiln.softmax" not in ir
    with torch.no_grad():
        ref = model(x).numpy()
    check(m(x.numpy()), ref)


def test_two_layer_encoder_with_embedding():
    model, (ids,), onnx_bytes, _ = build("tiny_encoder")
    m = kiln.compile(onnx_bytes)
    assert m.inputs[0].dtype == np.int64
    ir = m.mlir
    assert "kiln.gather" in ir
    assert ir.count("kiln.gelu") == 2 and ir.count("kiln.attention") == 2
    assert ir.count("kiln.layer_norm") == 4
    for seed in (0, 1):
        ids = torch.randint(0, 1000, (1, 64),
                            generator=torch.Generator().manual_seed(seed))
        with torch.no_grad():
            ref = model(ids).numpy()
        check(m(ids.numpy()), ref)
    with pytest.raises(TypeError, match="input 'ids'.*must be int64"):
        m(ids.numpy().astype(np.int32))


def test_vit_b_16():
    # torchvision's ViT computes the class token's Expand shape with
    # Shape/ConstantOfShape/Equal/Where, all evaluated at import time.
    model, (x,), onnx_bytes, _ = build("vit_b_16")
    m = kiln.compile(onnx_bytes)
    with torch.no_grad():
        ref = model(x).numpy()
    got = m(x.numpy())
    assert got.shape == ref.shape == (1, 1000)
    assert np.abs(ref).max() > 0.1  # a real classifier output
    check(got, ref)
    np.testing.assert_array_equal(got.argmax(1), ref.argmax(1))


def test_transformer_encoder_layer_with_dynamic_batch_and_sequence():
    # Shapes computed from run-time dims become index arithmetic, and the
    # reshapes that split a run-time dim become run-time reshapes.
    model, _, onnx_bytes, _ = build("dynamic_encoder")
    m = kiln.compile(onnx_bytes)
    assert m.inputs[0].shape == (None, None, 64)
    for shape in [(2, 10, 64), (3, 7, 64), (1, 1, 64)]:
        x = torch.randn(*shape, generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            ref = model(x).numpy()
        got = m(x.numpy())
        assert got.shape == ref.shape == shape
        check(got, ref)


def test_lstm_language_model_with_dynamic_batch_and_sequence():
    # Embedding, a 2-layer LSTM (one scf.for per layer) and a projection.
    model, _, onnx_bytes, _ = build("lstm_lm")
    m = kiln.compile(onnx_bytes)
    assert m.inputs[0].shape == (None, None)
    assert m.mlir.count("scf.for") >= 2
    for batch, seq in [(2, 12), (1, 1), (3, 29)]:
        ids = torch.randint(0, 1000, (batch, seq),
                            generator=torch.Generator().manual_seed(seq))
        with torch.no_grad():
            ref = model(ids).numpy()
        got = m(ids.numpy())
        assert got.shape == ref.shape == (batch, seq, 1000)
        check(got, ref)
        np.testing.assert_array_equal(got.argmax(-1), ref.argmax(-1))


def _kiln_compile_tool():
    import os
    import shutil
    tools = os.environ.get("KILN_TOOLS_DIR")
    tool = (os.path.join(tools, "kiln-compile") if tools
            else shutil.which("kiln-compile"))
    if not tool or not os.path.exists(tool):
        pytest.skip("kiln-compile not found (set KILN_TOOLS_DIR)")
    return tool


def test_bert_layer_at_1024_keeps_no_scores_matrix(tmp_path):
    # Flash-style attention: the bufferized IR of the whole layer at
    # sequence length 1024 has no buffer of 1024 x 1024 scores per head,
    # and the output still matches torch.
    import io
    import re
    import subprocess
    torch.manual_seed(0)
    model = torch.nn.TransformerEncoderLayer(768, 12, 3072, batch_first=True)
    model.eval()
    x = torch.randn(1, 1024, 768, generator=torch.Generator().manual_seed(1))
    f = io.BytesIO()
    torch.onnx.export(model, (x,), f, opset_version=14, input_names=["x"],
                      output_names=["y"])
    path = tmp_path / "bert_1024.onnx"
    path.write_bytes(f.getvalue())
    ir = subprocess.run([_kiln_compile_tool(), str(path), "--emit=bufferized",
                         "-o", "-"], check=True, capture_output=True,
                        text=True).stdout
    assert "scf.for" in ir
    buffers = set(re.findall(r"memref<([0-9x]+)x(?:f32|f16|bf16)", ir))
    assert buffers, "no buffers found in the bufferized IR"
    squares = [b for b in buffers if "1024x1024" in b]
    assert not squares, "S x S buffers: %s" % squares
    m = kiln.compile(f.getvalue())
    with torch.no_grad():
        ref = model(x).numpy()
    check(m(x.numpy()), ref)


@pytest.mark.parametrize("key_block", [0, 64])
def test_bert_layer_with_each_attention_lowering(key_block):
    # The whole scores matrix (0) and flash blocks that split 128 keys in
    # two (64) give the same layer.
    model, (x,), onnx_bytes, _ = build("bert_layer")
    m = kiln.compile(onnx_bytes, attention_key_block=key_block)
    with torch.no_grad():
        ref = model(x).numpy()
    check(m(x.numpy()), ref)


def test_attention_key_block_must_not_be_negative():
    _, _, onnx_bytes, _ = build("tiny_encoder")
    with pytest.raises(ValueError, match="attention key block is -1; it takes "
                                         "0 \\(off\\) or a positive number of "
                                         "keys"):
        kiln.compile(onnx_bytes, attention_key_block=-1)
