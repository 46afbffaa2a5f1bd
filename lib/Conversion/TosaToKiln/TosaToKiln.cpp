//===- TosaToKiln.cpp - Floating-point TOSA into the kiln dialect ---------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Each pattern checks everything it needs (float element types, zero
// points of zero, constant shapes) before it builds anything, and leaves
// the TOSA op alone otherwise; upstream's TOSA-to-linalg passes lower what
// remains later in the pipeline.
//
//===----------------------------------------------------------------------===//

#include "kiln/Conversion/Passes.h"

#include "Kiln/IR/KilnOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_CONVERTTOSATOKILNPASS
#include "kiln/Conversion/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

bool isFloatTensor(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && isa<FloatType>(t.getElementType());
}

bool allFloat(Operation *op) {
  return llvm::all_of(op->getOperands(),
                      [](Value v) {
                        return !isa<TensorType>(v.getType()) ||
                               isFloatTensor(v);
                      }) &&
         llvm::all_of(op->getResults(), isFloatTensor);
}

/// A constant whose elements are all zero (TOSA's float zero points).
bool isZeroConstant(Value v) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.isSplat())
    return false;
  if (isa<FloatType>(attr.getElementType()))
    return attr.getSplatValue<APFloat>().isZero();
  return attr.getSplatValue<APInt>().isZero();
}

/// TOSA's [top, bottom, left, right] as kiln's [top, left, bottom, right].
SmallVector<int64_t> kilnPads(ArrayRef<int64_t> tosaPad) {
  return {tosaPad[0], tosaPad[2], tosaPad[1], tosaPad[3]};
}

Value transposed(PatternRewriter &rewriter, Location loc, Value v,
                 ArrayRef<int64_t> perm) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(t.getDimSize(p));
  return TransposeOp::create(rewriter, loc, t.clone(shape), v,
                             rewriter.getDenseI64ArrayAttr(perm));
}

/// Runs after the other patterns: a constant that a remaining TOSA op uses
/// (a zero point, a shift) stays a tosa.const for upstream's lowering.
struct ConstPattern : OpRewritePattern<tosa::ConstOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::ConstOp op,
                                PatternRewriter &rewriter) const override {
    if (!isa<RankedTensorType>(op.getType()))
      return rewriter.notifyMatchFailure(op, "unranked");
    if (llvm::any_of(op->getUsers(), [](Operation *user) {
          return isa<tosa::TosaDialect>(user->getDialect());
        }))
      return rewriter.notifyMatchFailure(op, "used by a TOSA op");
    rewriter.replaceOpWithNewOp<ConstantOp>(op, op.getType(), op.getValues());
    return success();
  }
};

