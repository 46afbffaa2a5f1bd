//===- Recompose.cpp - Recompose decomposed fused ops ---------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Kiln/IR/ElementsUtils.h"
#include "Kiln/IR/KilnOps.h"
#include "Kiln/IR/ShapeUtils.h"
#include "Kiln/Transforms/Passes.h"
#include "Kiln/Transforms/Remarks.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include <cmath>

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNRECOMPOSEPASS
#include "Kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// The value of a constant whose elements are all equal (a scalar or splat).
std::optional<double> splatValue(Value v) {
  ElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  std::optional<SmallVector<double>> values = readFloatElements(attr);
  if (!values || values->empty())
    return std::nullopt;
  for (double x : *values)
    if (x != values->front())
      return std::nullopt;
  return values->front();
}

bool isSplat(Value v, double expected, double tolerance = 1e-6) {
  std::optional<double> s = splatValue(v);
  return s && std::fabs(*s - expected) <= tolerance * std::fabs(expected);
}

bool singleUse(Value v) { return v.hasOneUse(); }

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// For commutative binary ops: the operand that is not `known`, if `known`
/// is one of them.
Value otherOperand(Operation *op, Value known) {
  if (op->getOperand(0) == known)
    return op->getOperand(1);
  if (op->getOperand(1) == known)
    return op->getOperand(0);
  return {};
}

/// The first normalized axis of `axes` if they are the trailing dims
/// [k, rank) of a rank-`rank` tensor.
std::optional<int64_t> trailingAxes(ArrayRef<int64_t> axes, int64_t rank) {
  if (axes.empty())
    return std::nullopt;
  SmallVector<int64_t> norm;
  for (int64_t a : axes) {
    std::optional<int64_t> n = shape::normalizeAxis(a, rank);
    if (!n)
      return std::nullopt;
    norm.push_back(*n);
  }
  llvm::sort(norm);
  for (size_t i = 0; i < norm.size(); ++i)
    if (norm[i] != rank - static_cast<int64_t>(norm.size()) +
                       static_cast<int64_t>(i))
      return std::nullopt;
  return norm.front();
}

//===----------------------------------------------------------------------===//
// LayerNorm
//===----------------------------------------------------------------------===//

/// d / sqrt(mean(d^2) + eps) with d = x - mean(x)  ->  layer_norm(x).
struct RecomposeLayerNorm final : OpRewritePattern<DivOp> {
  RecomposeLayerNorm(MLIRContext *ctx, llvm::Statistic &count)
      : OpRewritePattern(ctx), count(count) {}

  LogicalResult matchAndRewrite(DivOp div,
                                PatternRewriter &rewriter) const override {
    auto sub = div.getLhs().getDefiningOp<SubOp>();
    auto sqrt = div.getRhs().getDefiningOp<SqrtOp>();
    if (!sub || !sqrt || !singleUse(sqrt.getResult()))
      return failure();
    Value x = sub.getLhs();
    auto mean = sub.getRhs().getDefiningOp<ReduceMeanOp>();
    if (!mean || mean.getInput() != x || !mean.getKeepdims())
      return failure();
    auto add = sqrt.getInput().getDefiningOp<AddOp>();
    if (!add || !singleUse(add.getResult()))
      return failure();
    auto var = add.getLhs().getDefiningOp<ReduceMeanOp>();
    Value epsValue = add.getRhs();
    if (!var) {
      var = add.getRhs().getDefiningOp<ReduceMeanOp>();
      epsValue = add.getLhs();
    }
    std::optional<double> eps = splatValue(epsValue);
    if (!var || !eps || !var.getKeepdims() || !singleUse(var.getResult()))
      return failure();
    Operation *square = var.getInput().getDefiningOp();
    if (!square || !singleUse(square->getResult(0)))
      return failure();
    bool isSquare =
        (isa<PowOp>(square) && square->getOperand(0) == sub.getResult() &&
         isSplat(square->getOperand(1), 2.0)) ||
        (isa<MulOp>(square) && square->getOperand(0) == sub.getResult() &&
         square->getOperand(1) == sub.getResult());
    if (!isSquare)
      return failure();
    // d feeds exactly the square and the division.
    if (!llvm::all_of(sub.getResult().getUsers(), [&](Operation *u) {
          return u == square || u == div.getOperation();
        }))
      return failure();
    int64_t rank = typeOf(x).getRank();
    std::optional<int64_t> axis = trailingAxes(mean.getAxes(), rank);
    std::optional<int64_t> varAxis = trailingAxes(var.getAxes(), rank);
    if (!axis || axis != varAxis || typeOf(div.getResult()) != typeOf(x))
      return failure();
    remarkRewrite(div.getLoc(), "kiln-recompose", "layernorm-recomposed");
    rewriter.replaceOpWithNewOp<LayerNormOp>(
        div, div.getType(), x, Value(), Value(),
        rewriter.getI64IntegerAttr(*axis), rewriter.getF64FloatAttr(*eps));
    ++count;
    return success();
  }
  llvm::Statistic &count;
};

