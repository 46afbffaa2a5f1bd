//===- NN.cpp - Convolution, pooling, normalization -----------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Conv, pooling, batch and layer normalization, Softmax/LogSoftmax and
// Dropout (inference only).
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include "Kiln/IR/ShapeUtils.h"

#include <algorithm>

#include <limits>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;
using llvm::StringRef;
using llvm::Twine;

LogicalResult Importer::importDropout(const onnx::NodeProto &n) {
  if (const HostTensor *training = host(n, 2))
    if (training->size() == 1 && training->at(0) != 0)
      return error("Dropout in training mode is not supported (inference "
                   "only)");
  if (hasInput(n, 2) && !host(n, 2))
    return error("Dropout's training_mode (input 2, '" + n.input(2) +
                 "') must be known at compile time, but it is computed at run "
                 "time");
  if (failed(importIdentity(n)))
    return failure();
  if (n.output_size() > 1 && !n.output(1).empty()) {
    // In inference the mask keeps everything.
    FailureOr<Value> x = input(n, 0);
    if (failed(x))
      return failure();
    RankedTensorType t = typeOf(*x);
    if (!t.hasStaticShape())
      return error("Dropout's mask output needs a static shape");
    FailureOr<Value> mask = make<BroadcastToOp>(
        scalar(1, b.getI1Type()), b.getDenseI64ArrayAttr(t.getShape()));
    if (failed(mask))
      return failure();
    setOutput(n, 1, *mask);
  }
  return success();
}

FailureOr<SmallVector<int64_t>>
Importer::windowPads(const onnx::NodeProto &n, RankedTensorType input,
                     ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                     ArrayRef<int64_t> dilations, bool oneD) {
  std::string autoPad = attrString(n, "auto_pad", "NOTSET");
  size_t spatial = kernel.size(); // 2 for 1-D windows lifted to 2-D
  size_t given = oneD ? 1 : spatial;
  SmallVector<int64_t> pads =
      attrInts(n, "pads").value_or(SmallVector<int64_t>(2 * given, 0));
  if (pads.size() != 2 * given) {
    error("pads has " + Twine(pads.size()) + " entries; " + Twine(given) +
          "-D windows need " + Twine(2 * given));
    return failure();
  }
  // A 1-D window is a 2-D one of height 1: [begin, end] -> [0, begin, 0, end].
  if (oneD)
    pads = {0, pads[0], 0, pads[1]};
  if (autoPad == "NOTSET")
    return pads; // [begins..., ends...] in both ONNX and Kiln.
  if (autoPad == "VALID")
    return SmallVector<int64_t>(2 * spatial, 0);
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER") {
    error("unknown auto_pad '" + autoPad + "'");
    return failure();
  }
  for (size_t i = 0; i < spatial; ++i) {
    int64_t in = input.getDimSize(2 + i);
    if (ShapedType::isDynamic(in)) {
      error("auto_pad=" + autoPad + " needs static spatial dims");
      return failure();
    }
    int64_t out = (in + strides[i] - 1) / strides[i];
    int64_t total = std::max<int64_t>(
        (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in, 0);
    int64_t small = total / 2, large = total - small;
    pads[i] = autoPad == "SAME_UPPER" ? small : large;
    pads[i + spatial] = autoPad == "SAME_UPPER" ? large : small;
  }
  return pads;
}

/// 1-D windows (rank-3 NCL tensors) run as 2-D ones of height 1: the
/// input and weight get a unit dim at 2, the attributes a leading 1.
static SmallVector<int64_t> liftTo2D(ArrayRef<int64_t> values, int64_t unit) {
  return {unit, values.empty() ? unit : values[0]};
}

LogicalResult Importer::importConv(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0), w = input(n, 1);
  if (failed(x) || failed(w))
    return failure();
  if (typeOf(*x).getRank() == 5 && typeOf(*w).getRank() == 5)
    return importConv3D(n, *x, *w);
  FailureOr<Value> bias = optionalInput(n, 2);
  if (failed(bias))
    return failure();
  return setResult(n, convolution(n, *x, *w, *bias));
}

FailureOr<Value> Importer::convolution(const onnx::NodeProto &n, Value xv,
                                       Value wv, Value bias) {
  FailureOr<Value> x = xv, w = wv;
  RankedTensorType xt = typeOf(*x), wt = typeOf(*w);
  bool oneD = xt.getRank() == 3 && wt.getRank() == 3;
  if (oneD) {
    // [N, C, L] -> [N, C, 1, L]; [M, C/g, K] -> [M, C/g, 1, K].
    x = reshape(*x, {0, 0, 1, -1});
    w = reshape(*w, {0, 0, 1, -1});
    if (failed(x) || failed(w))
      return failure();
    xt = typeOf(*x);
    wt = typeOf(*w);
  } else if (xt.getRank() != 4 || wt.getRank() != 4) {
    return error("only 1-D, 2-D and 3-D convolution (3-D, 4-D or 5-D input "
                 "and weight) is supported; the input has rank " +
                 Twine(xt.getRank()));
  }
  SmallVector<int64_t> kernel = {wt.getDimSize(2), wt.getDimSize(3)};
  if (std::optional<SmallVector<int64_t>> declared =
          attrInts(n, "kernel_shape")) {
    if (oneD && declared->size() == 1)
      *declared = liftTo2D(*declared, 1);
    bool matches = declared->size() == 2;
    for (size_t i = 0; matches && i < 2; ++i)
      matches = ShapedType::isDynamic(kernel[i]) || (*declared)[i] == kernel[i];
    if (!matches)
      return error("kernel_shape [")
             << ArrayRef<int64_t>(*declared)
             << "] does not match the weight's spatial dims ["
             << ArrayRef<int64_t>(kernel) << "]";
  }
  SmallVector<int64_t> strides =
      attrInts(n, "strides").value_or(SmallVector<int64_t>(oneD ? 1 : 2, 1));
  SmallVector<int64_t> dilations =
      attrInts(n, "dilations").value_or(SmallVector<int64_t>(oneD ? 1 : 2, 1));
  if (oneD) {
    strides = liftTo2D(strides, 1);
    dilations = liftTo2D(dilations, 1);
  }
  FailureOr<SmallVector<int64_t>> pads =
      windowPads(n, xt, kernel, strides, dilations, oneD);
  if (failed(pads))
    return failure();
  FailureOr<Value> r = make<Conv2DOp>(
      *x, *w, bias, b.getDenseI64ArrayAttr(strides),
      b.getDenseI64ArrayAttr(dilations), b.getDenseI64ArrayAttr(*pads),
      b.getI64IntegerAttr(attrInt(n, "group", 1)),
      LayoutAttr::get(&ctx, Layout::NCHW));
  if (succeeded(r) && oneD)
    r = reshape(*r, {0, 0, -1});
  return r;
}

