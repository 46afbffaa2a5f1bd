// RUN: kiln-opt %s --split-input-file --kiln-cpu-pack-contractions --kiln-cpu-tile-and-vectorize --canonicalize --cse | FileCheck %s
// RUN: kiln-opt %s --split-input-file --kiln-cpu-pack-contractions --kiln-cpu-tile-and-vectorize="fuse-epilogues=false" --canonicalize --cse | FileCheck %s --check-prefix=NOFUSE

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
// The N-tile loop is the threads' loop, except for contractions too small
// to share (this one: 2 KFLOP), which stay on one thread. It is the
// unpack's loop, into which the contraction is fused: it steps over the
// unpacked columns (n0 = 16 of them per task).
// CHECK: scf.for %[[N:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args
// CHECK: %[[N1:.+]] = affine.apply #{{.+}}(%[[N]])
// CHECK: scf.for %[[KB:.+]] = %{{.+}} to %[[C8]] step %[[C4]]
// CHECK: scf.for %[[M1:.+]] = %{{.+}} to %[[C2]] step %[[C1]]
// The register tile is read once, carried by the K loop, written once.
// CHECK: %[[ACC0:.+]] = vector.transfer_read {{.*}} vector<2x16xf32>
// CHECK: %[[TILE:.+]] = scf.for %[[K:.+]] = %{{.+}} to %[[C4]] step %[[C1]] iter_args(%[[ACC:.+]] = %[[ACC0]]) -> (vector<2x16xf32>)
// CHECK: %[[KK:.+]] = affine.apply #{{.+}}()[%[[KB]], %[[K]]]
// CHECK: %[[LHS:.+]] = vector.transfer_read %[[PA]][%[[M1]], %[[KK]], %{{.+}}, %{{.+}}]{{.*}} : tensor<2x8x2x1xf32>, vector<2x1xf32>
// CHECK: %[[RHS:.+]] = vector.transfer_read %[[PB]][%[[N1]], %[[KK]], %{{.+}}, %{{.+}}]{{.*}} : tensor<2x8x16x1xf32>, vector<16x1xf32>
// CHECK: %[[NEXT:.+]] = vector.contract {{.*}} %[[LHS]], %[[RHS]], %[[ACC]] : vector<2x1xf32>, vector<16x1xf32> into vector<2x16xf32>
// CHECK: scf.yield %[[NEXT]]
// CHECK: vector.transfer_write %[[TILE]]
// A task's column of tiles is unpacked in the loop, into its columns.
// CHECK: tensor.insert_slice %{{.+}} into %{{.+}}[0, %[[N]]] [4, 16] [1, 1]
// CHECK-NOT: linalg.unpack
func.func @matmul(%a: tensor<4x8xf32>, %b: tensor<8x32xf32>, %c: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %0 = linalg.matmul {kiln.strategy = {kind = "mmt4d", m0 = 2 : i64, n0 = 16 : i64, k0 = 1 : i64, kc = 4 : i64}} ins(%a, %b : tensor<4x8xf32>, tensor<8x32xf32>) outs(%c : tensor<4x32xf32>) -> tensor<4x32xf32>
  return %0 : tensor<4x32xf32>
}

// -----

// A large one (2 x 128 x 512 x 256 = 34 MFLOP) shares its N tiles among
// threads: 16 tasks of 32 columns, each of which unpacks its column of
// tiles (one tile wide: a reshape, no copy) into the result.
// CHECK-LABEL: func.func @large
// CHECK: scf.forall (%[[N:.+]]) = (0) to (512) step (32) shared_outs
// CHECK: %[[TILES:.+]] = scf.for
// CHECK: vector.contract
// CHECK: %[[COL:.+]] = tensor.collapse_shape %[[TILES]] {{\[}}[0, 1, 2], [3]] : tensor<16x1x8x32xf32> into tensor<128x32xf32>
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %[[COL]] into %{{.+}}[0, %[[N]]] [128, 32]
func.func @large(%a: tensor<128x256xf32>, %b: tensor<256x512xf32>, %c: tensor<128x512xf32>) -> tensor<128x512xf32> {
  %0 = linalg.matmul {kiln.strategy = {kind = "mmt4d", m0 = 8 : i64, n0 = 32 : i64, k0 = 1 : i64, kc = 128 : i64}} ins(%a, %b : tensor<128x256xf32>, tensor<256x512xf32>) outs(%c : tensor<128x512xf32>) -> tensor<128x512xf32>
  return %0 : tensor<128x512xf32>
}

