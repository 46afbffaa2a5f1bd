//===- Passes.h - Kiln graph-level passes -----------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRANSFORMS_PASSES_H
#define KILN_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

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

/// Adds the patterns of `kiln-fold-batchnorm` to `patterns`.
void populateFoldBatchNormPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "Kiln/Transforms/Passes.h.inc"

} // namespace kiln
} // namespace mlir

#endif // KILN_TRANSFORMS_PASSES_H
