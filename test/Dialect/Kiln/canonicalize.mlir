// RUN: kiln-opt %s --canonicalize --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @add_zero
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: tensor<2x3xf32>
func.func @add_zero(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %z = kiln.constant dense<0.0> : tensor<3xf32>
  %0 = kiln.add %x, %z : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = kiln.add %z, %x : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NOT: kiln.add
  // CHECK: return %[[X]], %[[X]]
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// Adding zero that broadcasts the other operand is not an identity.
// CHECK-LABEL: func.func @add_zero_broadcasts
func.func @add_zero_broadcasts(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  %z = kiln.constant dense<0.0> : tensor<2x3xf32>
  // CHECK: kiln.add
  %0 = kiln.add %x, %z : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @identities
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: tensor<4xf32>
func.func @identities(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %z = kiln.constant dense<0.0> : tensor<f32>
  %o = kiln.constant dense<1.0> : tensor<4xf32>
  %0 = kiln.sub %x, %z : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = kiln.mul %x, %o : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %2 = kiln.mul %o, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %3 = kiln.div %x, %o : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %4 = kiln.pow %x, %o : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %5 = kiln.max %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK-NOT: kiln.
  // CHECK: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
  return %0, %1, %2, %3, %4, %5 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @fold_float_constants
func.func @fold_float_constants() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %a = kiln.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %b = kiln.constant dense<4.0> : tensor<2xf32>
  // CHECK-DAG: kiln.constant dense<[5.000000e+00, 2.000000e+00]>
  %0 = kiln.add %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  // CHECK-DAG: kiln.constant dense<[-3.000000e+00, -6.000000e+00]>
  %1 = kiln.sub %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  // CHECK-DAG: kiln.constant dense<[4.000000e+00, -8.000000e+00]>
  %2 = kiln.mul %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  // CHECK-DAG: kiln.constant dense<[2.500000e-01, -5.000000e-01]>
  %3 = kiln.div %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  // CHECK-DAG: kiln.constant dense<4.000000e+00>
  %4 = kiln.max %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  // CHECK-DAG: kiln.constant dense<[1.000000e+00, 1.600000e+01]>
  %5 = kiln.pow %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  // CHECK-NOT: kiln.add
  return %0, %1, %2, %3, %4, %5 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @fold_int_constants
func.func @fold_int_constants() -> (tensor<2xi32>, tensor<2xi32>, tensor<2xi32>) {
  %a = kiln.constant dense<[7, -7]> : tensor<2xi32>
  %b = kiln.constant dense<2> : tensor<2xi32>
  %z = kiln.constant dense<[2, 0]> : tensor<2xi32>
  // CHECK-DAG: kiln.constant dense<[3, -3]>
  %0 = kiln.div %a, %b : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  // CHECK-DAG: kiln.constant dense<[2, -7]>
  %1 = kiln.min %a, %b : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  // Division by zero stays for run time.
  // CHECK: kiln.div
  %2 = kiln.div %a, %z : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  return %0, %1, %2 : tensor<2xi32>, tensor<2xi32>, tensor<2xi32>
}

// -----

// CHECK-LABEL: func.func @fold_unary_constants
func.func @fold_unary_constants() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xi8>, tensor<2xf32>) {
  %a = kiln.constant dense<[0.0, 4.0]> : tensor<2xf32>
  %n = kiln.constant dense<[-3, 5]> : tensor<2xi8>
  // CHECK-DAG: kiln.constant dense<[1.000000e+00, 54.5981483]>
  %0 = kiln.exp %a : (tensor<2xf32>) -> tensor<2xf32>
  // CHECK-DAG: kiln.constant dense<[0.000000e+00, 2.000000e+00]>
  %1 = kiln.sqrt %a : (tensor<2xf32>) -> tensor<2xf32>
  // CHECK-DAG: kiln.constant dense<[5.000000e-01, 0.982013761]>
  %2 = kiln.sigmoid %a : (tensor<2xf32>) -> tensor<2xf32>
  // CHECK-DAG: kiln.constant dense<[0.000000e+00, 0.999329328]>
  %3 = kiln.tanh %a : (tensor<2xf32>) -> tensor<2xf32>
  // CHECK-DAG: kiln.constant dense<[-0.000000e+00, -4.000000e+00]>
  %4 = kiln.neg %a : (tensor<2xf32>) -> tensor<2xf32>
  // CHECK-DAG: kiln.constant dense<[0, 5]> : tensor<2xi8>
  %5 = kiln.relu %n : (tensor<2xi8>) -> tensor<2xi8>
  // CHECK-DAG: kiln.constant dense<[0.000000e+00, 1.000000e+00]>
  %6 = kiln.clamp %a {min = 0.0 : f64, max = 1.0 : f64} : (tensor<2xf32>) -> tensor<2xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xi8>, tensor<2xf32>
}

// -----

// Rounding ties to even, trigonometry and both remainders fold; integer
// remainders by 0 and -1 fold to 0 as they run.
// CHECK-LABEL: func.func @fold_rounding_trigonometry_remainders
func.func @fold_rounding_trigonometry_remainders() -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<5xi32>, tensor<5xi32>) {
  %h = kiln.constant dense<[-2.5, -0.4, 1.5, 2.2]> : tensor<4xf32>
  %t = kiln.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %a = kiln.constant dense<[-7.0, 7.0, -7.5, 6.0]> : tensor<4xf32>
  %d = kiln.constant dense<[3.0, -3.0, 2.0, 3.0]> : tensor<4xf32>
  %n = kiln.constant dense<[-7, 7, 5, -2147483648, 9]> : tensor<5xi32>
  %m = kiln.constant dense<[3, -3, 0, -1, 4]> : tensor<5xi32>
  // CHECK-DAG: kiln.constant dense<[-3.000000e+00, -1.000000e+00, 1.000000e+00, 2.000000e+00]>
  %0 = kiln.floor %h : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK-DAG: kiln.constant dense<[-2.000000e+00, -0.000000e+00, 2.000000e+00, 3.000000e+00]>
  %1 = kiln.ceil %h : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK-DAG: kiln.constant dense<[-2.000000e+00, -0.000000e+00, 2.000000e+00, 2.000000e+00]>
  %2 = kiln.round %h : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK-DAG: kiln.constant dense<[0.000000e+00, 0.841470957]>
  %3 = kiln.sin %t : (tensor<2xf32>) -> tensor<2xf32>
  // CHECK-DAG: kiln.constant dense<[0.000000e+00, 0.881373584]>
  %4 = kiln.asinh %t : (tensor<2xf32>) -> tensor<2xf32>
  // CHECK-DAG: kiln.constant dense<[2.000000e+00, -2.000000e+00, 5.000000e-01, 0.000000e+00]>
  %5 = kiln.mod %a, %d : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK-DAG: kiln.constant dense<[-1.000000e+00, 1.000000e+00, -1.500000e+00, 0.000000e+00]>
  %6 = kiln.fmod %a, %d : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK-DAG: kiln.constant dense<[2, -2, 0, 0, 1]> : tensor<5xi32>
  %7 = kiln.mod %n, %m : (tensor<5xi32>, tensor<5xi32>) -> tensor<5xi32>
  // CHECK-DAG: kiln.constant dense<[-1, 1, 0, 0, 1]> : tensor<5xi32>
  %8 = kiln.fmod %n, %m : (tensor<5xi32>, tensor<5xi32>) -> tensor<5xi32>
  // CHECK-NOT: kiln.floor
  // CHECK-NOT: kiln.mod
  // CHECK-NOT: kiln.fmod
  return %0, %1, %2, %3, %4, %5, %6, %7, %8 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<5xi32>, tensor<5xi32>
}

// -----

// A remainder of an operand that is not constant stays.
// CHECK-LABEL: func.func @mod_not_constant
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: tensor<4xf32>
// CHECK: kiln.mod %[[X]], %{{.+}}
// CHECK: kiln.round %[[X]]
func.func @mod_not_constant(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %d = kiln.constant dense<3.0> : tensor<4xf32>
  %0 = kiln.mod %x, %d : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = kiln.round %x : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @involutions
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: tensor<4xf32>
func.func @involutions(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = kiln.neg %x : (tensor<4xf32>) -> tensor<4xf32>
  %1 = kiln.neg %0 : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: %[[ABS:.+]] = kiln.abs %[[X]]
  %2 = kiln.abs %x : (tensor<4xf32>) -> tensor<4xf32>
  %3 = kiln.abs %2 : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: %[[RELU:.+]] = kiln.relu %[[X]]
  %4 = kiln.relu %x : (tensor<4xf32>) -> tensor<4xf32>
  %5 = kiln.relu %4 : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK-NOT: kiln.neg
  // CHECK: return %[[X]], %[[ABS]], %[[RELU]]
  return %1, %3, %5 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @clamp_unbounded
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: tensor<4xf32>
func.func @clamp_unbounded(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.clamp %x {min = 0xFFF0000000000000 : f64, max = 0x7FF0000000000000 : f64} : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: return %[[X]]
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @transposes
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: tensor<2x3x4xf32>
func.func @transposes(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<3x2x4xf32>) {
  %0 = kiln.transpose %x [0, 1, 2] : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %1 = kiln.transpose %x [2, 0, 1] : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  %2 = kiln.transpose %1 [1, 2, 0] : (tensor<4x2x3xf32>) -> tensor<2x3x4xf32>
  %3 = kiln.transpose %1 [2, 1, 0] : (tensor<4x2x3xf32>) -> tensor<3x2x4xf32>
  // CHECK: %[[T:.+]] = kiln.transpose %[[X]] [1, 0, 2] : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
  // CHECK: return %[[X]], %[[X]], %[[T]]
  return %0, %2, %3 : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<3x2x4xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_constant
func.func @transpose_constant() -> tensor<3x2xi32> {
  %c = kiln.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  // CHECK: kiln.constant dense<{{\[\[}}1, 4], [2, 5], [3, 6]]> : tensor<3x2xi32>
  // CHECK-NOT: kiln.transpose
  %0 = kiln.transpose %c [1, 0] : (tensor<2x3xi32>) -> tensor<3x2xi32>
  return %0 : tensor<3x2xi32>
}

// -----

// CHECK-LABEL: func.func @reshapes
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: tensor<2x3x4xf32>, %[[D:[a-zA-Z0-9]+]]: tensor<?x4xf32>
func.func @reshapes(%x: tensor<2x3x4xf32>, %d: tensor<?x4xf32>) -> (tensor<2x3x4xf32>, tensor<4x6xf32>, tensor<6x2x2xf32>, tensor<?x4xf32>) {
  // CHECK-DAG: %[[R2:.+]] = kiln.reshape %[[X]] [4, 6] : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
  // CHECK-DAG: %[[R3:.+]] = kiln.reshape %[[X]] [6, 2, 2] : (tensor<2x3x4xf32>) -> tensor<6x2x2xf32>
  %0 = kiln.reshape %x [0, 0, 0] : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %1 = kiln.reshape %x [6, 4] : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %2 = kiln.reshape %1 [4, -1] : (tensor<6x4xf32>) -> tensor<4x6xf32>
  // A static result spells out its 0 / -1 entries, then composes.
  %3 = kiln.reshape %1 [0, 2, -1] : (tensor<6x4xf32>) -> tensor<6x2x2xf32>
  // A dynamic outer reshape that copies a dim (0) from the intermediate
  // tensor cannot skip it.
  // CHECK: %[[I:.+]] = kiln.reshape %[[D]] [-1, 2, 2] : (tensor<?x4xf32>) -> tensor<?x2x2xf32>
  %4 = kiln.reshape %d [-1, 2, 2] : (tensor<?x4xf32>) -> tensor<?x2x2xf32>
  // CHECK: %[[O:.+]] = kiln.reshape %[[I]] [0, 4] : (tensor<?x2x2xf32>) -> tensor<?x4xf32>
  %5 = kiln.reshape %4 [0, 4] : (tensor<?x2x2xf32>) -> tensor<?x4xf32>
  // CHECK: return %[[X]], %[[R2]], %[[R3]], %[[O]]
  return %0, %2, %3, %5 : tensor<2x3x4xf32>, tensor<4x6xf32>, tensor<6x2x2xf32>, tensor<?x4xf32>
}

// -----

// A chain whose outer reshape copies dims (0) composes when each copied
// dim is the one the inner reshape copied from x too, or a static size of
// the intermediate tensor (what kiln-convert-layout leaves after a global
// pooling: [N,1,1,C] -> [N,C,1,1] -> [N, C]).
// CHECK-LABEL: func.func @reshape_chains_copying_dims
// CHECK-SAME: %[[D:[a-zA-Z0-9]+]]: tensor<?x1x1x8xf32>, %[[S:[a-zA-Z0-9]+]]: tensor<6x4xf32>
// CHECK: %[[A:.+]] = kiln.reshape %[[D]] [0, -1] : (tensor<?x1x1x8xf32>) -> tensor<?x8xf32>
// CHECK: %[[B:.+]] = kiln.reshape %[[S]] [3, 8] : (tensor<6x4xf32>) -> tensor<3x8xf32>
// CHECK: return %[[A]], %[[B]]
func.func @reshape_chains_copying_dims(%d: tensor<?x1x1x8xf32>, %s: tensor<6x4xf32>) -> (tensor<?x8xf32>, tensor<3x8xf32>) {
  %0 = kiln.reshape %d [0, 8, 1, 1] : (tensor<?x1x1x8xf32>) -> tensor<?x8x1x1xf32>
  %1 = kiln.reshape %0 [0, -1] : (tensor<?x8x1x1xf32>) -> tensor<?x8xf32>
  %2 = kiln.reshape %s [3, 8] : (tensor<6x4xf32>) -> tensor<3x8xf32>
  %3 = kiln.reshape %2 [0, 8] : (tensor<3x8xf32>) -> tensor<3x8xf32>
  return %1, %3 : tensor<?x8xf32>, tensor<3x8xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_constant
func.func @reshape_constant() -> tensor<2x2xf32> {
  %c = kiln.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  // CHECK: kiln.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  %0 = kiln.reshape %c [2, 2] : (tensor<4xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// CHECK-LABEL: func.func @no_op_structural
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: tensor<2x3xf32>
func.func @no_op_structural(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = kiln.concat %x {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = kiln.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 2, 100>, steps = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = kiln.pad %x {low = array<i64: 0, 0>, high = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = kiln.broadcast_to %x [1, 3] : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %4 = kiln.cast %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NOT: kiln.
  // CHECK: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
  return %0, %1, %2, %3, %4 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @broadcast_splat
func.func @broadcast_splat() -> tensor<2x3xf32> {
  %c = kiln.constant dense<1.5> : tensor<3xf32>
  // CHECK: kiln.constant dense<1.500000e+00> : tensor<2x3xf32>
  %0 = kiln.broadcast_to %c [2, 3] : (tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @select_folds
// CHECK-SAME: %[[A:[a-zA-Z0-9]+]]: tensor<4xf32>, %[[B:[a-zA-Z0-9]+]]: tensor<4xf32>
func.func @select_folds(%a: tensor<4xf32>, %b: tensor<4xf32>, %c: tensor<4xi1>) -> (tensor<4xf32>, tensor<4xf32>) {
  %t = kiln.constant dense<true> : tensor<4xi1>
  %0 = kiln.select %t, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = kiln.select %c, %b, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: return %[[A]], %[[B]]
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Canonicalization folds only small constants; large frozen weights are
// left to dedicated passes.
// CHECK-LABEL: func.func @large_constants_stay
func.func @large_constants_stay() -> tensor<64x128xf32> {
  %a = kiln.constant dense<1.0> : tensor<64x128xf32>
  %b = kiln.constant dense_resource<big> : tensor<64x128xf32>
  // CHECK: kiln.add
  %0 = kiln.add %a, %b : (tensor<64x128xf32>, tensor<64x128xf32>) -> tensor<64x128xf32>
  return %0 : tensor<64x128xf32>
}

// -----

// Shifts fold on signless constants; a shift past the width is 0 (left)
// or the sign (arithmetic right).
// CHECK-LABEL: func.func @fold_shifts
// CHECK-DAG: %[[L:.+]] = kiln.constant dense<[4, 0]> : tensor<2xi8>
// CHECK-DAG: %[[R:.+]] = kiln.constant dense<[-2, -1]> : tensor<2xi8>
// CHECK: return %[[L]], %[[R]]
func.func @fold_shifts() -> (tensor<2xi8>, tensor<2xi8>) {
  %a = kiln.constant dense<[1, 1]> : tensor<2xi8>
  %b = kiln.constant dense<[2, 9]> : tensor<2xi8>
  %n = kiln.constant dense<[-8, -8]> : tensor<2xi8>
  %c = kiln.constant dense<[2, 8]> : tensor<2xi8>
  %0 = kiln.shift_left %a, %b : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  %1 = kiln.shift_right %n, %c : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  return %0, %1 : tensor<2xi8>, tensor<2xi8>
}
