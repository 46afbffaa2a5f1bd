# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""kiln.compile(..., target="vulkan") and target="cuda": kernels on a Vulkan
device (lavapipe in CI) or an NVIDIA GPU against numpy and the CPU path,
and a clear error where there is no device."""

import os
import shutil
import subprocess

import numpy as np
import pytest

import kiln
from conftest import init, make_model, tensor
from onnx import helper


def _vulkan_device():
    try:
        return kiln.gpu_device("vulkan")
    except (RuntimeError, ValueError):
        return None


requires_vulkan = pytest.mark.skipif(
    _vulkan_device() is None, reason="no Vulkan device")

MLP = """
func.func @mlp(%x: tensor<?x13xf32>, %w: tensor<13x7xf32>, %b: tensor<7xf32>) -> tensor<?x7xf32> {
  %0 = kiln.matmul %x, %w : (tensor<?x13xf32>, tensor<13x7xf32>) -> tensor<?x7xf32>
  %1 = kiln.add %0, %b : (tensor<?x7xf32>, tensor<7xf32>) -> tensor<?x7xf32>
  %2 = kiln.gelu %1 : (tensor<?x7xf32>) -> tensor<?x7xf32>
  %3 = kiln.softmax %2 : (tensor<?x7xf32>) -> tensor<?x7xf32>
  return %3 : tensor<?x7xf32>
}
"""


@requires_vulkan
def test_vulkan_matches_numpy_and_cpu():
    rng = np.random.default_rng(0)
    gpu = kiln.compile(MLP, target="vulkan")
    cpu = kiln.compile(MLP)
    assert gpu.target == "vulkan"
    for rows in (1, 5, 131):  # 1, a prime, more than one 128-thread block
        x = rng.standard_normal((rows, 13)).astype(np.float32)
        w = rng.standard_normal((13, 7)).astype(np.float32)
        b = rng.standard_normal(7).astype(np.float32)
        got = gpu(x, w, b)
        np.testing.assert_allclose(got, cpu(x, w, b), rtol=1e-4, atol=1e-5)
        h = x.astype(np.float64) @ w + b
        h = 0.5 * h * (1 + np.vectorize(__import__("math").erf)(h / np.sqrt(2)))
        e = np.exp(h - h.max(1, keepdims=True))
        np.testing.assert_allclose(got, e / e.sum(1, keepdims=True),
                                   rtol=1e-4, atol=1e-5)


@requires_vulkan
def test_vulkan_onnx_conv_with_frozen_weights():
    rng = np.random.default_rng(1)
    weight = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    model = make_model(
        [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
         helper.make_node("Relu", ["c"], ["y"])],
        [tensor("x", [1, 3, 9, 9])], [tensor("y", [1, 4, 9, 9])],
        [init("w", weight)])
    x = rng.standard_normal((1, 3, 9, 9)).astype(np.float32)
    got = kiln.compile(model, target="vulkan")(x)
    np.testing.assert_allclose(got, kiln.compile(model)(x), rtol=1e-4,
                               atol=1e-5)


@requires_vulkan
def test_vulkan_wrong_shape_is_an_error():
    gpu = kiln.compile(MLP, target="vulkan")
    with pytest.raises(ValueError, match="dim 1 is 12, expected 13"):
        gpu(np.zeros((2, 12), np.float32), np.zeros((13, 7), np.float32),
            np.zeros(7, np.float32))


@requires_vulkan
def test_vulkan_object_links_with_the_runtime(tmp_path):
    gpu = kiln.compile(MLP, target="vulkan")
    gpu.save_object(tmp_path / "mlp.o", tmp_path / "mlp.h")
    symbols = subprocess.run(["nm", str(tmp_path / "mlp.o")],
                             capture_output=True, text=True).stdout
    assert " U mgpuLaunchKernel" in symbols
    assert " U kiln_gpu_ok" in symbols


def test_no_vulkan_device_is_a_clear_error(monkeypatch):
    # A loader that does not exist stands for a machine without Vulkan. The
    # runtime may already be initialized in this process, so the check runs
    # in a fresh one.
    code = ("import kiln\n"
            "try:\n"
            "    kiln.compile('func.func @f(%a: tensor<2xf32>) -> tensor<2xf32>"
            " {\\n  return %a : tensor<2xf32>\\n}', target='vulkan')\n"
            "except RuntimeError as e:\n"
            "    print('RuntimeError:', e)\n")
    env = dict(os.environ, KILN_VULKAN_LOADER="/nonexistent/libvulkan.so.1")
    out = subprocess.run(["/usr/bin/python3", "-c", code], env=env,
                         capture_output=True, text=True)
    assert "RuntimeError: no vulkan device: Vulkan: cannot load the Vulkan " \
           "loader: /nonexistent/libvulkan.so.1" in out.stdout, out


def _cuda_device():
    try:
        return kiln.gpu_device("cuda")
    except (RuntimeError, ValueError):
        return None


@pytest.mark.skipif(_cuda_device() is not None, reason="a CUDA GPU is here")
def test_no_cuda_device_is_a_clear_error():
    with pytest.raises(RuntimeError, match="no cuda device: CUDA: "):
        kiln.compile(MLP, target="cuda")


@pytest.mark.skipif(_cuda_device() is None, reason="no CUDA GPU")
def test_cuda_matches_the_cpu():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((131, 13)).astype(np.float32)
    w = rng.standard_normal((13, 7)).astype(np.float32)
    b = rng.standard_normal(7).astype(np.float32)
    np.testing.assert_allclose(kiln.compile(MLP, target="cuda")(x, w, b),
                               kiln.compile(MLP)(x, w, b), rtol=1e-4,
                               atol=1e-5)


def test_bad_gpu_options_raise_before_any_work():
    with pytest.raises(ValueError, match="GPU chip 'sm_5' is not a CUDA"):
        kiln.compile(MLP, target="cuda", gpu_chip="sm_5")


@requires_vulkan
def test_resnet18_on_vulkan_matches_torch():
    import torch
    from models import build
    model, _, onnx_bytes, _ = build("resnet18")
    m = kiln.compile(onnx_bytes, target="vulkan")
    x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        ref = model(x).numpy()
    got = m(x.numpy())
    assert np.max(np.abs(got - ref)) <= 1e-4 * np.max(np.abs(ref))
    np.testing.assert_array_equal(got.argmax(1), ref.argmax(1))


PTXAS = os.environ.get("KILN_PTXAS", "/usr/local/cuda/bin/ptxas")


@pytest.mark.skipif(not os.access(PTXAS, os.X_OK), reason="no ptxas")
@pytest.mark.parametrize("chip", ["sm_80", "sm_90"])
def test_resnet18_ptx_assembles(tmp_path, chip):
    from models import build
    _, _, onnx_bytes, _ = build("resnet18")
    (tmp_path / "resnet18.onnx").write_bytes(onnx_bytes)
    tools = os.environ.get("KILN_TOOLS_DIR")
    compile_tool = (os.path.join(tools, "kiln-compile") if tools
                    else shutil.which("kiln-compile"))
    if not compile_tool:
        pytest.skip("no kiln-compile (set KILN_TOOLS_DIR)")
    subprocess.run([compile_tool, str(tmp_path / "resnet18.onnx"),
                    "--target=cuda", f"--gpu-chip={chip}", "--emit=ptx",
                    "-o", str(tmp_path / "resnet18.ptx")], check=True)
    ptx = (tmp_path / "resnet18.ptx").read_text()
    assert ptx.count(".entry") > 50
    subprocess.run([PTXAS, f"-arch={chip}", str(tmp_path / "resnet18.ptx"),
                    "-o", str(tmp_path / "resnet18.cubin")], check=True)


@requires_vulkan
def test_vulkan_f16_matmul_and_int8_matmul():
    # f16 arithmetic and i8 buffers in kernels (the device's shaderFloat16
    # and 8-bit storage).
    rng = np.random.default_rng(3)
    half = """
