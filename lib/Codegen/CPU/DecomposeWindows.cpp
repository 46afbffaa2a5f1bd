//===- DecomposeWindows.cpp - Depthwise convolutions and pooling as taps --===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"

#include "Kiln/IR/KilnOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/LoopLikeInterface.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUDECOMPOSEWINDOWSPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// Where a windowed op keeps its dims.
struct WindowLayout {
  /// NHWC (channels innermost) rather than NCHW.
  bool channelsLast;
  /// The second input is a filter ([C, KH, KW] or [KH, KW, C]) rather than
  /// a pooling window shape ([KH, KW]).
  bool hasFilter;
};

std::optional<WindowLayout> getLayout(Operation *op) {
  if (isa<linalg::DepthwiseConv2DNchwChwOp>(op))
    return WindowLayout{false, true};
  if (isa<linalg::DepthwiseConv2DNhwcHwcOp>(op))
    return WindowLayout{true, true};
  if (isa<linalg::PoolingNchwMaxOp, linalg::PoolingNchwSumOp>(op))
    return WindowLayout{false, false};
  if (isa<linalg::PoolingNhwcMaxOp, linalg::PoolingNhwcSumOp>(op))
    return WindowLayout{true, false};
  return std::nullopt;
}

SmallVector<int64_t> getInts(Attribute attr) {
  SmallVector<int64_t> values;
  if (auto dense = dyn_cast_or_null<DenseIntElementsAttr>(attr))
    for (const APInt &v : dense.getValues<APInt>())
      values.push_back(v.getSExtValue());
  return values;
}

/// Rewrites `op` into one elementwise generic over its output whose inputs
/// are the windows of its taps; fails (leaving `op` alone) when it does not
/// apply.
LogicalResult decompose(RewriterBase &rewriter, linalg::LinalgOp op,
                        WindowLayout layout, int64_t maxTaps) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1)
    return failure();
  Value input = op.getDpsInputs()[0];
  Value second = op.getDpsInputs()[1];
  Value init = op.getDpsInits()[0];
  auto secondType = dyn_cast<RankedTensorType>(second.getType());
  auto initType = dyn_cast<RankedTensorType>(init.getType());
  if (!secondType || !initType || initType.getRank() != 4)
    return failure();
  // Window extents: [C, KH, KW], [KH, KW, C] or [KH, KW].
  int64_t khDim = layout.hasFilter && !layout.channelsLast ? 1 : 0;
  int64_t kh = secondType.getDimSize(khDim);
  int64_t kw = secondType.getDimSize(khDim + 1);
  if (ShapedType::isDynamic(kh) || ShapedType::isDynamic(kw) ||
      kh * kw > maxTaps)
    return failure();
  SmallVector<int64_t> strides = getInts(op->getAttr("strides"));
  SmallVector<int64_t> dilations = getInts(op->getAttr("dilations"));
  if (strides.size() != 2 || dilations.size() != 2)
    return failure();

  // The body combines (input, filter or window, accumulator); a pooling
  // body must not read the window operand, which has no per-tap value.
  Block *body = op.getBlock();
  if (body->getNumArguments() != 3 ||
      (!layout.hasFilter && !body->getArgument(1).use_empty()))
    return failure();

  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  SmallVector<OpFoldResult> outSizes =
      tensor::getMixedSizes(rewriter, loc, init);
  // The output's spatial dims and the channel dim.
  int64_t hDim = layout.channelsLast ? 1 : 2;
  int64_t cDim = layout.channelsLast ? 3 : 1;
  SmallVector<Value> windows, taps;
  for (int64_t i = 0; i < kh; ++i) {
    for (int64_t j = 0; j < kw; ++j) {
      SmallVector<OpFoldResult> offsets(4, rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> steps(4, rewriter.getIndexAttr(1));
      offsets[hDim] = rewriter.getIndexAttr(i * dilations[0]);
      offsets[hDim + 1] = rewriter.getIndexAttr(j * dilations[1]);
      steps[hDim] = rewriter.getIndexAttr(strides[0]);
      steps[hDim + 1] = rewriter.getIndexAttr(strides[1]);
      windows.push_back(tensor::ExtractSliceOp::create(
          rewriter, loc, input, offsets, outSizes, steps));
      if (!layout.hasFilter)
        continue;
      // The tap's filter values over the channels, as a 1-D tensor.
      SmallVector<OpFoldResult> fOffsets(3, rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> fSizes(3, rewriter.getIndexAttr(1));
      SmallVector<OpFoldResult> fSteps(3, rewriter.getIndexAttr(1));
      int64_t fc = layout.channelsLast ? 2 : 0;
      fOffsets[khDim] = rewriter.getIndexAttr(i);
      fOffsets[khDim + 1] = rewriter.getIndexAttr(j);
      fSizes[fc] = tensor::getMixedSize(rewriter, loc, second, fc);
      auto tapType = RankedTensorType::get({secondType.getDimSize(fc)},
                                           secondType.getElementType());
      taps.push_back(tensor::ExtractSliceOp::create(
          rewriter, loc, tapType, second, fOffsets, fSizes, fSteps));
    }
  }

  MLIRContext *ctx = rewriter.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(4, ctx);
  AffineMap channel = AffineMap::get(4, 0, getAffineDimExpr(cDim, ctx));
  SmallVector<AffineMap> maps(windows.size(), identity);
  maps.append(taps.size(), channel);
  maps.push_back(identity);
  SmallVector<Value> inputs = windows;
  llvm::append_range(inputs, taps);
  SmallVector<utils::IteratorType> iterators(4, utils::IteratorType::parallel);
  int64_t numTaps = kh * kw;
  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{initType}, inputs, ValueRange{init}, maps,
      iterators, [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
        Value acc = args.back();
        for (int64_t t = 0; t < numTaps; ++t) {
          IRMapping mapping;
          mapping.map(body->getArgument(0), args[t]);
          if (layout.hasFilter)
            mapping.map(body->getArgument(1), args[numTaps + t]);
          mapping.map(body->getArgument(2), acc);
          for (Operation &bodyOp : body->without_terminator())
            b.clone(bodyOp, mapping);
          acc = mapping.lookupOrDefault(
              body->getTerminator()->getOperand(0));
        }
        linalg::YieldOp::create(b, bodyLoc, acc);
      });
  rewriter.replaceOp(op, generic.getResults());
  return success();
}

struct KilnCPUDecomposeWindowsPass final
    : kiln::impl::KilnCPUDecomposeWindowsPassBase<
          KilnCPUDecomposeWindowsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<std::pair<linalg::LinalgOp, WindowLayout>> candidates;
    getOperation().walk([&](linalg::LinalgOp op) {
      // An op a user schedule moved into loops is the schedule's.
      if (kiln::isInScheduleLoop(op))
        return;
      if (std::optional<WindowLayout> layout = getLayout(op))
        candidates.push_back({op, *layout});
    });
    IRRewriter rewriter(&getContext());
    for (auto [op, layout] : candidates)
      (void)decompose(rewriter, op, layout, maxTaps);
  }
};

} // namespace