/// 3-D convolution as KD 2-D ones: for each depth tap kd, the input's
/// depth slices that tap reads (padded in depth, strided) fold into the
/// batch, [N * OD, C, H, W], and convolve with the weight's slice kd; the
/// sum over kd unfolds to [N, F, OD, OH, OW]. The same arithmetic as a 3-D
/// convolution. Channels and spatial dims must be static.
LogicalResult Importer::importConv3D(const onnx::NodeProto &n, Value x,
                                     Value w) {
  RankedTensorType xt = typeOf(x), wt = typeOf(w);
  for (int64_t d = 1; d < 5; ++d)
    if (xt.isDynamicDim(d) || wt.isDynamicDim(d) || wt.isDynamicDim(0))
      return error("3-D convolution needs static channels, spatial dims and "
                   "weight");
  SmallVector<int64_t> kernel = {wt.getDimSize(2), wt.getDimSize(3),
                                 wt.getDimSize(4)};
  SmallVector<int64_t> strides =
      attrInts(n, "strides").value_or(SmallVector<int64_t>(3, 1));
  SmallVector<int64_t> dilations =
      attrInts(n, "dilations").value_or(SmallVector<int64_t>(3, 1));
  if (strides.size() != 3 || dilations.size() != 3)
    return error("3-D convolution needs 3 strides and 3 dilations");
  FailureOr<SmallVector<int64_t>> pads =
      windowPads(n, xt, kernel, strides, dilations);
  FailureOr<Value> bias = optionalInput(n, 2);
  if (failed(pads) || failed(bias))
    return failure();
  return setResult(n, conv3D(x, w, *bias, strides, dilations, *pads,
                             attrInt(n, "group", 1)));
}

FailureOr<Value> Importer::conv3D(Value x, Value w, Value bias,
                                  ArrayRef<int64_t> strides,
                                  ArrayRef<int64_t> dilations,
                                  ArrayRef<int64_t> pads, int64_t group) {
  RankedTensorType xt = typeOf(x), wt = typeOf(w);
  int64_t c = xt.getDimSize(1), f = wt.getDimSize(0), kd = wt.getDimSize(2);
  int64_t h = xt.getDimSize(3), wd = xt.getDimSize(4);
  int64_t depth = xt.getDimSize(2) + pads[0] + pads[3];
  int64_t od = (depth - dilations[0] * (kd - 1) - 1) / strides[0] + 1;
  if (od < 1) {
    error("3-D convolution's output depth is " + Twine(od));
    return failure();
  }
  FailureOr<Value> padded = x;
  if (pads[0] || pads[3])
    padded = make<PadOp>(x, b.getDenseI64ArrayAttr({0, 0, pads[0], 0, 0}),
                         b.getDenseI64ArrayAttr({0, 0, pads[3], 0, 0}),
                         b.getF64FloatAttr(0.0));
  if (failed(padded))
    return failure();
  Value sum;
  for (int64_t k = 0; k < kd; ++k) {
    int64_t start = k * dilations[0];
    FailureOr<Value> taps = make<SliceOp>(
        *padded, b.getDenseI64ArrayAttr({0, 0, start, 0, 0}),
        b.getDenseI64ArrayAttr({INT64_MAX, INT64_MAX,
                                start + (od - 1) * strides[0] + 1, INT64_MAX,
                                INT64_MAX}),
        b.getDenseI64ArrayAttr({1, 1, strides[0], 1, 1}));
    if (succeeded(taps))
      taps = make<TransposeOp>(*taps, b.getDenseI64ArrayAttr({0, 2, 1, 3, 4}));
    if (succeeded(taps))
      taps = reshape(*taps, {-1, c, h, wd});
    FailureOr<Value> wk = sliceAlong(w, 2, k, k + 1);
    if (succeeded(wk))
      wk = reshape(*wk, {f, wt.getDimSize(1), wt.getDimSize(3),
                         wt.getDimSize(4)});
    if (failed(taps) || failed(wk))
      return failure();
    FailureOr<Value> y = make<Conv2DOp>(
        *taps, *wk, k == 0 ? bias : Value(),
        b.getDenseI64ArrayAttr({strides[1], strides[2]}),
        b.getDenseI64ArrayAttr({dilations[1], dilations[2]}),
        b.getDenseI64ArrayAttr({pads[1], pads[2], pads[4], pads[5]}),
        b.getI64IntegerAttr(group), LayoutAttr::get(&ctx, Layout::NCHW));
    FailureOr<Value> added = failed(y) ? failedValue() : addTo(sum, *y);
    if (failed(added))
      return failure();
    sum = *added;
  }
  RankedTensorType st = typeOf(sum);
  FailureOr<Value> r =
      reshape(sum, {-1, od, f, st.getDimSize(2), st.getDimSize(3)});
  if (succeeded(r))
    r = make<TransposeOp>(*r, b.getDenseI64ArrayAttr({0, 2, 1, 3, 4}));
  return r;
}

