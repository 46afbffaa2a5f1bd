//===- FoldBatchNorm.cpp - Fold batch norms into convolutions -------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Kiln/IR/ElementsUtils.h"
#include "Kiln/IR/KilnOps.h"
#include "Kiln/IR/LayoutUtils.h"
#include "Kiln/Transforms/Passes.h"
#include "Kiln/Transforms/Remarks.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include <cmath>
#include <type_traits>

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNFOLDBATCHNORMPASS
#include "Kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
/// Reads a constant operand's float elements, or std::nullopt.
std::optional<SmallVector<double>> constantValues(Value value) {
  ElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  return readFloatElements(attr);
}

/// An inference batch norm as the per-channel affine map it computes,
/// bn(x) = a * x + s, with a = scale / sqrt(variance + epsilon) and
/// s = bias - mean * a; std::nullopt unless its parameters are constants of
/// `channels` values.
struct BatchNormAffine {
  SmallVector<double> a, s;

  static std::optional<BatchNormAffine> read(BatchNormOp bn,
                                             int64_t channels) {
    std::optional<SmallVector<double>> scale = constantValues(bn.getScale());
    std::optional<SmallVector<double>> beta = constantValues(bn.getBias());
    std::optional<SmallVector<double>> mean = constantValues(bn.getMean());
    std::optional<SmallVector<double>> var = constantValues(bn.getVariance());
    if (!scale || !beta || !mean || !var)
      return std::nullopt;
    for (const SmallVector<double> *v : {&*scale, &*beta, &*mean, &*var})
      if (static_cast<int64_t>(v->size()) != channels)
        return std::nullopt;
    double epsilon = bn.getEpsilon().convertToDouble();
    BatchNormAffine affine;
    for (int64_t c = 0; c < channels; ++c) {
      affine.a.push_back((*scale)[c] / std::sqrt((*var)[c] + epsilon));
      affine.s.push_back((*beta)[c] - (*mean)[c] * affine.a.back());
    }
    return affine;
  }
};

/// A convolution whose filter (and bias, if any) are constants, read.
struct ConstantConv {
  Conv2DOp conv;
  RankedTensorType filterType;
  SmallVector<double> filter;
  /// One per output channel; zeros without a bias.
  SmallVector<double> bias;
  int64_t channels;
  /// Output (and input) channel dims of the filter and of the result.
  int64_t filterOutputDim, filterInputDim, resultChannelDim;

  /// Reads `value`'s defining conv when it has no other user and constant
  /// weights.
  static std::optional<ConstantConv> match(Value value) {
    auto conv = value.getDefiningOp<Conv2DOp>();
    if (!conv || !conv->hasOneUse())
      return std::nullopt;
    return read(conv);
  }

  /// Reads `conv`'s weights if they are constants.
  static std::optional<ConstantConv> read(Conv2DOp conv) {
    ConstantConv c;
    c.conv = conv;
    c.filterType = cast<RankedTensorType>(conv.getFilter().getType());
    if (!c.filterType.hasStaticShape())
      return std::nullopt;
    std::optional<SmallVector<double>> filter =
        constantValues(conv.getFilter());
    if (!filter)
      return std::nullopt;
    c.filter = std::move(*filter);
    FilterDims filterDims = getFilterDims(conv.getLayout());
    c.filterOutputDim = filterDims.output;
    c.filterInputDim = filterDims.input;
    c.resultChannelDim = getImageDims(conv.getLayout()).channel;
    c.channels = c.filterType.getDimSize(c.filterOutputDim);
    c.bias.assign(c.channels, 0.0);
    if (Value b = conv.getBias()) {
      std::optional<SmallVector<double>> values = constantValues(b);
      if (!values || static_cast<int64_t>(values->size()) != c.channels)
        return std::nullopt;
      c.bias = std::move(*values);
    }
    return c;
  }

  /// The row-major stride of the filter's dim `dim`.
  int64_t filterStride(int64_t dim) const {
    int64_t stride = 1;
    for (int64_t d = dim + 1; d < filterType.getRank(); ++d)
      stride *= filterType.getDimSize(d);
    return stride;
  }

  /// Multiplies each output channel's filter by `factor` (one per channel).
  void scaleOutputChannels(ArrayRef<double> factor) {
    int64_t stride = filterStride(filterOutputDim);
    for (int64_t i = 0, e = filter.size(); i < e; ++i)
      filter[i] *= factor[(i / stride) % channels];
  }

