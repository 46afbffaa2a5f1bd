//===- KilnFolds.cpp - Kiln folders and canonicalization patterns ---------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Folders are cheap and sound: algebraic identities that leave the type
// unchanged (x+0, x*1, transpose∘transpose, reshape∘reshape) and elementwise
// folding of small constants. Large frozen weights are folded by dedicated
// passes, not by canonicalization, so that canonicalize stays fast.
//
//===----------------------------------------------------------------------===//

#include "Kiln/IR/KilnOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include <cmath>

using namespace mlir;
using namespace mlir::kiln;

namespace {
/// Constants above this many elements are not folded by canonicalization.
constexpr int64_t kMaxFoldElements = 1 << 12;

using FloatFn = llvm::function_ref<std::optional<APFloat>(const APFloat &,
                                                          const APFloat &)>;
using IntFn =
    llvm::function_ref<std::optional<APInt>(const APInt &, const APInt &)>;

/// True when `attr` is a splat equal to `value`.
bool isSplatOf(Attribute attr, int64_t value) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || !dense.isSplat())
    return false;
  if (isa<FloatType>(dense.getElementType()))
    return dense.getSplatValue<APFloat>().isExactlyValue(
        static_cast<double>(value));
  if (isa<IntegerType>(dense.getElementType()))
    return dense.getSplatValue<APInt>().getSExtValue() == value;
  return false;
}

/// Returns `attr` as dense elements usable for folding into `resultType`:
/// either a splat, or a tensor with exactly the result's static shape.
DenseElementsAttr foldableOperand(Attribute attr, RankedTensorType resultType) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense)
    return {};
  if (dense.isSplat())
    return dense;
  if (dense.getType().getShape() != resultType.getShape() ||
      resultType.getNumElements() > kMaxFoldElements)
    return {};
  return dense;
}

/// Folds `fn` over the elements of `operands`, broadcasting splats. Returns
/// null when an operand is not constant or `fn` declines an element.
template <typename T, typename Fn>
Attribute foldElements(ArrayRef<DenseElementsAttr> operands,
                       RankedTensorType resultType, Fn fn) {
  bool allSplat = llvm::all_of(operands, [](auto a) { return a.isSplat(); });
  int64_t n = allSplat ? 1 : resultType.getNumElements();
  SmallVector<T> out;
  out.reserve(n);
  // (A non-splat operand has no splat value to start from.)
  SmallVector<T> args;
  args.reserve(operands.size());
  for (int64_t i = 0; i < n; ++i) {
    args.clear();
    for (DenseElementsAttr operand : operands)
      args.push_back(operand.isSplat() ? operand.getSplatValue<T>()
                                       : operand.getValues<T>()[i]);
    std::optional<T> value = fn(args);
    if (!value)
      return {};
    out.push_back(*value);
  }
  if (allSplat)
    return DenseElementsAttr::get(resultType, out.front());
  return DenseElementsAttr::get(resultType, out);
}

Attribute foldBinary(Attribute lhs, Attribute rhs, Type type, FloatFn floatFn,
                     IntFn intFn) {
  auto resultType = dyn_cast<RankedTensorType>(type);
  if (!resultType || !resultType.hasStaticShape())
    return {};
  DenseElementsAttr l = foldableOperand(lhs, resultType);
  DenseElementsAttr r = foldableOperand(rhs, resultType);
  if (!l || !r)
    return {};
  Type elementType = resultType.getElementType();
  if (isa<FloatType>(elementType) && floatFn)
    return foldElements<APFloat>({l, r}, resultType,
                                 [&](ArrayRef<APFloat> a) {
                                   return floatFn(a[0], a[1]);
                                 });
  // The integer folds are signed; unsigned tensors are left to run time.
  if (elementType.isSignlessInteger() && intFn)
    return foldElements<APInt>({l, r}, resultType, [&](ArrayRef<APInt> a) {
      return intFn(a[0], a[1]);
    });
  return {};
}

