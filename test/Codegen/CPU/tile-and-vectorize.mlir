// RUN: kiln-opt %s --kiln-cpu-pack-contractions --kiln-cpu-tile-and-vectorize --canonicalize --cse | FileCheck %s

// The packed contraction becomes loops over N tiles, K blocks of kc, M
// tiles and K steps around one m0 x n0 register tile, a vector.contract of
// (m0 x k0) * (n0 x k0); packs and unpacks become transposes. The right
// operand's pack copies n0-wide rows, contiguous on both sides: it becomes
// an elementwise generic without unit dims, marked to be vectorized. The
// left operand's gathers m0-wide columns and stays scalar.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.+]]: tensor<4x8xf32>, %[[B:.+]]: tensor<8x32xf32>, %[[C:.+]]: tensor<4x32xf32>)
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG: %[[C4:.+]] = arith.constant 4 : index
// CHECK-DAG: %[[C8:.+]] = arith.constant 8 : index
// CHECK: %[[PA0:.+]] = linalg.generic {{.*}} ins(%{{.+}} : tensor<2x2x8xf32>) outs(%{{.+}} : tensor<2x8x2xf32>) {
// CHECK: %[[PA:.+]] = tensor.expand_shape %[[PA0]] {{.*}} into tensor<2x8x2x1xf32>
// CHECK: %[[PB0:.+]] = linalg.generic {{.*}} ins(%{{.+}} : tensor<8x2x16xf32>) outs(%{{.+}} : tensor<2x8x16xf32>) attrs = {kiln.strategy = {kind = "vectorize"
// CHECK: %[[PB:.+]] = tensor.expand_shape %[[PB0]] {{.*}} into tensor<2x8x16x1xf32>
// CHECK: %[[DEST:.+]] = tensor.expand_shape %[[C]] {{\[}}[0, 1], [2, 3]] output_shape [2, 2, 2, 16]
// The N-tile loop is the threads' loop, except for contractions too small
// to share (this one: 2 KFLOP), which stay on one thread.
// CHECK: scf.for %[[N1:.+]] = %{{.+}} to %[[C2]] step %[[C1]]
// CHECK: scf.for %[[KB:.+]] = %{{.+}} to %[[C8]] step %[[C4]]
// CHECK: scf.for %[[M1:.+]] = %{{.+}} to %[[C2]] step %[[C1]]
// CHECK: scf.for %[[K:.+]] = %{{.+}} to %[[C4]] step %[[C1]]
// CHECK: %[[KK:.+]] = affine.apply #{{.+}}()[%[[KB]], %[[K]]]
// CHECK: %[[LHS:.+]] = vector.transfer_read %[[PA]][%[[M1]], %[[KK]], %{{.+}}, %{{.+}}]{{.*}} : tensor<2x8x2x1xf32>, vector<2x1xf32>
// CHECK: %[[RHS:.+]] = vector.transfer_read %[[PB]][%[[N1]], %[[KK]], %{{.+}}, %{{.+}}]{{.*}} : tensor<2x8x16x1xf32>, vector<16x1xf32>
// CHECK: %[[ACC:.+]] = vector.transfer_read {{.*}} vector<2x16xf32>
// CHECK: vector.contract {{.*}} %[[LHS]], %[[RHS]], %[[ACC]] : vector<2x1xf32>, vector<16x1xf32> into vector<2x16xf32>
// The unpack (no padding) transposes straight into the destination, by
// rows of n0: a vectorized elementwise copy.
// CHECK: %[[T:.+]] = linalg.generic {{.*}} outs(%[[DEST]] : tensor<2x2x2x16xf32>) attrs = {kiln.strategy = {kind = "vectorize"
// CHECK: tensor.collapse_shape %[[T]] {{\[}}[0, 1], [2, 3]] : tensor<2x2x2x16xf32> into tensor<4x32xf32>
func.func @matmul(%a: tensor<4x8xf32>, %b: tensor<8x32xf32>, %c: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %0 = linalg.matmul {kiln.strategy = {kind = "mmt4d", m0 = 2 : i64, n0 = 16 : i64, k0 = 1 : i64, kc = 4 : i64}} ins(%a, %b : tensor<4x8xf32>, tensor<8x32xf32>) outs(%c : tensor<4x32xf32>) -> tensor<4x32xf32>
  return %0 : tensor<4x32xf32>
}

// A large one (2 x 128 x 512 x 256 = 34 MFLOP) shares its N tiles among
// threads.
// CHECK-LABEL: func.func @large
// CHECK: scf.forall (%{{.+}}) in (16)
// CHECK: vector.contract
// CHECK: scf.forall.in_parallel
func.func @large(%a: tensor<128x256xf32>, %b: tensor<256x512xf32>, %c: tensor<128x512xf32>) -> tensor<128x512xf32> {
  %0 = linalg.matmul {kiln.strategy = {kind = "mmt4d", m0 = 8 : i64, n0 = 32 : i64, k0 = 1 : i64, kc = 128 : i64}} ins(%a, %b : tensor<128x256xf32>, tensor<256x512xf32>) outs(%c : tensor<128x512xf32>) -> tensor<128x512xf32>
  return %0 : tensor<128x512xf32>
}

