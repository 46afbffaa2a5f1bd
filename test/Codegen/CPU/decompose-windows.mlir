// RUN: kiln-opt %s --split-input-file --kiln-cpu-decompose-windows | FileCheck %s
// RUN: kiln-opt %s --split-input-file --kiln-cpu-decompose-windows="max-taps=4" | FileCheck %s --check-prefix=SMALL
// RUN: kiln-opt %s --split-input-file --kiln-cpu-decompose-windows --kiln-cpu-select-strategy | FileCheck %s --check-prefix=STRATEGY

// A strided, dilated NCHW depthwise convolution: one window of the input and
// one filter column per tap, combined by the op's own body in (kh, kw)
// order, starting from the output operand.
// CHECK-LABEL: func.func @depthwise_nchw
// CHECK-SAME: (%[[IN:.+]]: tensor<1x8x15x16xf32>, %[[F:.+]]: tensor<8x2x2xf32>, %[[ACC:.+]]: tensor<1x8x6x7xf32>)
// CHECK-DAG: %[[T0:.+]] = tensor.extract_slice %[[IN]][0, 0, 0, 0] [1, 8, 6, 7] [1, 1, 2, 2]
// CHECK-DAG: %[[T1:.+]] = tensor.extract_slice %[[IN]][0, 0, 0, 3] [1, 8, 6, 7] [1, 1, 2, 2]
// CHECK-DAG: %[[T2:.+]] = tensor.extract_slice %[[IN]][0, 0, 3, 0] [1, 8, 6, 7] [1, 1, 2, 2]
// CHECK-DAG: %[[T3:.+]] = tensor.extract_slice %[[IN]][0, 0, 3, 3] [1, 8, 6, 7] [1, 1, 2, 2]
// CHECK-DAG: %[[W0:.+]] = tensor.extract_slice %[[F]][0, 0, 0] [8, 1, 1] [1, 1, 1] : tensor<8x2x2xf32> to tensor<8xf32>
// CHECK-DAG: %[[W3:.+]] = tensor.extract_slice %[[F]][0, 1, 1] [8, 1, 1] [1, 1, 1] : tensor<8x2x2xf32> to tensor<8xf32>
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-SAME: ins(%[[T0]], %[[T1]], %[[T2]], %[[T3]], %[[W0]], %{{.+}}, %{{.+}}, %[[W3]] :
// CHECK-SAME: outs(%[[ACC]] : tensor<1x8x6x7xf32>)
// CHECK: ^bb0(%[[I0:.+]]: f32, %[[I1:.+]]: f32, %[[I2:.+]]: f32, %[[I3:.+]]: f32, %[[F0:.+]]: f32, %[[F1:.+]]: f32, %[[F2:.+]]: f32, %[[F3:.+]]: f32, %[[O:.+]]: f32):
// CHECK: %[[M0:.+]] = arith.mulf %[[I0]], %[[F0]]
// CHECK: %[[A0:.+]] = arith.addf %[[O]], %[[M0]]
// CHECK: %[[M1:.+]] = arith.mulf %[[I1]], %[[F1]]
// CHECK: %[[A1:.+]] = arith.addf %[[A0]], %[[M1]]
// CHECK: arith.mulf %[[I3]], %[[F3]]
// CHECK: %[[A3:.+]] = arith.addf
// CHECK: linalg.yield %[[A3]]
// CHECK: return %[[R]]
// SMALL-LABEL: func.func @depthwise_nchw
// SMALL: linalg.generic
// STRATEGY-LABEL: func.func @depthwise_nchw
// STRATEGY: linalg.generic {{.*}}kiln.strategy = {kind = "vectorize"
func.func @depthwise_nchw(%in: tensor<1x8x15x16xf32>, %f: tensor<8x2x2xf32>, %acc: tensor<1x8x6x7xf32>) -> tensor<1x8x6x7xf32> {
  %r = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<3> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%in, %f : tensor<1x8x15x16xf32>, tensor<8x2x2xf32>) outs(%acc : tensor<1x8x6x7xf32>) -> tensor<1x8x6x7xf32>
  return %r : tensor<1x8x6x7xf32>
}

// -----

