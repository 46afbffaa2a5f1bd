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
