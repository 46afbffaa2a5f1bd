//===- Resize.cpp - ONNX Resize -------------------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Resize (nearest, linear and cubic) as gathers along each resized axis:
// one gather for nearest, and for linear (2 taps) and cubic (4 taps) one
// gather per tap, weighted by a constant along the axis and summed. A
// tf_crop_and_resize sample outside the input is a select of the
// extrapolation value, by a constant mask along the axis.
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
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return error("Resize mode '" + mode +
                 "' is not supported (nearest, linear and cubic are)");
  double cubicA = attrFloat(n, "cubic_coeff_a", -0.75);
  bool excludeOutside = attrInt(n, "exclude_outside", 0) != 0;
  bool crop = coord == "tf_crop_and_resize";
  double extrapolation = attrFloat(n, "extrapolation_value", 0.0);
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  int64_t rank = t.getRank();
  // tf_crop_and_resize samples the box `roi` (starts, then ends, as
  // fractions of each dim); samples outside the input are
  // extrapolation_value.
  SmallVector<double> roi;
  if (crop) {
    FailureOr<SmallVector<double>> r =
        hasInput(n, 1) ? hostFloats(n, 1, "Resize's roi")
                       : FailureOr<SmallVector<double>>(SmallVector<double>());
    if (failed(r))
      return failure();
    roi = *r;
    if (static_cast<int64_t>(roi.size()) != 2 * rank)
      return error("Resize with tf_crop_and_resize needs an roi of " +
                   Twine(2 * rank) + " values (starts, then ends), got " +
                   Twine(roi.size()));
  }
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
    // A crop of a whole dim of size > 1 changes it even at the same size.
    bool wholeDim = !crop || in == 1 ||
                    (roi[axis] == 0.0 && roi[rank + axis] == 1.0);
    if (!sizes.empty()) {
      out = sizes[axis];
      if (!ShapedType::isDynamic(in) && out == in && wholeDim)
        continue;
      scale = ShapedType::isDynamic(in) ? 1.0 : double(out) / double(in);
    } else {
      scale = scales[axis];
      if (scale == 1.0 && wholeDim)
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
      if (crop) {
        double start = roi[axis], end = roi[rank + axis];
        if (out == 1)
          return (start + end) / 2 * (in - 1);
        return start * (in - 1) + o * (end - start) * (in - 1) / (out - 1);
      }
      return o / scale; // asymmetric
    };
    // Taps: for each, the source index and weight of every output position.
    int64_t numTaps = mode == "nearest" ? 1 : mode == "linear" ? 2 : 4;
    SmallVector<HostTensor> taps(numTaps);
    SmallVector<SmallVector<double>> weights(numTaps);
    for (HostTensor &tap : taps) {
      tap.elemType = onnx::TensorProto::INT64;
      tap.shape = {out};
    }
    // Output positions that sample outside the input (crops only).
    SmallVector<double> inside(out, 1.0);
    bool anyOutside = false;
    for (int64_t o = 0; o < out; ++o) {
      double xo = original(o);
      if (crop && (xo < 0 || xo > in - 1)) {
        inside[o] = 0.0;
        anyOutside = true;
      }
      double f = std::floor(xo);
      if (mode == "nearest") {
        int64_t k;
        if (nearest == "floor")
          k = static_cast<int64_t>(f);
        else if (nearest == "ceil")
          k = static_cast<int64_t>(std::ceil(xo));
        else if (xo - f == 0.5)
          k = static_cast<int64_t>(nearest == "round_prefer_ceil" ? f + 1 : f);
        else
          k = static_cast<int64_t>(std::round(xo));
        taps[0].ints.push_back({std::clamp<int64_t>(k, 0, in - 1)});
        continue;
      }
      double t = xo - f;
      int64_t first = static_cast<int64_t>(f) - (numTaps == 4 ? 1 : 0);
      SmallVector<double> w;
      if (numTaps == 2) {
        w = {1.0 - t, t};
      } else {
        // ONNX's cubic convolution kernel with coefficient A.
        double a = cubicA;
        auto far = [&](double d) {
          return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
        };
        auto near = [&](double d) {
          return ((a + 2) * d - (a + 3)) * d * d + 1;
        };
        w = {far(t + 1), near(t), near(1 - t), far(2 - t)};
      }
      // exclude_outside: taps past the edge weigh nothing, and the rest are
      // renormalized; otherwise they read the edge element.
      double total = 0;
      for (int64_t k = 0; k < numTaps; ++k) {
        int64_t src = first + k;
        if (excludeOutside && (src < 0 || src >= in))
          w[k] = 0;
        total += w[k];
      }
      for (int64_t k = 0; k < numTaps; ++k) {
        taps[k].ints.push_back(
            {std::clamp<int64_t>(first + k, 0, in - 1)});
        weights[k].push_back(excludeOutside && total != 0 ? w[k] / total
                                                          : w[k]);
      }
    }
    Value sum;
    for (int64_t k = 0; k < numTaps; ++k) {
      FailureOr<Value> idx = constantFromHost(taps[k]);
      if (failed(idx))
        return failure();
      FailureOr<Value> g =
          make<GatherOp>(current, *idx, b.getI64IntegerAttr(axis));
      if (failed(g))
        return failure();
      if (mode == "nearest") {
        sum = *g;
        break;
      }
      FailureOr<Value> c = broadcastAlong(weights[k], elem, rank, axis);
      FailureOr<Value> p = failed(c) ? failedValue() : make<MulOp>(*g, *c);
      FailureOr<Value> added = failed(p) ? failedValue() : addTo(sum, *p);
      if (failed(added))
        return failure();
      sum = *added;
    }
    if (anyOutside) {
      FailureOr<Value> keep = broadcastAlong(inside, elem, rank, axis);
      FailureOr<Value> mask =
          failed(keep) ? failedValue()
                       : compare(ComparePredicate::GT, *keep, scalar(0, elem));
      FailureOr<Value> kept =
          failed(mask) ? failedValue()
                       : make<SelectOp>(*mask, sum, scalar(extrapolation, elem));
      if (failed(kept))
        return failure();
      sum = *kept;
    }
    current = sum;
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
        "nearest, linear and cubic; static resized dims"}},
  };
  addHandlers(table, rows);
}
