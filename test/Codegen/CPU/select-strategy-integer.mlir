// kiln-cpu-select-strategy gives i8 x i8 -> i32 contractions (operands
// widened in the body) a packed strategy whose k0 is what one i32 lane of
// the target's dot product takes: 4 bytes for vpdpbusd (AVX-512 VNNI, a
// ui8 left and an i8 right operand), 2 for vpmaddwd (any other x86 target,
// or other signedness), 1 (the portable path) elsewhere.
// RUN: kiln-opt %s --split-input-file --kiln-attach-target="cpu=znver3" --kiln-cpu-select-strategy | FileCheck %s --check-prefix=AVX2
// RUN: kiln-opt %s --split-input-file --kiln-attach-target="cpu=sapphirerapids" --kiln-cpu-select-strategy | FileCheck %s --check-prefix=VNNI
// RUN: kiln-opt %s --split-input-file --kiln-attach-target="cpu=skylake-avx512" --kiln-cpu-select-strategy | FileCheck %s --check-prefix=AVX512BW
// RUN: kiln-opt %s --split-input-file --kiln-attach-target="triple=aarch64-linux-gnu" --kiln-cpu-select-strategy | FileCheck %s --check-prefix=NEON

#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (n, k)>
#out = affine_map<(m, n, k) -> (m, n)>

// AVX2-LABEL: func.func @u8s8
// AVX2: linalg.generic
// AVX2-SAME: kiln.strategy = {k0 = 2 : i64, kc = 512 : i64, kind = "mmt4d", m0 = 6 : i64, mc = 252 : i64, n0 = 16 : i64}
// VNNI-LABEL: func.func @u8s8
// VNNI: linalg.generic
// VNNI-SAME: kiln.strategy = {k0 = 4 : i64, kc = 128 : i64, kind = "mmt4d", m0 = 8 : i64, mc = 2048 : i64, n0 = 32 : i64}
// AVX512BW-LABEL: func.func @u8s8
// AVX512BW: linalg.generic
// AVX512BW-SAME: k0 = 2 : i64
// AVX512BW-SAME: n0 = 32 : i64
// NEON-LABEL: func.func @u8s8
// NEON: linalg.generic
// NEON-SAME: k0 = 1 : i64
func.func @u8s8(%a: tensor<?x64xi8>, %b: tensor<48x64xi8>, %c: tensor<?x48xi32>) -> tensor<?x48xi32> {
  %0 = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<?x64xi8>, tensor<48x64xi8>) outs(%c : tensor<?x48xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %x32 = arith.extui %x : i8 to i32
    %y32 = arith.extsi %y : i8 to i32
    %p = arith.muli %x32, %y32 : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  } -> tensor<?x48xi32>
  return %0 : tensor<?x48xi32>
}

// -----

#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (n, k)>
#out = affine_map<(m, n, k) -> (m, n)>

// Signed x signed has no vpdpbusd form: vpmaddwd even with VNNI.
// AVX2-LABEL: func.func @s8s8
// AVX2: linalg.generic
// AVX2-SAME: k0 = 2 : i64
// VNNI-LABEL: func.func @s8s8
// VNNI: linalg.generic
// VNNI-SAME: k0 = 2 : i64
func.func @s8s8(%a: tensor<16x64xi8>, %b: tensor<48x64xi8>, %c: tensor<16x48xi32>) -> tensor<16x48xi32> {
  %0 = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<16x64xi8>, tensor<48x64xi8>) outs(%c : tensor<16x48xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %x32 = arith.extsi %x : i8 to i32
    %y32 = arith.extsi %y : i8 to i32
    %p = arith.muli %x32, %y32 : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  } -> tensor<16x48xi32>
  return %0 : tensor<16x48xi32>
}

// -----

#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (n, k)>
#out = affine_map<(m, n, k) -> (m, n)>

// Not an i8 contraction: an operand used twice in the body (no packed
// strategy; it is an ordinary reduction).
// VNNI-LABEL: func.func @not_widened
// VNNI-NOT: mmt4d
// VNNI: kind = "vectorize"
func.func @not_widened(%a: tensor<16x64xi8>, %b: tensor<48x64xi8>, %c: tensor<16x48xi32>) -> tensor<16x48xi32> {
  %0 = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<16x64xi8>, tensor<48x64xi8>) outs(%c : tensor<16x48xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %x32 = arith.extsi %x : i8 to i32
    %x2 = arith.extui %x : i8 to i32
    %y32 = arith.extsi %y : i8 to i32
    %p = arith.muli %x32, %y32 : i32
    %q = arith.addi %p, %x2 : i32
    %s = arith.addi %acc, %q : i32
    linalg.yield %s : i32
  } -> tensor<16x48xi32>
  return %0 : tensor<16x48xi32>
}