/// Applies a double-precision function to an f32/f64 value, converting back.
std::optional<APFloat> viaDouble(const APFloat &x,
                                 llvm::function_ref<double(double)> fn) {
  const llvm::fltSemantics &sem = x.getSemantics();
  if (&sem != &APFloat::IEEEsingle() && &sem != &APFloat::IEEEdouble())
    return std::nullopt;
  APFloat result(fn(x.convertToDouble()));
  bool lost = false;
  result.convert(sem, APFloat::rmNearestTiesToEven, &lost);
  return result;
}

Attribute foldUnary(Attribute input, Type type,
                    llvm::function_ref<std::optional<APFloat>(const APFloat &)>
                        floatFn,
                    llvm::function_ref<std::optional<APInt>(const APInt &)>
                        intFn = nullptr) {
  auto resultType = dyn_cast<RankedTensorType>(type);
  if (!resultType || !resultType.hasStaticShape())
    return {};
  DenseElementsAttr operand = foldableOperand(input, resultType);
  if (!operand)
    return {};
  if (isa<FloatType>(resultType.getElementType()) && floatFn)
    return foldElements<APFloat>(
        {operand}, resultType, [&](ArrayRef<APFloat> a) { return floatFn(a[0]); });
  if (resultType.getElementType().isSignlessInteger() && intFn)
    return foldElements<APInt>(
        {operand}, resultType, [&](ArrayRef<APInt> a) { return intFn(a[0]); });
  return {};
}

/// Returns `value` when it already has the op's result type, so that
/// identities never change a type (a broadcast still has to happen).
OpFoldResult sameTypeOr(Value value, Type resultType) {
  if (value.getType() == resultType)
    return value;
  return {};
}

APFloat::roundingMode kRound = APFloat::rmNearestTiesToEven;
} // namespace

//===----------------------------------------------------------------------===//
// Structural ops
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValueAttr(); }

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType() && getType().hasStaticShape())
    return getInput();
  // reshape(reshape(x)) == reshape(x) unless the outer shape copies dims
  // (0 entries) from the intermediate tensor.
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    if (!llvm::is_contained(getShape(), 0)) {
      getInputMutable().assign(inner.getInput());
      return getResult();
    }
  }
  auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (dense && getType().hasStaticShape())
    return dense.reshape(getType());
  return {};
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPerm();
  bool identity = llvm::all_of(llvm::enumerate(perm), [](auto p) {
    return static_cast<int64_t>(p.index()) == p.value();
  });
  if (identity)
    return sameTypeOr(getInput(), getType());
  auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (!dense || !getType().hasStaticShape())
    return {};
  if (dense.isSplat())
    return DenseElementsAttr::get(getType(), dense.getSplatValue<Attribute>());
  if (getType().getNumElements() > kMaxFoldElements)
    return {};
  // Walk the result in row-major order and read the permuted input index.
  ArrayRef<int64_t> inShape = dense.getType().getShape();
  SmallVector<int64_t> inStrides(inShape.size(), 1);
  for (int64_t d = static_cast<int64_t>(inShape.size()) - 2; d >= 0; --d)
    inStrides[d] = inStrides[d + 1] * inShape[d + 1];
  ArrayRef<int64_t> outShape = getType().getShape();
  SmallVector<Attribute> values(dense.getValues<Attribute>());
  SmallVector<Attribute> out;
  out.reserve(values.size());
  SmallVector<int64_t> index(outShape.size(), 0);
  for (size_t i = 0, e = values.size(); i < e; ++i) {
    int64_t offset = 0;
    for (auto [d, idx] : llvm::enumerate(index))
      offset += idx * inStrides[perm[d]];
    out.push_back(values[offset]);
    for (int64_t d = static_cast<int64_t>(index.size()) - 1; d >= 0; --d) {
      if (++index[d] < outShape[d])
        break;
      index[d] = 0;
    }
  }
  return DenseElementsAttr::get(getType(), out);
}