/// 3-D pooling as two 2-D ones, which a box window allows for max and for
/// average (with or without the padding counted, the count is a product
/// over the dims): first over height and width with depth folded into the
/// channels, then over depth with height and width flattened.
LogicalResult Importer::importPool3D(const onnx::NodeProto &n, Value x,
                                     ArrayRef<int64_t> kernel) {
  RankedTensorType xt = typeOf(x);
  for (int64_t d = 1; d < 5; ++d)
    if (xt.isDynamicDim(d))
      return error("3-D pooling needs static channels and spatial dims");
  SmallVector<int64_t> strides =
      attrInts(n, "strides").value_or(SmallVector<int64_t>(3, 1));
  SmallVector<int64_t> dilations =
      attrInts(n, "dilations").value_or(SmallVector<int64_t>(3, 1));
  if (strides.size() != 3 || dilations.size() != 3)
    return error("3-D pooling needs 3 strides and 3 dilations");
  FailureOr<SmallVector<int64_t>> pads =
      windowPads(n, xt, kernel, strides, dilations);
  if (failed(pads))
    return failure();
  bool isMax = n.op_type() == "MaxPool";
  Type unsignedType;
  FailureOr<Value> wide = toSignedOrder(x, unsignedType);
  if (failed(wide))
    return failure();
  x = *wide;
  auto pool = [&](Value v, ArrayRef<int64_t> k, ArrayRef<int64_t> s,
                  ArrayRef<int64_t> d, ArrayRef<int64_t> p) {
    return make<Pool2DOp>(
        PoolKindAttr::get(&ctx, isMax ? PoolKind::Max : PoolKind::Avg), v,
        b.getDenseI64ArrayAttr(k), b.getDenseI64ArrayAttr(s),
        b.getDenseI64ArrayAttr(d), b.getDenseI64ArrayAttr(p),
        b.getBoolAttr(attrInt(n, "ceil_mode", 0) != 0),
        b.getBoolAttr(attrInt(n, "count_include_pad", 0) != 0),
        LayoutAttr::get(&ctx, Layout::NCHW));
  };
  int64_t c = xt.getDimSize(1), depth = xt.getDimSize(2);
  FailureOr<Value> v = reshape(x, {-1, c * depth, xt.getDimSize(3),
                                   xt.getDimSize(4)});
  if (succeeded(v))
    v = pool(*v, {kernel[1], kernel[2]}, {strides[1], strides[2]},
             {dilations[1], dilations[2]},
             {(*pads)[1], (*pads)[2], (*pads)[4], (*pads)[5]});
  if (failed(v))
    return failure();
  int64_t oh = typeOf(*v).getDimSize(2), ow = typeOf(*v).getDimSize(3);
  v = reshape(*v, {-1, c, depth, oh * ow});
  if (succeeded(v))
    v = pool(*v, {kernel[0], 1}, {strides[0], 1}, {dilations[0], 1},
             {(*pads)[0], 0, (*pads)[3], 0});
  if (succeeded(v))
    v = reshape(*v, {-1, c, typeOf(*v).getDimSize(2), oh, ow});
  if (succeeded(v))
    v = fromSignedOrder(*v, unsignedType);
  return setResult(n, v);
}