  /// Replaces `root` (the op the conv feeds, or the conv itself) by the
  /// conv with the current filter and bias, applied to `input`.
  void replace(PatternRewriter &rewriter, Operation *root, Value input,
               StringRef rewrite) {
    Location loc = root->getLoc();
    auto newFilter = ConstantOp::create(
        rewriter, loc, makeFloatElements(filterType, filter, "folded_filter"));
    auto biasType =
        RankedTensorType::get({channels}, filterType.getElementType());
    auto newBias = ConstantOp::create(
        rewriter, loc, makeFloatElements(biasType, bias, "folded_bias"));
    auto folded = Conv2DOp::create(
        rewriter, conv.getLoc(), root->getResult(0).getType(), input,
        newFilter, newBias, conv.getStridesAttr(), conv.getDilationsAttr(),
        conv.getPadsAttr(), conv.getGroupsAttr(), conv.getLayoutAttr());
    remarkRewrite(loc, "kiln-fold-batchnorm", rewrite);
    rewriter.replaceOp(root, folded.getResult());
    if (root != conv && conv->use_empty())
      rewriter.eraseOp(conv);
  }
};

struct FoldBatchNormIntoConv final : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    std::optional<ConstantConv> conv = ConstantConv::match(bn.getInput());
    if (!conv)
      return rewriter.notifyMatchFailure(
          bn, "input is not a single-use conv with constant weights");
    auto axis = static_cast<int64_t>(bn.getAxis());
    if (axis != conv->resultChannelDim && axis != conv->resultChannelDim - 4)
      return rewriter.notifyMatchFailure(bn, "not normalizing conv channels");
    std::optional<BatchNormAffine> affine =
        BatchNormAffine::read(bn, conv->channels);
    if (!affine)
      return rewriter.notifyMatchFailure(
          bn, "parameters are not constants, one per channel");
    // bn(W * x + b) = (a * W) * x + (a * b + s)
    for (int64_t c = 0; c < conv->channels; ++c)
      conv->bias[c] = conv->bias[c] * affine->a[c] + affine->s[c];
    conv->scaleOutputChannels(affine->a);
    conv->replace(rewriter, bn, conv->conv.getInput(), "batchnorm-folded");
    return success();
  }
};

/// The values of constant `value` if it holds one value per channel of a
/// result of type `resultType` whose channels are dim `channelDim` (every
/// other dim 1 after numpy alignment, or a single value), broadcast to
/// `channels` values.
std::optional<SmallVector<double>> perChannel(Value value,
                                              RankedTensorType resultType,
                                              int64_t channelDim,
                                              int64_t channels) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape() || type.getRank() > resultType.getRank())
    return std::nullopt;
  int64_t offset = resultType.getRank() - type.getRank();
  for (int64_t d = 0; d < type.getRank(); ++d) {
    int64_t size = type.getDimSize(d);
    if (size != 1 && !(d + offset == channelDim && size == channels))
      return std::nullopt;
  }
  std::optional<SmallVector<double>> values = constantValues(value);
  if (!values)
    return std::nullopt;
  if (values->size() == 1)
    values->assign(channels, values->front());
  return values;
}

/// `conv * c`, `conv / c`, `conv + c` and `conv - c` with `c` a constant per
/// output channel (a scalar included): the scale goes into the filter and
/// bias, the shift into the bias.
template <typename OpTy>
struct FoldScaleShiftIntoConv final : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  static constexpr bool kCommutative =
      std::is_same_v<OpTy, MulOp> || std::is_same_v<OpTy, AddOp>;
  static constexpr bool kScale =
      std::is_same_v<OpTy, MulOp> || std::is_same_v<OpTy, DivOp>;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    for (int side = 0; side < (kCommutative ? 2 : 1); ++side) {
      Value convValue = op->getOperand(side);
      Value constant = op->getOperand(1 - side);
      std::optional<ConstantConv> conv = ConstantConv::match(convValue);
      if (!conv || op.getType() != convValue.getType())
        continue;
      std::optional<SmallVector<double>> c =
          perChannel(constant, cast<RankedTensorType>(op.getType()),
                     conv->resultChannelDim, conv->channels);
      if (!c)
        continue;
      if constexpr (kScale) {
        if constexpr (std::is_same_v<OpTy, DivOp>) {
          if (llvm::is_contained(*c, 0.0))
            return rewriter.notifyMatchFailure(op, "division by zero");
          for (double &v : *c)
            v = 1.0 / v;
        }
        conv->scaleOutputChannels(*c);
        for (int64_t i = 0; i < conv->channels; ++i)
          conv->bias[i] *= (*c)[i];
        conv->replace(rewriter, op, conv->conv.getInput(), "scale-folded");
      } else {
        double sign = std::is_same_v<OpTy, SubOp> ? -1.0 : 1.0;
        for (int64_t i = 0; i < conv->channels; ++i)
          conv->bias[i] += sign * (*c)[i];
        conv->replace(rewriter, op, conv->conv.getInput(), "shift-folded");
      }
      return success();
    }
    return rewriter.notifyMatchFailure(
        op, "not a single-use conv with constant weights and a per-channel "
            "constant");
  }
};

