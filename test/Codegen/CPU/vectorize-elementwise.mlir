// RUN: kiln-opt %s --kiln-attach-target="cpu=sapphirerapids" --kiln-cpu-select-strategy --kiln-cpu-vectorize-elementwise --canonicalize --cse | FileCheck %s
// RUN: kiln-opt %s --kiln-attach-target="cpu=znver3" --kiln-cpu-select-strategy --kiln-cpu-vectorize-elementwise --canonicalize --cse | FileCheck %s --check-prefix=AVX2

// Elementwise ops and reductions become loops over rows (by 1) around one
// vector of the target's f32 lanes (16 on AVX-512, 8 on AVX2).

// The bounds of dynamic vector loops (@abs_dynamic).
// CHECK-DAG: #[[WHOLE:[a-zA-Z0-9_]+]] = affine_map<()[s0] -> ((s0 floordiv 16) * 16)>
// CHECK-DAG: #[[REST:[a-zA-Z0-9_]+]] = affine_map<(d0)[s0] -> (-d0 + s0)>
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
#col = affine_map<(d0, d1) -> (d0)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// A broadcast bias (read along the row) keeps the rows apart: 96 columns
// in six whole vectors, and a static remainder of 4 without masks.
// CHECK-LABEL: func.func @bias_relu
// CHECK-SAME: (%[[X:[a-zA-Z0-9_]+]]: tensor<4x100xf32>, %[[B:[a-zA-Z0-9_]+]]: tensor<100xf32>)
// CHECK-DAG: %[[C0:[a-zA-Z0-9_]+]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:[a-zA-Z0-9_]+]] = arith.constant 1 : index
// CHECK-DAG: %[[C4:[a-zA-Z0-9_]+]] = arith.constant 4 : index
// CHECK-DAG: %[[C16:[a-zA-Z0-9_]+]] = arith.constant 16 : index
// CHECK-DAG: %[[C96:[a-zA-Z0-9_]+]] = arith.constant 96 : index
// CHECK: %[[BTAIL:[a-zA-Z0-9_]+]] = vector.transfer_read %[[B]][%[[C96]]]{{.*}} : tensor<100xf32>, vector<4xf32>
// CHECK: scf.for %[[I:[a-zA-Z0-9_]+]] = %[[C0]] to %[[C4]] step %[[C1]]
// CHECK: scf.for %[[J:[a-zA-Z0-9_]+]] = %[[C0]] to %[[C96]] step %[[C16]]
// CHECK: %[[XV:[a-zA-Z0-9_]+]] = vector.transfer_read %[[X]][%[[I]], %[[J]]]{{.*}} : tensor<4x100xf32>, vector<16xf32>
// CHECK: %[[BV:[a-zA-Z0-9_]+]] = vector.transfer_read %[[B]][%[[J]]]{{.*}} : tensor<100xf32>, vector<16xf32>
// CHECK: %[[S:[a-zA-Z0-9_]+]] = arith.addf %[[XV]], %[[BV]] : vector<16xf32>
// CHECK: arith.maximumf %[[S]], %{{.+}} : vector<16xf32>
// CHECK: %[[XT:[a-zA-Z0-9_]+]] = vector.transfer_read %[[X]][%[[I]], %[[C96]]]{{.*}} : tensor<4x100xf32>, vector<4xf32>
// CHECK: arith.addf %[[XT]], %[[BTAIL]] : vector<4xf32>
// CHECK-NOT: vector.create_mask
// CHECK: return
// AVX2-LABEL: func.func @bias_relu
// AVX2-DAG: %[[C8:[a-zA-Z0-9_]+]] = arith.constant 8 : index
// AVX2-DAG: %[[C96:[a-zA-Z0-9_]+]] = arith.constant 96 : index
// AVX2: scf.for %{{.+}} = %{{.+}} to %[[C96]] step %[[C8]]
// AVX2: vector.transfer_read {{.*}} : tensor<4x100xf32>, vector<8xf32>
// AVX2: vector.transfer_read {{.*}} : tensor<4x100xf32>, vector<4xf32>
func.func @bias_relu(%x: tensor<4x100xf32>, %b: tensor<100xf32>) -> tensor<4x100xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x100xf32>
  %0 = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %b : tensor<4x100xf32>, tensor<100xf32>) outs(%e : tensor<4x100xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  } -> tensor<4x100xf32>
  return %0 : tensor<4x100xf32>
}

