//===- Passes.td - Kiln graph-level passes -----------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRANSFORMS_PASSES_TD
#define KILN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Graph optimizations
//===----------------------------------------------------------------------===//

def KilnFoldBatchNormPass : Pass<"kiln-fold-batchnorm"> {
  let summary = "Fold inference batch norms into preceding convolutions";
  let description = [{
    Rewrites `kiln.batch_norm(kiln.conv2d(x, W, b))`, where the batch norm
    normalizes the convolution's output channels and `W`, `b` and the four
    batch-norm parameters are constants (frozen weights), into one
    `kiln.conv2d(x, W', b')` with

    ```
    a  = scale / sqrt(variance + epsilon)
    W' = W * a          (per output channel)
    b' = (b - mean) * a + bias
    ```

    The folded weights are computed at compile time in double precision and
    stored as `dense` elements, or as `dense_resource` blobs when large. The
    convolution must have no other users. Works for both layouts and for
    grouped and depthwise convolutions.

    ```mlir
    // Before
    %y = kiln.conv2d %x, %w : (...) -> tensor<1x8x14x14xf32>
    %z = kiln.batch_norm %y, %s, %b, %m, %v : (...) -> tensor<1x8x14x14xf32>
    // After
    %z = kiln.conv2d %x, %w_folded, %b_folded : (...) -> tensor<1x8x14x14xf32>
    ```
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect"];
  let statistics = [
    Statistic<"numFolded", "num-folded", "Number of batch norms folded">
  ];
}

def KilnInferShapesPass : Pass<"kiln-infer-shapes", "::mlir::func::FuncOp"> {
  let summary = "Refine dynamic dims of kiln results from their operands";
  let description = [{
    Re-runs each kiln op's result-type inference in program order and makes
    result dims static where the operands now determine them (after an
    importer specialized an input, say, or a constant replaced a dynamic
    value). Users outside the kiln dialect keep their old type through a
    `tensor.cast`; with `refine-signature`, a function's result types are
    refined too, so `func.return` sees the new types directly.

    ```mlir
    // Before
    %0 = kiln.relu %arg0 : (tensor<4x8xf32>) -> tensor<?x8xf32>
    // After
    %0 = kiln.relu %arg0 : (tensor<4x8xf32>) -> tensor<4x8xf32>
    ```
  }];
  let options = [
    Option<"refineSignature", "refine-signature", "bool", /*default=*/"true",
           "Also refine the function's result types">
  ];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
  let statistics = [
    Statistic<"numRefined", "num-refined", "Number of results refined">
  ];
}

#endif // KILN_TRANSFORMS_PASSES_TD