// Must not fire: a contraction that was not packed stays as it is.
// CHECK-LABEL: func.func @unpacked
// CHECK-NOT: vector.contract
// CHECK: linalg.matmul
func.func @unpacked(%a: tensor<4x4xf32>, %c: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = linalg.matmul ins(%a, %a : tensor<4x4xf32>, tensor<4x4xf32>) outs(%c : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// With few N tiles (here 2), the threads also share chunks of M tiles, so
// that a few threads get even shares: 8 chunks of 4 M tiles x 2 N tiles.
// The large pack of the left operand runs on all threads too (the right
// one's will, as an elementwise op), but not the accumulator's, whose
// views would defeat the accumulator hoisting.
// CHECK-LABEL: func.func @few_n_tiles
// CHECK: scf.forall (%{{.+}}) in (32) shared_outs
// CHECK: linalg.generic {{.*}} ins(%{{.+}} : tensor<1x8x2048xf32>) outs(%{{.+}} : tensor<1x2048x8xf32>)
// CHECK: scf.forall.in_parallel
// CHECK: linalg.generic {{.*}} ins(%{{.+}} : tensor<2048x2x32xf32>) outs(%{{.+}} : tensor<2x2048x32xf32>) attrs = {kiln.strategy = {kind = "vectorize"
// CHECK-NOT: scf.forall
// CHECK: %[[PC:.+]] = linalg.transpose ins(%{{.+}} : tensor<32x8x2x32xf32>) outs(%{{.+}} : tensor<32x2x8x32xf32>)
// CHECK: scf.forall (%[[MC:.+]], %[[NT:.+]]) = (0, 0) to (32, 2) step (4, 1) shared_outs(%{{.+}} = %[[PC]])
// CHECK: vector.contract
func.func @few_n_tiles(%a: tensor<256x2048xf32>, %b: tensor<2048x64xf32>, %c: tensor<256x64xf32>) -> tensor<256x64xf32> {
  %0 = linalg.matmul {kiln.strategy = {kind = "mmt4d", m0 = 8 : i64, n0 = 32 : i64, k0 = 1 : i64, kc = 128 : i64}} ins(%a, %b : tensor<256x2048xf32>, tensor<2048x64xf32>) outs(%c : tensor<256x64xf32>) -> tensor<256x64xf32>
  return %0 : tensor<256x64xf32>
}

// Must not fire: an unpack that drops padding (M = 5 in tiles of 2) keeps
// upstream's lowering, a transpose and a copy of the unpadded part.
// CHECK-LABEL: func.func @padded_unpack
// CHECK: vector.contract
// CHECK: %[[T:.+]] = linalg.transpose ins(%{{.+}} : tensor<3x2x2x16xf32>)
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[T]]
// CHECK: %[[PART:.+]] = tensor.extract_slice %[[FLAT]][0, 0] [5, 32] [1, 1]
// CHECK: linalg.copy ins(%[[PART]] : tensor<5x32xf32>)
func.func @padded_unpack(%a: tensor<5x8xf32>, %b: tensor<8x32xf32>, %c: tensor<5x32xf32>) -> tensor<5x32xf32> {
  %0 = linalg.matmul {kiln.strategy = {kind = "mmt4d", m0 = 2 : i64, n0 = 16 : i64, k0 = 1 : i64, kc = 4 : i64}} ins(%a, %b : tensor<5x8xf32>, tensor<8x32xf32>) outs(%c : tensor<5x32xf32>) -> tensor<5x32xf32>
  return %0 : tensor<5x32xf32>
}

// Must not fire: with K = 1 the left operand's pack only moves unit dims.
// It stays a transpose into a buffer of its own rather than a copy that
// would fold into a chain of reshapes of the padded operand.
// CHECK-LABEL: func.func @unit_k
// CHECK: linalg.transpose ins(%{{.+}} : tensor<2x8x1x1xf32>) outs(%{{.+}} : tensor<2x1x8x1xf32>) permutation = [0, 2, 1, 3]
// CHECK: vector.contract
func.func @unit_k(%a: tensor<10x1xf32>, %b: tensor<1x1xf32>, %c: tensor<10x1xf32>) -> tensor<10x1xf32> {
  %0 = linalg.matmul {kiln.strategy = {kind = "mmt4d", m0 = 8 : i64, n0 = 32 : i64, k0 = 1 : i64, kc = 128 : i64}} ins(%a, %b : tensor<10x1xf32>, tensor<1x1xf32>) outs(%c : tensor<10x1xf32>) -> tensor<10x1xf32>
  return %0 : tensor<10x1xf32>
}

// When M has more register tiles than one L2 block (mc = 16 rows: 2 tiles
// of 8), each task takes a chunk of N tiles (64 / 16 = 4) and, within a K
// block, walks M in blocks reused across the chunk's N tiles: N chunk
// (threads), K block, M block, N tile, M tile, K step.
// CHECK-LABEL: func.func @m_blocks
// CHECK: scf.forall (%{{.+}}) = (0) to (64) step (4)
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %[[KC:.+]] iter_args
// CHECK: scf.for %[[MB:.+]] = %{{.+}} to %{{.+}} step %[[C2:[a-z0-9_]+]] iter_args
// CHECK: scf.for %[[NT:.+]] = %{{.+}} to %{{.+}} step %[[C1:[a-z0-9_]+]] iter_args
// CHECK: scf.for %[[MT:.+]] = %{{.+}} to %{{.+}} step %[[C1]] iter_args
// CHECK: scf.for %[[K:.+]] = %{{.+}} to %{{.+}} step %[[C1]] iter_args
// CHECK: vector.contract
func.func @m_blocks(%a: tensor<64x256xf32>, %b: tensor<256x2048xf32>, %c: tensor<64x2048xf32>) -> tensor<64x2048xf32> {
  %0 = linalg.matmul {kiln.strategy = {kind = "mmt4d", m0 = 8 : i64, n0 = 32 : i64, k0 = 1 : i64, kc = 128 : i64, mc = 16 : i64}} ins(%a, %b : tensor<64x256xf32>, tensor<256x2048xf32>) outs(%c : tensor<64x2048xf32>) -> tensor<64x2048xf32>
  return %0 : tensor<64x2048xf32>
}