// -----

// Must not fire: a contraction that was not packed stays as it is.
// CHECK-LABEL: func.func @unpacked
// CHECK-NOT: vector.contract
// CHECK: linalg.matmul
func.func @unpacked(%a: tensor<4x4xf32>, %c: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = linalg.matmul ins(%a, %a : tensor<4x4xf32>, tensor<4x4xf32>) outs(%c : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

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
// CHECK: %[[PC:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<32x2x8x32xf32>)
// CHECK: scf.forall (%[[MC:.+]], %[[NT:.+]]) = (0, 0) to (256, 64) step (32, 32) shared_outs
// CHECK: tensor.extract_slice %[[PC]]{{.*}} [4, 1, 8, 32]
// CHECK: vector.contract
// CHECK: tensor.parallel_insert_slice %{{.+}} into %{{.+}}[%[[MC]], %[[NT]]] [32, 32]
func.func @few_n_tiles(%a: tensor<256x2048xf32>, %b: tensor<2048x64xf32>, %c: tensor<256x64xf32>) -> tensor<256x64xf32> {
  %0 = linalg.matmul {kiln.strategy = {kind = "mmt4d", m0 = 8 : i64, n0 = 32 : i64, k0 = 1 : i64, kc = 128 : i64}} ins(%a, %b : tensor<256x2048xf32>, tensor<2048x64xf32>) outs(%c : tensor<256x64xf32>) -> tensor<256x64xf32>
  return %0 : tensor<256x64xf32>
}

// -----

// An unpack that drops padding (M = 5 in tiles of 2), of one column of
// tiles, as each task unpacks it: a reshape of the tiles and a slice of
// its first 5 rows, no copy. (A whole padded unpack keeps upstream's
// transpose and copy: @ragged_n.)
// CHECK-LABEL: func.func @padded_unpack
// CHECK: scf.for %[[N:[a-z0-9_]+]] =
// CHECK: %[[TILES:.+]] = scf.for
// CHECK: vector.contract
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[TILES]] {{\[}}[0, 1, 2], [3]] : tensor<3x1x2x16xf32> into tensor<6x16xf32>
// CHECK: %[[PART:.+]] = tensor.extract_slice %[[FLAT]][0, 0] [5, 16] [1, 1]
// CHECK: tensor.insert_slice %[[PART]] into %{{.+}}[0, %[[N]]] [5, 16]
// CHECK-NOT: linalg.copy
func.func @padded_unpack(%a: tensor<5x8xf32>, %b: tensor<8x32xf32>, %c: tensor<5x32xf32>) -> tensor<5x32xf32> {
  %0 = linalg.matmul {kiln.strategy = {kind = "mmt4d", m0 = 2 : i64, n0 = 16 : i64, k0 = 1 : i64, kc = 4 : i64}} ins(%a, %b : tensor<5x8xf32>, tensor<8x32xf32>) outs(%c : tensor<5x32xf32>) -> tensor<5x32xf32>
  return %0 : tensor<5x32xf32>
}

// -----

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

// -----

// When M has more register tiles than one L2 block (mc = 16 rows: 2 tiles
// of 8), each task takes a chunk of N tiles (64 / 16 = 4) and, within a K
// block, walks M in blocks reused across the chunk's N tiles: N chunk
// (threads), K block, M block, N tile, M tile, K step.
// CHECK-LABEL: func.func @m_blocks
// CHECK: scf.forall (%{{.+}}) = (0) to (2048) step (128)
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

// -----

// The epilogue (bias, ReLU, residual add) is the loop: each task fills its
// column of accumulator tiles with zeros, computes it, and finishes it
// through a reshape of the tiles (no unpack, no copy), while it is in
// cache. Nothing of the 128 x 512 product is written to memory but the
// finished result.
// CHECK-LABEL: func.func @epilogue
// CHECK-SAME: (%{{.+}}: tensor<128x256xf32>, %{{.+}}: tensor<256x512xf32>, %[[BIAS:.+]]: tensor<512xf32>, %[[RES:.+]]: tensor<128x512xf32>)
// CHECK: scf.forall (%[[N:.+]]) = (0) to (512) step (32) shared_outs(%[[OUT:.+]] = %{{.+}})
// CHECK: %[[ZERO:.+]] = linalg.fill {{.*}} -> tensor<16x1x8x32xf32>
// CHECK: %[[TILES:.+]] = scf.for {{.*}} iter_args(%{{.+}} = %[[ZERO]])
// CHECK: vector.contract
// CHECK: %[[COL:.+]] = tensor.collapse_shape %[[TILES]] {{\[}}[0, 1, 2], [3]] : tensor<16x1x8x32xf32> into tensor<128x32xf32>
// CHECK-DAG: %[[B:.+]] = tensor.extract_slice %[[BIAS]][%[[N]]] [32] [1]
// CHECK-DAG: %[[R:.+]] = tensor.extract_slice %[[RES]][0, %[[N]]] [128, 32] [1, 1]
// CHECK-DAG: %[[O:.+]] = tensor.extract_slice %[[OUT]][0, %[[N]]] [128, 32] [1, 1]
// CHECK: %[[FIN:.+]] = linalg.generic {{.*}} ins(%[[COL]], %[[B]], %[[R]] : tensor<128x32xf32>, tensor<32xf32>, tensor<128x32xf32>) outs(%[[O]] : tensor<128x32xf32>) attrs = {kiln.strategy = {kind = "vectorize"
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %[[FIN]] into %[[OUT]][0, %[[N]]] [128, 32]
// CHECK-NOT: linalg.generic
// CHECK: return
// Without fuse-epilogues, the product is unpacked whole and the epilogue
// is a separate pass over it.
// NOFUSE-LABEL: func.func @epilogue
// NOFUSE: scf.forall (%{{.+}}) in (16)
// NOFUSE: vector.contract
// NOFUSE: scf.forall.in_parallel
// NOFUSE: linalg.generic {{.*}} outs(%{{.+}} : tensor<16x8x16x32xf32>)
// NOFUSE: linalg.generic {{.*}} ins(%{{.+}}, %{{.+}}, %{{.+}} : tensor<128x512xf32>, tensor<512xf32>, tensor<128x512xf32>)
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @epilogue(%a: tensor<128x256xf32>, %b: tensor<256x512xf32>, %bias: tensor<512xf32>, %r: tensor<128x512xf32>) -> tensor<128x512xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x512xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<128x512xf32>) -> tensor<128x512xf32>
  %0 = linalg.matmul {kiln.strategy = {kind = "mmt4d", m0 = 8 : i64, n0 = 32 : i64, k0 = 1 : i64, kc = 128 : i64}} ins(%a, %b : tensor<128x256xf32>, tensor<256x512xf32>) outs(%z : tensor<128x512xf32>) -> tensor<128x512xf32>
  %1 = linalg.generic {indexing_maps = [#id, #col, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%0, %bias, %r : tensor<128x512xf32>, tensor<512xf32>, tensor<128x512xf32>) outs(%e : tensor<128x512xf32>) attrs = {kiln.strategy = {kind = "vectorize", vector_size = 16 : i64}} {
  ^bb0(%x: f32, %y: f32, %s: f32, %o: f32):
    %2 = arith.addf %x, %y : f32
    %3 = arith.maximumf %2, %zero : f32
    %4 = arith.addf %3, %s : f32
    linalg.yield %4 : f32
  } -> tensor<128x512xf32>
  return %1 : tensor<128x512xf32>
}