/// tosa.conv2d (filter [F, KH, KW, C]) and tosa.depthwise_conv2d (filter
/// [KH, KW, C, M]) as NHWC kiln.conv2d (filter [KH, KW, C/groups, F]).
template <typename TosaConv>
struct ConvPattern : OpRewritePattern<TosaConv> {
  using OpRewritePattern<TosaConv>::OpRewritePattern;
  LogicalResult matchAndRewrite(TosaConv op,
                                PatternRewriter &rewriter) const override {
    if (!allFloat(op))
      return rewriter.notifyMatchFailure(op, "not floating point");
    if (!isZeroConstant(op.getInputZp()) || !isZeroConstant(op.getWeightZp()))
      return rewriter.notifyMatchFailure(op, "non-zero zero point");
    auto wt = cast<RankedTensorType>(op.getWeight().getType());
    auto bt = cast<RankedTensorType>(op.getBias().getType());
    auto outType = cast<RankedTensorType>(op.getType());
    if (!wt.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic filter");
    // TOSA broadcasts a 1-element bias; kiln's bias has one per channel.
    int64_t channels = outType.getDimSize(3);
    if (bt.getDimSize(0) != channels)
      return rewriter.notifyMatchFailure(op, "bias is not per channel");
    Location loc = op.getLoc();
    Value filter;
    int64_t groups = 1;
    if constexpr (std::is_same_v<TosaConv, tosa::Conv2DOp>) {
      filter = transposed(rewriter, loc, op.getWeight(), {1, 2, 3, 0});
    } else {
      // [KH, KW, C, M] -> [KH, KW, 1, C * M], output channel c * M + m.
      groups = wt.getDimSize(2);
      auto type = RankedTensorType::get(
          {wt.getDimSize(0), wt.getDimSize(1), 1,
           wt.getDimSize(2) * wt.getDimSize(3)},
          wt.getElementType());
      filter = ReshapeOp::create(rewriter, loc, type, op.getWeight(),
                                 rewriter.getDenseI64ArrayAttr(
                                     type.getShape()));
    }
    rewriter.replaceOpWithNewOp<Conv2DOp>(
        op, outType, op.getInput(), filter, op.getBias(),
        rewriter.getDenseI64ArrayAttr(op.getStride()),
        rewriter.getDenseI64ArrayAttr(op.getDilation()),
        rewriter.getDenseI64ArrayAttr(kilnPads(op.getPad())),
        rewriter.getI64IntegerAttr(groups),
        LayoutAttr::get(rewriter.getContext(), Layout::NHWC));
    return success();
  }
};

struct MatMulPattern : OpRewritePattern<tosa::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::MatMulOp op,
                                PatternRewriter &rewriter) const override {
    if (!allFloat(op))
      return rewriter.notifyMatchFailure(op, "not floating point");
    if (!isZeroConstant(op.getAZp()) || !isZeroConstant(op.getBZp()))
      return rewriter.notifyMatchFailure(op, "non-zero zero point");
    if (getElementTypeOrSelf(op.getA()) != getElementTypeOrSelf(op.getType()))
      return rewriter.notifyMatchFailure(op, "widening matmul");
    rewriter.replaceOpWithNewOp<MatmulOp>(op, op.getType(), op.getA(),
                                          op.getB());
    return success();
  }
};

template <typename TosaPool>
struct PoolPattern : OpRewritePattern<TosaPool> {
  using OpRewritePattern<TosaPool>::OpRewritePattern;
  LogicalResult matchAndRewrite(TosaPool op,
                                PatternRewriter &rewriter) const override {
    if (!allFloat(op))
      return rewriter.notifyMatchFailure(op, "not floating point");
    constexpr bool isAvg = std::is_same_v<TosaPool, tosa::AvgPool2dOp>;
    if constexpr (isAvg) {
      if (!isZeroConstant(op.getInputZp()) ||
          !isZeroConstant(op.getOutputZp()))
        return rewriter.notifyMatchFailure(op, "non-zero zero point");
    }
    SmallVector<int64_t> pads = kilnPads(op.getPad());
    for (auto [i, p] : llvm::enumerate(pads))
      if (p >= op.getKernel()[i % 2])
        return rewriter.notifyMatchFailure(op, "padding as large as the "
                                               "kernel");
    // TOSA's average excludes the padding from the count.
    rewriter.replaceOpWithNewOp<Pool2DOp>(
        op, op.getType(), isAvg ? PoolKind::Avg : PoolKind::Max,
        op.getInput(), op.getKernel(), op.getStride(),
        ArrayRef<int64_t>{1, 1}, pads, /*ceil_mode=*/false,
        /*count_include_pad=*/false, Layout::NHWC);
    return success();
  }
};

/// One-to-one elementwise ops with the same operands.
template <typename TosaOp, typename KilnOp>
struct ElementwisePattern : OpRewritePattern<TosaOp> {
  using OpRewritePattern<TosaOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(TosaOp op,
                                PatternRewriter &rewriter) const override {
    if (!allFloat(op))
      return rewriter.notifyMatchFailure(op, "not floating point");
    rewriter.replaceOpWithNewOp<KilnOp>(op, op->getResultTypes(),
                                        op->getOperands());
    return success();
  }
};

/// tosa.mul's shift applies to integers only; for floats it is ignored.
struct MulPattern : OpRewritePattern<tosa::MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::MulOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getInput1()) || !isFloatTensor(op.getInput2()))
      return rewriter.notifyMatchFailure(op, "not floating point");
    rewriter.replaceOpWithNewOp<MulOp>(op, op.getType(), op.getInput1(),
                                       op.getInput2());
    return success();
  }
};

