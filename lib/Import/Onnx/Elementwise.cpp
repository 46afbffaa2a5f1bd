//===- Elementwise.cpp - Elementwise ONNX ops -----------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Unary math (rounding and trigonometry included), binary and variadic
// arithmetic, Mod, comparisons and logic, Where, Clip, the activations
// built from kiln ops, Pow and the casts.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/StringSwitch.h"

#include <cmath>
#include <cstdlib>
#include <limits>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;
using llvm::StringRef;
using llvm::Twine;

LogicalResult Importer::importUnary(const onnx::NodeProto &n) {
  StringRef op = n.op_type();
  if (const HostTensor *h = host(n, 0)) {
    if ((op == "Neg" || op == "Abs") && !h->isFloatType() && h->allStatic()) {
      HostTensor r = *h;
      for (SymInt &v : r.ints)
        v = SymInt(op == "Neg" ? -v.value : std::abs(v.value));
      setHost(n, 0, std::move(r));
      return success();
    }
  }
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  FailureOr<Value> r = failure();
  if (op == "Relu")
    r = make<ReluOp>(*x);
  else if (op == "Sigmoid")
    r = make<SigmoidOp>(*x);
  else if (op == "Tanh")
    r = make<TanhOp>(*x);
  else if (op == "Exp")
    r = make<ExpOp>(*x);
  else if (op == "Log")
    r = make<LogOp>(*x);
  else if (op == "Sqrt")
    r = make<SqrtOp>(*x);
  else if (op == "Erf")
    r = make<ErfOp>(*x);
  else if (op == "Neg")
    r = make<NegOp>(*x);
  else if (op == "Abs")
    r = make<AbsOp>(*x);
  else if (op == "Floor")
    r = make<FloorOp>(*x);
  else if (op == "Ceil")
    r = make<CeilOp>(*x);
  else if (op == "Round")
    r = make<RoundOp>(*x);
  else if (op == "Sin")
    r = make<SinOp>(*x);
  else if (op == "Cos")
    r = make<CosOp>(*x);
  else if (op == "Tan")
    r = make<TanOp>(*x);
  else if (op == "Asin")
    r = make<AsinOp>(*x);
  else if (op == "Acos")
    r = make<AcosOp>(*x);
  else if (op == "Atan")
    r = make<AtanOp>(*x);
  else if (op == "Sinh")
    r = make<SinhOp>(*x);
  else if (op == "Cosh")
    r = make<CoshOp>(*x);
  else if (op == "Asinh")
    r = make<AsinhOp>(*x);
  else if (op == "Acosh")
    r = make<AcoshOp>(*x);
  else if (op == "Atanh")
    r = make<AtanhOp>(*x);
  return setResult(n, r);
}

/// Integer arithmetic on host tensors (shape computations).
std::optional<HostTensor> Importer::foldHostBinary(StringRef op,
                                                   const HostTensor &l,
                                                   const HostTensor &r) {
  if (l.isFloatType() || r.isFloatType())
    return std::nullopt;
  if (l.size() != r.size() && l.size() != 1 && r.size() != 1)
    return std::nullopt;
  if (op != "Add" && op != "Sub" && op != "Mul" && op != "Div")
    return std::nullopt;
  HostTensor out = l.size() >= r.size() ? l : r;
  for (int64_t i = 0, e = out.size(); i < e; ++i) {
    const SymInt &a = l.ints[l.size() == 1 ? 0 : i];
    const SymInt &c = r.ints[r.size() == 1 ? 0 : i];
    if (a.isStatic() && c.isStatic()) {
      int64_t x = a.value, y = c.value, v;
      if (op == "Add")
        v = x + y;
      else if (op == "Sub")
        v = x - y;
      else if (op == "Mul")
        v = x * y;
      else if (y != 0)
        v = x / y;
      else
        return std::nullopt;
      out.ints[i] = {v};
      continue;
    }
    // A run-time dim: the same arithmetic on `index` values, which ONNX's
    // int64 shape arithmetic matches for the non-negative sizes it carries.
    if (op == "Div" && c.isStatic() && c.value == 0)
      return std::nullopt;
    Value x = indexValue(a), y = indexValue(c), v;
    if (op == "Add")
      v = b.createOrFold<arith::AddIOp>(loc, x, y);
    else if (op == "Sub")
      v = b.createOrFold<arith::SubIOp>(loc, x, y);
    else if (op == "Mul")
      v = b.createOrFold<arith::MulIOp>(loc, x, y);
    else
      v = b.createOrFold<arith::DivSIOp>(loc, x, y);
    out.ints[i] = SymInt::computed(v);
  }
  return out;
}

