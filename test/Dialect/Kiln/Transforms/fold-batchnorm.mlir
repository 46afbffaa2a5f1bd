// RUN: kiln-opt %s --split-input-file --kiln-fold-batchnorm | FileCheck %s

// Expected values by hand: a = scale / sqrt(var + eps) = [0.5, 2],
// W' = W * a = [1, 6], b' = (b - mean) * a + beta = [0.5, -2].

// CHECK-LABEL: func.func @nchw
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: tensor<1x1x4x4xf32>
func.func @nchw(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = kiln.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %b = kiln.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %scale = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %beta = kiln.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %0 = kiln.conv2d %x, %w, %b : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = kiln.batch_norm %0, %scale, %beta, %mean, %var {epsilon = 1.0 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  // CHECK-DAG: %[[W:.+]] = kiln.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}6.000000e+00]]]]> : tensor<2x1x1x1xf32>
  // CHECK-DAG: %[[B:.+]] = kiln.constant dense<[5.000000e-01, -2.000000e+00]> : tensor<2xf32>
  // CHECK: %[[Y:.+]] = kiln.conv2d %[[X]], %[[W]], %[[B]]
  // CHECK-NOT: kiln.batch_norm
  // CHECK: return %[[Y]]
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// NHWC: channels are the last dim of the result and of the [KH, KW, C, F]
// filter; no conv bias; the filter is a dense_resource blob (2.0, 3.0).
// CHECK-LABEL: func.func @nhwc_resource_filter
func.func @nhwc_resource_filter(%x: tensor<1x4x4x1xf32>) -> tensor<1x4x4x2xf32> {
  %w = kiln.constant dense_resource<filter> : tensor<1x1x1x2xf32>
  %scale = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %beta = kiln.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %0 = kiln.conv2d %x, %w {layout = #kiln.layout<nhwc>} : (tensor<1x4x4x1xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
  %1 = kiln.batch_norm %0, %scale, %beta, %mean, %var {epsilon = 1.0 : f64, axis = -1 : i64} : (tensor<1x4x4x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x4x4x2xf32>
  // CHECK-DAG: %[[W:.+]] = kiln.constant dense<{{\[\[\[\[}}1.000000e+00, 6.000000e+00]]]]> : tensor<1x1x1x2xf32>
  // (b - mean) * a + beta with b = 0: [(0-1)*0.5+0.5, 0] = [0, 0].
  // CHECK-DAG: %[[B:.+]] = kiln.constant dense<0.000000e+00> : tensor<2xf32>
  // CHECK: kiln.conv2d %{{.*}}, %[[W]], %[[B]] {layout = #kiln.layout<nhwc>}
  // CHECK-NOT: kiln.batch_norm
  return %1 : tensor<1x4x4x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      filter: "0x040000000000004000004040"
    }
  }
#-}

// -----

// Large folded filters are written as dense_resource blobs.
// CHECK-LABEL: func.func @large_filter
func.func @large_filter(%x: tensor<1x64x8x8xf32>) -> tensor<1x64x8x8xf32> {
  %w = kiln.constant dense<0.5> : tensor<64x64x1x1xf32>
  %p = kiln.constant dense<1.0> : tensor<64xf32>
  %0 = kiln.conv2d %x, %w : (tensor<1x64x8x8xf32>, tensor<64x64x1x1xf32>) -> tensor<1x64x8x8xf32>
  %1 = kiln.batch_norm %0, %p, %p, %p, %p : (tensor<1x64x8x8xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x8x8xf32>
  // CHECK: kiln.constant dense_resource<folded_filter{{.*}}> : tensor<64x64x1x1xf32>
  // CHECK-NOT: kiln.batch_norm
  return %1 : tensor<1x64x8x8xf32>
}

// -----

// Negative cases: the pattern must not fire.

// CHECK-LABEL: func.func @conv_has_other_users
func.func @conv_has_other_users(%x: tensor<1x1x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = kiln.constant dense<1.0> : tensor<2x1x1x1xf32>
  %p = kiln.constant dense<1.0> : tensor<2xf32>
  %0 = kiln.conv2d %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  // CHECK: kiln.batch_norm
  %1 = kiln.batch_norm %0, %p, %p, %p, %p : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %0, %1 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// CHECK-LABEL: func.func @filter_not_constant
func.func @filter_not_constant(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %p = kiln.constant dense<1.0> : tensor<2xf32>
  %0 = kiln.conv2d %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  // CHECK: kiln.batch_norm
  %1 = kiln.batch_norm %0, %p, %p, %p, %p : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// CHECK-LABEL: func.func @params_not_constant
func.func @params_not_constant(%x: tensor<1x1x4x4xf32>, %mean: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %w = kiln.constant dense<1.0> : tensor<2x1x1x1xf32>
  %p = kiln.constant dense<1.0> : tensor<2xf32>
  %0 = kiln.conv2d %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  // CHECK: kiln.batch_norm
  %1 = kiln.batch_norm %0, %p, %p, %mean, %p : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// A batch norm over another axis than the conv's channels.
// CHECK-LABEL: func.func @wrong_axis
func.func @wrong_axis(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = kiln.constant dense<1.0> : tensor<2x1x1x1xf32>
  %p = kiln.constant dense<1.0> : tensor<2xf32>
  %0 = kiln.conv2d %x, %w : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  // CHECK: kiln.batch_norm
  %1 = kiln.batch_norm %0, %p, %p, %p, %p {axis = 2 : i64} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}
