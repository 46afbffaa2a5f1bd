// RUN: kiln-opt %s --kiln-graph-pipeline | FileCheck %s
// RUN: kiln-opt %s --kiln-graph-pipeline="fold-batchnorm=false" | FileCheck %s --check-prefix=NOFOLD

// A conv / batch-norm / relu block with frozen weights, a duplicated
// constant, a no-op transpose and a refinable result type.

// CHECK-LABEL: func.func @block
// CHECK-SAME: (%[[X:[a-zA-Z0-9]+]]: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32>
func.func @block(%x: tensor<1x1x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = kiln.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %scale = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %beta = kiln.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %sa = kiln.constant dense<[[[1.0]], [[2.0]]]> : tensor<2x1x1xf32>
  %sb = kiln.constant dense<[[[1.0]], [[2.0]]]> : tensor<2x1x1xf32>
  %t = kiln.transpose %x [0, 1, 2, 3] : (tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  %0 = kiln.conv2d %t, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<?x2x4x4xf32>
  %1 = kiln.batch_norm %0, %scale, %beta, %mean, %var {epsilon = 1.0 : f64} : (tensor<?x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  %2 = kiln.relu %1 : (tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  %3 = kiln.mul %2, %sa : (tensor<?x2x4x4xf32>, tensor<2x1x1xf32>) -> tensor<?x2x4x4xf32>
  %4 = kiln.add %3, %sb : (tensor<?x2x4x4xf32>, tensor<2x1x1xf32>) -> tensor<?x2x4x4xf32>
  // CHECK-DAG: %[[W:.+]] = kiln.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}6.000000e+00]]]]>
  // CHECK-DAG: %[[B:.+]] = kiln.constant dense<0.000000e+00> : tensor<2xf32>
  // CHECK-DAG: %[[S:.+]] = kiln.constant dense<{{\[\[\[}}1.000000e+00]], {{\[\[}}2.000000e+00]]]> : tensor<2x1x1xf32>
  // CHECK-NOT: kiln.constant
  // CHECK: %[[C:.+]] = kiln.conv2d %[[X]], %[[W]], %[[B]] : {{.*}} -> tensor<1x2x4x4xf32>
  // CHECK: %[[R:.+]] = kiln.relu %[[C]] : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  // CHECK: %[[M:.+]] = kiln.mul %[[R]], %[[S]]
  // CHECK: %[[A:.+]] = kiln.add %[[M]], %[[S]]
  // CHECK: return %[[A]] : tensor<1x2x4x4xf32>
  // NOFOLD: kiln.batch_norm
  return %4 : tensor<?x2x4x4xf32>
}
