// RUN: kiln-opt %s --convert-kiln-to-linalg --split-input-file | FileCheck %s

// CHECK-DAG: #[[CH:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @batch_norm
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[CH]], #[[CH]], #[[CH]], #[[CH]], #{{.+}}]
// CHECK: math.rsqrt
func.func @batch_norm(%x: tensor<?x4x3x5xf32>, %p: tensor<4xf32>) -> tensor<?x4x3x5xf32> {
  %0 = kiln.batch_norm %x, %p, %p, %p, %p : (tensor<?x4x3x5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x3x5xf32>
  return %0 : tensor<?x4x3x5xf32>
}

// -----

// One pass sums x - k and (x - k)^2, k being the row's first element (read
// through a map with 0 for the normalized dims); a second normalizes.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[FIRST:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:.+]]: tensor<?x7x10xf32>, %[[G:.+]]: tensor<10xf32>, %[[B:.+]]: tensor<10xf32>)
// CHECK: %[[SUMS:.+]]:2 = linalg.generic {indexing_maps = [#[[ID]], #[[FIRST]], #[[ROW]], #[[ROW]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]], %[[X]] : {{.*}}) outs(%[[ACC:.+]], %[[ACC]] : {{.*}})
// CHECK: ^bb0(%[[XV:.+]]: f32, %[[K:.+]]: f32, %[[S1:.+]]: f32, %[[S2:.+]]: f32):
// CHECK: %[[DEV:.+]] = arith.subf %[[XV]], %[[K]]
// CHECK: %[[N1:.+]] = arith.addf %[[DEV]], %[[S1]]
// CHECK: %[[SQ:.+]] = arith.mulf %[[DEV]], %[[DEV]]
// CHECK: %[[N2:.+]] = arith.addf %[[SQ]], %[[S2]]
// CHECK: linalg.yield %[[N1]], %[[N2]]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]], %[[X]], %[[SUMS]]#0, %[[SUMS]]#1, %[[G]], %[[B]]
// CHECK: arith.maximumf
// CHECK: math.rsqrt
// CHECK-NOT: linalg.generic
func.func @layer_norm(%x: tensor<?x7x10xf32>, %g: tensor<10xf32>, %b: tensor<10xf32>) -> tensor<?x7x10xf32> {
  %0 = kiln.layer_norm %x scale %g bias %b : (tensor<?x7x10xf32>, tensor<10xf32>, tensor<10xf32>) -> tensor<?x7x10xf32>
  return %0 : tensor<?x7x10xf32>
}

// -----

// Max, then the sum of exponentials, then the division.
// CHECK-LABEL: func.func @softmax
// CHECK: arith.constant 0xFF800000
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: math.exp
// CHECK: linalg.generic
// CHECK: math.exp
// CHECK: arith.divf
func.func @softmax(%x: tensor<3x17xf32>) -> tensor<3x17xf32> {
  %0 = kiln.softmax %x : (tensor<3x17xf32>) -> tensor<3x17xf32>
  return %0 : tensor<3x17xf32>
}

// -----

// With a target whose vectors split the row (1024 = 64 x 16 lanes), the
// max and the sum take one pass: each lane keeps a running max and a sum
// rescaled when it grows (one exp per element), then the lanes merge.
// CHECK-LABEL: func.func @softmax_online
// CHECK: %[[SPLIT:.+]] = tensor.expand_shape %{{.+}} {{\[}}[0], [1, 2]] output_shape [4, 64, 16] : tensor<4x1024xf32> into tensor<4x64x16xf32>
// CHECK: %[[LANES:.+]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[SPLIT]] : tensor<4x64x16xf32>) outs(%{{.+}}, %{{.+}} : tensor<4x16xf32>, tensor<4x16xf32>)
// CHECK: math.absf
// CHECK: math.exp
// CHECK: arith.cmpf ogt
// CHECK: arith.select
// CHECK: arith.maximumf
// CHECK: %[[MAX:.+]] = linalg.generic {{.*}} ins(%[[LANES]]#0 : tensor<4x16xf32>)
// CHECK: %[[SUM:.+]] = linalg.generic {{.*}} ins(%[[LANES]]#0, %[[LANES]]#1, %[[MAX]] : tensor<4x16xf32>, tensor<4x16xf32>, tensor<4xf32>)
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} ins(%{{.+}}, %[[MAX]], %[[SUM]] : tensor<4x1024xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK: arith.divf {{.*}} fastmath<arcp>
module attributes {kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "sapphirerapids", features = "", vector_bits = 512, vector_registers = 32>} {
  func.func @softmax_online(%x: tensor<4x1024xf32>) -> tensor<4x1024xf32> {
    %0 = kiln.softmax %x : (tensor<4x1024xf32>) -> tensor<4x1024xf32>
    return %0 : tensor<4x1024xf32>
  }
}

// -----

// Must not fire: rows that 4 lanes do not split (17), or a softmax over an
// outer dim (not contiguous), take the max and the sum in two passes.
// CHECK-LABEL: func.func @softmax_not_online
// CHECK-NOT: tensor.expand_shape
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
// CHECK: arith.maximumf
module attributes {kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "sapphirerapids", features = "", vector_bits = 512, vector_registers = 32>} {
  func.func @softmax_not_online(%x: tensor<4x17xf32>, %y: tensor<1024x4xf32>) -> (tensor<4x17xf32>, tensor<1024x4xf32>) {
    %0 = kiln.softmax %x : (tensor<4x17xf32>) -> tensor<4x17xf32>
    %1 = kiln.softmax %y {axis = 0 : i64} : (tensor<1024x4xf32>) -> tensor<1024x4xf32>
    return %0, %1 : tensor<4x17xf32>, tensor<1024x4xf32>
  }
}

// -----

// CHECK-LABEL: func.func @log_softmax
// CHECK: math.log
// CHECK: arith.subf
func.func @log_softmax(%x: tensor<3x17xf32>) -> tensor<3x17xf32> {
  %0 = kiln.log_softmax %x {axis = 0 : i64} : (tensor<3x17xf32>) -> tensor<3x17xf32>
  return %0 : tensor<3x17xf32>
}

// -----

// CHECK-LABEL: func.func @reductions
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "reduction"]
// CHECK: arith.addf
// CHECK: tensor.expand_shape {{.*}} into tensor<1x3x1xf32>
// CHECK: arith.divf
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: arith.mulf
func.func @reductions(%x: tensor<4x3x5xf32>) -> (tensor<1x3x1xf32>, tensor<f32>, tensor<3xf32>, tensor<4x3x1xf32>, tensor<1x1x1xf32>) {
  %0 = kiln.reduce_sum %x {axes = array<i64: 0, 2>} : (tensor<4x3x5xf32>) -> tensor<1x3x1xf32>
  %1 = kiln.reduce_mean %x {keepdims = false} : (tensor<4x3x5xf32>) -> tensor<f32>
  %2 = kiln.reduce_max %x {axes = array<i64: 0, 2>, keepdims = false} : (tensor<4x3x5xf32>) -> tensor<3xf32>
  %3 = kiln.reduce_min %x {axes = array<i64: -1>} : (tensor<4x3x5xf32>) -> tensor<4x3x1xf32>
  %4 = kiln.reduce_prod %x : (tensor<4x3x5xf32>) -> tensor<1x1x1xf32>
  return %0, %1, %2, %3, %4 : tensor<1x3x1xf32>, tensor<f32>, tensor<3xf32>, tensor<4x3x1xf32>, tensor<1x1x1xf32>
}

