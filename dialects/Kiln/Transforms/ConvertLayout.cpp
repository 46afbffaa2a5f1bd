//===- ConvertLayout.cpp - Convert image ops to one layout ----------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Puts every convolution and pooling in one layout (NHWC or NCHW), then moves
// the transposes that brings in out of the way until they meet and cancel:
//
//  1. Each conv2d, pool2d and global_avg_pool in the other layout becomes
//     transpose-in, the op in the chosen layout, transpose-back. A conv's
//     constant filter is transposed too (kiln-fold-constants then computes
//     it at compile time).
//  2. Transposes back to the old layout sink through the ops between image
//     ops: elementwise ops (a constant or scalar other operand is
//     transposed instead, at compile time), batch norms, softmaxes,
//     reductions that keep their dims, concats and pads, each with its axes
//     renumbered. When one reaches the next image op's transpose-in, the two
//     compose to the identity and vanish; one that moves only size-1 dims is
//     a reshape.
//
// What is left is a transpose where the graph takes its images in and one
// where it hands a result out, or where an op the pass does not know (a
// reshape of a real image, a slice) reads the old layout.
//
// `auto` picks the layout with a cost model of the target (see
// chooseLayout()).
//
//===----------------------------------------------------------------------===//

#include "Kiln/IR/KilnInterfaces.h"
#include "Kiln/IR/KilnOps.h"
#include "Kiln/IR/LayoutUtils.h"
#include "Kiln/IR/ShapeUtils.h"
#include "Kiln/Transforms/Passes.h"
#include "Kiln/Transforms/Remarks.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringSwitch.h"
#include <array>

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCONVERTLAYOUTPASS
#include "Kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
constexpr StringLiteral kPass = "kiln-convert-layout";

/// The permutation that takes dims at positions `from` to positions `to`
/// (`result dim i = input dim perm[i]`, as kiln.transpose).
SmallVector<int64_t, 4> permBetween(std::array<int64_t, 4> from,
                                    std::array<int64_t, 4> to) {
  SmallVector<int64_t, 4> perm(4);
  for (auto [f, t] : llvm::zip_equal(from, to))
    perm[t] = f;
  return perm;
}

/// The permutation that takes an image in `from` to `to`.
SmallVector<int64_t, 4> imagePerm(Layout from, Layout to) {
  auto dims = [](Layout layout) -> std::array<int64_t, 4> {
    ImageDims d = getImageDims(layout);
    return {d.batch, d.channel, d.height, d.width};
  };
  return permBetween(dims(from), dims(to));
}

/// The same for a conv2d filter.
SmallVector<int64_t, 4> filterPerm(Layout from, Layout to) {
  auto dims = [](Layout layout) -> std::array<int64_t, 4> {
    FilterDims d = getFilterDims(layout);
    return {d.output, d.input, d.height, d.width};
  };
  return permBetween(dims(from), dims(to));
}

RankedTensorType permuteType(RankedTensorType type, ArrayRef<int64_t> perm) {
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  return RankedTensorType::get(shape, type.getElementType(),
                               type.getEncoding());
}

Value transpose(PatternRewriter &rewriter, Location loc, Value value,
                ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(value.getType());
  return TransposeOp::create(rewriter, loc, permuteType(type, perm), value,
                             rewriter.getDenseI64ArrayAttr(perm));
}

//===----------------------------------------------------------------------===//
// 1. Image ops into the chosen layout
//===----------------------------------------------------------------------===//