/// ConvTranspose as a convolution: the input with s - 1 zeros between its
/// elements (reshape, pad, reshape, and the trailing zeros sliced off),
/// padded by d * (k - 1) - pads on each side (cropped where that is
/// negative; output_padding more at the end), convolved with stride 1 and
/// the weight flipped spatially, its in and out channels swapped per group.
/// 1-D runs as 2-D of height 1. Channels, spatial dims and the weight must
/// be static; the batch may be dynamic.
LogicalResult Importer::importConvTranspose(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0), w = input(n, 1);
  if (failed(x) || failed(w))
    return failure();
  FailureOr<Value> bias = optionalInput(n, 2);
  if (failed(bias))
    return failure();
  bool oneD = typeOf(*x).getRank() == 3 && typeOf(*w).getRank() == 3;
  if (oneD) {
    x = reshape(*x, {0, 0, 1, -1});
    w = reshape(*w, {0, 0, 1, -1});
    if (failed(x) || failed(w))
      return failure();
  }
  RankedTensorType xt = typeOf(*x), wt = typeOf(*w);
  int64_t rank = xt.getRank(), sp = rank - 2;
  if ((rank != 4 && rank != 5) || wt.getRank() != rank)
    return error("only 1-D, 2-D and 3-D ConvTranspose (3-D, 4-D or 5-D "
                 "input and weight) is supported");
  for (int64_t i = 1; i < rank; ++i)
    if (xt.isDynamicDim(i) || !wt.hasStaticShape())
      return error("ConvTranspose needs static channels, spatial dims and "
                   "weight shape");
  auto spatial = [&](StringRef name, int64_t dflt) {
    SmallVector<int64_t> v =
        attrInts(n, name).value_or(SmallVector<int64_t>(oneD ? 1 : sp, dflt));
    return oneD ? liftTo2D(v, name == "output_shape" ? 1 : dflt) : v;
  };
  int64_t group = attrInt(n, "group", 1);
  int64_t cin = wt.getDimSize(0), coutPerGroup = wt.getDimSize(1);
  if (group < 1 || cin % group != 0 || xt.getDimSize(1) != cin)
    return error("ConvTranspose's weight has " + Twine(cin) +
                 " input channels for an input with " +
                 Twine(xt.getDimSize(1)) + " in " + Twine(group) + " groups");
  SmallVector<int64_t> in(xt.getShape().drop_front(2)),
      k(wt.getShape().drop_front(2));
  SmallVector<int64_t> s = spatial("strides", 1), d = spatial("dilations", 1),
                       op = spatial("output_padding", 0);
  if (static_cast<int64_t>(s.size()) != sp ||
      static_cast<int64_t>(d.size()) != sp ||
      static_cast<int64_t>(op.size()) != sp)
    return error("ConvTranspose's strides, dilations and output_padding need " +
                 Twine(sp) + " entries each");
  SmallVector<int64_t> pads =
      attrInts(n, "pads").value_or(SmallVector<int64_t>(oneD ? 2 : 2 * sp, 0));
  if (oneD && pads.size() == 2)
    pads = {0, pads[0], 0, pads[1]};
  if (static_cast<int64_t>(pads.size()) != 2 * sp)
    return error("ConvTranspose's pads need " + Twine(oneD ? 2 : 2 * sp) +
                 " entries, got " + Twine(pads.size()));
  std::string autoPad = attrString(n, "auto_pad", "NOTSET");
  std::optional<SmallVector<int64_t>> outShape;
  if (attr(n, "output_shape")) {
    outShape = spatial("output_shape", 0);
    // Spatial sizes, or (as onnxruntime accepts) the whole [N, C, ...].
    if (static_cast<int64_t>(outShape->size()) == sp + 2)
      outShape->erase(outShape->begin(), outShape->begin() + 2);
    if (static_cast<int64_t>(outShape->size()) != sp)
      return error("ConvTranspose's output_shape has " +
                   Twine(outShape->size()) + " entries for " + Twine(sp) +
                   " spatial dims");
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    outShape = SmallVector<int64_t>();
    for (int64_t i = 0; i < sp; ++i)
      outShape->push_back(in[i] * s[i]);
  }
  if (autoPad == "VALID")
    pads.assign(2 * sp, 0);
  if (outShape) {
    // onnx's rule: the total padding that gives `output_shape`.
    for (int64_t i = 0; i < sp; ++i) {
      int64_t total = s[i] * (in[i] - 1) + op[i] + (k[i] - 1) * d[i] + 1 -
                      (*outShape)[i];
      // Python's floor division, as onnx's reference: a negative total
      // (output_shape above the natural size) extends the end.
      int64_t half = llvm::divideFloorSigned(total, 2);
      pads[i] = autoPad == "SAME_UPPER" ? half : total - half;
      pads[i + sp] = total - pads[i];
    }
  }
  Value v = *x;
  auto step = [&](FailureOr<Value> next) {
    if (failed(next))
      return false;
    v = *next;
    return true;
  };
  constexpr int64_t kEnd = std::numeric_limits<int64_t>::max();
  int64_t c = xt.getDimSize(1);
  if (llvm::any_of(s, [](int64_t x) { return x > 1; })) {
    // s - 1 zeros after each element: [N, C, i0, 1, i1, 1, ...] padded to
    // [N, C, i0, s0, i1, s1, ...], merged, and the trailing zeros cut.
    SmallVector<int64_t> split = {0, c}, low(2 + 2 * sp, 0),
                         high(2 + 2 * sp, 0), merged = {0, c},
                         ends = {kEnd, kEnd};
    for (int64_t i = 0; i < sp; ++i) {
      split.append({in[i], 1});
      high[3 + 2 * i] = s[i] - 1;
      merged.push_back(in[i] * s[i]);
      ends.push_back((in[i] - 1) * s[i] + 1);
    }
    if (!step(reshape(v, split)) ||
        !step(make<PadOp>(v, b.getDenseI64ArrayAttr(low),
                          b.getDenseI64ArrayAttr(high),
                          b.getF64FloatAttr(0.0))) ||
        !step(reshape(v, merged)) ||
        !step(make<SliceOp>(v, b.getDenseI64ArrayAttr(SmallVector<int64_t>(
                                   rank, 0)),
                            b.getDenseI64ArrayAttr(ends),
                            b.getDenseI64ArrayAttr(
                                SmallVector<int64_t>(rank, 1)))))
      return failure();
  }
  SmallVector<int64_t> low(rank, 0), high(rank, 0), cropLow(rank, 0),
      cropHigh(rank, 0);
  for (int64_t i = 0; i < sp; ++i) {
    int64_t before = d[i] * (k[i] - 1) - pads[i];
    int64_t after = d[i] * (k[i] - 1) - pads[i + sp] + op[i];
    low[2 + i] = std::max<int64_t>(before, 0);
    high[2 + i] = std::max<int64_t>(after, 0);
    cropLow[2 + i] = std::max<int64_t>(-before, 0);
    cropHigh[2 + i] = std::max<int64_t>(-after, 0);
  }
  auto positive = [](ArrayRef<int64_t> a) {
    return llvm::any_of(a, [](int64_t p) { return p > 0; });
  };
  if (positive(low) || positive(high))
    if (!step(make<PadOp>(v, b.getDenseI64ArrayAttr(low),
                          b.getDenseI64ArrayAttr(high),
                          b.getF64FloatAttr(0.0))))
      return failure();
  if (positive(cropLow) || positive(cropHigh)) {
    RankedTensorType vt = typeOf(v);
    SmallVector<int64_t> ends = {kEnd, kEnd};
    for (int64_t i = 0; i < sp; ++i)
      ends.push_back(vt.getDimSize(2 + i) - cropHigh[2 + i]);
    if (!step(make<SliceOp>(v, b.getDenseI64ArrayAttr(cropLow),
                            b.getDenseI64ArrayAttr(ends),
                            b.getDenseI64ArrayAttr(
                                SmallVector<int64_t>(rank, 1)))))
      return failure();
  }
  // The weight: [Cin, Cout/g, k...] flipped along every spatial dim, then
  // [g, Cin/g, Cout/g, ...] -> [g, Cout/g, Cin/g, ...] -> [Cout, Cin/g, ...].
  Value weight = *w;
  for (int64_t i = 0; i < sp; ++i) {
    SmallVector<int64_t> reversed(k[i]);
    for (int64_t j = 0; j < k[i]; ++j)
      reversed[j] = k[i] - 1 - j;
    FailureOr<Value> flipped = make<GatherOp>(
        weight,
        constant(RankedTensorType::get({k[i]}, b.getI64Type()),
                 ArrayRef<int64_t>(reversed)),
        b.getI64IntegerAttr(2 + i));
    if (failed(flipped))
      return failure();
    weight = *flipped;
  }
  SmallVector<int64_t> grouped = {group, cin / group, coutPerGroup},
                       perm = {0, 2, 1},
                       merged = {group * coutPerGroup, cin / group};
  for (int64_t i = 0; i < sp; ++i) {
    grouped.push_back(k[i]);
    perm.push_back(3 + i);
    merged.push_back(k[i]);
  }
  FailureOr<Value> wt2 = reshape(weight, grouped);
  if (succeeded(wt2))
    wt2 = make<TransposeOp>(*wt2, b.getDenseI64ArrayAttr(perm));
  if (succeeded(wt2))
    wt2 = reshape(*wt2, merged);
  if (failed(wt2))
    return failure();
  FailureOr<Value> r =
      sp == 3 ? conv3D(v, *wt2, *bias, {1, 1, 1}, d, {0, 0, 0, 0, 0, 0}, group)
              : make<Conv2DOp>(v, *wt2, *bias, b.getDenseI64ArrayAttr({1, 1}),
                               b.getDenseI64ArrayAttr(d),
                               b.getDenseI64ArrayAttr({0, 0, 0, 0}),
                               b.getI64IntegerAttr(group),
                               LayoutAttr::get(&ctx, Layout::NCHW));
  if (succeeded(r) && oneD)
    r = reshape(*r, {0, 0, -1});
  return setResult(n, r);
}

