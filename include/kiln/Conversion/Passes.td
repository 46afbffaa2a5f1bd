//===- Passes.td - Kiln conversion passes ------------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CONVERSION_PASSES_TD
#define KILN_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertKilnToLinalgPass : Pass<"convert-kiln-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lower the kiln dialect to linalg on tensors";
  let description = [{
    Lowers every kiln op to linalg on tensors plus the tensor, arith and math
    dialects. Named linalg ops are used where they fit (`linalg.matmul`,
    `linalg.batch_matmul`, `linalg.transpose`, the `conv_2d_nchw_fchw` /
    `conv_2d_nhwc_hwcf` families, grouped and depthwise convolutions,
    pooling) and `linalg.generic` elsewhere. Quantized tensor types become
    their storage integer types, in function signatures too.

    Numpy broadcasting is resolved statically: a dim broadcasts when it is
    statically 1 and the result's is not; a dynamic dim is taken to equal the
    result's dim at run time.

    Before rewriting anything the pass checks every kiln op it would lower,
    and when some cannot be lowered it reports all of them in one error,
    grouped by op name with their locations, and changes nothing.

    Ops that index with data check the indices at run time: `kiln.gather`
    reduces its indices to one "all in range" flag and asserts it
    (`cf.assert`, at the function's top level), which `kiln-runtime-checks`
    turns into a status the caller sees. The gather itself still clamps,
    so it never reads out of bounds. Constant indices that are all in
    range need no check.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::cf::ControlFlowDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def KilnApproximateMathPass : Pass<"kiln-approximate-math"> {
  let summary = "Replace transcendental math ops by polynomial approximations";
  let description = [{
    Rewrites `math.exp`, `math.tanh`, `math.erf`, `math.log`, `math.sin`,
    ... on f32 (and f16/bf16 through f32) into polynomial approximations of
    arith ops, so inner loops make no libm calls and vectorize.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def KilnLowerMemrefCopyPass : Pass<"kiln-lower-memref-copy"> {
  let summary = "Turn memref.copy into linalg.copy so no runtime call remains";
  let description = [{
    `memref.copy` between non-contiguous memrefs lowers to a call of
    `memrefCopy` from MLIR's C runner utilities. Kiln's compiled code needs
    nothing beyond libc, so every copy becomes a `linalg.copy`, which
    `convert-linalg-to-loops` turns into plain loops.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // KILN_CONVERSION_PASSES_TD
