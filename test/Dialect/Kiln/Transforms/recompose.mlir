// RUN: kiln-opt %s --split-input-file --kiln-recompose | FileCheck %s

// LayerNorm as torch.onnx spells it below opset 17, with gamma and beta.
// CHECK-LABEL: func.func @layer_norm_pow
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: tensor<2x8x16xf32>
func.func @layer_norm_pow(%x: tensor<2x8x16xf32>) -> tensor<2x8x16xf32> {
  %two = kiln.constant dense<2.0> : tensor<f32>
  %eps = kiln.constant dense<1.0e-05> : tensor<f32>
  %g = kiln.constant dense<1.5> : tensor<16xf32>
  %b = kiln.constant dense<0.25> : tensor<16xf32>
  %m = kiln.reduce_mean %x {axes = array<i64: -1>} : (tensor<2x8x16xf32>) -> tensor<2x8x1xf32>
  %d = kiln.sub %x, %m : (tensor<2x8x16xf32>, tensor<2x8x1xf32>) -> tensor<2x8x16xf32>
  %p = kiln.pow %d, %two : (tensor<2x8x16xf32>, tensor<f32>) -> tensor<2x8x16xf32>
  %v = kiln.reduce_mean %p {axes = array<i64: -1>} : (tensor<2x8x16xf32>) -> tensor<2x8x1xf32>
  %e = kiln.add %v, %eps : (tensor<2x8x1xf32>, tensor<f32>) -> tensor<2x8x1xf32>
  %s = kiln.sqrt %e : (tensor<2x8x1xf32>) -> tensor<2x8x1xf32>
  %n = kiln.div %d, %s : (tensor<2x8x16xf32>, tensor<2x8x1xf32>) -> tensor<2x8x16xf32>
  %y = kiln.mul %n, %g : (tensor<2x8x16xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
  %z = kiln.add %b, %y : (tensor<16xf32>, tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  // CHECK-DAG: %[[G:.+]] = kiln.constant dense<1.500000e+00> : tensor<16xf32>
  // CHECK-DAG: %[[B:.+]] = kiln.constant dense<2.500000e-01> : tensor<16xf32>
  // CHECK: %[[LN:.+]] = kiln.layer_norm %[[X]] scale %[[G]] bias %[[B]] {axis = 2 : i64, epsilon = 9.99999974{{[0-9]*}}E-6 : f64}
  // CHECK-NOT: kiln.reduce_mean
  // CHECK: return %[[LN]]
  return %z : tensor<2x8x16xf32>
}

// -----

// The square as d * d, over the two trailing dims, without affine.
// CHECK-LABEL: func.func @layer_norm_mul_two_axes
func.func @layer_norm_mul_two_axes(%x: tensor<4x3x5xf32>) -> tensor<4x3x5xf32> {
  %eps = kiln.constant dense<1.0e-03> : tensor<1xf32>
  %m = kiln.reduce_mean %x {axes = array<i64: 1, 2>} : (tensor<4x3x5xf32>) -> tensor<4x1x1xf32>
  %d = kiln.sub %x, %m : (tensor<4x3x5xf32>, tensor<4x1x1xf32>) -> tensor<4x3x5xf32>
  %p = kiln.mul %d, %d : (tensor<4x3x5xf32>, tensor<4x3x5xf32>) -> tensor<4x3x5xf32>
  %v = kiln.reduce_mean %p {axes = array<i64: 2, 1>} : (tensor<4x3x5xf32>) -> tensor<4x1x1xf32>
  %e = kiln.add %eps, %v : (tensor<1xf32>, tensor<4x1x1xf32>) -> tensor<4x1x1xf32>
  %s = kiln.sqrt %e : (tensor<4x1x1xf32>) -> tensor<4x1x1xf32>
  %n = kiln.div %d, %s : (tensor<4x3x5xf32>, tensor<4x1x1xf32>) -> tensor<4x3x5xf32>
  // CHECK: kiln.layer_norm %{{.+}} {axis = 1 : i64, epsilon = 0.00100000{{[0-9]*}} : f64}
  // CHECK-NOT: kiln.sqrt
  return %n : tensor<4x3x5xf32>
}

// -----

// Not recomposed: the reductions are over a leading axis.
// CHECK-LABEL: func.func @no_layer_norm_leading_axis
func.func @no_layer_norm_leading_axis(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %two = kiln.constant dense<2.0> : tensor<f32>
  %eps = kiln.constant dense<1.0e-05> : tensor<f32>
  %m = kiln.reduce_mean %x {axes = array<i64: 0>} : (tensor<4x3xf32>) -> tensor<1x3xf32>
  %d = kiln.sub %x, %m : (tensor<4x3xf32>, tensor<1x3xf32>) -> tensor<4x3xf32>
  %p = kiln.pow %d, %two : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  %v = kiln.reduce_mean %p {axes = array<i64: 0>} : (tensor<4x3xf32>) -> tensor<1x3xf32>
  %e = kiln.add %v, %eps : (tensor<1x3xf32>, tensor<f32>) -> tensor<1x3xf32>
  %s = kiln.sqrt %e : (tensor<1x3xf32>) -> tensor<1x3xf32>
  %n = kiln.div %d, %s : (tensor<4x3xf32>, tensor<1x3xf32>) -> tensor<4x3xf32>
  // CHECK-NOT: kiln.layer_norm
  // CHECK: kiln.div
  return %n : tensor<4x3xf32>
}

// -----

// Not recomposed: the centred value is also returned, so it must stay.
// CHECK-LABEL: func.func @no_layer_norm_extra_use
func.func @no_layer_norm_extra_use(%x: tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %two = kiln.constant dense<2.0> : tensor<f32>
  %eps = kiln.constant dense<1.0e-05> : tensor<f32>
  %m = kiln.reduce_mean %x {axes = array<i64: 1>} : (tensor<4x3xf32>) -> tensor<4x1xf32>
  %d = kiln.sub %x, %m : (tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<4x3xf32>
  %p = kiln.pow %d, %two : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  %v = kiln.reduce_mean %p {axes = array<i64: 1>} : (tensor<4x3xf32>) -> tensor<4x1xf32>
  %e = kiln.add %v, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %s = kiln.sqrt %e : (tensor<4x1xf32>) -> tensor<4x1xf32>
  %n = kiln.div %d, %s : (tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<4x3xf32>
  // CHECK-NOT: kiln.layer_norm
  return %n, %d : tensor<4x3xf32>, tensor<4x3xf32>
}

// -----

// GELU as torch exports it: ((x * (erf(x / sqrt 2) + 1)) * 0.5).
// CHECK-LABEL: func.func @gelu_torch
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: tensor<3x7xf32>
func.func @gelu_torch(%x: tensor<3x7xf32>) -> tensor<3x7xf32> {
  %sqrt2 = kiln.constant dense<1.41421354> : tensor<f32>
  %one = kiln.constant dense<1.0> : tensor<f32>
  %half = kiln.constant dense<0.5> : tensor<f32>
  %0 = kiln.div %x, %sqrt2 : (tensor<3x7xf32>, tensor<f32>) -> tensor<3x7xf32>
  %1 = kiln.erf %0 : (tensor<3x7xf32>) -> tensor<3x7xf32>
  %2 = kiln.add %1, %one : (tensor<3x7xf32>, tensor<f32>) -> tensor<3x7xf32>
  %3 = kiln.mul %x, %2 : (tensor<3x7xf32>, tensor<3x7xf32>) -> tensor<3x7xf32>
  %4 = kiln.mul %3, %half : (tensor<3x7xf32>, tensor<f32>) -> tensor<3x7xf32>
  // CHECK: %[[G:.+]] = kiln.gelu %[[X]] : (tensor<3x7xf32>) -> tensor<3x7xf32>
  // CHECK-NOT: kiln.erf
  // CHECK: return %[[G]]
  return %4 : tensor<3x7xf32>
}

// -----

// The other association, with x * (1/sqrt 2).
// CHECK-LABEL: func.func @gelu_other_order
func.func @gelu_other_order(%x: tensor<5xf32>) -> tensor<5xf32> {
  %rsqrt2 = kiln.constant dense<0.707106769> : tensor<f32>
  %one = kiln.constant dense<1.0> : tensor<f32>
  %half = kiln.constant dense<0.5> : tensor<f32>
  %0 = kiln.mul %rsqrt2, %x : (tensor<f32>, tensor<5xf32>) -> tensor<5xf32>
  %1 = kiln.erf %0 : (tensor<5xf32>) -> tensor<5xf32>
  %2 = kiln.add %one, %1 : (tensor<f32>, tensor<5xf32>) -> tensor<5xf32>
  %3 = kiln.mul %half, %x : (tensor<f32>, tensor<5xf32>) -> tensor<5xf32>
  %4 = kiln.mul %2, %3 : (tensor<5xf32>, tensor<5xf32>) -> tensor<5xf32>
  // CHECK: kiln.gelu
  // CHECK-NOT: kiln.mul
  return %4 : tensor<5xf32>
}

// -----

// Not GELU: the factor is 0.4.
// CHECK-LABEL: func.func @no_gelu_wrong_constant
func.func @no_gelu_wrong_constant(%x: tensor<5xf32>) -> tensor<5xf32> {
  %sqrt2 = kiln.constant dense<1.41421354> : tensor<f32>
  %one = kiln.constant dense<1.0> : tensor<f32>
  %c = kiln.constant dense<0.4> : tensor<f32>
  %0 = kiln.div %x, %sqrt2 : (tensor<5xf32>, tensor<f32>) -> tensor<5xf32>
  %1 = kiln.erf %0 : (tensor<5xf32>) -> tensor<5xf32>
  %2 = kiln.add %1, %one : (tensor<5xf32>, tensor<f32>) -> tensor<5xf32>
  %3 = kiln.mul %x, %2 : (tensor<5xf32>, tensor<5xf32>) -> tensor<5xf32>
  %4 = kiln.mul %3, %c : (tensor<5xf32>, tensor<f32>) -> tensor<5xf32>
  // CHECK-NOT: kiln.gelu
  return %4 : tensor<5xf32>
}

// -----

// Attention from nn.MultiheadAttention: q scaled, k transposed together with
// a head permutation, an additive mask.
// CHECK-LABEL: func.func @attention_torch
// CHECK-SAME: %[[Q:[a-zA-Z0-9]+]]: tensor<4x16x8xf32>, %[[K:[a-zA-Z0-9]+]]: tensor<16x4x8xf32>, %[[V:[a-zA-Z0-9]+]]: tensor<4x16x8xf32>, %[[M:[a-zA-Z0-9]+]]: tensor<16x16xf32>
func.func @attention_torch(%q: tensor<4x16x8xf32>, %k: tensor<16x4x8xf32>, %v: tensor<4x16x8xf32>, %mask: tensor<16x16xf32>) -> tensor<4x16x8xf32> {
  %c = kiln.constant dense<2.82842708> : tensor<f32>
  %0 = kiln.div %q, %c : (tensor<4x16x8xf32>, tensor<f32>) -> tensor<4x16x8xf32>
  %1 = kiln.transpose %k [1, 2, 0] : (tensor<16x4x8xf32>) -> tensor<4x8x16xf32>
  %2 = kiln.matmul %0, %1 : (tensor<4x16x8xf32>, tensor<4x8x16xf32>) -> tensor<4x16x16xf32>
  %3 = kiln.add %2, %mask : (tensor<4x16x16xf32>, tensor<16x16xf32>) -> tensor<4x16x16xf32>
  %4 = kiln.softmax %3 {axis = -1 : i64} : (tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
  %5 = kiln.matmul %4, %v : (tensor<4x16x16xf32>, tensor<4x16x8xf32>) -> tensor<4x16x8xf32>
  // CHECK: %[[KT:.+]] = kiln.transpose %[[K]] [1, 0, 2] : (tensor<16x4x8xf32>) -> tensor<4x16x8xf32>
  // CHECK: %[[A:.+]] = kiln.attention %[[Q]], %[[KT]], %[[V]], %[[M]] {scale = 0.35355{{[0-9]*}} : f64}
  // CHECK-NOT: kiln.softmax
  // CHECK: return %[[A]]
  return %5 : tensor<4x16x8xf32>
}

// -----

// Scores scaled after the matmul, keys given with transpose_rhs.
// CHECK-LABEL: func.func @attention_transpose_rhs
func.func @attention_transpose_rhs(%q: tensor<2x3x5x4xf32>, %k: tensor<2x3x6x4xf32>, %v: tensor<2x3x6x7xf32>) -> tensor<2x3x5x7xf32> {
  %c = kiln.constant dense<0.5> : tensor<f32>
  %0 = kiln.matmul %q, %k {transpose_rhs = true} : (tensor<2x3x5x4xf32>, tensor<2x3x6x4xf32>) -> tensor<2x3x5x6xf32>
  %1 = kiln.mul %0, %c : (tensor<2x3x5x6xf32>, tensor<f32>) -> tensor<2x3x5x6xf32>
  %2 = kiln.softmax %1 : (tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32>
  %3 = kiln.matmul %2, %v : (tensor<2x3x5x6xf32>, tensor<2x3x6x7xf32>) -> tensor<2x3x5x7xf32>
  // CHECK: kiln.attention %{{.+}}, %{{.+}}, %{{.+}} {scale = 5.000000e-01 : f64}
  return %3 : tensor<2x3x5x7xf32>
}

// -----

// Not attention: softmax over a non-trailing axis.
// CHECK-LABEL: func.func @no_attention_softmax_axis
func.func @no_attention_softmax_axis(%q: tensor<5x4xf32>, %k: tensor<6x4xf32>, %v: tensor<6x7xf32>) -> tensor<5x7xf32> {
  %0 = kiln.matmul %q, %k {transpose_rhs = true} : (tensor<5x4xf32>, tensor<6x4xf32>) -> tensor<5x6xf32>
  %1 = kiln.softmax %0 {axis = 0 : i64} : (tensor<5x6xf32>) -> tensor<5x6xf32>
  %2 = kiln.matmul %1, %v : (tensor<5x6xf32>, tensor<6x7xf32>) -> tensor<5x7xf32>
  // CHECK-NOT: kiln.attention
  return %2 : tensor<5x7xf32>
}