LogicalResult Importer::importBinary(const onnx::NodeProto &n) {
  StringRef op = n.op_type();
  if (const HostTensor *l = host(n, 0))
    if (const HostTensor *r = host(n, 1))
      if (std::optional<HostTensor> folded = foldHostBinary(op, *l, *r)) {
        setHost(n, 0, std::move(*folded));
        return success();
      }
  FailureOr<Value> l = input(n, 0), r = input(n, 1);
  if (failed(l) || failed(r))
    return failure();
  FailureOr<Value> out = failure();
  if (op == "Add")
    out = make<AddOp>(*l, *r);
  else if (op == "Sub")
    out = make<SubOp>(*l, *r);
  else if (op == "Mul")
    out = make<MulOp>(*l, *r);
  else if (op == "Div")
    out = make<DivOp>(*l, *r);
  return setResult(n, out);
}

LogicalResult Importer::importVariadic(const onnx::NodeProto &n) {
  StringRef op = n.op_type();
  FailureOr<Value> acc = input(n, 0);
  if (failed(acc))
    return failure();
  for (int i = 1; i < n.input_size(); ++i) {
    FailureOr<Value> v = input(n, i);
    if (failed(v))
      return failure();
    if (op == "Max")
      acc = make<MaxOp>(*acc, *v);
    else if (op == "Min")
      acc = make<MinOp>(*acc, *v);
    else
      acc = make<AddOp>(*acc, *v);
    if (failed(acc))
      return failure();
  }
  if (op == "Mean" && n.input_size() > 1) {
    acc = make<DivOp>(*acc,
                      scalar(n.input_size(), typeOf(*acc).getElementType()));
    if (failed(acc))
      return failure();
  }
  setOutput(n, 0, *acc);
  return success();
}

/// The element-wise pairs of two host tensors of equal size, or of one and
/// a single element; none when their shapes are otherwise different.
static std::optional<int64_t> hostPairCount(const HostTensor &l,
                                            const HostTensor &r) {
  if (l.shape == r.shape || r.size() == 1)
    return l.size();
  if (l.size() == 1)
    return r.size();
  return std::nullopt;
}

/// A comparison of host tensors (the `shape == -1` tests exporters put
/// before Expand and Reshape). A run-time dim is never negative, so it
/// compares with a negative constant at compile time too.
static std::optional<HostTensor> foldHostCompare(ComparePredicate pred,
                                                 const HostTensor &l,
                                                 const HostTensor &r) {
  std::optional<int64_t> count = hostPairCount(l, r);
  if (!count || l.isFloatType() != r.isFloatType())
    return std::nullopt;
  HostTensor out;
  out.elemType = onnx::TensorProto::BOOL;
  out.shape = l.size() >= r.size() ? l.shape : r.shape;
  for (int64_t i = 0; i < *count; ++i) {
    int64_t li = l.size() == 1 ? 0 : i, ri = r.size() == 1 ? 0 : i;
    double x = l.at(li), y = r.at(ri);
    if (!l.isFloatType()) {
      const SymInt &a = l.ints[li], &c = r.ints[ri];
      if (!a.isStatic() || !c.isStatic()) {
        // Only a dim (never negative; arithmetic on dims may be) against a
        // negative constant is known.
        const SymInt &dim = a.isStatic() ? c : a;
        const SymInt &constant = a.isStatic() ? a : c;
        if (!dim.source || !constant.isStatic() || constant.value >= 0)
          return std::nullopt;
        x = a.isStatic() ? a.value : 0;
        y = c.isStatic() ? c.value : 0;
      }
    }
    bool v;
    switch (pred) {
    case ComparePredicate::EQ:
      v = x == y;
      break;
    case ComparePredicate::LT:
      v = x < y;
      break;
    case ComparePredicate::LE:
      v = x <= y;
      break;
    case ComparePredicate::GT:
      v = x > y;
      break;
    case ComparePredicate::GE:
      v = x >= y;
      break;
    case ComparePredicate::NE:
      v = x != y;
      break;
    }
    out.ints.push_back({v ? 1 : 0});
  }
  return out;
}