/// Rewrites an image op whose layout is not `target`: its image operand is
/// transposed in and its result back.
template <typename OpTy>
struct ConvertImageOp final : OpRewritePattern<OpTy> {
  ConvertImageOp(MLIRContext *context, Layout target)
      : OpRewritePattern<OpTy>(context), target(target) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Layout from = op.getLayout();
    if (from == target)
      return failure();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    if (inputType.getRank() != 4 || resultType.getRank() != 4)
      return rewriter.notifyMatchFailure(op, "not a 4-D image");
    Location loc = op.getLoc();
    SmallVector<int64_t, 4> in = imagePerm(from, target);
    SmallVector<int64_t, 4> back = imagePerm(target, from);
    Value input = transpose(rewriter, loc, op.getInput(), in);
    Value filter;
    if constexpr (std::is_same_v<OpTy, Conv2DOp>)
      filter =
          transpose(rewriter, loc, op.getFilter(), filterPerm(from, target));
    Operation *converted = rewriter.clone(*op);
    rewriter.modifyOpInPlace(converted, [&] {
      converted->setOperand(0, input);
      if (filter)
        converted->setOperand(1, filter);
      converted->setAttr("layout", LayoutAttr::get(op.getContext(), target));
      converted->getResult(0).setType(permuteType(resultType, in));
    });
    remarkRewrite(loc, kPass,
                  target == Layout::NHWC ? "to-nhwc" : "to-nchw");
    rewriter.replaceOp(op,
                       transpose(rewriter, loc, converted->getResult(0), back));
    return success();
  }

  Layout target;
};

//===----------------------------------------------------------------------===//
// 2. Transposes back sink until they cancel
//===----------------------------------------------------------------------===//

/// The transpose by `perm` that defines `value`, if any.
TransposeOp getTransposeBy(Value value, ArrayRef<int64_t> perm) {
  auto t = value.getDefiningOp<TransposeOp>();
  return t && t.getPerm() == perm ? t : TransposeOp();
}

