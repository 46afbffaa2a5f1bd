// RUN: kiln-opt %s --kiln-cpu-pack-contractions --split-input-file | FileCheck %s

// A dynamic M is padded to the register tile; the packed contraction runs
// on [M1][K1][m0][k0] x [N1][K1][n0][k0] -> [M1][N1][m0][n0].
// CHECK-LABEL: func.func @dynamic_m
// CHECK-SAME: (%[[A:.+]]: tensor<?x3xf32>, %[[B:.+]]: tensor<3x4xf32>
// CHECK: %[[PA:.+]] = linalg.pack %[[A]] padding_value(%{{.+}} : f32) outer_dims_perm = [0, 1] inner_dims_pos = [0, 1] inner_tiles = [2, 1] into %{{.+}} : tensor<?x3xf32> -> tensor<?x3x2x1xf32>
// CHECK: %[[PB:.+]] = linalg.pack %[[B]] outer_dims_perm = [1, 0] inner_dims_pos = [1, 0] inner_tiles = [2, 1] into %{{.+}} : tensor<3x4xf32> -> tensor<2x3x2x1xf32>
// CHECK: %[[R:.+]] = linalg.generic {{.*}} ins(%[[PA]], %[[PB]] : tensor<?x3x2x1xf32>, tensor<2x3x2x1xf32>)
// CHECK-SAME: kiln.packed
// CHECK-SAME: kiln.strategy
// CHECK: linalg.unpack %[[R]] inner_dims_pos = [0, 1] inner_tiles = [2, 2]
func.func @dynamic_m(%a: tensor<?x3xf32>, %b: tensor<3x4xf32>, %c: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = linalg.matmul {kiln.strategy = {kind = "mmt4d", m0 = 2 : i64, n0 = 2 : i64, k0 = 1 : i64, kc = 2 : i64}} ins(%a, %b : tensor<?x3xf32>, tensor<3x4xf32>) outs(%c : tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Frozen weights are packed at compile time: B = [[1,2,3],[4,5,6]] (K=2,
// N=3) packed with n0 = 2 becomes [N1=2][K=2][n0=2][1], N padded with 0.
// CHECK-LABEL: func.func @constant_weights
// CHECK-NOT: linalg.pack %{{.+}} outer_dims_perm = [1, 0]
// (Large packed weights are a flat dense_resource viewed through an
// expand_shape, cheap to translate to LLVM IR; small ones fold to this.)
// CHECK: %[[PACKED:.+]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00], [2.000000e+00]], {{\[\[}}4.000000e+00], [5.000000e+00]]], {{\[\[\[}}3.000000e+00], [0.000000e+00]], {{\[\[}}6.000000e+00], [0.000000e+00]]]]> : tensor<2x2x2x1xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.+}}, %[[PACKED]] : tensor<2x2x2x1xf32>, tensor<2x2x2x1xf32>)
func.func @constant_weights(%a: tensor<4x2xf32>, %c: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %b = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %0 = linalg.matmul {kiln.strategy = {kind = "mmt4d", m0 = 2 : i64, n0 = 2 : i64, k0 = 1 : i64, kc = 2 : i64}} ins(%a, %b : tensor<4x2xf32>, tensor<2x3xf32>) outs(%c : tensor<4x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Must not fire without an mmt4d strategy.
// CHECK-LABEL: func.func @no_strategy
// CHECK-NOT: linalg.pack
// CHECK: linalg.matmul
// CHECK-NOT: linalg.pack
// CHECK: linalg.matmul {kiln.strategy = {kind = "loops"}}
func.func @no_strategy(%a: tensor<4x4xf32>, %c: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %0 = linalg.matmul ins(%a, %a : tensor<4x4xf32>, tensor<4x4xf32>) outs(%c : tensor<4x4xf32>) -> tensor<4x4xf32>
  %1 = linalg.matmul {kiln.strategy = {kind = "loops"}} ins(%a, %a : tensor<4x4xf32>, tensor<4x4xf32>) outs(%c : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %0, %1 : tensor<4x4xf32>, tensor<4x4xf32>
}