/// layer_norm(x) * gamma [+ beta]  ->  layer_norm(x, scale gamma, bias beta)
/// when gamma and beta have the normalized shape.
struct AbsorbLayerNormAffine final : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LayerNormOp ln,
                                PatternRewriter &rewriter) const override {
    if (!ln.getResult().hasOneUse())
      return failure();
    Operation *user = *ln.getResult().getUsers().begin();
    int64_t rank = typeOf(ln.getInput()).getRank();
    std::optional<int64_t> axis =
        shape::normalizeAxis(static_cast<int64_t>(ln.getAxis()), rank);
    if (!axis)
      return failure();
    ArrayRef<int64_t> normShape = typeOf(ln.getInput()).getShape().drop_front(*axis);
    auto fits = [&](Value v) {
      auto t = typeOf(v);
      return t.getShape() == normShape && t.hasStaticShape() &&
             matchPattern(v, m_Constant());
    };
    if (isa<MulOp>(user) && !ln.getScale() && !ln.getBias()) {
      Value gamma = otherOperand(user, ln.getResult());
      if (!gamma || !fits(gamma) || user->getResult(0).getType() != ln.getType())
        return failure();
      remarkRewrite(user->getLoc(), "kiln-recompose",
                    "layernorm-scale-absorbed");
      rewriter.replaceOpWithNewOp<LayerNormOp>(
          user, ln.getType(), ln.getInput(), gamma, Value(), ln.getAxisAttr(),
          ln.getEpsilonAttr());
      rewriter.eraseOp(ln);
      return success();
    }
    if (isa<AddOp>(user) && !ln.getBias()) {
      Value beta = otherOperand(user, ln.getResult());
      if (!beta || !fits(beta) || user->getResult(0).getType() != ln.getType())
        return failure();
      remarkRewrite(user->getLoc(), "kiln-recompose",
                    "layernorm-bias-absorbed");
      rewriter.replaceOpWithNewOp<LayerNormOp>(
          user, ln.getType(), ln.getInput(), ln.getScale(), beta,
          ln.getAxisAttr(), ln.getEpsilonAttr());
      rewriter.eraseOp(ln);
      return success();
    }
    return failure();
  }
};

//===----------------------------------------------------------------------===//
// GELU
//===----------------------------------------------------------------------===//

/// Flattens a tree of single-use multiplications into its factors.
void collectFactors(Value v, Operation *root, SmallVectorImpl<Value> &factors,
                    SmallVectorImpl<Operation *> &ops) {
  auto mul = v.getDefiningOp<MulOp>();
  if (mul && (mul.getOperation() == root || singleUse(v))) {
    ops.push_back(mul);
    collectFactors(mul.getLhs(), root, factors, ops);
    collectFactors(mul.getRhs(), root, factors, ops);
    return;
  }
  factors.push_back(v);
}

