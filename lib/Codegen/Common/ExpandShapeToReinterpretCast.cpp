//===- ExpandShapeToReinterpretCast.cpp - Multi-dynamic expand_shape ------===//
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
#define GEN_PASS_DEF_KILNEXPANDSHAPETOREINTERPRETCASTPASS
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

struct KilnExpandShapeToReinterpretCastPass final
    : kiln::impl::KilnExpandShapeToReinterpretCastPassBase<
          KilnExpandShapeToReinterpretCastPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<MultiDynamicExpandShape>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
