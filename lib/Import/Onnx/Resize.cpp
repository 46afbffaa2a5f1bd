//===- Resize.cpp - ONNX Resize -------------------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Resize (nearest and linear) as gathers along each resized axis.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;
using llvm::StringRef;
using llvm::Twine;

LogicalResult Importer::importResize(const onnx::NodeProto &n) {
  std::string mode = attrString(n, "mode", "nearest");
  std::string coord =
      attrString(n, "coordinate_transformation_mode", "half_pixel");
  std::string nearest = attrString(n, "nearest_mode", "round_prefer_floor");
  if (mode != "nearest" && mode != "linear")
    return error("Resize mode '" + mode +
                 "' is not supported (nearest and linear are)");
  if (coord == "tf_crop_and_resize")
    return error("Resize coordinate_transformation_mode 'tf_crop_and_resize' "
                 "is not supported");
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  int64_t rank = t.getRank();
  SmallVector<double> scales;
  SmallVector<int64_t> sizes;
  if (hasInput(n, 3)) {
    FailureOr<SmallVector<int64_t>> s = hostInts(n, 3, "Resize's sizes");
    if (failed(s))
      return failure();
    sizes = *s;
  }
  if (sizes.empty() && hasInput(n, 2)) {
    FailureOr<SmallVector<double>> s = hostFloats(n, 2, "Resize's scales");
    if (failed(s))
      return failure();
    scales = *s;
  }
  if (sizes.empty() && scales.empty())
    return error("Resize needs scales or sizes");
  if (static_cast<int64_t>(std::max(sizes.size(), scales.size())) != rank)
    return error("Resize's scales/sizes must have one entry per dim");
  Value current = *x;
  Type elem = t.getElementType();
  for (int64_t axis = 0; axis < rank; ++axis) {
    int64_t in = t.getDimSize(axis);
    double scale;
    int64_t out;
    if (!sizes.empty()) {
      out = sizes[axis];
      if (!ShapedType::isDynamic(in) && out == in)
        continue;
      scale = ShapedType::isDynamic(in) ? 1.0 : double(out) / double(in);
    } else {
      scale = scales[axis];
      if (scale == 1.0)
        continue;
      out = ShapedType::isDynamic(in)
                ? 0
                : static_cast<int64_t>(std::floor(in * scale));
    }
    if (ShapedType::isDynamic(in))
      return error("Resize along a run-time dim is not supported");
    if (out <= 0 || scale <= 0)
      return error("Resize to an empty dim is not supported");
    auto original = [&](int64_t o) -> double {
      if (coord == "half_pixel")
        return (o + 0.5) / scale - 0.5;
      if (coord == "pytorch_half_pixel")
        return out > 1 ? (o + 0.5) / scale - 0.5 : 0.0;
      // ONNX divides by the unrounded output length in * scale.
      if (coord == "align_corners")
        return out == 1 ? 0.0 : double(o) * (in - 1) / (in * scale - 1);
      if (coord == "tf_half_pixel_for_nn")
        return (o + 0.5) / scale;
      return o / scale; // asymmetric
    };
    HostTensor i0, i1;
    i0.elemType = i1.elemType = onnx::TensorProto::INT64;
    i0.shape = i1.shape = {out};
    SmallVector<double> w0, w1;
    for (int64_t o = 0; o < out; ++o) {
      double xo = original(o);
      if (mode == "nearest") {
        double f = std::floor(xo);
        int64_t k;
        if (nearest == "floor")
          k = static_cast<int64_t>(f);
        else if (nearest == "ceil")
          k = static_cast<int64_t>(std::ceil(xo));
        else if (xo - f == 0.5)
          k = static_cast<int64_t>(nearest == "round_prefer_ceil" ? f + 1 : f);
        else
          k = static_cast<int64_t>(std::round(xo));
        i0.ints.push_back({std::clamp<int64_t>(k, 0, in - 1)});
      } else {
        double f = std::floor(xo);
        double frac = xo - f;
        i0.ints.push_back({std::clamp<int64_t>(static_cast<int64_t>(f), 0,
                                               in - 1)});
        i1.ints.push_back({std::clamp<int64_t>(static_cast<int64_t>(f) + 1, 0,
                                               in - 1)});
        w0.push_back(1.0 - frac);
        w1.push_back(frac);
      }
    }
    FailureOr<Value> idx0 = constantFromHost(i0);
    if (failed(idx0))
      return failure();
    FailureOr<Value> g0 =
        make<GatherOp>(current, *idx0, b.getI64IntegerAttr(axis));
    if (failed(g0))
      return failure();
    if (mode == "nearest") {
      current = *g0;
      continue;
    }
    FailureOr<Value> idx1 = constantFromHost(i1);
    if (failed(idx1))
      return failure();
    FailureOr<Value> g1 =
        make<GatherOp>(current, *idx1, b.getI64IntegerAttr(axis));
    FailureOr<Value> c0 = broadcastAlong(w0, elem, rank, axis);
    FailureOr<Value> c1 = broadcastAlong(w1, elem, rank, axis);
    if (failed(g1) || failed(c0) || failed(c1))
      return failure();
    FailureOr<Value> p0 = make<MulOp>(*g0, *c0), p1 = make<MulOp>(*g1, *c1);
    if (failed(p0) || failed(p1))
      return failure();
    FailureOr<Value> sum = make<AddOp>(*p0, *p1);
    if (failed(sum))
      return failure();
    current = *sum;
  }
  setOutput(n, 0, current);
  return success();
}

//===----------------------------------------------------------------------===//
// Handler table rows
//===----------------------------------------------------------------------===//

void onnx_import::registerResizeHandlers(HandlerTable &table) {
  const HandlerRow rows[] = {
      {"Resize",
       {&Importer::importResize,
        "nearest/linear, static resized dims, no tf_crop_and_resize"}},
  };
  addHandlers(table, rows);
}
