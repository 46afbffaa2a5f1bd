// RUN: kiln-opt %s --split-input-file --convert-tosa-to-kiln | FileCheck %s

// A float conv2d is an NHWC kiln.conv2d; the OHWI filter is transposed to
// HWIO (which the graph pipeline folds on a constant: tosa-pipeline.mlir),
// pads reorder to [top, left, bottom, right].
// CHECK-LABEL: func.func @conv2d
// CHECK-SAME: (%[[X:[a-zA-Z0-9]+]]: tensor<1x8x8x3xf32>)
// CHECK-DAG: %[[W0:.+]] = kiln.constant dense<5.000000e-01> : tensor<4x3x3x3xf32>
// CHECK-DAG: %[[B:.+]] = kiln.constant dense<1.000000e-01> : tensor<4xf32>
// CHECK: %[[W:.+]] = kiln.transpose %[[W0]] [1, 2, 3, 0] : (tensor<4x3x3x3xf32>) -> tensor<3x3x3x4xf32>
// CHECK: %[[C:.+]] = kiln.conv2d %[[X]], %[[W]], %[[B]] {dilations = array<i64: 1, 2>, layout = #kiln.layout<nhwc>, pads = array<i64: 1, 2, 2, 4>, strides = array<i64: 2, 1>}
// CHECK-SAME: (tensor<1x8x8x3xf32>, tensor<3x3x3x4xf32>, tensor<4xf32>) -> tensor<1x5x10x4xf32>
// CHECK: return %[[C]]
func.func @conv2d(%x: tensor<1x8x8x3xf32>) -> tensor<1x5x10x4xf32> {
  %w = "tosa.const"() {values = dense<0.5> : tensor<4x3x3x3xf32>} : () -> tensor<4x3x3x3xf32>
  %b = "tosa.const"() {values = dense<0.1> : tensor<4xf32>} : () -> tensor<4xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 2>, pad = array<i64: 1, 2, 2, 4>, stride = array<i64: 2, 1>} : (tensor<1x8x8x3xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x5x10x4xf32>
  return %c : tensor<1x5x10x4xf32>
}

// -----

// A filter argument is transposed the same way.
// CHECK-LABEL: func.func @conv2d_filter_argument
// CHECK-SAME: (%[[X:[a-zA-Z0-9]+]]: tensor<1x4x4x2xf32>, %[[W:[a-zA-Z0-9]+]]: tensor<6x1x1x2xf32>, %[[B:[a-zA-Z0-9]+]]: tensor<6xf32>)
// CHECK: %[[T:.+]] = kiln.transpose %[[W]] [1, 2, 3, 0] : (tensor<6x1x1x2xf32>) -> tensor<1x1x2x6xf32>
// CHECK: kiln.conv2d %[[X]], %[[T]], %[[B]] {layout = #kiln.layout<nhwc>}
func.func @conv2d_filter_argument(%x: tensor<1x4x4x2xf32>, %w: tensor<6x1x1x2xf32>, %b: tensor<6xf32>) -> tensor<1x4x4x6xf32> {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<6x1x1x2xf32>, tensor<6xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x6xf32>
  return %c : tensor<1x4x4x6xf32>
}

// -----

// Depthwise: the [KH, KW, C, M] filter reshapes to [KH, KW, 1, C * M] and
// the convolution has C groups.
// CHECK-LABEL: func.func @depthwise
// CHECK-SAME: (%[[X:[a-zA-Z0-9]+]]: tensor<1x6x6x4xf32>, %[[W:[a-zA-Z0-9]+]]: tensor<3x3x4x2xf32>, %[[B:[a-zA-Z0-9]+]]: tensor<8xf32>)
// CHECK: %[[R:.+]] = kiln.reshape %[[W]] [3, 3, 1, 8] : (tensor<3x3x4x2xf32>) -> tensor<3x3x1x8xf32>
// CHECK: kiln.conv2d %[[X]], %[[R]], %[[B]] {groups = 4 : i64, layout = #kiln.layout<nhwc>, pads = array<i64: 1, 1, 1, 1>}
func.func @depthwise(%x: tensor<1x6x6x4xf32>, %w: tensor<3x3x4x2xf32>, %b: tensor<8xf32>) -> tensor<1x6x6x8xf32> {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %c = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x6x6x4xf32>, tensor<3x3x4x2xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x6x8xf32>
  return %c : tensor<1x6x6x8xf32>
}

// -----

