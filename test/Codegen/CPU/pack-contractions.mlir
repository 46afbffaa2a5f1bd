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

// -----

// An accumulator that starts as a broadcast of a bias along M (an NCHW
// convolution after im2col, the spatial dims collapsed into N) is
// broadcast straight into the packed layout, from the bias packed by m0 (a
// constant: folded). The unpack's destination is never read: it becomes
// empty, and the unpacked broadcast is gone.
// CHECK: #[[$MROW:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2)>
// CHECK-LABEL: func.func @bias_along_m
// CHECK-DAG: %[[BIAS:.+]] = arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00], [5.000000e+00, 0.000000e+00]]> : tensor<3x2xf32>
// CHECK: %[[ACC:.+]] = linalg.generic {indexing_maps = [#[[$MROW]], #{{.+}}], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[BIAS]] : tensor<3x2xf32>) outs(%{{.+}} : tensor<3x1x2x16xf32>) attrs = {kiln.accumulator, kiln.strategy = {kind = "vectorize"
// CHECK: %[[R:.+]] = linalg.generic {{.*}} outs(%[[ACC]] : tensor<3x1x2x16xf32>)
// CHECK: %[[DEST:.+]] = tensor.empty() : tensor<5x12xf32>
// CHECK: linalg.unpack %[[R]] {{.*}} into %[[DEST]]
func.func @bias_along_m(%a: tensor<5x8xf32>, %col: tensor<8x3x4xf32>) -> tensor<5x12xf32> {
  %bias = arith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0]> : tensor<5xf32>
  %e = tensor.empty() : tensor<5x3x4xf32>
  %b = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%bias : tensor<5xf32>) outs(%e : tensor<5x3x4xf32>) attrs = {kiln.strategy = {kind = "vectorize", vector_size = 16 : i64}} {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<5x3x4xf32>
  %acc = tensor.collapse_shape %b [[0], [1, 2]] : tensor<5x3x4xf32> into tensor<5x12xf32>
  %cols = tensor.collapse_shape %col [[0], [1, 2]] : tensor<8x3x4xf32> into tensor<8x12xf32>
  %0 = linalg.matmul {kiln.strategy = {kind = "mmt4d", m0 = 2 : i64, n0 = 16 : i64, k0 = 1 : i64, kc = 4 : i64}} ins(%a, %cols : tensor<5x8xf32>, tensor<8x12xf32>) outs(%acc : tensor<5x12xf32>) -> tensor<5x12xf32>
  return %0 : tensor<5x12xf32>
}

// -----

// A bias along N (a linear layer) is packed by n0, at run time here.
// CHECK: #[[$NROW:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-LABEL: func.func @bias_along_n
// CHECK-SAME: %[[B:[a-zA-Z0-9]+]]: tensor<20xf32>)
// CHECK: %[[PB:.+]] = linalg.pack %[[B]] padding_value(%{{.+}} : f32) inner_dims_pos = [0] inner_tiles = [16] into %{{.+}} : tensor<20xf32> -> tensor<2x16xf32>
// CHECK: linalg.generic {indexing_maps = [#[[$NROW]], #{{.+}}], {{.*}} ins(%[[PB]] : tensor<2x16xf32>) outs(%{{.+}} : tensor<2x2x2x16xf32>)
func.func @bias_along_n(%a: tensor<4x8xf32>, %w: tensor<8x20xf32>, %bias: tensor<20xf32>) -> tensor<4x20xf32> {
  %e = tensor.empty() : tensor<4x20xf32>
  %acc = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%bias : tensor<20xf32>) outs(%e : tensor<4x20xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<4x20xf32>
  %0 = linalg.matmul {kiln.strategy = {kind = "mmt4d", m0 = 2 : i64, n0 = 16 : i64, k0 = 1 : i64, kc = 4 : i64}} ins(%a, %w : tensor<4x8xf32>, tensor<8x20xf32>) outs(%acc : tensor<4x20xf32>) -> tensor<4x20xf32>
  return %0 : tensor<4x20xf32>
}

// -----

