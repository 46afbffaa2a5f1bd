//===- Quantize.cpp - int8 linear layers and matmuls ----------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Kiln/IR/ElementsUtils.h"
#include "Kiln/IR/KilnOps.h"
#include "Kiln/IR/LayoutUtils.h"
#include "Kiln/Transforms/Passes.h"
#include "Kiln/Transforms/Quantization.h"
#include "Kiln/Transforms/Remarks.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringSwitch.h"
#include <cfloat>
#include <cmath>
#include <limits>

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNQUANTIZEPASS
#include "Kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
enum class Mode { Dynamic, Static, WeightsOnly };
} // namespace

std::optional<QuantizationCandidate>
mlir::kiln::matchQuantizationCandidate(Operation *op,
                                       WeightResolver resolveWeight) {
  auto constantOf = [&](Value weight, ElementsAttr &attr) {
    if (resolveWeight) {
      attr = resolveWeight(weight);
      return static_cast<bool>(attr);
    }
    return matchPattern(weight, m_Constant(&attr));
  };
  if (auto enabled = op->getAttrOfType<BoolAttr>(kQuantizeAttrName);
      enabled && !enabled.getValue())
    return std::nullopt;
  QuantizationCandidate c;
  c.op = op;
  Value weight;
  if (auto linear = dyn_cast<LinearOp>(op)) {
    c.x = linear.getInput();
    weight = linear.getWeight();
    c.transposed = true;
    c.bias = linear.getBias();
  } else if (auto matmul = dyn_cast<MatmulOp>(op)) {
    if (matmul.getTransposeLhs())
      return std::nullopt;
    c.x = matmul.getLhs();
    weight = matmul.getRhs();
    c.transposed = matmul.getTransposeRhs();
  } else if (auto conv = dyn_cast<Conv2DOp>(op)) {
    // One group, static spatial sizes (the windows are static slices).
    auto xType = dyn_cast<RankedTensorType>(conv.getInput().getType());
    auto outType = dyn_cast<RankedTensorType>(conv.getResult().getType());
    c.filterType = dyn_cast<RankedTensorType>(conv.getFilter().getType());
    if (conv.getGroups() != 1 || !xType || !outType || !c.filterType ||
        !c.filterType.hasStaticShape() || !c.filterType.getElementType().isF32())
      return std::nullopt;
    ImageDims dims = getImageDims(conv.getLayout());
    for (int64_t d : {dims.channel, dims.height, dims.width})
      if (xType.isDynamicDim(d) || outType.isDynamicDim(d))
        return std::nullopt;
    FilterDims f = getFilterDims(conv.getLayout());
    c.isConv = true;
    c.nhwc = conv.getLayout() == Layout::NHWC;
    c.x = conv.getInput();
    weight = conv.getFilter();
    c.bias = conv.getBias();
    int64_t k = c.filterType.getDimSize(f.input) *
                c.filterType.getDimSize(f.height) *
                c.filterType.getDimSize(f.width);
    c.weightType = RankedTensorType::get(
        {k, c.filterType.getDimSize(f.output)}, c.filterType.getElementType());
    if (!constantOf(weight, c.weight) ||
        !xType.getElementType().isF32())
      return std::nullopt;
    return c;
  } else {
    return std::nullopt;
  }
  auto xType = dyn_cast<RankedTensorType>(c.x.getType());
  c.weightType = dyn_cast<RankedTensorType>(weight.getType());
  if (!xType || !c.weightType || xType.getRank() < 2 ||
      !xType.getElementType().isF32() || c.weightType.getRank() != 2 ||
      !c.weightType.hasStaticShape() ||
      !c.weightType.getElementType().isF32() ||
      !constantOf(weight, c.weight))
    return std::nullopt;
  return c;
}

std::optional<QuantizedWeights>
mlir::kiln::quantizeWeights(const QuantizationCandidate &c,
                            ArrayRef<double> scales) {
  std::optional<SmallVector<double>> w = readFloatElements(c.weight);
  int64_t n = c.numChannels(), k = c.reductionSize();
  if (!w || (!scales.empty() && static_cast<int64_t>(scales.size()) != n))
    return std::nullopt;
  QuantizedWeights q;
  q.values.resize(n * k);
  q.scales.resize(n);
  for (int64_t ch = 0; ch < n; ++ch) {
    double maxAbs = 0;
    for (int64_t i = 0; i < k; ++i) {
      double v = (*w)[c.sourceIndex(ch, i)];
      if (!std::isfinite(v))
        return std::nullopt;
      maxAbs = std::max(maxAbs, std::fabs(v));
    }
    // Prescribed scales (a QDQ model's) take the full int8 range.
    double scale = !scales.empty() ? scales[ch]
                   : maxAbs > 0    ? maxAbs / 127.0
                                   : 1.0;
    double lowest = scales.empty() ? -127.0 : -128.0;
    if (!(scale > 0) || !std::isfinite(scale))
      return std::nullopt;
    q.scales[ch] = scale;
    for (int64_t i = 0; i < k; ++i) {
      double v = std::nearbyint((*w)[c.sourceIndex(ch, i)] / scale);
      q.values[c.weightIndex(ch, i)] =
          static_cast<int8_t>(std::clamp(v, lowest, 127.0));
    }
  }
  return q;
}