/// If `v` is 1 + erf(x / sqrt(2)) (single-use), returns x.
Value matchErfTerm(Value v) {
  auto add = v.getDefiningOp<AddOp>();
  if (!add || !singleUse(v))
    return {};
  Value erfValue = isSplat(add.getRhs(), 1.0)   ? add.getLhs()
                   : isSplat(add.getLhs(), 1.0) ? add.getRhs()
                                                : Value();
  auto erf = erfValue ? erfValue.getDefiningOp<ErfOp>() : ErfOp();
  if (!erf || !singleUse(erfValue))
    return {};
  Operation *scaled = erf.getInput().getDefiningOp();
  if (!scaled || !singleUse(erf.getInput()))
    return {};
  if (auto d = dyn_cast<DivOp>(scaled))
    return isSplat(d.getRhs(), std::sqrt(2.0), 1e-5) ? d.getLhs() : Value();
  if (auto m = dyn_cast<MulOp>(scaled)) {
    if (isSplat(m.getRhs(), 1.0 / std::sqrt(2.0), 1e-5))
      return m.getLhs();
    if (isSplat(m.getLhs(), 1.0 / std::sqrt(2.0), 1e-5))
      return m.getRhs();
  }
  return {};
}

struct RecomposeGelu final : OpRewritePattern<MulOp> {
  RecomposeGelu(MLIRContext *ctx, llvm::Statistic &count)
      : OpRewritePattern(ctx), count(count) {}

  LogicalResult matchAndRewrite(MulOp root,
                                PatternRewriter &rewriter) const override {
    // Only the outermost multiplication of the tree.
    if (root.getResult().hasOneUse() &&
        isa<MulOp>(*root.getResult().getUsers().begin()))
      return failure();
    SmallVector<Value> factors;
    SmallVector<Operation *> ops;
    collectFactors(root.getResult(), root, factors, ops);
    if (factors.size() != 3)
      return failure();
    Value x, half, erfTerm;
    for (Value f : factors) {
      if (!half && isSplat(f, 0.5))
        half = f;
      else if (!erfTerm && matchErfTerm(f))
        erfTerm = f;
      else
        x = f;
    }
    if (!x || !half || !erfTerm || matchErfTerm(erfTerm) != x ||
        typeOf(x) != typeOf(root.getResult()))
      return failure();
    remarkRewrite(root.getLoc(), "kiln-recompose", "gelu-recomposed");
    rewriter.replaceOpWithNewOp<GeluOp>(
        root, root.getType(), x,
        GeluApproximationAttr::get(getContext(), GeluApproximation::None));
    ++count;
    return success();
  }
  llvm::Statistic &count;
};

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

/// If `v` = transpose(x, p) (single use), the key that `v` is the
/// transpose of: x itself when p only swaps the last two dims, else
/// transpose(x, p with its last two entries swapped), created at `v`.
Value matchKeyTranspose(Value v, PatternRewriter &rewriter) {
  auto t = v.getDefiningOp<TransposeOp>();
  if (!t || !singleUse(v))
    return {};
  SmallVector<int64_t> perm(t.getPerm());
  int64_t n = perm.size();
  if (n < 2)
    return {};
  std::swap(perm[n - 2], perm[n - 1]);
  bool identity = true;
  for (int64_t i = 0; i < n; ++i)
    identity &= perm[i] == i;
  if (identity)
    return t.getInput();
  auto type = typeOf(v);
  SmallVector<int64_t> shape(type.getShape());
  std::swap(shape[n - 2], shape[n - 1]);
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(t);
  return TransposeOp::create(rewriter, t.getLoc(), type.clone(shape),
                             t.getInput(), rewriter.getDenseI64ArrayAttr(perm))
      .getResult();
}

