//===- Quantization.cpp - QuantizeLinear and DequantizeLinear -------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// QuantizeLinear to quant types, and DequantizeLinear (folded at import
// time for constant inputs).
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include "Kiln/IR/ElementsUtils.h"

#include "llvm/Support/FormatVariadic.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;
using llvm::StringRef;
using llvm::Twine;

namespace {
/// Scale and zero point of a QuantizeLinear/DequantizeLinear node.
struct QuantParams {
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  bool isSigned = false;
};
} // namespace

static FailureOr<QuantParams> readQuantParams(FailureOr<SmallVector<double>> s,
                                              const HostTensor *zp) {
  if (failed(s))
    return failure();
  QuantParams q;
  q.scales = *s;
  if (zp) {
    q.isSigned = zp->elemType == onnx::TensorProto::INT8;
    for (const SymInt &v : zp->ints)
      q.zeroPoints.push_back(v.value);
  } else {
    q.zeroPoints.assign(q.scales.size(), 0);
  }
  return q;
}

/// The uniform quantized type of `q` for a tensor of `rank` with element
/// type `expressed`: per tensor, or per slice along `axis`.
static Type quantizedType(Location loc, const QuantParams &q, Type expressed,
                          bool perTensor, int64_t axis) {
  MLIRContext *ctx = expressed.getContext();
  Type storage = IntegerType::get(ctx, 8);
  unsigned flags = q.isSigned ? quant::QuantizationFlags::Signed : 0;
  int64_t lo = q.isSigned ? -128 : 0, hi = q.isSigned ? 127 : 255;
  if (perTensor)
    return quant::UniformQuantizedType::getChecked(
        loc, flags, storage, expressed, q.scales[0], q.zeroPoints[0], lo, hi);
  return quant::UniformQuantizedPerAxisType::getChecked(
      loc, flags, storage, expressed, q.scales, q.zeroPoints, axis, lo, hi);
}

LogicalResult Importer::importQuantizeLinear(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  const HostTensor *zp = host(n, 2);
  // A scale or zero point computed at run time (DynamicQuantizeLinear
  // spelled out): the formula, per tensor, to uint8 (or the zero point's
  // type).
  if (hasInput(n, 2) && !zp) {
    FailureOr<Value> scale = input(n, 1);
    FailureOr<Value> zero = optionalInput(n, 2);
    if (failed(scale) || failed(zero))
      return failure();
    if (typeOf(*scale).getNumElements() != 1 ||
        (*zero && typeOf(*zero).getNumElements() != 1))
      return error("QuantizeLinear's zero point (input 2, '" + n.input(2) +
                   "') must be known at compile time, but it is computed at "
                   "run time (a run-time one must be per tensor)");
    Type f = typeOf(*x).getElementType();
    FailureOr<Value> y = make<DivOp>(*x, *scale);
    if (succeeded(y))
      y = make<RoundOp>(*y);
    Type storage = b.getIntegerType(8, /*isSigned=*/false);
    if (succeeded(y) && *zero) {
      storage = typeOf(*zero).getElementType();
      FailureOr<Value> zf = castTo(*zero, f);
      y = failed(zf) ? zf : make<AddOp>(*y, *zf);
    }
    bool isSigned = !storage.isUnsignedInteger();
    if (succeeded(y))
      y = make<ClampOp>(*y, b.getF64FloatAttr(isSigned ? -128 : 0),
                        b.getF64FloatAttr(isSigned ? 127 : 255));
    if (failed(y))
      return failure();
    return setResult(n, castTo(*y, storage));
  }
  if (zp && zp->elemType != onnx::TensorProto::INT8 &&
      zp->elemType != onnx::TensorProto::UINT8)
    return error("QuantizeLinear to " + onnxTypeName(zp->elemType) +
                 " is not supported (int8 and uint8 are)");
  FailureOr<QuantParams> q =
      readQuantParams(hostFloats(n, 1, "QuantizeLinear's scale"), zp);
  if (failed(q))
    return failure();
  RankedTensorType t = typeOf(*x);
  bool perTensor =
      q->scales.size() == 1 && (!zp || zp->shape.empty() || zp->size() == 1);
  SmallVector<int64_t> axes = {attrInt(n, "axis", 1)};
  if (!perTensor && failed(normalizeAxes(axes, t.getRank())))
    return failure();
  Type qt = quantizedType(loc, *q, t.getElementType(), perTensor, axes[0]);
  if (!qt)
    return failure();
  auto op = QuantizeOp::create(b, loc, t.clone(qt), *x);
  if (failed(op.verify())) {
    op->erase();
    return failure();
  }
  setOutput(n, 0, op.getResult());
  return success();
}

