// Every registered pipeline runs on its own and honours the options it
// advertises. (kiln-graph-pipeline's own options are tested in
// Dialect/Kiln/Transforms/graph-pipeline.mlir.)
// RUN: kiln-opt %s --kiln-graph-pipeline | FileCheck %s --check-prefix=GRAPH
// RUN: kiln-opt %s --kiln-graph-pipeline --kiln-to-linalg-pipeline="cpu=znver3" | FileCheck %s --check-prefix=LINALG
// RUN: kiln-opt %s --kiln-graph-pipeline --kiln-to-linalg-pipeline="approximate-math=false" | FileCheck %s --check-prefix=LIBM
// RUN: kiln-opt %s --kiln-graph-pipeline --kiln-to-linalg-pipeline --kiln-bufferize-pipeline | FileCheck %s --check-prefix=BUF
// RUN: kiln-opt %s --kiln-graph-pipeline --kiln-to-linalg-pipeline --kiln-bufferize-pipeline --kiln-to-llvm-pipeline | FileCheck %s --check-prefix=LLVM
// RUN: kiln-opt %s --kiln-cpu-pipeline="fold-batchnorm=false cpu=sapphirerapids" | FileCheck %s --check-prefix=CPU
// RUN: kiln-opt %s --kiln-cpu-pipeline="fold-batchnorm=false" --mlir-print-ir-after=kiln-fold-batchnorm 2>&1 >/dev/null | FileCheck %s --check-prefix=NOFOLD --allow-empty
// RUN: kiln-opt %s --kiln-cpu-pipeline --mlir-print-ir-after=kiln-fold-batchnorm 2>&1 >/dev/null | FileCheck %s --check-prefix=FOLD
// RUN: not kiln-opt %s --kiln-cpu-pipeline="cpu=notacpu" 2>&1 | FileCheck %s --check-prefix=BADCPU

// GRAPH-LABEL: func.func @block
// GRAPH-NOT: kiln.batch_norm
// GRAPH: kiln.conv2d

// The target is attached before lowering; linalg replaces kiln; the
// convolution is a matmul (kiln-cpu-im2col) with its strategy recorded.
// LINALG: module attributes {kiln.target = #kiln.target<{{.*}}cpu = "znver3"
// LINALG-LABEL: func.func @block
// LINALG-NOT: = kiln.
// LINALG: linalg.matmul {kiln.strategy = {{.*}}kind = "mmt4d"
// LINALG-NOT: math.exp
// LINALG: return

// approximate-math=false keeps libm's exp.
// LIBM-LABEL: func.func @block
// LIBM: math.exp

// BUF-LABEL: func.func @block
// BUF-SAME: memref<1x1x4x4xf32>
// BUF-NOT: bufferization.to_tensor

// LLVM: llvm.func @block
// LLVM: llvm.func @_mlir_ciface_block

// CPU: module attributes {kiln.target = #kiln.target<{{.*}}cpu = "sapphirerapids"{{.*}}vector_bits = 512
// CPU: llvm.func @block

// NOFOLD-NOT: IR Dump After KilnFoldBatchNormPass
// FOLD: IR Dump After KilnFoldBatchNormPass

// BADCPU: error: unknown CPU 'notacpu'
func.func @block(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = kiln.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %scale = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %beta = kiln.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %0 = kiln.conv2d %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = kiln.batch_norm %0, %scale, %beta, %mean, %var {epsilon = 1.0 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %2 = kiln.exp %1 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %2 : tensor<1x2x4x4xf32>
}
