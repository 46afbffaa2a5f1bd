# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The compiler session as Python sees it: version, target description,
compile report, graph options, missing files and host-gated codegen."""

import os

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

import kiln

MLIR_CONV_BN = """
func.func @block(%x: tensor<1x1x4x4xf32> {kiln.name = "x"}) -> tensor<1x2x4x4xf32> {
  %w = kiln.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %half = kiln.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %scale = kiln.add %half, %half : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %beta = kiln.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %0 = kiln.conv2d %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = kiln.batch_norm %0, %scale, %beta, %mean, %var {epsilon = 1.0 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}
"""


def reference_conv_bn(x):
    w = np.array([2.0, 3.0], np.float32).reshape(1, 2, 1, 1)
    scale = np.array([1.0, 2.0], np.float32).reshape(1, 2, 1, 1)
    beta = np.array([0.5, 0.0], np.float32).reshape(1, 2, 1, 1)
    mean = np.array([1.0, 0.0], np.float32).reshape(1, 2, 1, 1)
    var = np.array([3.0, 0.0], np.float32).reshape(1, 2, 1, 1)
    return (x * w - mean) / np.sqrt(var + 1.0) * scale + beta


def test_version():
    parts = kiln.__version__.split(".")
    assert len(parts) == 3 and all(p.isdigit() for p in parts)


def test_report_counts_graph_rewrites():
    m = kiln.compile(MLIR_CONV_BN)
    r = m.report
    assert r["constants_folded"] == 1
    assert {"pass": "kiln-fold-batchnorm", "rewrite": "batchnorm-folded",
            "count": 1} in r["rewrites"]
    assert r["ops_before"]["kiln.batch_norm"] == 1
    assert "kiln.batch_norm" not in r["ops_after"]
    assert "batchnorm-folded (kiln-fold-batchnorm)" in m.report_text()
    x = np.random.default_rng(0).standard_normal((1, 1, 4, 4)).astype(
        np.float32)
    np.testing.assert_allclose(m(x), reference_conv_bn(x), rtol=1e-5,
                               atol=1e-6)


def test_graph_options_are_honoured():
    m = kiln.compile(MLIR_CONV_BN, fold_batchnorm=False)
    assert not [r for r in m.report["rewrites"]
                if r["pass"] == "kiln-fold-batchnorm"]
    assert "kiln.batch_norm" in m.mlir
    x = np.ones((1, 1, 4, 4), np.float32)
    np.testing.assert_allclose(m(x), reference_conv_bn(x), rtol=1e-5,
                               atol=1e-6)


MLIR_CHAIN = """
func.func @f(%x: tensor<2x8xf32> {kiln.name = "x"}, %b: tensor<8xf32> {kiln.name = "b"}) -> tensor<2x8xf32> {
  %0 = kiln.add %x, %b : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  %1 = kiln.relu %0 : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %2 = kiln.mul %1, %1 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %2 : tensor<2x8xf32>
}
"""


def test_opt_levels_and_toggles():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 8)).astype(np.float32)
    b = rng.standard_normal(8).astype(np.float32)
    want = np.maximum(x + b, 0) ** 2
    groups = {}
    for level in (0, 1, 2, 3):
        m = kiln.compile(MLIR_CHAIN, opt_level=level)
        np.testing.assert_allclose(m(x, b), want, rtol=1e-6)
        r = m.report
        groups[level] = r["fusion_groups"]
        assert r["kernels_before_fusion"]["kernels"] == 3
        assert r["kernels_before_fusion"]["intermediate_bytes"] == 2 * 64
    assert groups[0] == groups[1] == []
    assert len(groups[2]) == 1 and groups[2] == groups[3]
    assert [op.split(" ")[0] for op in groups[2][0]["ops"]] == [
        "kiln.add", "kiln.relu", "kiln.mul"]
    # A toggle overrides the level either way.
    assert kiln.compile(MLIR_CHAIN, opt_level=0,
                        fuse_elementwise=True).report["fusion_groups"]
    assert not kiln.compile(MLIR_CHAIN,
                            fuse_elementwise=False).report["fusion_groups"]
    assert kiln.compile(MLIR_CONV_BN, opt_level=0).report["rewrites"] == []
    # Epilogue fusion (code generation) is reported with what it saved: a
    # 128x512 f32 product not written whole; off at -O0 and by its toggle.
    linear = ("func.func @f(%x: tensor<128x256xf32>, %w: tensor<512x256xf32>)"
              " -> tensor<128x512xf32> {\n"
              "  %0 = kiln.linear %x, %w : (tensor<128x256xf32>, "
              "tensor<512x256xf32>) -> tensor<128x512xf32>\n"
              "  %1 = kiln.relu %0 : (tensor<128x512xf32>) -> "
              "tensor<128x512xf32>\n"
              "  return %1 : tensor<128x512xf32>\n}\n")
    assert kiln.compile(linear).report["codegen_rewrites"] == [
        {"pass": "kiln-cpu-tile-and-vectorize", "rewrite": "epilogue-fused",
         "count": 1, "bytes": 128 * 512 * 4}]
    assert "codegen_rewrites" not in kiln.compile(linear, opt_level=0).report
    assert "codegen_rewrites" not in kiln.compile(
        linear, fuse_epilogues=False).report
    # -O0 keeps the layout too; -O1 and up decide it.
    assert {"pass": "kiln-convert-layout", "rewrite": "chose-nchw",
            "count": 1} in kiln.compile(MLIR_CONV_BN,
                                        opt_level=1).report["rewrites"]
    assert kiln.compile(MLIR_CONV_BN, opt_level=0,
                        fold_batchnorm=True).report["rewrites"]
    m = kiln.compile(MLIR_CHAIN, opt_level=0, llvm_opt_level=2)
    np.testing.assert_allclose(m(x, b), want, rtol=1e-6)
    toggles = kiln.pass_toggles()
    assert ("fuse_elementwise", 2) in [(n, lvl) for n, lvl, _ in toggles]
    assert all(isinstance(d, str) and d for _, _, d in toggles)
    for name, _, _ in toggles:  # every toggle is a compile() keyword
        kiln.compile(MLIR_CHAIN, **{name: False})
    with pytest.raises(ValueError, match="llvm_opt_level must be an int"):
        kiln.compile(MLIR_CHAIN, llvm_opt_level=7)
    with pytest.raises(TypeError):
        kiln.compile(MLIR_CHAIN, vectorize=False)


MLIR_CONST_WEIGHT = """
func.func @f(%x: tensor<1x2xf32> {kiln.name = "x"}) -> tensor<1x2xf32> {
  %a = kiln.constant dense<[[0.1, 0.2], [0.3, 0.4]]> : tensor<2x2xf32>
  %m = kiln.matmul %a, %a : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %e = kiln.exp %m : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = kiln.matmul %x, %e : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
"""


def test_constants_are_evaluated_at_compile_time():
    x = np.array([[0.5, -1.0]], np.float32)
    a = np.array([[0.1, 0.2], [0.3, 0.4]], np.float32)
    want = x @ np.exp(a @ a)
    m = kiln.compile(MLIR_CONST_WEIGHT)
    assert {"pass": "kiln-evaluate-constants", "rewrite": "evaluated-exp",
            "count": 1, "bytes": 16} in m.report["rewrites"]
    assert "kiln.exp" not in m.report["ops_after"]
    assert m.report["ops_after"]["kiln.matmul"] == 1  # x @ e alone
    np.testing.assert_allclose(m(x), want, rtol=1e-5)
    for off in (kiln.compile(MLIR_CONST_WEIGHT, evaluate_constants=False),
                kiln.compile(MLIR_CONST_WEIGHT, opt_level=0)):
        assert off.report["ops_after"]["kiln.exp"] == 1
        np.testing.assert_allclose(off(x), want, rtol=1e-5)


def test_layout_option():
    x = np.random.default_rng(2).standard_normal((1, 1, 4, 4)).astype(
        np.float32)
    m = kiln.compile(MLIR_CONV_BN, layout="nhwc")
    rewrites = {(r["pass"], r["rewrite"]): r["count"]
                for r in m.report["rewrites"]}
    assert rewrites[("kiln-convert-layout", "chose-nhwc")] == 1
    assert rewrites[("kiln-convert-layout", "to-nhwc")] == 1
    assert "#kiln.layout<nhwc>" in m.mlir
    np.testing.assert_allclose(m(x), reference_conv_bn(x), rtol=1e-5,
                               atol=1e-6)
    keep = kiln.compile(MLIR_CONV_BN, layout="keep")
    assert not [r for r in keep.report["rewrites"]
                if r["pass"] == "kiln-convert-layout"]
    with pytest.raises(ValueError, match="layout 'nchwc' is not keep, "
                       "nchw, nhwc or auto"):
        kiln.compile(MLIR_CONV_BN, layout="nchwc")
    # An NHWC interface: NHWC images in and out, no transposes at all.
    nhwc = kiln.compile(MLIR_CONV_BN, layout="nhwc", image_interface=True)
    assert [list(i.shape) for i in nhwc.inputs] == [[1, 4, 4, 1]]
    assert "kiln.transpose" not in nhwc.mlir
    np.testing.assert_allclose(nhwc(x.transpose(0, 2, 3, 1)),
                               reference_conv_bn(x).transpose(0, 2, 3, 1),
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="image interface needs the layout"):
        kiln.compile(MLIR_CONV_BN, image_interface=True)


def test_target_description():
    m = kiln.compile(MLIR_CONV_BN, cpu="znver3", target="x86_64-linux-gnu")
    assert 'cpu = "znver3"' in m.target_description
    assert "vector_bits = 256, vector_registers = 16" in m.target_description
    a = kiln.compile(MLIR_CONV_BN, target="aarch64-linux-gnu")
    assert "vector_bits = 128, vector_registers = 32" in a.target_description
    with pytest.raises(ValueError, match="cannot run in this process"):
        a(np.ones((1, 1, 4, 4), np.float32))


def test_missing_file_without_extension():
    with pytest.raises(FileNotFoundError, match="'model'"):
        kiln.compile("model")


@pytest.mark.parametrize("cpu", [
    "x86-64",
    pytest.param("x86-64-v3", marks=pytest.mark.requires_cpu("avx2", "fma")),
    pytest.param("x86-64-v4", marks=pytest.mark.requires_cpu(
        "avx512f", "avx512bw", "avx512dq", "avx512vl")),
])
def test_code_for_each_isa_level(cpu):
    # Code for an ISA level runs on hosts that have it; the rest skip.
    m = kiln.compile(MLIR_CONV_BN, cpu=cpu)
    x = np.random.default_rng(1).standard_normal((1, 1, 4, 4)).astype(
        np.float32)
    np.testing.assert_allclose(m(x), reference_conv_bn(x), rtol=1e-5,
                               atol=1e-6)


def test_freeze_and_onnx_shape_input():
    g = helper.make_graph(
        [helper.make_node("Reshape", ["x", "shape"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 6]),
         helper.make_tensor_value_info("shape", TensorProto.INT64, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["h", "w"])])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    m = kiln.compile(model, freeze={"shape": np.array([3, 4], np.int64)})
    x = np.arange(12, dtype=np.float32).reshape(2, 6)
    np.testing.assert_array_equal(m(x), x.reshape(3, 4))


def test_schedule_override(tmp_path):
    schedule = os.path.join(os.path.dirname(__file__), "..", "..", "lib",
                            "Codegen", "CPU", "Schedules",
                            "matmul-register-tile.mlir")
    src = """
func.func @mm(%a: tensor<13x29xf32>, %b: tensor<29x17xf32>) -> tensor<13x17xf32> {
  %0 = kiln.matmul %a, %b : (tensor<13x29xf32>, tensor<29x17xf32>) -> tensor<13x17xf32>
  return %0 : tensor<13x17xf32>
}
"""
    r = np.random.default_rng(2)
    a = r.standard_normal((13, 29)).astype(np.float32)
    b = r.standard_normal((29, 17)).astype(np.float32)
    scheduled = kiln.compile(src, schedule=schedule)
    np.testing.assert_allclose(scheduled(a, b), a @ b, rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="cannot open schedule"):
        kiln.compile(src, schedule=str(tmp_path / "missing.mlir"))


def test_threads_do_not_change_results():
    src = """
func.func @mm(%a: tensor<?x131xf32>, %b: tensor<131x71xf32>) -> tensor<?x71xf32> {
  %0 = kiln.matmul %a, %b : (tensor<?x131xf32>, tensor<131x71xf32>) -> tensor<?x71xf32>
  return %0 : tensor<?x71xf32>
}
"""
    r = np.random.default_rng(3)
    a = r.standard_normal((53, 131)).astype(np.float32)
    b = r.standard_normal((131, 71)).astype(np.float32)
    m = kiln.compile(src, threads=1)
    one = m(a, b)
    m.set_num_threads(2)
    two = m(a, b)
    np.testing.assert_array_equal(one, two)
    np.testing.assert_allclose(one, a @ b, rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="threads must be positive"):
        m.set_num_threads(0)