LogicalResult Importer::importDequantizeLinear(const onnx::NodeProto &n) {
  const HostTensor *zp = host(n, 2);
  FailureOr<SmallVector<double>> scales =
      hostFloats(n, 1, "DequantizeLinear's scale");
  if (failed(scales))
    return failure();
  int64_t axis = attrInt(n, "axis", 1);
  // Constant 8-bit weights (onnxruntime's QDQ format) become the quantize
  // and dequantize of their float values, which kiln-fold-qdq runs as an
  // int8 layer (and evaluate-constants folds where nothing does).
  if (const HostTensor *q = host(n, 0);
      q && (q->elemType == onnx::TensorProto::INT8 ||
            q->elemType == onnx::TensorProto::UINT8) &&
      q->allStatic())
    return importConstantQDQ(n, *q, *scales, zp, axis);
  // Other constant inputs (int32 biases) are dequantized at import time.
  if (const HostTensor *q = host(n, 0)) {
    HostTensor r;
    r.elemType = onnx::TensorProto::FLOAT;
    r.shape = q->shape;
    int64_t rank = q->shape.size();
    SmallVector<int64_t> axes = {axis};
    if (scales->size() > 1 && failed(normalizeAxes(axes, rank)))
      return failure();
    int64_t inner = 1;
    if (scales->size() > 1)
      for (int64_t i = axes[0] + 1; i < rank; ++i)
        inner *= q->shape[i];
    for (int64_t i = 0, e = q->size(); i < e; ++i) {
      int64_t c = scales->size() > 1
                      ? (i / inner) % static_cast<int64_t>(scales->size())
                      : 0;
      double zero = zp ? zp->at(zp->size() > 1 ? c : 0) : 0.0;
      r.floats.push_back(((*scales)[c]) *
                         (static_cast<double>(q->ints[i].value) - zero));
    }
    setHost(n, 0, std::move(r));
    return success();
  }
  FailureOr<Value> xv = input(n, 0);
  if (failed(xv))
    return failure();
  Value x = *xv;
  auto t = typeOf(x);
  if (isa<quant::QuantizedType>(t.getElementType()))
    return setResult(n, make<DequantizeOp>(x));
  // An 8-bit integer tensor computed at run time (a uint8 or int8 graph
  // input, say): (float(x) - zero point) * scale, per tensor or per axis.
  if (!t.getElementType().isInteger(8))
    return error("DequantizeLinear needs int8 or uint8 input, got " +
                 Twine(llvm::formatv("{0}", t.getElementType()).str()));
  if (hasInput(n, 2) && !zp)
    return error("DequantizeLinear's zero point (input 2, '" + n.input(2) +
                 "') must be known at compile time, but it is computed at run "
                 "time");
  return setResult(n, dequantizeTo(x, zp, *scales, b.getF32Type(), axis));
}