LogicalResult Importer::importPool(const onnx::NodeProto &n) {
  bool isMax = n.op_type() == "MaxPool";
  if (isMax && failed(requireUnusedOutput(n, 1, "MaxPool indices")))
    return failure();
  if (attrInt(n, "storage_order", 0) != 0)
    return error("MaxPool storage_order=1 is not supported");
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  RankedTensorType xt = typeOf(*x);
  std::optional<SmallVector<int64_t>> kernel = attrInts(n, "kernel_shape");
  bool oneD = xt.getRank() == 3 && kernel && kernel->size() == 1;
  if (xt.getRank() == 5 && kernel && kernel->size() == 3)
    return importPool3D(n, *x, *kernel);
  if (!oneD && (xt.getRank() != 4 || !kernel || kernel->size() != 2))
    return error("only 1-D, 2-D and 3-D pooling (3-D, 4-D or 5-D input, 1, 2 "
                 "or 3 kernel dims) is supported");
  SmallVector<int64_t> strides =
      attrInts(n, "strides").value_or(SmallVector<int64_t>(oneD ? 1 : 2, 1));
  SmallVector<int64_t> dilations =
      attrInts(n, "dilations").value_or(SmallVector<int64_t>(oneD ? 1 : 2, 1));
  if (oneD) {
    x = reshape(*x, {0, 0, 1, -1});
    if (failed(x))
      return failure();
    xt = typeOf(*x);
    *kernel = liftTo2D(*kernel, 1);
    strides = liftTo2D(strides, 1);
    dilations = liftTo2D(dilations, 1);
  }
  FailureOr<SmallVector<int64_t>> pads =
      windowPads(n, xt, *kernel, strides, dilations, oneD);
  if (failed(pads))
    return failure();
  Type unsignedType;
  x = toSignedOrder(*x, unsignedType);
  if (failed(x))
    return failure();
  FailureOr<Value> r = make<Pool2DOp>(
      PoolKindAttr::get(&ctx, isMax ? PoolKind::Max : PoolKind::Avg), *x,
      b.getDenseI64ArrayAttr(*kernel), b.getDenseI64ArrayAttr(strides),
      b.getDenseI64ArrayAttr(dilations), b.getDenseI64ArrayAttr(*pads),
      b.getBoolAttr(attrInt(n, "ceil_mode", 0) != 0),
      b.getBoolAttr(attrInt(n, "count_include_pad", 0) != 0),
      LayoutAttr::get(&ctx, Layout::NCHW));
  if (succeeded(r))
    r = fromSignedOrder(*r, unsignedType);
  if (succeeded(r) && oneD)
    r = reshape(*r, {0, 0, -1});
  return setResult(n, r);
}

LogicalResult Importer::importGlobalPool(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  int64_t rank = typeOf(*x).getRank();
  if (rank < 3)
    return error("global pooling needs an input of rank 3 or more");
  FailureOr<Value> r = failure();
  if (n.op_type() == "GlobalAveragePool" && rank == 4) {
    r = make<GlobalAvgPoolOp>(*x, LayoutAttr::get(&ctx, Layout::NCHW));
  } else {
    SmallVector<int64_t> axes;
    for (int64_t i = 2; i < rank; ++i)
      axes.push_back(i);
    if (n.op_type() == "GlobalAveragePool")
      r = make<ReduceMeanOp>(*x, b.getDenseI64ArrayAttr(axes),
                             b.getBoolAttr(true));
    else
      r = make<ReduceMaxOp>(*x, b.getDenseI64ArrayAttr(axes),
                            b.getBoolAttr(true));
  }
  return setResult(n, r);
}

LogicalResult Importer::importBatchNorm(const onnx::NodeProto &n) {
  if (attrInt(n, "training_mode", 0))
    return error("BatchNormalization in training mode is not supported");
  for (int i = 1; i < 3; ++i)
    if (failed(requireUnusedOutput(n, i, "running statistics")))
      return failure();
  SmallVector<Value> ops;
  for (int i = 0; i < 5; ++i) {
    FailureOr<Value> v = input(n, i);
    if (failed(v))
      return failure();
    ops.push_back(*v);
  }
  FailureOr<Value> r = make<BatchNormOp>(
      ops[0], ops[1], ops[2], ops[3], ops[4],
      b.getF64FloatAttr(attrFloat(n, "epsilon", 1e-5)), b.getI64IntegerAttr(1));
  return setResult(n, r);
}

