//===- VectorizeElementwise.cpp - Vectorize elementwise ops and reductions ===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Elementwise generics and reductions whose strategy is `vectorize` are tiled
// so that the innermost loop covers one vector (the outer loops by 1), and
// each tile is vectorized. A reduction over the innermost loop is tiled as a
// partial reduction: a vector accumulator updated lane by lane in the loop,
// reduced to a scalar once after it, which is both faster and more accurate
// than a running scalar sum. A remainder that no vector fills is peeled off
// the vector loop; when its size is only known at run time it is vectorized
// with masks.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"

#include "Distribute.h"
#include "Strategy.h"
#include "Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUVECTORIZEELEMENTWISEPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

/// Marks, within this pass, the loops around vectorized tiles.
static constexpr StringLiteral kVectorLoopAttrName = "kiln.vector_loop";

/// Merges the innermost run of loops of one iterator type that every
/// operand reads as contiguous dims into one loop, so that an NCHW
/// epilogue or a reduction over H and W fills whole vectors. Returns `op`
/// itself when there is nothing to merge.
static linalg::GenericOp collapseInnermostLoops(RewriterBase &rewriter,
                                                linalg::GenericOp op) {
  int64_t loops = op.getNumLoops();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  // The contiguity analysis needs plain projected permutations, and the
  // indices of a merged loop would cost a division per element.
  if (op.hasIndexSemantics() || !llvm::all_of(maps, [](AffineMap m) {
        return m.isProjectedPermutation();
      }))
    return op;
  // A slice (the strided windows of a decomposed depthwise convolution) is
  // not contiguous: merging its dims would copy it whole first.
  if (llvm::any_of(op->getOperands(), [](Value v) {
        return v.getDefiningOp<tensor::ExtractSliceOp>() != nullptr;
      }))
    return op;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  // At most one dynamic dim per merged run: expand-strided-metadata cannot
  // expand a dynamic dim back into several (LLVM 22 crashes).
  auto dynamicIn = [&](int64_t from) {
    return llvm::count_if(ArrayRef(ranges).drop_front(from),
                          ShapedType::isDynamic);
  };
  int64_t first = loops - 1;
  while (first > 0 && iterators[first - 1] == iterators[loops - 1] &&
         dynamicIn(first - 1) <= 1 &&
         linalg::areDimSequencesPreserved(
             maps, ReassociationIndices(
                       llvm::to_vector(llvm::seq<int64_t>(first - 1, loops)))))
    --first;
  if (first == loops - 1)
    return op;
  Attribute strategy = op->getAttr(kStrategyAttrName);
  rewriter.setInsertionPoint(op);
  FailureOr<linalg::CollapseResult> collapsed = linalg::collapseOpIterationDims(
      op, {llvm::to_vector(llvm::seq<int64_t>(first, loops))}, rewriter);
  if (failed(collapsed))
    return op;
  rewriter.replaceOp(op, collapsed->results);
  auto generic = cast<linalg::GenericOp>(collapsed->collapsedOp.getOperation());
  generic->setAttr(kStrategyAttrName, strategy);
  return generic;
}

/// Tiles `op` by `sizes` with scf.for loops, replacing it. With
/// `partialReductionDim`, that (reduction) loop is tiled into a partial
/// accumulator of one tile, merged after the loop. Every op left to
/// vectorize (the tiled op, the accumulator's fill, the merge) is marked
/// with `strategy`.
static FailureOr<scf::SCFTilingResult>
tile(RewriterBase &rewriter, linalg::LinalgOp op, ArrayRef<int64_t> sizes,
     std::optional<unsigned> partialReductionDim, Attribute strategy) {
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  if (partialReductionDim) {
    options.setReductionTilingStrategy(
        ReductionTilingStrategy::PartialReductionOuterReduction);
    options.setReductionDims({*partialReductionDim});
  }
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled))
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  for (Operation *tiledOp : tiled->tiledOps)
    tiledOp->setAttr(kStrategyAttrName, strategy);
  for (Operation *merge : tiled->mergeOps)
    if (isa<linalg::LinalgOp>(merge))
      merge->setAttr(kStrategyAttrName, strategy);
  for (Value init : tiled->initialValues)
    if (auto fill = init.getDefiningOp<linalg::FillOp>())
      fill->setAttr(kStrategyAttrName, strategy);
  return tiled;
}