LogicalResult Importer::importCompare(const onnx::NodeProto &n) {
  StringRef op = n.op_type();
  ComparePredicate pred = llvm::StringSwitch<ComparePredicate>(op)
                              .Case("Equal", ComparePredicate::EQ)
                              .Case("Less", ComparePredicate::LT)
                              .Case("LessOrEqual", ComparePredicate::LE)
                              .Case("Greater", ComparePredicate::GT)
                              .Default(ComparePredicate::GE);
  if (const HostTensor *hl = host(n, 0))
    if (const HostTensor *hr = host(n, 1))
      if (std::optional<HostTensor> folded = foldHostCompare(pred, *hl, *hr)) {
        setHost(n, 0, std::move(*folded));
        return success();
      }
  FailureOr<Value> l = input(n, 0), r = input(n, 1);
  if (failed(l) || failed(r))
    return failure();
  FailureOr<Value> out = compare(pred, *l, *r);
  return setResult(n, out);
}

LogicalResult Importer::importNot(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  FailureOr<Value> out =
      compare(ComparePredicate::EQ, *x, scalar(0, b.getI1Type()));
  return setResult(n, out);
}

/// And, Or and Xor on booleans, with broadcasting: And(a, b) is
/// select(a, b, false), Or(a, b) is select(a, true, b), Xor(a, b) is a != b.
LogicalResult Importer::importLogical(const onnx::NodeProto &n) {
  FailureOr<Value> l = input(n, 0), r = input(n, 1);
  if (failed(l) || failed(r))
    return failure();
  StringRef op = n.op_type();
  Type i1 = b.getI1Type();
  FailureOr<Value> out = failure();
  if (op == "And")
    out = make<SelectOp>(*l, *r, scalar(0, i1));
  else if (op == "Or")
    out = make<SelectOp>(*l, scalar(1, i1), *r);
  else
    out = compare(ComparePredicate::NE, *l, *r);
  return setResult(n, out);
}

/// Sign: select(x > 0, 1, select(x < 0, -1, x)), so that zeros and NaN stay
/// what they are, as numpy.sign.
LogicalResult Importer::importSign(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  Type elem = typeOf(*x).getElementType();
  Value zero = scalar(0, elem);
  FailureOr<Value> negative = compare(ComparePredicate::LT, *x, zero);
  FailureOr<Value> positive = compare(ComparePredicate::GT, *x, zero);
  if (failed(negative) || failed(positive))
    return failure();
  FailureOr<Value> rest = make<SelectOp>(*negative, scalar(-1, elem), *x);
  if (failed(rest))
    return failure();
  FailureOr<Value> out = make<SelectOp>(*positive, scalar(1, elem), *rest);
  return setResult(n, out);
}

/// Mod: fmod = 1 is C's fmod (kiln.fmod), fmod = 0 the floored remainder
/// (kiln.mod), which ONNX defines for integers and numpy for floats too.
/// BitShift on unsigned integers: kiln.shift_left / kiln.shift_right.
LogicalResult Importer::importBitShift(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0), y = input(n, 1);
  if (failed(x) || failed(y))
    return failure();
  std::string direction = attrString(n, "direction", "");
  if (direction != "LEFT" && direction != "RIGHT")
    return error("BitShift's direction must be LEFT or RIGHT, got '" +
                 direction + "'");
  if (!typeOf(*x).getElementType().isUnsignedInteger())
    return error("BitShift needs unsigned integers");
  return setResult(n, direction == "LEFT" ? make<ShiftLeftOp>(*x, *y)
                                          : make<ShiftRightOp>(*x, *y));
}

LogicalResult Importer::importMod(const onnx::NodeProto &n) {
  FailureOr<Value> l = input(n, 0), r = input(n, 1);
  if (failed(l) || failed(r))
    return failure();
  int64_t fmod = attrInt(n, "fmod", 0);
  if (fmod != 0 && fmod != 1)
    return error("Mod's fmod must be 0 or 1, got " + Twine(fmod));
  FailureOr<Value> out =
      fmod ? make<FmodOp>(*l, *r) : make<ModOp>(*l, *r);
  return setResult(n, out);
}

