// RUN: kiln-opt %s --kiln-cpu-im2col --split-input-file | FileCheck %s

// NCHW at batch 1: [F, C*KH*KW] x [C*KH*KW, OH*OW] accumulates straight
// into the output, reshaped; the gather's map does the window arithmetic.
// CHECK-DAG: #[[GATHER:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d0, d1 + d4, d2 + d5)>
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
// CHECK-LABEL: func.func @nchw_3x3
// CHECK-SAME: (%[[IN:[a-zA-Z0-9]+]]: tensor<1x3x10x10xf32>, %[[W:[a-zA-Z0-9]+]]: tensor<4x3x3x3xf32>, %[[ACC:[a-zA-Z0-9]+]]: tensor<1x4x8x8xf32>)
// CHECK-NOT: linalg.conv
// CHECK-DAG: %[[WM:.+]] = tensor.collapse_shape %[[W]] {{\[\[}}0], [1, 2, 3]] : tensor<4x3x3x3xf32> into tensor<4x27xf32>
// CHECK-DAG: %[[E:.+]] = tensor.empty() : tensor<3x3x3x1x8x8xf32>
// CHECK: %[[G:.+]] = linalg.generic {indexing_maps = [#[[GATHER]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%[[IN]] : tensor<1x3x10x10xf32>) outs(%[[E]] : tensor<3x3x3x1x8x8xf32>)
// CHECK-NEXT: ^bb0(%[[X:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: linalg.yield %[[X]] : f32
// CHECK: %[[COL:.+]] = tensor.collapse_shape %[[G]] {{\[\[}}0, 1, 2], [3, 4, 5]] : tensor<3x3x3x1x8x8xf32> into tensor<27x64xf32>
// CHECK: %[[A:.+]] = tensor.collapse_shape %[[ACC]] {{\[\[}}0, 1], [2, 3]] : tensor<1x4x8x8xf32> into tensor<4x64xf32>
// CHECK: %[[MM:.+]] = linalg.matmul ins(%[[WM]], %[[COL]] : tensor<4x27xf32>, tensor<27x64xf32>) outs(%[[A]] : tensor<4x64xf32>)
// CHECK: %[[R:.+]] = tensor.expand_shape %[[MM]] {{\[\[}}0, 1], [2, 3]] output_shape [1, 4, 8, 8]
// CHECK: return %[[R]]
func.func @nchw_3x3(%in: tensor<1x3x10x10xf32>, %w: tensor<4x3x3x3xf32>, %acc: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) outs(%acc : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// NCHW, strided and dilated, batch 2 (OW = 3: columns 0 to 10 are read
// of 13): the product [F, N*OH*OW] is
// accumulated from zero and added to the accumulator while transposing the
// batch back outside the channels.
// CHECK-DAG: #[[GATHER:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d0, d4 * 2 + d1 * 3, d5 * 3 + d2 * 2)>
// CHECK-DAG: #[[TRANSPOSE:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d0, d2, d3)>
// CHECK-DAG: #[[ID4:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @nchw_strided_dilated_batch
// CHECK-SAME: (%[[IN:[a-zA-Z0-9]+]]: tensor<2x3x11x13xf32>, %[[W:[a-zA-Z0-9]+]]: tensor<5x3x3x3xf32>, %[[ACC:[a-zA-Z0-9]+]]: tensor<2x5x3x3xf32>)
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[WM:.+]] = tensor.collapse_shape %[[W]] {{\[\[}}0], [1, 2, 3]] : tensor<5x3x3x3xf32> into tensor<5x27xf32>
// The last two input columns are past the last window: they are cut off,
// so that the gather's map covers its input exactly.
// CHECK-DAG: %[[CUT:.+]] = tensor.extract_slice %[[IN]][0, 0, 0, 0] [2, 3, 11, 11] [1, 1, 1, 1] : tensor<2x3x11x13xf32> to tensor<2x3x11x11xf32>
// CHECK: %[[G:.+]] = linalg.generic {indexing_maps = [#[[GATHER]], #{{.+}}]{{.*}} ins(%[[CUT]] : tensor<2x3x11x11xf32>) outs(%{{.+}} : tensor<3x3x3x2x3x3xf32>)
// CHECK: %[[COL:.+]] = tensor.collapse_shape %[[G]] {{\[\[}}0, 1, 2], [3, 4, 5]] : tensor<3x3x3x2x3x3xf32> into tensor<27x18xf32>
// CHECK: %[[E:.+]] = tensor.empty() : tensor<5x2x3x3xf32>
// CHECK: %[[F:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<5x2x3x3xf32>)
// CHECK: %[[A:.+]] = tensor.collapse_shape %[[F]] {{\[\[}}0], [1, 2, 3]] : tensor<5x2x3x3xf32> into tensor<5x18xf32>
// CHECK: %[[MM:.+]] = linalg.matmul ins(%[[WM]], %[[COL]] : tensor<5x27xf32>, tensor<27x18xf32>) outs(%[[A]] : tensor<5x18xf32>)
// CHECK: %[[P:.+]] = tensor.expand_shape %[[MM]] {{\[\[}}0], [1, 2, 3]] output_shape [5, 2, 3, 3]
// CHECK: %[[R:.+]] = linalg.generic {indexing_maps = [#[[TRANSPOSE]], #[[ID4]]]{{.*}} ins(%[[P]] : tensor<5x2x3x3xf32>) outs(%[[ACC]] : tensor<2x5x3x3xf32>)
// CHECK-NEXT: ^bb0(%[[X:.+]]: f32, %[[Y:.+]]: f32):
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[Y]], %[[X]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK: return %[[R]]
func.func @nchw_strided_dilated_batch(%in: tensor<2x3x11x13xf32>, %w: tensor<5x3x3x3xf32>, %acc: tensor<2x5x3x3xf32>) -> tensor<2x5x3x3xf32> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<[3, 2]> : tensor<2xi64>, strides = dense<[2, 3]> : tensor<2xi64>} ins(%in, %w : tensor<2x3x11x13xf32>, tensor<5x3x3x3xf32>) outs(%acc : tensor<2x5x3x3xf32>) -> tensor<2x5x3x3xf32>
  return %0 : tensor<2x5x3x3xf32>
}

