// RUN: kiln-opt %s --kiln-simplify --split-input-file | FileCheck %s

// A transpose of the last two dims feeding a matmul becomes its flag, on
// either side; a flag already set is flipped back.
// CHECK-LABEL: func.func @transpose_into_matmul
// CHECK-SAME: %[[Q:[a-zA-Z0-9]+]]: tensor<2x4x5xf32>, %[[K:[a-zA-Z0-9]+]]: tensor<2x8x5xf32>, %[[A:[a-zA-Z0-9]+]]: tensor<2x5x4xf32>, %[[K2:[a-zA-Z0-9]+]]: tensor<2x5x8xf32>
// CHECK: %[[S:.+]] = kiln.matmul %[[Q]], %[[K]] {transpose_rhs = true} : (tensor<2x4x5xf32>, tensor<2x8x5xf32>) -> tensor<2x4x8xf32>
// CHECK: %[[T:.+]] = kiln.matmul %[[A]], %[[S]] : (tensor<2x5x4xf32>, tensor<2x4x8xf32>) -> tensor<2x5x8xf32>
// CHECK: %[[U:.+]] = kiln.matmul %[[Q]], %[[K2]] : (tensor<2x4x5xf32>, tensor<2x5x8xf32>) -> tensor<2x4x8xf32>
// CHECK-NOT: kiln.transpose
func.func @transpose_into_matmul(%q: tensor<2x4x5xf32>, %k: tensor<2x8x5xf32>, %a: tensor<2x5x4xf32>, %k2: tensor<2x5x8xf32>) -> (tensor<2x5x8xf32>, tensor<2x4x8xf32>) {
  %kt = kiln.transpose %k [0, 2, 1] : (tensor<2x8x5xf32>) -> tensor<2x5x8xf32>
  %s = kiln.matmul %q, %kt : (tensor<2x4x5xf32>, tensor<2x5x8xf32>) -> tensor<2x4x8xf32>
  %at = kiln.transpose %a [0, 2, 1] : (tensor<2x5x4xf32>) -> tensor<2x4x5xf32>
  %t = kiln.matmul %at, %s {transpose_lhs = true} : (tensor<2x4x5xf32>, tensor<2x4x8xf32>) -> tensor<2x5x8xf32>
  %k2t = kiln.transpose %k2 [0, 2, 1] : (tensor<2x5x8xf32>) -> tensor<2x8x5xf32>
  %u = kiln.matmul %q, %k2t {transpose_rhs = true} : (tensor<2x4x5xf32>, tensor<2x8x5xf32>) -> tensor<2x4x8xf32>
  return %t, %u : tensor<2x5x8xf32>, tensor<2x4x8xf32>
}

// -----

// Must not fire: a transpose that moves a batch dim.
// CHECK-LABEL: func.func @batch_transpose_stays
// CHECK: %[[T:.+]] = kiln.transpose
// CHECK: kiln.matmul %{{.+}}, %[[T]] :
func.func @batch_transpose_stays(%q: tensor<2x4x5xf32>, %k: tensor<5x2x8xf32>) -> tensor<2x4x8xf32> {
  %kt = kiln.transpose %k [1, 0, 2] : (tensor<5x2x8xf32>) -> tensor<2x5x8xf32>
  %s = kiln.matmul %q, %kt : (tensor<2x4x5xf32>, tensor<2x5x8xf32>) -> tensor<2x4x8xf32>
  return %s : tensor<2x4x8xf32>
}

// -----