LogicalResult Importer::importConstantQDQ(const onnx::NodeProto &n,
                                          const HostTensor &q,
                                          ArrayRef<double> scales,
                                          const HostTensor *zp, int64_t axis) {
  int64_t rank = q.shape.size();
  bool perTensor = scales.size() == 1;
  SmallVector<int64_t> axes = {axis};
  if (!perTensor && failed(normalizeAxes(axes, rank)))
    return failure();
  QuantParams params;
  params.scales.assign(scales.begin(), scales.end());
  params.isSigned = q.elemType == onnx::TensorProto::INT8;
  for (size_t c = 0; c < scales.size(); ++c)
    params.zeroPoints.push_back(
        zp ? zp->ints[zp->size() > 1 ? c : 0].value : 0);
  int64_t inner = 1;
  if (!perTensor) {
    if (q.shape[axes[0]] != static_cast<int64_t>(scales.size()))
      return error("DequantizeLinear has " + Twine(scales.size()) +
                   " scales for " + Twine(q.shape[axes[0]]) +
                   " slices along axis " + Twine(axes[0]));
    for (int64_t i = axes[0] + 1; i < rank; ++i)
      inner *= q.shape[i];
  }
  SmallVector<double> values;
  values.reserve(q.size());
  for (int64_t i = 0, e = q.size(); i < e; ++i) {
    int64_t c = perTensor ? 0 : (i / inner) % scales.size();
    values.push_back(static_cast<float>(scales[c]) *
                     static_cast<float>(q.ints[i].value -
                                        params.zeroPoints[c]));
  }
  Type f32 = b.getF32Type();
  auto floatType = RankedTensorType::get(q.shape, f32);
  Type qt = quantizedType(loc, params, f32, perTensor, axes[0]);
  if (!qt)
    return failure();
  Value weights = ConstantOp::create(
      b, loc, floatType, makeFloatElements(floatType, values, "qdq_weights"));
  Value quantized = QuantizeOp::create(b, loc, floatType.clone(qt), weights);
  return setResult(n, make<DequantizeOp>(quantized));
}

//===----------------------------------------------------------------------===//
// Integer and QLinear ops
//===----------------------------------------------------------------------===//

FailureOr<Value> Importer::dequantizeTo(Value x, const HostTensor *zp,
                                        ArrayRef<double> scales, Type type,
                                        int64_t axis) {
  int64_t rank = typeOf(x).getRank();
  auto perSlice = [&](ArrayRef<double> values) -> FailureOr<Value> {
    if (values.size() == 1)
      return scalar(values[0], type);
    SmallVector<int64_t> axes = {axis};
    if (failed(normalizeAxes(axes, rank)))
      return failure();
    return broadcastAlong(values, type, rank, axes[0]);
  };
  FailureOr<Value> v = castTo(x, type);
  if (failed(v))
    return failure();
  if (zp && llvm::any_of(zp->ints, [](const SymInt &s) { return s.value; })) {
    SmallVector<double> zeros;
    for (const SymInt &s : zp->ints)
      zeros.push_back(static_cast<double>(s.value));
    FailureOr<Value> z = perSlice(zeros);
    if (failed(z))
      return failure();
    v = make<SubOp>(*v, *z);
  }
  if (scales.empty() || failed(v))
    return v;
  FailureOr<Value> s = perSlice(scales);
  if (failed(s))
    return failure();
  return make<MulOp>(*v, *s);
}

FailureOr<Value> Importer::requantize(Value y, const HostTensor *zp) {
  bool isSigned = zp && zp->elemType == onnx::TensorProto::INT8;
  double zero = zp && !zp->ints.empty() ? zp->ints[0].value : 0;
  Type f = typeOf(y).getElementType();
  FailureOr<Value> r = make<RoundOp>(y);
  if (failed(r))
    return failure();
  if (zero)
    r = make<AddOp>(*r, scalar(zero, f));
  if (failed(r))
    return failure();
  r = make<ClampOp>(*r, b.getF64FloatAttr(isSigned ? -128 : 0),
                    b.getF64FloatAttr(isSigned ? 127 : 255));
  if (failed(r))
    return failure();
  // ONNX int8 is Kiln's signless i8; uint8 its ui8.
  return castTo(*r, isSigned ? b.getI8Type()
                             : Type(b.getIntegerType(8, /*isSigned=*/false)));
}

