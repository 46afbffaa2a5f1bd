//===- FuseElementwise.cpp - Elementwise fusion that spares contractions --===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Common/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNFUSEELEMENTWISEPASS
#include "kiln/Codegen/Common/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {
/// Operands of a generic whose dims are `?` where another operand makes the
/// loop static (a fused broadcast of a `?` dim against a static one, a
/// cast folded away) are cast to the static size: the lowering asserted
/// equality already, and later passes (collapsing dims, vectorizing)
/// assume that operands agree with the loop sizes. Upstream's
/// InferStaticShapeOfOperands does this only for ops without broadcast
/// (constant) indexing expressions.
struct RefineOperandsToLoopSizes final : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return failure();
    SmallVector<int64_t> loops(op.getNumLoops(), ShapedType::kDynamic);
    for (OpOperand &operand : op->getOpOperands()) {
      auto type = dyn_cast<RankedTensorType>(operand.get().getType());
      if (!type)
        continue;
      for (auto [i, expr] :
           llvm::enumerate(op.getMatchingIndexingMap(&operand).getResults()))
        if (auto dim = dyn_cast<AffineDimExpr>(expr);
            dim && !type.isDynamicDim(i))
          loops[dim.getPosition()] = type.getDimSize(i);
    }
    // Each operand's type with the loop sizes filled in.
    auto refined = [&](OpOperand &operand) -> RankedTensorType {
      auto type = dyn_cast<RankedTensorType>(operand.get().getType());
      if (!type)
        return {};
      SmallVector<int64_t> shape(type.getShape());
      for (auto [i, expr] :
           llvm::enumerate(op.getMatchingIndexingMap(&operand).getResults()))
        if (auto dim = dyn_cast<AffineDimExpr>(expr);
            dim && type.isDynamicDim(i))
          shape[i] = loops[dim.getPosition()];
      if (shape == type.getShape())
        return {};
      return RankedTensorType::get(shape, type.getElementType(),
                                   type.getEncoding());
    };
    bool changed = false;
    SmallVector<Value> operands;
    SmallVector<Type> resultTypes(op->getResultTypes());
    Location loc = op.getLoc();
    for (OpOperand &operand : op->getOpOperands()) {
      Value value = operand.get();
      if (RankedTensorType type = refined(operand)) {
        value = tensor::CastOp::create(rewriter, loc, type, value);
        if (op.isDpsInit(&operand))
          resultTypes[op.getTiedOpResult(&operand).getResultNumber()] = type;
        changed = true;
      }
      operands.push_back(value);
    }
    if (!changed)
      return failure();
    Operation *refinedOp = clone(rewriter, op, resultTypes, operands);
    SmallVector<Value> results;
    for (auto [old, now] :
         llvm::zip_equal(op->getResults(), refinedOp->getResults()))
      results.push_back(old.getType() == now.getType()
                            ? Value(now)
                            : tensor::CastOp::create(rewriter, loc,
                                                     old.getType(), now));
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// Whether `producer` may fuse into the consumer that owns `fused`: a
/// consumer with reduction loops stays a pure contraction (or reduction);
/// only single-use producers fuse, as upstream.
static bool shouldFuse(OpOperand *fused) {
  Operation *producer = fused->get().getDefiningOp();
  auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
  if (!producer || !consumer)
    return false;
  if (consumer.getNumReductionLoops() > 0)
    return false;
  return producer->hasOneUse();
}

/// Upstream's producer-consumer fusion of generics, except that the fused
/// op's location keeps both ops' locations (upstream keeps the consumer's):
/// the kiln ops a kernel came from stay visible, and the compile report
/// lists them as its fusion group.
struct FuseGenericsKeepingLocations final
    : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp consumer,
                                PatternRewriter &rewriter) const override {
    for (OpOperand &operand : consumer->getOpOperands()) {
      if (!linalg::areElementwiseOpsFusable(&operand) || !shouldFuse(&operand))
        continue;
      Operation *producer = operand.get().getDefiningOp();
      Location loc = rewriter.getFusedLoc({producer->getLoc(), consumer.getLoc()});
      FailureOr<linalg::ElementwiseOpFusionResult> fusion =
          linalg::fuseElementwiseOps(rewriter, &operand);
      if (failed(fusion))
        return rewriter.notifyMatchFailure(consumer, "fusion failed");
      rewriter.modifyOpInPlace(fusion->fusedOp,
                               [&] { fusion->fusedOp->setLoc(loc); });
      for (auto [original, replacement] : fusion->replacements)
        rewriter.replaceUsesWithIf(original, replacement, [&](OpOperand &use) {
          return use.get().getDefiningOp() != producer;
        });
      rewriter.eraseOp(consumer);
      return success();
    }
    return failure();
  }
};

