//===- PackContractions.cpp - Pack mmt4d-strategy contractions ------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"

#include "Strategy.h"

#include "Kiln/IR/ElementsUtils.h"
#include "Kiln/IR/KilnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
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
      if (!matchPattern(pad, m_AnyZeroFloat()) && !matchPattern(pad, m_Zero()))
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

/// Packs an accumulator that starts as a broadcast (a convolution's or a
/// linear layer's bias) by broadcasting straight into the packed layout:
///
///   pack(collapse?(generic broadcast(%bias)))  [M1, N1, m0, n0]
///   -> generic(pack(%bias)) over [M1, N1, m0, n0]
///
/// Each input of the broadcast must be a scalar or a 1-D tensor read along
/// the accumulator's M or N dim; it is packed by that dim's tile (a
/// constant bias folds at compile time). The padding the pack would have
/// zeroed holds broadcast values instead, which the unpack drops.
struct PackBroadcastAccumulator final : OpRewritePattern<linalg::PackOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::PackOp pack,
                                PatternRewriter &rewriter) const override {
    RankedTensorType srcType = pack.getSourceType();
    SmallVector<int64_t> tiles = pack.getStaticTiles();
    if (srcType.getRank() != 2 || !pack.getOuterDimsPerm().empty() ||
        pack.getInnerDimsPos() != ArrayRef<int64_t>{0, 1} ||
        llvm::any_of(tiles, ShapedType::isDynamic))
      return failure();
    bool accumulator = llvm::any_of(pack->getUses(), [](OpOperand &use) {
      auto op = dyn_cast<linalg::LinalgOp>(use.getOwner());
      return op && op->hasAttr(kPackedAttrName) && op.isDpsInit(&use);
    });
    if (!accumulator)
      return failure();
    // The broadcast, possibly seen through a collapse of its dims into M
    // and N: group[i] are its dims that make accumulator dim i.
    Value source = pack.getSource();
    SmallVector<ReassociationIndices> groups = {{0}, {1}};
    if (auto collapse = source.getDefiningOp<tensor::CollapseShapeOp>()) {
      groups = collapse.getReassociationIndices();
      source = collapse.getSrc();
    }
    auto broadcast = source.getDefiningOp<linalg::GenericOp>();
    if (!broadcast || broadcast.getNumDpsInits() != 1 ||
        broadcast.getNumReductionLoops() != 0 ||
        !broadcast.getMatchingIndexingMap(broadcast.getDpsInitOperand(0))
             .isIdentity() ||
        broadcast.payloadUsesValueFromOperand(broadcast.getDpsInitOperand(0)))
      return failure();

    MLIRContext *ctx = rewriter.getContext();
    Location loc = pack.getLoc();
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    for (OpOperand *in : broadcast.getDpsInputOperands()) {
      AffineMap map = broadcast.getMatchingIndexingMap(in);
      auto inType = dyn_cast<RankedTensorType>(in->get().getType());
      if (!inType || inType.getRank() != map.getNumResults() ||
          map.getNumResults() > 1)
        return failure();
      if (map.getNumResults() == 0) {
        inputs.push_back(in->get());
        maps.push_back(AffineMap::get(4, 0, {}, ctx));
        continue;
      }
      auto dim = dyn_cast<AffineDimExpr>(map.getResult(0));
      if (!dim || inType.isDynamicDim(0))
        return failure();
      // Which accumulator dim (0: M, 1: N) the input runs along.
      int64_t which = -1;
      for (auto [i, group] : llvm::enumerate(groups))
        if (group.size() == 1 && group[0] == dim.getPosition())
          which = i;
      if (which < 0)
        return failure();
      int64_t tile = tiles[which];
      int64_t length = inType.getDimSize(0);
      auto packedType = RankedTensorType::get(
          {static_cast<int64_t>(llvm::divideCeil(length, tile)), tile},
          inType.getElementType());
      Value dest = tensor::EmptyOp::create(rewriter, loc, packedType.getShape(),
                                           packedType.getElementType());
      Value zero = arith::ConstantOp::create(
          rewriter, loc, rewriter.getZeroAttr(inType.getElementType()));
      inputs.push_back(linalg::PackOp::create(
          rewriter, loc, in->get(), dest, /*innerDimsPos=*/{0},
          getAsIndexOpFoldResult(ctx, ArrayRef<int64_t>{tile}), zero));
      maps.push_back(AffineMap::get(
          4, 0,
          {getAffineDimExpr(which, ctx), getAffineDimExpr(which + 2, ctx)},
          ctx));
    }
    maps.push_back(AffineMap::getMultiDimIdentityMap(4, ctx));
    SmallVector<utils::IteratorType> iterators(4,
                                               utils::IteratorType::parallel);
    auto packed = linalg::GenericOp::create(
        rewriter, loc, TypeRange{pack.getDestType()}, inputs,
        ValueRange{pack.getDest()}, maps, iterators);
    rewriter.cloneRegionBefore(broadcast.getRegion(), packed.getRegion(),
                               packed.getRegion().begin());
    if (Attribute strategy = broadcast->getAttr(kStrategyAttrName))
      packed->setAttr(kStrategyAttrName, strategy);
    packed->setAttr(kAccumulatorAttrName, rewriter.getUnitAttr());
    // The unpack of the result overwrites the whole accumulator; its
    // destination's broadcast values are never read.
    for (Operation *user : llvm::make_early_inc_range(
             pack.getSource().getUsers())) {
      auto unpack = dyn_cast<linalg::UnPackOp>(user);
      if (!unpack || unpack.getDest() != pack.getSource() ||
          !srcType.hasStaticShape())
        continue;
      rewriter.setInsertionPoint(unpack);
      Value empty = tensor::EmptyOp::create(rewriter, loc, srcType.getShape(),
                                            srcType.getElementType());
      rewriter.modifyOpInPlace(
          unpack, [&] { unpack.getDestMutable().assign(empty); });
    }
    rewriter.replaceOp(pack, packed.getResults());
    return success();
  }
};