ActivationQuantization ActivationQuantization::fromRange(double lo,
                                                         double hi) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  ActivationQuantization q;
  // f32 arithmetic, as the generated code's.
  q.scale = static_cast<float>(
      std::max((hi - lo) / 255.0, static_cast<double>(FLT_MIN)));
  float inverse = static_cast<float>(1.0 / q.scale);
  q.zeroPoint = std::clamp(
      static_cast<double>(std::nearbyint(static_cast<float>(-lo) * inverse)),
      0.0, 255.0);
  return q;
}

uint8_t ActivationQuantization::quantize(float x) const {
  float inverse = static_cast<float>(1.0 / scale);
  float v = std::nearbyint(x * inverse) + static_cast<float>(zeroPoint);
  return static_cast<uint8_t>(std::clamp(v, 0.0f, 255.0f));
}

/// The activations' quantization: `ui8 = clamp(round(x * inv) + zp, 0,
/// 255)` with `scale = 1 / inv`, as kiln values (0-d tensors).
namespace {
struct ActivationParams {
  Value scale, inverse, zeroPoint;
};
} // namespace

static Value scalarF32(OpBuilder &b, Location loc, double value) {
  auto type = RankedTensorType::get({}, b.getF32Type());
  return ConstantOp::create(
      b, loc, type,
      DenseElementsAttr::get(type, b.getF32FloatAttr(value).getValue()));
}

/// Scale and zero point from the tensor's range at run time: the range is
/// widened to hold 0 (which must quantize exactly), split in 255 steps.
static ActivationParams dynamicParams(OpBuilder &b, Location loc, Value x) {
  auto all = b.getDenseI64ArrayAttr({});
  auto noKeep = b.getBoolAttr(false);
  Value zero = scalarF32(b, loc, 0.0);
  Value lo = MinOp::create(b, loc, ReduceMinOp::create(b, loc, x, all, noKeep),
                           zero);
  Value hi = MaxOp::create(b, loc, ReduceMaxOp::create(b, loc, x, all, noKeep),
                           zero);
  Value steps = MulOp::create(b, loc, SubOp::create(b, loc, hi, lo),
                              scalarF32(b, loc, 1.0 / 255.0));
  // An all-zero tensor has no range: any scale quantizes it exactly.
  Value scale = MaxOp::create(b, loc, steps, scalarF32(b, loc, FLT_MIN));
  Value inverse = DivOp::create(b, loc, scalarF32(b, loc, 1.0), scale);
  Value zp = RoundOp::create(
      b, loc, NegOp::create(b, loc, MulOp::create(b, loc, lo, inverse)));
  zp = ClampOp::create(b, loc, zp.getType(), zp, b.getF64FloatAttr(0),
                       b.getF64FloatAttr(255));
  return {scale, inverse, zp};
}

/// The windows of the (padded) image `xq` as rows of a matrix: one slice
/// per kernel tap, concatenated along the channels (K ordered kh, kw, c),
/// then [N * OH * OW, K].
static Value im2col(OpBuilder &b, Location loc, Conv2DOp conv, Value xq) {
  auto outType = cast<RankedTensorType>(conv.getResult().getType());
  auto filterType = cast<RankedTensorType>(conv.getFilter().getType());
  ImageDims dims = getImageDims(conv.getLayout());
  FilterDims f = getFilterDims(conv.getLayout());
  ArrayRef<int64_t> strides = conv.getStrides(), dilations = conv.getDilations();
  int64_t oh = outType.getDimSize(dims.height),
          ow = outType.getDimSize(dims.width);
  SmallVector<Value> taps;
  for (int64_t kh = 0; kh < filterType.getDimSize(f.height); ++kh)
    for (int64_t kw = 0; kw < filterType.getDimSize(f.width); ++kw) {
      SmallVector<int64_t> starts(4, 0), steps(4, 1),
          ends(4, std::numeric_limits<int64_t>::max());
      starts[dims.height] = kh * dilations[0];
      ends[dims.height] = starts[dims.height] + (oh - 1) * strides[0] + 1;
      steps[dims.height] = strides[0];
      starts[dims.width] = kw * dilations[1];
      ends[dims.width] = starts[dims.width] + (ow - 1) * strides[1] + 1;
      steps[dims.width] = strides[1];
      taps.push_back(SliceOp::create(b, loc, xq, b.getDenseI64ArrayAttr(starts),
                                     b.getDenseI64ArrayAttr(ends),
                                     b.getDenseI64ArrayAttr(steps)));
    }
  Value cols = taps.size() == 1
                   ? taps.front()
                   : ConcatOp::create(b, loc, taps, dims.channel).getResult();
  if (conv.getLayout() == Layout::NCHW)
    cols = TransposeOp::create(b, loc, cols,
                               b.getDenseI64ArrayAttr({0, 2, 3, 1}));
  int64_t k = cast<RankedTensorType>(cols.getType()).getDimSize(3);
  return ReshapeOp::create(b, loc, cols, b.getDenseI64ArrayAttr({-1, k}));
}

