// RUN: kiln-opt %s --split-input-file --kiln-quantize="mode=int8-dynamic" --mlir-print-local-scope | FileCheck %s --check-prefix=DYN
// RUN: kiln-opt %s --split-input-file --kiln-quantize="mode=int8" --mlir-print-local-scope | FileCheck %s --check-prefix=STATIC
// RUN: kiln-opt %s --split-input-file --kiln-quantize="mode=int8-weights" --mlir-print-local-scope | FileCheck %s --check-prefix=WEIGHTS

// Weights by hand, per output channel (row of [N, K]): row 0 max |w| = 2,
// scale 2/127, q = round(w * 63.5) = [64, -127, 32, 16]; row 1 is all
// zero (scale 1, q = 0); row 2 max 3, q = round(w * 42.33) =
// [127, 42, -42, 85].

// DYN-LABEL: func.func @linear
// DYN-SAME: (%[[X:.+]]: tensor<?x4xf32>)
// DYN-DAG: %[[ZERO:.+]] = kiln.constant dense<0.000000e+00> : tensor<f32>
// DYN-DAG: %[[MIN:.+]] = kiln.reduce_min %[[X]] {keepdims = false} : (tensor<?x4xf32>) -> tensor<f32>
// DYN-DAG: %[[LO:.+]] = kiln.min %[[MIN]], %[[ZERO]]
// DYN-DAG: %[[MAX:.+]] = kiln.reduce_max %[[X]] {keepdims = false} : (tensor<?x4xf32>) -> tensor<f32>
// DYN-DAG: %[[HI:.+]] = kiln.max %[[MAX]], %[[ZERO]]
// DYN: %[[RANGE:.+]] = kiln.sub %[[HI]], %[[LO]]
// DYN: %[[STEP:.+]] = kiln.mul %[[RANGE]], %{{.+}} : (tensor<f32>, tensor<f32>) -> tensor<f32>
// DYN: %[[SCALE:.+]] = kiln.max %[[STEP]], %{{.+}} : (tensor<f32>, tensor<f32>) -> tensor<f32>
// DYN: %[[INV:.+]] = kiln.div %{{.+}}, %[[SCALE]]
// DYN: %[[ZP:.+]] = kiln.clamp %{{.+}} {max = 2.550000e+02 : f64, min = 0.000000e+00 : f64} : (tensor<f32>) -> tensor<f32>
// DYN: %[[XS:.+]] = kiln.mul %[[X]], %[[INV]]
// DYN: %[[XR:.+]] = kiln.round %[[XS]]
// DYN: %[[XZ:.+]] = kiln.add %[[XR]], %[[ZP]]
// DYN: %[[XC:.+]] = kiln.clamp %[[XZ]] {max = 2.550000e+02 : f64, min = 0.000000e+00 : f64}
// DYN: %[[XQ:.+]] = kiln.cast %[[XC]] : (tensor<?x4xf32>) -> tensor<?x4xui8>
// DYN: %[[ZPQ:.+]] = kiln.cast %[[ZP]] : (tensor<f32>) -> tensor<ui8>
// DYN: %[[WQ:.+]] = kiln.constant dense<{{\[\[}}64, -127, 32, 16], [0, 0, 0, 0], [127, 42, -42, 85]]> : tensor<3x4xi8>
// DYN: %[[ACC:.+]] = kiln.matmul_integer %[[XQ]], %[[WQ]] lhs_zero_point(%[[ZPQ]]) {transpose_rhs = true} : (tensor<?x4xui8>, tensor<3x4xi8>, tensor<ui8>) -> tensor<?x3xi32>
// DYN: %[[ACCF:.+]] = kiln.cast %[[ACC]] : (tensor<?x3xi32>) -> tensor<?x3xf32>
// DYN: %[[WS:.+]] = kiln.constant dense<[0.0157480314, 1.000000e+00, 0.0236220472]> : tensor<3xf32>
// DYN: %[[M:.+]] = kiln.mul %[[SCALE]], %[[WS]] : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
// DYN: %[[Y:.+]] = kiln.mul %[[ACCF]], %[[M]]
// DYN: %[[YB:.+]] = kiln.add %[[Y]], %{{.+}} : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
// DYN-NOT: kiln.linear
// DYN: return %[[YB]]

// int8-weights keeps the float layer, on weights stored as int8 and
// dequantized per output channel when it runs.
// WEIGHTS-LABEL: func.func @linear
// WEIGHTS-SAME: (%[[X:.+]]: tensor<?x4xf32>)
// WEIGHTS: %[[B:.+]] = kiln.constant dense<[5.000000e-01, 1.000000e+00, -1.000000e+00]>
// WEIGHTS: %[[WQ:.+]] = kiln.constant dense<{{\[\[}}64, -127, 32, 16], [0, 0, 0, 0], [127, 42, -42, 85]]> : tensor<3x4xi8>
// WEIGHTS: %[[S:.+]] = kiln.constant dense<{{\[\[}}0.0157480314], [1.000000e+00], [0.0236220472]]> : tensor<3x1xf32>
// WEIGHTS: %[[WF:.+]] = kiln.cast %[[WQ]] : (tensor<3x4xi8>) -> tensor<3x4xf32>
// WEIGHTS: %[[W:.+]] = kiln.mul %[[WF]], %[[S]]
// WEIGHTS: kiln.linear %[[X]], %[[W]], %[[B]]
// WEIGHTS-NOT: matmul_integer