LogicalResult Importer::importWhere(const onnx::NodeProto &n) {
  // On host tensors (shape computations), the chosen elements, run-time
  // dims included.
  const HostTensor *hc = host(n, 0), *ht = host(n, 1), *hf = host(n, 2);
  if (hc && ht && hf && hc->allStatic() && !hc->isFloatType() &&
      ht->elemType == hf->elemType && ht->shape == hf->shape &&
      hostPairCount(*hc, *ht) && hc->size() <= ht->size()) {
    HostTensor r = *ht;
    for (int64_t i = 0, e = r.size(); i < e; ++i) {
      if (hc->ints[hc->size() == 1 ? 0 : i].value)
        continue;
      if (r.isFloatType())
        r.floats[i] = hf->floats[i];
      else
        r.ints[i] = hf->ints[i];
    }
    setHost(n, 0, std::move(r));
    return success();
  }
  FailureOr<Value> c = input(n, 0), t = input(n, 1), f = input(n, 2);
  if (failed(c) || failed(t) || failed(f))
    return failure();
  FailureOr<Value> out = make<SelectOp>(*c, *t, *f);
  return setResult(n, out);
}

LogicalResult Importer::importClip(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  Type elem = typeOf(*x).getElementType();
  if (elem.isUnsignedInteger()) {
    lo = 0;
    hi = std::ldexp(1.0, elem.getIntOrFloatBitWidth()) - 1;
  } else if (elem.isInteger()) {
    unsigned w = elem.getIntOrFloatBitWidth();
    lo = static_cast<double>(APInt::getSignedMinValue(w).getSExtValue());
    hi = static_cast<double>(APInt::getSignedMaxValue(w).getSExtValue());
  }
  if (opset < 11) {
    lo = attrFloat(n, "min", lo);
    hi = attrFloat(n, "max", hi);
  } else {
    if (hasInput(n, 1)) {
      FailureOr<SmallVector<double>> v = hostFloats(n, 1, "Clip's min");
      if (failed(v))
        return failure();
      lo = (*v)[0];
    }
    if (hasInput(n, 2)) {
      FailureOr<SmallVector<double>> v = hostFloats(n, 2, "Clip's max");
      if (failed(v))
        return failure();
      hi = (*v)[0];
    }
  }
  if (lo <= hi)
    return setResult(
        n, make<ClampOp>(*x, b.getF64FloatAttr(lo), b.getF64FloatAttr(hi)));
  // ONNX: with min > max every element becomes max.
  FailureOr<Value> r = make<MaxOp>(*x, scalar(lo, elem));
  if (failed(r))
    return failure();
  return setResult(n, make<MinOp>(*r, scalar(hi, elem)));
}

LogicalResult Importer::importLeakyRelu(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  Type elem = typeOf(*x).getElementType();
  double alpha = attrFloat(n, "alpha", 0.01);
  FailureOr<Value> neg =
      compare(ComparePredicate::LT, *x, scalar(0, elem));
  FailureOr<Value> scaled = make<MulOp>(*x, scalar(alpha, elem));
  if (failed(neg) || failed(scaled))
    return failure();
  FailureOr<Value> r = make<SelectOp>(*neg, *scaled, *x);
  return setResult(n, r);
}

LogicalResult Importer::importPRelu(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0), slope = input(n, 1);
  if (failed(x) || failed(slope))
    return failure();
  Type elem = typeOf(*x).getElementType();
  FailureOr<Value> neg =
      compare(ComparePredicate::LT, *x, scalar(0, elem));
  FailureOr<Value> scaled = make<MulOp>(*x, *slope);
  if (failed(neg) || failed(scaled))
    return failure();
  FailureOr<Value> r = make<SelectOp>(*neg, *scaled, *x);
  return setResult(n, r);
}

LogicalResult Importer::importHardSigmoid(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  Type elem = typeOf(*x).getElementType();
  FailureOr<Value> s =
      make<MulOp>(*x, scalar(attrFloat(n, "alpha", 0.2), elem));
  if (failed(s))
    return failure();
  s = make<AddOp>(*s, scalar(attrFloat(n, "beta", 0.5), elem));
  if (failed(s))
    return failure();
  FailureOr<Value> r =
      make<ClampOp>(*s, b.getF64FloatAttr(0.0), b.getF64FloatAttr(1.0));
  return setResult(n, r);
}