namespace {
/// transpose(transpose(x, p1), p2) -> transpose(x, p1 ∘ p2).
struct ComposeTransposes final : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<TransposeOp>();
    if (!inner)
      return rewriter.notifyMatchFailure(op, "input is not a transpose");
    SmallVector<int64_t> perm;
    for (int64_t p : op.getPerm())
      perm.push_back(inner.getPerm()[p]);
    rewriter.replaceOpWithNewOp<TransposeOp>(op, op.getType(), inner.getInput(),
                                             perm);
    return success();
  }
};

/// Spells out a reshape's -1 / 0 entries once its result type is static.
struct StaticReshapeShape final : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    ArrayRef<int64_t> shape = op.getType().getShape();
    if (!op.getType().hasStaticShape() || op.getShape() == shape)
      return rewriter.notifyMatchFailure(op, "already canonical");
    rewriter.modifyOpInPlace(op, [&] { op.setShape(shape); });
    return success();
  }
};

/// reshape(reshape(x, s1), s2) -> reshape(x, s2') where s2 copies dims (0
/// entries) of the intermediate tensor, which the folder leaves alone: each
/// such 0 becomes the intermediate's static size, or stays 0 where s1
/// copied the same dim of x.
struct ComposeReshapesCopyingDims final : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<ReshapeOp>();
    if (!inner || !llvm::is_contained(op.getShape(), 0))
      return rewriter.notifyMatchFailure(op, "no reshape chain copying dims");
    ArrayRef<int64_t> innerShape = inner.getShape();
    auto intermediate = cast<RankedTensorType>(inner.getType());
    SmallVector<int64_t> shape(op.getShape());
    for (auto [i, size] : llvm::enumerate(shape)) {
      if (size != 0)
        continue;
      if (i < innerShape.size() && innerShape[i] == 0 &&
          i < static_cast<size_t>(
                  cast<RankedTensorType>(inner.getInput().getType())
                      .getRank()))
        continue; // copies x's dim i, as the inner reshape did
      if (i >= static_cast<size_t>(intermediate.getRank()) ||
          intermediate.isDynamicDim(i))
        return rewriter.notifyMatchFailure(op, "copies a dynamic dim");
      size = intermediate.getDimSize(i);
    }
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), inner.getInput(),
                                           rewriter.getDenseI64ArrayAttr(shape));
    return success();
  }
};
} // namespace

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<ComposeTransposes>(context);
}

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<StaticReshapeShape, ComposeReshapesCopyingDims>(context);
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1)
    return sameTypeOr(getInputs().front(), getType());
  return {};
}

OpFoldResult SliceOp::fold(FoldAdaptor) {
  // With unit steps, a slice of a static tensor that keeps every dim's size
  // starts at 0 and is the whole tensor.
  if (getInput().getType() == getType() && getType().hasStaticShape() &&
      llvm::all_of(getSteps(), [](int64_t s) { return s == 1; }))
    return getInput();
  return {};
}

OpFoldResult PadOp::fold(FoldAdaptor) {
  auto isZero = [](int64_t v) { return v == 0; };
  if (llvm::all_of(getLow(), isZero) && llvm::all_of(getHigh(), isZero))
    return sameTypeOr(getInput(), getType());
  return {};
}

OpFoldResult BroadcastToOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (dense && dense.isSplat() && getType().hasStaticShape())
    return DenseElementsAttr::get(getType(), dense.getSplatValue<Attribute>());
  return {};
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  return sameTypeOr(getInput(), getType());
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 0))
    if (OpFoldResult r = sameTypeOr(getLhs(), getType()))
      return r;
  if (isSplatOf(adaptor.getLhs(), 0))
    if (OpFoldResult r = sameTypeOr(getRhs(), getType()))
      return r;
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        APFloat r = a;
        r.add(b, kRound);
        return r;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a + b;
      });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 0))
    if (OpFoldResult r = sameTypeOr(getLhs(), getType()))
      return r;
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        APFloat r = a;
        r.subtract(b, kRound);
        return r;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a - b;
      });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 1))
    if (OpFoldResult r = sameTypeOr(getLhs(), getType()))
      return r;
  if (isSplatOf(adaptor.getLhs(), 1))
    if (OpFoldResult r = sameTypeOr(getRhs(), getType()))
      return r;
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        APFloat r = a;
        r.multiply(b, kRound);
        return r;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a * b;
      });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 1))
    if (OpFoldResult r = sameTypeOr(getLhs(), getType()))
      return r;
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        APFloat r = a;
        r.divide(b, kRound);
        return r;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        // Division by zero and INT_MIN / -1 are left to run time.
        if (b.isZero() || (a.isMinSignedValue() && b.isAllOnes()))
          return std::nullopt;
        return a.sdiv(b);
      });
}