LogicalResult Importer::checkZeroPoint(const onnx::NodeProto &n, int i,
                                       const HostTensor *zp, StringRef what) {
  if (hasInput(n, i) && !zp)
    return error(Twine(n.op_type()) + "'s " + what + " (input " + Twine(i) +
                 ", '" + n.input(i) +
                 "') must be known at compile time, but it is computed at "
                 "run time");
  return success();
}

/// A compile-time zero point as a kiln constant of `elementType` (a scalar
/// or 1-D), or null when there is none.
static Value zeroPointConstant(OpBuilder &b, Location loc,
                               const HostTensor *zp, Type elementType) {
  if (!zp)
    return Value();
  SmallVector<APInt> values;
  for (const SymInt &v : zp->ints)
    values.push_back(APInt(8, static_cast<uint64_t>(v.value),
                           /*isSigned=*/true, /*implicitTrunc=*/true));
  SmallVector<int64_t> shape;
  if (zp->size() > 1)
    shape.push_back(zp->size());
  auto type = RankedTensorType::get(shape, elementType);
  return ConstantOp::create(b, loc, type, DenseElementsAttr::get(type, values));
}

LogicalResult Importer::importMatMulInteger(const onnx::NodeProto &n) {
  FailureOr<Value> a = input(n, 0), w = input(n, 1);
  if (failed(a) || failed(w))
    return failure();
  const HostTensor *za = host(n, 2), *zb = host(n, 3);
  if (failed(checkZeroPoint(n, 2, za, "a_zero_point")) ||
      failed(checkZeroPoint(n, 3, zb, "b_zero_point")))
    return failure();
  RankedTensorType at = typeOf(*a), bt = typeOf(*w);
  if (at.getRank() >= 2 && bt.getRank() == 2 && (!za || za->size() == 1))
    return setResult(
        n, make<MatmulIntegerOp>(*a, *w,
                                 zeroPointConstant(b, loc, za,
                                                   at.getElementType()),
                                 zeroPointConstant(b, loc, zb,
                                                   bt.getElementType()),
                                 b.getBoolAttr(false)));
  // Batched right operands, vectors and per-row zero points: exactly, in
  // f64 (8-bit products summed stay far below 2^53), then i32.
  Type f64 = b.getF64Type();
  FailureOr<Value> af = dequantizeTo(*a, za, {}, f64, 0);
  FailureOr<Value> bf =
      dequantizeTo(*w, zb, {}, f64, bt.getRank() > 0 ? -1 : 0);
  if (failed(af) || failed(bf))
    return failure();
  FailureOr<Value> r = make<MatmulOp>(*af, *bf, b.getBoolAttr(false),
                                      b.getBoolAttr(false));
  if (failed(r))
    return failure();
  return setResult(n, castTo(*r, b.getI32Type()));
}

FailureOr<Importer::QLinearInputs>
Importer::readQLinearInputs(const onnx::NodeProto &n, StringRef a,
                            StringRef w) {
  QLinearInputs q;
  FailureOr<Value> x = input(n, 0), y = input(n, 3);
  std::string as = (a + "_scale").str(), ws = (w + "_scale").str();
  FailureOr<SmallVector<double>> xs = hostFloats(n, 1, as),
                                 wsc = hostFloats(n, 4, ws),
                                 ys = hostFloats(n, 6, "y_scale");
  if (failed(x) || failed(y) || failed(xs) || failed(wsc) || failed(ys))
    return failure();
  q.x = *x;
  q.w = *y;
  q.xScales = std::move(*xs);
  q.wScales = std::move(*wsc);
  q.yScales = std::move(*ys);
  q.xZero = host(n, 2);
  q.wZero = host(n, 5);
  q.yZero = host(n, 7);
  if (failed(checkZeroPoint(n, 2, q.xZero, (a + "_zero_point").str())) ||
      failed(checkZeroPoint(n, 5, q.wZero, (w + "_zero_point").str())) ||
      failed(checkZeroPoint(n, 7, q.yZero, "y_zero_point")))
    return failure();
  if (q.xScales.size() != 1 || q.yScales.size() != 1)
    return error(Twine(n.op_type()) + " needs per-tensor " + as +
                 " and y_scale (a per-channel " + ws + " is supported)");
  return q;
}

