//===- StridedViewsToReinterpretCast.cpp - Views MLIR 22 cannot expand ---===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Common/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNSTRIDEDVIEWSTOREINTERPRETCASTPASS
#include "kiln/Codegen/Common/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// Whether some reassociation group of `op` has two or more dynamic dims.
bool hasMultiDynamicGroup(memref::ExpandShapeOp op) {
  MemRefType type = op.getResultType();
  for (const ReassociationIndices &group : op.getReassociationIndices())
    if (llvm::count_if(group, [&](int64_t d) { return type.isDynamicDim(d); }) >
        1)
      return true;
  return false;
}

/// a * b, folded when both are constants.
OpFoldResult mul(OpBuilder &b, Location loc, OpFoldResult x, OpFoldResult y) {
  std::optional<int64_t> cx = getConstantIntValue(x), cy = getConstantIntValue(y);
  if (cx && cy)
    return b.getIndexAttr(*cx * *cy);
  if (cx == 1)
    return y;
  if (cy == 1)
    return x;
  return arith::MulIOp::create(b, loc, getValueOrCreateConstantIndexOp(b, loc, x),
                               getValueOrCreateConstantIndexOp(b, loc, y))
      .getResult();
}

struct MultiDynamicExpandShape final
    : OpRewritePattern<memref::ExpandShapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(memref::ExpandShapeOp op,
                                PatternRewriter &rewriter) const override {
    if (!hasMultiDynamicGroup(op))
      return rewriter.notifyMatchFailure(op, "upstream handles it");
    MemRefType resultType = op.getResultType();
    auto [resultStrides, resultOffset] = resultType.getStridesAndOffset();
    Location loc = op.getLoc();
    auto metadata =
        memref::ExtractStridedMetadataOp::create(rewriter, loc, op.getSrc());
    MemRefType srcType = op.getSrcType();
    auto [srcStrides, srcOffset] = srcType.getStridesAndOffset();
    auto staticOr = [&](int64_t value, Value dynamic) -> OpFoldResult {
      if (ShapedType::isDynamic(value))
        return dynamic;
      return rewriter.getIndexAttr(value);
    };

    SmallVector<OpFoldResult> sizes = op.getMixedOutputShape();
    SmallVector<OpFoldResult> strides(resultType.getRank());
    for (auto [srcDim, group] :
         llvm::enumerate(op.getReassociationIndices())) {
      OpFoldResult stride =
          staticOr(srcStrides[srcDim], metadata.getStrides()[srcDim]);
      for (int64_t i = static_cast<int64_t>(group.size()) - 1; i >= 0; --i) {
        strides[group[i]] = stride;
        stride = mul(rewriter, loc, stride, sizes[group[i]]);
      }
    }
    // The result type's static strides win (they hold whenever the IR is
    // valid), so that the cast's static parts match its type.
    for (auto [i, s] : llvm::enumerate(resultStrides))
      if (!ShapedType::isDynamic(s))
        strides[i] = rewriter.getIndexAttr(s);
    for (auto [i, size] : llvm::enumerate(sizes))
      if (!resultType.isDynamicDim(i))
        size = rewriter.getIndexAttr(resultType.getDimSize(i));
    OpFoldResult offset = staticOr(srcOffset, metadata.getOffset());
    if (!ShapedType::isDynamic(resultOffset))
      offset = rewriter.getIndexAttr(resultOffset);
    rewriter.replaceOpWithNewOp<memref::ReinterpretCastOp>(
        op, resultType, metadata.getBaseBuffer(), offset, sizes, strides);
    return success();
  }
};

