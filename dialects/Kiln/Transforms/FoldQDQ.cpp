//===- FoldQDQ.cpp - Quantize/dequantize pairs into int8 contractions -----===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Kiln/IR/KilnOps.h"
#include "Kiln/IR/LayoutUtils.h"
#include "Kiln/Transforms/Passes.h"
#include "Kiln/Transforms/Quantization.h"
#include "Kiln/Transforms/Remarks.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Matchers.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNFOLDQDQPASS
#include "Kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

/// The per-channel scales of weights quantized symmetrically to int8 along
/// their output channels, from the quantized type of a QDQ pair.
static std::optional<SmallVector<double>>
weightScales(const QuantizationCandidate &c, quant::QuantizedType type) {
  if (!type.isSigned() || type.getStorageTypeIntegralWidth() != 8)
    return std::nullopt;
  int64_t channels = c.numChannels();
  if (auto uniform = dyn_cast<quant::UniformQuantizedType>(type)) {
    if (uniform.getZeroPoint() != 0)
      return std::nullopt;
    return SmallVector<double>(channels, uniform.getScale());
  }
  auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(type);
  if (!perAxis || perAxis.getQuantizedDimension() != c.outputChannelAxis() ||
      static_cast<int64_t>(perAxis.getScales().size()) != channels ||
      llvm::any_of(perAxis.getZeroPoints(), [](int64_t z) { return z; }))
    return std::nullopt;
  return SmallVector<double>(perAxis.getScales());
}

/// The per-tensor quantization the values of `x` lie on: a dequantize's,
/// seen through ops that keep values on its grid (relu, max pooling and
/// data movement).
static quant::UniformQuantizedType activationGrid(Value x) {
  while (Operation *def = x.getDefiningOp()) {
    if (auto dq = dyn_cast<DequantizeOp>(def)) {
      auto type = dyn_cast<quant::UniformQuantizedType>(
          getElementTypeOrSelf(dq.getInput().getType()));
      if (!type || type.getStorageTypeIntegralWidth() != 8)
        return {};
      return type;
    }
    auto pool = dyn_cast<Pool2DOp>(def);
    if (!isa<ReluOp, ReshapeOp, TransposeOp, SliceOp>(def) &&
        !(pool && pool.getKind() == PoolKind::Max &&
          llvm::all_of(pool.getPads(), [](int64_t p) { return p == 0; })))
      return {};
    x = def->getOperand(0);
  }
  return {};
}

namespace {
struct KilnFoldQDQPass final
    : kiln::impl::KilnFoldQDQPassBase<KilnFoldQDQPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<LinearOp, MatmulOp, Conv2DOp>(op))
        ops.push_back(op);
    });
    OpBuilder b(&getContext());
    for (Operation *op : ops) {
      // Weights given as dequantize(quantize(constant)).
      quant::QuantizedType weightType;
      auto resolve = [&](Value w) -> ElementsAttr {
        auto dq = w.getDefiningOp<DequantizeOp>();
        auto q = dq ? dq.getInput().getDefiningOp<QuantizeOp>() : QuantizeOp();
        ElementsAttr attr;
        if (!q || !matchPattern(q.getInput(), m_Constant(&attr)))
          return {};
        weightType = cast<quant::QuantizedType>(
            getElementTypeOrSelf(q.getResult().getType()));
        return attr;
      };
      std::optional<QuantizationCandidate> c =
          matchQuantizationCandidate(op, resolve);
      if (!c)
        continue;
      std::optional<SmallVector<double>> scales = weightScales(*c, weightType);
      quant::UniformQuantizedType grid = activationGrid(c->x);
      if (!scales || !grid)
        continue; // stays float, with its fake quantization
      std::optional<QuantizedWeights> weights = quantizeWeights(*c, *scales);
      if (!weights)
        continue;
      double lo = (grid.getStorageTypeMin() - grid.getZeroPoint()) *
                  grid.getScale();
      double hi = (grid.getStorageTypeMax() - grid.getZeroPoint()) *
                  grid.getScale();
      remarkRewrite(op->getLoc(), getArgument(), "folded-qdq-int8");
      rewriteQuantized(b, *c, *weights,
                       ActivationQuantization::fromRange(lo, hi));
    }
  }
};
} // namespace
