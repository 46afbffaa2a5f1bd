// RUN: kiln-opt %s --convert-kiln-to-linalg --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @constant
// CHECK: arith.constant dense_resource<w> : tensor<2xf32>
func.func @constant() -> tensor<2xf32> {
  %0 = kiln.constant dense_resource<w> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// A dynamic reshape asserts that the element counts agree.
// CHECK-LABEL: func.func @reshape
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: tensor<?x3x4xf32>
// CHECK: %[[OK:.+]] = arith.cmpi eq
// CHECK: cf.assert %[[OK]], "reshape: the input's element count does not fit the result shape"
// CHECK: %[[F:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1, 2]] : tensor<?x3x4xf32> into tensor<?xf32>
// CHECK: tensor.expand_shape %[[F]] {{\[\[}}0, 1]] output_shape [%{{.*}}, 12] : tensor<?xf32> into tensor<?x12xf32>
func.func @reshape(%x: tensor<?x3x4xf32>) -> tensor<?x12xf32> {
  %0 = kiln.reshape %x [0, -1] : (tensor<?x3x4xf32>) -> tensor<?x12xf32>
  return %0 : tensor<?x12xf32>
}

// -----

// A dynamic input reshaped to a static shape: the element counts must be
// equal, and the flat tensor gets the static size before the expansion.
// CHECK-LABEL: func.func @reshape_dynamic_to_static
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: tensor<?x4xf32>
// CHECK: %[[EQ:.+]] = arith.cmpi eq, %{{.+}}, %{{.+}} : index
// CHECK-NEXT: cf.assert %[[EQ]], "reshape: the input's element count does not fit the result shape"
// CHECK: %[[F:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1]] : tensor<?x4xf32> into tensor<?xf32>
// CHECK: %[[C:.+]] = tensor.cast %[[F]] : tensor<?xf32> to tensor<12xf32>
// CHECK: tensor.expand_shape %[[C]] {{\[\[}}0, 1]] output_shape [2, 6] : tensor<12xf32> into tensor<2x6xf32>
func.func @reshape_dynamic_to_static(%x: tensor<?x4xf32>) -> tensor<2x6xf32> {
  %0 = kiln.reshape %x [2, 6] : (tensor<?x4xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

// Static shapes need no check; rank 1 to a scalar is a collapse.
// CHECK-LABEL: func.func @reshape_rank1_to_scalar
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: tensor<1xf32>
// CHECK-NOT: cf.assert
// CHECK: tensor.collapse_shape %[[X]] [] : tensor<1xf32> into tensor<f32>
func.func @reshape_rank1_to_scalar(%x: tensor<1xf32>) -> tensor<f32> {
  %0 = kiln.reshape %x [] : (tensor<1xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<4x2x3xf32>) permutation = [2, 0, 1]
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = kiln.transpose %x [2, 0, 1] : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @concat
// CHECK: tensor.empty
// CHECK: %[[S0:.+]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 0] [2, 3] [1, 1]
// CHECK: tensor.insert_slice %{{.*}} into %[[S0]][0, 3] [2, 5] [1, 1]
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<2x8xf32> {
  %0 = kiln.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func.func @slice
// CHECK: tensor.extract_slice %{{.*}}[1, 3] [3, 3] [2, 3] : tensor<7x11xf32> to tensor<3x3xf32>
func.func @slice(%x: tensor<7x11xf32>) -> tensor<3x3xf32> {
  %0 = kiln.slice %x {starts = array<i64: 1, -8>, ends = array<i64: 9223372036854775807, -1>, steps = array<i64: 2, 3>} : (tensor<7x11xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// CHECK-LABEL: func.func @pad
// CHECK: %[[V:.+]] = arith.constant -1.500000e+00 : f32
// CHECK: tensor.pad %{{.*}} low[1, 0] high[2, 3]
// CHECK: tensor.yield %[[V]]
func.func @pad(%x: tensor<7x11xf32>) -> tensor<10x14xf32> {
  %0 = kiln.pad %x {low = array<i64: 1, 0>, high = array<i64: 2, 3>, value = -1.5 : f64} : (tensor<7x11xf32>) -> tensor<10x14xf32>
  return %0 : tensor<10x14xf32>
}

// -----

// Gather first asserts that every index is in [-10, 10) (a reduction to
// one flag), then reads indices in a generic, wraps negative ones and
// clamps into range before tensor.extract.
// CHECK-LABEL: func.func @gather
// CHECK-SAME: %[[T:[a-z0-9]+]]: tensor<10x6xf32>, %[[I:[a-z0-9]+]]: tensor<?x3xi64>
// CHECK-DAG: %[[C10:.+]] = arith.constant 10 : index
// CHECK: %[[INIT:.+]] = linalg.fill ins(%{{.+}} : i1) outs(%{{.+}} : tensor<i1>)
// CHECK: %[[ALL:.+]] = linalg.generic {{.+}}iterator_types = ["reduction", "reduction"]{{.+}} ins(%[[I]] : tensor<?x3xi64>) outs(%[[INIT]] : tensor<i1>)
// CHECK: ^bb0(%[[IDX:.+]]: i64, %[[ACC:.+]]: i1):
// CHECK: %[[CAST:.+]] = arith.index_cast %[[IDX]] : i64 to index
// CHECK: %[[LOW:.+]] = arith.subi %{{.+}}, %[[C10]]
// CHECK: arith.cmpi sge, %[[CAST]], %[[LOW]]
// CHECK: arith.cmpi slt, %[[CAST]], %[[C10]]
// CHECK: %[[OK:.+]] = tensor.extract %[[ALL]][] : tensor<i1>
// CHECK: cf.assert %[[OK]], "an index is out of range for dim 0 of the gathered tensor (valid: -n to n-1)"
// CHECK: linalg.generic
// CHECK: arith.index_cast
// CHECK: arith.select
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract %[[T]]
func.func @gather(%t: tensor<10x6xf32>, %i: tensor<?x3xi64>) -> tensor<?x3x6xf32> {
  %0 = kiln.gather %t, %i : (tensor<10x6xf32>, tensor<?x3xi64>) -> tensor<?x3x6xf32>
  return %0 : tensor<?x3x6xf32>
}

// Constant indices that are all in range need no run-time check.
// CHECK-LABEL: func.func @gather_constant_in_range
// CHECK-NOT: cf.assert
// CHECK: return
func.func @gather_constant_in_range(%t: tensor<10x6xf32>) -> tensor<3x6xf32> {
  %i = kiln.constant dense<[0, -10, 9]> : tensor<3xi64>
  %0 = kiln.gather %t, %i : (tensor<10x6xf32>, tensor<3xi64>) -> tensor<3x6xf32>
  return %0 : tensor<3x6xf32>
}

// Constant indices out of range keep the check (it fails at run time).
// CHECK-LABEL: func.func @gather_constant_out_of_range
// CHECK: cf.assert
func.func @gather_constant_out_of_range(%t: tensor<10x6xf32>) -> tensor<2x6xf32> {
  %i = kiln.constant dense<[0, 10]> : tensor<2xi64>
  %0 = kiln.gather %t, %i : (tensor<10x6xf32>, tensor<2xi64>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

// A -1 dim next to a dynamic one: the division cannot trap on a zero
// divisor, and the remainder must be zero.
// CHECK-LABEL: func.func @reshape_inferred_dynamic
// CHECK: %[[ZERO:.+]] = arith.cmpi eq, %[[KNOWN:.+]], %{{.+}} : index
// CHECK: %[[DIV:.+]] = arith.select %[[ZERO]], %{{.+}}, %[[KNOWN]] : index
// CHECK: arith.divui %{{.+}}, %[[DIV]] : index
// CHECK: arith.remui %{{.+}}, %[[DIV]] : index
// CHECK: cf.assert
func.func @reshape_inferred_dynamic(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = kiln.reshape %x [-1, 0] : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
