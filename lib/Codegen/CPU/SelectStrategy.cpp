//===- SelectStrategy.cpp - Record a CPU strategy on each heavy op --------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"

#include "Strategy.h"

#include "Kiln/IR/KilnOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Interfaces/LoopLikeInterface.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUSELECTSTRATEGYPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

/// An f32 contraction with one M, one N and one K dim (and at most one
/// batch dim), on ranked tensors.
static bool isPackableContraction(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || !linalg::isaContractionOpInterface(op))
    return false;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.size() != 1 || dims->n.size() != 1 ||
      dims->k.size() != 1 || dims->batch.size() > 1)
    return false;
  return llvm::all_of(op->getOperandTypes(), [](Type t) {
    auto tensor = dyn_cast<RankedTensorType>(t);
    return tensor && tensor.getElementType().isF32();
  });
}

/// An op inside loops was tiled by a user schedule (--kiln-schedule), which
/// replaces the built-in strategy for it.
static bool isScheduled(Operation *op) {
  return op->getParentOfType<LoopLikeOpInterface>() != nullptr;
}

namespace {
struct KilnCPUSelectStrategyPass final
    : kiln::impl::KilnCPUSelectStrategyPassBase<KilnCPUSelectStrategyPass> {
  using Base::Base;

  void runOnOperation() override {
    ContractionStrategy strategy =
        ContractionStrategy::forTarget(TargetAttr::lookup(getOperation()));
    DictionaryAttr attr = strategy.toAttr(&getContext());
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!op->hasAttr(kStrategyAttrName) && !isScheduled(op) &&
          isPackableContraction(op))
        op->setAttr(kStrategyAttrName, attr);
    });
  }
};
} // namespace