LogicalResult Importer::importQLinearMatMul(const onnx::NodeProto &n) {
  FailureOr<QLinearInputs> q = readQLinearInputs(n, "a", "b");
  if (failed(q))
    return failure();
  const HostTensor *za = q->xZero, *zb = q->wZero;
  RankedTensorType at = typeOf(q->x), bt = typeOf(q->w);
  Type f32 = b.getF32Type();
  FailureOr<Value> y;
  if (at.getRank() >= 2 && bt.getRank() == 2 && (!za || za->size() == 1)) {
    // The int8 kernel, then one multiplier per column.
    FailureOr<Value> acc = make<MatmulIntegerOp>(
        q->x, q->w, zeroPointConstant(b, loc, za, at.getElementType()),
        zeroPointConstant(b, loc, zb, bt.getElementType()),
        b.getBoolAttr(false));
    if (failed(acc))
      return failure();
    SmallVector<double> multipliers;
    for (double s : q->wScales)
      multipliers.push_back(q->xScales[0] * s / q->yScales[0]);
    FailureOr<Value> accf = castTo(*acc, f32);
    FailureOr<Value> m = multipliers.size() == 1
                             ? FailureOr<Value>(scalar(multipliers[0], f32))
                             : broadcastAlong(multipliers, f32, 1, 0);
    if (failed(accf) || failed(m))
      return failure();
    y = make<MulOp>(*accf, *m);
  } else {
    FailureOr<Value> af = dequantizeTo(q->x, za, q->xScales, f32, 0);
    FailureOr<Value> bf = dequantizeTo(q->w, zb, q->wScales, f32, -1);
    if (failed(af) || failed(bf))
      return failure();
    y = make<MatmulOp>(*af, *bf, b.getBoolAttr(false), b.getBoolAttr(false));
    if (succeeded(y))
      y = make<MulOp>(*y, scalar(1.0 / q->yScales[0], f32));
  }
  if (failed(y))
    return failure();
  return setResult(n, requantize(*y, q->yZero));
}

LogicalResult Importer::importConvInteger(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0), w = input(n, 1);
  if (failed(x) || failed(w))
    return failure();
  const HostTensor *zx = host(n, 2), *zw = host(n, 3);
  if (failed(checkZeroPoint(n, 2, zx, "x_zero_point")) ||
      failed(checkZeroPoint(n, 3, zw, "w_zero_point")))
    return failure();
  // Exactly, in f64, then i32.
  Type f64 = b.getF64Type();
  FailureOr<Value> xf = dequantizeTo(*x, zx, {}, f64, 1);
  FailureOr<Value> wf = dequantizeTo(*w, zw, {}, f64, 0);
  if (failed(xf) || failed(wf))
    return failure();
  FailureOr<Value> r = convolution(n, *xf, *wf, Value());
  if (failed(r))
    return failure();
  return setResult(n, castTo(*r, b.getI32Type()));
}

LogicalResult Importer::importQLinearConv(const onnx::NodeProto &n) {
  FailureOr<QLinearInputs> q = readQLinearInputs(n, "x", "w");
  if (failed(q))
    return failure();
  // The integer convolution exactly (in f64), plus the int32 bias, times
  // x_scale * w_scale[m] / y_scale, requantized.
  Type f64 = b.getF64Type();
  FailureOr<Value> xf = dequantizeTo(q->x, q->xZero, {}, f64, 1);
  FailureOr<Value> wf = dequantizeTo(q->w, q->wZero, {}, f64, 0);
  FailureOr<Value> bias = optionalInput(n, 8);
  if (failed(xf) || failed(wf) || failed(bias))
    return failure();
  if (*bias) {
    bias = castTo(*bias, f64);
    if (failed(bias))
      return failure();
  }
  FailureOr<Value> acc = convolution(n, *xf, *wf, *bias);
  if (failed(acc))
    return failure();
  SmallVector<double> multipliers;
  for (double s : q->wScales)
    multipliers.push_back(q->xScales[0] * s / q->yScales[0]);
  int64_t rank = typeOf(*acc).getRank();
  FailureOr<Value> m = multipliers.size() == 1
                           ? FailureOr<Value>(scalar(multipliers[0], f64))
                           : broadcastAlong(multipliers, f64, rank, 1);
  if (failed(m))
    return failure();
  FailureOr<Value> y = make<MulOp>(*acc, *m);
  if (failed(y))
    return failure();
  return setResult(n, requantize(*y, q->yZero));
}