/// The integer remainders of ModOp (`floored`) and FmodOp: a remainder by
/// zero is 0, as the lowering computes it.
static std::optional<APInt> integerRemainder(const APInt &a, const APInt &b,
                                             bool floored) {
  if (b.isZero() || b.isAllOnes())
    return APInt::getZero(a.getBitWidth());
  APInt r = a.srem(b);
  if (floored && !r.isZero() && r.isNegative() != b.isNegative())
    r += b;
  return r;
}

OpFoldResult ModOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        double d = b.convertToDouble();
        return viaDouble(a, [d](double x) {
          double r = std::fmod(x, d);
          return r != 0 && (r < 0) != (d < 0) ? r + d : r;
        });
      },
      [](const APInt &a, const APInt &b) {
        return integerRemainder(a, b, /*floored=*/true);
      });
}

OpFoldResult FmodOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        double d = b.convertToDouble();
        return viaDouble(a, [d](double x) { return std::fmod(x, d); });
      },
      [](const APInt &a, const APInt &b) {
        return integerRemainder(a, b, /*floored=*/false);
      });
}

OpFoldResult ShiftLeftOp::fold(FoldAdaptor adaptor) {
  return foldBinary(adaptor.getLhs(), adaptor.getRhs(), getType(), nullptr,
                    [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                      if (b.isNegative() || b.uge(a.getBitWidth()))
                        return APInt::getZero(a.getBitWidth());
                      return a.shl(b);
                    });
}

OpFoldResult ShiftRightOp::fold(FoldAdaptor adaptor) {
  // Signless integers are signed: an arithmetic shift.
  return foldBinary(adaptor.getLhs(), adaptor.getRhs(), getType(), nullptr,
                    [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                      if (b.isNegative() || b.uge(a.getBitWidth()))
                        return a.ashr(a.getBitWidth() - 1);
                      return a.ashr(b);
                    });
}

OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs())
    return getLhs();
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return llvm::maximum(a, b);
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a.sge(b) ? a : b;
      });
}

OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs())
    return getLhs();
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return llvm::minimum(a, b);
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a.sle(b) ? a : b;
      });
}

OpFoldResult PowOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 1))
    if (OpFoldResult r = sameTypeOr(getLhs(), getType()))
      return r;
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        double e = b.convertToDouble();
        return viaDouble(a, [e](double x) { return std::pow(x, e); });
      },
      nullptr);
}

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getInput().getDefiningOp<NegOp>())
    return inner.getInput();
  return foldUnary(
      adaptor.getInput(), getType(),
      [](const APFloat &x) -> std::optional<APFloat> { return neg(x); },
      [](const APInt &x) -> std::optional<APInt> { return -x; });
}

OpFoldResult AbsOp::fold(FoldAdaptor adaptor) {
  if (getInput().getDefiningOp<AbsOp>())
    return getInput();
  return foldUnary(
      adaptor.getInput(), getType(),
      [](const APFloat &x) -> std::optional<APFloat> { return abs(x); },
      [](const APInt &x) -> std::optional<APInt> { return x.abs(); });
}

OpFoldResult ReluOp::fold(FoldAdaptor adaptor) {
  if (getInput().getDefiningOp<ReluOp>())
    return getInput();
  return foldUnary(
      adaptor.getInput(), getType(),
      [](const APFloat &x) -> std::optional<APFloat> {
        if (x.isNaN())
          return x;
        return x.isNegative() ? APFloat::getZero(x.getSemantics()) : x;
      },
      [](const APInt &x) -> std::optional<APInt> {
        return x.isNegative() ? APInt::getZero(x.getBitWidth()) : x;
      });
}

