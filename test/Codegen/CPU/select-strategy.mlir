// kiln-cpu-select-strategy sizes register tiles from the module's target.
// RUN: kiln-opt %s --kiln-attach-target="cpu=znver3" --kiln-cpu-select-strategy | FileCheck %s --check-prefix=AVX2
// RUN: kiln-opt %s --kiln-attach-target="cpu=sapphirerapids" --kiln-cpu-select-strategy | FileCheck %s --check-prefix=AVX512
// RUN: kiln-opt %s --kiln-attach-target="triple=aarch64-linux-gnu" --kiln-cpu-select-strategy | FileCheck %s --check-prefix=NEON
// RUN: kiln-opt %s --kiln-cpu-select-strategy | FileCheck %s --check-prefix=GENERIC

// AVX2-LABEL: func.func @matmul
// AVX2: linalg.matmul {kiln.strategy = {k0 = 1 : i64, kc = 256 : i64, kind = "mmt4d", m0 = 6 : i64, n0 = 16 : i64}}
// AVX512-LABEL: func.func @matmul
// AVX512: linalg.matmul {kiln.strategy = {k0 = 1 : i64, kc = 128 : i64, kind = "mmt4d", m0 = 8 : i64, n0 = 32 : i64}}
// NEON-LABEL: func.func @matmul
// NEON: linalg.matmul {kiln.strategy = {k0 = 1 : i64, kc = 512 : i64, kind = "mmt4d", m0 = 8 : i64, n0 = 8 : i64}}
// GENERIC-LABEL: func.func @matmul
// GENERIC: linalg.matmul {kiln.strategy = {k0 = 1 : i64, kc = 512 : i64, kind = "mmt4d", m0 = 6 : i64, n0 = 8 : i64}}
func.func @matmul(%a: tensor<?x64xf32>, %b: tensor<64x48xf32>, %c: tensor<?x48xf32>) -> tensor<?x48xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<?x64xf32>, tensor<64x48xf32>) outs(%c : tensor<?x48xf32>) -> tensor<?x48xf32>
  return %0 : tensor<?x48xf32>
}

// A transposed-weight contraction (kiln.linear) and a batch matmul qualify.
// AVX2-LABEL: func.func @linear
// AVX2: linalg.generic
// AVX2-SAME: kiln.strategy = {{.*}}kind = "mmt4d"
// AVX2-LABEL: func.func @batch
// AVX2: linalg.batch_matmul {kiln.strategy = {{.*}}kind = "mmt4d"
#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (n, k)>
#out = affine_map<(m, n, k) -> (m, n)>
func.func @linear(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %0 = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<4x8xf32>, tensor<16x8xf32>) outs(%c : tensor<4x16xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %1 = arith.mulf %in, %in_0 : f32
    %2 = arith.addf %out, %1 : f32
    linalg.yield %2 : f32
  } -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}
func.func @batch(%a: tensor<2x4x8xf32>, %b: tensor<2x8x16xf32>, %c: tensor<2x4x16xf32>) -> tensor<2x4x16xf32> {
  %0 = linalg.batch_matmul ins(%a, %b : tensor<2x4x8xf32>, tensor<2x8x16xf32>) outs(%c : tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  return %0 : tensor<2x4x16xf32>
}

// Must not fire: f64, integer, elementwise, and an op that already has a
// strategy keeps it.
// AVX2-LABEL: func.func @not_selected
// AVX2: linalg.matmul ins
// AVX2-NOT: kiln.strategy
// AVX2: linalg.matmul {kiln.strategy = {kind = "loops"}}
// AVX2: return
func.func @not_selected(%a: tensor<4x4xf64>, %c: tensor<4x4xf64>, %x: tensor<4x4xf32>) -> (tensor<4x4xf64>, tensor<4x4xf32>) {
  %0 = linalg.matmul ins(%a, %a : tensor<4x4xf64>, tensor<4x4xf64>) outs(%c : tensor<4x4xf64>) -> tensor<4x4xf64>
  %1 = linalg.matmul {kiln.strategy = {kind = "loops"}} ins(%x, %x : tensor<4x4xf32>, tensor<4x4xf32>) outs(%x : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %0, %1 : tensor<4x4xf64>, tensor<4x4xf32>
}