func.func @mm(%a: tensor<19x33xf16>, %b: tensor<33x7xf16>) -> tensor<19x7xf16> {
  %0 = kiln.matmul %a, %b : (tensor<19x33xf16>, tensor<33x7xf16>) -> tensor<19x7xf16>
  return %0 : tensor<19x7xf16>
}"""
    a = rng.standard_normal((19, 33)).astype(np.float16)
    b = rng.standard_normal((33, 7)).astype(np.float16)
    got = kiln.compile(half, target="vulkan")(a, b).astype(np.float64)
    want = a.astype(np.float64) @ b.astype(np.float64)
    np.testing.assert_allclose(got, want, rtol=2e-2, atol=5e-2)
    integer = """
func.func @mmi(%a: tensor<5x13xi8>, %b: tensor<13x4xi8>) -> tensor<5x4xi32> {
  %0 = kiln.matmul_integer %a, %b : (tensor<5x13xi8>, tensor<13x4xi8>) -> tensor<5x4xi32>
  return %0 : tensor<5x4xi32>
}"""
    x = rng.integers(-128, 128, (5, 13), dtype=np.int8)
    y = rng.integers(-128, 128, (13, 4), dtype=np.int8)
    np.testing.assert_array_equal(
        kiln.compile(integer, target="vulkan")(x, y),
        x.astype(np.int32) @ y.astype(np.int32))
