//===- CollapseContractionDims.cpp - One loop each for M, N and K ---------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUCOLLAPSECONTRACTIONDIMSPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

/// The groups of loops to collapse in `op`: each of its batch, M, N and K
/// dim sets with more than one loop, when those loops are consecutive and
/// contiguous in every operand. Empty when there is nothing to do or it
/// cannot be done.
static SmallVector<ReassociationIndices>
collapsibleGroups(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || !linalg::isaContractionOpInterface(op))
    return {};
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims))
    return {};
  SmallVector<ReassociationIndices> groups;
  for (ArrayRef<unsigned> set : {ArrayRef<unsigned>(dims->batch),
                                 ArrayRef<unsigned>(dims->m),
                                 ArrayRef<unsigned>(dims->n),
                                 ArrayRef<unsigned>(dims->k)}) {
    if (set.size() < 2)
      continue;
    SmallVector<unsigned> sorted(set);
    llvm::sort(sorted);
    for (size_t i = 1; i < sorted.size(); ++i)
      if (sorted[i] != sorted[i - 1] + 1)
        return {};
    groups.emplace_back(sorted.begin(), sorted.end());
  }
  if (groups.empty() ||
      !linalg::areDimSequencesPreserved(op.getIndexingMapsArray(), groups))
    return {};
  return groups;
}

namespace {
struct KilnCPUCollapseContractionDimsPass final
    : kiln::impl::KilnCPUCollapseContractionDimsPassBase<
          KilnCPUCollapseContractionDimsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> candidates;
    getOperation().walk([&](linalg::GenericOp op) {
      if (!collapsibleGroups(op).empty())
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : candidates) {
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::CollapseResult> collapsed =
          linalg::collapseOpIterationDims(op, collapsibleGroups(op), rewriter);
      if (failed(collapsed))
        continue;
      rewriter.replaceOp(op, collapsed->results);
    }
  }
};
} // namespace
