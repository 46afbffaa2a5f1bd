// RUN: kiln-opt %s --kiln-fold-constants --split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-fold-constants="max-elements=4" --split-input-file | FileCheck %s --check-prefix=GUARD
// RUN: not kiln-opt %s --kiln-fold-constants="max-elements=-1" --split-input-file 2>&1 | FileCheck %s --check-prefix=NEG

// NEG: kiln-fold-constants: max-elements must not be negative, got -1

// Data movement on frozen weights stored as dense_resource blobs (which the
// ops' folders do not read) becomes one constant each.
// CHECK-LABEL: func.func @moves
// CHECK-DAG: kiln.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-DAG: kiln.constant dense<{{\[}}[2.000000e+00, 3.000000e+00], [5.000000e+00, 6.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: kiln.constant dense<{{\[}}[7.000000e+00, 7.000000e+00, 7.000000e+00, 7.000000e+00], [7.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00], [7.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<3x4xf32>
// CHECK-DAG: kiln.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00], [1.000000e+00, 2.000000e+00, 3.000000e+00]]> : tensor<2x3xf32>
// CHECK-DAG: kiln.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00]> : tensor<6xf32>
// CHECK-NOT: kiln.transpose
// CHECK-NOT: kiln.slice
// CHECK-NOT: kiln.pad
// CHECK-NOT: kiln.broadcast_to
// CHECK-NOT: kiln.reshape
// With a guard of 4 elements, only the 2x2 slice folds.
// GUARD-LABEL: func.func @moves
// GUARD-NOT: kiln.slice
// GUARD: kiln.transpose
// GUARD-NOT: kiln.slice
// GUARD: kiln.pad
func.func @moves() -> (tensor<3x2xf32>, tensor<2x2xf32>, tensor<3x4xf32>, tensor<2x3xf32>, tensor<6xf32>) {
  %w = kiln.constant dense_resource<w> : tensor<2x3xf32>
  %r = kiln.constant dense_resource<r> : tensor<1x3xf32>
  %t = kiln.transpose %w [1, 0] : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %s = kiln.slice %w {starts = array<i64: 0, -2>, ends = array<i64: 2, 3>, steps = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  %p = kiln.pad %w {low = array<i64: 1, 1>, high = array<i64: 0, 0>, value = 7.0 : f64} : (tensor<2x3xf32>) -> tensor<3x4xf32>
  %b = kiln.broadcast_to %r [2, 3] : (tensor<1x3xf32>) -> tensor<2x3xf32>
  %f = kiln.reshape %w [6] : (tensor<2x3xf32>) -> tensor<6xf32>
  return %t, %s, %p, %b, %f : tensor<3x2xf32>, tensor<2x2xf32>, tensor<3x4xf32>, tensor<2x3xf32>, tensor<6xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F0000004000004040000080400000A0400000C040",
      r: "0x040000000000803F0000004000004040"
    }
  }
#-}

// -----

// Integer weights converted to float (a dequantized model's first step),
// and a strided slice of an integer blob.
// CHECK-LABEL: func.func @casts
// CHECK-DAG: kiln.constant dense<{{\[}}[-1.000000e+00, 2.000000e+00, 1.270000e+02], [-1.280000e+02, 0.000000e+00, 5.000000e+00]]> : tensor<2x3xf32>
// CHECK-DAG: kiln.constant dense<{{\[}}[-1, 127]]> : tensor<1x2xi8>
// CHECK-NOT: kiln.cast
// CHECK-NOT: kiln.slice
func.func @casts() -> (tensor<2x3xf32>, tensor<1x2xi8>) {
  %q = kiln.constant dense_resource<q> : tensor<2x3xi8>
  %f = kiln.cast %q : (tensor<2x3xi8>) -> tensor<2x3xf32>
  %s = kiln.slice %q {starts = array<i64: 0, 0>, ends = array<i64: 1, 3>, steps = array<i64: 1, 2>} : (tensor<2x3xi8>) -> tensor<1x2xi8>
  return %f, %s : tensor<2x3xf32>, tensor<1x2xi8>
}

{-#
  dialect_resources: {
    builtin: {
      q: "0x04000000FF027F800005"
    }
  }
#-}

// -----

// Must not fire: a blob that is not loaded, a cast to an integer, and a
// non-constant operand.
// CHECK-LABEL: func.func @stays
// CHECK: kiln.transpose
// CHECK: kiln.cast
// CHECK: kiln.pad
func.func @stays(%x: tensor<2x3xf32>) -> (tensor<3x2xf32>, tensor<2x3xi32>, tensor<4x5xf32>) {
  %w = kiln.constant dense_resource<missing> : tensor<2x3xf32>
  %t = kiln.transpose %w [1, 0] : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %c = kiln.constant dense<1.5> : tensor<2x3xf32>
  %i = kiln.cast %c : (tensor<2x3xf32>) -> tensor<2x3xi32>
  %p = kiln.pad %x {low = array<i64: 1, 1>, high = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<4x5xf32>
  return %t, %i, %p : tensor<3x2xf32>, tensor<2x3xi32>, tensor<4x5xf32>
}
