// kiln-cpu-select-strategy sizes register tiles from the module's target:
// kc from L1 (a kc x n0 right panel in half of it), mc from L2 (an mc x kc
// left block in half of it, a multiple of m0): Zen 3 512 KB, Sapphire
// Rapids 2 MB, 256 KB where the target does not say.
// RUN: kiln-opt %s --kiln-attach-target="cpu=znver3" --kiln-cpu-select-strategy | FileCheck %s --check-prefix=AVX2
// RUN: kiln-opt %s --kiln-attach-target="cpu=sapphirerapids" --kiln-cpu-select-strategy | FileCheck %s --check-prefix=AVX512
// RUN: kiln-opt %s --kiln-attach-target="triple=aarch64-linux-gnu" --kiln-cpu-select-strategy | FileCheck %s --check-prefix=NEON
// RUN: kiln-opt %s --kiln-cpu-select-strategy | FileCheck %s --check-prefix=GENERIC

// AVX2-LABEL: func.func @matmul
// AVX2: linalg.matmul {kiln.strategy = {k0 = 1 : i64, kc = 256 : i64, kind = "mmt4d", m0 = 6 : i64, mc = 252 : i64, n0 = 16 : i64}}
// AVX512-LABEL: func.func @matmul
// AVX512: linalg.matmul {kiln.strategy = {k0 = 1 : i64, kc = 128 : i64, kind = "mmt4d", m0 = 8 : i64, mc = 2048 : i64, n0 = 32 : i64}}
// NEON-LABEL: func.func @matmul
// NEON: linalg.matmul {kiln.strategy = {k0 = 1 : i64, kc = 512 : i64, kind = "mmt4d", m0 = 8 : i64, mc = 64 : i64, n0 = 8 : i64}}
// GENERIC-LABEL: func.func @matmul
// GENERIC: linalg.matmul {kiln.strategy = {k0 = 1 : i64, kc = 512 : i64, kind = "mmt4d", m0 = 6 : i64, mc = 60 : i64, n0 = 8 : i64}}
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