// -----

// NCHW with a dynamic batch: the batch sizes the column matrix.
// CHECK-LABEL: func.func @nchw_dynamic_batch
// CHECK-SAME: (%[[IN:[a-zA-Z0-9]+]]: tensor<?x3x8x8xf32>
// CHECK: %[[N:.+]] = tensor.dim %[[IN]], %{{.+}} : tensor<?x3x8x8xf32>
// CHECK: tensor.empty(%[[N]]) : tensor<3x3x3x?x6x6xf32>
// CHECK: tensor.collapse_shape %{{.+}} : tensor<3x3x3x?x6x6xf32> into tensor<27x?xf32>
// CHECK: tensor.empty(%[[N]]) : tensor<4x?x6x6xf32>
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<4x27xf32>, tensor<27x?xf32>) outs(%{{.+}} : tensor<4x?xf32>)
// CHECK: linalg.generic {{.*}} ins(%{{.+}} : tensor<4x?x6x6xf32>) outs(%{{.+}} : tensor<?x4x6x6xf32>)
func.func @nchw_dynamic_batch(%in: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %acc: tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%acc : tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32>
  return %0 : tensor<?x4x6x6xf32>
}

// -----

// NHWC: [N*OH*OW, KH*KW*C] x [KH*KW*C, F] is already the output's layout;
// stride 2 and a dynamic batch.
// CHECK-DAG: #[[GATHER:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d3, d2 * 2 + d4, d5)>
// CHECK-LABEL: func.func @nhwc_strided_dynamic_batch
// CHECK-SAME: (%[[IN:[a-zA-Z0-9]+]]: tensor<?x9x9x3xf32>, %[[W:[a-zA-Z0-9]+]]: tensor<3x3x3x8xf32>, %[[ACC:[a-zA-Z0-9]+]]: tensor<?x4x4x8xf32>)
// CHECK: %[[N:.+]] = tensor.dim %[[IN]], %[[C0:.+]] : tensor<?x9x9x3xf32>
// CHECK: %[[WM:.+]] = tensor.collapse_shape %[[W]] {{\[\[}}0, 1, 2], [3]] : tensor<3x3x3x8xf32> into tensor<27x8xf32>
// CHECK: %[[E:.+]] = tensor.empty(%[[N]]) : tensor<?x4x4x3x3x3xf32>
// CHECK: %[[G:.+]] = linalg.generic {indexing_maps = [#[[GATHER]], #{{.+}}]{{.*}} ins(%[[IN]] : tensor<?x9x9x3xf32>) outs(%[[E]] : tensor<?x4x4x3x3x3xf32>)
// CHECK: %[[COL:.+]] = tensor.collapse_shape %[[G]] {{\[\[}}0, 1, 2], [3, 4, 5]] : tensor<?x4x4x3x3x3xf32> into tensor<?x27xf32>
// CHECK: %[[A:.+]] = tensor.collapse_shape %[[ACC]] {{\[\[}}0, 1, 2], [3]] : tensor<?x4x4x8xf32> into tensor<?x8xf32>
// CHECK: %[[MM:.+]] = linalg.matmul ins(%[[COL]], %[[WM]] : tensor<?x27xf32>, tensor<27x8xf32>) outs(%[[A]] : tensor<?x8xf32>)
// CHECK: %[[M:.+]] = tensor.dim %[[ACC]], %[[C0]]
// CHECK: %[[R:.+]] = tensor.expand_shape %[[MM]] {{\[\[}}0, 1, 2], [3]] output_shape [%[[M]], 4, 4, 8]
// CHECK: return %[[R]]
func.func @nhwc_strided_dynamic_batch(%in: tensor<?x9x9x3xf32>, %w: tensor<3x3x3x8xf32>, %acc: tensor<?x4x4x8xf32>) -> tensor<?x4x4x8xf32> {
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%in, %w : tensor<?x9x9x3xf32>, tensor<3x3x3x8xf32>) outs(%acc : tensor<?x4x4x8xf32>) -> tensor<?x4x4x8xf32>
  return %0 : tensor<?x4x4x8xf32>
}