// Without a calibrated range, int8 leaves the op alone.
// STATIC-LABEL: func.func @linear
// STATIC-NOT: kiln.matmul_integer
// STATIC: kiln.linear
func.func @linear(%x: tensor<?x4xf32>) -> tensor<?x3xf32> {
  %w = kiln.constant dense<[[1.0, -2.0, 0.5, 0.25], [0.0, 0.0, 0.0, 0.0], [3.0, 1.0, -1.0, 2.0]]> : tensor<3x4xf32>
  %b = kiln.constant dense<[0.5, 1.0, -1.0]> : tensor<3xf32>
  %y = kiln.linear %x, %w, %b : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// -----

// A calibrated range [-1, 1.55]: scale 2.55 / 255 = 0.01, zero point
// round(1 / 0.01) = 100, all constants. A matmul's weights [K, N] are
// quantized per column.
// STATIC-LABEL: func.func @matmul_calibrated
// STATIC-SAME: (%[[X:.+]]: tensor<2x3x2xf32>)
// STATIC-DAG: %[[INV:.+]] = kiln.constant dense<1.000000e+02> : tensor<f32>
// STATIC-DAG: %[[ZP:.+]] = kiln.constant dense<1.000000e+02> : tensor<f32>
// STATIC-DAG: %[[SCALE:.+]] = kiln.constant dense<0.00999999977> : tensor<f32>
// STATIC: %[[XS:.+]] = kiln.mul %[[X]], %[[INV]]
// STATIC: %[[XQ:.+]] = kiln.cast %{{.+}} : (tensor<2x3x2xf32>) -> tensor<2x3x2xui8>
// STATIC: %[[WQ:.+]] = kiln.constant dense<{{\[\[}}127, -64], [-127, 127]]> : tensor<2x2xi8>
// STATIC: kiln.matmul_integer %[[XQ]], %[[WQ]] lhs_zero_point(%{{.+}}) : (tensor<2x3x2xui8>, tensor<2x2xi8>, tensor<ui8>) -> tensor<2x3x2xi32>
// STATIC-NOT: kiln.matmul %
// STATIC-NOT: kiln.reduce
// DYN-LABEL: func.func @matmul_calibrated
// DYN: kiln.reduce_min
// DYN: kiln.matmul_integer
func.func @matmul_calibrated(%x: tensor<2x3x2xf32>) -> tensor<2x3x2xf32> {
  %w = kiln.constant dense<[[2.0, -1.0], [-2.0, 2.0]]> : tensor<2x2xf32>
  %y = kiln.matmul %x, %w {kiln.calibrated_range = array<f64: -1.0, 1.55>} : (tensor<2x3x2xf32>, tensor<2x2xf32>) -> tensor<2x3x2xf32>
  return %y : tensor<2x3x2xf32>
}

// -----

// Not rewritten: weights computed at run time, a transposed lhs, weights
// of another type, weights that are not finite, an op marked to stay in
// float.
// STATIC-LABEL: func.func @not_quantized
// STATIC-NOT: kiln.matmul_integer
// DYN-LABEL: func.func @not_quantized
// DYN-NOT: kiln.matmul_integer
// DYN-COUNT-2: kiln.matmul
// DYN-COUNT-3: kiln.linear
// DYN: return
func.func @not_quantized(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>, %h: tensor<4x8xf16>) -> (tensor<4x8xf32>, tensor<8x8xf32>, tensor<4x2xf16>, tensor<4x2xf32>, tensor<4x2xf32>) {
  %c = kiln.constant dense<1.0> : tensor<8x8xf32>
  %a = kiln.matmul %x, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %xt = kiln.constant dense<1.0> : tensor<8x8xf32>
  %b = kiln.matmul %xt, %c {transpose_lhs = true} : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
  %wh = kiln.constant dense<1.0> : tensor<2x8xf16>
  %d = kiln.linear %h, %wh : (tensor<4x8xf16>, tensor<2x8xf16>) -> tensor<4x2xf16>
  %wn = kiln.constant dense<0x7FC00000> : tensor<2x8xf32>
  %e = kiln.linear %x, %wn : (tensor<4x8xf32>, tensor<2x8xf32>) -> tensor<4x2xf32>
  %wf = kiln.constant dense<1.0> : tensor<2x8xf32>
  %f = kiln.linear %x, %wf {kiln.quantize = false} : (tensor<4x8xf32>, tensor<2x8xf32>) -> tensor<4x2xf32>
  return %a, %b, %d, %e, %f : tensor<4x8xf32>, tensor<8x8xf32>, tensor<4x2xf16>, tensor<4x2xf32>, tensor<4x2xf32>
}

// -----

// A convolution is padded in float (padding quantizes to the zero point),
// quantized, cut into one strided window slice per kernel tap, and those
// concatenated along the channels (K ordered kh, kw, c) as the rows of an
// int8 matmul with the filter viewed as [KH*KW*C, F]; NCHW goes through
// NHWC and back.
// A convolution's filter keeps its layout: scales along F.
// WEIGHTS-LABEL: func.func @conv_nchw
// WEIGHTS: kiln.constant dense<127> : tensor<3x2x2x2xi8>
// WEIGHTS: kiln.constant dense<0.00393700786> : tensor<3x1x1x1xf32>
// WEIGHTS: kiln.conv2d
// DYN-LABEL: func.func @conv_nchw
// DYN-SAME: (%[[X:.+]]: tensor<1x2x5x5xf32>)
// DYN: kiln.reduce_min %[[X]]
// DYN: %[[P:.+]] = kiln.pad %[[X]] {high = array<i64: 0, 0, 1, 1>, low = array<i64: 0, 0, 1, 1>} : (tensor<1x2x5x5xf32>) -> tensor<1x2x7x7xf32>
// DYN: %[[Q:.+]] = kiln.cast %{{.+}} : (tensor<1x2x7x7xf32>) -> tensor<1x2x7x7xui8>
// DYN: %[[T0:.+]] = kiln.slice %[[Q]] {ends = array<i64: 9223372036854775807, 9223372036854775807, 5, 5>, starts = array<i64: 0, 0, 0, 0>, steps = array<i64: 1, 1, 2, 2>} : (tensor<1x2x7x7xui8>) -> tensor<1x2x3x3xui8>
// DYN: %[[T3:.+]] = kiln.slice %[[Q]] {ends = array<i64: 9223372036854775807, 9223372036854775807, 7, 7>, starts = array<i64: 0, 0, 2, 2>, steps = array<i64: 1, 1, 2, 2>} : (tensor<1x2x7x7xui8>) -> tensor<1x2x3x3xui8>
// DYN: %[[C:.+]] = kiln.concat %[[T0]], %{{.+}}, %{{.+}}, %[[T3]] {axis = 1 : i64} : (tensor<1x2x3x3xui8>, tensor<1x2x3x3xui8>, tensor<1x2x3x3xui8>, tensor<1x2x3x3xui8>) -> tensor<1x8x3x3xui8>
// DYN: %[[CT:.+]] = kiln.transpose %[[C]] [0, 2, 3, 1] : (tensor<1x8x3x3xui8>) -> tensor<1x3x3x8xui8>
// DYN: %[[COLS:.+]] = kiln.reshape %[[CT]] [-1, 8] : (tensor<1x3x3x8xui8>) -> tensor<9x8xui8>
// DYN: %[[ACC:.+]] = kiln.matmul_integer %[[COLS]], %{{.+}} lhs_zero_point(%{{.+}}) : (tensor<9x8xui8>, tensor<8x3xi8>, tensor<ui8>) -> tensor<9x3xi32>
// DYN: %[[YB:.+]] = kiln.add %{{.+}}, %{{.+}} : (tensor<9x3xf32>, tensor<3xf32>) -> tensor<9x3xf32>
// DYN: %[[Y:.+]] = kiln.reshape %[[YB]] [-1, 3, 3, 3] : (tensor<9x3xf32>) -> tensor<1x3x3x3xf32>
// DYN: %[[YT:.+]] = kiln.transpose %[[Y]] [0, 3, 1, 2] : (tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>
// DYN: return %[[YT]]
func.func @conv_nchw(%x: tensor<1x2x5x5xf32>) -> tensor<1x3x3x3xf32> {
  %w = kiln.constant dense<0.5> : tensor<3x2x2x2xf32>
  %b = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %y = kiln.conv2d %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x5x5xf32>, tensor<3x2x2x2xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32>
  return %y : tensor<1x3x3x3xf32>
}

// -----

// Grouped and depthwise convolutions, and ones with dynamic spatial sizes,
// stay in float.
// DYN-LABEL: func.func @conv_not_quantized
// DYN-NOT: kiln.matmul_integer
// DYN-COUNT-2: kiln.conv2d
// DYN: return
func.func @conv_not_quantized(%x: tensor<1x4x5x5xf32>, %d: tensor<1x4x?x5xf32>) -> (tensor<1x4x5x5xf32>, tensor<1x4x?x5xf32>) {
  %w = kiln.constant dense<0.5> : tensor<4x1x1x1xf32>
  %y = kiln.conv2d %x, %w {groups = 4 : i64} : (tensor<1x4x5x5xf32>, tensor<4x1x1x1xf32>) -> tensor<1x4x5x5xf32>
  %w2 = kiln.constant dense<0.5> : tensor<4x4x1x1xf32>
  %z = kiln.conv2d %d, %w2 : (tensor<1x4x?x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x?x5xf32>
  return %y, %z : tensor<1x4x5x5xf32>, tensor<1x4x?x5xf32>
}