LogicalResult Importer::importHardSwish(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  Type elem = typeOf(*x).getElementType();
  FailureOr<Value> s = make<MulOp>(*x, scalar(1.0 / 6.0, elem));
  if (failed(s))
    return failure();
  s = make<AddOp>(*s, scalar(0.5, elem));
  if (failed(s))
    return failure();
  s = make<ClampOp>(*s, b.getF64FloatAttr(0.0), b.getF64FloatAttr(1.0));
  if (failed(s))
    return failure();
  FailureOr<Value> r = make<MulOp>(*x, *s);
  return setResult(n, r);
}

LogicalResult Importer::importSoftplus(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  Type elem = typeOf(*x).getElementType();
  // log(1 + exp(x)) = max(x, 0) + log(1 + exp(-|x|)), stable for large |x|.
  FailureOr<Value> ax = make<AbsOp>(*x);
  if (failed(ax))
    return failure();
  FailureOr<Value> e = make<NegOp>(*ax);
  if (failed(e))
    return failure();
  e = make<ExpOp>(*e);
  if (failed(e))
    return failure();
  e = make<AddOp>(*e, scalar(1.0, elem));
  if (failed(e))
    return failure();
  e = make<LogOp>(*e);
  FailureOr<Value> pos = make<ReluOp>(*x);
  if (failed(e) || failed(pos))
    return failure();
  FailureOr<Value> r = make<AddOp>(*pos, *e);
  return setResult(n, r);
}

LogicalResult Importer::importElu(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  Type elem = typeOf(*x).getElementType();
  FailureOr<Value> neg =
      compare(ComparePredicate::LT, *x, scalar(0, elem));
  FailureOr<Value> e = make<ExpOp>(*x);
  if (succeeded(e))
    e = make<SubOp>(*e, scalar(1.0, elem));
  if (succeeded(e))
    e = make<MulOp>(*e, scalar(attrFloat(n, "alpha", 1.0), elem));
  if (failed(neg) || failed(e))
    return failure();
  FailureOr<Value> r = make<SelectOp>(*neg, *e, *x);
  return setResult(n, r);
}

/// Selu, Celu, ThresholdedRelu, Shrink and Softsign, from kiln ops.
LogicalResult Importer::importActivation(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  StringRef op = n.op_type();
  Type elem = typeOf(*x).getElementType();
  auto c = [&](double v) { return scalar(v, elem); };
  FailureOr<Value> r = failure();
  if (op == "Softsign") {
    // x / (1 + |x|)
    FailureOr<Value> d = make<AbsOp>(*x);
    if (succeeded(d))
      d = make<AddOp>(*d, c(1.0));
    if (succeeded(d))
      r = make<DivOp>(*x, *d);
  } else if (op == "ThresholdedRelu") {
    // x > alpha ? x : 0
    FailureOr<Value> above = compare(ComparePredicate::GT, *x,
                                     c(attrFloat(n, "alpha", 1.0)));
    if (succeeded(above))
      r = make<SelectOp>(*above, *x, c(0));
  } else if (op == "Shrink") {
    // x < -lambd ? x + bias : (x > lambd ? x - bias : 0)
    double lambd = attrFloat(n, "lambd", 0.5), bias = attrFloat(n, "bias", 0);
    FailureOr<Value> low = compare(ComparePredicate::LT, *x, c(-lambd));
    FailureOr<Value> high = compare(ComparePredicate::GT, *x, c(lambd));
    FailureOr<Value> plus = make<AddOp>(*x, c(bias));
    FailureOr<Value> minus = make<SubOp>(*x, c(bias));
    if (failed(low) || failed(high) || failed(plus) || failed(minus))
      return failure();
    FailureOr<Value> upper = make<SelectOp>(*high, *minus, c(0));
    if (succeeded(upper))
      r = make<SelectOp>(*low, *plus, *upper);
  } else {
    // Selu: gamma * (x > 0 ? x : alpha * (exp(x) - 1));
    // Celu: max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).
    bool selu = op == "Selu";
    double alpha = attrFloat(n, "alpha", selu ? 1.67326319217681884765625 : 1.0);
    FailureOr<Value> e = selu ? *x : make<DivOp>(*x, c(alpha));
    if (succeeded(e))
      e = make<ExpOp>(*e);
    if (succeeded(e))
      e = make<SubOp>(*e, c(1.0));
    if (succeeded(e))
      e = make<MulOp>(*e, c(alpha));
    if (failed(e))
      return failure();
    if (selu) {
      FailureOr<Value> positive = compare(ComparePredicate::GT, *x, c(0));
      if (failed(positive))
        return failure();
      r = make<SelectOp>(*positive, *x, *e);
      if (succeeded(r))
        r = make<MulOp>(*r, c(attrFloat(n, "gamma", 1.05070102214813232421875)));
    } else {
      FailureOr<Value> pos = make<MaxOp>(*x, c(0)), neg = make<MinOp>(*e, c(0));
      if (succeeded(pos) && succeeded(neg))
        r = make<AddOp>(*pos, *neg);
    }
  }
  return setResult(n, r);
}