// Elementwise generics and reductions get one vector of the target's f32
// lanes per tile.
// AVX2-LABEL: func.func @elementwise_and_reduction
// AVX2: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]{{.*}}kiln.strategy = {kind = "vectorize", vector_size = 8 : i64}
// AVX2: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}}kiln.strategy = {kind = "vectorize", vector_size = 8 : i64}
// AVX512-LABEL: func.func @elementwise_and_reduction
// AVX512-COUNT-2: kind = "vectorize", vector_size = 16 : i64
// NEON-LABEL: func.func @elementwise_and_reduction
// NEON-COUNT-2: kind = "vectorize", vector_size = 4 : i64
// GENERIC-LABEL: func.func @elementwise_and_reduction
// GENERIC-COUNT-2: kind = "vectorize", vector_size = 4 : i64
#ew_id = affine_map<(d0, d1) -> (d0, d1)>
#ew_row = affine_map<(d0, d1) -> (d1)>
#ew_col = affine_map<(d0, d1) -> (d0)>
#ew_tr = affine_map<(d0, d1) -> (d1, d0)>
func.func @elementwise_and_reduction(%x: tensor<4x100xf32>, %b: tensor<100xf32>, %init: tensor<4xf32>) -> (tensor<4x100xf32>, tensor<4xf32>) {
  %e = tensor.empty() : tensor<4x100xf32>
  %0 = linalg.generic {indexing_maps = [#ew_id, #ew_row, #ew_id], iterator_types = ["parallel", "parallel"]} ins(%x, %b : tensor<4x100xf32>, tensor<100xf32>) outs(%e : tensor<4x100xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<4x100xf32>
  %1 = linalg.generic {indexing_maps = [#ew_id, #ew_col], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x100xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  return %0, %1 : tensor<4x100xf32>, tensor<4xf32>
}

// A reduction with two results, each with a combiner of its own
// (layer_norm's sum and sum of squares), is vectorized; one whose second
// result is no reduction (it is overwritten) is not.
// AVX2-LABEL: func.func @two_result_reductions
// AVX2: linalg.generic {{.*}}kiln.strategy = {kind = "vectorize", vector_size = 8 : i64}
// AVX2: linalg.generic
// AVX2-NOT: kiln.strategy
// AVX2: return
func.func @two_result_reductions(%x: tensor<4x100xf32>, %init: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0:2 = linalg.generic {indexing_maps = [#ew_id, #ew_col, #ew_col], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x100xf32>) outs(%init, %init : tensor<4xf32>, tensor<4xf32>) {
  ^bb0(%a: f32, %s1: f32, %s2: f32):
    %n1 = arith.addf %a, %s1 : f32
    %sq = arith.mulf %a, %a : f32
    %n2 = arith.addf %sq, %s2 : f32
    linalg.yield %n1, %n2 : f32, f32
  } -> (tensor<4xf32>, tensor<4xf32>)
  %1:2 = linalg.generic {indexing_maps = [#ew_id, #ew_col, #ew_col], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x100xf32>) outs(%init, %init : tensor<4xf32>, tensor<4xf32>) {
  ^bb0(%a: f32, %s1: f32, %s2: f32):
    %n1 = arith.addf %a, %s1 : f32
    linalg.yield %n1, %a : f32, f32
  } -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1, %1#0, %1#1 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// Must not fire: f64, f16 and i1 tensors (vectors of i1 are bit masks in
// memory), a gather (tensor.extract), a transpose (the innermost loop is
// not the output's innermost dim), and a contraction that mmt4d does not
// take (two K dims).
// AVX2-LABEL: func.func @not_vectorized
// AVX2-NOT: kind = "vectorize"
// AVX2: return
#k2_lhs = affine_map<(m, n, k1, k2) -> (m, k1, k2)>
#k2_rhs = affine_map<(m, n, k1, k2) -> (n, k1, k2)>
#k2_out = affine_map<(m, n, k1, k2) -> (m, n)>
func.func @not_vectorized(%d: tensor<4x8xf64>, %h: tensor<4x8xf16>, %m: tensor<4x8xi1>, %x: tensor<4x8xf32>, %ids: tensor<4x8xindex>, %lhs: tensor<4x2x8xf32>, %rhs: tensor<6x2x8xf32>, %acc: tensor<4x6xf32>) -> (tensor<4x8xf64>, tensor<4x8xf16>, tensor<4x8xi1>, tensor<4x8xf32>, tensor<8x4xf32>, tensor<4x6xf32>) {
  %0 = linalg.generic {indexing_maps = [#ew_id, #ew_id], iterator_types = ["parallel", "parallel"]} ins(%d : tensor<4x8xf64>) outs(%d : tensor<4x8xf64>) {
  ^bb0(%a: f64, %o: f64):
    %r = arith.negf %a : f64
    linalg.yield %r : f64
  } -> tensor<4x8xf64>
  %h1 = linalg.generic {indexing_maps = [#ew_id, #ew_id], iterator_types = ["parallel", "parallel"]} ins(%h : tensor<4x8xf16>) outs(%h : tensor<4x8xf16>) {
  ^bb0(%a: f16, %o: f16):
    %r = arith.negf %a : f16
    linalg.yield %r : f16
  } -> tensor<4x8xf16>
  %1 = linalg.generic {indexing_maps = [#ew_id, #ew_id], iterator_types = ["parallel", "parallel"]} ins(%m : tensor<4x8xi1>) outs(%m : tensor<4x8xi1>) {
  ^bb0(%a: i1, %o: i1):
    %t = arith.constant true
    %r = arith.xori %a, %t : i1
    linalg.yield %r : i1
  } -> tensor<4x8xi1>
  %2 = linalg.generic {indexing_maps = [#ew_id, #ew_id], iterator_types = ["parallel", "parallel"]} ins(%ids : tensor<4x8xindex>) outs(%x : tensor<4x8xf32>) {
  ^bb0(%i: index, %o: f32):
    %c0 = arith.constant 0 : index
    %r = tensor.extract %x[%c0, %i] : tensor<4x8xf32>
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %e = tensor.empty() : tensor<8x4xf32>
  %3 = linalg.generic {indexing_maps = [#ew_id, #ew_tr], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x8xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<8x4xf32>
  %4 = linalg.generic {indexing_maps = [#k2_lhs, #k2_rhs, #k2_out], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%lhs, %rhs : tensor<4x2x8xf32>, tensor<6x2x8xf32>) outs(%acc : tensor<4x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x6xf32>
  return %0, %h1, %1, %2, %3, %4 : tensor<4x8xf64>, tensor<4x8xf16>, tensor<4x8xi1>, tensor<4x8xf32>, tensor<8x4xf32>, tensor<4x6xf32>
}

// The model's own loops (kiln.graph_loop: recurrent steps, attention key
// blocks) are not a schedule's tiling: the ops inside get strategies. The
// same ops in a plain loop (a user schedule's) get none.
// AVX2-LABEL: func.func @graph_loop
// AVX2: scf.for
// AVX2: linalg.matmul {kiln.strategy = {{.*}}kind = "mmt4d"
// AVX2: linalg.generic
// AVX2-SAME: kiln.strategy = {{.*}}kind = "vectorize"
// AVX2: kiln.graph_loop
// AVX2-LABEL: func.func @schedule_loop
// AVX2: scf.for
// AVX2-NOT: kiln.strategy
// AVX2: return
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @graph_loop(%a: tensor<16x64xf32>, %b: tensor<64x48xf32>, %acc: tensor<16x48xf32>) -> tensor<16x48xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %r = scf.for %i = %c0 to %c4 step %c1 iter_args(%s = %acc) -> (tensor<16x48xf32>) {
    %m = linalg.matmul ins(%a, %b : tensor<16x64xf32>, tensor<64x48xf32>) outs(%s : tensor<16x48xf32>) -> tensor<16x48xf32>
    %t = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%m : tensor<16x48xf32>) outs(%s : tensor<16x48xf32>) {
    ^bb0(%x: f32, %o: f32):
      %y = math.tanh %x : f32
      linalg.yield %y : f32
    } -> tensor<16x48xf32>
    scf.yield %t : tensor<16x48xf32>
  } {kiln.graph_loop}
  return %r : tensor<16x48xf32>
}
func.func @schedule_loop(%a: tensor<16x64xf32>, %b: tensor<64x48xf32>, %acc: tensor<16x48xf32>) -> tensor<16x48xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %r = scf.for %i = %c0 to %c4 step %c1 iter_args(%s = %acc) -> (tensor<16x48xf32>) {
    %m = linalg.matmul ins(%a, %b : tensor<16x64xf32>, tensor<64x48xf32>) outs(%s : tensor<16x48xf32>) -> tensor<16x48xf32>
    scf.yield %m : tensor<16x48xf32>
  }
  return %r : tensor<16x48xf32>
}