LogicalResult Importer::importDynamicQuantizeLinear(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  // The ONNX formula: the range widened to hold 0, in 255 steps.
  Type f32 = b.getF32Type();
  auto all = b.getDenseI64ArrayAttr({});
  auto noKeep = b.getBoolAttr(false);
  Value zero = scalar(0, f32);
  FailureOr<Value> lo = make<ReduceMinOp>(*x, all, noKeep);
  FailureOr<Value> hi = make<ReduceMaxOp>(*x, all, noKeep);
  if (failed(lo) || failed(hi))
    return failure();
  lo = make<MinOp>(*lo, zero);
  hi = make<MaxOp>(*hi, zero);
  if (failed(lo) || failed(hi))
    return failure();
  FailureOr<Value> range = make<SubOp>(*hi, *lo);
  if (failed(range))
    return failure();
  FailureOr<Value> scale = make<DivOp>(*range, scalar(255, f32));
  if (failed(scale))
    return failure();
  FailureOr<Value> zp = make<NegOp>(*lo);
  if (succeeded(zp))
    zp = make<DivOp>(*zp, *scale);
  if (succeeded(zp))
    zp = make<RoundOp>(*zp);
  if (succeeded(zp))
    zp = make<ClampOp>(*zp, b.getF64FloatAttr(0), b.getF64FloatAttr(255));
  if (failed(zp))
    return failure();
  FailureOr<Value> y = make<DivOp>(*x, *scale);
  if (succeeded(y))
    y = make<RoundOp>(*y);
  if (succeeded(y))
    y = make<AddOp>(*y, *zp);
  if (succeeded(y))
    y = make<ClampOp>(*y, b.getF64FloatAttr(0), b.getF64FloatAttr(255));
  if (failed(y))
    return failure();
  Type ui8 = b.getIntegerType(8, /*isSigned=*/false);
  FailureOr<Value> yq = castTo(*y, ui8), zpq = castTo(*zp, ui8);
  if (failed(yq) || failed(zpq))
    return failure();
  setOutput(n, 0, *yq);
  setOutput(n, 1, *scale);
  setOutput(n, 2, *zpq);
  return success();
}

//===----------------------------------------------------------------------===//
// Handler table rows
//===----------------------------------------------------------------------===//

void onnx_import::registerQuantizationHandlers(HandlerTable &table) {
  const HandlerRow rows[] = {
      {"DequantizeLinear",
       {&Importer::importDequantizeLinear,
        "int8/uint8 input, constant scale and zero point"}},
      {"QuantizeLinear",
       {&Importer::importQuantizeLinear, "int8/uint8, constant scale"}},
      {"DynamicQuantizeLinear",
       {&Importer::importDynamicQuantizeLinear, "float input"}},
      {"MatMulInteger",
       {&Importer::importMatMulInteger,
        "constant zero points; int8 kernels for a 2-D right operand"}},
      {"QLinearMatMul",
       {&Importer::importQLinearMatMul,
        "constant scales and zero points; int8 kernels for a 2-D right "
        "operand"}},
      {"ConvInteger",
       {&Importer::importConvInteger,
        "1-D and 2-D, constant zero points (computed exactly in f64)"}},
      {"QLinearConv",
       {&Importer::importQLinearConv,
        "1-D and 2-D, constant scales and zero points (computed exactly in "
        "f64)"}},
  };
  addHandlers(table, rows);
}