// Must not fire: an accumulator that is read (a residual added in place)
// is packed as it is.
// CHECK-LABEL: func.func @accumulator_read
// CHECK: %[[ACC:.+]] = linalg.generic
// CHECK: linalg.pack %[[ACC]] inner_dims_pos = [0, 1] inner_tiles = [2, 16]
func.func @accumulator_read(%a: tensor<4x8xf32>, %w: tensor<8x16xf32>, %r: tensor<4x16xf32>, %bias: tensor<16xf32>) -> tensor<4x16xf32> {
  %acc = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%bias : tensor<16xf32>) outs(%r : tensor<4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  %0 = linalg.matmul {kiln.strategy = {kind = "mmt4d", m0 = 2 : i64, n0 = 16 : i64, k0 = 1 : i64, kc = 4 : i64}} ins(%a, %w : tensor<4x8xf32>, tensor<8x16xf32>) outs(%acc : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// A zero pad of K is not folded into the pack (MLIR 22 would, into an
// invalid pack, when the pad is wider than what completes the last tile;
// found by kiln-smith).
// CHECK-LABEL: func.func @padded_k_not_folded
// CHECK: %[[P:.+]] = tensor.pad
// CHECK: linalg.pack %[[P]]
func.func @padded_k_not_folded(%a: tensor<1x5xf32>, %b: tensor<3x3xf32>) -> tensor<1x3xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %b low[0, 0] high[2, 0] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<3x3xf32> to tensor<5x3xf32>
  %e = tensor.empty() : tensor<1x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3xf32>) -> tensor<1x3xf32>
  %r = linalg.matmul {kiln.strategy = {k0 = 1 : i64, kc = 128 : i64, kind = "mmt4d", m0 = 8 : i64, mc = 1024 : i64, n0 = 32 : i64}} ins(%a, %p : tensor<1x5xf32>, tensor<5x3xf32>) outs(%f : tensor<1x3xf32>) -> tensor<1x3xf32>
  return %r : tensor<1x3xf32>
}

// -----

// vpmaddwd (k0 = 2): the left i8 operand (activations) is widened to i16
// before packing, as the body widens it (ui8: zero), by an elementwise op
// given the vectorize strategy; the frozen weights stay i8 (packed at
// compile time). The contraction sign-extends the i16.
// CHECK-LABEL: func.func @widen_for_pmaddwd
// CHECK-SAME: (%[[X:.+]]: tensor<4x6xi8>)
// CHECK: %[[W:.+]] = arith.constant dense<{{\[\[\[\[}}-3, 1], [0, 0]{{.*}}> : tensor<1x3x8x2xi8>
// CHECK: %[[XW:.+]] = linalg.generic {{.*}} ins(%[[X]] : tensor<4x6xi8>) outs(%{{.+}} : tensor<4x6xi16>) attrs = {kiln.strategy = {kind = "vectorize", vector_size = 4 : i64}}
// CHECK: arith.extui %{{.+}} : i8 to i16
// CHECK: linalg.pack %[[XW]]
// CHECK-SAME: -> tensor<1x3x4x2xi16>
// CHECK: linalg.generic {{.*}} ins(%{{.+}}, %[[W]] : tensor<1x3x4x2xi16>, tensor<1x3x8x2xi8>)
// CHECK-SAME: kiln.packed
// CHECK: arith.extsi %{{.+}} : i16 to i32
// CHECK: arith.extsi %{{.+}} : i8 to i32
#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (n, k)>
#out = affine_map<(m, n, k) -> (m, n)>
func.func @widen_for_pmaddwd(%x: tensor<4x6xi8>) -> tensor<4x8xi32> {
  %w = arith.constant dense<[[-3, 1, 2, 3, 4, 5], [0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1], [2, 2, 2, 2, 2, 2], [3, 3, 3, 3, 3, 3], [4, 4, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [6, 6, 6, 6, 6, 6]]> : tensor<8x6xi8>
  %c0 = arith.constant 0 : i32
  %e = tensor.empty() : tensor<4x8xi32>
  %acc = linalg.fill ins(%c0 : i32) outs(%e : tensor<4x8xi32>) -> tensor<4x8xi32>
  %r = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<4x6xi8>, tensor<8x6xi8>) outs(%acc : tensor<4x8xi32>)
      attrs = {kiln.strategy = {kind = "mmt4d", m0 = 4, n0 = 8, k0 = 2, kc = 16}} {
  ^bb0(%a: i8, %b: i8, %s: i32):
    %a32 = arith.extui %a : i8 to i32
    %b32 = arith.extsi %b : i8 to i32
    %p = arith.muli %a32, %b32 : i32
    %t = arith.addi %s, %p : i32
    linalg.yield %t : i32
  } -> tensor<4x8xi32>
  return %r : tensor<4x8xi32>
}