/// Two reductions of the same inputs over the same loops (a tensor's min
/// and max, its sum and sum of squares) become one with two results: one
/// pass over the inputs instead of two. The merged op takes the later one's
/// place, so the earlier one's results must have no use before it.
struct MergeSiblingReductions final : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  static bool isSingleReduction(linalg::GenericOp op) {
    return op.hasPureTensorSemantics() && op.getNumReductionLoops() > 0 &&
           op.getNumDpsInits() == 1 && op.getNumDpsInputs() > 0 &&
           !op.hasIndexSemantics();
  }

  LogicalResult matchAndRewrite(linalg::GenericOp later,
                                PatternRewriter &rewriter) const override {
    if (!isSingleReduction(later))
      return failure();
    Value first = later.getDpsInputs().front();
    for (Operation *user : first.getUsers()) {
      auto earlier = dyn_cast<linalg::GenericOp>(user);
      if (!earlier || earlier == later || !isSingleReduction(earlier) ||
          earlier->getBlock() != later->getBlock() ||
          !earlier->isBeforeInBlock(later) ||
          earlier.getDpsInputs() != later.getDpsInputs() ||
          earlier.getIteratorTypesArray() != later.getIteratorTypesArray())
        continue;
      bool sameMaps = true;
      for (auto [a, b] : llvm::zip_equal(earlier.getDpsInputOperands(),
                                         later.getDpsInputOperands()))
        sameMaps &= earlier.getMatchingIndexingMap(a) ==
                    later.getMatchingIndexingMap(b);
      // Every loop is read from the inputs, so the loop ranges agree.
      AffineMap all = concatAffineMaps(
          llvm::map_to_vector(earlier.getDpsInputOperands(),
                              [&](OpOperand *o) {
                                return earlier.getMatchingIndexingMap(o);
                              }),
          rewriter.getContext());
      if (!sameMaps ||
          !llvm::all_of(llvm::seq<unsigned>(0, earlier.getNumLoops()),
                        [&](unsigned d) { return all.isFunctionOfDim(d); }))
        continue;
      // The merged op goes where the earlier one is when the later one's
      // accumulator is available there (a fill may move up), else where
      // the later one is when nothing uses the earlier one before it.
      Block *block = later->getBlock();
      auto availableAt = [&](Value v, Operation *at) {
        Operation *def = v.getDefiningOp();
        return !def || def->getBlock() != block || def->isBeforeInBlock(at);
      };
      Operation *insertAt = nullptr;
      Value laterInit = later.getDpsInits()[0];
      Operation *initDef = laterInit.getDefiningOp();
      if (availableAt(laterInit, earlier)) {
        insertAt = earlier;
      } else if (isa_and_nonnull<linalg::FillOp>(initDef) &&
                 llvm::all_of(initDef->getOperands(), [&](Value v) {
                   return availableAt(v, earlier);
                 })) {
        rewriter.moveOpBefore(initDef, earlier);
        insertAt = earlier;
      } else if (llvm::none_of(earlier->getUsers(), [&](Operation *u) {
                   Operation *inBlock = block->findAncestorOpInBlock(*u);
                   return !inBlock || inBlock == later ||
                          inBlock->isBeforeInBlock(later);
                 })) {
        insertAt = later;
      } else {
        continue;
      }
      rewriter.setInsertionPoint(insertAt);
      SmallVector<AffineMap> maps;
      for (OpOperand *in : earlier.getDpsInputOperands())
        maps.push_back(earlier.getMatchingIndexingMap(in));
      maps.push_back(earlier.getMatchingIndexingMap(
          earlier.getDpsInitOperand(0)));
      maps.push_back(later.getMatchingIndexingMap(later.getDpsInitOperand(0)));
      SmallVector<Value> inits = {earlier.getDpsInits()[0],
                                  later.getDpsInits()[0]};
      auto merged = linalg::GenericOp::create(
          rewriter, rewriter.getFusedLoc({earlier.getLoc(), later.getLoc()}),
          TypeRange{earlier.getResultTypes()[0], later.getResultTypes()[0]},
          earlier.getDpsInputs(), inits, maps,
          earlier.getIteratorTypesArray());
      // The body: the earlier one's, then the later one's, on the shared
      // input arguments and their own accumulators.
      unsigned numInputs = earlier.getNumDpsInputs();
      Block *body = rewriter.createBlock(&merged.getRegion());
      SmallVector<Value> inputArgs;
      for (Value in : earlier.getDpsInputs())
        inputArgs.push_back(body->addArgument(
            getElementTypeOrSelf(in.getType()), in.getLoc()));
      Value accA = body->addArgument(
          getElementTypeOrSelf(inits[0].getType()), inits[0].getLoc());
      Value accB = body->addArgument(
          getElementTypeOrSelf(inits[1].getType()), inits[1].getLoc());
      SmallVector<Value> yields;
      for (auto [op, acc] : {std::pair{earlier, accA}, std::pair{later, accB}}) {
        IRMapping mapping;
        Block *old = op.getBlock();
        for (unsigned i = 0; i < numInputs; ++i)
          mapping.map(old->getArgument(i), inputArgs[i]);
        mapping.map(old->getArgument(numInputs), acc);
        for (Operation &inner : old->without_terminator())
          rewriter.clone(inner, mapping);
        yields.push_back(mapping.lookupOrDefault(
            old->getTerminator()->getOperand(0)));
      }
      linalg::YieldOp::create(rewriter, later.getLoc(), yields);
      rewriter.replaceOp(earlier, merged.getResult(0));
      rewriter.replaceOp(later, merged.getResult(1));
      return success();
    }
    return failure();
  }
};

struct KilnFuseElementwisePass final
    : kiln::impl::KilnFuseElementwisePassBase<KilnFuseElementwisePass> {
  using Base::Base;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    // Upstream's set brings the clean-ups (fills and splat constants into
    // generics, unused operands); the fusion itself is ours.
    patterns.add<FuseGenericsKeepingLocations, MergeSiblingReductions>(ctx);
    linalg::ControlFusionFn control = [](OpOperand *) { return false; };
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    // Reshapes move through elementwise ops as upstream does.
    linalg::populateFoldReshapeOpsByExpansionPatterns(
        patterns, [](OpOperand *fused) {
          Operation *producer = fused->get().getDefiningOp();
          return producer && producer->hasOneUse();
        });
    patterns.add<RefineOperandsToLoopSizes>(ctx);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
