// RUN: kiln-opt %s --convert-kiln-to-linalg --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @matmul_named
// CHECK: %[[Z:.+]] = linalg.fill
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<7x13xf32>, tensor<13x5xf32>) outs(%[[Z]] : tensor<7x5xf32>)
func.func @matmul_named(%a: tensor<7x13xf32>, %b: tensor<13x5xf32>) -> tensor<7x5xf32> {
  %0 = kiln.matmul %a, %b : (tensor<7x13xf32>, tensor<13x5xf32>) -> tensor<7x5xf32>
  return %0 : tensor<7x5xf32>
}

// -----

// CHECK-LABEL: func.func @batch_matmul_named
// CHECK: linalg.batch_matmul
func.func @batch_matmul_named(%a: tensor<3x4x6xf32>, %b: tensor<3x6x2xf32>) -> tensor<3x4x2xf32> {
  %0 = kiln.matmul %a, %b : (tensor<3x4x6xf32>, tensor<3x6x2xf32>) -> tensor<3x4x2xf32>
  return %0 : tensor<3x4x2xf32>
}

// -----

// Transposes and mixed-rank batch dims use a generic contraction.
// CHECK-DAG: #[[L:.+]] = affine_map<(d0, d1, d2, d3) -> (d3, d1)>
// CHECK-DAG: #[[R:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[O:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @matmul_transpose_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[L]], #[[R]], #[[O]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @matmul_transpose_broadcast(%a: tensor<6x4xf32>, %b: tensor<1x6x3xf32>) -> tensor<1x4x3xf32> {
  %0 = kiln.matmul %a, %b {transpose_lhs = true} : (tensor<6x4xf32>, tensor<1x6x3xf32>) -> tensor<1x4x3xf32>
  return %0 : tensor<1x4x3xf32>
}

// -----

// The bias initializes the accumulator of linear.
// CHECK-LABEL: func.func @linear
// CHECK: %[[INIT:.+]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<9xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME: outs(%[[INIT]] : tensor<?x5x9xf32>)
func.func @linear(%x: tensor<?x5x16xf32>, %w: tensor<9x16xf32>, %b: tensor<9xf32>) -> tensor<?x5x9xf32> {
  %0 = kiln.linear %x, %w, %b : (tensor<?x5x16xf32>, tensor<9x16xf32>, tensor<9xf32>) -> tensor<?x5x9xf32>
  return %0 : tensor<?x5x9xf32>
}

// -----

// CHECK-LABEL: func.func @outer
// CHECK: linalg.generic
// CHECK: arith.mulf
func.func @outer(%a: tensor<4xf32>, %b: tensor<?xf32>) -> tensor<4x?xf32> {
  %0 = kiln.outer %a, %b : (tensor<4xf32>, tensor<?xf32>) -> tensor<4x?xf32>
  return %0 : tensor<4x?xf32>
}

// -----

// CHECK-LABEL: func.func @conv_nchw
// CHECK: tensor.pad
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
func.func @conv_nchw(%x: tensor<2x3x11x13xf32>, %w: tensor<5x3x3x3xf32>, %b: tensor<5xf32>) -> tensor<2x5x6x7xf32> {
  %0 = kiln.conv2d %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<2x3x11x13xf32>, tensor<5x3x3x3xf32>, tensor<5xf32>) -> tensor<2x5x6x7xf32>
  return %0 : tensor<2x5x6x7xf32>
}

// -----

