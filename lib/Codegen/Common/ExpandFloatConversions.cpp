//===- ExpandFloatConversions.cpp - f16/bf16 conversions without builtins -===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Conversions to and from f16/bf16 that LLVM would lower to compiler-rt calls
// are rewritten into integer and f32/f64 arith ops, which every target has
// and which vectorize.
//
// Upstream's `arith-expand{include-bf16}` also expands f32 <-> bf16, but it
// rounds every `truncf` to nearest even whatever its rounding mode says and
// turns every NaN into a positive one, so Kiln has its own patterns here.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Common/Passes.h"

#include "Kiln/IR/KilnOps.h"
#include "kiln/Target/TargetDescription.h"
#include "llvm/TargetParser/Triple.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNEXPANDFLOATCONVERSIONSPASS
#include "kiln/Codegen/Common/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
using arith::CmpFPredicate;
using arith::CmpIPredicate;

/// Builds elementwise arith ops on scalars or on vectors of one shape, so
/// the algorithms below read like their scalar C counterparts.
class ElementwiseBuilder {
public:
  ElementwiseBuilder(OpBuilder &builder, Location loc, Type shapeOf)
      : b(builder), loc(loc), shapeOf(shapeOf) {}

  /// The scalar or vector type of `element`s in this builder's shape.
  Type type(Type element) const {
    if (auto vector = dyn_cast<VectorType>(shapeOf))
      return vector.clone(element);
    return element;
  }
  Type i16() const { return type(b.getI16Type()); }
  Type i32() const { return type(b.getI32Type()); }
  Type f32() const { return type(b.getF32Type()); }

  Value c32(uint32_t value) const {
    return createScalarOrSplatConstant(b, loc, i32(), APInt(32, value));
  }
  Value add(Value x, Value y) const {
    return arith::AddIOp::create(b, loc, x, y);
  }
  Value add(Value x, uint32_t y) const { return add(x, c32(y)); }
  Value sub(Value x, Value y) const {
    return arith::SubIOp::create(b, loc, x, y);
  }
  Value sub(Value x, uint32_t y) const { return sub(x, c32(y)); }
  Value bitAnd(Value x, uint32_t y) const {
    return arith::AndIOp::create(b, loc, x, c32(y));
  }
  Value bitOr(Value x, Value y) const {
    return arith::OrIOp::create(b, loc, x, y);
  }
  Value bitOr(Value x, uint32_t y) const { return bitOr(x, c32(y)); }
  Value shl(Value x, Value n) const {
    return arith::ShLIOp::create(b, loc, x, n);
  }
  Value shl(Value x, uint32_t n) const { return shl(x, c32(n)); }
  Value shr(Value x, Value n) const {
    return arith::ShRUIOp::create(b, loc, x, n);
  }
  Value shr(Value x, uint32_t n) const { return shr(x, c32(n)); }
  Value minu(Value x, uint32_t y) const {
    return arith::MinUIOp::create(b, loc, x, c32(y));
  }
  Value maxu(Value x, uint32_t y) const {
    return arith::MaxUIOp::create(b, loc, x, c32(y));
  }
  Value cmp(CmpIPredicate predicate, Value x, uint32_t y) const {
    return arith::CmpIOp::create(b, loc, predicate, x, c32(y));
  }
  Value cmp(CmpFPredicate predicate, Value x, Value y) const {
    return arith::CmpFOp::create(b, loc, predicate, x, y);
  }
  Value select(Value condition, Value x, Value y) const {
    return arith::SelectOp::create(b, loc, condition, x, y);
  }
  Value select(Value condition, uint32_t x, Value y) const {
    return select(condition, c32(x), y);
  }
  Value bitcast(Type type, Value x) const {
    return arith::BitcastOp::create(b, loc, type, x);
  }

  OpBuilder &b;
  Location loc;

private:
  Type shapeOf;
};

/// The conversions handled here work on scalars and vectors; tensors are
/// gone by the time the pass runs.
bool isScalarOrVector(Type type) {
  return isa<FloatType>(type) || isa<VectorType>(type);
}

bool isHalf(Type element) { return element.isF16() || element.isBF16(); }

