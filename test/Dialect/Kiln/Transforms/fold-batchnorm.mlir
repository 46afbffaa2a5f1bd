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

// -----

// A per-channel scale then shift after a conv (by hand: W = [2, 3],
// b = [1, -1]; * [10, 100] gives W' = [20, 300], b' = [10, -100]; + 0.5
// (a scalar) gives b' = [10.5, -99.5]).
// CHECK-LABEL: func.func @scale_shift_nchw
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: tensor<1x1x4x4xf32>
// CHECK-DAG: %[[W:.+]] = kiln.constant dense<{{\[\[\[\[}}2.000000e+01]]], {{\[\[\[}}3.000000e+02]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.+]] = kiln.constant dense<[1.050000e+01, -9.950000e+01]> : tensor<2xf32>
// CHECK: %[[Y:.+]] = kiln.conv2d %[[X]], %[[W]], %[[B]]
// CHECK-NOT: kiln.mul
// CHECK-NOT: kiln.add
// CHECK: return %[[Y]]
func.func @scale_shift_nchw(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = kiln.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %b = kiln.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %s = kiln.constant dense<[[[10.0]], [[100.0]]]> : tensor<2x1x1xf32>
  %h = kiln.constant dense<0.5> : tensor<f32>
  %0 = kiln.conv2d %x, %w, %b : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = kiln.mul %s, %0 : (tensor<2x1x1xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %2 = kiln.add %1, %h : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  return %2 : tensor<1x2x4x4xf32>
}

// -----

// NHWC, no bias: divide by [2, 4] and subtract [1, 1] (channels last):
// W' = [1, 0.75], b' = [-1, -1].
// CHECK-LABEL: func.func @div_sub_nhwc
// CHECK-DAG: %[[W:.+]] = kiln.constant dense<{{\[\[\[\[}}1.000000e+00, 7.500000e-01]]]]> : tensor<1x1x1x2xf32>
// CHECK-DAG: %[[B:.+]] = kiln.constant dense<-1.000000e+00> : tensor<2xf32>
// CHECK: %[[Y:.+]] = kiln.conv2d %{{.+}}, %[[W]], %[[B]] {layout = #kiln.layout<nhwc>}
// CHECK: return %[[Y]]
func.func @div_sub_nhwc(%x: tensor<1x4x4x1xf32>) -> tensor<1x4x4x2xf32> {
  %w = kiln.constant dense<[[[[2.0, 3.0]]]]> : tensor<1x1x1x2xf32>
  %d = kiln.constant dense<[2.0, 4.0]> : tensor<2xf32>
  %one = kiln.constant dense<1.0> : tensor<1x1x1x2xf32>
  %0 = kiln.conv2d %x, %w {layout = #kiln.layout<nhwc>} : (tensor<1x4x4x1xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
  %1 = kiln.div %0, %d : (tensor<1x4x4x2xf32>, tensor<2xf32>) -> tensor<1x4x4x2xf32>
  %2 = kiln.sub %1, %one : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
  return %2 : tensor<1x4x4x2xf32>
}

// -----

// Not folded, each conv having no other user: a constant that varies
// along a spatial dim, a constant minuend (c - conv), a division by zero,
// a broadcast that grows the result; and a conv with another user.
// CHECK-LABEL: func.func @spatial_constant
// CHECK: kiln.conv2d
// CHECK: kiln.mul
func.func @spatial_constant(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = kiln.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %rows = kiln.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %0 = kiln.conv2d %x, %w : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %1 = kiln.mul %0, %rows : (tensor<1x2x2x2xf32>, tensor<2x1xf32>) -> tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}
// CHECK-LABEL: func.func @constant_minuend
// CHECK: kiln.conv2d
// CHECK: kiln.sub
func.func @constant_minuend(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = kiln.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %c = kiln.constant dense<[[[1.0]], [[2.0]]]> : tensor<2x1x1xf32>
  %0 = kiln.conv2d %x, %w : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %1 = kiln.sub %c, %0 : (tensor<2x1x1xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}
// CHECK-LABEL: func.func @divide_by_zero
// CHECK: kiln.conv2d
// CHECK: kiln.div
func.func @divide_by_zero(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = kiln.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %z = kiln.constant dense<[[[0.0]], [[2.0]]]> : tensor<2x1x1xf32>
  %0 = kiln.conv2d %x, %w : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %1 = kiln.div %0, %z : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}
// CHECK-LABEL: func.func @growing_broadcast
// CHECK: kiln.conv2d
// CHECK: kiln.add
func.func @growing_broadcast(%x: tensor<1x1x2x2xf32>) -> tensor<3x2x2x2xf32> {
  %w = kiln.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %grow = kiln.constant dense<1.0> : tensor<3x1x1x1xf32>
  %0 = kiln.conv2d %x, %w : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %1 = kiln.add %0, %grow : (tensor<1x2x2x2xf32>, tensor<3x1x1x1xf32>) -> tensor<3x2x2x2xf32>
  return %1 : tensor<3x2x2x2xf32>
}
// CHECK-LABEL: func.func @conv_other_user
// CHECK: kiln.conv2d
// CHECK: kiln.mul
func.func @conv_other_user(%x: tensor<1x1x2x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %w = kiln.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %c = kiln.constant dense<[[[1.0]], [[2.0]]]> : tensor<2x1x1xf32>
  %0 = kiln.conv2d %x, %w : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %1 = kiln.mul %0, %c : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %0, %1 : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}

// -----

// A batch norm before an unpadded conv goes into the conv's weights: with
// a = scale / sqrt(var + eps) = [0.5, 2] and s = beta - mean * a =
// [-0.5, 1] per input channel, W = [[1, 1], [2, -1]] (2 outputs, 2 inputs,
// 1x1) becomes W * a = [[0.5, 2], [1, -2]], and b = W . s = [0.5, -2].
// CHECK-LABEL: func.func @batchnorm_before_conv
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: tensor<1x2x3x3xf32>
// CHECK-DAG: %[[W:.+]] = kiln.constant dense<{{\[\[\[\[}}5.000000e-01]], {{\[\[}}2.000000e+00]]], {{\[\[\[}}1.000000e+00]], {{\[\[}}-2.000000e+00]]]]> : tensor<2x2x1x1xf32>
// CHECK-DAG: %[[B:.+]] = kiln.constant dense<[5.000000e-01, -2.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.+]] = kiln.conv2d %[[X]], %[[W]], %[[B]]
// CHECK-NOT: kiln.batch_norm
// CHECK: return %[[Y]]
func.func @batchnorm_before_conv(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = kiln.constant dense<[[[[1.0]], [[1.0]]], [[[2.0]], [[-1.0]]]]> : tensor<2x2x1x1xf32>
  %scale = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %beta = kiln.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %0 = kiln.batch_norm %x, %scale, %beta, %mean, %var {epsilon = 1.0 : f64} : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %1 = kiln.conv2d %0, %w : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  return %1 : tensor<1x2x3x3xf32>
}

// -----

// Not before a padded conv: the padding would be zeros of the normalized
// input, which the folded conv cannot express.
// CHECK-LABEL: func.func @batchnorm_before_padded_conv
// CHECK: kiln.batch_norm
// CHECK: kiln.conv2d
func.func @batchnorm_before_padded_conv(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = kiln.constant dense<1.0> : tensor<2x2x3x3xf32>
  %p = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = kiln.batch_norm %x, %p, %p, %p, %p : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %1 = kiln.conv2d %0, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %1 : tensor<1x2x3x3xf32>
}