// -----

// NHWC, dilated.
// CHECK-DAG: #[[GATHER:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d3 * 2, d2 + d4 * 2, d5)>
// CHECK-LABEL: func.func @nhwc_dilated
// CHECK: linalg.generic {indexing_maps = [#[[GATHER]], #{{.+}}]{{.*}} outs(%{{.+}} : tensor<1x5x5x3x3x3xf32>)
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<25x27xf32>, tensor<27x8xf32>) outs(%{{.+}} : tensor<25x8xf32>)
func.func @nhwc_dilated(%in: tensor<1x9x9x3xf32>, %w: tensor<3x3x3x8xf32>, %acc: tensor<1x5x5x8xf32>) -> tensor<1x5x5x8xf32> {
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<1x9x9x3xf32>, tensor<3x3x3x8xf32>) outs(%acc : tensor<1x5x5x8xf32>) -> tensor<1x5x5x8xf32>
  return %0 : tensor<1x5x5x8xf32>
}

// -----

// 1x1 at stride 1 needs no gather: the input is the column matrix.
// CHECK-LABEL: func.func @nchw_1x1
// CHECK-SAME: (%[[IN:[a-zA-Z0-9]+]]: tensor<1x16x7x5xf32>, %[[W:[a-zA-Z0-9]+]]: tensor<8x16x1x1xf32>, %[[ACC:[a-zA-Z0-9]+]]: tensor<1x8x7x5xf32>)
// CHECK-NOT: linalg.generic
// CHECK-DAG: %[[WM:.+]] = tensor.collapse_shape %[[W]] {{\[\[}}0], [1, 2, 3]] : tensor<8x16x1x1xf32> into tensor<8x16xf32>
// CHECK-DAG: %[[COL:.+]] = tensor.collapse_shape %[[IN]] {{\[\[}}0, 1], [2, 3]] : tensor<1x16x7x5xf32> into tensor<16x35xf32>
// CHECK-DAG: %[[A:.+]] = tensor.collapse_shape %[[ACC]] {{\[\[}}0, 1], [2, 3]] : tensor<1x8x7x5xf32> into tensor<8x35xf32>
// CHECK: linalg.matmul ins(%[[WM]], %[[COL]] : tensor<8x16xf32>, tensor<16x35xf32>) outs(%[[A]] : tensor<8x35xf32>)
// CHECK-NOT: linalg.generic
func.func @nchw_1x1(%in: tensor<1x16x7x5xf32>, %w: tensor<8x16x1x1xf32>, %acc: tensor<1x8x7x5xf32>) -> tensor<1x8x7x5xf32> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<1x16x7x5xf32>, tensor<8x16x1x1xf32>) outs(%acc : tensor<1x8x7x5xf32>) -> tensor<1x8x7x5xf32>
  return %0 : tensor<1x8x7x5xf32>
}