// CHECK-LABEL: func.func @conv_nhwc
// CHECK: linalg.conv_2d_nhwc_hwcf
func.func @conv_nhwc(%x: tensor<?x7x9x4xf32>, %w: tensor<3x3x4x6xf32>) -> tensor<?x5x7x6xf32> {
  %0 = kiln.conv2d %x, %w {layout = #kiln.layout<nhwc>} : (tensor<?x7x9x4xf32>, tensor<3x3x4x6xf32>) -> tensor<?x5x7x6xf32>
  return %0 : tensor<?x5x7x6xf32>
}

// -----

// CHECK-LABEL: func.func @depthwise
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2], [3]] : tensor<8x1x3x3xf32> into tensor<8x3x3xf32>
// CHECK: linalg.depthwise_conv_2d_nchw_chw
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] : tensor<3x3x1x6xf32> into tensor<3x3x6xf32>
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc
func.func @depthwise(%x: tensor<1x8x9x9xf32>, %w: tensor<8x1x3x3xf32>, %xh: tensor<1x9x9x6xf32>, %wh: tensor<3x3x1x6xf32>) -> (tensor<1x8x7x7xf32>, tensor<1x7x7x6xf32>) {
  %0 = kiln.conv2d %x, %w {groups = 8 : i64} : (tensor<1x8x9x9xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x7x7xf32>
  %1 = kiln.conv2d %xh, %wh {groups = 6 : i64, layout = #kiln.layout<nhwc>} : (tensor<1x9x9x6xf32>, tensor<3x3x1x6xf32>) -> tensor<1x7x7x6xf32>
  return %0, %1 : tensor<1x8x7x7xf32>, tensor<1x7x7x6xf32>
}

// -----

// CHECK-LABEL: func.func @grouped
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2], [3], [4]] {{.*}} into tensor<1x2x3x7x7xf32>
// CHECK: linalg.conv_2d_ngchw_gfchw
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x2x5x5xf32> into tensor<1x4x5x5xf32>
// CHECK: linalg.transpose {{.*}} permutation = [3, 4, 0, 1, 2]
// CHECK: linalg.conv_2d_nhwgc_gfhwc
func.func @grouped(%x: tensor<1x6x7x7xf32>, %w: tensor<4x3x3x3xf32>, %xh: tensor<2x5x5x6xf32>, %wh: tensor<1x1x2x9xf32>) -> (tensor<1x4x5x5xf32>, tensor<2x5x5x9xf32>) {
  %0 = kiln.conv2d %x, %w {groups = 2 : i64} : (tensor<1x6x7x7xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x5x5xf32>
  %1 = kiln.conv2d %xh, %wh {groups = 3 : i64, layout = #kiln.layout<nhwc>} : (tensor<2x5x5x6xf32>, tensor<1x1x2x9xf32>) -> tensor<2x5x5x9xf32>
  return %0, %1 : tensor<1x4x5x5xf32>, tensor<2x5x5x9xf32>
}

// -----

// CHECK-LABEL: func.func @pools
// CHECK: %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.pad
// CHECK: tensor.yield %[[NEGINF]]
// CHECK: linalg.pooling_nchw_max
// CHECK: linalg.pooling_nhwc_sum
// CHECK: linalg.generic
// CHECK: linalg.index
// CHECK: arith.divf
func.func @pools(%x: tensor<2x3x11x11xf32>, %xh: tensor<2x11x11x3xf32>) -> (tensor<2x3x6x6xf32>, tensor<2x5x5x3xf32>) {
  %0 = kiln.pool2d max %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<2x3x11x11xf32>) -> tensor<2x3x6x6xf32>
  %1 = kiln.pool2d avg %xh {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, layout = #kiln.layout<nhwc>} : (tensor<2x11x11x3xf32>) -> tensor<2x5x5x3xf32>
  return %0, %1 : tensor<2x3x6x6xf32>, tensor<2x5x5x3xf32>
}

// -----

// CHECK-LABEL: func.func @global_avg_pool
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.divf
// CHECK: tensor.expand_shape {{.*}} into tensor<?x5x1x1xf32>
func.func @global_avg_pool(%x: tensor<?x5x7x3xf32>) -> tensor<?x5x1x1xf32> {
  %0 = kiln.global_avg_pool %x : (tensor<?x5x7x3xf32>) -> tensor<?x5x1x1xf32>
  return %0 : tensor<?x5x1x1xf32>
}

// -----

// A static batch dim of 1 against a larger one reads index 0.
// CHECK-DAG: #[[B0:.+]] = affine_map<(d0, d1, d2, d3) -> (0, d1, d3)>
// CHECK-LABEL: func.func @matmul_broadcast_batch
// CHECK: linalg.generic {indexing_maps = [#[[B0]], #{{.+}}, #{{.+}}]
func.func @matmul_broadcast_batch(%a: tensor<1x4x6xf32>, %b: tensor<3x6x2xf32>) -> tensor<3x4x2xf32> {
  %0 = kiln.matmul %a, %b : (tensor<1x4x6xf32>, tensor<3x6x2xf32>) -> tensor<3x4x2xf32>
  return %0 : tensor<3x4x2xf32>
}

// -----

// The i8 contraction widens each operand as its kiln type says (ui8:
// extui, i8: extsi); a constant rhs's column sums (for the lhs zero point)
// are computed at compile time.
// CHECK-LABEL: func.func @matmul_integer_constant_rhs
// CHECK-SAME: (%[[X:.+]]: tensor<3x4xi8>, %[[Z:.+]]: tensor<i8>)
// CHECK: %[[W:.+]] = arith.constant dense<{{\[\[}}1, -2, 3, 4], [-5, 6, 7, 8]]> : tensor<2x4xi8>
// CHECK: %[[RAW:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]], %[[W]] : tensor<3x4xi8>, tensor<2x4xi8>)
// CHECK: arith.extui
// CHECK: arith.extsi
// CHECK: arith.muli
// CHECK: arith.addi
// CHECK: %[[SUMS:.+]] = arith.constant dense<[6, 16]> : tensor<2xi32>
// CHECK: linalg.generic {{.*}} ins(%[[RAW]], %[[Z]], %[[SUMS]] : tensor<3x2xi32>, tensor<i8>, tensor<2xi32>)
// CHECK: %[[ZL:.+]] = arith.extui %{{.+}} : i8 to i32
// CHECK: %[[C:.+]] = arith.muli %[[ZL]], %{{.+}} : i32
// CHECK: arith.subi %{{.+}}, %[[C]] : i32
func.func @matmul_integer_constant_rhs(%x: tensor<3x4xui8>, %z: tensor<ui8>) -> tensor<3x2xi32> {
  %w = kiln.constant dense<[[1, -2, 3, 4], [-5, 6, 7, 8]]> : tensor<2x4xi8>
  %0 = kiln.matmul_integer %x, %w lhs_zero_point(%z) {transpose_rhs = true} : (tensor<3x4xui8>, tensor<2x4xi8>, tensor<ui8>) -> tensor<3x2xi32>
  return %0 : tensor<3x2xi32>
}

// -----

// Without zero points there is no correction; an rhs zero point needs the
// lhs's row sums, computed at run time.
// CHECK-LABEL: func.func @matmul_integer_plain
// CHECK: linalg.generic
// CHECK: arith.extsi
// CHECK: arith.extsi
// CHECK-NOT: linalg.generic
// CHECK: return
// CHECK-LABEL: func.func @matmul_integer_rhs_zero_point
// CHECK: %[[RAW:.+]] = linalg.generic {{.*}} ins(%{{.+}}, %{{.+}} : tensor<?x4xi8>, tensor<4x2xi8>)
// CHECK: %[[ROWS:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.+}} : tensor<?x4xi8>)
// CHECK: linalg.generic {{.*}} ins(%[[RAW]], %{{.+}}, %[[ROWS]] : tensor<?x2xi32>, tensor<2xi8>, tensor<?xi32>)
func.func @matmul_integer_plain(%x: tensor<3x4xi8>, %w: tensor<4x2xi8>) -> tensor<3x2xi32> {
  %0 = kiln.matmul_integer %x, %w : (tensor<3x4xi8>, tensor<4x2xi8>) -> tensor<3x2xi32>
  return %0 : tensor<3x2xi32>
}
func.func @matmul_integer_rhs_zero_point(%x: tensor<?x4xi8>, %w: tensor<4x2xi8>, %z: tensor<2xi8>) -> tensor<?x2xi32> {
  %0 = kiln.matmul_integer %x, %w rhs_zero_point(%z) : (tensor<?x4xi8>, tensor<4x2xi8>, tensor<2xi8>) -> tensor<?x2xi32>
  return %0 : tensor<?x2xi32>
}