/// Sinks `perm` transposes below the ops that do not care about the order
/// of dims (or whose axes can be renumbered).
struct SinkTranspose final : RewritePattern {
  SinkTranspose(MLIRContext *context, ArrayRef<int64_t> perm)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context),
        perm(perm) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isa_and_nonnull<KilnDialect>(op->getDialect()) ||
        op->getNumResults() != 1 || op->getNumRegions() != 0 ||
        isa<TransposeOp, ConstantOp, BroadcastToOp, QuantizeOp, DequantizeOp>(
            op))
      return failure();
    auto resultType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!resultType || resultType.getRank() != 4)
      return failure();
    SmallVector<int64_t> inverse = invertPermutationVector(perm);
    bool elementwise =
        op->hasTrait<kiln::SameShapeDimEqualities>() ||
        op->hasTrait<kiln::BroadcastDimEqualities>();
    // A gather by a 1-D index list (a resize, as the ONNX importer writes
    // one: a gather per tap along each resized axis) keeps its rank.
    bool axisOp = isa<BatchNormOp, SoftmaxOp, LogSoftmaxOp, ConcatOp, PadOp,
                      ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ReduceMinOp,
                      ReduceProdOp, GatherOp>(op);
    if (isa<SoftmaxOp, LogSoftmaxOp>(op))
      elementwise = false;
    if (!elementwise && !axisOp)
      return failure();
    if (!keepsDims(op))
      return failure();

    // What becomes of each operand: one transposed by `perm` is read
    // before the transpose; batch_norm's per-channel parameters and, for
    // elementwise ops, a single value (it broadcasts the same in any order)
    // stay; an elementwise op's other constant is transposed the other
    // way. Nothing is created before the pattern knows it applies: a
    // failing pattern must leave the IR alone.
    enum class Use { Sunk, Kept, Inverted };
    SmallVector<Use> uses;
    for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
      auto type = dyn_cast<RankedTensorType>(operand.getType());
      if (getTransposeBy(operand, perm) && !(isa<GatherOp>(op) && i > 0))
        uses.push_back(Use::Sunk);
      else if (isa<BatchNormOp>(op) && i > 0)
        uses.push_back(Use::Kept);
      else if (isa<GatherOp>(op) && i == 1 && type && type.getRank() == 1)
        uses.push_back(Use::Kept);
      else if (!elementwise || !type || !type.hasStaticShape() ||
               type.getRank() > 4)
        return failure();
      else if (type.getNumElements() == 1)
        uses.push_back(Use::Kept);
      else if (matchPattern(operand, m_Constant()))
        uses.push_back(Use::Inverted);
      else
        return failure();
    }
    if (!llvm::is_contained(uses, Use::Sunk))
      return failure();

    SmallVector<Value> operands;
    for (auto [operand, use] : llvm::zip_equal(op->getOperands(), uses)) {
      if (use == Use::Sunk) {
        operands.push_back(getTransposeBy(operand, perm).getInput());
        continue;
      }
      if (use == Use::Kept) {
        operands.push_back(operand);
        continue;
      }
      // A constant aligned to rank 4 (leading 1s, numpy) and transposed
      // the other way; kiln-fold-constants computes both.
      auto type = cast<RankedTensorType>(operand.getType());
      Value aligned = operand;
      if (type.getRank() < 4) {
        SmallVector<int64_t> shape(4 - type.getRank(), 1);
        llvm::append_range(shape, type.getShape());
        auto alignedType = RankedTensorType::get(shape, type.getElementType());
        aligned = ReshapeOp::create(rewriter, op->getLoc(), alignedType,
                                    operand,
                                    rewriter.getDenseI64ArrayAttr(shape));
      }
      operands.push_back(transpose(rewriter, op->getLoc(), aligned, inverse));
    }

    Operation *sunk = rewriter.clone(*op);
    rewriter.modifyOpInPlace(sunk, [&] {
      sunk->setOperands(operands);
      sunk->getResult(0).setType(permuteType(resultType, inverse));
      renumberAxes(sunk);
    });
    rewriter.replaceOp(op, transpose(rewriter, op->getLoc(),
                                     sunk->getResult(0), perm));
    return success();
  }

  /// Whether `op` keeps its rank (reductions without keepdims do not).
  static bool keepsDims(Operation *op) {
    if (auto keep = op->getAttrOfType<BoolAttr>("keepdims"))
      return keep.getValue();
    return true;
  }

  /// Renumbers the axis attributes of `op`, whose operand was transposed
  /// by `perm` and now is not: dim a of the old operand is dim perm[a].
  void renumberAxes(Operation *op) const {
    Builder b(op->getContext());
    if (auto axis = op->getAttrOfType<IntegerAttr>("axis")) {
      // Verified ops' axes are in range.
      int64_t a = *shape::normalizeAxis(axis.getInt(), 4);
      op->setAttr("axis", b.getI64IntegerAttr(perm[a]));
    }
    if (auto axes = op->getAttrOfType<DenseI64ArrayAttr>("axes")) {
      SmallVector<int64_t> renumbered;
      for (int64_t a : axes.asArrayRef())
        renumbered.push_back(perm[*shape::normalizeAxis(a, 4)]);
      llvm::sort(renumbered);
      op->setAttr("axes", b.getDenseI64ArrayAttr(renumbered));
    }
    for (StringRef name : {"low", "high"})
      if (auto pads = op->getAttrOfType<DenseI64ArrayAttr>(name)) {
        SmallVector<int64_t> renumbered(4);
        for (int64_t a = 0; a < 4; ++a)
          renumbered[perm[a]] = pads.asArrayRef()[a];
        op->setAttr(name, b.getDenseI64ArrayAttr(renumbered));
      }
  }

  SmallVector<int64_t> perm;
};