/// Tiles `op` down to tiles of one vector along the innermost loop and 1
/// along the others, and peels the remainder off the vector loop. A
/// reduction over a static innermost loop is first split where the whole
/// vectors end: the vectors go to the partial accumulator, and the tail is
/// a reduction of its own into the merged result, so that no partial update
/// of the accumulator is left. With a dynamic extent, the peeled remainder
/// updates the accumulator under a mask.
static LogicalResult tileForVectors(RewriterBase &rewriter,
                                    linalg::GenericOp op,
                                    const VectorizeStrategy &strategy) {
  Attribute attr = op->getAttr(kStrategyAttrName);
  bool accumulator = op->hasAttr(kAccumulatorAttrName);
  if (!accumulator)
    op = collapseInnermostLoops(rewriter, op);
  int64_t loops = op.getNumLoops();
  linalg::LinalgOp current = op;
  if (!accumulator) {
    FailureOr<linalg::LinalgOp> distributed =
        distributeOverThreads(rewriter, op);
    if (failed(distributed))
      return failure();
    current = *distributed;
  }
  if (loops > 1) {
    SmallVector<int64_t> sizes(loops, 1);
    sizes.back() = 0;
    FailureOr<scf::SCFTilingResult> outer =
        tile(rewriter, current, sizes, std::nullopt, attr);
    if (failed(outer))
      return failure();
    current = cast<linalg::LinalgOp>(outer->tiledOps.back());
  }
  int64_t extent = current.getStaticLoopRanges().back();
  int64_t n = strategy.vectorSize;
  bool dynamic = ShapedType::isDynamic(extent);
  if (!dynamic && extent <= n)
    return success();
  bool reduction =
      linalg::isReductionIterator(current.getIteratorTypesArray().back());
  bool ragged = dynamic || extent % n != 0;
  if (reduction && ragged && !dynamic) {
    rewriter.setInsertionPoint(current);
    auto [vectors, tail] =
        linalg::splitOp(rewriter, cast<TilingInterface>(current.getOperation()),
                        loops - 1, rewriter.getIndexAttr(extent / n * n));
    if (!vectors || !tail)
      return failure();
    vectors->setAttr(kStrategyAttrName, attr);
    tail->setAttr(kStrategyAttrName, attr);
    current = cast<linalg::LinalgOp>(vectors.getOperation());
    ragged = false;
  }
  SmallVector<int64_t> sizes(loops, 0);
  sizes.back() = n;
  std::optional<unsigned> partial;
  if (reduction)
    partial = loops - 1;
  FailureOr<scf::SCFTilingResult> inner =
      tile(rewriter, current, sizes, partial, attr);
  if (failed(inner))
    return failure();
  if (!ragged)
    return success();
  auto loop = cast<scf::ForOp>(inner->loops.back().getOperation());
  scf::ForOp remainder;
  // Fails only when there is nothing to peel.
  (void)scf::peelForLoopAndSimplifyBounds(rewriter, loop, remainder);
  return success();
}

/// The vector shape of a tile: its loop ranges, where a dynamic innermost
/// one (the remainder of a vector loop, masked) takes a whole vector.
/// Nothing when the tile is not one vector of at most `vectorSize` elements.
static std::optional<SmallVector<int64_t>> tileVectorShape(linalg::LinalgOp op,
                                                           int64_t vectorSize) {
  SmallVector<int64_t> shape = op.getStaticLoopRanges();
  if (shape.empty())
    return std::nullopt;
  for (auto [dim, size] : llvm::enumerate(shape)) {
    if (!ShapedType::isDynamic(size))
      continue;
    Value operand;
    unsigned operandDim;
    if (failed(op.mapIterationSpaceDimToOperandDim(dim, operand, operandDim)))
      return std::nullopt;
    FailureOr<int64_t> bound = ValueBoundsConstraintSet::computeConstantBound(
        presburger::BoundType::UB, {operand, static_cast<int64_t>(operandDim)},
        /*stopCondition=*/nullptr, /*closedUB=*/true);
    if (failed(bound) || *bound > vectorSize)
      return std::nullopt;
    // Masked: one whole vector, rather than one of the bound's odd size.
    size = dim + 1 == shape.size() ? vectorSize : *bound;
  }
  if (llvm::any_of(ArrayRef(shape).drop_back(),
                   [](int64_t s) { return s != 1; }) ||
      shape.back() > vectorSize || shape.back() < 1)
    return std::nullopt;
  return shape;
}