LogicalResult Importer::importLayerNorm(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  int64_t rank = typeOf(*x).getRank();
  double epsilon = attrFloat(n, "epsilon", 1e-5);
  bool wantStats = (n.output_size() > 1 && !n.output(1).empty()) ||
                   (n.output_size() > 2 && !n.output(2).empty());
  if (wantStats) {
    // The optional Mean and InvStdDev outputs, over dims [axis, rank).
    SmallVector<int64_t> axes = {attrInt(n, "axis", -1)};
    if (failed(normalizeAxes(axes, rank)))
      return failure();
    SmallVector<int64_t> dims;
    for (int64_t i = axes[0]; i < rank; ++i)
      dims.push_back(i);
    auto dimsAttr = b.getDenseI64ArrayAttr(dims);
    FailureOr<Value> mean = make<ReduceMeanOp>(*x, dimsAttr, b.getBoolAttr(true));
    if (failed(mean))
      return failure();
    FailureOr<Value> d = make<SubOp>(*x, *mean);
    if (failed(d))
      return failure();
    FailureOr<Value> sq = make<MulOp>(*d, *d);
    if (failed(sq))
      return failure();
    FailureOr<Value> var = make<ReduceMeanOp>(*sq, dimsAttr, b.getBoolAttr(true));
    if (failed(var))
      return failure();
    FailureOr<Value> inv = make<AddOp>(
        *var, scalar(epsilon, typeOf(*var).getElementType()));
    if (failed(inv))
      return failure();
    inv = make<RsqrtOp>(*inv);
    if (failed(inv))
      return failure();
    setOutput(n, 1, *mean);
    setOutput(n, 2, *inv);
  }
  FailureOr<Value> scale = optionalInput(n, 1), bias = optionalInput(n, 2);
  if (failed(scale) || failed(bias))
    return failure();
  FailureOr<Value> r = make<LayerNormOp>(
      *x, *scale, *bias, b.getI64IntegerAttr(attrInt(n, "axis", -1)),
      b.getF64FloatAttr(epsilon));
  return setResult(n, r);
}

LogicalResult Importer::importSoftmax(const onnx::NodeProto &n) {
  bool isLog = n.op_type() == "LogSoftmax";
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  int64_t rank = t.getRank();
  int64_t axis = attrInt(n, "axis", opset < 13 ? 1 : -1);
  SmallVector<int64_t> axes = {axis};
  if (failed(normalizeAxes(axes, rank)))
    return failure();
  axis = axes[0];
  auto build = [&](Value v, int64_t ax) -> FailureOr<Value> {
    if (isLog)
      return make<LogSoftmaxOp>(v, b.getI64IntegerAttr(ax));
    return make<SoftmaxOp>(v, b.getI64IntegerAttr(ax));
  };
  FailureOr<Value> r = failure();
  if (opset >= 13 || axis == rank - 1) {
    r = build(*x, axis);
  } else {
    // Opsets < 13 normalize the input flattened to 2-D at `axis`.
    std::optional<int64_t> inner = shape::staticElementCount(
        t.getShape().drop_front(axis));
    if (!inner)
      return error("Softmax (opset < 13) over run-time dims is not supported");
    FailureOr<Value> flat = reshape(*x, {-1, *inner});
    if (failed(flat))
      return failure();
    r = build(*flat, 1);
    if (failed(r))
      return failure();
    SmallVector<SymInt> dims;
    for (int64_t i = 0; i < rank; ++i)
      dims.push_back(t.isDynamicDim(i)
                         ? SymInt{0, *x, static_cast<unsigned>(i)}
                         : SymInt{t.getDimSize(i)});
    r = reshapeTo(*r, dims);
  }
  return setResult(n, r);
}

//===----------------------------------------------------------------------===//
// Handler table rows
//===----------------------------------------------------------------------===//

/// InstanceNormalization: kiln.layer_norm over the spatial dims [2, rank),
/// then the per-channel scale and bias.
LogicalResult Importer::importInstanceNorm(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0), scale = input(n, 1), bias = input(n, 2);
  if (failed(x) || failed(scale) || failed(bias))
    return failure();
  int64_t rank = typeOf(*x).getRank();
  if (rank < 3)
    return error("InstanceNormalization needs an input of rank 3 or more, "
                 "got rank " + Twine(rank));
  FailureOr<Value> y = make<LayerNormOp>(
      *x, Value(), Value(), b.getI64IntegerAttr(2),
      b.getF64FloatAttr(attrFloat(n, "epsilon", 1e-5)));
  // [C] -> [C, 1, ..., 1] broadcasts along the spatial dims.
  SmallVector<int64_t> spec(rank - 1, 1);
  spec[0] = -1;
  FailureOr<Value> s = reshape(*scale, spec), c = reshape(*bias, spec);
  if (failed(y) || failed(s) || failed(c))
    return failure();
  FailureOr<Value> r = make<MulOp>(*y, *s);
  if (succeeded(r))
    r = make<AddOp>(*r, *c);
  return setResult(n, r);
}