/// For vpmaddwd (k0 = 2), an i8 contraction's left operand (the
/// activations) widened to i16 before packing, as its body widens it, by a
/// vectorized elementwise op: the register tile then broadcasts a row's two
/// i16 as one i32 straight from memory, where widening each row's bytes in
/// the tile took shuffles per row and step (an AVX2 GEMM went from 97 to
/// 160 GOP/s). The right operand (frozen weights) stays i8, 4x smaller
/// than f32 in the object; its panel is widened in the tile, two
/// `vpmovsxbw` per step.
static linalg::GenericOp widenLeftToI16(RewriterBase &rewriter,
                                        linalg::GenericOp op,
                                        DictionaryAttr vectorize) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return op;
  Value in = op.getDpsInputs()[0];
  auto type = dyn_cast<RankedTensorType>(in.getType());
  BlockArgument arg = op.getBlock()->getArgument(0);
  Operation *ext = arg.hasOneUse() ? *arg.getUsers().begin() : nullptr;
  if (!type || !type.getElementType().isInteger(8) ||
      !isa_and_nonnull<arith::ExtUIOp, arith::ExtSIOp>(ext))
    return op;
  bool isUnsigned = isa<arith::ExtUIOp>(ext);
  Location loc = op.getLoc();
  Type i16 = rewriter.getI16Type(), i32 = rewriter.getI32Type();
  SmallVector<OpFoldResult> dims = tensor::getMixedSizes(rewriter, loc, in);
  Value empty = tensor::EmptyOp::create(rewriter, loc, dims, i16);
  AffineMap identity = rewriter.getMultiDimIdentityMap(type.getRank());
  auto widen = linalg::GenericOp::create(
      rewriter, loc, TypeRange{type.clone(i16)}, ValueRange{in},
      ValueRange{empty}, ArrayRef<AffineMap>{identity, identity},
      SmallVector<utils::IteratorType>(type.getRank(),
                                       utils::IteratorType::parallel),
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value v = isUnsigned
                      ? arith::ExtUIOp::create(b, l, i16, args[0]).getResult()
                      : arith::ExtSIOp::create(b, l, i16, args[0]).getResult();
        linalg::YieldOp::create(b, l, v);
      });
  widen->setAttr(kStrategyAttrName, vectorize);
  // The same contraction on the widened left operand: a sign extension of
  // i16 (which holds the u8 or i8 value), the right one's own widening.
  IRMapping mapping;
  Block *body = op.getBlock();
  auto widened = linalg::GenericOp::create(
      rewriter, loc, op.getResultTypes(),
      ValueRange{widen.getResult(0), op.getDpsInputs()[1]}, op.getDpsInits(),
      op.getIndexingMapsArray(), op.getIteratorTypesArray(),
      [&](OpBuilder &b, Location l, ValueRange args) {
        mapping.map(ext->getResult(0),
                    arith::ExtSIOp::create(b, l, i32, args[0]).getResult());
        mapping.map(body->getArgument(1), args[1]);
        mapping.map(body->getArgument(2), args[2]);
        for (Operation &inner : body->getOperations())
          if (&inner != ext)
            b.clone(inner, mapping);
      });
  widened->setAttrs(op->getDiscardableAttrDictionary());
  rewriter.replaceOp(op, widened.getResults());
  return widened;
}

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
    DictionaryAttr vectorize =
        VectorizeStrategy::forTarget(TargetAttr::lookup(getOperation()))
            .toAttr(&getContext());
    for (linalg::LinalgOp op : candidates) {
      ContractionStrategy strategy = *ContractionStrategy::read(op);
      Attribute strategyAttr = op->getAttr(kStrategyAttrName);
      rewriter.setInsertionPoint(op);
      if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
          generic && strategy.k0 == 2) {
        op = widenLeftToI16(rewriter, generic, vectorize);
        rewriter.setInsertionPoint(op);
      }
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
    patterns.add<FoldPackOfConstant, PackBroadcastAccumulator>(&getContext());
    // Not a pad into a pack: MLIR 22 folds pads larger than what completes
    // the last tile (K padded from 3 to 5 with k0 = 1), building an invalid
    // pack (found by kiln-smith).
    linalg::populateFoldIntoPackAndUnpackPatterns(
        patterns, [](OpOperand *operand) {
          return !operand->get().getDefiningOp<tensor::PadOp>();
        });
    linalg::PackOp::getCanonicalizationPatterns(patterns, &getContext());
    linalg::UnPackOp::getCanonicalizationPatterns(patterns, &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