/// A value times (or divided by) a scalar constant: returns the value and
/// the multiplier.
std::pair<Value, double> stripScale(Value v) {
  if (!singleUse(v))
    return {v, 1.0};
  if (auto d = v.getDefiningOp<DivOp>())
    if (std::optional<double> c = splatValue(d.getRhs()); c && *c != 0 &&
        typeOf(d.getLhs()) == typeOf(v))
      return {d.getLhs(), 1.0 / *c};
  if (auto m = v.getDefiningOp<MulOp>()) {
    if (std::optional<double> c = splatValue(m.getRhs());
        c && typeOf(m.getLhs()) == typeOf(v))
      return {m.getLhs(), *c};
    if (std::optional<double> c = splatValue(m.getLhs());
        c && typeOf(m.getRhs()) == typeOf(v))
      return {m.getRhs(), *c};
  }
  return {v, 1.0};
}

struct RecomposeAttention final : OpRewritePattern<MatmulOp> {
  RecomposeAttention(MLIRContext *ctx, llvm::Statistic &count)
      : OpRewritePattern(ctx), count(count) {}

  LogicalResult matchAndRewrite(MatmulOp pv,
                                PatternRewriter &rewriter) const override {
    if (pv.getTransposeLhs() || pv.getTransposeRhs())
      return failure();
    auto softmax = pv.getLhs().getDefiningOp<SoftmaxOp>();
    if (!softmax || !singleUse(softmax.getResult()))
      return failure();
    Value v = pv.getRhs();
    int64_t rank = typeOf(v).getRank();
    if (typeOf(softmax.getInput()).getRank() != rank ||
        shape::normalizeAxis(static_cast<int64_t>(softmax.getAxis()), rank) !=
            rank - 1)
      return failure();
    // Optional additive mask.
    Value scores = softmax.getInput(), mask;
    if (auto add = scores.getDefiningOp<AddOp>(); add && singleUse(scores)) {
      for (int side = 0; side < 2 && !mask; ++side) {
        Value s = add->getOperand(side), m = add->getOperand(1 - side);
        if (stripScale(s).first.getDefiningOp<MatmulOp>() &&
            typeOf(s) == typeOf(scores)) {
          scores = s;
          mask = m;
        }
      }
      if (!mask)
        return failure();
    }
    auto [qk, scoreScale] = stripScale(scores);
    auto mm = qk.getDefiningOp<MatmulOp>();
    if (!mm || !singleUse(qk) || mm.getTransposeLhs())
      return failure();
    auto [q, qScale] = stripScale(mm.getLhs());
    if (typeOf(q).getRank() != rank || typeOf(mm.getRhs()).getRank() != rank)
      return failure();
    Value k = mm.getTransposeRhs() ? mm.getRhs()
                                   : matchKeyTranspose(mm.getRhs(), rewriter);
    if (!k)
      return failure();
    double scale = scoreScale * qScale;
    SmallVector<Type> types;
    // kiln.attention needs equal leading dims; let its inference decide.
    auto op = AttentionOp::create(rewriter, pv.getLoc(), pv.getType(), q, k,
                                  v, mask, rewriter.getF64FloatAttr(scale),
                                  rewriter.getBoolAttr(false));
    if (failed(AttentionOp::inferReturnTypes(
            getContext(), std::nullopt, op->getOperands(),
            op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
            op->getRegions(), types)) ||
        !AttentionOp::isCompatibleReturnTypes(types, TypeRange{pv.getType()})) {
      rewriter.eraseOp(op);
      return failure();
    }
    remarkRewrite(pv.getLoc(), "kiln-recompose", "attention-recomposed");
    rewriter.replaceOp(pv, op.getResult());
    ++count;
    return success();
  }
  llvm::Statistic &count;
};

struct KilnRecomposePass final
    : kiln::impl::KilnRecomposePassBase<KilnRecomposePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<RecomposeLayerNorm>(&getContext(), numLayerNorms);
    patterns.add<AbsorbLayerNormAffine>(&getContext());
    patterns.add<RecomposeGelu>(&getContext(), numGelus);
    patterns.add<RecomposeAttention>(&getContext(), numAttentions);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
