// RUN: kiln-opt %s --convert-kiln-to-linalg --split-input-file | FileCheck %s
// RUN: kiln-opt %s --convert-kiln-to-linalg="attention-key-block=0" --split-input-file | FileCheck %s --check-prefix=WHOLE
// RUN: not kiln-opt %s --convert-kiln-to-linalg="attention-key-block=-1" --split-input-file 2>&1 | FileCheck %s --check-prefix=NEG

// NEG: error: attention-key-block must be 0 (off) or positive, got -1

// Attention over at most one block of keys decomposes into q·kᵀ, scaling,
// masking, softmax and ·v, with the whole scores matrix.
// CHECK-LABEL: func.func @short_keys
// CHECK-NOT: scf.for
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.mulf
// CHECK: arith.select
// CHECK: linalg.index
// CHECK: arith.cmpi ugt
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: linalg.batch_matmul
func.func @short_keys(%q: tensor<3x5x8xf32>, %m: tensor<3x5x5xi1>) -> tensor<3x5x8xf32> {
  %0 = kiln.attention %q, %q, %q, %m {is_causal = true} : (tensor<3x5x8xf32>, tensor<3x5x8xf32>, tensor<3x5x8xf32>, tensor<3x5x5xi1>) -> tensor<3x5x8xf32>
  return %0 : tensor<3x5x8xf32>
}

// -----

// Two whole blocks of keys: the online softmax carries the running maximum
// (from the lowest finite value), sum and output through the loop; each
// block's scores are [2, 64, 128], never [2, 64, 256].
// CHECK-LABEL: func.func @flash
// CHECK-SAME: %[[Q:[a-zA-Z0-9]+]]: tensor<2x64x16xf32>, %[[K:[a-zA-Z0-9]+]]: tensor<2x256x16xf32>, %[[V:[a-zA-Z0-9]+]]: tensor<2x256x8xf32>
// CHECK: %[[LOWEST:.+]] = arith.constant -3.40282347E+38 : f32
// CHECK: %[[M0:.+]] = linalg.fill ins(%[[LOWEST]] : f32) outs(%{{.+}} : tensor<2x64x1xf32>)
// CHECK: %[[L0:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<2x64x1xf32>)
// CHECK: %[[A0:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<2x64x8xf32>)
// CHECK: %[[C256:.+]] = arith.constant 256 : index
// CHECK: %[[C128:.+]] = arith.constant 128 : index
// CHECK: %[[LOOP:.+]]:3 = scf.for %[[KB:.+]] = %{{.+}} to %[[C256]] step %[[C128]] iter_args(%[[M:.+]] = %[[M0]], %[[L:.+]] = %[[L0]], %[[ACC:.+]] = %[[A0]])
// CHECK-NOT: arith.minsi
// CHECK: tensor.extract_slice %[[K]][0, %[[KB]], 0] [2, 128, 16] [1, 1, 1]
// CHECK: tensor.extract_slice %[[V]][0, %[[KB]], 0] [2, 128, 8] [1, 1, 1]
// CHECK-NOT: tensor<2x64x256xf32>
// CHECK: -> tensor<2x64x128xf32>
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: math.exp
// CHECK: linalg.batch_matmul
// CHECK: scf.yield
// CHECK: } {kiln.graph_loop}
// CHECK: arith.divf
// CHECK: return
// WHOLE-LABEL: func.func @flash
// WHOLE-NOT: scf.for
// WHOLE: tensor<2x64x256xf32>
func.func @flash(%q: tensor<2x64x16xf32>, %k: tensor<2x256x16xf32>, %v: tensor<2x256x8xf32>) -> tensor<2x64x8xf32> {
  %0 = kiln.attention %q, %k, %v : (tensor<2x64x16xf32>, tensor<2x256x16xf32>, tensor<2x256x8xf32>) -> tensor<2x64x8xf32>
  return %0 : tensor<2x64x8xf32>
}

// -----

// A run-time number of keys: the key and value lengths and the mask's are
// checked to agree, the last block is what is left, and the mask is sliced
// along its key dim.
// CHECK-LABEL: func.func @flash_dynamic_keys
// CHECK-SAME: %[[Q:[a-zA-Z0-9]+]]: tensor<1x7x8xf32>, %[[K:[a-zA-Z0-9]+]]: tensor<1x?x8xf32>, %[[V:[a-zA-Z0-9]+]]: tensor<1x?x4xf32>, %[[MASK:[a-zA-Z0-9]+]]: tensor<1x?xi1>
// CHECK: cf.assert %{{.+}}, "kiln.attention: dim 1 of operand 1 must equal dim 1 of operand 2"
// CHECK: cf.assert %{{.+}}, "kiln.attention: dim 1 of operand 3 must equal dim 1 of operand 1"
// CHECK: linalg.fill
// CHECK: %[[N:.+]] = tensor.dim %[[K]], %{{.+}} : tensor<1x?x8xf32>
// CHECK: scf.for %[[KB:.+]] = %{{.+}} to %[[N]] step %[[STEP:.+]] iter_args
// CHECK: %[[LEFT:.+]] = arith.subi %[[N]], %[[KB]] : index
// CHECK: %[[SIZE:.+]] = arith.minsi %[[STEP]], %[[LEFT]] : index
// CHECK: tensor.extract_slice %[[K]][0, %[[KB]], 0] [1, %[[SIZE]], 8] [1, 1, 1] : tensor<1x?x8xf32> to tensor<1x?x8xf32>
// CHECK: tensor.extract_slice %[[V]][0, %[[KB]], 0] [1, %[[SIZE]], 4] [1, 1, 1]
// CHECK: tensor.extract_slice %[[MASK]][0, %[[KB]]] [1, %[[SIZE]]] [1, 1] : tensor<1x?xi1> to tensor<1x?xi1>
// CHECK: arith.select
// WHOLE-LABEL: func.func @flash_dynamic_keys
// WHOLE-NOT: scf.for
func.func @flash_dynamic_keys(%q: tensor<1x7x8xf32>, %k: tensor<1x?x8xf32>, %v: tensor<1x?x4xf32>, %m: tensor<1x?xi1>) -> tensor<1x7x4xf32> {
  %0 = kiln.attention %q, %k, %v, %m : (tensor<1x7x8xf32>, tensor<1x?x8xf32>, tensor<1x?x4xf32>, tensor<1x?xi1>) -> tensor<1x7x4xf32>
  return %0 : tensor<1x7x4xf32>
}

// -----

// Causal masking inside a block compares the key's position in the whole
// sequence (block offset + j) with the query's.
// CHECK-LABEL: func.func @flash_causal
// CHECK: scf.for %[[KB:[a-zA-Z0-9_]+]] =
// CHECK: %[[I:.+]] = linalg.index 1 : index
// CHECK: %[[J:.+]] = linalg.index 2 : index
// CHECK: %[[POS:.+]] = arith.addi %[[J]], %[[KB]] : index
// CHECK: arith.cmpi ugt, %[[POS]], %[[I]] : index
func.func @flash_causal(%q: tensor<2x300x16xf32>) -> tensor<2x300x16xf32> {
  %0 = kiln.attention %q, %q, %q {is_causal = true} : (tensor<2x300x16xf32>, tensor<2x300x16xf32>, tensor<2x300x16xf32>) -> tensor<2x300x16xf32>
  return %0 : tensor<2x300x16xf32>
}