// NHWC: the windows move along H and W, and the filter columns are [C],
// read along the innermost (channel) dim. A dynamic batch stays dynamic.
// CHECK: #[[$CH:.+]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-LABEL: func.func @depthwise_nhwc
// CHECK-SAME: (%[[IN:.+]]: tensor<?x9x9x16xf32>, %[[F:.+]]: tensor<3x3x16xf32>, %[[ACC:.+]]: tensor<?x7x7x16xf32>)
// CHECK: %[[C0:.+]] = arith.constant 0 : index
// CHECK: %[[N:.+]] = tensor.dim %[[ACC]], %[[C0]]
// CHECK: tensor.extract_slice %[[IN]][0, 0, 0, 0] [%[[N]], 7, 7, 16] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %[[F]][0, 0, 0] [1, 1, 16] [1, 1, 1] : tensor<3x3x16xf32> to tensor<16xf32>
// CHECK: tensor.extract_slice %[[IN]][0, 2, 2, 0] [%[[N]], 7, 7, 16] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %[[F]][2, 2, 0] [1, 1, 16] [1, 1, 1] : tensor<3x3x16xf32> to tensor<16xf32>
// CHECK: linalg.generic {indexing_maps = [{{.*}}#[[$CH]], #{{.+}}]
// CHECK-COUNT-9: arith.mulf
// SMALL-LABEL: func.func @depthwise_nhwc
// SMALL: linalg.depthwise_conv_2d_nhwc_hwc
func.func @depthwise_nhwc(%in: tensor<?x9x9x16xf32>, %f: tensor<3x3x16xf32>, %acc: tensor<?x7x7x16xf32>) -> tensor<?x7x7x16xf32> {
  %r = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%in, %f : tensor<?x9x9x16xf32>, tensor<3x3x16xf32>) outs(%acc : tensor<?x7x7x16xf32>) -> tensor<?x7x7x16xf32>
  return %r : tensor<?x7x7x16xf32>
}

// -----

// Max pooling: the window operand only gives the shape; nine maximumf.
// CHECK-LABEL: func.func @max_pool
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-NOT: tensor<3x3xf32>
// CHECK-COUNT-9: arith.maximumf
// CHECK: linalg.yield
func.func @max_pool(%in: tensor<1x4x11x11xf32>, %acc: tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32> {
  %w = tensor.empty() : tensor<3x3xf32>
  %r = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%in, %w : tensor<1x4x11x11xf32>, tensor<3x3xf32>) outs(%acc : tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32>
  return %r : tensor<1x4x5x5xf32>
}

// -----

// Integer sum pooling keeps the op's own arithmetic.
// CHECK-LABEL: func.func @sum_pool_i32
// CHECK-COUNT-4: arith.addi
func.func @sum_pool_i32(%in: tensor<1x3x3x2xi32>, %acc: tensor<1x2x2x2xi32>) -> tensor<1x2x2x2xi32> {
  %w = tensor.empty() : tensor<2x2xi32>
  %r = linalg.pooling_nhwc_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%in, %w : tensor<1x3x3x2xi32>, tensor<2x2xi32>) outs(%acc : tensor<1x2x2x2xi32>) -> tensor<1x2x2x2xi32>
  return %r : tensor<1x2x2x2xi32>
}

// -----

// Not decomposed: a window above max-taps (a 7x7 global pool with the
// default 64 is decomposed; with max-taps=4 a 3x3 is not, see SMALL above),
// and an op a schedule moved into a loop.
// CHECK-LABEL: func.func @scheduled
// CHECK: scf.for
// CHECK: linalg.pooling_nchw_max
func.func @scheduled(%in: tensor<1x4x11x11xf32>, %acc: tensor<1x4x9x9xf32>, %n: index) -> tensor<1x4x9x9xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %w = tensor.empty() : tensor<3x3xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%a = %acc) -> tensor<1x4x9x9xf32> {
    %p = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
        ins(%in, %w : tensor<1x4x11x11xf32>, tensor<3x3xf32>) outs(%a : tensor<1x4x9x9xf32>) -> tensor<1x4x9x9xf32>
    scf.yield %p : tensor<1x4x9x9xf32>
  }
  return %r : tensor<1x4x9x9xf32>
}
