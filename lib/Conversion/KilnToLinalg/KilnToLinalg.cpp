//===- KilnToLinalg.cpp - Lower kiln to linalg on tensors -----------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Conversion/Passes.h"

#include "LoweringUtils.h"
#include "Kiln/IR/KilnOps.h"
#include "Kiln/IR/LayoutUtils.h"
#include "Kiln/IR/Origins.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/MapVector.h"

#include <algorithm>
#include <cmath>

namespace mlir::kiln {
#define GEN_PASS_DEF_CONVERTKILNTOLINALGPASS
#include "kiln/Conversion/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::lowering;

//===----------------------------------------------------------------------===//
// Type conversion and legality
//===----------------------------------------------------------------------===//

void mlir::kiln::populateKilnToLinalgTypeConversion(TypeConverter &converter) {
  converter.addConversion([](Type type) { return type; });
  converter.addConversion([](RankedTensorType type) -> Type {
    if (auto q = dyn_cast<quant::QuantizedType>(type.getElementType()))
      return RankedTensorType::get(type.getShape(), q.getStorageType());
    // Unsigned integers compute on signless storage; the ops' lowerings
    // pick the unsigned arith ops.
    if (auto i = dyn_cast<IntegerType>(type.getElementType());
        i && i.isUnsigned())
      return RankedTensorType::get(
          type.getShape(), IntegerType::get(type.getContext(), i.getWidth()));
    return type;
  });
}

/// Why `op` cannot be lowered, or std::nullopt when it can.
static std::optional<std::string> unsupportedReason(Operation *op) {
  // i1 tensors only carry masks and comparison results; arithmetic on them
  // has no agreed meaning (ONNX forbids it too).
  if (isa<AddOp, SubOp, MulOp, DivOp, MaxOp, MinOp, NegOp, AbsOp, ReluOp,
          ShiftLeftOp, ShiftRightOp,
          ClampOp, MatmulOp, LinearOp, OuterOp, Conv2DOp, Pool2DOp,
          ReduceSumOp, ReduceProdOp, ReduceMaxOp, ReduceMinOp>(op) &&
      getElementTypeOrSelf(op->getResult(0).getType()).isInteger(1))
    return std::string("arithmetic on i1 tensors is not supported");
  // Their lowerings start from the signed extremes and compare signed.
  if (isa<ReduceMaxOp, ReduceMinOp, Pool2DOp>(op) &&
      getElementTypeOrSelf(op->getOperand(0).getType()).isUnsignedInteger())
    return std::string("max/min reductions and pooling of unsigned integers "
                       "are not supported; cast to a wider signed type first");
  if (auto pool = dyn_cast<Pool2DOp>(op)) {
    auto type = cast<RankedTensorType>(pool.getInput().getType());
    auto [hd, wd] = getImageDims(pool.getLayout()).spatial();
    int64_t h = type.getDimSize(hd), w = type.getDimSize(wd);
    if (pool.getCeilMode() &&
        (ShapedType::isDynamic(h) || ShapedType::isDynamic(w)))
      return std::string("ceil_mode needs static spatial dims");
  }
  if (auto q = dyn_cast<QuantizeOp>(op)) {
    auto qtype = cast<quant::QuantizedType>(
        cast<RankedTensorType>(q.getType()).getElementType());
    if (qtype.getStorageTypeIntegralWidth() > 32)
      return std::string("storage types wider than 32 bits are not supported");
  }
  return std::nullopt;
}

LogicalResult mlir::kiln::checkKilnOpsLowerable(Operation *root) {
  llvm::MapVector<StringRef, SmallVector<std::pair<Operation *, std::string>>>
      unsupported;
  size_t count = 0;
  root->walk([&](Operation *op) {
    if (!isa<KilnDialect>(op->getDialect()))
      return;
    if (std::optional<std::string> reason = unsupportedReason(op)) {
      unsupported[op->getName().getStringRef()].push_back({op, *reason});
      ++count;
    }
  });
  if (unsupported.empty())
    return success();
  InFlightDiagnostic diag = root->emitError()
                            << "cannot lower " << count << " kiln op(s) to linalg: ";
  llvm::interleaveComma(unsupported, diag, [&](auto &entry) {
    diag << entry.first << " (" << entry.second.size() << ")";
  });
  for (auto &entry : unsupported)
    for (auto &[op, reason] : entry.second)
      diag.attachNote(op->getLoc()) << entry.first << ": " << reason;
  return failure();
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

namespace {
bool isFloat(Type t) { return isa<FloatType>(t); }

Value floatConst(OpBuilder &b, Location l, Type t, double v) {
  return scalarConstant(b, l, t, v);
}

/// Whether `op` computes on unsigned integers. The type converter gives
/// them signless storage, so the scalar code picks the unsigned arith ops
/// from the op's original operand type.
bool isUnsigned(Operation *op) {
  return getElementTypeOrSelf(op->getOperand(0).getType()).isUnsignedInteger();
}

/// Integer division with the divisors that trap handled: x / 0 is 0 (ONNX
/// leaves it undefined; a trap would kill the caller), and for signed
/// types x / -1 is -x (INT_MIN / -1 traps).
Value integerDivide(OpBuilder &b, Location l, Value x, Value d, Type t,
                    bool isUnsigned) {
  Value zero = scalarConstant(b, l, t, 0), one = scalarConstant(b, l, t, 1);
  Value byZero = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, d, zero);
  if (isUnsigned) {
    Value q = arith::DivUIOp::create(
        b, l, x, arith::SelectOp::create(b, l, byZero, one, d));
    return arith::SelectOp::create(b, l, byZero, zero, q);
  }
  Value byMinusOne = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, d,
                                           scalarConstant(b, l, t, -1));
  Value trivial = arith::OrIOp::create(b, l, byZero, byMinusOne);
  Value q = arith::DivSIOp::create(
      b, l, x, arith::SelectOp::create(b, l, trivial, one, d));
  Value negated = arith::SubIOp::create(b, l, zero, x);
  return arith::SelectOp::create(
      b, l, byZero, zero, arith::SelectOp::create(b, l, byMinusOne, negated, q));
}

// One scalar computation per op; `t` is the result element type.
Value scalar(AddOp, OpBuilder &b, Location l, ValueRange a, Type t) {
  if (isFloat(t))
    return arith::AddFOp::create(b, l, a[0], a[1]);
  return arith::AddIOp::create(b, l, a[0], a[1]);
}
Value scalar(SubOp, OpBuilder &b, Location l, ValueRange a, Type t) {
  if (isFloat(t))
    return arith::SubFOp::create(b, l, a[0], a[1]);
  return arith::SubIOp::create(b, l, a[0], a[1]);
}
Value scalar(MulOp, OpBuilder &b, Location l, ValueRange a, Type t) {
  if (isFloat(t))
    return arith::MulFOp::create(b, l, a[0], a[1]);
  return arith::MulIOp::create(b, l, a[0], a[1]);
}
Value scalar(DivOp op, OpBuilder &b, Location l, ValueRange a, Type t) {
  if (isFloat(t))
    return arith::DivFOp::create(b, l, a[0], a[1]);
  return integerDivide(b, l, a[0], a[1], t, isUnsigned(op));
}
/// Shifts by the bit width or more are poison in arith; ONNX and numpy give
/// 0 (or the sign for an arithmetic right shift).
Value scalar(ShiftLeftOp, OpBuilder &b, Location l, ValueRange a, Type t) {
  Value width = scalarConstant(b, l, t, t.getIntOrFloatBitWidth());
  Value tooFar =
      arith::CmpIOp::create(b, l, arith::CmpIPredicate::uge, a[1], width);
  Value shifted = arith::ShLIOp::create(b, l, a[0], a[1]);
  return arith::SelectOp::create(b, l, tooFar, scalarConstant(b, l, t, 0),
                                 shifted);
}
Value scalar(ShiftRightOp op, OpBuilder &b, Location l, ValueRange a, Type t) {
  unsigned bits = t.getIntOrFloatBitWidth();
  Value width = scalarConstant(b, l, t, bits);
  Value tooFar =
      arith::CmpIOp::create(b, l, arith::CmpIPredicate::uge, a[1], width);
  if (isUnsigned(op)) {
    Value shifted = arith::ShRUIOp::create(b, l, a[0], a[1]);
    return arith::SelectOp::create(b, l, tooFar, scalarConstant(b, l, t, 0),
                                   shifted);
  }
  Value amount = arith::SelectOp::create(
      b, l, tooFar, scalarConstant(b, l, t, bits - 1), a[1]);
  return arith::ShRSIOp::create(b, l, a[0], amount);
}
Value scalar(MaxOp op, OpBuilder &b, Location l, ValueRange a, Type t) {
  if (isFloat(t))
    return arith::MaximumFOp::create(b, l, a[0], a[1]);
  if (isUnsigned(op))
    return arith::MaxUIOp::create(b, l, a[0], a[1]);
  return arith::MaxSIOp::create(b, l, a[0], a[1]);
}
Value scalar(MinOp op, OpBuilder &b, Location l, ValueRange a, Type t) {
  if (isFloat(t))
    return arith::MinimumFOp::create(b, l, a[0], a[1]);
  if (isUnsigned(op))
    return arith::MinUIOp::create(b, l, a[0], a[1]);
  return arith::MinSIOp::create(b, l, a[0], a[1]);
}
Value scalar(PowOp, OpBuilder &b, Location l, ValueRange a, Type) {
  return math::PowFOp::create(b, l, a[0], a[1]);
}
Value scalar(NegOp, OpBuilder &b, Location l, ValueRange a, Type t) {
  if (isFloat(t))
    return arith::NegFOp::create(b, l, a[0]);
  return arith::SubIOp::create(b, l, scalarConstant(b, l, t, 0), a[0]);
}
Value scalar(AbsOp op, OpBuilder &b, Location l, ValueRange a, Type t) {
  if (isFloat(t))
    return math::AbsFOp::create(b, l, a[0]);
  if (isUnsigned(op))
    return a[0];
  return math::AbsIOp::create(b, l, a[0]);
}
Value scalar(ExpOp, OpBuilder &b, Location l, ValueRange a, Type) {
  return math::ExpOp::create(b, l, a[0]);
}
Value scalar(LogOp, OpBuilder &b, Location l, ValueRange a, Type) {
  return math::LogOp::create(b, l, a[0]);
}
Value scalar(SqrtOp, OpBuilder &b, Location l, ValueRange a, Type) {
  return math::SqrtOp::create(b, l, a[0]);
}
Value scalar(RsqrtOp, OpBuilder &b, Location l, ValueRange a, Type) {
  return math::RsqrtOp::create(b, l, a[0]);
}
Value scalar(TanhOp, OpBuilder &b, Location l, ValueRange a, Type) {
  return math::TanhOp::create(b, l, a[0]);
}
Value scalar(ErfOp, OpBuilder &b, Location l, ValueRange a, Type) {
  return math::ErfOp::create(b, l, a[0]);
}
Value scalar(FloorOp, OpBuilder &b, Location l, ValueRange a, Type) {
  return math::FloorOp::create(b, l, a[0]);
}
Value scalar(CeilOp, OpBuilder &b, Location l, ValueRange a, Type) {
  return math::CeilOp::create(b, l, a[0]);
}
Value scalar(RoundOp, OpBuilder &b, Location l, ValueRange a, Type) {
  return math::RoundEvenOp::create(b, l, a[0]);
}
Value scalar(SinOp, OpBuilder &b, Location l, ValueRange a, Type) {
  return math::SinOp::create(b, l, a[0]);
}
Value scalar(CosOp, OpBuilder &b, Location l, ValueRange a, Type) {
  return math::CosOp::create(b, l, a[0]);
}
Value scalar(TanOp, OpBuilder &b, Location l, ValueRange a, Type) {
  return math::TanOp::create(b, l, a[0]);
}
Value scalar(AsinOp, OpBuilder &b, Location l, ValueRange a, Type) {
  return math::AsinOp::create(b, l, a[0]);
}
Value scalar(AcosOp, OpBuilder &b, Location l, ValueRange a, Type) {
  return math::AcosOp::create(b, l, a[0]);
}
Value scalar(AtanOp, OpBuilder &b, Location l, ValueRange a, Type) {
  return math::AtanOp::create(b, l, a[0]);
}
Value scalar(SinhOp, OpBuilder &b, Location l, ValueRange a, Type) {
  return math::SinhOp::create(b, l, a[0]);
}
Value scalar(CoshOp, OpBuilder &b, Location l, ValueRange a, Type) {
  return math::CoshOp::create(b, l, a[0]);
}
Value scalar(AsinhOp, OpBuilder &b, Location l, ValueRange a, Type) {
  return math::AsinhOp::create(b, l, a[0]);
}
Value scalar(AcoshOp, OpBuilder &b, Location l, ValueRange a, Type) {
  return math::AcoshOp::create(b, l, a[0]);
}
Value scalar(AtanhOp, OpBuilder &b, Location l, ValueRange a, Type) {
  return math::AtanhOp::create(b, l, a[0]);
}

/// The truncated remainder `a[0] rem a[1]` (C's fmod). For integers, a
/// divisor of 0 or -1 gives 0 without dividing: remsi would trap on 0, and
/// on INT_MIN rem -1.
Value truncatedRemainder(OpBuilder &b, Location l, ValueRange a, Type t,
                         bool isUnsigned) {
  if (isFloat(t))
    return arith::RemFOp::create(b, l, a[0], a[1]);
  Value zero = scalarConstant(b, l, t, 0);
  Value one = scalarConstant(b, l, t, 1);
  if (isUnsigned) {
    // The floored and truncated remainders agree; only 0 traps.
    Value byZero =
        arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, a[1], zero);
    Value r = arith::RemUIOp::create(
        b, l, a[0], arith::SelectOp::create(b, l, byZero, one, a[1]));
    return arith::SelectOp::create(b, l, byZero, zero, r);
  }
  Value minusOne = scalarConstant(b, l, t, -1);
  Value trivial = arith::OrIOp::create(
      b, l, arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, a[1], zero),
      arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, a[1], minusOne));
  Value divisor = arith::SelectOp::create(b, l, trivial, one, a[1]);
  Value r = arith::RemSIOp::create(b, l, a[0], divisor);
  return arith::SelectOp::create(b, l, trivial, zero, r);
}
Value scalar(FmodOp op, OpBuilder &b, Location l, ValueRange a, Type t) {
  return truncatedRemainder(b, l, a, t, isUnsigned(op));
}
/// The floored remainder: the truncated one, plus the divisor when their
/// signs differ.
Value scalar(ModOp op, OpBuilder &b, Location l, ValueRange a, Type t) {
  Value r = truncatedRemainder(b, l, a, t, isUnsigned(op));
  if (isUnsigned(op))
    return r;
  Value zero = scalarConstant(b, l, t, 0);
  Value nonzero, rNegative, dNegative, sum;
  if (isFloat(t)) {
    nonzero = arith::CmpFOp::create(b, l, arith::CmpFPredicate::ONE, r, zero);
    rNegative = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, r, zero);
    dNegative =
        arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, a[1], zero);
    sum = arith::AddFOp::create(b, l, r, a[1]);
  } else {
    nonzero = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, r, zero);
    rNegative = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, r, zero);
    dNegative =
        arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, a[1], zero);
    sum = arith::AddIOp::create(b, l, r, a[1]);
  }
  Value differ = arith::XOrIOp::create(b, l, rNegative, dNegative);
  Value adjust = arith::AndIOp::create(b, l, nonzero, differ);
  return arith::SelectOp::create(b, l, adjust, sum, r);
}
Value scalar(SigmoidOp, OpBuilder &b, Location l, ValueRange a, Type t) {
  Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, a[0]));
  Value one = floatConst(b, l, t, 1.0);
  return arith::DivFOp::create(b, l, one, arith::AddFOp::create(b, l, one, e));
}
Value scalar(ReluOp op, OpBuilder &b, Location l, ValueRange a, Type t) {
  Value zero = scalarConstant(b, l, t, 0);
  if (isFloat(t))
    return arith::MaximumFOp::create(b, l, a[0], zero);
  if (isUnsigned(op))
    return a[0];
  return arith::MaxSIOp::create(b, l, a[0], zero);
}
Value scalar(ClampOp op, OpBuilder &b, Location l, ValueRange a, Type t) {
  double min = op.getMin().convertToDouble(), max = op.getMax().convertToDouble();
  if (isUnsigned(op)) {
    // Bounds outside the unsigned range clamp nothing on that side (built
    // as APInts: 2^64 - 1 does not survive a trip through int64_t).
    unsigned bits = t.getIntOrFloatBitWidth();
    auto bound = [&](double v) -> Value {
      APInt value = v <= 0 ? APInt::getZero(bits)
                    : v >= std::ldexp(1.0, bits) - 1
                        ? APInt::getAllOnes(bits)
                        : APInt(bits, static_cast<uint64_t>(v));
      return arith::ConstantOp::create(b, l, IntegerAttr::get(t, value));
    };
    return arith::MinUIOp::create(
        b, l, arith::MaxUIOp::create(b, l, a[0], bound(min)), bound(max));
  }
  Value lo = scalarConstant(b, l, t, min);
  Value hi = scalarConstant(b, l, t, max);
  if (isFloat(t))
    return arith::MinimumFOp::create(
        b, l, arith::MaximumFOp::create(b, l, a[0], lo), hi);
  return arith::MinSIOp::create(b, l, arith::MaxSIOp::create(b, l, a[0], lo),
                                hi);
}
Value scalar(GeluOp op, OpBuilder &b, Location l, ValueRange a, Type t) {
  Value x = a[0];
  Value half = floatConst(b, l, t, 0.5), one = floatConst(b, l, t, 1.0);
  Value inner;
  if (op.getApproximation() == GeluApproximation::Tanh) {
    // sqrt(2/pi) * (x + 0.044715 x^3)
    Value x3 = arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, x, x), x);
    Value poly = arith::AddFOp::create(
        b, l, x, arith::MulFOp::create(b, l, floatConst(b, l, t, 0.044715), x3));
    inner = math::TanhOp::create(
        b, l,
        arith::MulFOp::create(b, l, floatConst(b, l, t, 0.7978845608028654),
                              poly));
  } else {
    inner = math::ErfOp::create(
        b, l,
        arith::MulFOp::create(b, l, x, floatConst(b, l, t, 0.7071067811865476)));
  }
  Value factor = arith::MulFOp::create(b, l, half,
                                       arith::AddFOp::create(b, l, one, inner));
  return arith::MulFOp::create(b, l, x, factor);
}
Value scalar(CompareOp op, OpBuilder &b, Location l, ValueRange a, Type) {
  Type operand = a[0].getType();
  if (isFloat(operand)) {
    arith::CmpFPredicate p;
    switch (op.getPredicate()) {
    case ComparePredicate::EQ: p = arith::CmpFPredicate::OEQ; break;
    case ComparePredicate::NE: p = arith::CmpFPredicate::UNE; break;
    case ComparePredicate::LT: p = arith::CmpFPredicate::OLT; break;
    case ComparePredicate::LE: p = arith::CmpFPredicate::OLE; break;
    case ComparePredicate::GT: p = arith::CmpFPredicate::OGT; break;
    case ComparePredicate::GE: p = arith::CmpFPredicate::OGE; break;
    }
    return arith::CmpFOp::create(b, l, p, a[0], a[1]);
  }
  arith::CmpIPredicate p;
  bool u = isUnsigned(op);
  switch (op.getPredicate()) {
  case ComparePredicate::EQ: p = arith::CmpIPredicate::eq; break;
  case ComparePredicate::NE: p = arith::CmpIPredicate::ne; break;
  case ComparePredicate::LT: p = u ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt; break;
  case ComparePredicate::LE: p = u ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle; break;
  case ComparePredicate::GT: p = u ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt; break;
  case ComparePredicate::GE: p = u ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge; break;
  }
  return arith::CmpIOp::create(b, l, p, a[0], a[1]);
}
Value scalar(SelectOp, OpBuilder &b, Location l, ValueRange a, Type) {
  return arith::SelectOp::create(b, l, a[0], a[1], a[2]);
}
Value scalar(BroadcastToOp, OpBuilder &, Location, ValueRange a, Type) {
  return a[0];
}
Value scalar(CastOp op, OpBuilder &b, Location l, ValueRange a, Type to) {
  Value x = a[0];
  Type from = x.getType();
  bool fromUnsigned = isUnsigned(op);
  bool toUnsigned =
      getElementTypeOrSelf(op.getResult().getType()).isUnsignedInteger();
  if (from == to)
    return x;
  unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
  if (isFloat(from) && isFloat(to)) {
    // Neither of two distinct formats of one width (f16 and bf16) holds the
    // other, so arith.extf/truncf cannot convert between them. Widening to
    // f32 is exact for both, which leaves a single rounding.
    if (fw == tw) {
      x = arith::ExtFOp::create(b, l, b.getF32Type(), x);
      return arith::TruncFOp::create(b, l, to, x);
    }
    if (fw < tw)
      return arith::ExtFOp::create(b, l, to, x);
    return arith::TruncFOp::create(b, l, to, x);
  }
  if (isFloat(to)) {
    if (from.isInteger(1) || fromUnsigned)
      return arith::UIToFPOp::create(b, l, to, x);
    return arith::SIToFPOp::create(b, l, to, x);
  }
  if (isFloat(from)) {
    if (to.isInteger(1))
      return arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNE, x,
                                   scalarConstant(b, l, from, 0));
    if (toUnsigned)
      return arith::FPToUIOp::create(b, l, to, x);
    return arith::FPToSIOp::create(b, l, to, x);
  }
  if (to.isInteger(1))
    return arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, x,
                                 scalarConstant(b, l, from, 0));
  if (from.isInteger(1) || (fromUnsigned && fw < tw))
    return arith::ExtUIOp::create(b, l, to, x);
  if (fw < tw)
    return arith::ExtSIOp::create(b, l, to, x);
  return arith::TruncIOp::create(b, l, to, x);
}