/// LRN: x / (bias + alpha / size * sum of x^2 over `size` neighbouring
/// channels)^beta. The window sum is an average pool over channels (x^2 as
/// [N, 1, C, spatial], kernel size x 1, the padding counted) times size.
/// Channels must be static.
LogicalResult Importer::importLRN(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  int64_t size = attrInt(n, "size", 0);
  if (t.getRank() < 3 || t.isDynamicDim(1))
    return error("LRN needs an input of rank 3 or more with static channels");
  if (size < 1)
    return error("LRN's size must be positive, got " + Twine(size));
  double alpha = attrFloat(n, "alpha", 1e-4), beta = attrFloat(n, "beta", 0.75),
         bias = attrFloat(n, "bias", 1.0);
  Type elem = t.getElementType();
  int64_t c = t.getDimSize(1);
  FailureOr<Value> sq = make<MulOp>(*x, *x);
  if (succeeded(sq))
    sq = reshape(*sq, {0, 1, c, -1});
  if (failed(sq))
    return failure();
  int64_t before = (size - 1) / 2, after = size - 1 - before;
  FailureOr<Value> window = make<Pool2DOp>(
      PoolKindAttr::get(&ctx, PoolKind::Avg), *sq,
      b.getDenseI64ArrayAttr({size, 1}), b.getDenseI64ArrayAttr({1, 1}),
      b.getDenseI64ArrayAttr({1, 1}),
      b.getDenseI64ArrayAttr({before, 0, after, 0}), b.getBoolAttr(false),
      b.getBoolAttr(true), LayoutAttr::get(&ctx, Layout::NCHW));
  if (succeeded(window))
    window = reshapeTo(*window, dimsOf(*x));
  // bias + alpha * mean (the mean is the sum / size).
  FailureOr<Value> denom =
      failed(window) ? failedValue() : make<MulOp>(*window, scalar(alpha, elem));
  if (succeeded(denom))
    denom = make<AddOp>(*denom, scalar(bias, elem));
  if (succeeded(denom))
    denom = make<PowOp>(*denom, scalar(beta, elem));
  if (failed(denom))
    return failure();
  return setResult(n, make<DivOp>(*x, *denom));
}

/// MeanVarianceNormalization as ONNX's function body: (x - mean) /
/// (sqrt(mean(x^2) - mean^2) + 1e-9) over `axes`.
LogicalResult Importer::importMVN(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> axes =
      attrInts(n, "axes").value_or(SmallVector<int64_t>{0, 2, 3});
  if (failed(normalizeAxes(axes, typeOf(*x).getRank())))
    return failure();
  Type elem = typeOf(*x).getElementType();
  auto over = b.getDenseI64ArrayAttr(axes);
  FailureOr<Value> mean = make<ReduceMeanOp>(*x, over, b.getBoolAttr(true));
  FailureOr<Value> sq = make<MulOp>(*x, *x);
  FailureOr<Value> meanSq =
      failed(sq) ? failedValue() : make<ReduceMeanOp>(*sq, over, b.getBoolAttr(true));
  FailureOr<Value> sqMean =
      failed(mean) ? failedValue() : make<MulOp>(*mean, *mean);
  FailureOr<Value> var = failed(meanSq) || failed(sqMean)
                             ? failedValue()
                             : make<SubOp>(*meanSq, *sqMean);
  FailureOr<Value> std = failed(var) ? failedValue() : make<SqrtOp>(*var);
  if (succeeded(std))
    std = make<AddOp>(*std, scalar(1e-9, elem));
  FailureOr<Value> centered =
      failed(mean) ? failedValue() : make<SubOp>(*x, *mean);
  if (failed(std) || failed(centered))
    return failure();
  return setResult(n, make<DivOp>(*centered, *std));
}

/// DepthToSpace and SpaceToDepth on NCHW: a reshape, a transpose and a
/// reshape, with C, H and W static (the batch may be dynamic).
LogicalResult Importer::importDepthSpace(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  StringRef op = n.op_type();
  RankedTensorType type = typeOf(*x);
  int64_t bs = attrInt(n, "blocksize", 0);
  if (type.getRank() != 4)
    return error(op + " needs a 4-D NCHW input, got rank " +
                 Twine(type.getRank()));
  int64_t c = type.getDimSize(1), h = type.getDimSize(2),
          w = type.getDimSize(3);
  if (ShapedType::isDynamic(c) || ShapedType::isDynamic(h) ||
      ShapedType::isDynamic(w))
    return error(op + " needs static channels, height and width");
  bool toSpace = op == "DepthToSpace";
  if (bs <= 0 || (toSpace ? c % (bs * bs) : h % bs + w % bs) != 0)
    return error(op + "'s blocksize " + Twine(bs) + " does not divide the " +
                 (toSpace ? "channels " + Twine(c) + " by its square"
                          : "height " + Twine(h) + " and width " + Twine(w)));
  SmallVector<int64_t> split, perm, merged;
  if (toSpace) {
    bool crd = attrString(n, "mode", "DCR") == "CRD";
    int64_t cc = c / (bs * bs);
    split = crd ? SmallVector<int64_t>{0, cc, bs, bs, h, w}
                : SmallVector<int64_t>{0, bs, bs, cc, h, w};
    perm = crd ? SmallVector<int64_t>{0, 1, 4, 2, 5, 3}
               : SmallVector<int64_t>{0, 3, 4, 1, 5, 2};
    merged = {0, cc, h * bs, w * bs};
  } else {
    split = {0, c, h / bs, bs, w / bs, bs};
    perm = {0, 3, 5, 1, 2, 4};
    merged = {0, c * bs * bs, h / bs, w / bs};
  }
  FailureOr<Value> r = reshape(*x, split);
  if (succeeded(r))
    r = make<TransposeOp>(*r, b.getDenseI64ArrayAttr(perm));
  if (succeeded(r))
    r = reshape(*r, merged);
  return setResult(n, r);
}