// -----

// CHECK-LABEL: func.func @nhwc_1x1_batch
// CHECK-SAME: (%[[IN:[a-zA-Z0-9]+]]: tensor<3x7x5x16xf32>
// CHECK-NOT: linalg.generic
// CHECK: %[[COL:.+]] = tensor.collapse_shape %[[IN]] {{\[\[}}0, 1, 2], [3]] : tensor<3x7x5x16xf32> into tensor<105x16xf32>
// CHECK: linalg.matmul ins(%[[COL]], %{{.+}} : tensor<105x16xf32>, tensor<16x8xf32>) outs(%{{.+}} : tensor<105x8xf32>)
func.func @nhwc_1x1_batch(%in: tensor<3x7x5x16xf32>, %w: tensor<1x1x16x8xf32>, %acc: tensor<3x7x5x8xf32>) -> tensor<3x7x5x8xf32> {
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<3x7x5x16xf32>, tensor<1x1x16x8xf32>) outs(%acc : tensor<3x7x5x8xf32>) -> tensor<3x7x5x8xf32>
  return %0 : tensor<3x7x5x8xf32>
}

// -----

// A strided 1x1 is a (subsampling) gather.
// CHECK-DAG: #[[GATHER:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d0, d4 * 2 + d1, d5 * 2 + d2)>
// CHECK-LABEL: func.func @nchw_1x1_stride2
// CHECK: linalg.generic {indexing_maps = [#[[GATHER]], #{{.+}}]{{.*}} outs(%{{.+}} : tensor<16x1x1x1x4x3xf32>)
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<8x16xf32>, tensor<16x12xf32>)
func.func @nchw_1x1_stride2(%in: tensor<1x16x7x5xf32>, %w: tensor<8x16x1x1xf32>, %acc: tensor<1x8x4x3xf32>) -> tensor<1x8x4x3xf32> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%in, %w : tensor<1x16x7x5xf32>, tensor<8x16x1x1xf32>) outs(%acc : tensor<1x8x4x3xf32>) -> tensor<1x8x4x3xf32>
  return %0 : tensor<1x8x4x3xf32>
}

// -----

// A frozen filter (a dense_resource blob) is reshaped at compile time, on
// its bytes, so that packing it folds too.
// CHECK-LABEL: func.func @frozen_filter
// CHECK: %[[WM:.+]] = arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-NOT: tensor.collapse_shape %{{.+}} : tensor<2x2x1x1xf32>
// CHECK: linalg.matmul ins(%[[WM]], %{{.+}} : tensor<2x2xf32>, tensor<2x6xf32>)
func.func @frozen_filter(%in: tensor<1x2x3x2xf32>, %acc: tensor<1x2x3x2xf32>) -> tensor<1x2x3x2xf32> {
  %w = arith.constant dense_resource<filter> : tensor<2x2x1x1xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<1x2x3x2xf32>, tensor<2x2x1x1xf32>) outs(%acc : tensor<1x2x3x2xf32>) -> tensor<1x2x3x2xf32>
  return %0 : tensor<1x2x3x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      filter: "0x040000000000803F000000400000404000008040"
    }
  }