template <typename OpTy>
struct ElementwiseLowering final : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(
        this->getTypeConverter()->convertType(op.getType()));
    Type element = resultType.getElementType();
    Value result = buildElementwise(
        rewriter, op.getLoc(), resultType, adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return scalar(op, b, loc, args, element);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};
} // namespace

void lowering::populateElementwiseLowering(const TypeConverter &converter,
                                           RewritePatternSet &patterns) {
  patterns.add<ElementwiseLowering<AddOp>, ElementwiseLowering<SubOp>,
               ElementwiseLowering<MulOp>, ElementwiseLowering<DivOp>,
               ElementwiseLowering<MaxOp>, ElementwiseLowering<MinOp>,
               ElementwiseLowering<PowOp>, ElementwiseLowering<NegOp>,
               ElementwiseLowering<AbsOp>, ElementwiseLowering<ExpOp>,
               ElementwiseLowering<LogOp>, ElementwiseLowering<SqrtOp>,
               ElementwiseLowering<RsqrtOp>, ElementwiseLowering<TanhOp>,
               ElementwiseLowering<ErfOp>, ElementwiseLowering<SigmoidOp>,
               ElementwiseLowering<ReluOp>, ElementwiseLowering<ClampOp>,
               ElementwiseLowering<GeluOp>, ElementwiseLowering<CompareOp>,
               ElementwiseLowering<SelectOp>, ElementwiseLowering<CastOp>,
               ElementwiseLowering<BroadcastToOp>, ElementwiseLowering<FloorOp>,
               ElementwiseLowering<CeilOp>, ElementwiseLowering<RoundOp>,
               ElementwiseLowering<SinOp>, ElementwiseLowering<CosOp>,
               ElementwiseLowering<TanOp>, ElementwiseLowering<AsinOp>,
               ElementwiseLowering<AcosOp>, ElementwiseLowering<AtanOp>,
               ElementwiseLowering<SinhOp>, ElementwiseLowering<CoshOp>,
               ElementwiseLowering<AsinhOp>, ElementwiseLowering<AcoshOp>,
               ElementwiseLowering<AtanhOp>, ElementwiseLowering<ModOp>,
               ElementwiseLowering<FmodOp>, ElementwiseLowering<ShiftLeftOp>,
               ElementwiseLowering<ShiftRightOp>>(converter,
                                                  patterns.getContext());
}

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