// -----

// A convolution's result seen as NCHW ([C, H*W] expanded to [1, C, H, W]):
// the epilogue is collapsed to the product's shape and fused, by tasks of
// one M tile (8 channels) and one N tile (32 pixels): there are only 2 N
// tiles.
// CHECK-LABEL: func.func @epilogue_nchw
// CHECK: scf.forall (%[[M:.+]], %[[N:.+]]) = (0, 0) to (64, 64) step (8, 32)
// CHECK: vector.contract
// CHECK: %[[COL:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0, 1, 2], [3]] : tensor<1x1x8x32xf32> into tensor<8x32xf32>
// CHECK: %[[FIN:.+]] = linalg.generic {{.*}} ins(%[[COL]] : tensor<8x32xf32>)
// CHECK: tensor.parallel_insert_slice %[[FIN]] into %{{.+}}[%[[M]], %[[N]]] [8, 32]
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0, 1], [2, 3]] output_shape [1, 64, 8, 8] : tensor<64x64xf32> into tensor<1x64x8x8xf32>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @epilogue_nchw(%w: tensor<64x4096xf32>, %cols: tensor<4096x64xf32>) -> tensor<1x64x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x64xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<64x64xf32>) -> tensor<64x64xf32>
  %0 = linalg.matmul {kiln.strategy = {kind = "mmt4d", m0 = 8 : i64, n0 = 32 : i64, k0 = 1 : i64, kc = 128 : i64}} ins(%w, %cols : tensor<64x4096xf32>, tensor<4096x64xf32>) outs(%z : tensor<64x64xf32>) -> tensor<64x64xf32>
  %1 = tensor.expand_shape %0 [[0, 1], [2, 3]] output_shape [1, 64, 8, 8] : tensor<64x64xf32> into tensor<1x64x8x8xf32>
  %e4 = tensor.empty() : tensor<1x64x8x8xf32>
  %2 = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%1 : tensor<1x64x8x8xf32>) outs(%e4 : tensor<1x64x8x8xf32>) attrs = {kiln.strategy = {kind = "vectorize", vector_size = 16 : i64}} {
  ^bb0(%x: f32, %o: f32):
    %3 = arith.maximumf %x, %zero : f32
    linalg.yield %3 : f32
  } -> tensor<1x64x8x8xf32>
  return %2 : tensor<1x64x8x8xf32>
}

