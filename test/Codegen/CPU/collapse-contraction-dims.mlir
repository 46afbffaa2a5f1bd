// RUN: kiln-opt %s --kiln-cpu-collapse-contraction-dims --split-input-file | FileCheck %s

// Attention's output projection reduces over heads x head size; the two K
// loops are contiguous in both operands and become one.
// CHECK-LABEL: func.func @two_k_dims
// CHECK-SAME: (%[[X:.+]]: tensor<128x12x64xf32>, %[[W:.+]]: tensor<768x12x64xf32>, %[[C:.+]]: tensor<128x768xf32>)
// CHECK-DAG: %[[XC:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0], [1, 2]] : tensor<128x12x64xf32> into tensor<128x768xf32>
// CHECK-DAG: %[[WC:.+]] = tensor.collapse_shape %[[W]] {{\[\[}}0], [1, 2]] : tensor<768x12x64xf32> into tensor<768x768xf32>
// CHECK: %[[R:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}} ins(%[[XC]], %[[WC]] : tensor<128x768xf32>, tensor<768x768xf32>) outs(%[[C]] : tensor<128x768xf32>)
// CHECK: return %[[R]]
#x = affine_map<(m, n, h, d) -> (m, h, d)>
#w = affine_map<(m, n, h, d) -> (n, h, d)>
#o = affine_map<(m, n, h, d) -> (m, n)>
func.func @two_k_dims(%x: tensor<128x12x64xf32>, %w: tensor<768x12x64xf32>, %c: tensor<128x768xf32>) -> tensor<128x768xf32> {
  %0 = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%x, %w : tensor<128x12x64xf32>, tensor<768x12x64xf32>) outs(%c : tensor<128x768xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %1 = arith.mulf %a, %b : f32
    %2 = arith.addf %acc, %1 : f32
    linalg.yield %2 : f32
  } -> tensor<128x768xf32>
  return %0 : tensor<128x768xf32>
}

// -----

// Must not fire: the K loops are not contiguous in the right operand.
// CHECK-LABEL: func.func @not_contiguous
// CHECK-NOT: tensor.collapse_shape
// CHECK: iterator_types = ["parallel", "parallel", "reduction", "reduction"]
#x2 = affine_map<(m, n, h, d) -> (m, h, d)>
#w2 = affine_map<(m, n, h, d) -> (d, n, h)>
#o2 = affine_map<(m, n, h, d) -> (m, n)>
func.func @not_contiguous(%x: tensor<8x3x4xf32>, %w: tensor<4x16x3xf32>, %c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %0 = linalg.generic {indexing_maps = [#x2, #w2, #o2], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%x, %w : tensor<8x3x4xf32>, tensor<4x16x3xf32>) outs(%c : tensor<8x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %1 = arith.mulf %a, %b : f32
    %2 = arith.addf %acc, %1 : f32
    linalg.yield %2 : f32
  } -> tensor<8x16xf32>
  return %0 : tensor<8x16xf32>
}

// -----

// Must not fire: a plain matmul has nothing to collapse.
// CHECK-LABEL: func.func @matmul
// CHECK-NOT: tensor.collapse_shape
// CHECK: linalg.matmul
func.func @matmul(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%c : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}