void mlir::kiln::populateKilnToLinalgPatterns(const TypeConverter &converter,
                                              RewritePatternSet &patterns,
                                              int64_t attentionKeyBlock) {
  populateElementwiseLowering(converter, patterns);
  populateStructuralLowering(converter, patterns);
  populateContractionLowering(converter, patterns);
  populateNormalizationLowering(converter, patterns);
  populateAttentionLowering(converter, patterns, attentionKeyBlock);
}

namespace {
struct ConvertKilnToLinalgPass final
    : kiln::impl::ConvertKilnToLinalgPassBase<ConvertKilnToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (attentionKeyBlock < 0) {
      emitError(module.getLoc())
          << "attention-key-block must be 0 (off) or positive, got "
          << static_cast<int64_t>(attentionKeyBlock);
      return signalPassFailure();
    }
    if (failed(checkKilnOpsLowerable(module)))
      return signalPassFailure();
    for (auto func : module.getOps<func::FuncOp>())
      resolveRuntimeDims(func);
    // Every op the lowering makes names the kiln op it came from.
    module.walk([](Operation *op) {
      if (isa_and_nonnull<KilnDialect>(op->getDialect()))
        op->setLoc(markOrigin(op));
    });

    MLIRContext *context = &getContext();
    TypeConverter converter;
    populateKilnToLinalgTypeConversion(converter);

    ConversionTarget target(*context);
    target.addIllegalDialect<KilnDialect>();
    target.addLegalDialect<arith::ArithDialect, cf::ControlFlowDialect,
                           linalg::LinalgDialect, math::MathDialect,
                           tensor::TensorDialect>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
      return converter.isSignatureLegal(op.getFunctionType()) &&
             converter.isLegal(&op.getBody());
    });
    target.addDynamicallyLegalOp<func::ReturnOp, func::CallOp>(
        [&](Operation *op) { return converter.isLegal(op); });
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });

    RewritePatternSet patterns(context);
    populateKilnToLinalgPatterns(converter, patterns, attentionKeyBlock);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    populateCallOpTypeConversionPattern(patterns, converter);
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