// -----

// N = 40 (n0 = 32): the last task's column of tiles is half padding; its
// epilogue takes the first 8 columns of it, a slice of dynamic width.
// CHECK-LABEL: func.func @ragged_n
// CHECK: scf.forall (%[[M:.+]], %[[N:.+]]) = (0, 0) to (128, 40) step (16, 32)
// CHECK: %[[COLS:.+]] = affine.min #{{.+}}(%[[N]])
// CHECK: vector.contract
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0, 1, 2], [3]] : tensor<2x1x8x32xf32> into tensor<16x32xf32>
// CHECK: %[[PART:.+]] = tensor.extract_slice %[[FLAT]][0, 0] [16, %[[COLS]]] [1, 1]
// CHECK: %[[FIN:.+]] = linalg.generic {{.*}} ins(%[[PART]] : tensor<16x?xf32>)
// CHECK: tensor.parallel_insert_slice %[[FIN]] into %{{.+}}[%[[M]], %[[N]]] [16, %[[COLS]]]
// CHECK-NOT: linalg.copy
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @ragged_n(%a: tensor<128x2048xf32>, %b: tensor<2048x40xf32>) -> tensor<128x40xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x40xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<128x40xf32>) -> tensor<128x40xf32>
  %0 = linalg.matmul {kiln.strategy = {kind = "mmt4d", m0 = 8 : i64, n0 = 32 : i64, k0 = 1 : i64, kc = 128 : i64}} ins(%a, %b : tensor<128x2048xf32>, tensor<2048x40xf32>) outs(%z : tensor<128x40xf32>) -> tensor<128x40xf32>
  %1 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%0 : tensor<128x40xf32>) outs(%e : tensor<128x40xf32>) attrs = {kiln.strategy = {kind = "vectorize", vector_size = 16 : i64}} {
  ^bb0(%x: f32, %o: f32):
    %2 = arith.maximumf %x, %zero : f32
    linalg.yield %2 : f32
  } -> tensor<128x40xf32>
  return %1 : tensor<128x40xf32>
}