// Identity maps merge all four loops into one of 210 elements: 13 vectors
// and a remainder of 2.
// CHECK-LABEL: func.func @sigmoid_nchw
// CHECK-SAME: (%[[X:[a-zA-Z0-9_]+]]: tensor<2x3x5x7xf32>)
// CHECK-DAG: %[[C208:[a-zA-Z0-9_]+]] = arith.constant 208 : index
// CHECK: %[[FLAT:[a-zA-Z0-9_]+]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1, 2, 3]] : tensor<2x3x5x7xf32> into tensor<210xf32>
// CHECK: %[[LOOP:[a-zA-Z0-9_]+]] = scf.for %[[I:[a-zA-Z0-9_]+]] = %{{.+}} to %[[C208]] step %{{.+}} iter_args(%[[ACC:[a-zA-Z0-9_]+]] = %{{.+}}) -> (tensor<210xf32>)
// CHECK: %[[V:[a-zA-Z0-9_]+]] = vector.transfer_read %[[FLAT]][%[[I]]]{{.*}} : tensor<210xf32>, vector<16xf32>
// CHECK: math.exp %{{.+}} : vector<16xf32>
// CHECK: vector.transfer_write %{{.+}}, %[[ACC]][%[[I]]]{{.*}} : vector<16xf32>, tensor<210xf32>
// CHECK: vector.transfer_read %[[FLAT]][%[[C208]]]{{.*}} : tensor<210xf32>, vector<2xf32>
// CHECK: %[[LAST:[a-zA-Z0-9_]+]] = vector.transfer_write %{{.+}}, %[[LOOP]][%[[C208]]]{{.*}} : vector<2xf32>, tensor<210xf32>
// CHECK: %[[R:[a-zA-Z0-9_]+]] = tensor.expand_shape %[[LAST]] {{\[}}[0, 1, 2, 3]] output_shape [2, 3, 5, 7]
// CHECK: return %[[R]]
func.func @sigmoid_nchw(%x: tensor<2x3x5x7xf32>) -> tensor<2x3x5x7xf32> {
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<2x3x5x7xf32>
  %0 = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<2x3x5x7xf32>) outs(%e : tensor<2x3x5x7xf32>) {
  ^bb0(%a: f32, %o: f32):
    %n = arith.negf %a : f32
    %x1 = math.exp %n : f32
    %d = arith.addf %x1, %one : f32
    %r = arith.divf %one, %d : f32
    linalg.yield %r : f32
  } -> tensor<2x3x5x7xf32>
  return %0 : tensor<2x3x5x7xf32>
}

// Dynamic sizes: whole vectors up to the last multiple of 16, then one
// masked vector for the rest.
// CHECK-LABEL: func.func @abs_dynamic
// CHECK-SAME: (%[[X:[a-zA-Z0-9_]+]]: tensor<?x?xf32>)
// CHECK-DAG: %[[C1:[a-zA-Z0-9_]+]] = arith.constant 1 : index
// CHECK: %[[N:[a-zA-Z0-9_]+]] = tensor.dim %[[X]], %[[C1]] : tensor<?x?xf32>
// CHECK: %[[END:[a-zA-Z0-9_]+]] = affine.apply #[[WHOLE]]()[%[[N]]]
// CHECK: scf.for %[[I:[a-zA-Z0-9_]+]] =
// CHECK: scf.for %[[J:[a-zA-Z0-9_]+]] = %{{.+}} to %[[END]] step %{{.+}}
// CHECK: %[[V:[a-zA-Z0-9_]+]] = vector.transfer_read %[[X]][%[[I]], %[[J]]]{{.*}}in_bounds = [true]{{.*}} : tensor<?x?xf32>, vector<16xf32>
// CHECK: math.absf %[[V]] : vector<16xf32>
// CHECK: scf.for %[[K:[a-zA-Z0-9_]+]] = %[[END]] to %[[N]] step %{{.+}}
// CHECK: %[[COUNT:[a-zA-Z0-9_]+]] = affine.apply #[[REST]](%[[K]])[%[[N]]]
// CHECK: %[[MASK:[a-zA-Z0-9_]+]] = vector.create_mask %[[COUNT]] : vector<16xi1>
// CHECK: vector.transfer_read %{{.+}}, %[[MASK]] {{.*}} : tensor<1x?xf32>, vector<16xf32>
// CHECK: vector.transfer_write %{{.+}}, %[[MASK]] {{.*}} : vector<16xf32>, tensor<1x?xf32>
func.func @abs_dynamic(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = tensor.dim %x, %c0 : tensor<?x?xf32>
  %d1 = tensor.dim %x, %c1 : tensor<?x?xf32>
  %e = tensor.empty(%d0, %d1) : tensor<?x?xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<?x?xf32>) outs(%e : tensor<?x?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.absf %a : f32
    linalg.yield %r : f32
  } -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// A reduction over the row keeps a vector accumulator in the loop and
