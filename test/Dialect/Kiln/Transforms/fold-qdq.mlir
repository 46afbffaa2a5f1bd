// RUN: kiln-opt %s --split-input-file --kiln-fold-qdq --mlir-print-local-scope | FileCheck %s

// The layer's input is on a u8 grid (scale 0.5, zero point 10), seen
// through a relu; its weights are quantized per output channel (scales
// 0.25 and 1.0): an int8 layer with exactly those quantizations. The
// weights' integers are w / scale: [[4, -8], [3, 127]].
// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%[[X:.+]]: tensor<4x2xf32>)
// CHECK: %[[Q:.+]] = kiln.quantize %[[X]]
// CHECK: %[[D:.+]] = kiln.dequantize %[[Q]]
// CHECK: %[[R:.+]] = kiln.relu %[[D]]
// CHECK-DAG: %[[INV:.+]] = kiln.constant dense<2.000000e+00> : tensor<f32>
// CHECK-DAG: %[[ZP:.+]] = kiln.constant dense<1.000000e+01> : tensor<f32>
// CHECK: %[[S:.+]] = kiln.mul %[[R]], %[[INV]]
// CHECK: %[[XQ:.+]] = kiln.cast %{{.+}} : (tensor<4x2xf32>) -> tensor<4x2xui8>
// CHECK: %[[W:.+]] = kiln.constant dense<{{\[\[}}4, -8], [3, 127]]> : tensor<2x2xi8>
// CHECK: kiln.matmul_integer %[[XQ]], %[[W]] lhs_zero_point(%{{.+}}) {transpose_rhs = true}
// CHECK: kiln.constant dense<[2.500000e-01, 1.000000e+00]> : tensor<2xf32>
// CHECK-NOT: kiln.linear
func.func @linear(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %q = kiln.quantize %x : (tensor<4x2xf32>) -> tensor<4x2x!quant.uniform<u8:f32, 0.5:10>>
  %d = kiln.dequantize %q : (tensor<4x2x!quant.uniform<u8:f32, 0.5:10>>) -> tensor<4x2xf32>
  %r = kiln.relu %d : (tensor<4x2xf32>) -> tensor<4x2xf32>
  %w = kiln.constant dense<[[1.0, -2.0], [3.0, 127.0]]> : tensor<2x2xf32>
  %wq = kiln.quantize %w : (tensor<2x2xf32>) -> tensor<2x2x!quant.uniform<i8:f32:0, {0.25, 1.0}>>
  %wd = kiln.dequantize %wq : (tensor<2x2x!quant.uniform<i8:f32:0, {0.25, 1.0}>>) -> tensor<2x2xf32>
  %y = kiln.linear %r, %wd : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// An i8 activation grid (scale 0.1, zero point -3) is the u8 one shifted by
// 128: zero point 125, scale 0.1. Weights quantized per tensor.
// CHECK-LABEL: func.func @matmul_i8_grid
// CHECK-DAG: kiln.constant dense<1.250000e+02> : tensor<f32>
// CHECK-DAG: kiln.constant dense<1.000000e-01> : tensor<f32>
// CHECK: kiln.matmul_integer
func.func @matmul_i8_grid(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %q = kiln.quantize %x : (tensor<3x2xf32>) -> tensor<3x2x!quant.uniform<i8:f32, 0.1:-3>>
  %d = kiln.dequantize %q : (tensor<3x2x!quant.uniform<i8:f32, 0.1:-3>>) -> tensor<3x2xf32>
  %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %wq = kiln.quantize %w : (tensor<2x2xf32>) -> tensor<2x2x!quant.uniform<i8:f32, 0.5>>
  %wd = kiln.dequantize %wq : (tensor<2x2x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x2xf32>
  %y = kiln.matmul %d, %wd : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Not folded: weights with a zero point, weights quantized along the
// reduction axis, an input not on a grid (a sigmoid in between), weights
// that are plain floats.
// CHECK-LABEL: func.func @not_folded
// CHECK-NOT: kiln.matmul_integer
// CHECK-COUNT-4: kiln.linear
// CHECK: return
func.func @not_folded(%x: tensor<4x2xf32>) -> (tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>) {
  %q = kiln.quantize %x : (tensor<4x2xf32>) -> tensor<4x2x!quant.uniform<u8:f32, 0.5:10>>
  %d = kiln.dequantize %q : (tensor<4x2x!quant.uniform<u8:f32, 0.5:10>>) -> tensor<4x2xf32>
  %w = kiln.constant dense<[[1.0, -2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %wq1 = kiln.quantize %w : (tensor<2x2xf32>) -> tensor<2x2x!quant.uniform<i8:f32, 0.5:3>>
  %wd1 = kiln.dequantize %wq1 : (tensor<2x2x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<2x2xf32>
  %y1 = kiln.linear %d, %wd1 : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %wq2 = kiln.quantize %w : (tensor<2x2xf32>) -> tensor<2x2x!quant.uniform<i8:f32:1, {0.25, 1.0}>>
  %wd2 = kiln.dequantize %wq2 : (tensor<2x2x!quant.uniform<i8:f32:1, {0.25, 1.0}>>) -> tensor<2x2xf32>
  %y2 = kiln.linear %d, %wd2 : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %wq3 = kiln.quantize %w : (tensor<2x2xf32>) -> tensor<2x2x!quant.uniform<i8:f32, 0.5>>
  %wd3 = kiln.dequantize %wq3 : (tensor<2x2x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x2xf32>
  %s = kiln.sigmoid %d : (tensor<4x2xf32>) -> tensor<4x2xf32>
  %y3 = kiln.linear %s, %wd3 : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %y4 = kiln.linear %d, %w : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  return %y1, %y2, %y3, %y4 : tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>
}
