// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --emit-bytecode | kiln-opt | FileCheck %s

// Round trip of every kiln op, in the custom and the generic form and
// through bytecode.

// CHECK-LABEL: func.func @constants
func.func @constants() -> (tensor<2x2xf32>, tensor<3xi64>, tensor<4xf32>) {
  // CHECK: kiln.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  %0 = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  // CHECK: kiln.constant dense<[1, 2, 3]> : tensor<3xi64>
  %1 = kiln.constant dense<[1, 2, 3]> : tensor<3xi64>
  // CHECK: kiln.constant dense_resource<weights> : tensor<4xf32>
  %2 = kiln.constant dense_resource<weights> : tensor<4xf32>
  return %0, %1, %2 : tensor<2x2xf32>, tensor<3xi64>, tensor<4xf32>
}

// CHECK-LABEL: func.func @structural
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: tensor<?x4x4xf32>
func.func @structural(%x: tensor<?x4x4xf32>, %y: tensor<?x4x2xf32>,
                      %ids: tensor<2x3xi64>, %i: tensor<4x?xi64>) {
  // CHECK: kiln.reshape %[[X]] [0, -1] : (tensor<?x4x4xf32>) -> tensor<?x16xf32>
  %0 = kiln.reshape %x [0, -1] : (tensor<?x4x4xf32>) -> tensor<?x16xf32>
  // CHECK: kiln.transpose %[[X]] [2, 0, 1] : (tensor<?x4x4xf32>) -> tensor<4x?x4xf32>
  %1 = kiln.transpose %x [2, 0, 1] : (tensor<?x4x4xf32>) -> tensor<4x?x4xf32>
  // CHECK: kiln.concat %[[X]], %{{.*}} {axis = -1 : i64} : (tensor<?x4x4xf32>, tensor<?x4x2xf32>) -> tensor<?x4x6xf32>
  %2 = kiln.concat %x, %y {axis = -1 : i64} : (tensor<?x4x4xf32>, tensor<?x4x2xf32>) -> tensor<?x4x6xf32>
  // CHECK: kiln.slice %[[X]] {ends = array<i64: 9223372036854775807, 4, -1>, starts = array<i64: 0, 1, 0>, steps = array<i64: 1, 2, 1>}
  // CHECK-SAME: (tensor<?x4x4xf32>) -> tensor<?x2x3xf32>
  %3 = kiln.slice %x {starts = array<i64: 0, 1, 0>, ends = array<i64: 9223372036854775807, 4, -1>, steps = array<i64: 1, 2, 1>} : (tensor<?x4x4xf32>) -> tensor<?x2x3xf32>
  // CHECK: kiln.pad %[[X]] {high = array<i64: 0, 2, 0>, low = array<i64: 0, 1, 3>, value = 1.500000e+00 : f64} : (tensor<?x4x4xf32>) -> tensor<?x7x7xf32>
  %4 = kiln.pad %x {low = array<i64: 0, 1, 3>, high = array<i64: 0, 2, 0>, value = 1.5 : f64} : (tensor<?x4x4xf32>) -> tensor<?x7x7xf32>
  // CHECK: kiln.gather %[[X]], %{{.*}} {axis = 1 : i64} : (tensor<?x4x4xf32>, tensor<2x3xi64>) -> tensor<?x2x3x4xf32>
  %5 = kiln.gather %x, %ids {axis = 1 : i64} : (tensor<?x4x4xf32>, tensor<2x3xi64>) -> tensor<?x2x3x4xf32>
  // CHECK: kiln.broadcast_to %[[X]] [3, 1, 4, 4] : (tensor<?x4x4xf32>) -> tensor<3x?x4x4xf32>
  %6 = kiln.broadcast_to %x [3, 1, 4, 4] : (tensor<?x4x4xf32>) -> tensor<3x?x4x4xf32>
  // CHECK: kiln.cast %{{.*}} : (tensor<4x?xi64>) -> tensor<4x?xf32>
  %7 = kiln.cast %i : (tensor<4x?xi64>) -> tensor<4x?xf32>
  return
}