struct NegatePattern : OpRewritePattern<tosa::NegateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::NegateOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getInput1()) ||
        !isZeroConstant(op.getInput1Zp()) || !isZeroConstant(op.getOutputZp()))
      return rewriter.notifyMatchFailure(op, "not float, or a zero point");
    rewriter.replaceOpWithNewOp<NegOp>(op, op.getType(), op.getInput1());
    return success();
  }
};

struct ReciprocalPattern : OpRewritePattern<tosa::ReciprocalOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::ReciprocalOp op,
                                PatternRewriter &rewriter) const override {
    if (!allFloat(op))
      return rewriter.notifyMatchFailure(op, "not floating point");
    auto type = cast<RankedTensorType>(op.getType());
    auto scalarType = RankedTensorType::get({}, type.getElementType());
    Value one = ConstantOp::create(
        rewriter, op.getLoc(), scalarType,
        DenseElementsAttr::get(scalarType,
                               FloatAttr::get(type.getElementType(), 1.0)));
    rewriter.replaceOpWithNewOp<DivOp>(op, type, one, op.getInput1());
    return success();
  }
};

struct ClampPattern : OpRewritePattern<tosa::ClampOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::ClampOp op,
                                PatternRewriter &rewriter) const override {
    auto lo = dyn_cast<FloatAttr>(op.getMinValAttr());
    auto hi = dyn_cast<FloatAttr>(op.getMaxValAttr());
    if (!allFloat(op) || !lo || !hi)
      return rewriter.notifyMatchFailure(op, "not floating point");
    rewriter.replaceOpWithNewOp<ClampOp>(
        op, op.getType(), op.getInput(),
        rewriter.getF64FloatAttr(lo.getValueAsDouble()),
        rewriter.getF64FloatAttr(hi.getValueAsDouble()));
    return success();
  }
};

template <typename TosaOp, ComparePredicate predicate>
struct ComparePattern : OpRewritePattern<TosaOp> {
  using OpRewritePattern<TosaOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(TosaOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getInput1()) || !isFloatTensor(op.getInput2()))
      return rewriter.notifyMatchFailure(op, "not floating point");
    rewriter.replaceOpWithNewOp<CompareOp>(
        op, op.getType(),
        ComparePredicateAttr::get(rewriter.getContext(), predicate),
        op.getInput1(), op.getInput2());
    return success();
  }
};

struct SelectPattern : OpRewritePattern<tosa::SelectOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::SelectOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getOnTrue()) || !isFloatTensor(op.getOnFalse()))
      return rewriter.notifyMatchFailure(op, "not floating point");
    rewriter.replaceOpWithNewOp<SelectOp>(op, op.getType(), op.getInput1(),
                                          op.getOnTrue(), op.getOnFalse());
    return success();
  }
};

struct ReshapePattern : OpRewritePattern<tosa::ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto shapeOp = op.getShape().getDefiningOp<tosa::ConstShapeOp>();
    if (!allFloat(op) || !shapeOp)
      return rewriter.notifyMatchFailure(op, "not float, or a run-time shape");
    SmallVector<int64_t> shape;
    for (const APInt &v : shapeOp.getValues().getValues<APInt>())
      shape.push_back(v.getSExtValue());
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), op.getInput1(),
                                           rewriter.getDenseI64ArrayAttr(shape));
    return success();
  }
};

struct TransposePattern : OpRewritePattern<tosa::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    if (!allFloat(op))
      return rewriter.notifyMatchFailure(op, "not floating point");
    SmallVector<int64_t> perm(op.getPerms().begin(), op.getPerms().end());
    rewriter.replaceOpWithNewOp<TransposeOp>(
        op, op.getType(), op.getInput1(), rewriter.getDenseI64ArrayAttr(perm));
    return success();
  }
};