// reduces it to a scalar once; the static tail (4 elements) is a reduction
// of its own into that scalar.
// CHECK-LABEL: func.func @row_sum
// CHECK-SAME: (%[[X:[a-zA-Z0-9_]+]]: tensor<8x100xf32>, %[[INIT:[a-zA-Z0-9_]+]]: tensor<8xf32>)
// CHECK-DAG: %[[ZERO:[a-zA-Z0-9_]+]] = arith.constant dense<0.000000e+00> : vector<16xf32>
// CHECK-DAG: %[[C96:[a-zA-Z0-9_]+]] = arith.constant 96 : index
// CHECK: scf.for %[[I:[a-zA-Z0-9_]+]] = {{.*}} iter_args(%[[OUT:[a-zA-Z0-9_]+]] = %[[INIT]])
// CHECK: %[[VACC:[a-zA-Z0-9_]+]] = scf.for %[[J:[a-zA-Z0-9_]+]] = %{{.+}} to %[[C96]] step %{{.+}} iter_args(%[[A:[a-zA-Z0-9_]+]] = %[[ZERO]]) -> (vector<16xf32>)
// CHECK: %[[V:[a-zA-Z0-9_]+]] = vector.transfer_read %[[X]][%[[I]], %[[J]]]{{.*}} : tensor<8x100xf32>, vector<16xf32>
// CHECK: %[[SUM:[a-zA-Z0-9_]+]] = arith.addf %[[V]], %[[A]] : vector<16xf32>
// CHECK: scf.yield %[[SUM]] : vector<16xf32>
// CHECK: %[[OLD:[a-zA-Z0-9_]+]] = tensor.extract %[[OUT]][%[[I]]]
// CHECK: %[[S:[a-zA-Z0-9_]+]] = vector.reduction <add>, %[[VACC]], %[[OLD]] : vector<16xf32> into f32
// CHECK: %[[TAIL:[a-zA-Z0-9_]+]] = vector.transfer_read %[[X]][%[[I]], %[[C96]]]{{.*}} : tensor<8x100xf32>, vector<4xf32>
// CHECK: vector.reduction <add>, %[[TAIL]], %[[S]] : vector<4xf32> into f32
// AVX2-LABEL: func.func @row_sum
// AVX2: scf.for {{.*}} -> (vector<8xf32>)
// AVX2: vector.reduction <add>, %{{.+}}, %{{.+}} : vector<8xf32> into f32
// AVX2: vector.reduction <add>, %{{.+}}, %{{.+}} : vector<4xf32> into f32
func.func @row_sum(%x: tensor<8x100xf32>, %init: tensor<8xf32>) -> tensor<8xf32> {
  %0 = linalg.generic {indexing_maps = [#id, #col], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<8x100xf32>) outs(%init : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// A dynamic row: the accumulator takes the masked last vector lane by lane
// (the lanes past the end keep -inf), then one horizontal max.
// CHECK-LABEL: func.func @row_max_dynamic
// CHECK-DAG: %[[LOWEST:[a-zA-Z0-9_]+]] = arith.constant dense<0xFF800000> : vector<16xf32>
// CHECK: %[[BUF:[a-zA-Z0-9_]+]] = tensor.empty() : tensor<1x16xf32>
// CHECK: scf.for
// CHECK: %[[VACC:[a-zA-Z0-9_]+]] = scf.for {{.*}} iter_args(%[[A:[a-zA-Z0-9_]+]] = %[[LOWEST]]) -> (vector<16xf32>)
// CHECK: arith.maximumf %{{.+}}, %[[A]] : vector<16xf32>
// CHECK: %[[SPILL:[a-zA-Z0-9_]+]] = vector.transfer_write %[[VACC]], %[[BUF]]
// CHECK: %[[REST:[a-zA-Z0-9_]+]] = scf.for {{.*}} iter_args(%[[P:[a-zA-Z0-9_]+]] = %[[SPILL]]) -> (tensor<1x16xf32>)
// CHECK: %[[MASK:[a-zA-Z0-9_]+]] = vector.create_mask %{{.+}} : vector<16xi1>
// CHECK: vector.transfer_read %{{.+}}, %[[MASK]]
// CHECK: vector.transfer_read %{{.+}}, %[[MASK]]
// CHECK: arith.maximumf {{.*}} : vector<16xf32>
// CHECK: vector.transfer_write %{{.+}}, %[[MASK]]
// CHECK: %[[ALL:[a-zA-Z0-9_]+]] = vector.transfer_read %[[REST]]
// CHECK: vector.reduction <maximumf>, %[[ALL]], %{{.+}} : vector<16xf32> into f32
func.func @row_max_dynamic(%x: tensor<?x?xf32>, %init: tensor<?xf32>) -> tensor<?xf32> {
  %0 = linalg.generic {indexing_maps = [#id, #col], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<?x?xf32>) outs(%init : tensor<?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// An index-dependent body vectorizes with a step vector; its loops are not
// merged (that would cost a division per element).
// CHECK-LABEL: func.func @causal
// CHECK-DAG: %[[STEP:[a-zA-Z0-9_]+]] = arith.constant dense<[0, 1, 2, 3, 4, 5, 6]> : vector<7xindex>
// CHECK-NOT: tensor.collapse_shape
// CHECK: scf.for %[[I:[a-zA-Z0-9_]+]] =
// CHECK: %[[IV:[a-zA-Z0-9_]+]] = vector.broadcast %[[I]] : index to vector<7xindex>
// CHECK: %[[FUTURE:[a-zA-Z0-9_]+]] = arith.cmpi ult, %[[IV]], %[[STEP]] : vector<7xindex>
// CHECK: arith.select %[[FUTURE]], %{{.+}}, %{{.+}} : vector<7xi1>, vector<7xf32>
func.func @causal(%x: tensor<5x7xf32>) -> tensor<5x7xf32> {
  %lowest = arith.constant -3.0e38 : f32
  %e = tensor.empty() : tensor<5x7xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<5x7xf32>) outs(%e : tensor<5x7xf32>) {
  ^bb0(%a: f32, %o: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %future = arith.cmpi ugt, %j, %i : index
    %r = arith.select %future, %lowest, %a : f32
    linalg.yield %r : f32
  } -> tensor<5x7xf32>
  return %0 : tensor<5x7xf32>
}

// Must not fire: a contraction (it has its mmt4d strategy), f64, and a
// gather (tensor.extract) stay as they are.
// CHECK-LABEL: func.func @not_vectorized
// CHECK-NOT: vector.
// CHECK-NOT: scf.for
// CHECK: linalg.matmul {kiln.strategy = {{{.*}}kind = "mmt4d"
// CHECK: linalg.generic
// CHECK: arith.negf {{.*}} : f64
// CHECK: linalg.generic
// CHECK: tensor.extract
// CHECK: return
func.func @not_vectorized(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %c: tensor<4x16xf32>, %d: tensor<4x8xf64>, %ids: tensor<4x8xindex>) -> (tensor<4x16xf32>, tensor<4x8xf64>, tensor<4x8xf32>) {
  %0 = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%c : tensor<4x16xf32>) -> tensor<4x16xf32>
  %1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%d : tensor<4x8xf64>) outs(%d : tensor<4x8xf64>) {
  ^bb0(%x: f64, %o: f64):
    %r = arith.negf %x : f64
    linalg.yield %r : f64
  } -> tensor<4x8xf64>
  %2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%ids : tensor<4x8xindex>) outs(%a : tensor<4x8xf32>) {
  ^bb0(%i: index, %o: f32):
    %c0 = arith.constant 0 : index
    %r = tensor.extract %a[%c0, %i] : tensor<4x8xf32>
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  return %0, %1, %2 : tensor<4x16xf32>, tensor<4x8xf64>, tensor<4x8xf32>
}

// Work enough to wake a second thread (2^19 iterations x 1 op): the
// merged loop of 1048576 elements is split into 32 chunks of 32768 for
// the threads, each its own vector loop.
// CHECK-LABEL: func.func @large_shared
// CHECK: scf.forall (%[[CH:.+]]) = (0) to (1048576) step (32768)
// CHECK: scf.for {{.*}} step %{{.+}}
// CHECK: arith.maximumf {{.*}} : vector<16xf32>
// CHECK: scf.forall.in_parallel
func.func @large_shared(%x: tensor<64x128x128xf32>) -> tensor<64x128x128xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x128x128xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : tensor<64x128x128xf32>) outs(%e : tensor<64x128x128xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %zero : f32
    linalg.yield %r : f32
  } -> tensor<64x128x128xf32>
  return %0 : tensor<64x128x128xf32>
}

// Strided windows (a decomposed depthwise convolution) are not contiguous:
// their loops are not merged, which would copy them, and the threads share
// the channels. Must not fire: a collapse_shape of a window.
// CHECK-LABEL: func.func @strided_windows
// CHECK-NOT: tensor.collapse_shape
// CHECK: scf.forall (%{{.+}}) in (32)
// CHECK: vector.transfer_read {{.*}} : tensor<1x32x64x128xf32>, vector<16xf32>
// CHECK-NOT: tensor.collapse_shape
// CHECK: return
func.func @strided_windows(%x: tensor<1x32x128x256xf32>, %acc: tensor<1x32x64x128xf32>) -> tensor<1x32x64x128xf32> {
  %w0 = tensor.extract_slice %x[0, 0, 0, 0] [1, 32, 64, 128] [1, 1, 2, 2] : tensor<1x32x128x256xf32> to tensor<1x32x64x128xf32>
  %w1 = tensor.extract_slice %x[0, 0, 1, 1] [1, 32, 64, 128] [1, 1, 2, 2] : tensor<1x32x128x256xf32> to tensor<1x32x64x128xf32>
  %0 = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%w0, %w1 : tensor<1x32x64x128xf32>, tensor<1x32x64x128xf32>) outs(%acc : tensor<1x32x64x128xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.maximumf %a, %b : f32
    %r = arith.maximumf %m, %o : f32
    linalg.yield %r : f32
  } -> tensor<1x32x64x128xf32>
  return %0 : tensor<1x32x64x128xf32>
}

// Must not fire: the loops of an op that writes a packed contraction's
// accumulator are neither merged nor shared between threads (a merged or
// per-thread view of the accumulator would defeat its hoisting).
// CHECK-LABEL: func.func @accumulator_init
// CHECK-NOT: tensor.collapse_shape
// CHECK-NOT: scf.forall
// CHECK: scf.for
// CHECK: vector.transfer_write {{.*}} : vector<16xf32>, tensor<1x1x1x32xf32>
func.func @accumulator_init(%acc: tensor<64x64x8x32xf32>) -> tensor<64x64x8x32xf32> {
  %zero = arith.constant 0.0 : f32
  %0 = linalg.generic {indexing_maps = [#id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%acc : tensor<64x64x8x32xf32>) attrs = {kiln.accumulator, kiln.strategy = {kind = "vectorize", vector_size = 16 : i64}} {
  ^bb0(%o: f32):
    linalg.yield %zero : f32
  } -> tensor<64x64x8x32xf32>
  return %0 : tensor<64x64x8x32xf32>
}

// A vectorized relu written into a concat's last column (a write along a
// non-innermost dim; found by kiln-smith): the permutation-map lowering
// runs apart from the leading-unit-dim patterns, which used to undo each
// other until memory ran out.
// CHECK-LABEL: func.func @write_along_column
// CHECK: %[[V:.+]] = arith.maximumf %{{.+}}, %{{.+}} : vector<2xf32>
// CHECK: %[[B:.+]] = vector.broadcast %[[V]] : vector<2xf32> to vector<1x2xf32>
// CHECK: %[[T:.+]] = vector.transpose %[[B]], [1, 0] : vector<1x2xf32> to vector<2x1xf32>
// CHECK: vector.transfer_write %[[T]], %{{.+}}[%{{.+}}, %{{.+}}] {in_bounds = [true, true]} : vector<2x1xf32>, tensor<2x8xf32>
func.func @write_along_column(%a: tensor<2x1xf32>, %b: tensor<2x7xf32>) -> tensor<2x8xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %collapsed = tensor.collapse_shape %a [[0, 1]] : tensor<2x1xf32> into tensor<2xf32>
  %e = tensor.empty() : tensor<2xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%collapsed : tensor<2xf32>) outs(%e : tensor<2xf32>) attrs = {kiln.strategy = {kind = "vectorize", vector_size = 16 : i64}} {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %cst : f32
    linalg.yield %m : f32
  } -> tensor<2xf32>
  %full = tensor.empty() : tensor<2x8xf32>
  %0 = tensor.insert_slice %b into %full[0, 0] [2, 7] [1, 1] : tensor<2x7xf32> into tensor<2x8xf32>
  %1 = tensor.insert_slice %r into %0[0, 7] [2, 1] [1, 1] : tensor<2xf32> into tensor<2x8xf32>
  return %1 : tensor<2x8xf32>
}

