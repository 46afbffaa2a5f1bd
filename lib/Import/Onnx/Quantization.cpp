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

LogicalResult Importer::importQuantizeLinear(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  const HostTensor *zp = host(n, 2);
  if (hasInput(n, 2) && !zp)
    return error("QuantizeLinear's zero point (input 2, '" + n.input(2) +
                 "') must be known at compile time, but it is computed at run "
                 "time");
  if (zp && zp->elemType != onnx::TensorProto::INT8 &&
      zp->elemType != onnx::TensorProto::UINT8)
    return error("QuantizeLinear to " + onnxTypeName(zp->elemType) +
                 " is not supported (int8 and uint8 are)");
  FailureOr<QuantParams> q =
      readQuantParams(hostFloats(n, 1, "QuantizeLinear's scale"), zp);
  if (failed(q))
    return failure();
  RankedTensorType t = typeOf(*x);
  Type expressed = t.getElementType();
  Type storage = b.getIntegerType(8);
  unsigned flags = q->isSigned ? quant::QuantizationFlags::Signed : 0;
  int64_t lo = q->isSigned ? -128 : 0, hi = q->isSigned ? 127 : 255;
  Type qt;
  if (q->scales.size() == 1 && (!zp || zp->shape.empty() || zp->size() == 1)) {
    qt = quant::UniformQuantizedType::getChecked(
        loc, flags, storage, expressed, q->scales[0], q->zeroPoints[0], lo, hi);
  } else {
    int64_t axis = attrInt(n, "axis", 1);
    SmallVector<int64_t> axes = {axis};
    if (failed(normalizeAxes(axes, t.getRank())))
      return failure();
    qt = quant::UniformQuantizedPerAxisType::getChecked(
        loc, flags, storage, expressed, q->scales, q->zeroPoints, axes[0], lo,
        hi);
  }
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
  // A constant input (quantized weights) is dequantized at import time.
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
  Type f32 = b.getF32Type();
  FailureOr<Value> v = castTo(x, f32);
  int64_t rank = t.getRank();
  SmallVector<int64_t> axes = {axis};
  if (scales->size() > 1 && failed(normalizeAxes(axes, rank)))
    return failure();
  auto perChannel = [&](ArrayRef<double> values) -> FailureOr<Value> {
    if (values.size() == 1)
      return scalar(values[0], f32);
    return broadcastAlong(values, f32, rank, axes[0]);
  };
  if (zp && llvm::any_of(zp->ints, [](const SymInt &s) { return s.value; })) {
    SmallVector<double> zeros;
    for (const SymInt &s : zp->ints)
      zeros.push_back(static_cast<double>(s.value));
    FailureOr<Value> z = perChannel(zeros);
    if (failed(v) || failed(z))
      return failure();
    v = make<SubOp>(*v, *z);
  }
  FailureOr<Value> scale = perChannel(*scales);
  if (failed(v) || failed(scale))
    return failure();
  return setResult(n, make<MulOp>(*v, *scale));
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
  };
  addHandlers(table, rows);
}
