// RUN: kiln-opt %s --convert-kiln-to-linalg --split-input-file | FileCheck %s

// Unsigned tensors compute on signless storage with the unsigned arith ops;
// the signature converts too.
// CHECK-LABEL: func.func @unsigned_arith
// CHECK-SAME: (%[[A:[a-zA-Z0-9]+]]: tensor<4xi8>, %[[B:[a-zA-Z0-9]+]]: tensor<4xi8>) -> (tensor<4xi8>, tensor<4xi8>, tensor<4xi8>, tensor<4xi8>, tensor<4xi1>, tensor<4xf32>, tensor<4xi32>)
// CHECK: linalg.generic
// CHECK: arith.divui
// CHECK-NOT: arith.divsi
// CHECK: linalg.generic
// CHECK: arith.maxui
// CHECK: linalg.generic
// CHECK: arith.remui
// CHECK: linalg.generic
// CHECK: arith.maxui
// CHECK: arith.minui
// CHECK: linalg.generic
// CHECK: arith.cmpi ult
// CHECK: linalg.generic
// CHECK: arith.uitofp
// CHECK: linalg.generic
// CHECK: arith.extui
func.func @unsigned_arith(%a: tensor<4xui8>, %b: tensor<4xui8>) -> (tensor<4xui8>, tensor<4xui8>, tensor<4xui8>, tensor<4xui8>, tensor<4xi1>, tensor<4xf32>, tensor<4xi32>) {
  %div = kiln.div %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %max = kiln.max %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %mod = kiln.mod %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %clamp = kiln.clamp %a {min = 10.0 : f64, max = 300.0 : f64} : (tensor<4xui8>) -> tensor<4xui8>
  %lt = kiln.compare lt, %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xi1>
  %f = kiln.cast %a : (tensor<4xui8>) -> tensor<4xf32>
  %w = kiln.cast %a : (tensor<4xui8>) -> tensor<4xi32>
  return %div, %max, %mod, %clamp, %lt, %f, %w : tensor<4xui8>, tensor<4xui8>, tensor<4xui8>, tensor<4xui8>, tensor<4xi1>, tensor<4xf32>, tensor<4xi32>
}

// -----

// Signed division guards the trapping divisors (0, and -1 for INT_MIN).
// CHECK-LABEL: func.func @signed_division
// CHECK: linalg.generic
// CHECK: arith.cmpi eq
// CHECK: arith.cmpi eq
// CHECK: arith.divsi
// CHECK: arith.select
func.func @signed_division(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = kiln.div %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Shifts: logical right for unsigned, arithmetic for signed; shifting by
// the width or more is defined (0, or the sign), not poison.
// CHECK-LABEL: func.func @shifts
// CHECK: linalg.generic
// CHECK: %[[W:.+]] = arith.constant 8 : i8
// CHECK: %[[FAR:.+]] = arith.cmpi uge, %{{.+}}, %[[W]] : i8
// CHECK: %[[SHL:.+]] = arith.shli
// CHECK: arith.select %[[FAR]], %{{.+}}, %[[SHL]]
// CHECK: linalg.generic
// CHECK: arith.shrui
// CHECK: linalg.generic
// CHECK: arith.select
// CHECK: arith.shrsi
func.func @shifts(%a: tensor<4xui8>, %b: tensor<4xui8>, %c: tensor<4xi32>, %d: tensor<4xi32>) -> (tensor<4xui8>, tensor<4xui8>, tensor<4xi32>) {
  %0 = kiln.shift_left %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %1 = kiln.shift_right %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %2 = kiln.shift_right %c, %d : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0, %1, %2 : tensor<4xui8>, tensor<4xui8>, tensor<4xi32>
}