/// A batch norm right before a convolution without padding:
/// conv(a * x + s) = conv'(x) with W'[o, i, ...] = W[o, i, ...] * a[i] and
/// b'[o] = b[o] + sum over i and the window of W[o, i, ...] * s[i]. Zero
/// padding would pad the normalized input with zeros, which the folded conv
/// cannot express, so padded convolutions are left alone.
struct FoldBatchNormIntoNextConv final : OpRewritePattern<Conv2DOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(Conv2DOp next,
                                PatternRewriter &rewriter) const override {
    auto bn = next.getInput().getDefiningOp<BatchNormOp>();
    if (!bn || !bn->hasOneUse())
      return rewriter.notifyMatchFailure(next, "input is not a batch norm");
    if (llvm::any_of(next.getPads(), [](int64_t p) { return p != 0; }))
      return rewriter.notifyMatchFailure(next, "padded convolution");
    std::optional<ConstantConv> conv = ConstantConv::read(next);
    if (!conv)
      return rewriter.notifyMatchFailure(next, "weights are not constant");
    auto axis = static_cast<int64_t>(bn.getAxis());
    if (axis != conv->resultChannelDim && axis != conv->resultChannelDim - 4)
      return rewriter.notifyMatchFailure(bn, "not normalizing channels");
    int64_t perGroup = conv->filterType.getDimSize(conv->filterInputDim);
    int64_t groups = static_cast<int64_t>(next.getGroups());
    std::optional<BatchNormAffine> affine =
        BatchNormAffine::read(bn, perGroup * groups);
    if (!affine)
      return rewriter.notifyMatchFailure(
          bn, "parameters are not constants, one per channel");
    // conv(a * x + s): each filter element scales by its input channel's
    // a, and adds its weight times that channel's s to its output's bias.
    int64_t outputStride = conv->filterStride(conv->filterOutputDim);
    int64_t inputStride = conv->filterStride(conv->filterInputDim);
    int64_t outputsPerGroup = conv->channels / groups;
    for (int64_t i = 0, e = conv->filter.size(); i < e; ++i) {
      int64_t o = (i / outputStride) % conv->channels;
      int64_t j = (i / inputStride) % perGroup;
      int64_t c = (o / outputsPerGroup) * perGroup + j;
      conv->bias[o] += conv->filter[i] * affine->s[c];
      conv->filter[i] *= affine->a[c];
    }
    conv->replace(rewriter, next, bn.getInput(), "batchnorm-into-next-conv");
    rewriter.eraseOp(bn);
    return success();
  }
};

struct KilnFoldBatchNormPass final
    : kiln::impl::KilnFoldBatchNormPassBase<KilnFoldBatchNormPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFoldBatchNormPatterns(patterns);
    // Count through the listener-free route: compare batch norms before/after.
    int64_t before = 0, after = 0;
    getOperation()->walk([&](BatchNormOp) { ++before; });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    getOperation()->walk([&](BatchNormOp) { ++after; });
    numFolded += before - after;
  }
};
} // namespace

void mlir::kiln::populateFoldBatchNormPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldBatchNormIntoConv, FoldBatchNormIntoNextConv,
               FoldScaleShiftIntoConv<MulOp>, FoldScaleShiftIntoConv<DivOp>,
               FoldScaleShiftIntoConv<AddOp>, FoldScaleShiftIntoConv<SubOp>>(
      patterns.getContext());
}