namespace {
/// insert_slice(transfer_write(v, extract_slice(t)), t) of the same slice,
/// the write covering all of it (a rank-reducing write of one vector into
/// a 1 x n slice) -> transfer_write(v, t) at the slice's offsets, so that
/// the accumulator of a reduction over outer loops is read and written
/// through the loop's tensor itself, which hoisting then keeps in a
/// register. (Upstream's folding wants the write to be of the slice's
/// rank.)
struct InsertOfWholeSliceWrite final
    : OpRewritePattern<tensor::InsertSliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::InsertSliceOp insert,
                                PatternRewriter &rewriter) const override {
    auto write = insert.getSource().getDefiningOp<vector::TransferWriteOp>();
    if (!write || write.getMask() || !write->hasOneUse() ||
        !write.getPermutationMap().isMinorIdentity() ||
        llvm::any_of(write.getIndices(),
                     [](Value v) { return !isConstantIntValue(v, 0); }))
      return failure();
    auto extract = write.getBase().getDefiningOp<tensor::ExtractSliceOp>();
    if (!extract || extract.getSource() != insert.getDest() ||
        !insert.hasUnitStride() || !extract.hasUnitStride() ||
        extract.getMixedOffsets() != insert.getMixedOffsets() ||
        extract.getMixedSizes() != insert.getMixedSizes())
      return failure();
    // The vector covers the slice: the slice's shape is the vector's with
    // leading unit dims.
    ArrayRef<int64_t> slice = extract.getType().getShape();
    ArrayRef<int64_t> vector = write.getVectorType().getShape();
    if (slice.size() < vector.size() ||
        slice.take_back(vector.size()) != vector ||
        llvm::any_of(slice.drop_back(vector.size()),
                     [](int64_t d) { return d != 1; }) ||
        llvm::any_of(write.getInBoundsValues(), [](bool b) { return !b; }))
      return failure();
    // Into the whole tensor, where the slice's dims are its last ones.
    auto destType = cast<RankedTensorType>(insert.getDest().getType());
    if (destType.getRank() != static_cast<int64_t>(slice.size()))
      return failure();
    SmallVector<Value> indices;
    for (OpFoldResult offset : insert.getMixedOffsets())
      indices.push_back(getValueOrCreateConstantIndexOp(
          rewriter, insert.getLoc(), offset));
    rewriter.replaceOpWithNewOp<vector::TransferWriteOp>(
        insert, write.getVector(), insert.getDest(), indices,
        SmallVector<bool>(vector.size(), true));
    return success();
  }
};

