// RUN: kiln-opt %s --convert-kiln-to-linalg --split-input-file --verify-diagnostics

// Every op that cannot be lowered is reported in one error, grouped by op,
// with a note at each op's location; nothing is rewritten.

// expected-error @below {{cannot lower 3 kiln op(s) to linalg: kiln.add (2), kiln.pool2d (1)}}
module {
  func.func @bad(%m: tensor<4xi1>, %x: tensor<1x1x?x5xf32>) -> (tensor<4xi1>, tensor<1x1x?x3xf32>) {
    // expected-note @+1 {{kiln.add: arithmetic on i1 tensors is not supported}}
    %0 = kiln.add %m, %m : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
    // expected-note @+1 {{kiln.add: arithmetic on i1 tensors is not supported}}
    %1 = kiln.add %0, %m : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
    // expected-note @+1 {{kiln.pool2d: ceil_mode needs static spatial dims}}
    %2 = kiln.pool2d max %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, ceil_mode = true} : (tensor<1x1x?x5xf32>) -> tensor<1x1x?x3xf32>
    return %1, %2 : tensor<4xi1>, tensor<1x1x?x3xf32>
  }
}

// -----

// Max/min reductions and pooling of unsigned integers start from signed
// extremes; they are reported (the importer widens them first).
// expected-error @below {{cannot lower 2 kiln op(s) to linalg: kiln.pool2d (1), kiln.reduce_max (1)}}
module {
  func.func @unsigned_extremes(%x: tensor<1x1x4x4xui8>) -> (tensor<1x1x2x2xui8>, tensor<1x1x1x4xui8>) {
    // expected-note @+1 {{kiln.pool2d: max/min reductions and pooling of unsigned integers are not supported; cast to a wider signed type first}}
    %0 = kiln.pool2d max %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4xui8>) -> tensor<1x1x2x2xui8>
    // expected-note @+1 {{kiln.reduce_max: max/min reductions and pooling of unsigned integers are not supported}}
    %1 = kiln.reduce_max %x {axes = array<i64: 2>} : (tensor<1x1x4x4xui8>) -> tensor<1x1x1x4xui8>
    return %0, %1 : tensor<1x1x2x2xui8>, tensor<1x1x1x4xui8>
  }
}