struct ConcatPattern : OpRewritePattern<tosa::ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::ConcatOp op,
                                PatternRewriter &rewriter) const override {
    if (!allFloat(op))
      return rewriter.notifyMatchFailure(op, "not floating point");
    rewriter.replaceOpWithNewOp<ConcatOp>(
        op, op.getType(), op.getInput1(),
        rewriter.getI64IntegerAttr(static_cast<int64_t>(op.getAxis())));
    return success();
  }
};

/// TOSA reductions keep the reduced dim.
template <typename TosaOp, typename KilnOp>
struct ReducePattern : OpRewritePattern<TosaOp> {
  using OpRewritePattern<TosaOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(TosaOp op,
                                PatternRewriter &rewriter) const override {
    if (!allFloat(op))
      return rewriter.notifyMatchFailure(op, "not floating point");
    rewriter.replaceOpWithNewOp<KilnOp>(
        op, op.getType(), op.getInput(),
        rewriter.getDenseI64ArrayAttr({static_cast<int64_t>(op.getAxis())}),
        rewriter.getBoolAttr(true));
    return success();
  }
};

struct ConvertTosaToKilnPass final
    : kiln::impl::ConvertTosaToKilnPassBase<ConvertTosaToKilnPass> {
  using Base::Base;
  void runOnOperation() override {
    // Kiln input is left exactly as it is (the graph passes count what
    // they fold).
    bool hasTosa = getOperation()
                       ->walk([](Operation *op) {
                         return isa<tosa::TosaDialect>(op->getDialect())
                                    ? WalkResult::interrupt()
                                    : WalkResult::advance();
                       })
                       .wasInterrupted();
    if (!hasTosa)
      return;
    GreedyRewriteConfig config;
    config.enableFolding(false).enableConstantCSE(false);
    RewritePatternSet patterns(&getContext());
    populateTosaToKilnPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     config)))
      return signalPassFailure();
    RewritePatternSet constants(&getContext());
    constants.add<ConstPattern>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(constants),
                                     config)))
      signalPassFailure();
  }
};

} // namespace

void mlir::kiln::populateTosaToKilnPatterns(RewritePatternSet &patterns) {
  patterns.add<
      ConvPattern<tosa::Conv2DOp>,
      ConvPattern<tosa::DepthwiseConv2DOp>, MatMulPattern,
      PoolPattern<tosa::AvgPool2dOp>, PoolPattern<tosa::MaxPool2dOp>,
      ElementwisePattern<tosa::AddOp, AddOp>,
      ElementwisePattern<tosa::SubOp, SubOp>,
      ElementwisePattern<tosa::MaximumOp, MaxOp>,
      ElementwisePattern<tosa::MinimumOp, MinOp>,
      ElementwisePattern<tosa::PowOp, PowOp>,
      ElementwisePattern<tosa::AbsOp, AbsOp>,
      ElementwisePattern<tosa::CeilOp, CeilOp>,
      ElementwisePattern<tosa::FloorOp, FloorOp>,
      ElementwisePattern<tosa::ExpOp, ExpOp>,
      ElementwisePattern<tosa::LogOp, LogOp>,
      ElementwisePattern<tosa::RsqrtOp, RsqrtOp>,
      ElementwisePattern<tosa::SigmoidOp, SigmoidOp>,
      ElementwisePattern<tosa::TanhOp, TanhOp>,
      ElementwisePattern<tosa::ErfOp, ErfOp>,
      ElementwisePattern<tosa::SinOp, SinOp>,
      ElementwisePattern<tosa::CosOp, CosOp>, MulPattern, NegatePattern,
      ReciprocalPattern, ClampPattern,
      ComparePattern<tosa::EqualOp, ComparePredicate::EQ>,
      ComparePattern<tosa::GreaterOp, ComparePredicate::GT>,
      ComparePattern<tosa::GreaterEqualOp, ComparePredicate::GE>,
      SelectPattern, ReshapePattern, TransposePattern, ConcatPattern,
      ReducePattern<tosa::ReduceSumOp, ReduceSumOp>,
      ReducePattern<tosa::ReduceMaxOp, ReduceMaxOp>,
      ReducePattern<tosa::ReduceMinOp, ReduceMinOp>,
      ReducePattern<tosa::ReduceProductOp, ReduceProdOp>>(
      patterns.getContext());
}