FailureOr<Value> Importer::nllLoss(Value logProb, Value target, Value weight,
                                   std::optional<int64_t> ignoreIndex,
                                   StringRef reduction) {
  RankedTensorType type = typeOf(logProb);
  int64_t rank = type.getRank();
  if (rank < 2) {
    error("the loss's input needs rank 2 or more ([N, C, ...]), got rank " +
          Twine(rank));
    return failure();
  }
  if (reduction != "none" && reduction != "sum" && reduction != "mean") {
    error("unknown reduction '" + reduction + "' (none, sum or mean)");
    return failure();
  }
  int64_t classes = type.getDimSize(1);
  if (ShapedType::isDynamic(classes)) {
    error("the loss's classes (dim 1) must be known at compile time");
    return failure();
  }
  Type elem = type.getElementType();
  Type i64 = b.getI64Type();
  FailureOr<Value> t = castTo(target, i64);
  if (failed(t))
    return failure();
  // target [N, d...] -> [N, 1, d...], against an iota of the classes.
  RankedTensorType targetType = typeOf(*t);
  SmallVector<SymInt> expanded;
  for (int64_t d = 0; d < targetType.getRank(); ++d) {
    expanded.push_back(dimOf(*t, d));
    if (d == 0)
      expanded.push_back(SymInt(1));
  }
  FailureOr<Value> column = reshapeTo(*t, expanded);
  if (failed(column))
    return failure();
  FailureOr<Value> mask =
      compare(ComparePredicate::EQ, iotaAlong(classes, rank, 1), *column);
  if (failed(mask))
    return failure();
  auto classAxis = b.getDenseI64ArrayAttr({1});
  auto pick = [&](Value v) -> FailureOr<Value> {
    FailureOr<Value> chosen = make<SelectOp>(*mask, v, scalar(0, elem));
    if (failed(chosen))
      return failure();
    return make<ReduceSumOp>(*chosen, classAxis, b.getBoolAttr(false));
  };
  FailureOr<Value> picked = pick(logProb);
  // The weight of each element's class: 1, or weight[target]; 0 where the
  // target is ignored (or out of range).
  Value classWeights = scalar(1, elem);
  if (weight) {
    SmallVector<int64_t> classShape(rank, 1);
    classShape[1] = classes;
    FailureOr<Value> w = reshape(weight, classShape);
    if (failed(w))
      return failure();
    classWeights = *w;
  }
  FailureOr<Value> w = pick(classWeights);
  if (failed(picked) || failed(w))
    return failure();
  if (ignoreIndex) {
    FailureOr<Value> kept =
        compare(ComparePredicate::NE, *t, scalar(*ignoreIndex, i64));
    if (failed(kept))
      return failure();
    w = make<SelectOp>(*kept, *w, scalar(0, elem));
    if (failed(w))
      return failure();
  }
  FailureOr<Value> loss = make<MulOp>(*picked, *w);
  if (succeeded(loss))
    loss = make<NegOp>(*loss);
  if (failed(loss) || reduction == "none")
    return loss;
  auto all = b.getDenseI64ArrayAttr({});
  FailureOr<Value> total = make<ReduceSumOp>(*loss, all, b.getBoolAttr(false));
  if (failed(total) || reduction == "sum")
    return total;
  FailureOr<Value> norm = make<ReduceSumOp>(*w, all, b.getBoolAttr(false));
  if (failed(norm))
    return failure();
  return make<DivOp>(*total, *norm);
}

/// NegativeLogLikelihoodLoss, and SoftmaxCrossEntropyLoss: the same loss of
/// log_softmax(scores) over the classes (dim 1), whose second output is
/// that log-probability.
LogicalResult Importer::importNllLoss(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0), target = input(n, 1);
  if (failed(x) || failed(target))
    return failure();
  FailureOr<Value> weight = optionalInput(n, 2);
  if (failed(weight))
    return failure();
  std::optional<int64_t> ignore;
  if (attr(n, "ignore_index"))
    ignore = attrInt(n, "ignore_index", 0);
  Value logProb = *x;
  if (n.op_type() == "SoftmaxCrossEntropyLoss") {
    if (typeOf(*x).getRank() < 2)
      return error("SoftmaxCrossEntropyLoss needs scores of rank 2 or more");
    FailureOr<Value> lp = make<LogSoftmaxOp>(*x, b.getI64IntegerAttr(1));
    if (failed(lp))
      return failure();
    logProb = *lp;
    setOutput(n, 1, logProb);
  }
  return setResult(n, nllLoss(logProb, *target, *weight, ignore,
                              attrString(n, "reduction", "mean")));
}

void onnx_import::registerNNHandlers(HandlerTable &table) {
  const HandlerRow rows[] = {
      {"AveragePool", {&Importer::importPool, "1-D, 2-D and 3-D"}},
      {"BatchNormalization", {&Importer::importBatchNorm, "inference mode"}},
      {"Conv", {&Importer::importConv, "1-D, 2-D and 3-D"}},
      {"ConvTranspose",
       {&Importer::importConvTranspose, "1-D, 2-D and 3-D, static shapes"}},
      {"DepthToSpace", {&Importer::importDepthSpace, "static C, H, W"}},
      {"Dropout", {&Importer::importDropout, "inference mode"}},
      {"GlobalAveragePool", {&Importer::importGlobalPool, ""}},
      {"GlobalMaxPool", {&Importer::importGlobalPool, ""}},
      {"InstanceNormalization", {&Importer::importInstanceNorm, ""}},
      {"LRN", {&Importer::importLRN, "static channels"}},
      {"MeanVarianceNormalization", {&Importer::importMVN, ""}},
      {"LayerNormalization", {&Importer::importLayerNorm, ""}},
      {"LogSoftmax", {&Importer::importSoftmax, ""}},
      {"MaxPool",
       {&Importer::importPool, "1-D, 2-D and 3-D, no indices output"}},
      {"NegativeLogLikelihoodLoss", {&Importer::importNllLoss, "static classes"}},
      {"Softmax", {&Importer::importSoftmax, ""}},
      {"SoftmaxCrossEntropyLoss", {&Importer::importNllLoss, "static classes"}},
      {"SpaceToDepth", {&Importer::importDepthSpace, "static C, H, W"}},
  };
  addHandlers(table, rows);
}