struct KilnCPUVectorizeElementwisePass final
    : kiln::impl::KilnCPUVectorizeElementwisePassBase<
          KilnCPUVectorizeElementwisePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    IRRewriter rewriter(ctx);

    SmallVector<linalg::GenericOp> ops;
    func.walk([&](linalg::GenericOp op) {
      if (op.hasPureTensorSemantics() && VectorizeStrategy::read(op))
        ops.push_back(op);
    });
    // An op that cannot be tiled stays as it is, and scalar.
    for (linalg::GenericOp op : ops)
      (void)tileForVectors(rewriter, op, *VectorizeStrategy::read(op));

    // Peeled tiles get static shapes, single-iteration loops disappear.
    {
      RewritePatternSet patterns(ctx);
      for (Dialect *dialect : ctx->getLoadedDialects())
        dialect->getCanonicalizationPatterns(patterns);
      for (RegisteredOperationName name : ctx->getRegisteredOperations())
        name.getCanonicalizationPatterns(patterns, ctx);
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }

    SmallVector<linalg::LinalgOp> tiles;
    func.walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() && VectorizeStrategy::read(op))
        tiles.push_back(op);
    });
    for (linalg::LinalgOp op : tiles) {
      int64_t vectorSize = VectorizeStrategy::read(op)->vectorSize;
      // A tile of a reduction over outer loops only (online softmax's
      // lanes) reduces over unit loops: without them it is elementwise,
      // which vectorizes whatever combines its results.
      if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
          generic && generic.getNumReductionLoops() > 0 &&
          generic.getIteratorTypesArray().back() ==
              utils::IteratorType::parallel) {
        linalg::ControlDropUnitDims control;
        control.rankReductionStrategy =
            linalg::ControlDropUnitDims::RankReductionStrategy::
                ExtractInsertSlice;
        rewriter.setInsertionPoint(generic);
        FailureOr<linalg::DropUnitDimsResult> dropped =
            linalg::dropUnitDims(rewriter, generic, control);
        if (failed(dropped))
          continue;
        auto elementwise =
            cast<linalg::LinalgOp>(dropped->resultOp.getOperation());
        Attribute strategy = generic->getAttr(kStrategyAttrName);
        rewriter.replaceOp(generic, dropped->replacements);
        elementwise->setAttr(kStrategyAttrName, strategy);
        if (elementwise.getNumReductionLoops() > 0)
          continue;
        op = elementwise;
      }
      std::optional<SmallVector<int64_t>> shape =
          tileVectorShape(op, vectorSize);
      if (!shape)
        continue;
      // A static tile is vectorized to its own shape; a dynamic one is
      // masked.
      SmallVector<int64_t> sizes;
      if (op.hasDynamicShape())
        sizes = *shape;
      // Explicit (fixed-size) flags: without them, LLVM 22's vectorizer
      // types its masks as no vector.mask verifier accepts.
      SmallVector<bool> scalable(sizes.size(), false);
      if (failed(linalg::vectorizeOpPrecondition(op, sizes, scalable)))
        continue;
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::VectorizationResult> vectorized =
          linalg::vectorize(rewriter, op, sizes, scalable);
      if (failed(vectorized))
        continue;
      // Marks the vector loops, and only those, for hoisting below: not
      // the model's own loops around them (kiln.graph_loop), whose
      // iteration arguments are not a tile's accumulator.
      for (auto loop = op->getParentOfType<scf::ForOp>();
           loop && !loop->hasAttr(kGraphLoopAttrName);
           loop = loop->getParentOfType<scf::ForOp>())
        loop->setAttr(kVectorLoopAttrName, rewriter.getUnitAttr());
      rewriter.replaceOp(op, vectorized->replacements);
    }

    // Transfers index the loop's tensors directly and drop the unit dims;
    // the merge of a partial accumulator becomes one horizontal reduction.
    // Masked transfers take their mask as an operand: buffer deallocation
    // cannot see through vector.mask regions.
    {
      RewritePatternSet patterns(ctx);
      vector::populateVectorMaskLoweringPatternsForSideEffectingOps(patterns);
      tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(patterns);
      patterns.add<InsertOfWholeSliceWrite>(ctx);
      vector::populateVectorMultiReductionLoweringPatterns(
          patterns, vector::VectorMultiReductionLowering::InnerReduction);
      vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
      vector::populateVectorStepLoweringPatterns(patterns);
      vector::populateScalarVectorTransferLoweringPatterns(
          patterns, /*benefit=*/1, /*allowMultipleUses=*/true);
      vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
      vector::TransferWriteOp::getCanonicalizationPatterns(patterns, ctx);
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
    // A broadcast operand (one scalar per row) is read as a scalar and
    // broadcast, rather than as a transfer with a broadcast map. Not with
    // the leading-unit-dim patterns above: a write along a column (a
    // concat's last column) gets a unit dim here, which those drop again,
    // forever (the rewrite grew without bound: out of memory).
    {
      RewritePatternSet patterns(ctx);
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
      vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
      vector::TransferWriteOp::getCanonicalizationPatterns(patterns, ctx);
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
    // The partial accumulator, read and written whole in each iteration,
    // becomes a vector carried by the loop: it lives in a register.
    // Reads of what is constant along a row (a softmax row's max, a
    // broadcast bias) leave the vector loop too. Inner loops come first.
    SmallVector<scf::ForOp> loops;
    func.walk([&](scf::ForOp loop) {
      if (loop->removeAttr(kVectorLoopAttrName))
        loops.push_back(loop);
    });
    for (scf::ForOp loop : loops) {
      LoopLikeOpInterface hoisted = hoistLoopInvariantSubsets(rewriter, loop);
      hoisted->removeAttr(kVectorLoopAttrName);
      moveLoopInvariantCode(hoisted);
    }
  }
};
} // namespace