/// A transpose that moves only size-1 dims keeps the elements in order:
/// a reshape (which reshape chains then fold).
struct TransposeOfUnitDimsToReshape final : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getInput().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    ArrayRef<int64_t> perm = op.getPerm();
    SmallVector<int64_t> order;
    for (int64_t p : perm)
      if (type.getDimSize(p) != 1)
        order.push_back(p);
    if (!llvm::is_sorted(order))
      return failure();
    // kiln.reshape's shape: static sizes; a `?` dim that stays at its index
    // is 0 (copy the input's), a single other one -1 (inferred).
    SmallVector<int64_t> shape;
    int64_t inferred = 0;
    for (auto [i, p] : llvm::enumerate(perm)) {
      int64_t size = resultType.getDimSize(i);
      if (!ShapedType::isDynamic(size))
        shape.push_back(size);
      else if (p == static_cast<int64_t>(i))
        shape.push_back(0);
      else if (++inferred == 1)
        shape.push_back(-1);
      else
        return failure();
    }
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, resultType, op.getInput(),
                                           rewriter.getDenseI64ArrayAttr(shape));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// The cost model of `auto`
//===----------------------------------------------------------------------===//

/// Chooses the layout for `module`'s image ops on its target: each
/// convolution votes, weighted by its multiply-adds, for the layout in
/// which Kiln's code for it is faster, and the majority wins. An NHWC
/// convolution is a GEMM whose N dim is the output channels, tiled by 2
/// vectors, and its im2col gathers runs of C contiguous channels; NCHW's N
/// dim is the image, always wide. Measured (bench/layout_channels.py,
/// docs/benchmarks.md "Graph optimization, fusion and layout"), NHWC wins
/// from 128 output channels: on AVX-512 (Zen 4) 0.90x at 64 channels and
/// 1.17x at 128; with AVX2 code (--cpu=znver3 on the same host) 0.76x at
/// 64, 0.95x at 128 and 1.24x at 256. So the threshold is 128 channels, or
/// 8 vectors of f32 on targets wider than AVX-512. A depthwise convolution
/// vectorizes along channels in NHWC and wins from one vector of them.
Layout chooseLayout(ModuleOp module) {
  int64_t lanes = 4;
  if (auto target =
          module->getAttrOfType<TargetAttr>(KilnDialect::getTargetAttrName()))
    lanes = std::max<int64_t>(1, target.getVectorLanes(32));
  double nhwc = 0, nchw = 0;
  module.walk([&](Conv2DOp conv) {
    auto type = dyn_cast<RankedTensorType>(conv.getType());
    auto filter = dyn_cast<RankedTensorType>(conv.getFilter().getType());
    if (!type || !filter || type.getRank() != 4 || !filter.hasStaticShape())
      return;
    ImageDims image = getImageDims(conv.getLayout());
    FilterDims dims = getFilterDims(conv.getLayout());
    int64_t outputs = filter.getDimSize(dims.output);
    int64_t perGroup = filter.getDimSize(dims.input);
    double macs = static_cast<double>(filter.getNumElements());
    for (int64_t d : {image.batch, image.height, image.width})
      macs *= type.isDynamicDim(d) ? 1 : type.getDimSize(d);
    bool depthwise = conv.getGroups() > 1 && perGroup == 1;
    int64_t threshold = depthwise ? lanes : std::max<int64_t>(128, 8 * lanes);
    (outputs >= threshold ? nhwc : nchw) += macs;
  });
  return nhwc >= nchw ? Layout::NHWC : Layout::NCHW;
}