// x * (1 / y) is x / y, for floats, either order.
// CHECK-LABEL: func.func @reciprocal_into_div
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: tensor<4x3xf32>, %[[Y:[a-zA-Z0-9]+]]: tensor<3xf32>
// CHECK: %[[D:.+]] = kiln.div %[[X]], %[[Y]] : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
// CHECK: %[[E:.+]] = kiln.div %[[X]], %[[Y]] : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
// CHECK-NOT: kiln.mul
func.func @reciprocal_into_div(%x: tensor<4x3xf32>, %y: tensor<3xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %one = kiln.constant dense<1.0> : tensor<f32>
  %r = kiln.div %one, %y : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
  %0 = kiln.mul %x, %r : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %1 = kiln.mul %r, %x : (tensor<3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  return %0, %1 : tensor<4x3xf32>, tensor<4x3xf32>
}

// -----

// Must not fire: integers (1 / y truncates), a numerator other than 1, and
// a 1 that widens y.
// CHECK-LABEL: func.func @reciprocal_stays
// CHECK-COUNT-3: kiln.mul
func.func @reciprocal_stays(%x: tensor<4xi32>, %y: tensor<4xi32>, %f: tensor<4xf32>, %g: tensor<4xf32>, %s: tensor<f32>) -> (tensor<4xi32>, tensor<4xf32>, tensor<4xf32>) {
  %one = kiln.constant dense<1> : tensor<i32>
  %r = kiln.div %one, %y : (tensor<i32>, tensor<4xi32>) -> tensor<4xi32>
  %0 = kiln.mul %x, %r : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %two = kiln.constant dense<2.0> : tensor<f32>
  %h = kiln.div %two, %g : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = kiln.mul %f, %h : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %ones = kiln.constant dense<1.0> : tensor<4xf32>
  %w = kiln.div %ones, %s : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %2 = kiln.mul %s, %w : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1, %2 : tensor<4xi32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// (x + c1) + c2 and (x * c1) * c2 keep one op and fold their constants.
// CHECK-LABEL: func.func @constant_chains
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: tensor<4xf32>
// CHECK-DAG: %[[C5:.+]] = kiln.constant dense<5.000000e+00> : tensor<f32>
// CHECK-DAG: %[[C6:.+]] = kiln.constant dense<6.000000e+00> : tensor<f32>
// CHECK: %[[A:.+]] = kiln.add %[[X]], %[[C5]] : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
// CHECK: %[[M:.+]] = kiln.mul %[[A]], %[[C6]] : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
// CHECK: return %[[M]]
func.func @constant_chains(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c2 = kiln.constant dense<2.0> : tensor<f32>
  %c3 = kiln.constant dense<3.0> : tensor<f32>
  %0 = kiln.add %x, %c2 : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = kiln.add %c3, %0 : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %2 = kiln.mul %1, %c2 : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %3 = kiln.mul %2, %c3 : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %3 : tensor<4xf32>
}

// -----

// Must not fire: the inner op has another use, or mixes add and mul.
// CHECK-LABEL: func.func @constant_chains_stay
// CHECK: kiln.add
// CHECK: kiln.add
// CHECK: kiln.mul
func.func @constant_chains_stay(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %c2 = kiln.constant dense<2.0> : tensor<f32>
  %0 = kiln.add %x, %c2 : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = kiln.add %0, %c2 : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %2 = kiln.mul %0, %c2 : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// A zero pad of the spatial dims becomes the convolution's padding, in
// either layout, added to what it had.
// CHECK-LABEL: func.func @pad_into_conv
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: tensor<1x3x8x8xf32>, %[[W:[a-zA-Z0-9]+]]: tensor<4x3x3x3xf32>, %[[Y:[a-zA-Z0-9]+]]: tensor<1x8x8x3xf32>, %[[V:[a-zA-Z0-9]+]]: tensor<3x3x3x4xf32>
// CHECK: kiln.conv2d %[[X]], %[[W]] {pads = array<i64: 2, 1, 3, 2>}
// CHECK: kiln.conv2d %[[Y]], %[[V]] {layout = #kiln.layout<nhwc>, pads = array<i64: 1, 1, 1, 1>}
// CHECK-NOT: kiln.pad
func.func @pad_into_conv(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %y: tensor<1x8x8x3xf32>, %v: tensor<3x3x3x4xf32>) -> (tensor<1x4x11x9xf32>, tensor<1x8x8x4xf32>) {
  %p = kiln.pad %x {low = array<i64: 0, 0, 1, 0>, high = array<i64: 0, 0, 2, 1>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x11x9xf32>
  %0 = kiln.conv2d %p, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x11x9xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x11x9xf32>
  %q = kiln.pad %y {low = array<i64: 0, 1, 1, 0>, high = array<i64: 0, 1, 1, 0>} : (tensor<1x8x8x3xf32>) -> tensor<1x10x10x3xf32>
  %1 = kiln.conv2d %q, %v {layout = #kiln.layout<nhwc>} : (tensor<1x10x10x3xf32>, tensor<3x3x3x4xf32>) -> tensor<1x8x8x4xf32>
  return %0, %1 : tensor<1x4x11x9xf32>, tensor<1x8x8x4xf32>
}

// -----

// Must not fire: a nonzero pad value, or padding channels.
// CHECK-LABEL: func.func @pad_stays
// CHECK-COUNT-2: kiln.pad
func.func @pad_stays(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %w5: tensor<4x5x3x3xf32>) -> (tensor<1x4x8x8xf32>, tensor<1x4x6x6xf32>) {
  %p = kiln.pad %x {low = array<i64: 0, 0, 1, 1>, high = array<i64: 0, 0, 1, 1>, value = 1.0 : f64} : (tensor<1x3x8x8xf32>) -> tensor<1x3x10x10xf32>
  %0 = kiln.conv2d %p, %w : (tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  %q = kiln.pad %x {low = array<i64: 0, 1, 0, 0>, high = array<i64: 0, 1, 0, 0>} : (tensor<1x3x8x8xf32>) -> tensor<1x5x8x8xf32>
  %1 = kiln.conv2d %q, %w5 : (tensor<1x5x8x8xf32>, tensor<4x5x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0, %1 : tensor<1x4x8x8xf32>, tensor<1x4x6x6xf32>
}

// -----

// A pad of the spatial dims becomes a pool's padding where the pool's own
// padding means the same: -inf for a max pool (in either layout), any
// value up to 0 after a ReLU (no real element is below it), zeros for an
// average pool, which then counts its padding.
// CHECK-LABEL: func.func @pad_into_pool
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: tensor<1x4x8x8xf32>, %[[Y:[a-zA-Z0-9]+]]: tensor<1x8x8x4xf32>
// CHECK: %[[M:.+]] = kiln.pool2d max %[[X]] {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
// CHECK: %[[N:.+]] = kiln.pool2d max %[[Y]] {kernel = array<i64: 3, 3>, layout = #kiln.layout<nhwc>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
// CHECK: %[[R:.+]] = kiln.relu %[[X]]
// CHECK: %[[MR:.+]] = kiln.pool2d max %[[R]] {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
// CHECK: %[[A:.+]] = kiln.pool2d avg %[[X]] {count_include_pad = true, kernel = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>}
// CHECK-NOT: kiln.pad
// CHECK: return %[[M]], %[[N]], %[[MR]], %[[A]]
func.func @pad_into_pool(%x: tensor<1x4x8x8xf32>, %y: tensor<1x8x8x4xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x4x8x8xf32>) {
  %p = kiln.pad %x {low = array<i64: 0, 0, 1, 1>, high = array<i64: 0, 0, 1, 1>, value = 0xFFF0000000000000 : f64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x10x10xf32>
  %0 = kiln.pool2d max %p {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x4x10x10xf32>) -> tensor<1x4x4x4xf32>
  %q = kiln.pad %y {low = array<i64: 0, 1, 1, 0>, high = array<i64: 0, 1, 1, 0>, value = 0xFFF0000000000000 : f64} : (tensor<1x8x8x4xf32>) -> tensor<1x10x10x4xf32>
  %1 = kiln.pool2d max %q {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, layout = #kiln.layout<nhwc>} : (tensor<1x10x10x4xf32>) -> tensor<1x4x4x4xf32>
  %r = kiln.relu %x : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %s = kiln.pad %r {low = array<i64: 0, 0, 1, 1>, high = array<i64: 0, 0, 1, 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x10x10xf32>
  %2 = kiln.pool2d max %s {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x4x10x10xf32>) -> tensor<1x4x4x4xf32>
  %t = kiln.pad %x {low = array<i64: 0, 0, 1, 1>, high = array<i64: 0, 0, 0, 0>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x9x9xf32>
  %3 = kiln.pool2d avg %t {kernel = array<i64: 2, 2>} : (tensor<1x4x9x9xf32>) -> tensor<1x4x8x8xf32>
  return %0, %1, %2, %3 : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x4x8x8xf32>
}

// -----

// Must not fire: a zero pad before a max pool of what may be negative; a
// zero pad before an average pool that does not count its own padding;
// ceil_mode; padding that would reach the kernel's size; padding channels.
// CHECK-LABEL: func.func @pad_stays_before_pool
// CHECK-COUNT-4: kiln.pad
// CHECK-NOT: kiln.pool2d {{(max|avg)}} %arg0
// CHECK: return
func.func @pad_stays_before_pool(%x: tensor<1x4x8x8xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x9x10xf32>, tensor<1x4x5x5xf32>, tensor<1x4x6x6xf32>, tensor<1x6x7x7xf32>) {
  %p = kiln.pad %x {low = array<i64: 0, 0, 1, 1>, high = array<i64: 0, 0, 1, 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x10x10xf32>
  %0 = kiln.pool2d max %p {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x4x10x10xf32>) -> tensor<1x4x4x4xf32>
  %1 = kiln.pool2d avg %p {kernel = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 1>} : (tensor<1x4x10x10xf32>) -> tensor<1x4x9x10xf32>
  %q = kiln.pad %x {low = array<i64: 0, 0, 1, 1>, high = array<i64: 0, 0, 0, 0>, value = 0xFFF0000000000000 : f64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x9x9xf32>
  %2 = kiln.pool2d max %q {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, ceil_mode = true} : (tensor<1x4x9x9xf32>) -> tensor<1x4x5x5xf32>
  %r = kiln.pad %x {low = array<i64: 0, 0, 2, 2>, high = array<i64: 0, 0, 0, 0>, value = 0xFFF0000000000000 : f64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x10x10xf32>
  %3 = kiln.pool2d max %r {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x10x10xf32>) -> tensor<1x4x6x6xf32>
  %s = kiln.pad %x {low = array<i64: 0, 1, 0, 0>, high = array<i64: 0, 1, 0, 0>, value = 0xFFF0000000000000 : f64} : (tensor<1x4x8x8xf32>) -> tensor<1x6x8x8xf32>
  %4 = kiln.pool2d max %s {kernel = array<i64: 2, 2>} : (tensor<1x6x8x8xf32>) -> tensor<1x6x7x7xf32>
  return %0, %1, %2, %3, %4 : tensor<1x4x4x4xf32>, tensor<1x4x9x10xf32>, tensor<1x4x5x5xf32>, tensor<1x4x6x6xf32>, tensor<1x6x7x7xf32>
}