// -----

// Must not fire on the consumer: a product read by a reduction is unpacked
// in the contraction's loop, but the reduction runs after it.
// CHECK-LABEL: func.func @not_an_epilogue
// CHECK: %[[P:.+]] = scf.forall (%{{.+}}) = (0) to (512) step (32)
// CHECK: vector.contract
// CHECK: scf.forall.in_parallel
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]{{.*}} ins(%[[P]] : tensor<128x512xf32>)
#all = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @not_an_epilogue(%a: tensor<128x256xf32>, %b: tensor<256x512xf32>) -> tensor<128xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x512xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<128x512xf32>) -> tensor<128x512xf32>
  %0 = linalg.matmul {kiln.strategy = {kind = "mmt4d", m0 = 8 : i64, n0 = 32 : i64, k0 = 1 : i64, kc = 128 : i64}} ins(%a, %b : tensor<128x256xf32>, tensor<256x512xf32>) outs(%z : tensor<128x512xf32>) -> tensor<128x512xf32>
  %e1 = tensor.empty() : tensor<128xf32>
  %s = linalg.fill ins(%zero : f32) outs(%e1 : tensor<128xf32>) -> tensor<128xf32>
  %1 = linalg.generic {indexing_maps = [#all, #row], iterator_types = ["parallel", "reduction"]} ins(%0 : tensor<128x512xf32>) outs(%s : tensor<128xf32>) {
  ^bb0(%x: f32, %o: f32):
    %2 = arith.addf %x, %o : f32
    linalg.yield %2 : f32
  } -> tensor<128xf32>
  return %1 : tensor<128xf32>
}

// -----

// 196 rows in tasks of 5 M tiles (40 rows; 3 column tiles, so M chunks
// join the threads' loop): the last task has 36 rows, of which 32 are
// real. Its slices take a dynamic row count, and its column of tiles is
// still a reshape and a slice, not a copy.
// CHECK-LABEL: func.func @ragged_last_task
// CHECK: scf.forall (%[[M:.+]], %[[N:.+]]) = (0, 0) to (196, 96) step (40, 32)
// CHECK: %[[ROWS:.+]] = affine.min #{{.+}}(%[[M]])
// CHECK: %[[TILES:.+]] = scf.for
// CHECK: vector.contract
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[TILES]] {{\[}}[0, 1, 2], [3]] : tensor<?x1x8x32xf32> into tensor<?x32xf32>
// CHECK: %[[PART:.+]] = tensor.extract_slice %[[FLAT]][0, 0] [%[[ROWS]], 32] [1, 1]
// CHECK: %[[FIN:.+]] = linalg.generic {{.*}} ins(%[[PART]], %{{.+}} : tensor<?x32xf32>, tensor<?x32xf32>)
// CHECK: tensor.parallel_insert_slice %[[FIN]] into %{{.+}}[%[[M]], %[[N]]] [%[[ROWS]], 32]
#rid = affine_map<(d0, d1) -> (d0, d1)>
func.func @ragged_last_task(%a: tensor<196x576xf32>, %b: tensor<576x96xf32>, %r: tensor<196x96xf32>) -> tensor<196x96xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<196x96xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<196x96xf32>) -> tensor<196x96xf32>
  %0 = linalg.matmul {kiln.strategy = {kind = "mmt4d", m0 = 8 : i64, n0 = 32 : i64, k0 = 1 : i64, kc = 128 : i64}} ins(%a, %b : tensor<196x576xf32>, tensor<576x96xf32>) outs(%z : tensor<196x96xf32>) -> tensor<196x96xf32>
  %1 = linalg.generic {indexing_maps = [#rid, #rid, #rid], iterator_types = ["parallel", "parallel"]} ins(%0, %r : tensor<196x96xf32>, tensor<196x96xf32>) outs(%e : tensor<196x96xf32>) attrs = {kiln.strategy = {kind = "vectorize", vector_size = 16 : i64}} {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %2 = arith.addf %x, %y : f32
    linalg.yield %2 : f32
  } -> tensor<196x96xf32>
  return %1 : tensor<196x96xf32>
}
