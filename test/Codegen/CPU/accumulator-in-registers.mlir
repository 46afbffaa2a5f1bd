// RUN: kiln-compile %s --cpu=sapphirerapids --emit=llvm-dialect -o /dev/null --mlir-disable-threading --mlir-print-ir-after=kiln-cpu-lower-vectors 2>&1 | FileCheck %s
// RUN: kiln-compile %s --cpu=znver3 --emit=llvm-dialect -o /dev/null --mlir-disable-threading --mlir-print-ir-after=kiln-cpu-lower-vectors 2>&1 | FileCheck %s --check-prefix=AVX2

// Whatever initializes a packed contraction's accumulator (zeros, a bias
// broadcast along N or along M) and however the work is shared between
// threads, the register tile must stay in registers across the K loop: a
// view of the accumulator's buffer that hoisting cannot see through would
// leave a load and a store of the whole tile in every K step (half the
// GEMM's speed). Each K loop carries the tile.

// CHECK-LABEL: func.func @linear_no_bias
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<8x32xf32>)
// AVX2-LABEL: func.func @linear_no_bias
// AVX2: scf.for {{.*}} iter_args({{.*}}) -> (vector<6x16xf32>)
// (Weights are arguments: a splat constant would fold the product into a
// row sum.)
func.func @linear_no_bias(%x: tensor<128x768xf32>, %w: tensor<768x768xf32>) -> tensor<128x768xf32> {
  %r = kiln.linear %x, %w : (tensor<128x768xf32>, tensor<768x768xf32>) -> tensor<128x768xf32>
  return %r : tensor<128x768xf32>
}

// CHECK-LABEL: func.func @linear_bias
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<8x32xf32>)

func.func @linear_bias(%x: tensor<128x768xf32>, %w: tensor<3072x768xf32>, %b: tensor<3072xf32>) -> tensor<128x3072xf32> {
  %r = kiln.linear %x, %w, %b : (tensor<128x768xf32>, tensor<3072x768xf32>, tensor<3072xf32>) -> tensor<128x3072xf32>
  return %r : tensor<128x3072xf32>
}

// A bias of zeros (as torch initializes them) folds to a scalar broadcast.
// CHECK-LABEL: func.func @linear_zero_bias
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<8x32xf32>)
func.func @linear_zero_bias(%x: tensor<128x768xf32>, %w: tensor<768x768xf32>) -> tensor<128x768xf32> {
  %b = kiln.constant dense<0.0> : tensor<768xf32>
  %r = kiln.linear %x, %w, %b : (tensor<128x768xf32>, tensor<768x768xf32>, tensor<768xf32>) -> tensor<128x768xf32>
  return %r : tensor<128x768xf32>
}

// With M blocks: 2048 rows are one L2 block on Sapphire Rapids (2 MB L2,
// mc = 2048) but nine on Zen 3 (512 KB L2, mc = 252).
// CHECK-LABEL: func.func @m_blocks
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<8x32xf32>)
// AVX2-LABEL: func.func @m_blocks
// AVX2: scf.for {{.*}} iter_args({{.*}}) -> (vector<6x16xf32>)
func.func @m_blocks(%x: tensor<2048x512xf32>, %w: tensor<512x1024xf32>) -> tensor<2048x1024xf32> {
  %r = kiln.matmul %x, %w : (tensor<2048x512xf32>, tensor<512x1024xf32>) -> tensor<2048x1024xf32>
  return %r : tensor<2048x1024xf32>
}

// CHECK-LABEL: func.func @conv_bias
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<8x32xf32>)
// AVX2-LABEL: func.func @conv_bias
// AVX2: scf.for {{.*}} iter_args({{.*}}) -> (vector<6x16xf32>)
func.func @conv_bias(%x: tensor<1x64x56x56xf32>, %w: tensor<64x64x3x3xf32>, %b: tensor<64xf32>) -> tensor<1x64x56x56xf32> {
  %r = kiln.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64, layout = #kiln.layout<nchw>} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
  return %r : tensor<1x64x56x56xf32>
}