/// IsNaN is x != x; IsInf compares with the infinities it detects.
LogicalResult Importer::importIsNaNOrInf(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  Type elem = typeOf(*x).getElementType();
  if (n.op_type() == "IsNaN")
    return setResult(n, compare(ComparePredicate::NE, *x, *x));
  double inf = std::numeric_limits<double>::infinity();
  bool negative = attrInt(n, "detect_negative", 1) != 0;
  bool positive = attrInt(n, "detect_positive", 1) != 0;
  // With neither, nothing is equal to NaN: all false.
  if (!negative && !positive)
    return setResult(n, compare(ComparePredicate::EQ, *x,
                                scalar(std::nan(""), elem)));
  FailureOr<Value> pos = compare(ComparePredicate::EQ, *x, scalar(inf, elem));
  FailureOr<Value> neg = compare(ComparePredicate::EQ, *x, scalar(-inf, elem));
  if (failed(pos) || failed(neg))
    return failure();
  if (!negative)
    return setResult(n, pos);
  if (!positive)
    return setResult(n, neg);
  return setResult(n, make<SelectOp>(*pos, scalar(1, b.getI1Type()), *neg));
}

LogicalResult Importer::importCastLike(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0), like = input(n, 1);
  if (failed(x) || failed(like))
    return failure();
  FailureOr<Value> r = castTo(*x, typeOf(*like).getElementType());
  return setResult(n, r);
}

LogicalResult Importer::importReciprocal(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  FailureOr<Value> r =
      make<DivOp>(scalar(1.0, typeOf(*x).getElementType()), *x);
  return setResult(n, r);
}

LogicalResult Importer::importPow(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0), y = input(n, 1);
  if (failed(x) || failed(y))
    return failure();
  Type elem = typeOf(*x).getElementType();
  // Integer powers are computed in f64 (exact below 2^53) and cast back.
  Type computeType = isa<FloatType>(elem) ? elem : b.getF64Type();
  FailureOr<Value> xc = castTo(*x, computeType);
  FailureOr<Value> yc = castTo(*y, computeType);
  if (failed(xc) || failed(yc))
    return failure();
  FailureOr<Value> r = make<PowOp>(*xc, *yc);
  if (failed(r))
    return failure();
  r = castTo(*r, elem);
  return setResult(n, r);
}

LogicalResult Importer::importCast(const onnx::NodeProto &n) {
  int to = attrInt(n, "to", 0);
  if (const HostTensor *h = host(n, 0)) {
    bool toFloat = to == onnx::TensorProto::FLOAT ||
                   to == onnx::TensorProto::DOUBLE;
    bool toInt = to == onnx::TensorProto::INT64 ||
                 to == onnx::TensorProto::INT32;
    if ((toFloat || toInt) && (h->allStatic() || (!h->isFloatType() && toInt))) {
      HostTensor r = *h;
      r.elemType = to;
      if (toFloat && !h->isFloatType()) {
        r.floats.clear();
        for (const SymInt &v : h->ints)
          r.floats.push_back(static_cast<double>(v.value));
        r.ints.clear();
      } else if (toInt && h->isFloatType()) {
        r.ints.clear();
        for (double v : h->floats)
          r.ints.push_back({static_cast<int64_t>(v)});
        r.floats.clear();
      }
      setHost(n, 0, std::move(r));
      return success();
    }
  }
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  FailureOr<Type> elem = elementType(to, "Cast's target type");
  if (failed(elem))
    return failure();
  FailureOr<Value> r = castTo(*x, *elem);
  return setResult(n, r);
}