/// Rounds to the nearest integer, ties to even (ONNX Round, numpy.round),
/// whatever the current rounding mode.
static double roundHalfToEven(double x) {
  double r = std::round(x); // ties away from zero
  if (std::fabs(x - std::trunc(x)) == 0.5)
    r = 2.0 * std::round(x / 2.0);
  return r;
}

#define KILN_FOLD_VIA_DOUBLE(OP, EXPR)                                         \
  OpFoldResult OP::fold(FoldAdaptor adaptor) {                                 \
    return foldUnary(adaptor.getInput(), getType(),                            \
                     [](const APFloat &v) -> std::optional<APFloat> {          \
                       return viaDouble(v, [](double x) { return EXPR; });     \
                     });                                                       \
  }
KILN_FOLD_VIA_DOUBLE(ExpOp, std::exp(x))
KILN_FOLD_VIA_DOUBLE(LogOp, std::log(x))
KILN_FOLD_VIA_DOUBLE(SqrtOp, std::sqrt(x))
KILN_FOLD_VIA_DOUBLE(RsqrtOp, 1.0 / std::sqrt(x))
KILN_FOLD_VIA_DOUBLE(TanhOp, std::tanh(x))
KILN_FOLD_VIA_DOUBLE(SigmoidOp, 1.0 / (1.0 + std::exp(-x)))
KILN_FOLD_VIA_DOUBLE(ErfOp, std::erf(x))
KILN_FOLD_VIA_DOUBLE(FloorOp, std::floor(x))
KILN_FOLD_VIA_DOUBLE(CeilOp, std::ceil(x))
KILN_FOLD_VIA_DOUBLE(RoundOp, roundHalfToEven(x))
KILN_FOLD_VIA_DOUBLE(SinOp, std::sin(x))
KILN_FOLD_VIA_DOUBLE(CosOp, std::cos(x))
KILN_FOLD_VIA_DOUBLE(TanOp, std::tan(x))
KILN_FOLD_VIA_DOUBLE(AsinOp, std::asin(x))
KILN_FOLD_VIA_DOUBLE(AcosOp, std::acos(x))
KILN_FOLD_VIA_DOUBLE(AtanOp, std::atan(x))
KILN_FOLD_VIA_DOUBLE(SinhOp, std::sinh(x))
KILN_FOLD_VIA_DOUBLE(CoshOp, std::cosh(x))
KILN_FOLD_VIA_DOUBLE(AsinhOp, std::asinh(x))
KILN_FOLD_VIA_DOUBLE(AcoshOp, std::acosh(x))
KILN_FOLD_VIA_DOUBLE(AtanhOp, std::atanh(x))
#undef KILN_FOLD_VIA_DOUBLE

OpFoldResult ClampOp::fold(FoldAdaptor adaptor) {
  double lo = getMin().convertToDouble(), hi = getMax().convertToDouble();
  if (std::isinf(lo) && lo < 0 && std::isinf(hi) && hi > 0)
    return getInput();
  return foldUnary(
      adaptor.getInput(), getType(),
      [&](const APFloat &v) -> std::optional<APFloat> {
        return viaDouble(v, [&](double x) {
          return std::isnan(x) ? x : std::clamp(x, lo, hi);
        });
      },
      [&](const APInt &x) -> std::optional<APInt> {
        int64_t v = std::clamp<double>(static_cast<double>(x.getSExtValue()),
                                       lo, hi);
        return APInt(x.getBitWidth(), v, /*isSigned=*/true);
      });
}

OpFoldResult SelectOp::fold(FoldAdaptor adaptor) {
  if (getOnTrue() == getOnFalse())
    return sameTypeOr(getOnTrue(), getType());
  auto cond = dyn_cast_or_null<DenseElementsAttr>(adaptor.getCondition());
  if (cond && cond.isSplat())
    return sameTypeOr(cond.getSplatValue<bool>() ? getOnTrue() : getOnFalse(),
                      getType());
  return {};
}