/// A rank-reducing subview whose result strides match no choice of dropped
/// unit dims (a step of 2 over dims of size 1: `memref<?x1xf32>` to
/// `memref<1xf32, strided<[2]>>`, which canonicalization builds from a
/// strided slice reshaped to one element) crashes MLIR 22's
/// SubViewOp::getDroppedDims. Such a subview becomes a reinterpret_cast:
/// the offset from every dim, the kept dims' sizes, and their strides from
/// the result type (which are the source stride times the step where they
/// are not static; a size-1 dim's stride is never used).
struct AmbiguousRankReducingSubView final : OpRewritePattern<memref::SubViewOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(memref::SubViewOp op,
                                PatternRewriter &rewriter) const override {
    MemRefType srcType = op.getSourceType(), resultType = op.getType();
    int64_t srcRank = srcType.getRank(), rank = resultType.getRank();
    if (rank == srcRank)
      return rewriter.notifyMatchFailure(op, "not rank-reducing");
    SmallVector<OpFoldResult> sizes = op.getMixedSizes();
    SmallVector<OpFoldResult> steps = op.getMixedStrides();
    // Only unit dims with a non-unit step can confuse the drop inference.
    bool ambiguous = false;
    for (int64_t d = 0; d < srcRank; ++d)
      ambiguous |= isConstantIntValue(sizes[d], 1) &&
                   !isConstantIntValue(steps[d], 1);
    if (!ambiguous)
      return rewriter.notifyMatchFailure(op, "upstream handles it");
    // Keep the non-unit dims and, from the back, as many unit dims as the
    // result still needs.
    int64_t nonUnit = llvm::count_if(
        sizes, [](OpFoldResult s) { return !isConstantIntValue(s, 1); });
    if (nonUnit > rank)
      return rewriter.notifyMatchFailure(op, "cannot match the result rank");
    int64_t unitToKeep = rank - nonUnit;
    SmallVector<bool> keep(srcRank, false);
    for (int64_t d = srcRank - 1; d >= 0; --d) {
      if (!isConstantIntValue(sizes[d], 1))
        keep[d] = true;
      else if (unitToKeep > 0)
        keep[d] = true, --unitToKeep;
    }

    Location loc = op.getLoc();
    auto metadata =
        memref::ExtractStridedMetadataOp::create(rewriter, loc, op.getSource());
    SmallVector<int64_t> srcStrides, resultStrides;
    int64_t srcOffset, resultOffset;
    if (failed(srcType.getStridesAndOffset(srcStrides, srcOffset)) ||
        failed(resultType.getStridesAndOffset(resultStrides, resultOffset)))
      return rewriter.notifyMatchFailure(op, "not strided");
    auto srcStride = [&](int64_t d) -> OpFoldResult {
      if (ShapedType::isDynamic(srcStrides[d]))
        return metadata.getStrides()[d];
      return rewriter.getIndexAttr(srcStrides[d]);
    };
    OpFoldResult offset = ShapedType::isDynamic(srcOffset)
                              ? OpFoldResult(metadata.getOffset())
                              : OpFoldResult(rewriter.getIndexAttr(srcOffset));
    SmallVector<OpFoldResult> offsets = op.getMixedOffsets();
    for (int64_t d = 0; d < srcRank; ++d)
      offset = affine::makeComposedFoldedAffineApply(
          rewriter, loc,
          rewriter.getAffineSymbolExpr(0) +
              rewriter.getAffineSymbolExpr(1) * rewriter.getAffineSymbolExpr(2),
          {offset, offsets[d], srcStride(d)});
    if (!ShapedType::isDynamic(resultOffset))
      offset = rewriter.getIndexAttr(resultOffset);
    SmallVector<OpFoldResult> newSizes, newStrides;
    for (int64_t d = 0; d < srcRank; ++d) {
      if (!keep[d])
        continue;
      int64_t r = newSizes.size();
      newSizes.push_back(resultType.isDynamicDim(r)
                             ? sizes[d]
                             : rewriter.getIndexAttr(resultType.getDimSize(r)));
      newStrides.push_back(
          !ShapedType::isDynamic(resultStrides[r])
              ? OpFoldResult(rewriter.getIndexAttr(resultStrides[r]))
              : affine::makeComposedFoldedAffineApply(
                    rewriter, loc,
                    rewriter.getAffineSymbolExpr(0) *
                        rewriter.getAffineSymbolExpr(1),
                    {srcStride(d), steps[d]}));
    }
    rewriter.replaceOpWithNewOp<memref::ReinterpretCastOp>(
        op, resultType, metadata.getBaseBuffer(), offset, newSizes,
        newStrides);
    return success();
  }
};

struct KilnStridedViewsToReinterpretCastPass final
    : kiln::impl::KilnStridedViewsToReinterpretCastPassBase<
          KilnStridedViewsToReinterpretCastPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<MultiDynamicExpandShape, AmbiguousRankReducingSubView>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