// Pooling is NHWC kiln.pool2d; TOSA's average excludes the padding.
// CHECK-LABEL: func.func @pools
// CHECK-SAME: (%[[X:[a-zA-Z0-9]+]]: tensor<1x4x4x8xf32>)
// CHECK: %[[M:.+]] = kiln.pool2d max %[[X]] {kernel = array<i64: 2, 2>, layout = #kiln.layout<nhwc>, strides = array<i64: 2, 2>}
// CHECK: %[[A:.+]] = kiln.pool2d avg %[[M]] {kernel = array<i64: 3, 3>, layout = #kiln.layout<nhwc>, pads = array<i64: 1, 1, 1, 1>}
// CHECK-NOT: count_include_pad
// CHECK: return %[[A]]
func.func @pools(%x: tensor<1x4x4x8xf32>) -> tensor<1x2x2x8xf32> {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %m = tosa.max_pool2d %x {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x8xf32>) -> tensor<1x2x2x8xf32>
  %a = tosa.avg_pool2d %m, %zp, %zp {acc_type = f32, kernel = array<i64: 3, 3>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x2x2x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x8xf32>
  return %a : tensor<1x2x2x8xf32>
}

// -----

// matmul, elementwise, clamp, reductions, reshape and transpose.
// CHECK-LABEL: func.func @mlp
// CHECK-SAME: (%[[X:[a-zA-Z0-9]+]]: tensor<1x5x16xf32>, %[[W:[a-zA-Z0-9]+]]: tensor<1x16x4xf32>, %[[B:[a-zA-Z0-9]+]]: tensor<1x1x4xf32>)
// CHECK: %[[MM:.+]] = kiln.matmul %[[X]], %[[W]] : (tensor<1x5x16xf32>, tensor<1x16x4xf32>) -> tensor<1x5x4xf32>
// CHECK: %[[ADD:.+]] = kiln.add %[[MM]], %[[B]]
// CHECK: %[[CL:.+]] = kiln.clamp %[[ADD]] {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64}
// CHECK: %[[MUL:.+]] = kiln.mul %[[CL]], %[[CL]]
// CHECK: %[[RED:.+]] = kiln.reduce_sum %[[MUL]] {axes = array<i64: 2>} : (tensor<1x5x4xf32>) -> tensor<1x5x1xf32>
// CHECK: %[[ONE:.+]] = kiln.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[REC:.+]] = kiln.div %[[ONE]], %[[RED]]
// CHECK: %[[RS:.+]] = kiln.reshape %[[REC]] [1, 5] : (tensor<1x5x1xf32>) -> tensor<1x5xf32>
// CHECK: %[[TR:.+]] = kiln.transpose %[[RS]] [1, 0] : (tensor<1x5xf32>) -> tensor<5x1xf32>
// CHECK: return %[[TR]]
func.func @mlp(%x: tensor<1x5x16xf32>, %w: tensor<1x16x4xf32>, %b: tensor<1x1x4xf32>) -> tensor<5x1xf32> {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %m = tosa.matmul %x, %w, %zp, %zp : (tensor<1x5x16xf32>, tensor<1x16x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x5x4xf32>
  %a = tosa.add %m, %b : (tensor<1x5x4xf32>, tensor<1x1x4xf32>) -> tensor<1x5x4xf32>
  %c = tosa.clamp %a {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x5x4xf32>) -> tensor<1x5x4xf32>
  %sq = tosa.mul %c, %c, %shift : (tensor<1x5x4xf32>, tensor<1x5x4xf32>, tensor<1xi8>) -> tensor<1x5x4xf32>
  %s = tosa.reduce_sum %sq {axis = 2 : i32} : (tensor<1x5x4xf32>) -> tensor<1x5x1xf32>
  %r = tosa.reciprocal %s : (tensor<1x5x1xf32>) -> tensor<1x5x1xf32>
  %shape = tosa.const_shape {values = dense<[1, 5]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %rs = tosa.reshape %r, %shape : (tensor<1x5x1xf32>, !tosa.shape<2>) -> tensor<1x5xf32>
  %t = tosa.transpose %rs {perms = array<i32: 1, 0>} : (tensor<1x5xf32>) -> tensor<5x1xf32>
  return %t : tensor<5x1xf32>
}

// -----

// Must not fire: integer ops with zero points, integer mul with a shift,
// integer clamp, and ops without a kiln equivalent stay TOSA, and so do
// the constants they use.
// CHECK-LABEL: func.func @quantized_and_unsupported
// CHECK: tosa.const
// CHECK: tosa.conv2d
// CHECK: tosa.matmul
// CHECK: tosa.mul
// CHECK: tosa.clamp
// CHECK: tosa.reverse
// CHECK-NOT: kiln.
func.func @quantized_and_unsupported(%x: tensor<1x4x4x2xi8>, %w: tensor<3x1x1x2xi8>, %b: tensor<3xi32>, %a: tensor<1x2x3xi8>, %m: tensor<1x3x2xi8>, %i: tensor<4xi32>, %f: tensor<4xf32>) -> (tensor<1x4x4x3xi32>, tensor<1x2x2xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xf32>) {
  %zp = "tosa.const"() {values = dense<3> : tensor<1xi8>} : () -> tensor<1xi8>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<3x1x1x2xi8>, tensor<3xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x3xi32>
  %mm = tosa.matmul %a, %m, %zp, %zp : (tensor<1x2x3xi8>, tensor<1x3x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2xi32>
  %shift = "tosa.const"() {values = dense<2> : tensor<1xi8>} : () -> tensor<1xi8>
  %mul = tosa.mul %i, %i, %shift : (tensor<4xi32>, tensor<4xi32>, tensor<1xi8>) -> tensor<4xi32>
  %cl = tosa.clamp %mul {min_val = 0 : i32, max_val = 100 : i32} : (tensor<4xi32>) -> tensor<4xi32>
  %rev = tosa.reverse %f {axis = 0 : i32} : (tensor<4xf32>) -> tensor<4xf32>
  return %c, %mm, %mul, %cl, %rev : tensor<1x4x4x3xi32>, tensor<1x2x2xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xf32>
}

// -----

// concat's i32 axis becomes kiln's i64 one.
// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:[a-zA-Z0-9]+]]: tensor<2x3xf32>, %[[B:[a-zA-Z0-9]+]]: tensor<2x5xf32>)
// CHECK: %[[C:.+]] = kiln.concat %[[A]], %[[B]] {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
// CHECK: return %[[C]]
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<2x8xf32> {
  %c = tosa.concat %a, %b {axis = 1 : i32} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  return %c : tensor<2x8xf32>
}