#-}

// -----

// Depthwise convolutions (sums of taps, kiln-cpu-decompose-windows),
// grouped ones at a batch other than 1, and other element types keep their
// own paths.
// CHECK-LABEL: func.func @depthwise
// CHECK: linalg.depthwise_conv_2d_nchw_chw
// CHECK-NOT: linalg.matmul
func.func @depthwise(%in: tensor<1x8x9x9xf32>, %w: tensor<8x3x3xf32>, %acc: tensor<1x8x7x7xf32>) -> tensor<1x8x7x7xf32> {
  %0 = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<1x8x9x9xf32>, tensor<8x3x3xf32>) outs(%acc : tensor<1x8x7x7xf32>) -> tensor<1x8x7x7xf32>
  return %0 : tensor<1x8x7x7xf32>
}

// -----

// A grouped NCHW convolution at batch 1 is one batch_matmul over the groups:
// [G, F, C*KH*KW] x [G, C*KH*KW, OH*OW]. The window gather cuts the input to
// the rows and columns the windows read (stride 2: 7 of 8).
// CHECK-DAG: #[[GGATHER:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4 * 2 + d2, d5 * 2 + d3)>
// CHECK-LABEL: func.func @grouped
// CHECK-SAME: (%[[IN:[a-zA-Z0-9]+]]: tensor<1x2x3x8x8xf32>, %[[W:[a-zA-Z0-9]+]]: tensor<2x4x3x3x3xf32>, %[[ACC:[a-zA-Z0-9]+]]: tensor<1x2x4x3x3xf32>)
// CHECK-DAG: %[[IMG:.+]] = tensor.collapse_shape %[[IN]] {{\[\[}}0, 1], [2], [3], [4]] : tensor<1x2x3x8x8xf32> into tensor<2x3x8x8xf32>
// CHECK-DAG: %[[CUT:.+]] = tensor.extract_slice %[[IMG]][0, 0, 0, 0] [2, 3, 7, 7] [1, 1, 1, 1]
// CHECK: %[[G:.+]] = linalg.generic {indexing_maps = [#[[GGATHER]], #{{.+}}]{{.*}} ins(%[[CUT]] : tensor<2x3x7x7xf32>) outs(%{{.+}} : tensor<2x3x3x3x3x3xf32>)
// CHECK: %[[COL:.+]] = tensor.collapse_shape %[[G]] {{\[\[}}0], [1, 2, 3], [4, 5]] : tensor<2x3x3x3x3x3xf32> into tensor<2x27x9xf32>
// CHECK: %[[WM:.+]] = tensor.collapse_shape %[[W]] {{\[\[}}0], [1], [2, 3, 4]] : tensor<2x4x3x3x3xf32> into tensor<2x4x27xf32>
// CHECK: %[[A:.+]] = tensor.collapse_shape %[[ACC]] {{\[\[}}0, 1], [2], [3, 4]] : tensor<1x2x4x3x3xf32> into tensor<2x4x9xf32>
// CHECK: %[[MM:.+]] = linalg.batch_matmul ins(%[[WM]], %[[COL]] : tensor<2x4x27xf32>, tensor<2x27x9xf32>) outs(%[[A]] : tensor<2x4x9xf32>)
// CHECK: %[[R:.+]] = tensor.expand_shape %[[MM]] {{\[\[}}0, 1], [2], [3, 4]] output_shape [1, 2, 4, 3, 3]
// CHECK: return %[[R]]
func.func @grouped(%in: tensor<1x2x3x8x8xf32>, %w: tensor<2x4x3x3x3xf32>, %acc: tensor<1x2x4x3x3xf32>) -> tensor<1x2x4x3x3xf32> {
  %0 = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%in, %w : tensor<1x2x3x8x8xf32>, tensor<2x4x3x3x3xf32>) outs(%acc : tensor<1x2x4x3x3xf32>) -> tensor<1x2x4x3x3xf32>
  return %0 : tensor<1x2x4x3x3xf32>
}