/// Only the default rounding (to nearest, ties to even) is expanded.
LogicalResult checkRounding(arith::TruncFOp op, PatternRewriter &rewriter) {
  std::optional<arith::RoundingMode> mode = op.getRoundingmode();
  if (mode && *mode != arith::RoundingMode::to_nearest_even)
    return rewriter.notifyMatchFailure(op, "rounding mode is not to-nearest");
  if (!isScalarOrVector(op.getIn().getType()))
    return rewriter.notifyMatchFailure(op, "not a scalar or a vector");
  return success();
}

/// f64 -> f32 rounded to odd: when the hardware's nearest-even result is
/// inexact, it is stepped one ulp toward zero if it overshot the input in
/// magnitude, and then its lowest mantissa bit is set. A second rounding of
/// that value to a format with at least two fewer mantissa bits (f16, bf16) is
/// then the correctly rounded result. An overflow to infinity comes back as the
/// largest finite f32, which still overflows there; NaN and exact values pass
/// unchanged.
Value roundToOddF32(const ElementwiseBuilder &e, Value x) {
  Value nearest = arith::TruncFOp::create(e.b, e.loc, e.f32(), x);
  Value back = arith::ExtFOp::create(e.b, e.loc, x.getType(), nearest);
  // `one` is false for NaN, which needs no adjustment.
  Value inexact = e.cmp(CmpFPredicate::ONE, back, x);
  // An inexact result overshot in magnitude when it lies above a positive
  // input or below a negative one.
  Value above = e.cmp(CmpFPredicate::OGT, back, x);
  Value zero =
      createScalarOrSplatConstant(e.b, e.loc, x.getType(), APFloat(0.0));
  Value negative = e.cmp(CmpFPredicate::OLT, x, zero);
  Value overshot = arith::AndIOp::create(
      e.b, e.loc, inexact, arith::XOrIOp::create(e.b, e.loc, above, negative));
  Value bits = e.bitcast(e.i32(), nearest);
  bits = e.sub(bits, arith::ExtUIOp::create(e.b, e.loc, e.i32(), overshot));
  bits = e.bitOr(bits, arith::ExtUIOp::create(e.b, e.loc, e.i32(), inexact));
  return e.bitcast(e.f32(), bits);
}

/// f32 -> bf16, rounding to nearest even. bf16 has f32's exponent, so
/// carrying the rounding into the exponent also handles subnormals,
/// overflow to infinity and infinities; a NaN keeps its sign and top
/// payload bits and is made quiet.
Value truncF32ToBF16(const ElementwiseBuilder &e, Value x) {
  Value u = e.bitcast(e.i32(), x);
  Value high = e.shr(u, 16);
  Value lsb = e.bitAnd(high, 1);
  Value rounded = e.shr(e.add(u, e.add(lsb, 0x7fff)), 16);
  Value isNaN = e.cmp(CmpFPredicate::UNO, x, x);
  Value bits = e.select(isNaN, e.bitOr(high, 0x40), rounded);
  Value half = arith::TruncIOp::create(e.b, e.loc, e.i16(), bits);
  return e.bitcast(e.type(e.b.getBF16Type()), half);
}

/// bf16 -> f32: the bf16 bits are the top half of the f32's.
Value extBF16ToF32(const ElementwiseBuilder &e, Value x) {
  Value half = e.bitcast(e.i16(), x);
  Value u = arith::ExtUIOp::create(e.b, e.loc, e.i32(), half);
  return e.bitcast(e.f32(), e.shl(u, 16));
}

