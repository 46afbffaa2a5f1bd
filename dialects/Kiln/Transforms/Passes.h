//===- Passes.h - Kiln graph-level passes -----------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRANSFORMS_PASSES_H
#define KILN_TRANSFORMS_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include <functional>
#include <memory>
#include <vector>

namespace mlir {
class RewritePatternSet;
namespace func {
class FuncOp;
} // namespace func
namespace tensor {
class TensorDialect;
} // namespace tensor
namespace kiln {
class KilnDialect;

#define GEN_PASS_DECL
#include "Kiln/Transforms/Passes.h.inc"

/// Computes the results of `@kiln_constants`, the one public function of a
/// module (no arguments; kiln ops on constants, statically shaped results
/// of whole-byte integer or float elements), for kiln-evaluate-constants:
/// the row-major bytes of each result. A failure is diagnosed as a warning
/// at `module` (the pass then leaves the subgraphs to run time).
class ConstantEvaluator {
public:
  virtual ~ConstantEvaluator();
  virtual FailureOr<std::vector<std::vector<char>>>
  evaluate(ModuleOp module) = 0;
};

/// Makes kiln-evaluate-constants use the evaluators `factory` creates (the
/// compiler session registers its JIT; kiln/Compiler/Compiler.h). Set once,
/// before any pass runs.
void setConstantEvaluatorFactory(
    std::function<std::unique_ptr<ConstantEvaluator>()> factory);

/// Adds the patterns of `kiln-fold-batchnorm` to `patterns`.
void populateFoldBatchNormPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "Kiln/Transforms/Passes.h.inc"

} // namespace kiln
} // namespace mlir

#endif // KILN_TRANSFORMS_PASSES_H