// CHECK-LABEL: func.func @grouped_batch2
// CHECK: linalg.conv_2d_ngchw_gfchw
// CHECK-NOT: linalg.batch_matmul
func.func @grouped_batch2(%in: tensor<2x2x3x7x7xf32>, %w: tensor<2x2x3x3x3xf32>, %acc: tensor<2x2x2x5x5xf32>) -> tensor<2x2x2x5x5xf32> {
  %0 = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<2x2x3x7x7xf32>, tensor<2x2x3x3x3xf32>) outs(%acc : tensor<2x2x2x5x5xf32>) -> tensor<2x2x2x5x5xf32>
  return %0 : tensor<2x2x2x5x5xf32>
}

// CHECK-LABEL: func.func @f64
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-NOT: linalg.matmul
func.func @f64(%in: tensor<1x3x10x10xf64>, %w: tensor<4x3x3x3xf64>, %acc: tensor<1x4x8x8xf64>) -> tensor<1x4x8x8xf64> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<1x3x10x10xf64>, tensor<4x3x3x3xf64>) outs(%acc : tensor<1x4x8x8xf64>) -> tensor<1x4x8x8xf64>
  return %0 : tensor<1x4x8x8xf64>
}

// CHECK-LABEL: func.func @nhwc_f16
// CHECK: linalg.conv_2d_nhwc_hwcf
// CHECK-NOT: linalg.matmul
func.func @nhwc_f16(%in: tensor<1x9x9x3xf16>, %w: tensor<3x3x3x8xf16>, %acc: tensor<1x7x7x8xf32>) -> tensor<1x7x7x8xf32> {
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<1x9x9x3xf16>, tensor<3x3x3x8xf16>) outs(%acc : tensor<1x7x7x8xf32>) -> tensor<1x7x7x8xf32>
  return %0 : tensor<1x7x7x8xf32>
}

// CHECK-LABEL: func.func @dynamic_spatial
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-NOT: linalg.matmul
func.func @dynamic_spatial(%in: tensor<1x3x?x10xf32>, %w: tensor<4x3x3x3xf32>, %acc: tensor<1x4x?x8xf32>) -> tensor<1x4x?x8xf32> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<1x3x?x10xf32>, tensor<4x3x3x3xf32>) outs(%acc : tensor<1x4x?x8xf32>) -> tensor<1x4x?x8xf32>
  return %0 : tensor<1x4x?x8xf32>
}

// A convolution inside loops was tiled by a user schedule, which replaces
// the built-in strategy.
// CHECK-LABEL: func.func @tiled_by_schedule
// CHECK: scf.for
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-NOT: linalg.matmul
func.func @tiled_by_schedule(%in: tensor<1x3x10x10xf32>, %w: tensor<4x3x3x3xf32>, %acc: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %r = scf.for %i = %c0 to %c2 step %c1 iter_args(%a = %acc) -> (tensor<1x4x8x8xf32>) {
    %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) outs(%a : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
    scf.yield %0 : tensor<1x4x8x8xf32>
  }
  return %r : tensor<1x4x8x8xf32>
}

// -----

// Canonicalization made the output's batch static while the input's is
// dynamic (found by kiln-smith): left to the generic convolution.
// CHECK-LABEL: func.func @batch_static_in_output_only
// CHECK-NOT: linalg.matmul
// CHECK: linalg.conv_2d_nhwc_hwcf
func.func @batch_static_in_output_only(%in: tensor<?x4x4x2xf32>, %w: tensor<3x3x2x5xf32>, %acc: tensor<2x2x2x5xf32>) -> tensor<2x2x2x5xf32> {
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<?x4x4x2xf32>, tensor<3x3x2x5xf32>) outs(%acc : tensor<2x2x2x5xf32>) -> tensor<2x2x2x5xf32>
  return %0 : tensor<2x2x2x5xf32>
}
