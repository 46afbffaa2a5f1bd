//===- Passes.h - Kiln conversion passes ------------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CONVERSION_PASSES_H
#define KILN_CONVERSION_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class ConversionTarget;
class ModuleOp;
class RewritePatternSet;
class TypeConverter;
namespace arith {
class ArithDialect;
} // namespace arith
namespace cf {
class ControlFlowDialect;
} // namespace cf
namespace linalg {
class LinalgDialect;
} // namespace linalg
namespace math {
class MathDialect;
} // namespace math
namespace scf {
class SCFDialect;
} // namespace scf
namespace tensor {
class TensorDialect;
} // namespace tensor
namespace vector {
class VectorDialect;
} // namespace vector

namespace kiln {
class KilnDialect;

#define GEN_PASS_DECL
#include "kiln/Conversion/Passes.h.inc"

/// Converts tensors of quantized element types to their storage types and
/// leaves every other type as it is.
void populateKilnToLinalgTypeConversion(TypeConverter &converter);

/// Adds the patterns lowering every kiln op to linalg/tensor/arith/math.
/// kiln.attention over more than `attentionKeyBlock` keys (or a run-time
/// number) runs flash-style over blocks of that many keys; 0 turns that off.
void populateKilnToLinalgPatterns(const TypeConverter &converter,
                                  RewritePatternSet &patterns,
                                  int64_t attentionKeyBlock = 128);

/// Checks that every kiln op under `root` can be lowered. When some cannot,
/// emits one error listing all of them (grouped by op name, each with its
/// location and reason) and returns failure.
LogicalResult checkKilnOpsLowerable(Operation *root);

/// Adds the patterns rewriting floating-point TOSA ops into kiln ops (all
/// but tosa.const, which the pass converts once its users are kiln ops).
void populateTosaToKilnPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "kiln/Conversion/Passes.h.inc"

} // namespace kiln
} // namespace mlir

#endif // KILN_CONVERSION_PASSES_H
