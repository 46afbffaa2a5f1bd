// RUN: kiln-opt %s --kiln-convert-layout=layout=nhwc --split-input-file | FileCheck %s --check-prefix=NHWC
// RUN: kiln-opt %s --kiln-convert-layout=layout=nchw --split-input-file | FileCheck %s --check-prefix=NCHW
// RUN: kiln-opt %s --kiln-convert-layout --split-input-file | FileCheck %s --check-prefix=AUTO
// RUN: kiln-opt %s --kiln-convert-layout="layout=nhwc image-interface=1" --split-input-file | FileCheck %s --check-prefix=IFACE

// Two NCHW convolutions with a per-channel constant add, a relu and a
// residual add between them: to NHWC, one transpose in (the graph's input),
// one out (its result); the constant is aligned to rank 4 and transposed the
// other way (the ops' folders compute that small one right away;
// kiln-fold-constants does large ones, the filters' transposes included).
// NHWC-LABEL: func.func @block
// NHWC-SAME: (%[[X:.+]]: tensor<1x8x6x6xf32>, %[[W1:.+]]: tensor<8x8x3x3xf32>, %[[W2:.+]]: tensor<8x8x1x1xf32>)
// NHWC-DAG: %[[CT:.+]] = kiln.constant dense<{{\[\[\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00]]]]> : tensor<1x1x1x8xf32>
// NHWC-DAG: %[[XT:.+]] = kiln.transpose %[[X]] [0, 2, 3, 1] : (tensor<1x8x6x6xf32>) -> tensor<1x6x6x8xf32>
// NHWC-DAG: %[[W1T:.+]] = kiln.transpose %[[W1]] [2, 3, 1, 0] : (tensor<8x8x3x3xf32>) -> tensor<3x3x8x8xf32>
// NHWC: %[[A:.+]] = kiln.conv2d %[[XT]], %[[W1T]] {layout = #kiln.layout<nhwc>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x6x6x8xf32>, tensor<3x3x8x8xf32>) -> tensor<1x6x6x8xf32>
// NHWC: %[[ADD:.+]] = kiln.add %[[A]], %[[CT]] : (tensor<1x6x6x8xf32>, tensor<1x1x1x8xf32>) -> tensor<1x6x6x8xf32>
// NHWC: %[[R:.+]] = kiln.relu %[[ADD]] : (tensor<1x6x6x8xf32>) -> tensor<1x6x6x8xf32>
// NHWC: %[[B:.+]] = kiln.conv2d %[[R]], %{{.+}} {layout = #kiln.layout<nhwc>}
// NHWC: %[[RES:.+]] = kiln.add %[[B]], %[[R]] : (tensor<1x6x6x8xf32>, tensor<1x6x6x8xf32>) -> tensor<1x6x6x8xf32>
// NHWC: %[[Y:.+]] = kiln.transpose %[[RES]] [0, 3, 1, 2] : (tensor<1x6x6x8xf32>) -> tensor<1x8x6x6xf32>
// NHWC: return %[[Y]]
// With image-interface, the function takes and returns NHWC images: no
// transpose is left at all.
// IFACE-LABEL: func.func @block
// IFACE-SAME: (%[[X:.+]]: tensor<1x6x6x8xf32>, %{{.+}}: tensor<8x8x3x3xf32>, %{{.+}}: tensor<8x8x1x1xf32>) -> tensor<1x6x6x8xf32>
// IFACE: kiln.conv2d %[[X]]
// IFACE: kiln.conv2d
// IFACE: %[[RES:.+]] = kiln.add
// IFACE-NOT: kiln.transpose %{{.+}} [0, 3, 1, 2]
// IFACE: return %[[RES]] : tensor<1x6x6x8xf32>
// Converting to the layout the ops already have changes nothing.
// NCHW-LABEL: func.func @block
// NCHW-NOT: kiln.transpose
// NCHW: return
func.func @block(%x: tensor<1x8x6x6xf32>, %w1: tensor<8x8x3x3xf32>, %w2: tensor<8x8x1x1xf32>) -> tensor<1x8x6x6xf32> {
  %c = kiln.constant dense<[[[1.0]], [[2.0]], [[3.0]], [[4.0]], [[5.0]], [[6.0]], [[7.0]], [[8.0]]]> : tensor<8x1x1xf32>
  %a = kiln.conv2d %x, %w1 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x6x6xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x6x6xf32>
  %a2 = kiln.add %a, %c : (tensor<1x8x6x6xf32>, tensor<8x1x1xf32>) -> tensor<1x8x6x6xf32>
  %r = kiln.relu %a2 : (tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32>
  %b = kiln.conv2d %r, %w2 : (tensor<1x8x6x6xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x6x6xf32>
  %y = kiln.add %b, %r : (tensor<1x8x6x6xf32>, tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32>
  return %y : tensor<1x8x6x6xf32>
}

// -----

// Axes are renumbered (batch norm, softmax, concat, keepdims reduction),
// pads permuted, pooling converted; a global pooling's [N, 1, 1, C] result
// reaches the flatten as a reshape, so no transpose is left but the input's.
// NHWC-LABEL: func.func @axes
// NHWC: kiln.transpose %{{.+}} [0, 2, 3, 1]
// NHWC: kiln.batch_norm {{.*}}axis = 3 : i64
// NHWC: kiln.softmax {{.*}}{axis = 3 : i64}
// NHWC: kiln.reduce_max {{.*}}axes = array<i64: 1, 2>
// NHWC: kiln.pad {{.*}}high = array<i64: 0, 2, 0, 0>, low = array<i64: 0, 0, 1, 0>
// NHWC: kiln.pool2d max {{.*}}layout = #kiln.layout<nhwc>
// NHWC: kiln.concat {{.*}}{axis = 3 : i64}
// NHWC: kiln.global_avg_pool {{.*}}{layout = #kiln.layout<nhwc>} : (tensor<1x2x2x8xf32>) -> tensor<1x1x1x8xf32>
// NHWC: %[[F:.+]] = kiln.reshape %{{.+}} [1, 8] : (tensor<1x1x1x8xf32>) -> tensor<1x8xf32>
// NHWC-NOT: kiln.transpose
// NHWC: return %[[F]]
func.func @axes(%x: tensor<1x4x3x3xf32>, %w: tensor<4x4x1x1xf32>, %p: tensor<4xf32>) -> tensor<1x8xf32> {
  %a = kiln.conv2d %x, %w : (tensor<1x4x3x3xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x3x3xf32>
  %n = kiln.batch_norm %a, %p, %p, %p, %p : (tensor<1x4x3x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x3x3xf32>
  %s = kiln.softmax %n {axis = -3 : i64} : (tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32>
  %m = kiln.reduce_max %s {axes = array<i64: 2, 3>} : (tensor<1x4x3x3xf32>) -> tensor<1x4x1x1xf32>
  %d = kiln.sub %s, %m : (tensor<1x4x3x3xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x3x3xf32>
  %q = kiln.pad %d {low = array<i64: 0, 0, 0, 1>, high = array<i64: 0, 0, 2, 0>} : (tensor<1x4x3x3xf32>) -> tensor<1x4x5x4xf32>
  %o = kiln.pool2d max %q {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x4x5x4xf32>) -> tensor<1x4x2x2xf32>
  %c = kiln.concat %o, %o {axis = 1 : i64} : (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) -> tensor<1x8x2x2xf32>
  %g = kiln.global_avg_pool %c : (tensor<1x8x2x2xf32>) -> tensor<1x8x1x1xf32>
  %f = kiln.reshape %g [1, 8] : (tensor<1x8x1x1xf32>) -> tensor<1x8xf32>
  return %f : tensor<1x8xf32>
}

// -----

// A resize, as the ONNX importer writes one (a gather per tap along each
// resized axis, weighted by a constant along that axis), is in the layout
// too: the gathers' axes are renumbered, the weights transposed (here
// folded), and no transpose is left between the convolutions.
// NHWC-LABEL: func.func @resize
// NHWC: kiln.conv2d {{.*}}layout = #kiln.layout<nhwc>
// NHWC: %[[H:.+]] = kiln.gather %{{.+}}, %{{.+}} {axis = 1 : i64} : (tensor<1x3x3x4xf32>, tensor<6xi64>) -> tensor<1x6x3x4xf32>
// NHWC: %[[W:.+]] = kiln.gather %[[H]], %{{.+}} {axis = 2 : i64} : (tensor<1x6x3x4xf32>, tensor<6xi64>) -> tensor<1x6x6x4xf32>
// NHWC: %[[M:.+]] = kiln.mul %[[W]], %{{.+}} : (tensor<1x6x6x4xf32>, tensor<1x1x6x1xf32>)
// NHWC: %[[C:.+]] = kiln.conv2d %[[M]], {{.*}}layout = #kiln.layout<nhwc>
// NHWC: %[[OUT:.+]] = kiln.transpose %[[C]] [0, 3, 1, 2]
// NHWC: return %[[OUT]]
func.func @resize(%x: tensor<1x4x3x3xf32>, %w: tensor<4x4x1x1xf32>) -> tensor<1x4x6x6xf32> {
  %a = kiln.conv2d %x, %w : (tensor<1x4x3x3xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x3x3xf32>
  %i = kiln.constant dense<[0, 0, 1, 1, 2, 2]> : tensor<6xi64>
  %h = kiln.gather %a, %i {axis = 2 : i64} : (tensor<1x4x3x3xf32>, tensor<6xi64>) -> tensor<1x4x6x3xf32>
  %g = kiln.gather %h, %i {axis = -1 : i64} : (tensor<1x4x6x3xf32>, tensor<6xi64>) -> tensor<1x4x6x6xf32>
  %s = kiln.constant dense<[0.5, 1.0, 0.5, 1.0, 0.5, 1.0]> : tensor<6xf32>
  %m = kiln.mul %g, %s : (tensor<1x4x6x6xf32>, tensor<6xf32>) -> tensor<1x4x6x6xf32>
  %b = kiln.conv2d %m, %w : (tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x6x6xf32>
  return %b : tensor<1x4x6x6xf32>
}

// -----

// Must not fire: a gather by a 2-D index table changes the rank; the
// transpose back stays before it.
// NHWC-LABEL: func.func @gather_2d_indices
// NHWC: %[[T:.+]] = kiln.transpose %{{.+}} [0, 3, 1, 2]
// NHWC: kiln.gather %[[T]], %{{.+}} {axis = 2 : i64} : (tensor<1x4x3x3xf32>, tensor<2x2xi64>) -> tensor<1x4x2x2x3xf32>
func.func @gather_2d_indices(%x: tensor<1x4x3x3xf32>, %w: tensor<4x4x1x1xf32>) -> tensor<1x4x2x2x3xf32> {
  %a = kiln.conv2d %x, %w : (tensor<1x4x3x3xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x3x3xf32>
  %i = kiln.constant dense<[[0, 1], [2, 0]]> : tensor<2x2xi64>
  %g = kiln.gather %a, %i {axis = 2 : i64} : (tensor<1x4x3x3xf32>, tensor<2x2xi64>) -> tensor<1x4x2x2x3xf32>
  return %g : tensor<1x4x2x2x3xf32>
}

// -----

// Where an op cannot be renumbered (a slice), the transpose back stays
// before it; so does a non-constant operand of another shape (not a
// transposed image), which keeps its add on the old layout.
// NHWC-LABEL: func.func @stops
// NHWC: %[[A:.+]] = kiln.conv2d {{.*}}layout = #kiln.layout<nhwc>
// NHWC: %[[T:.+]] = kiln.transpose %[[A]] [0, 3, 1, 2]
// NHWC: kiln.slice %[[T]]
// NHWC: kiln.add %[[T]], %{{.+}} : (tensor<1x4x3x3xf32>, tensor<3xf32>)
func.func @stops(%x: tensor<1x4x3x3xf32>, %w: tensor<4x4x1x1xf32>, %v: tensor<3xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x4x3x3xf32>) {
  %a = kiln.conv2d %x, %w : (tensor<1x4x3x3xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x3x3xf32>
  %s = kiln.slice %a {starts = array<i64: 0, 0, 0, 0>, ends = array<i64: 1, 2, 3, 3>, steps = array<i64: 1, 1, 1, 1>} : (tensor<1x4x3x3xf32>) -> tensor<1x2x3x3xf32>
  %b = kiln.add %a, %v : (tensor<1x4x3x3xf32>, tensor<3xf32>) -> tensor<1x4x3x3xf32>
  return %s, %b : tensor<1x2x3x3xf32>, tensor<1x4x3x3xf32>
}

// -----

// The image interface changes entry points only: a function that another
// one calls, or a private one, keeps its signature (and its transposes).
// IFACE-LABEL: func.func private @callee
// IFACE-SAME: (%{{.+}}: tensor<1x4x3x3xf32>, %{{.+}}: tensor<4x4x1x1xf32>) -> tensor<1x4x3x3xf32>
// IFACE: kiln.transpose
// IFACE-LABEL: func.func @caller
// IFACE: call @callee(%{{.+}}, %{{.+}}) : (tensor<1x4x3x3xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x3x3xf32>
func.func private @callee(%x: tensor<1x4x3x3xf32>, %w: tensor<4x4x1x1xf32>) -> tensor<1x4x3x3xf32> {
  %a = kiln.conv2d %x, %w : (tensor<1x4x3x3xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x3x3xf32>
  return %a : tensor<1x4x3x3xf32>
}
func.func @caller(%x: tensor<1x4x3x3xf32>, %w: tensor<4x4x1x1xf32>) -> tensor<1x4x3x3xf32> {
  %r = func.call @callee(%x, %w) : (tensor<1x4x3x3xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x3x3xf32>
  return %r : tensor<1x4x3x3xf32>
}

// -----

// Regression (kiln-smith seed 2026, graph 19): an elementwise 4-D op none
// of whose operands is a transpose, one of them a lower-rank constant, is
// left alone, and nothing is built for it (a pattern that fails must not
// change the IR, or the rewrite never converges).
// NHWC-LABEL: func.func @no_transposed_operand
// NHWC: %[[S:.+]] = kiln.select %{{.+}}, %{{.+}}, %{{.+}} : (tensor<8xi1>, tensor<3x3x4x8xf32>, tensor<1xf32>) -> tensor<3x3x4x8xf32>
// NHWC: return %{{.+}}, %[[S]]
func.func @no_transposed_operand(%x: tensor<1x4x3x3xf32>, %w: tensor<4x4x1x1xf32>, %m: tensor<3x3x4x8xf32>, %s: tensor<1xf32>) -> (tensor<1x4x3x3xf32>, tensor<3x3x4x8xf32>) {
  %c = kiln.constant dense<[true, false, true, false, true, false, true, false]> : tensor<8xi1>
  %a = kiln.conv2d %x, %w : (tensor<1x4x3x3xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x3x3xf32>
  %r = kiln.select %c, %m, %s : (tensor<8xi1>, tensor<3x3x4x8xf32>, tensor<1xf32>) -> tensor<3x3x4x8xf32>
  return %a, %r : tensor<1x4x3x3xf32>, tensor<3x3x4x8xf32>
}

// -----

// NHWC ops go NCHW the same way.
// NCHW-LABEL: func.func @from_nhwc
// NCHW: %[[T:.+]] = kiln.transpose %{{.+}} [0, 3, 1, 2] : (tensor<1x5x5x4xf32>) -> tensor<1x4x5x5xf32>
// NCHW: %[[A:.+]] = kiln.conv2d %[[T]], %{{.+}} : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32>
// NCHW: %[[P:.+]] = kiln.pool2d avg %[[A]] {kernel = array<i64: 3, 3>} : (tensor<1x4x5x5xf32>) -> tensor<1x4x3x3xf32>
// NCHW: kiln.transpose %[[P]] [0, 2, 3, 1] : (tensor<1x4x3x3xf32>) -> tensor<1x3x3x4xf32>
func.func @from_nhwc(%x: tensor<1x5x5x4xf32>, %w: tensor<1x1x4x4xf32>) -> tensor<1x3x3x4xf32> {
  %a = kiln.conv2d %x, %w {layout = #kiln.layout<nhwc>} : (tensor<1x5x5x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x5x5x4xf32>
  %p = kiln.pool2d avg %a {kernel = array<i64: 3, 3>, layout = #kiln.layout<nhwc>} : (tensor<1x5x5x4xf32>) -> tensor<1x3x3x4xf32>
  return %p : tensor<1x3x3x4xf32>
}

// -----

// auto: each convolution votes, weighted by its multiply-adds; NHWC needs
// 128 output channels (measured on AVX-512 and with AVX2 code alike).
// AUTO-LABEL: func.func @wide
// AUTO: kiln.conv2d {{.*}}layout = #kiln.layout<nhwc>
module attributes {kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "x86-64-v4", features = "", vector_bits = 512, vector_registers = 32, l1d_cache = 32768, l2_cache = 1048576, l3_cache = 33554432>} {
  func.func @wide(%x: tensor<1x128x4x4xf32>, %w: tensor<128x128x1x1xf32>) -> tensor<1x128x4x4xf32> {
    %a = kiln.conv2d %x, %w : (tensor<1x128x4x4xf32>, tensor<128x128x1x1xf32>) -> tensor<1x128x4x4xf32>
    return %a : tensor<1x128x4x4xf32>
  }
}

// -----

// AUTO-LABEL: func.func @narrow
// AUTO-NOT: kiln.transpose
// AUTO: kiln.conv2d
// AUTO-NOT: layout
module attributes {kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "x86-64-v4", features = "", vector_bits = 512, vector_registers = 32, l1d_cache = 32768, l2_cache = 1048576, l3_cache = 33554432>} {
  func.func @narrow(%x: tensor<1x64x4x4xf32>, %w: tensor<64x64x1x1xf32>) -> tensor<1x64x4x4xf32> {
    %a = kiln.conv2d %x, %w : (tensor<1x64x4x4xf32>, tensor<64x64x1x1xf32>) -> tensor<1x64x4x4xf32>
    return %a : tensor<1x64x4x4xf32>
  }
}

// -----

// AVX2: the same 128 channels; 64 stay NCHW.
// AUTO-LABEL: func.func @avx2
// AUTO: kiln.conv2d {{.*}}layout = #kiln.layout<nhwc>
module attributes {kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver3", features = "", vector_bits = 256, vector_registers = 16, l1d_cache = 32768, l2_cache = 524288, l3_cache = 33554432>} {
  func.func @avx2(%x: tensor<1x128x4x4xf32>, %w: tensor<128x128x1x1xf32>) -> tensor<1x128x4x4xf32> {
    %a = kiln.conv2d %x, %w : (tensor<1x128x4x4xf32>, tensor<128x128x1x1xf32>) -> tensor<1x128x4x4xf32>
    return %a : tensor<1x128x4x4xf32>
  }
}

// -----

// AUTO-LABEL: func.func @avx2_narrow
// AUTO-NOT: kiln.transpose
// AUTO: return
module attributes {kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver3", features = "", vector_bits = 256, vector_registers = 16, l1d_cache = 32768, l2_cache = 524288, l3_cache = 33554432>} {
  func.func @avx2_narrow(%x: tensor<1x64x4x4xf32>, %w: tensor<64x64x1x1xf32>) -> tensor<1x64x4x4xf32> {
    %a = kiln.conv2d %x, %w : (tensor<1x64x4x4xf32>, tensor<64x64x1x1xf32>) -> tensor<1x64x4x4xf32>
    return %a : tensor<1x64x4x4xf32>
  }
}

// -----

// A depthwise convolution votes NHWC from one vector of channels (16 f32
// on AVX-512).
// AUTO-LABEL: func.func @depthwise
// AUTO: kiln.conv2d {{.*}}groups = 16 : i64, layout = #kiln.layout<nhwc>
module attributes {kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "x86-64-v4", features = "", vector_bits = 512, vector_registers = 32, l1d_cache = 32768, l2_cache = 1048576, l3_cache = 33554432>} {
  func.func @depthwise(%x: tensor<1x16x8x8xf32>, %w: tensor<16x1x3x3xf32>) -> tensor<1x16x6x6xf32> {
    %a = kiln.conv2d %x, %w {groups = 16 : i64} : (tensor<1x16x8x8xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x6x6xf32>
    return %a : tensor<1x16x6x6xf32>
  }
}
