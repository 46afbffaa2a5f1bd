//===- Simplify.cpp - Algebraic simplification of the kiln graph ----------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Kiln/IR/KilnOps.h"
#include "Kiln/IR/LayoutUtils.h"
#include "Kiln/Transforms/Passes.h"
#include "Kiln/Transforms/Remarks.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNSIMPLIFYPASS
#include "Kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
constexpr StringLiteral kPass = "kiln-simplify";

bool isConstant(Value v) { return matchPattern(v, m_Constant()); }

bool hasFloatElements(Value v) {
  return isa<FloatType>(cast<ShapedType>(v.getType()).getElementType());
}

/// A transpose that swaps the last two dims and keeps the others in place.
Value swappedLastTwo(Value v) {
  auto t = v.getDefiningOp<TransposeOp>();
  if (!t)
    return {};
  ArrayRef<int64_t> perm = t.getPerm();
  int64_t rank = perm.size();
  if (rank < 2 || perm[rank - 1] != rank - 2 || perm[rank - 2] != rank - 1)
    return {};
  for (int64_t d = 0; d + 2 < rank; ++d)
    if (perm[d] != d)
      return {};
  return t.getInput();
}

/// matmul(transpose(x), y) -> matmul(x, y) with transpose_lhs flipped, and
/// the same for the right operand: the contraction reads the operand
/// transposed instead of a transposed copy being made.
struct TransposeIntoMatmul final : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    Value lhs = swappedLastTwo(op.getLhs()), rhs = swappedLastTwo(op.getRhs());
    if (!lhs && !rhs)
      return rewriter.notifyMatchFailure(op, "no operand is a transpose of "
                                             "its last two dims");
    rewriter.modifyOpInPlace(op, [&] {
      if (lhs) {
        op.getLhsMutable().assign(lhs);
        op.setTransposeLhs(!op.getTransposeLhs());
      }
      if (rhs) {
        op.getRhsMutable().assign(rhs);
        op.setTransposeRhs(!op.getTransposeRhs());
      }
    });
    remarkRewrite(op.getLoc(), kPass, "transpose-into-matmul");
    return success();
  }
};

/// x * (1 / y) -> x / y, for floats: one division instead of a division
/// and a product.
struct MulByReciprocal final : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MulOp op,
                                PatternRewriter &rewriter) const override {
    if (!hasFloatElements(op.getResult()))
      return rewriter.notifyMatchFailure(op, "not a float product");
    for (auto [x, other] : {std::pair{op.getLhs(), op.getRhs()},
                            std::pair{op.getRhs(), op.getLhs()}}) {
      auto div = other.getDefiningOp<DivOp>();
      if (!div || !matchPattern(div.getLhs(), m_OneFloat()))
        continue;
      // The 1 must not widen the division's result (a [4] one over a
      // scalar y, say), or x / y would have another shape.
      if (div.getRhs().getType() != div.getResult().getType())
        continue;
      remarkRewrite(op.getLoc(), kPass, "reciprocal-into-div");
      rewriter.replaceOpWithNewOp<DivOp>(op, op.getType(), x, div.getRhs());
      return success();
    }
    return rewriter.notifyMatchFailure(op, "no operand is 1 / y");
  }
};

/// (x op c1) op c2 -> x op (c1 op c2) for op add or mul and constants c1,
/// c2: the constants fold into one, and the chain is one op shorter.
template <typename OpTy>
struct ReassociateConstants final : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Value c2 = op.getRhs(), inner = op.getLhs();
    if (!isConstant(c2))
      std::swap(c2, inner);
    auto innerOp = inner.template getDefiningOp<OpTy>();
    if (!isConstant(c2) || !innerOp || !innerOp->hasOneUse())
      return rewriter.notifyMatchFailure(op, "not (x op c1) op c2");
    Value x = innerOp.getLhs(), c1 = innerOp.getRhs();
    if (!isConstant(c1))
      std::swap(x, c1);
    if (!isConstant(c1) || isConstant(x))
      return rewriter.notifyMatchFailure(op, "the inner op has no single "
                                             "constant operand");
    Value folded = OpTy::create(rewriter, op.getLoc(), c1, c2);
    remarkRewrite(op.getLoc(), kPass, "constants-reassociated");
    rewriter.replaceOpWithNewOp<OpTy>(op, op.getType(), x, folded);
    return success();
  }
};