// A reduction over an outer loop with the innermost one parallel (online
// softmax's lanes: a running max and a rescaled sum per lane, whose
// combination no partial reduction could split): a sequential loop over
// the chunks around one vector of lanes, which the loop carries in
// registers, read before it and written after it.
// CHECK-LABEL: func.func @lanes
// CHECK: scf.for %[[ROW:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[MT:.+]] = %{{.+}}, %[[ST:.+]] = %{{.+}})
// CHECK: %[[M0:.+]] = vector.transfer_read %[[MT]][%[[ROW]], %{{.+}}]{{.*}} : tensor<4x16xf32>, vector<16xf32>
// CHECK: %[[S0:.+]] = vector.transfer_read %[[ST]][%[[ROW]], %{{.+}}]{{.*}} : tensor<4x16xf32>, vector<16xf32>
// CHECK: %[[R:.+]]:2 = scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[M:.+]] = %[[M0]], %[[S:.+]] = %[[S0]]) -> (vector<16xf32>, vector<16xf32>)
// CHECK: %[[X:.+]] = vector.transfer_read {{.*}} : tensor<4x8x16xf32>, vector<16xf32>
// CHECK: arith.select {{.*}} : vector<16xi1>, vector<16xf32>
// CHECK: arith.maximumf %[[M]], %[[X]] : vector<16xf32>
// CHECK: scf.yield
// CHECK: vector.transfer_write %[[R]]#1, %[[ST]][%[[ROW]], %{{.+}}]
// CHECK: vector.transfer_write %[[R]]#0, %[[MT]][%[[ROW]], %{{.+}}]
#chunks = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#lane = affine_map<(d0, d1, d2) -> (d0, d2)>
func.func @lanes(%x: tensor<4x8x16xf32>, %m: tensor<4x16xf32>, %s: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %0:2 = linalg.generic {indexing_maps = [#chunks, #lane, #lane], iterator_types = ["parallel", "reduction", "parallel"]} ins(%x : tensor<4x8x16xf32>) outs(%m, %s : tensor<4x16xf32>, tensor<4x16xf32>) {
  ^bb0(%v: f32, %mo: f32, %so: f32):
    %d = arith.subf %v, %mo : f32
    %a = math.absf %d : f32
    %n = arith.negf %a : f32
    %e = math.exp %n : f32
    %g = arith.cmpf ogt, %d, %zero : f32
    %r = arith.mulf %so, %e : f32
    %r1 = arith.addf %r, %one : f32
    %ad = arith.addf %so, %e : f32
    %sn = arith.select %g, %r1, %ad : f32
    %mn = arith.maximumf %mo, %v : f32
    linalg.yield %mn, %sn : f32, f32
  } -> (tensor<4x16xf32>, tensor<4x16xf32>)
  return %0#0, %0#1 : tensor<4x16xf32>, tensor<4x16xf32>
}
