//===- Passes.h - Kiln target-independent codegen passes --------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_COMMON_PASSES_H
#define KILN_CODEGEN_COMMON_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
namespace arith {
class ArithDialect;
} // namespace arith
namespace cf {
class ControlFlowDialect;
} // namespace cf

namespace func {
class FuncOp;
} // namespace func
namespace linalg {
class LinalgDialect;
} // namespace linalg
namespace LLVM {
class LLVMDialect;
} // namespace LLVM
namespace memref {
class MemRefDialect;
} // namespace memref
namespace tensor {
class TensorDialect;
} // namespace tensor
namespace ub {
class UBDialect;
} // namespace ub

namespace kiln {
class TargetAttr;

#define GEN_PASS_DECL
#include "kiln/Codegen/Common/Passes.h.inc"

/// Whether `target` converts between f32 and f16 in hardware (x86 with
/// F16C, AArch64).
bool hasNativeF16Conversions(TargetAttr target);

/// Adds the patterns of `kiln-expand-float-conversions`: f64 <-> f16/bf16
/// and f32 <-> bf16 always, f32 <-> f16 only when `nativeF16` is false.
void populateExpandFloatConversionsPatterns(RewritePatternSet &patterns,
                                            bool nativeF16);

#define GEN_PASS_REGISTRATION
#include "kiln/Codegen/Common/Passes.h.inc"

} // namespace kiln
} // namespace mlir

#endif // KILN_CODEGEN_COMMON_PASSES_H