/// Gives `func`'s public signature the image layout `target`: a 4-D
/// argument that only feeds transposes into `target` is taken in `target`
/// already, and a result that a transpose out of `target` makes is
/// returned before it. The caller then passes and gets images in that
/// layout, and no transpose is left at all.
void adoptImageInterface(func::FuncOp func, Layout target) {
  // Only an entry point's signature: a function others call would leave
  // its callers' types behind, and one of several blocks may return
  // different things from each.
  if (!func.isPublic() || !llvm::hasSingleElement(func.getBody()) ||
      !SymbolTable::symbolKnownUseEmpty(func,
                                        func->getParentOfType<ModuleOp>()))
    return;
  Layout other = target == Layout::NHWC ? Layout::NCHW : Layout::NHWC;
  SmallVector<int64_t, 4> in = imagePerm(other, target);
  SmallVector<int64_t, 4> back = imagePerm(target, other);
  Block &entry = func.getBody().front();
  bool changed = false;
  for (BlockArgument arg : entry.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || type.getRank() != 4 || arg.use_empty() ||
        !llvm::all_of(arg.getUsers(), [&](Operation *user) {
          auto t = dyn_cast<TransposeOp>(user);
          return t && t.getPerm() == ArrayRef<int64_t>(in);
        }))
      continue;
    arg.setType(permuteType(type, in));
    for (Operation *user : llvm::make_early_inc_range(arg.getUsers())) {
      user->getResult(0).replaceAllUsesWith(arg);
      user->erase();
    }
    changed = true;
  }
  func.walk([&](func::ReturnOp ret) {
    for (OpOperand &operand : ret->getOpOperands()) {
      auto t = operand.get().getDefiningOp<TransposeOp>();
      if (!t || t.getPerm() != ArrayRef<int64_t>(back))
        continue;
      operand.set(t.getInput());
      if (t->use_empty())
        t->erase();
      changed = true;
    }
  });
  if (!changed)
    return;
  auto ret = cast<func::ReturnOp>(entry.getTerminator());
  SmallVector<Type> results(ret.getOperandTypes());
  func.setType(FunctionType::get(func.getContext(), entry.getArgumentTypes(),
                                 results));
  remarkRewrite(func.getLoc(), kPass,
                target == Layout::NHWC ? "nhwc-interface" : "nchw-interface");
}

struct KilnConvertLayoutPass final
    : kiln::impl::KilnConvertLayoutPassBase<KilnConvertLayoutPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<Layout> target =
        layout == "auto" ? std::optional<Layout>(chooseLayout(module))
                         : llvm::StringSwitch<std::optional<Layout>>(layout)
                               .Case("nhwc", Layout::NHWC)
                               .Case("nchw", Layout::NCHW)
                               .Default(std::nullopt);
    if (!target) {
      emitError(module.getLoc())
          << "kiln-convert-layout: layout must be nhwc, nchw or auto, not '"
          << layout << "'";
      return signalPassFailure();
    }
    // Nothing to decide without image ops.
    if (!module
             .walk([](Operation *op) {
               return isa<Conv2DOp, Pool2DOp, GlobalAvgPoolOp>(op)
                          ? WalkResult::interrupt()
                          : WalkResult::advance();
             })
             .wasInterrupted())
      return;
    remarkRewrite(module.getLoc(), kPass,
                  *target == Layout::NHWC ? "chose-nhwc" : "chose-nchw");
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns.add<ConvertImageOp<Conv2DOp>, ConvertImageOp<Pool2DOp>,
                 ConvertImageOp<GlobalAvgPoolOp>>(context, *target);
    Layout other = *target == Layout::NHWC ? Layout::NCHW : Layout::NHWC;
    patterns.add<SinkTranspose>(context, imagePerm(*target, other));
    TransposeOp::getCanonicalizationPatterns(patterns, context);
    // Transposes of size-1 dims become reshapes only once nothing sinks
    // any more: as reshapes they would stop the sinking.
    RewritePatternSet reshapes(context);
    reshapes.add<TransposeOfUnitDimsToReshape>(context);
    ReshapeOp::getCanonicalizationPatterns(reshapes, context);
    FrozenRewritePatternSet sink(std::move(patterns));
    FrozenRewritePatternSet cleanup(std::move(reshapes));
    for (auto func : module.getOps<func::FuncOp>()) {
      if (failed(applyPatternsGreedily(func, sink))) {
        func.emitError("kiln-convert-layout: the rewrites did not converge");
        return signalPassFailure();
      }
      // Before the boundary's transposes of size-1 dims become reshapes.
      if (imageInterface && !func.isExternal())
        adoptImageInterface(func, *target);
      if (failed(applyPatternsGreedily(func, cleanup))) {
        func.emitError("kiln-convert-layout: the rewrites did not converge");
        return signalPassFailure();
      }
    }
  }
};
} // namespace
