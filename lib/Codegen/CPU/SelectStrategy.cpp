//===- SelectStrategy.cpp - Record a CPU strategy on each heavy op --------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"

#include "Strategy.h"

#include "Kiln/IR/KilnOps.h"
#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Interfaces/LoopLikeInterface.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUSELECTSTRATEGYPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

/// A contraction with one M, one N and one K dim (and at most one batch
/// dim), on ranked tensors.
static bool isPackableShape(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || !linalg::isaContractionOpInterface(op))
    return false;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  return succeeded(dims) && dims->m.size() == 1 && dims->n.size() == 1 &&
         dims->k.size() == 1 && dims->batch.size() <= 1;
}

/// An f32 packable contraction.
static bool isPackableContraction(linalg::LinalgOp op) {
  return isPackableShape(op) &&
         llvm::all_of(op->getOperandTypes(), [](Type t) {
           auto tensor = dyn_cast<RankedTensorType>(t);
           return tensor && tensor.getElementType().isF32();
         });
}

/// For a packable i8 x i8 -> i32 contraction whose body widens each input
/// (`arith.extui` or `arith.extsi`) before the multiply, whether the left
/// and the right operand are unsigned.
static std::optional<std::pair<bool, bool>>
integerSignedness(linalg::LinalgOp op) {
  if (!isPackableShape(op) || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1)
    return std::nullopt;
  auto elementOf = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getElementType();
  };
  if (!elementOf(op.getDpsInputs()[0]).isInteger(8) ||
      !elementOf(op.getDpsInputs()[1]).isInteger(8) ||
      !elementOf(op.getDpsInits()[0]).isInteger(32))
    return std::nullopt;
  bool isUnsigned[2];
  for (unsigned i = 0; i < 2; ++i) {
    BlockArgument arg = op.getBlock()->getArgument(i);
    if (!arg.hasOneUse())
      return std::nullopt;
    Operation *user = *arg.getUsers().begin();
    if (!isa<arith::ExtUIOp, arith::ExtSIOp>(user))
      return std::nullopt;
    isUnsigned[i] = isa<arith::ExtUIOp>(user);
  }
  return std::pair{isUnsigned[0], isUnsigned[1]};
}

/// A scalar type that fits a vector of the target's f32 lanes in one or a
/// few registers: f32, and integers of 8 to 32 bits. (Vectors of i1 are bit
/// masks in memory, while tensors of i1 hold a byte per element. f16 and
/// bf16 arithmetic is widened to f32 after bufferization, scalar for now.)
static bool isNarrowScalar(Type t) {
  if (auto integer = dyn_cast<IntegerType>(t))
    return integer.getWidth() >= 8 && integer.getWidth() <= 32;
  return t.isF32();
}

/// An elementwise op or a reduction that kiln-cpu-vectorize-elementwise can
/// tile so that its innermost loop is one vector: a generic on ranked
/// tensors of narrow scalars, with projected-permutation maps that each
/// either ignore the innermost loop or read it as their innermost dim, and
/// a body of plain arith/math ops. Each result of a reduction over the
/// innermost loop has a combiner with a neutral element (the partial
/// accumulator's initial value); contractions and convolutions have
/// strategies of their own.
static bool isVectorizable(linalg::GenericOp op) {
  int64_t loops = op.getNumLoops();
  if (loops < 1 || !op.hasPureTensorSemantics())
    return false;
  if (!llvm::all_of(op->getOperandTypes(), [](Type t) {
        auto tensor = dyn_cast<RankedTensorType>(t);
        return tensor && isNarrowScalar(tensor.getElementType());
      }))
    return false;
  for (AffineMap map : op.getIndexingMapsArray()) {
    if (!map.isProjectedPermutation(/*allowZeroInResults=*/true))
      return false;
    std::optional<unsigned> pos =
        map.getResultPosition(getAffineDimExpr(loops - 1, op.getContext()));
    if (pos && *pos != map.getNumResults() - 1)
      return false;
  }
  // Gathers (tensor.extract) and nested regions have no vector form here.
  bool plainBody =
      llvm::all_of(op.getBlock()->getOperations(), [](Operation &o) {
        return isa<arith::ArithDialect, math::MathDialect>(o.getDialect()) ||
               isa<linalg::IndexOp, linalg::YieldOp>(o);
      });
  if (!plainBody)
    return false;
  if (op.getNumReductionLoops() == 0)
    return true;
  if (linalg::isaContractionOpInterface(op) ||
      linalg::isaConvolutionOpInterface(op))
    return false;
  // Reduced only in outer loops, with the innermost one parallel (online
  // softmax's lanes), the reduction is a sequential loop around vectors of
  // independent lanes: any body will do.
  if (op.getIteratorTypesArray().back() == utils::IteratorType::parallel)
    return true;
  // Each result (layer_norm's sum and sum of squares, say) is a reduction
  // of its own.
  for (unsigned i = 0, e = op.getNumDpsInits(); i < e; ++i) {
    SmallVector<Operation *> combiners;
    if (!matchReduction(op.getRegionOutputArgs(), i, combiners) ||
        combiners.size() != 1 ||
        !arith::getNeutralElement(combiners.front()).has_value())
      return false;
  }
  return true;
}

/// An op inside loops was tiled by a user schedule (--kiln-schedule), which
/// replaces the built-in strategy for it; the model's own loops (recurrent
/// steps, attention key blocks) do not count.
static bool isScheduled(Operation *op) { return isInScheduleLoop(op); }

namespace {
struct KilnCPUSelectStrategyPass final
    : kiln::impl::KilnCPUSelectStrategyPassBase<KilnCPUSelectStrategyPass> {
  using Base::Base;

  void runOnOperation() override {
    ContractionStrategy strategy =
        ContractionStrategy::forTarget(TargetAttr::lookup(getOperation()));
    DictionaryAttr attr = strategy.toAttr(&getContext());
    TargetAttr target = TargetAttr::lookup(getOperation());
    // Read from the target's CPU and features once, and only for a
    // function with an i8 contraction.
    std::optional<IntegerDotSupport> dot;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op->hasAttr(kStrategyAttrName) || isScheduled(op))
        return;
      if (isPackableContraction(op)) {
        op->setAttr(kStrategyAttrName, attr);
      } else if (auto sign = integerSignedness(op)) {
        if (!dot)
          dot = IntegerDotSupport::forTarget(target);
        op->setAttr(kStrategyAttrName,
                    ContractionStrategy::forIntegerTarget(
                        target, *dot, sign->first, sign->second)
                        .toAttr(&getContext()));
      }
    });
    DictionaryAttr vectorize =
        VectorizeStrategy::forTarget(TargetAttr::lookup(getOperation()))
            .toAttr(&getContext());
    getOperation().walk([&](linalg::GenericOp op) {
      if (!op->hasAttr(kStrategyAttrName) && !isScheduled(op) &&
          isVectorizable(op))
        op->setAttr(kStrategyAttrName, vectorize);
    });
  }
};
} // namespace