//===----------------------------------------------------------------------===//
// Handler table rows
//===----------------------------------------------------------------------===//

void onnx_import::registerElementwiseHandlers(HandlerTable &table) {
  const HandlerRow rows[] = {
      {"BitShift", {&Importer::importBitShift, ""}},
      {"Abs", {&Importer::importUnary, ""}},
      {"Acos", {&Importer::importUnary, ""}},
      {"Acosh", {&Importer::importUnary, ""}},
      {"Add", {&Importer::importBinary, ""}},
      {"And", {&Importer::importLogical, ""}},
      {"Asin", {&Importer::importUnary, ""}},
      {"Asinh", {&Importer::importUnary, ""}},
      {"Atan", {&Importer::importUnary, ""}},
      {"Atanh", {&Importer::importUnary, ""}},
      {"Cast", {&Importer::importCast, "numeric types"}},
      {"CastLike", {&Importer::importCastLike, "numeric types"}},
      {"Ceil", {&Importer::importUnary, ""}},
      {"Celu", {&Importer::importActivation, ""}},
      {"Clip", {&Importer::importClip, "constant min/max"}},
      {"Cos", {&Importer::importUnary, ""}},
      {"Cosh", {&Importer::importUnary, ""}},
      {"Div", {&Importer::importBinary, ""}},
      {"Elu", {&Importer::importElu, ""}},
      {"Equal", {&Importer::importCompare, ""}},
      {"Erf", {&Importer::importUnary, ""}},
      {"Exp", {&Importer::importUnary, ""}},
      {"Floor", {&Importer::importUnary, ""}},
      {"Greater", {&Importer::importCompare, ""}},
      {"GreaterOrEqual", {&Importer::importCompare, ""}},
      {"HardSigmoid", {&Importer::importHardSigmoid, ""}},
      {"HardSwish", {&Importer::importHardSwish, ""}},
      {"IsInf", {&Importer::importIsNaNOrInf, ""}},
      {"IsNaN", {&Importer::importIsNaNOrInf, ""}},
      {"LeakyRelu", {&Importer::importLeakyRelu, ""}},
      {"Less", {&Importer::importCompare, ""}},
      {"LessOrEqual", {&Importer::importCompare, ""}},
      {"Log", {&Importer::importUnary, ""}},
      {"Max", {&Importer::importVariadic, ""}},
      {"Mean", {&Importer::importVariadic, ""}},
      {"Min", {&Importer::importVariadic, ""}},
      {"Mod", {&Importer::importMod, ""}},
      {"Mul", {&Importer::importBinary, ""}},
      {"Neg", {&Importer::importUnary, ""}},
      {"Not", {&Importer::importNot, ""}},
      {"Or", {&Importer::importLogical, ""}},
      {"Pow", {&Importer::importPow, "integer powers computed in f64"}},
      {"PRelu", {&Importer::importPRelu, ""}},
      {"Reciprocal", {&Importer::importReciprocal, ""}},
      {"Relu", {&Importer::importUnary, ""}},
      {"Round", {&Importer::importUnary, ""}},
      {"Selu", {&Importer::importActivation, ""}},
      {"Shrink", {&Importer::importActivation, ""}},
      {"Sigmoid", {&Importer::importUnary, ""}},
      {"Sign", {&Importer::importSign, ""}},
      {"Sin", {&Importer::importUnary, ""}},
      {"Sinh", {&Importer::importUnary, ""}},
      {"Softplus", {&Importer::importSoftplus, ""}},
      {"Softsign", {&Importer::importActivation, ""}},
      {"Sqrt", {&Importer::importUnary, ""}},
      {"Sub", {&Importer::importBinary, ""}},
      {"Sum", {&Importer::importVariadic, ""}},
      {"Tan", {&Importer::importUnary, ""}},
      {"Tanh", {&Importer::importUnary, ""}},
      {"ThresholdedRelu", {&Importer::importActivation, ""}},
      {"Where", {&Importer::importWhere, ""}},
      {"Xor", {&Importer::importLogical, ""}},
  };
  addHandlers(table, rows);
}