/// Replaces `c.op` by the int8 contraction and its float epilogue.
static void rewrite(OpBuilder &b, const QuantizationCandidate &c,
                    const QuantizedWeights &weights,
                    const ActivationParams &params) {
  Location loc = c.op->getLoc();
  MLIRContext *ctx = b.getContext();
  Type ui8 = IntegerType::get(ctx, 8, IntegerType::Unsigned);
  // A convolution's padding is applied to the float input, so that it
  // quantizes to the zero point exactly.
  Value x = c.x;
  auto conv = dyn_cast<Conv2DOp>(c.op);
  if (conv && llvm::any_of(conv.getPads(), [](int64_t p) { return p != 0; })) {
    ImageDims dims = getImageDims(conv.getLayout());
    ArrayRef<int64_t> pads = conv.getPads();
    SmallVector<int64_t> low(4, 0), high(4, 0);
    low[dims.height] = pads[0];
    low[dims.width] = pads[1];
    high[dims.height] = pads[2];
    high[dims.width] = pads[3];
    x = PadOp::create(b, loc, x, b.getDenseI64ArrayAttr(low),
                      b.getDenseI64ArrayAttr(high), b.getF64FloatAttr(0));
  }
  auto xType = cast<RankedTensorType>(x.getType());
  // x -> ui8
  Value scaled = RoundOp::create(b, loc, MulOp::create(b, loc, x,
                                                       params.inverse));
  Value shifted = AddOp::create(b, loc, scaled, params.zeroPoint);
  Value clamped = ClampOp::create(b, loc, shifted.getType(), shifted,
                                  b.getF64FloatAttr(0), b.getF64FloatAttr(255));
  Value xq = CastOp::create(b, loc, xType.clone(ui8), clamped);
  if (conv)
    xq = im2col(b, loc, conv, xq);
  Value zpq = CastOp::create(b, loc, RankedTensorType::get({}, ui8),
                             params.zeroPoint);
  // The weights, as an i8 constant of their own layout.
  auto wqType =
      RankedTensorType::get(c.weightType.getShape(), b.getI8Type());
  Value wq = ConstantOp::create(
      b, loc, wqType,
      makeElementsFromBytes(
          wqType,
          ArrayRef<char>(reinterpret_cast<const char *>(weights.values.data()),
                         weights.values.size()),
          "kiln_quantized"));
  Value acc = MatmulIntegerOp::create(b, loc, xq, wq, zpq, /*rhs_zero_point=*/
                                      Value(), c.transposed);
  auto accType = cast<RankedTensorType>(acc.getType());
  Value result = CastOp::create(b, loc, accType.clone(b.getF32Type()), acc);
  // float(acc) * (scale_x * scale_w[n]) (+ bias)
  auto scalesType = RankedTensorType::get(
      {static_cast<int64_t>(weights.scales.size())}, b.getF32Type());
  Value weightScales = ConstantOp::create(
      b, loc, scalesType,
      makeFloatElements(scalesType, weights.scales, "kiln_quantized_scales"));
  Value multiplier = MulOp::create(b, loc, params.scale, weightScales);
  result = MulOp::create(b, loc, result, multiplier);
  if (c.bias)
    result = AddOp::create(b, loc, result, c.bias);
  if (conv) {
    // [N * OH * OW, F] back to the image.
    auto outType = cast<RankedTensorType>(conv.getResult().getType());
    ImageDims dims = getImageDims(conv.getLayout());
    SmallVector<int64_t> nhwc = {-1, outType.getDimSize(dims.height),
                                 outType.getDimSize(dims.width),
                                 outType.getDimSize(dims.channel)};
    result = ReshapeOp::create(b, loc, result, b.getDenseI64ArrayAttr(nhwc));
    if (conv.getLayout() == Layout::NCHW)
      result = TransposeOp::create(b, loc, result,
                                   b.getDenseI64ArrayAttr({0, 3, 1, 2}));
  }
  c.op->getResult(0).replaceAllUsesWith(result);
  c.op->erase();
}

