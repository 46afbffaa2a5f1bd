//===- Passes.td - Kiln target-independent codegen passes --*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_COMMON_PASSES_TD
#define KILN_CODEGEN_COMMON_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Float conversions
//===----------------------------------------------------------------------===//

def KilnExpandFloatConversionsPass : Pass<"kiln-expand-float-conversions"> {
  let summary = "Expand f16/bf16 conversions that would need compiler-rt";
  let description = [{
    LLVM lowers an `fptrunc`/`fpext` that the target has no instruction for
    to a compiler-rt builtin (`__truncdfhf2`, `__truncsfhf2`,
    `__extendhfsf2`, `__truncsfbf2`, `__truncdfbf2`). Kiln's code links with
    nothing but libc and libm, and the JIT resolves no such symbol, so this
    pass rewrites those conversions, on scalars and vectors, into arith ops
    that every target has:

    - `arith.truncf` f64 -> f16/bf16 becomes f64 -> f32 rounded to odd (the
      hardware's round-to-nearest-even result, stepped toward zero when it
      overshot and with its lowest mantissa bit set when inexact; NaN is left
      alone), then f32 -> f16/bf16. Since f32 keeps at least two more
      mantissa bits than either, the second rounding gives exactly the
      correctly rounded (nearest-even) result, including overflow to
      infinity and subnormal results.
    - `arith.extf` f16/bf16 -> f64 becomes an extension to f32 (exact) and
      then to f64.
    - f32 -> bf16 rounds to nearest even on the integer bits (NaN stays a
      quiet NaN with its sign); bf16 -> f32 is a 16-bit shift.
    - f32 <-> f16 is rewritten the same way (round to nearest even,
      subnormals, infinities, NaN) only when the target lacks the
      instructions: by default the module's `kiln.target` decides (x86 has
      them with F16C, AArch64 always; without a `kiln.target` they are taken
      to exist), and `f16-conversions=native|expand` overrides it.

    A `truncf` with a rounding mode other than to-nearest-even is left
    alone. Arithmetic on f16/bf16 must have been moved to f32 before
    (`arith-emulate-unsupported-floats`, `math-extend-to-supported-types`),
    since LLVM promotes it with the same conversions.

    ```mlir
    // kiln-opt --kiln-expand-float-conversions
    %h = arith.truncf %x : vector<8xf64> to vector<8xf16>
    // becomes: truncf f64 -> f32, extf back, cmpf, bit adjustments,
    // then arith.truncf ... : vector<8xf32> to vector<8xf16>
    ```
  }];
  let options = [
    Option<"f16Conversions", "f16-conversions", "std::string",
           /*default=*/"\"target\"",
           "f32 <-> f16: 'target' (the module's kiln.target decides), "
           "'native' (hardware instructions) or 'expand' (integer ops)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def KilnFuseElementwisePass : Pass<"kiln-fuse-elementwise"> {
  let summary = "Fuse elementwise linalg ops, keeping contractions pure";
  let description = [{
    Upstream's elementwise fusion on tensors (producer into consumer), with
    one exception: nothing is fused into an op with reduction loops. Fusing a
    bias add or a GELU into the operand of a matmul would turn the matmul
    into a generic contraction whose body the packed, vectorized GEMM path
    cannot take, and recompute the producer once per use (K times per
    element). Epilogues after a contraction are fused later, into its
    register tiles.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // KILN_CODEGEN_COMMON_PASSES_TD