// -----

// Quantized types become their storage types, in signatures too.
// CHECK-LABEL: func.func @quant
// CHECK-SAME: (%{{.*}}: tensor<4x6xf32>) -> (tensor<4x6xi8>, tensor<4x6xf32>)
// CHECK: arith.divf
// CHECK: math.roundeven
// CHECK: arith.fptosi {{.*}} : f32 to i8
// CHECK: arith.sitofp {{.*}} : i8 to f32
// CHECK: arith.subf
// CHECK: arith.mulf
func.func @quant(%x: tensor<4x6xf32>) -> (tensor<4x6x!quant.uniform<i8:f32, 0.05:-3>>, tensor<4x6xf32>) {
  %q = kiln.quantize %x : (tensor<4x6xf32>) -> tensor<4x6x!quant.uniform<i8:f32, 0.05:-3>>
  %d = kiln.dequantize %q : (tensor<4x6x!quant.uniform<i8:f32, 0.05:-3>>) -> tensor<4x6xf32>
  return %q, %d : tensor<4x6x!quant.uniform<i8:f32, 0.05:-3>>, tensor<4x6xf32>
}

// -----

// Per-axis parameters are constant vectors read along the quantized dim.
// CHECK-DAG: #[[AX:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @quant_per_axis
// CHECK: arith.constant dense<[1.000000e-01, 2.000000e-01]> : tensor<2xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[AX]], #[[AX]], #{{.+}}]
func.func @quant_per_axis(%x: tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32:0, {0.1, 0.2}>> {
  %q = kiln.quantize %x : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32:0, {0.1, 0.2}>>
  return %q : tensor<2x3x!quant.uniform<i8:f32:0, {0.1, 0.2}>>
}