void mlir::kiln::rewriteQuantized(OpBuilder &b, const QuantizationCandidate &c,
                                  const QuantizedWeights &weights,
                                  const ActivationQuantization &activations) {
  b.setInsertionPoint(c.op);
  Location loc = c.op->getLoc();
  rewrite(b, c, weights,
          {scalarF32(b, loc, activations.scale),
           scalarF32(b, loc, static_cast<float>(1.0 / activations.scale)),
           scalarF32(b, loc, activations.zeroPoint)});
}

/// Weight-only int8: the op keeps its float computation, on weights stored
/// as int8 in their own layout and dequantized (times one scale per output
/// channel) when it runs.
static void dequantizeWeightsAtRunTime(OpBuilder &b,
                                       const QuantizationCandidate &c,
                                       const QuantizedWeights &weights) {
  b.setInsertionPoint(c.op);
  Location loc = c.op->getLoc();
  RankedTensorType sourceType =
      c.isConv ? c.filterType
               : RankedTensorType::get(c.weightType.getShape(),
                                       c.weightType.getElementType());
  SmallVector<int8_t> source(weights.values.size());
  for (int64_t ch = 0, n = c.numChannels(); ch < n; ++ch)
    for (int64_t k = 0, e = c.reductionSize(); k < e; ++k)
      source[c.sourceIndex(ch, k)] = weights.values[c.weightIndex(ch, k)];
  auto i8Type = RankedTensorType::get(sourceType.getShape(), b.getI8Type());
  Value stored = ConstantOp::create(
      b, loc, i8Type,
      makeElementsFromBytes(
          i8Type,
          ArrayRef<char>(reinterpret_cast<const char *>(source.data()),
                         source.size()),
          "kiln_quantized"));
  // The scales along the output-channel dim, 1 elsewhere.
  SmallVector<int64_t> scaleShape(sourceType.getRank(), 1);
  scaleShape[c.outputChannelAxis()] = c.numChannels();
  auto scaleType = RankedTensorType::get(scaleShape, b.getF32Type());
  Value scales = ConstantOp::create(
      b, loc, scaleType,
      makeFloatElements(scaleType, weights.scales, "kiln_quantized_scales"));
  Value dequantized = MulOp::create(
      b, loc, CastOp::create(b, loc, sourceType, stored), scales);
  c.op->setOperand(1, dequantized);
}

namespace {
struct KilnQuantizePass final
    : kiln::impl::KilnQuantizePassBase<KilnQuantizePass> {
  using Base::Base;

  void runOnOperation() override {
    std::optional<Mode> parsed =
        llvm::StringSwitch<std::optional<Mode>>(mode)
            .Case("int8-dynamic", Mode::Dynamic)
            .Case("int8", Mode::Static)
            .Case("int8-weights", Mode::WeightsOnly)
            .Default(std::nullopt);
    if (!parsed) {
      getOperation().emitError("kiln-quantize: unknown mode '")
          << mode << "' (expected int8-dynamic, int8 or int8-weights)";
      return signalPassFailure();
    }
    // The candidates are matched again as they are rewritten: one's input
    // may be an earlier one's result, which its rewrite replaces.
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (matchQuantizationCandidate(op))
        ops.push_back(op);
    });
    OpBuilder b(&getContext());
    for (Operation *op : ops) {
      QuantizationCandidate c = *matchQuantizationCandidate(op);
      std::optional<QuantizedWeights> weights = quantizeWeights(c);
      if (!weights)
        continue; // weights that are not finite, or not readable, stay f32
      Location loc = c.op->getLoc();
      if (*parsed == Mode::WeightsOnly) {
        remarkRewrite(loc, getArgument(), "quantized-int8-weights");
        dequantizeWeightsAtRunTime(b, c, *weights);
        continue;
      }
      if (*parsed == Mode::Dynamic) {
        remarkRewrite(loc, getArgument(), "quantized-int8-dynamic");
        b.setInsertionPoint(c.op);
        rewrite(b, c, *weights, dynamicParams(b, loc, c.x));
        continue;
      }
      auto range =
          c.op->getAttrOfType<DenseF64ArrayAttr>(kCalibratedRangeAttrName);
      if (!range || range.size() != 2 || !std::isfinite(range[0]) ||
          !std::isfinite(range[1]) || range[0] > range[1])
        continue; // not calibrated: stays f32
      remarkRewrite(loc, getArgument(), "quantized-int8");
      rewriteQuantized(b, c, *weights,
                       ActivationQuantization::fromRange(range[0], range[1]));
    }
  }
};
} // namespace
