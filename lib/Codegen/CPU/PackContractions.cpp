//===- PackContractions.cpp - Pack mmt4d-strategy contractions ------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"

#include "Strategy.h"

#include "Kiln/IR/ElementsUtils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUPACKCONTRACTIONSPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
/// linalg.pack of a constant becomes the packed constant: the bytes are
/// permuted once, at compile time, so frozen weights are never packed at
/// run time. Works on the raw bytes, whatever the element type.
struct FoldPackOfConstant final : OpRewritePattern<linalg::PackOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::PackOp pack,
                                PatternRewriter &rewriter) const override {
    ElementsAttr source;
    if (!matchPattern(pack.getSource(), m_Constant(&source)))
      return rewriter.notifyMatchFailure(pack, "source is not a constant");
    RankedTensorType srcType = pack.getSourceType();
    RankedTensorType dstType = pack.getDestType();
    if (!srcType.hasStaticShape() || !dstType.hasStaticShape())
      return rewriter.notifyMatchFailure(pack, "dynamic shapes");
    std::optional<ArrayRef<char>> bytes = getRawElementBytes(source);
    if (!bytes)
      return rewriter.notifyMatchFailure(pack, "constant is not raw data");
    // The padding value, as bytes (zero when there is none).
    size_t width = srcType.getElementTypeBitWidth() / 8;
    SmallVector<char> padding(width, 0);
    if (Value pad = pack.getPaddingValue()) {
      FloatAttr padFloat;
      if (!matchPattern(pad, m_Constant(&padFloat)) ||
          !padFloat.getValue().isZero())
        return rewriter.notifyMatchFailure(pack, "non-zero padding value");
    }

    ArrayRef<int64_t> srcShape = srcType.getShape();
    ArrayRef<int64_t> dstShape = dstType.getShape();
    int64_t rank = srcType.getRank();
    SmallVector<int64_t> outerPerm(pack.getOuterDimsPerm());
    if (outerPerm.empty())
      outerPerm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    ArrayRef<int64_t> innerPos = pack.getInnerDimsPos();
    SmallVector<int64_t> tiles = pack.getStaticTiles();
    // For each source dim: its tile (1 when untiled) and where its inner
    // index lives in the destination.
    SmallVector<int64_t> tileOf(rank, 1), innerDstDim(rank, -1),
        outerDstDim(rank);
    for (auto [i, d] : llvm::enumerate(outerPerm))
      outerDstDim[d] = i;
    for (auto [i, pos] : llvm::enumerate(innerPos)) {
      tileOf[pos] = tiles[i];
      innerDstDim[pos] = rank + i;
    }
    SmallVector<int64_t> srcStrides(rank, 1);
    for (int64_t d = rank - 2; d >= 0; --d)
      srcStrides[d] = srcStrides[d + 1] * srcShape[d + 1];

    int64_t dstRank = dstType.getRank();
    int64_t total = dstType.getNumElements();
    SmallVector<char> out(total * width);
    SmallVector<int64_t> index(dstRank, 0);
    for (int64_t linear = 0; linear < total; ++linear) {
      int64_t offset = 0;
      bool inBounds = true;
      for (int64_t d = 0; d < rank; ++d) {
        int64_t outer = index[outerDstDim[d]];
        int64_t inner = innerDstDim[d] >= 0 ? index[innerDstDim[d]] : 0;
        int64_t s = outer * tileOf[d] + inner;
        if (s >= srcShape[d]) {
          inBounds = false;
          break;
        }
        offset += s * srcStrides[d];
      }
      std::memcpy(out.data() + linear * width,
                  inBounds ? bytes->data() + offset * width : padding.data(),
                  width);
      for (int64_t d = dstRank - 1; d >= 0; --d) {
        if (++index[d] < dstShape[d])
          break;
        index[d] = 0;
      }
    }
    // The packed weights are a flat constant viewed in the packed shape:
    // LLVM IR constants of n-D types are nested arrays, and with the
    // packed layout's trailing dims (n0 x 1) translating them costs one
    // constant object per element.
    auto flatType =
        RankedTensorType::get({total}, dstType.getElementType());
    ElementsAttr packed = makeElementsFromBytes(flatType, out, "packed");
    Value flat = arith::ConstantOp::create(rewriter, pack.getLoc(), flatType,
                                           cast<TypedAttr>(packed));
    ReassociationIndices all =
        llvm::to_vector(llvm::seq<int64_t>(0, dstType.getRank()));
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        pack, dstType, flat, ArrayRef<ReassociationIndices>{all});
    return success();
  }
};

struct KilnCPUPackContractionsPass final
    : kiln::impl::KilnCPUPackContractionsPassBase<
          KilnCPUPackContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> candidates;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (ContractionStrategy::read(op) && !op->hasAttr(kPackedAttrName))
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : candidates) {
      ContractionStrategy strategy = *ContractionStrategy::read(op);
      Attribute strategyAttr = op->getAttr(kStrategyAttrName);
      rewriter.setInsertionPoint(op);
      auto control = [&](linalg::LinalgOp) {
        linalg::BlockPackMatmulOptions options;
        options.blockFactors = {strategy.m0, strategy.n0, strategy.k0};
        options.allowPadding = true;
        return std::optional(options);
      };
      FailureOr<linalg::PackResult> packed =
          linalg::blockPackMatmul(rewriter, op, control);
      if (failed(packed))
        continue; // stays a plain contraction, lowered to loops
      packed->packedLinalgOp->setAttr(kStrategyAttrName, strategyAttr);
      packed->packedLinalgOp->setAttr(kPackedAttrName, rewriter.getUnitAttr());
    }

    RewritePatternSet patterns(&getContext());
    patterns.add<FoldPackOfConstant>(&getContext());
    linalg::populateFoldIntoPackAndUnpackPatterns(patterns);
    linalg::PackOp::getCanonicalizationPatterns(patterns, &getContext());
    linalg::UnPackOp::getCanonicalizationPatterns(patterns, &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
