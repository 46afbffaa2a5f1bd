// --report lists what the graph passes did, counted in the passes
// themselves (Debian's LLVM has no statistics); --mlir-timing times every
// stage.
// RUN: kiln-compile %s --emit=kiln -o /dev/null --report 2>&1 | FileCheck %s --check-prefix=TEXT
// RUN: kiln-compile %s --emit=kiln -o /dev/null --report=json --report-file=%t.json
// RUN: FileCheck %s --check-prefix=JSON < %t.json
// RUN: kiln-compile %s --emit=kiln -o /dev/null --fold-batchnorm=false --report=json 2>&1 | FileCheck %s --check-prefix=NOFOLD
// RUN: kiln-compile %s -o %t.o --mlir-timing 2>&1 | FileCheck %s --check-prefix=TIME
// RUN: kiln-run %s --mlir-timing 2>&1 | FileCheck %s --check-prefix=TIME

// TEXT: Graph passes:
// TEXT: constants folded (canonicalize) 1
// TEXT: batchnorm-folded (kiln-fold-batchnorm) 1
// TEXT: Ops by kind:
// TEXT: kiln.batch_norm 1 0
// TEXT: kiln.conv2d 1 1

// JSON: "constants_folded": 1,
// JSON: "ops_after": {
// JSON-NOT: "kiln.batch_norm"
// JSON: "kiln.conv2d": 1
// JSON: "ops_before": {
// JSON: "kiln.add": 1,
// JSON: "kiln.batch_norm": 1,
// JSON: "rewrites": [
// JSON-NEXT: {
// JSON-NEXT: "count": 1,
// JSON-NEXT: "pass": "kiln-convert-layout",
// JSON-NEXT: "rewrite": "chose-{{nchw|nhwc}}"
// JSON-NEXT: },
// JSON-NEXT: {
// JSON-NEXT: "count": 1,
// JSON-NEXT: "pass": "kiln-fold-batchnorm",
// JSON-NEXT: "rewrite": "batchnorm-folded"

// NOFOLD: "rewrites": [
// NOFOLD-NOT: kiln-fold-batchnorm
// NOFOLD: ]

// TIME: Execution time report
// TIME-DAG: kiln
// TIME-DAG: linalg
// TIME-DAG: bufferized
// TIME-DAG: llvm-dialect
// TIME-DAG: KilnFoldBatchNormPass
func.func @block(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = kiln.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %half = kiln.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %scale = kiln.add %half, %half : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %beta = kiln.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %0 = kiln.conv2d %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = kiln.batch_norm %0, %scale, %beta, %mean, %var {epsilon = 1.0 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}
// IR printing finds passes by their argument in kiln-compile too.
// RUN: kiln-compile %s --emit=kiln -o /dev/null --mlir-print-ir-after=kiln-fold-batchnorm 2>&1 | FileCheck %s --check-prefix=PRINT
// PRINT: IR Dump After KilnFoldBatchNormPass (kiln-fold-batchnorm)
