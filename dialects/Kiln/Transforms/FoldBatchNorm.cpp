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

struct FoldBatchNormIntoConv final : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto conv = bn.getInput().getDefiningOp<Conv2DOp>();
    if (!conv || !conv->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "input is not a single-use conv");
    int64_t channelDim = getImageDims(conv.getLayout()).channel;
    int64_t outputDim = getFilterDims(conv.getLayout()).output;
    auto axis = static_cast<int64_t>(bn.getAxis());
    if (axis != channelDim && axis != channelDim - 4)
      return rewriter.notifyMatchFailure(bn, "not normalizing conv channels");
    auto filterType = cast<RankedTensorType>(conv.getFilter().getType());
    if (!filterType.hasStaticShape())
      return rewriter.notifyMatchFailure(conv, "dynamic filter shape");

    std::optional<SmallVector<double>> filter =
        constantValues(conv.getFilter());
    std::optional<SmallVector<double>> scale = constantValues(bn.getScale());
    std::optional<SmallVector<double>> beta = constantValues(bn.getBias());
    std::optional<SmallVector<double>> mean = constantValues(bn.getMean());
    std::optional<SmallVector<double>> var = constantValues(bn.getVariance());
    if (!filter || !scale || !beta || !mean || !var)
      return rewriter.notifyMatchFailure(bn, "parameters are not constant");
    int64_t channels = filterType.getDimSize(outputDim);
    SmallVector<double> bias(channels, 0.0);
    if (Value b = conv.getBias()) {
      std::optional<SmallVector<double>> values = constantValues(b);
      if (!values)
        return rewriter.notifyMatchFailure(conv, "bias is not constant");
      bias = std::move(*values);
    }
    for (const SmallVector<double> *v : {&*scale, &*beta, &*mean, &*var, &bias})
      if (static_cast<int64_t>(v->size()) != channels)
        return rewriter.notifyMatchFailure(bn, "parameter size mismatch");

    double epsilon = bn.getEpsilon().convertToDouble();
    SmallVector<double> factor(channels);
    for (int64_t c = 0; c < channels; ++c) {
      factor[c] = (*scale)[c] / std::sqrt((*var)[c] + epsilon);
      bias[c] = (bias[c] - (*mean)[c]) * factor[c] + (*beta)[c];
    }
    // Scale each filter element by the factor of its output channel; in the
    // row-major filter, consecutive output channels are `stride` apart.
    int64_t stride = 1;
    for (int64_t d = outputDim + 1; d < filterType.getRank(); ++d)
      stride *= filterType.getDimSize(d);
    for (int64_t i = 0, e = filter->size(); i < e; ++i)
      (*filter)[i] *= factor[(i / stride) % channels];

    Location loc = bn.getLoc();
    auto newFilter = ConstantOp::create(
        rewriter, loc, makeFloatElements(filterType, *filter, "folded_filter"));
    auto biasType =
        RankedTensorType::get({channels}, filterType.getElementType());
    auto newBias = ConstantOp::create(
        rewriter, loc, makeFloatElements(biasType, bias, "folded_bias"));
    auto folded = Conv2DOp::create(
        rewriter, conv.getLoc(), bn.getType(), conv.getInput(), newFilter,
        newBias, conv.getStridesAttr(), conv.getDilationsAttr(),
        conv.getPadsAttr(), conv.getGroupsAttr(), conv.getLayoutAttr());
    remarkRewrite(bn.getLoc(), "kiln-fold-batchnorm", "batchnorm-folded");
    rewriter.replaceOp(bn, folded.getResult());
    rewriter.eraseOp(conv);
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
  patterns.add<FoldBatchNormIntoConv>(patterns.getContext());
}