/// An image op's `pads` ([top, left, bottom, right]) plus what `pad` adds
/// to the spatial dims of `layout`; nothing when it pads batch or channels.
std::optional<SmallVector<int64_t>>
mergeSpatialPads(PadOp pad, Layout layout, ArrayRef<int64_t> pads) {
  ImageDims dims = getImageDims(layout);
  ArrayRef<int64_t> low = pad.getLow(), high = pad.getHigh();
  for (int64_t d : {dims.batch, dims.channel})
    if (low[d] != 0 || high[d] != 0)
      return std::nullopt;
  return SmallVector<int64_t>{pads[0] + low[dims.height],
                              pads[1] + low[dims.width],
                              pads[2] + high[dims.height],
                              pads[3] + high[dims.width]};
}

/// conv2d(pad(x, 0), w) -> conv2d(x, w) with the padding in the conv's
/// pads, when the pad adds zeros to the spatial dims only.
struct PadIntoConv final : OpRewritePattern<Conv2DOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(Conv2DOp op,
                                PatternRewriter &rewriter) const override {
    auto pad = op.getInput().getDefiningOp<PadOp>();
    if (!pad || pad.getValue().convertToDouble() != 0.0)
      return rewriter.notifyMatchFailure(op, "input is not a zero pad");
    std::optional<SmallVector<int64_t>> merged =
        mergeSpatialPads(pad, op.getLayout(), op.getPads());
    if (!merged)
      return rewriter.notifyMatchFailure(op, "the pad pads batch or "
                                             "channels");
    rewriter.modifyOpInPlace(op, [&] {
      op.getInputMutable().assign(pad.getInput());
      op.setPads(*merged);
    });
    remarkRewrite(op.getLoc(), kPass, "pad-into-conv");
    return success();
  }
};

/// pool2d(pad(x, v)) -> pool2d(x) with the padding in the pool's pads, when
/// the pad pads the spatial dims only and the pool's own padding means the
/// same as `v`:
/// - a max pool ignores its padding: `v` must be -inf, or at most 0 where
///   `x` is a ReLU's result (no real element is below it, and every window
///   holds a real element, since pads stay below the kernel);
/// - an average pool with `count_include_pad` counts zeros: `v` must be 0,
///   and the pool must pad nothing itself or count its padding too.
/// Not with `ceil_mode`, whose last window may not start in padding that a
/// pad would have made real.
struct PadIntoPool final : OpRewritePattern<Pool2DOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(Pool2DOp op,
                                PatternRewriter &rewriter) const override {
    auto pad = op.getInput().getDefiningOp<PadOp>();
    if (!pad || !hasFloatElements(pad.getInput()) || op.getCeilMode())
      return rewriter.notifyMatchFailure(op, "input is not a float pad, or "
                                             "the pool rounds up");
    double value = pad.getValue().convertToDouble();
    ArrayRef<int64_t> pads = op.getPads(); // [top, left, bottom, right]
    bool average = op.getKind() == PoolKind::Avg;
    if (average) {
      if (value != 0.0 || (!op.getCountIncludePad() &&
                           llvm::any_of(pads, [](int64_t p) { return p; })))
        return rewriter.notifyMatchFailure(op, "not a zero pad counted as "
                                               "the average pool's own");
    } else if (!(std::isinf(value) && value < 0) &&
               !(value <= 0.0 && pad.getInput().getDefiningOp<ReluOp>())) {
      return rewriter.notifyMatchFailure(op, "the pad value can be the "
                                             "window's maximum");
    }
    std::optional<SmallVector<int64_t>> merged =
        mergeSpatialPads(pad, op.getLayout(), pads);
    if (!merged)
      return rewriter.notifyMatchFailure(op, "the pad pads batch or "
                                             "channels");
    ArrayRef<int64_t> kernel = op.getKernel();
    if ((*merged)[0] >= kernel[0] || (*merged)[2] >= kernel[0] ||
        (*merged)[1] >= kernel[1] || (*merged)[3] >= kernel[1])
      return rewriter.notifyMatchFailure(op, "the padding would reach a "
                                             "kernel's size");
    rewriter.modifyOpInPlace(op, [&] {
      op.getInputMutable().assign(pad.getInput());
      op.setPads(*merged);
      if (average)
        op.setCountIncludePad(true);
    });
    remarkRewrite(op.getLoc(), kPass, "pad-into-pool");
    return success();
  }
};

struct KilnSimplifyPass final
    : kiln::impl::KilnSimplifyPassBase<KilnSimplifyPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<TransposeIntoMatmul, MulByReciprocal,
                 ReassociateConstants<AddOp>, ReassociateConstants<MulOp>,
                 PadIntoConv, PadIntoPool>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