/// f32 -> f16, rounding to nearest even, for targets without F16C.
Value truncF32ToF16(const ElementwiseBuilder &e, Value x) {
  Value u = e.bitcast(e.i32(), x);
  Value sign = e.bitAnd(e.shr(u, 16), 0x8000);
  Value a = e.bitAnd(u, 0x7fffffff);

  // Normal results (|x| >= 2^-14): rebias the exponent from 127 to 15
  // (0xc8000000 is -112 << 23) and round the 13 dropped bits to nearest
  // even; a carry out of the mantissa increments the exponent.
  Value dropped = e.shr(a, 13);
  Value lsb = e.bitAnd(dropped, 1);
  Value normal = e.shr(e.add(a, e.add(lsb, 0xc8000fff)), 13);

  // Subnormal results: the f16 mantissa is the f32 significand shifted right
  // by 126 - exponent, rounded to nearest even. Shifts of 25 and more give
  // 0 already; the clamp keeps every shift amount defined.
  Value exponent = e.shr(a, 23);
  Value significand = e.bitOr(e.bitAnd(a, 0x7fffff), 0x800000);
  Value shift = e.maxu(e.minu(e.sub(e.c32(126), exponent), 31), 1);
  Value subLsb = e.bitAnd(e.shr(significand, shift), 1);
  Value halfMinusOne = e.sub(e.shl(e.c32(1), e.sub(shift, 1)), 1);
  Value subnormal =
      e.shr(e.add(significand, e.add(halfMinusOne, subLsb)), shift);

  // NaN keeps its top payload bits and is made quiet.
  Value nan = e.bitOr(e.bitAnd(dropped, 0x3ff), 0x7e00);
  // 0x477ff000 is 65520, halfway between the largest f16 (65504) and 2^16:
  // from there on the result rounds to infinity.
  Value magnitude =
      e.select(e.cmp(CmpIPredicate::ugt, a, 0x7f800000), nan,
               e.select(e.cmp(CmpIPredicate::uge, a, 0x477ff000), 0x7c00,
                        e.select(e.cmp(CmpIPredicate::uge, a, 0x38800000),
                                 normal, subnormal)));
  Value half =
      arith::TruncIOp::create(e.b, e.loc, e.i16(), e.bitOr(magnitude, sign));
  return e.bitcast(e.type(e.b.getF16Type()), half);
}

/// f16 -> f32 (exact), for targets without F16C.
Value extF16ToF32(const ElementwiseBuilder &e, Value x) {
  Value half = e.bitcast(e.i16(), x);
  Value h = arith::ExtUIOp::create(e.b, e.loc, e.i32(), half);
  Value sign = e.shl(e.bitAnd(h, 0x8000), 16);
  Value magnitude = e.bitAnd(h, 0x7fff);
  Value shifted = e.shl(magnitude, 13);
  // Rebias the exponent from 15 to 127 (112 << 23); exponent 31 (infinity,
  // NaN) becomes 255 with 224 << 23 instead, and NaN is made quiet.
  Value normal = e.add(shifted, 0x38000000);
  Value special = e.add(shifted, 0x70000000);
  special = e.select(e.cmp(CmpIPredicate::ugt, magnitude, 0x7c00),
                     e.bitOr(special, 0x400000), special);
  // A subnormal (or zero) is mantissa * 2^-24, which f32 holds exactly.
  Value mantissa = arith::SIToFPOp::create(e.b, e.loc, e.f32(), magnitude);
  Value scale =
      createScalarOrSplatConstant(e.b, e.loc, e.f32(), APFloat(0x1.0p-24f));
  Value subnormal =
      e.bitcast(e.i32(), arith::MulFOp::create(e.b, e.loc, mantissa, scale));
  Value bits = e.select(
      e.cmp(CmpIPredicate::uge, magnitude, 0x7c00), special,
      e.select(e.cmp(CmpIPredicate::uge, magnitude, 0x400), normal, subnormal));
  return e.bitcast(e.f32(), e.bitOr(bits, sign));
}

/// f64 -> f16/bf16: round to odd in f32, then round to nearest even (the
/// second `truncf` is expanded by the patterns below where needed).
struct TruncF64ToHalf final : OpRewritePattern<arith::TruncFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::TruncFOp op,
                                PatternRewriter &rewriter) const override {
    if (!getElementTypeOrSelf(op.getIn().getType()).isF64() ||
        !isHalf(getElementTypeOrSelf(op.getType())))
      return rewriter.notifyMatchFailure(op, "not f64 -> f16/bf16");
    if (failed(checkRounding(op, rewriter)))
      return failure();
    ElementwiseBuilder e(rewriter, op.getLoc(), op.getType());
    Value odd = roundToOddF32(e, op.getIn());
    rewriter.replaceOpWithNewOp<arith::TruncFOp>(op, op.getType(), odd);
    return success();
  }
};