// CHECK-LABEL: func.func @elementwise
// CHECK-SAME: %[[A:[a-zA-Z0-9]+]]: tensor<?x8xf32>, %[[B:[a-zA-Z0-9]+]]: tensor<8xf32>
func.func @elementwise(%a: tensor<?x8xf32>, %b: tensor<8xf32>, %n: tensor<4xi32>) {
  // CHECK: kiln.add %[[A]], %[[B]] : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %0 = kiln.add %a, %b : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.sub %[[B]], %[[A]]
  %1 = kiln.sub %b, %a : (tensor<8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.mul
  %2 = kiln.mul %a, %b : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.div
  %3 = kiln.div %a, %b : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.max
  %4 = kiln.max %a, %b : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.min
  %5 = kiln.min %n, %n : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  // CHECK: kiln.pow
  %6 = kiln.pow %a, %b : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.neg %[[A]] : (tensor<?x8xf32>) -> tensor<?x8xf32>
  %7 = kiln.neg %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.abs
  %8 = kiln.abs %n : (tensor<4xi32>) -> tensor<4xi32>
  // CHECK: kiln.exp
  %9 = kiln.exp %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.log
  %10 = kiln.log %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.sqrt
  %11 = kiln.sqrt %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.rsqrt
  %12 = kiln.rsqrt %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.tanh
  %13 = kiln.tanh %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.sigmoid
  %14 = kiln.sigmoid %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.relu
  %15 = kiln.relu %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.clamp %[[A]] {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64}
  %16 = kiln.clamp %a {min = 0.0 : f64, max = 6.0 : f64} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.erf
  %17 = kiln.erf %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.gelu %[[A]] : (tensor<?x8xf32>) -> tensor<?x8xf32>
  %18 = kiln.gelu %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.gelu %[[A]] {approximation = #kiln.gelu_approximation<tanh>}
  %19 = kiln.gelu %a {approximation = #kiln.gelu_approximation<tanh>} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: %[[C:.+]] = kiln.compare ge, %[[A]], %[[B]] : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xi1>
  %20 = kiln.compare ge, %a, %b : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xi1>
  // CHECK: kiln.select %[[C]], %[[A]], %[[B]] : (tensor<?x8xi1>, tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %21 = kiln.select %20, %a, %b : (tensor<?x8xi1>, tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  return
}

// CHECK-LABEL: func.func @rounding_trigonometry_remainders
// CHECK-SAME: %[[A:[a-zA-Z0-9]+]]: tensor<?x8xf32>, %[[B:[a-zA-Z0-9]+]]: tensor<8xf32>, %[[N:[a-zA-Z0-9]+]]: tensor<4xi32>
func.func @rounding_trigonometry_remainders(%a: tensor<?x8xf32>, %b: tensor<8xf32>, %n: tensor<4xi32>) {
  // CHECK: kiln.floor %[[A]] : (tensor<?x8xf32>) -> tensor<?x8xf32>
  %0 = kiln.floor %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.ceil %[[A]]
  %1 = kiln.ceil %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.round %[[B]] : (tensor<8xf32>) -> tensor<8xf32>
  %2 = kiln.round %b : (tensor<8xf32>) -> tensor<8xf32>
  // CHECK: kiln.sin
  %3 = kiln.sin %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.cos
  %4 = kiln.cos %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.tan
  %5 = kiln.tan %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.asin
  %6 = kiln.asin %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.acos
  %7 = kiln.acos %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.atan
  %8 = kiln.atan %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.sinh
  %9 = kiln.sinh %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.cosh
  %10 = kiln.cosh %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.asinh
  %11 = kiln.asinh %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.acosh
  %12 = kiln.acosh %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.atanh
  %13 = kiln.atanh %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.mod %[[A]], %[[B]] : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %14 = kiln.mod %a, %b : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  // CHECK: kiln.fmod %[[N]], %[[N]] : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %15 = kiln.fmod %n, %n : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return
}

// CHECK-LABEL: func.func @linalg_ops
func.func @linalg_ops(%q: tensor<2x12x16x64xf32>, %x: tensor<?x16x768xf32>,
                      %w: tensor<3072x768xf32>, %b: tensor<3072xf32>,
                      %u: tensor<4xf32>, %v: tensor<?xf32>) {
  // CHECK: kiln.matmul %{{.*}}, %{{.*}} {transpose_rhs = true} : (tensor<2x12x16x64xf32>, tensor<2x12x16x64xf32>) -> tensor<2x12x16x16xf32>
  %0 = kiln.matmul %q, %q {transpose_rhs = true} : (tensor<2x12x16x64xf32>, tensor<2x12x16x64xf32>) -> tensor<2x12x16x16xf32>
  // CHECK: kiln.matmul %{{.*}}, %{{.*}} {transpose_lhs = true} : (tensor<2x12x16x64xf32>, tensor<1x16x8xf32>) -> tensor<2x12x64x8xf32>
  %m = kiln.constant dense<1.0> : tensor<1x16x8xf32>
  %1 = kiln.matmul %q, %m {transpose_lhs = true} : (tensor<2x12x16x64xf32>, tensor<1x16x8xf32>) -> tensor<2x12x64x8xf32>
  // CHECK: kiln.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x16x768xf32>, tensor<3072x768xf32>, tensor<3072xf32>) -> tensor<?x16x3072xf32>
  %2 = kiln.linear %x, %w, %b : (tensor<?x16x768xf32>, tensor<3072x768xf32>, tensor<3072xf32>) -> tensor<?x16x3072xf32>
  // CHECK: kiln.linear %{{.*}}, %{{.*}} : (tensor<?x16x768xf32>, tensor<3072x768xf32>) -> tensor<?x16x3072xf32>
  %3 = kiln.linear %x, %w : (tensor<?x16x768xf32>, tensor<3072x768xf32>) -> tensor<?x16x3072xf32>
  // CHECK: kiln.outer %{{.*}}, %{{.*}} : (tensor<4xf32>, tensor<?xf32>) -> tensor<4x?xf32>
  %4 = kiln.outer %u, %v : (tensor<4xf32>, tensor<?xf32>) -> tensor<4x?xf32>
  return
}

// CHECK-LABEL: func.func @convolutions
func.func @convolutions(%x: tensor<?x3x224x224xf32>, %w: tensor<64x3x7x7xf32>,
                        %b: tensor<64xf32>, %xh: tensor<1x56x56x32xf32>,
                        %dw: tensor<3x3x1x32xf32>, %gw: tensor<3x3x8x64xf32>) {
  // CHECK: kiln.conv2d %{{.*}}, %{{.*}}, %{{.*}} {pads = array<i64: 3, 3, 3, 3>, strides = array<i64: 2, 2>} : (tensor<?x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>) -> tensor<?x64x112x112xf32>
  %0 = kiln.conv2d %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 3, 3, 3, 3>} : (tensor<?x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>) -> tensor<?x64x112x112xf32>
  // Depthwise, NHWC.
  // CHECK: kiln.conv2d %{{.*}}, %{{.*}} {groups = 32 : i64, layout = #kiln.layout<nhwc>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x56x56x32xf32>, tensor<3x3x1x32xf32>) -> tensor<1x56x56x32xf32>
  %1 = kiln.conv2d %xh, %dw {groups = 32 : i64, layout = #kiln.layout<nhwc>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x56x56x32xf32>, tensor<3x3x1x32xf32>) -> tensor<1x56x56x32xf32>
  // Grouped and dilated, NHWC.
  // CHECK: kiln.conv2d %{{.*}}, %{{.*}} {dilations = array<i64: 2, 2>, groups = 4 : i64, layout = #kiln.layout<nhwc>} : (tensor<1x56x56x32xf32>, tensor<3x3x8x64xf32>) -> tensor<1x52x52x64xf32>
  %2 = kiln.conv2d %xh, %gw {groups = 4 : i64, dilations = array<i64: 2, 2>, layout = #kiln.layout<nhwc>} : (tensor<1x56x56x32xf32>, tensor<3x3x8x64xf32>) -> tensor<1x52x52x64xf32>
  // CHECK: kiln.pool2d max %{{.*}} {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x64x112x112xf32>) -> tensor<?x64x56x56xf32>
  %3 = kiln.pool2d max %0 {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x64x112x112xf32>) -> tensor<?x64x56x56xf32>
  // CHECK: kiln.pool2d avg %{{.*}} {ceil_mode = true, count_include_pad = true, kernel = array<i64: 2, 2>, layout = #kiln.layout<nhwc>, strides = array<i64: 2, 2>} : (tensor<1x56x56x32xf32>) -> tensor<1x28x28x32xf32>
  %4 = kiln.pool2d avg %xh {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, ceil_mode = true, count_include_pad = true, layout = #kiln.layout<nhwc>} : (tensor<1x56x56x32xf32>) -> tensor<1x28x28x32xf32>
  // CHECK: kiln.global_avg_pool %{{.*}} : (tensor<?x64x56x56xf32>) -> tensor<?x64x1x1xf32>
  %5 = kiln.global_avg_pool %3 : (tensor<?x64x56x56xf32>) -> tensor<?x64x1x1xf32>
  // CHECK: kiln.global_avg_pool %{{.*}} {layout = #kiln.layout<nhwc>} : (tensor<1x56x56x32xf32>) -> tensor<1x1x1x32xf32>
  %6 = kiln.global_avg_pool %xh {layout = #kiln.layout<nhwc>} : (tensor<1x56x56x32xf32>) -> tensor<1x1x1x32xf32>
  return
}

// CHECK-LABEL: func.func @normalization
func.func @normalization(%x: tensor<?x64x8x8xf32>, %p: tensor<64xf32>,
                         %h: tensor<?x128x768xf32>, %g: tensor<768xf32>) {
  // CHECK: kiln.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f64} : (tensor<?x64x8x8xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x8x8xf32>
  %0 = kiln.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-3 : f64} : (tensor<?x64x8x8xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x8x8xf32>
  // CHECK: kiln.layer_norm %{{.*}} scale %{{.*}} bias %{{.*}} : (tensor<?x128x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<?x128x768xf32>
  %1 = kiln.layer_norm %h scale %g bias %g : (tensor<?x128x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<?x128x768xf32>
  // CHECK: kiln.layer_norm %{{.*}} bias %{{.*}} {epsilon = 9.9999999999999998E-13 : f64}
  %2 = kiln.layer_norm %h bias %g {epsilon = 1.0e-12 : f64} : (tensor<?x128x768xf32>, tensor<768xf32>) -> tensor<?x128x768xf32>
  // CHECK: kiln.softmax %{{.*}} : (tensor<?x128x768xf32>) -> tensor<?x128x768xf32>
  %3 = kiln.softmax %h : (tensor<?x128x768xf32>) -> tensor<?x128x768xf32>
  // CHECK: kiln.log_softmax %{{.*}} {axis = 1 : i64}
  %4 = kiln.log_softmax %h {axis = 1 : i64} : (tensor<?x128x768xf32>) -> tensor<?x128x768xf32>
  // CHECK: kiln.reduce_sum %{{.*}} {axes = array<i64: -1>} : (tensor<?x128x768xf32>) -> tensor<?x128x1xf32>
  %5 = kiln.reduce_sum %h {axes = array<i64: -1>} : (tensor<?x128x768xf32>) -> tensor<?x128x1xf32>
  // CHECK: kiln.reduce_mean %{{.*}} {axes = array<i64: 1, 2>, keepdims = false} : (tensor<?x128x768xf32>) -> tensor<?xf32>
  %6 = kiln.reduce_mean %h {axes = array<i64: 1, 2>, keepdims = false} : (tensor<?x128x768xf32>) -> tensor<?xf32>
  // CHECK: kiln.reduce_max %{{.*}} {keepdims = false} : (tensor<?x128x768xf32>) -> tensor<f32>
  %7 = kiln.reduce_max %h {keepdims = false} : (tensor<?x128x768xf32>) -> tensor<f32>
  // CHECK: kiln.reduce_min %{{.*}} : (tensor<?x128x768xf32>) -> tensor<1x1x1xf32>
  %8 = kiln.reduce_min %h : (tensor<?x128x768xf32>) -> tensor<1x1x1xf32>
  // CHECK: kiln.reduce_prod %{{.*}} {axes = array<i64: 0>}
  %9 = kiln.reduce_prod %h {axes = array<i64: 0>} : (tensor<?x128x768xf32>) -> tensor<1x128x768xf32>
  return
}

// CHECK-LABEL: func.func @quantization
func.func @quantization(%x: tensor<?x8xf32>, %w: tensor<4x3xf32>) {
  // CHECK: %[[Q:.+]] = kiln.quantize %{{.*}} : (tensor<?x8xf32>) -> tensor<?x8x!quant.uniform<i8:f32, 5.000000e-02:-3>>
  %0 = kiln.quantize %x : (tensor<?x8xf32>) -> tensor<?x8x!quant.uniform<i8:f32, 0.05:-3>>
  // CHECK: kiln.dequantize %[[Q]] : (tensor<?x8x!quant.uniform<i8:f32, 5.000000e-02:-3>>) -> tensor<?x8xf32>
  %1 = kiln.dequantize %0 : (tensor<?x8x!quant.uniform<i8:f32, 0.05:-3>>) -> tensor<?x8xf32>
  // CHECK: kiln.quantize %{{.*}} : (tensor<4x3xf32>) -> tensor<4x3x!quant.uniform<i8:f32:0, {1.000000e-01,2.000000e-01,1.000000e-01,3.000000e-01}>>
  %2 = kiln.quantize %w : (tensor<4x3xf32>) -> tensor<4x3x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.1, 0.3}>>
  return
}

// CHECK-LABEL: func.func @attention
func.func @attention(%q: tensor<?x12x128x64xf32>, %m: tensor<?x1x1x128xi1>,
                     %fm: tensor<128x128xf32>) {
  // CHECK: kiln.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x12x128x64xf32>, tensor<?x12x128x64xf32>, tensor<?x12x128x64xf32>, tensor<?x1x1x128xi1>) -> tensor<?x12x128x64xf32>
  %0 = kiln.attention %q, %q, %q, %m : (tensor<?x12x128x64xf32>, tensor<?x12x128x64xf32>, tensor<?x12x128x64xf32>, tensor<?x1x1x128xi1>) -> tensor<?x12x128x64xf32>
  // CHECK: kiln.attention %{{.*}}, %{{.*}}, %{{.*}} {is_causal = true, scale = 1.250000e-01 : f64}
  %1 = kiln.attention %q, %q, %q {scale = 0.125 : f64, is_causal = true} : (tensor<?x12x128x64xf32>, tensor<?x12x128x64xf32>, tensor<?x12x128x64xf32>) -> tensor<?x12x128x64xf32>
  // CHECK: kiln.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : ({{.*}}, tensor<128x128xf32>) -> tensor<?x12x128x64xf32>
  %2 = kiln.attention %q, %q, %q, %fm : (tensor<?x12x128x64xf32>, tensor<?x12x128x64xf32>, tensor<?x12x128x64xf32>, tensor<128x128xf32>) -> tensor<?x12x128x64xf32>
  return
}

// Result types may refine what inference gives.
// CHECK-LABEL: func.func @refined_results
func.func @refined_results(%x: tensor<?x4xf32>) -> tensor<3x4xf32> {
  // CHECK: kiln.relu %{{.*}} : (tensor<?x4xf32>) -> tensor<3x4xf32>
  %0 = kiln.relu %x : (tensor<?x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// Unsigned integer tensors are numeric.
// CHECK-LABEL: func.func @unsigned
func.func @unsigned(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  // CHECK: kiln.max %{{.*}}, %{{.*}} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %0 = kiln.max %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  // CHECK: kiln.shift_left %{{.*}}, %{{.*}} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %1 = kiln.shift_left %0, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  // CHECK: kiln.shift_right %{{.*}}, %{{.*}} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %2 = kiln.shift_right %1, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %2 : tensor<4xui8>
}

{-#
  dialect_resources: {
    builtin: {
      weights: "0x040000000000803F0000004000004040000080C0"
    }
  }
#-}

// CHECK-LABEL: func.func @matmul_integer
// CHECK: kiln.matmul_integer %{{.+}}, %{{.+}} : (tensor<?x4x8xi8>, tensor<8x5xi8>) -> tensor<?x4x5xi32>
// CHECK: kiln.matmul_integer %{{.+}}, %{{.+}} lhs_zero_point(%{{.+}}) rhs_zero_point(%{{.+}}) {transpose_rhs = true} : (tensor<4x8xui8>, tensor<5x8xi8>, tensor<ui8>, tensor<5xi8>) -> tensor<4x5xi32>
func.func @matmul_integer(%a: tensor<?x4x8xi8>, %b: tensor<8x5xi8>, %x: tensor<4x8xui8>, %w: tensor<5x8xi8>, %zx: tensor<ui8>, %zw: tensor<5xi8>) -> (tensor<?x4x5xi32>, tensor<4x5xi32>) {
  %0 = kiln.matmul_integer %a, %b : (tensor<?x4x8xi8>, tensor<8x5xi8>) -> tensor<?x4x5xi32>
  %1 = kiln.matmul_integer %x, %w lhs_zero_point(%zx) rhs_zero_point(%zw) {transpose_rhs = true} : (tensor<4x8xui8>, tensor<5x8xi8>, tensor<ui8>, tensor<5xi8>) -> tensor<4x5xi32>
  return %0, %1 : tensor<?x4x5xi32>, tensor<4x5xi32>
}
