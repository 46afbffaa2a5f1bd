// RUN: kiln-opt %s --convert-kiln-to-linalg --split-input-file | FileCheck %s

// Dynamic dims that nothing proves equal broadcast at run time (numpy): the
// result's size is read from the operands, checked, and each operand passes
// through unchanged when it already has it, else is broadcast.

// CHECK-LABEL: func.func @both_dynamic
// CHECK-SAME: %[[A:[a-zA-Z0-9]+]]: tensor<?x4xf32>, %[[B:[a-zA-Z0-9]+]]: tensor<?x4xf32>
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK: %[[DA:.+]] = tensor.dim %[[A]], %{{.+}} : tensor<?x4xf32>
// CHECK: %[[A1:.+]] = arith.cmpi eq, %[[DA]], %[[C1]] : index
// CHECK: %[[DB:.+]] = tensor.dim %[[B]], %{{.+}} : tensor<?x4xf32>
// CHECK: %[[B1:.+]] = arith.cmpi eq, %[[DB]], %[[C1]] : index
// CHECK: %[[S0:.+]] = arith.select %[[A1]], %{{.+}}, %[[DA]] : index
// CHECK: %[[SIZE:.+]] = arith.select %[[B1]], %[[S0]], %[[DB]] : index
// CHECK: cf.assert %{{.+}}, "kiln.add: the operands' sizes in dim 0 do not broadcast (each must be 1 or the same size)"
// CHECK: %[[SAMEA:.+]] = arith.cmpi eq, %[[DA]], %[[SIZE]] : index
// CHECK: %[[XA:.+]] = scf.if %[[SAMEA]] -> (tensor<?x4xf32>) {
// CHECK-NEXT: scf.yield %[[A]] : tensor<?x4xf32>
// CHECK-NEXT: } else {
// CHECK-NEXT: %[[GA:.+]] = tensor.generate %[[SIZE]] {
// CHECK-NEXT: ^bb0(%[[I:.+]]: index, %[[J:.+]]: index):
// CHECK-NEXT: %[[IA:.+]] = arith.select %[[A1]], %[[C0]], %[[I]] : index
// CHECK-NEXT: %[[EA:.+]] = tensor.extract %[[A]][%[[IA]], %[[J]]] : tensor<?x4xf32>
// CHECK-NEXT: tensor.yield %[[EA]] : f32
// CHECK: scf.yield %[[GA]] : tensor<?x4xf32>
// CHECK: %[[XB:.+]] = scf.if %{{.+}} -> (tensor<?x4xf32>) {
// CHECK-NEXT: scf.yield %[[B]] : tensor<?x4xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[XA]], %[[XB]] : tensor<?x4xf32>, tensor<?x4xf32>)
// CHECK: arith.addf
func.func @both_dynamic(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = kiln.add %a, %b : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Against a static size the dynamic dim must be that size or 1; the
// pass-through refines its type.

// CHECK-LABEL: func.func @against_static
// CHECK-SAME: %[[A:[a-zA-Z0-9]+]]: tensor<?xf32>, %[[B:[a-zA-Z0-9]+]]: tensor<7xf32>
// CHECK: %[[DA:.+]] = tensor.dim %[[A]]
// CHECK: %[[C7:.+]] = arith.constant 7 : index
// CHECK: %[[SAME:.+]] = arith.cmpi eq, %[[DA]], %[[C7]] : index
// CHECK: cf.assert %{{.+}}, "kiln.mul: the operands' sizes in dim 0 do not broadcast
// CHECK: %[[XA:.+]] = scf.if %{{.+}} -> (tensor<7xf32>) {
// CHECK-NEXT: %[[CAST:.+]] = tensor.cast %[[A]] : tensor<?xf32> to tensor<7xf32>
// CHECK-NEXT: scf.yield %[[CAST]] : tensor<7xf32>
// CHECK-NEXT: } else {
// CHECK-NEXT: tensor.generate {
// CHECK: } : tensor<7xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[XA]], %[[B]] : tensor<7xf32>, tensor<7xf32>)
func.func @against_static(%a: tensor<?xf32>, %b: tensor<7xf32>) -> tensor<7xf32> {
  %0 = kiln.mul %a, %b : (tensor<?xf32>, tensor<7xf32>) -> tensor<7xf32>
  return %0 : tensor<7xf32>
}

// -----

// Three operands of different ranks: each dim is resolved on its own, and
// only the operand dims that may be 1 are rewritten.

// CHECK-LABEL: func.func @select_ranks
// CHECK-SAME: %[[C:[a-zA-Z0-9]+]]: tensor<?xi1>, %[[A:[a-zA-Z0-9]+]]: tensor<?x?xf32>, %[[B:[a-zA-Z0-9]+]]: tensor<?x1xf32>
// CHECK: cf.assert %{{.+}}, "kiln.select: the operands' sizes in dim 0, 1 do not broadcast
// CHECK: %[[XC:.+]] = scf.if %{{.+}} -> (tensor<?xi1>)
// CHECK: %[[XA:.+]] = scf.if %{{.+}} -> (tensor<?x?xf32>)
// CHECK: tensor.generate %{{.+}}, %{{.+}} {
// CHECK: %[[XB:.+]] = scf.if %{{.+}} -> (tensor<?x1xf32>)
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[XC]], %[[XA]], %[[XB]] : tensor<?xi1>, tensor<?x?xf32>, tensor<?x1xf32>)
func.func @select_ranks(%c: tensor<?xi1>, %a: tensor<?x?xf32>, %b: tensor<?x1xf32>) -> tensor<?x?xf32> {
  %0 = kiln.select %c, %a, %b : (tensor<?xi1>, tensor<?x?xf32>, tensor<?x1xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// broadcast_to against a fixed size: the input's dynamic dim may be 1. Once
// the input has the result's shape, the broadcast folds away.

// CHECK-LABEL: func.func @broadcast_to
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: tensor<?x3xf32>
// CHECK: cf.assert %{{.+}}, "kiln.broadcast_to: the operands' sizes in dim 0 do not broadcast
// CHECK: %[[XX:.+]] = scf.if %{{.+}} -> (tensor<5x3xf32>)
// CHECK: tensor.cast %[[X]] : tensor<?x3xf32> to tensor<5x3xf32>
// CHECK: tensor.generate
// CHECK: return %[[XX]] : tensor<5x3xf32>
func.func @broadcast_to(%x: tensor<?x3xf32>) -> tensor<5x3xf32> {
  %0 = kiln.broadcast_to %x [5, 1] : (tensor<?x3xf32>) -> tensor<5x3xf32>
  return %0 : tensor<5x3xf32>
}

// -----

// Must not fire: dims derived from the same input dim are equal, and a
// static 1 broadcasts through the indexing map.

// CHECK-LABEL: func.func @proven_equal
// CHECK-NOT: scf.if
// CHECK-NOT: cf.assert
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: return
func.func @proven_equal(%a: tensor<?x4xf32>, %bias: tensor<1x4xf32>) -> tensor<?x4xf32> {
  %0 = kiln.relu %a : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %1 = kiln.add %0, %a : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %2 = kiln.add %1, %bias : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
  return %2 : tensor<?x4xf32>
}

// -----

// Once checked, a requirement is known: the add after the matmul needs
// nothing more.

// CHECK-LABEL: func.func @matmul_k
// CHECK-SAME: %[[A:[a-zA-Z0-9]+]]: tensor<4x?xf32>, %[[B:[a-zA-Z0-9]+]]: tensor<?x3xf32>
// CHECK: %[[K1:.+]] = tensor.dim %[[A]]
// CHECK: %[[K2:.+]] = tensor.dim %[[B]]
// CHECK: %[[OK:.+]] = arith.cmpi eq, %[[K1]], %[[K2]] : index
// CHECK: cf.assert %[[OK]], "kiln.matmul: dim 1 of operand 0 must equal dim 0 of operand 1"
// CHECK: linalg.matmul
// CHECK-NOT: cf.assert
// CHECK-NOT: scf.if
// CHECK: return
func.func @matmul_k(%a: tensor<4x?xf32>, %b: tensor<?x3xf32>) -> tensor<4x?xf32> {
  %0 = kiln.matmul %a, %b : (tensor<4x?xf32>, tensor<?x3xf32>) -> tensor<4x3xf32>
  %1 = kiln.transpose %b [1, 0] : (tensor<?x3xf32>) -> tensor<3x?xf32>
  %2 = kiln.matmul %0, %1 : (tensor<4x3xf32>, tensor<3x?xf32>) -> tensor<4x?xf32>
  %3 = kiln.add %2, %a : (tensor<4x?xf32>, tensor<4x?xf32>) -> tensor<4x?xf32>
  return %3 : tensor<4x?xf32>
}

// -----

// A matmul whose K is one input dim on both sides needs no check.

// CHECK-LABEL: func.func @matmul_proven_k
// CHECK-NOT: cf.assert
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
func.func @matmul_proven_k(%a: tensor<2x?x?xf32>) -> tensor<2x?x?xf32> {
  %0 = kiln.matmul %a, %a {transpose_rhs = true} : (tensor<2x?x?xf32>, tensor<2x?x?xf32>) -> tensor<2x?x?xf32>
  return %0 : tensor<2x?x?xf32>
}

// -----

// Concatenation: the other dims of the second input must equal the first's.

// CHECK-LABEL: func.func @concat
// CHECK-SAME: %[[A:[a-zA-Z0-9]+]]: tensor<?x2xf32>, %[[B:[a-zA-Z0-9]+]]: tensor<?x3xf32>
// CHECK: %[[DB:.+]] = tensor.dim %[[B]]
// CHECK: %[[DA:.+]] = tensor.dim %[[A]]
// CHECK: %[[OK:.+]] = arith.cmpi eq, %[[DB]], %[[DA]] : index
// CHECK: cf.assert %[[OK]], "kiln.concat: dim 0 of operand 1 must equal dim 0 of operand 0"
// CHECK: tensor.insert_slice
func.func @concat(%a: tensor<?x2xf32>, %b: tensor<?x3xf32>) -> tensor<?x5xf32> {
  %0 = kiln.concat %a, %b {axis = 1 : i64} : (tensor<?x2xf32>, tensor<?x3xf32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// -----

// Matmul batch dims broadcast like elementwise dims (numpy.matmul); the
// matrix dims are left alone.

// CHECK-LABEL: func.func @matmul_batch
// CHECK-SAME: %[[A:[a-zA-Z0-9]+]]: tensor<?x4x5xf32>, %[[B:[a-zA-Z0-9]+]]: tensor<?x5x6xf32>
// CHECK: cf.assert %{{.+}}, "kiln.matmul: the operands' sizes in dim 0 do not broadcast
// CHECK: %[[XA:.+]] = scf.if %{{.+}} -> (tensor<?x4x5xf32>)
// CHECK: tensor.generate %{{.+}} {
// CHECK-NEXT: ^bb0(%[[I:.+]]: index, %[[J:.+]]: index, %[[K:.+]]: index):
// CHECK-NEXT: %[[IA:.+]] = arith.select %{{.+}}, %{{.+}}, %[[I]] : index
// CHECK-NEXT: tensor.extract %[[A]][%[[IA]], %[[J]], %[[K]]]
// CHECK: %[[XB:.+]] = scf.if %{{.+}} -> (tensor<?x5x6xf32>)
// CHECK: linalg.batch_matmul ins(%[[XA]], %[[XB]] : tensor<?x4x5xf32>, tensor<?x5x6xf32>)
func.func @matmul_batch(%a: tensor<?x4x5xf32>, %b: tensor<?x5x6xf32>) -> tensor<?x4x6xf32> {
  %0 = kiln.matmul %a, %b : (tensor<?x4x5xf32>, tensor<?x5x6xf32>) -> tensor<?x4x6xf32>
  return %0 : tensor<?x4x6xf32>
}