/// f16/bf16 -> f64 through f32, both steps exact.
struct ExtHalfToF64 final : OpRewritePattern<arith::ExtFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::ExtFOp op,
                                PatternRewriter &rewriter) const override {
    if (!isHalf(getElementTypeOrSelf(op.getIn().getType())) ||
        !getElementTypeOrSelf(op.getType()).isF64())
      return rewriter.notifyMatchFailure(op, "not f16/bf16 -> f64");
    if (!isScalarOrVector(op.getIn().getType()))
      return rewriter.notifyMatchFailure(op, "not a scalar or a vector");
    ElementwiseBuilder e(rewriter, op.getLoc(), op.getType());
    Value wide =
        arith::ExtFOp::create(rewriter, op.getLoc(), e.f32(), op.getIn());
    rewriter.replaceOpWithNewOp<arith::ExtFOp>(op, op.getType(), wide);
    return success();
  }
};

/// f32 -> `Half` (f16 or bf16) on the integer bits.
template <bool IsBF16>
struct TruncF32ToHalf final : OpRewritePattern<arith::TruncFOp> {
  using OpRewritePattern<arith::TruncFOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::TruncFOp op,
                                PatternRewriter &rewriter) const override {
    Type result = getElementTypeOrSelf(op.getType());
    if (!getElementTypeOrSelf(op.getIn().getType()).isF32() ||
        (IsBF16 ? !result.isBF16() : !result.isF16()))
      return rewriter.notifyMatchFailure(op, "not this f32 truncation");
    if (failed(checkRounding(op, rewriter)))
      return failure();
    ElementwiseBuilder e(rewriter, op.getLoc(), op.getType());
    rewriter.replaceOp(op, IsBF16 ? truncF32ToBF16(e, op.getIn())
                                  : truncF32ToF16(e, op.getIn()));
    return success();
  }
};

/// `Half` (f16 or bf16) -> f32 on the integer bits.
template <bool IsBF16>
struct ExtHalfToF32 final : OpRewritePattern<arith::ExtFOp> {
  using OpRewritePattern<arith::ExtFOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::ExtFOp op,
                                PatternRewriter &rewriter) const override {
    Type source = getElementTypeOrSelf(op.getIn().getType());
    if (!getElementTypeOrSelf(op.getType()).isF32() ||
        (IsBF16 ? !source.isBF16() : !source.isF16()))
      return rewriter.notifyMatchFailure(op, "not this extension to f32");
    if (!isScalarOrVector(op.getIn().getType()))
      return rewriter.notifyMatchFailure(op, "not a scalar or a vector");
    ElementwiseBuilder e(rewriter, op.getLoc(), op.getType());
    rewriter.replaceOp(op, IsBF16 ? extBF16ToF32(e, op.getIn())
                                  : extF16ToF32(e, op.getIn()));
    return success();
  }
};

struct KilnExpandFloatConversionsPass final
    : kiln::impl::KilnExpandFloatConversionsPassBase<
          KilnExpandFloatConversionsPass> {
  using Base::Base;

  void runOnOperation() override {
    bool nativeF16 = true;
    if (f16Conversions == "expand") {
      nativeF16 = false;
    } else if (f16Conversions == "target") {
      if (TargetAttr target = TargetAttr::lookup(getOperation()))
        nativeF16 = hasNativeF16Conversions(target);
    } else if (f16Conversions != "native") {
      getOperation()->emitError()
          << "f16-conversions must be target, native or expand, not '"
          << f16Conversions << "'";
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    populateExpandFloatConversionsPatterns(patterns, nativeF16);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

bool mlir::kiln::hasNativeF16Conversions(TargetAttr target) {
  TargetDescription description = TargetDescription::fromAttr(target);
  llvm::Triple triple(description.triple);
  if (triple.isAArch64())
    return true;
  return triple.isX86() && description.hasFeature("f16c");
}

void mlir::kiln::populateExpandFloatConversionsPatterns(
    RewritePatternSet &patterns, bool nativeF16) {
  patterns.add<TruncF64ToHalf, ExtHalfToF64, TruncF32ToHalf</*IsBF16=*/true>,
               ExtHalfToF32</*IsBF16=*/true>>(patterns.getContext());
  if (!nativeF16)
    patterns
        .add<TruncF32ToHalf</*IsBF16=*/false>, ExtHalfToF32</*IsBF16=*/false>>(
            patterns.getContext());
}
