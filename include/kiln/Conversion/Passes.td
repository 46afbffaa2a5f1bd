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

    Numpy broadcasting (elementwise ops, matmul batch dims): a dim
    broadcasts when it is statically 1 and the result's is not. A dynamic
    dim broadcasts when it is 1 at run time,
    unless `DimEqualityAnalysis` proves it equal to the other operands'
    (derived from the same input dim, say); then it costs nothing. Where
    it cannot, the pass computes the result's size, asserts that the
    operands broadcast, and passes each operand whose dim may be 1 through
    an `scf.if`: unchanged (no copy) when its dims already have the
    result's sizes, else broadcast by a `tensor.generate`.

    Dims an op needs equal (a contraction's K, a concatenation's other
    dims) that the analysis cannot prove equal get a `cf.assert` before
    the op, which names the op and the dims.

    Before rewriting anything the pass checks every kiln op it would lower,
    and when some cannot be lowered it reports all of them in one error,
    grouped by op name with their locations, and changes nothing.

    `kiln.attention` over more keys than `attention-key-block` (or over a
    run-time number of keys) lowers flash-style: one `scf.for` over blocks
    of keys with an online softmax (running row maximum and sum, the output
    rescaled as the maximum grows), so only `[..., Lq, block]` scores exist
    at once and memory grows linearly with the sequence. Shorter attention
    materializes the scores, takes the softmax and multiplies.

    Ops that index with data check the indices at run time: `kiln.gather`
    reduces its indices to one "all in range" flag and asserts it
    (`cf.assert`, at the function's top level), which `kiln-runtime-checks`
    turns into a status the caller sees. The gather itself still clamps,
    so it never reads out of bounds. Constant indices that are all in
    range need no check.
  }];
  let options = [
    Option<"attentionKeyBlock", "attention-key-block", "int64_t",
           /*default=*/"128",
           "Keys per block of the flash-style attention (0: always "
           "materialize the scores)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::cf::ControlFlowDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
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

def ConvertTosaToKilnPass : Pass<"convert-tosa-to-kiln"> {
  let summary = "Convert floating-point TOSA ops into the kiln dialect";
  let description = [{
    TensorFlow, TFLite and torch-mlir models reach MLIR as TOSA. This pass
    rewrites the TOSA ops that have a kiln equivalent into kiln ops, so
    that Kiln's graph passes and its CPU contraction codegen apply to them:

    - `tosa.const`, `tosa.conv2d` and `tosa.depthwise_conv2d` (as NHWC
      `kiln.conv2d` with the filter transposed to `[KH, KW, C, F]`, which
      the graph pipeline's canonicalization folds on constant weights), `tosa.matmul`, `tosa.avg_pool2d` and
      `tosa.max_pool2d` (NHWC `kiln.pool2d`);
    - elementwise arithmetic (`add`, `sub`, `mul` without shift, `maximum`,
      `minimum`, `pow`), math (`abs`, `ceil`, `floor`, `exp`, `log`,
      `rsqrt`, `reciprocal`, `negate`, `sigmoid`, `tanh`, `erf`, `sin`,
      `cos`), `clamp`, comparisons and `select`;
    - `reshape` to a `tosa.const_shape`, `transpose`, `concat`, and the
      `reduce_*` ops (which keep the reduced dim).

    Quantized ops (integer convolutions and matmuls with zero points,
    `rescale`, `mul` with a shift) are left alone, as is anything else;
    `kiln-to-linalg-pipeline` lowers what remains with upstream's
    TOSA-to-linalg passes. The pass folds nothing and leaves a module
    without TOSA ops untouched.

    ```mlir
    %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32,
        dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>,
        stride = array<i64: 1, 1>}
        : (tensor<1x8x8x3xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>,
           tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x8x16xf32>
    // becomes
    %f = kiln.transpose %w [1, 2, 3, 0]
        : (tensor<16x3x3x3xf32>) -> tensor<3x3x3x16xf32>
    %y = kiln.conv2d %x, %f, %b {layout = #kiln.layout<nhwc>,
        pads = array<i64: 1, 1, 1, 1>}
        : (tensor<1x8x8x3xf32>, tensor<3x3x3x16xf32>, tensor<16xf32>)
        -> tensor<1x8x8x16xf32>
    ```
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect"];
}

#endif // KILN_CONVERSION_PASSES_TD
