//===- FoldConstants.cpp - Evaluate data movement on constant tensors -----===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The ops' folders evaluate small `dense` constants. Frozen weights are
// large and stored as `dense_resource` blobs, which folders leave alone; this
// pass evaluates the data-movement ops (transpose, reshape, broadcast_to,
// slice, pad) and casts on them byte by byte, so that a weight transposed,
// sliced (a recurrent layer's gates) or converted by the exporter becomes
// one constant in the layout the model uses.
//
//===----------------------------------------------------------------------===//

#include "Kiln/IR/ElementsUtils.h"
#include "Kiln/IR/KilnOps.h"
#include "Kiln/IR/ShapeUtils.h"
#include "Kiln/Transforms/Passes.h"
#include "Kiln/Transforms/Remarks.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cstring>

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNFOLDCONSTANTSPASS
#include "Kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
constexpr StringLiteral kPass = "kiln-fold-constants";

/// A constant operand's elements as raw row-major bytes (a splat expanded),
/// with its element size; std::nullopt when they cannot be read.
struct ConstantBytes {
  SmallVector<char> bytes;
  int64_t elementBytes;
};
std::optional<ConstantBytes> readConstant(Value v) {
  ElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  Type element = attr.getElementType();
  if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8 != 0)
    return std::nullopt;
  ConstantBytes c;
  c.elementBytes = element.getIntOrFloatBitWidth() / 8;
  if (std::optional<ArrayRef<char>> raw = getRawElementBytes(attr)) {
    c.bytes.assign(raw->begin(), raw->end());
    return c;
  }
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (!dense || !dense.isSplat())
    return std::nullopt;
  // A splat's raw data is its one element (one bit per i1, excluded above).
  ArrayRef<char> one = dense.getRawData();
  if (static_cast<int64_t>(one.size()) != c.elementBytes)
    return std::nullopt;
  for (int64_t i = 0, e = attr.getNumElements(); i < e; ++i)
    c.bytes.append(one.begin(), one.end());
  return c;
}

/// The row-major strides of `shape`.
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// Builds `resultType`'s elements: element `i` (row-major) copies input
/// element `source(index of i)`, or `fill` when that is -1.
ElementsAttr gather(RankedTensorType resultType, const ConstantBytes &in,
                    ArrayRef<char> fill,
                    function_ref<int64_t(ArrayRef<int64_t>)> source) {
  ArrayRef<int64_t> shape = resultType.getShape();
  int64_t n = resultType.getNumElements(), eb = in.elementBytes;
  SmallVector<char> out;
  out.reserve(n * eb);
  SmallVector<int64_t> index(shape.size(), 0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t s = source(index);
    if (s < 0)
      out.append(fill.begin(), fill.end());
    else
      out.append(in.bytes.begin() + s * eb, in.bytes.begin() + (s + 1) * eb);
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  return makeElementsFromBytes(resultType, out, "kiln_folded");
}

/// Replaces `op`'s one result by a constant of `value`.
void replaceWithConstant(PatternRewriter &rewriter, Operation *op,
                         ElementsAttr value, StringRef what) {
  // The remark first: replacing erases `op`.
  remarkConstantFolded(op->getLoc(), kPass, what,
                       getRawDataBytes(value.getShapedType()).value_or(0));
  rewriter.replaceOpWithNewOp<ConstantOp>(op, value);
}

/// A constant operand, read, with its shape and row-major strides.
struct Input {
  ConstantBytes data;
  ArrayRef<int64_t> shape;
  SmallVector<int64_t> strides;
};

/// The shared part of the data-movement folds: a static result of at most
/// `maxElements` elements and a static constant input that can be read;
/// `compute` builds the result's elements from it.
template <typename OpTy>
struct MoveFold : OpRewritePattern<OpTy> {
  MoveFold(MLIRContext *context, int64_t maxElements, StringRef what)
      : OpRewritePattern<OpTy>(context), maxElements(maxElements),
        what(what) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const final {
    auto type = cast<RankedTensorType>(op.getType());
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    if (!type.hasStaticShape() || type.getNumElements() > maxElements ||
        !inType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "not static or over the guard");
    std::optional<ConstantBytes> data = readConstant(op.getInput());
    if (!data)
      return rewriter.notifyMatchFailure(op, "not a readable constant");
    Input in{std::move(*data), inType.getShape(),
             stridesOf(inType.getShape())};
    FailureOr<ElementsAttr> value = compute(op, in, rewriter);
    if (failed(value))
      return rewriter.notifyMatchFailure(op, "cannot evaluate");
    replaceWithConstant(rewriter, op, *value, what);
    return success();
  }

  virtual FailureOr<ElementsAttr> compute(OpTy op, const Input &in,
                                          PatternRewriter &rewriter) const = 0;

  int64_t maxElements;
  std::string what;
};

struct FoldTranspose final : MoveFold<TransposeOp> {
  FoldTranspose(MLIRContext *context, int64_t maxElements)
      : MoveFold(context, maxElements, "transpose-folded") {}
  FailureOr<ElementsAttr> compute(TransposeOp op, const Input &in,
                                  PatternRewriter &) const override {
    ArrayRef<int64_t> perm = op.getPerm();
    return gather(op.getType(), in.data, {}, [&](ArrayRef<int64_t> out) {
      int64_t s = 0;
      for (auto [d, p] : llvm::enumerate(perm))
        s += out[d] * in.strides[p];
      return s;
    });
  }
};

struct FoldReshape final : MoveFold<ReshapeOp> {
  FoldReshape(MLIRContext *context, int64_t maxElements)
      : MoveFold(context, maxElements, "reshape-folded") {}
  FailureOr<ElementsAttr> compute(ReshapeOp op, const Input &in,
                                  PatternRewriter &) const override {
    return makeElementsFromBytes(op.getType(), in.data.bytes, "kiln_folded");
  }
};

struct FoldBroadcastTo final : MoveFold<BroadcastToOp> {
  FoldBroadcastTo(MLIRContext *context, int64_t maxElements)
      : MoveFold(context, maxElements, "broadcast-folded") {}
  FailureOr<ElementsAttr> compute(BroadcastToOp op, const Input &in,
                                  PatternRewriter &) const override {
    int64_t offset = op.getType().getRank() - in.shape.size();
    return gather(op.getType(), in.data, {}, [&](ArrayRef<int64_t> out) {
      int64_t s = 0;
      for (auto [d, size] : llvm::enumerate(in.shape))
        if (size != 1)
          s += out[d + offset] * in.strides[d];
      return s;
    });
  }
};

struct FoldSlice final : MoveFold<SliceOp> {
  FoldSlice(MLIRContext *context, int64_t maxElements)
      : MoveFold(context, maxElements, "slice-folded") {}
  FailureOr<ElementsAttr> compute(SliceOp op, const Input &in,
                                  PatternRewriter &) const override {
    SmallVector<int64_t> starts;
    for (auto [d, start] : llvm::enumerate(op.getStarts()))
      starts.push_back(shape::clampSliceBound(in.shape[d], start));
    ArrayRef<int64_t> steps = op.getSteps();
    return gather(op.getType(), in.data, {}, [&](ArrayRef<int64_t> out) {
      int64_t s = 0;
      for (size_t d = 0; d < in.shape.size(); ++d)
        s += (starts[d] + out[d] * steps[d]) * in.strides[d];
      return s;
    });
  }
};

struct FoldPad final : MoveFold<PadOp> {
  FoldPad(MLIRContext *context, int64_t maxElements)
      : MoveFold(context, maxElements, "pad-folded") {}
  FailureOr<ElementsAttr> compute(PadOp op, const Input &in,
                                  PatternRewriter &rewriter) const override {
    // The pad value in the element type, as bytes.
    Type element = op.getType().getElementType();
    double v = op.getValue().convertToDouble();
    Attribute fillAttr;
    if (auto ft = dyn_cast<FloatType>(element))
      fillAttr = rewriter.getFloatAttr(ft, v);
    else if (v == static_cast<double>(static_cast<int64_t>(v)))
      fillAttr = rewriter.getIntegerAttr(element, static_cast<int64_t>(v));
    else
      return failure(); // a fractional integer pad
    ArrayRef<char> fill =
        DenseElementsAttr::get(RankedTensorType::get({}, element), fillAttr)
            .getRawData();
    ArrayRef<int64_t> low = op.getLow();
    return gather(op.getType(), in.data, fill,
                  [&](ArrayRef<int64_t> out) -> int64_t {
                    int64_t s = 0;
                    for (size_t d = 0; d < in.shape.size(); ++d) {
                      int64_t i = out[d] - low[d];
                      if (i < 0 || i >= in.shape[d])
                        return -1;
                      s += i * in.strides[d];
                    }
                    return s;
                  });
  }
};

/// A cast to float of an f32, f64 or 8- to 32-bit integer constant.
struct FoldCast final : OpRewritePattern<CastOp> {
  FoldCast(MLIRContext *context, int64_t maxElements)
      : OpRewritePattern(context), maxElements(maxElements) {}
  LogicalResult matchAndRewrite(CastOp op,
                                PatternRewriter &rewriter) const override {
    ElementsAttr attr;
    auto type = cast<RankedTensorType>(op.getType());
    if (!type.hasStaticShape() || type.getNumElements() > maxElements ||
        !matchPattern(op.getInput(), m_Constant(&attr)))
      return rewriter.notifyMatchFailure(op, "not a constant");
    // Floats and integers to float, through doubles: exact for f32 and for
    // integers below 2^53.
    auto to = dyn_cast<FloatType>(type.getElementType());
    Type from = attr.getElementType();
    if (!to || !(from.isF32() || from.isF64() ||
                 (from.isInteger() && from.getIntOrFloatBitWidth() <= 32 &&
                  from.getIntOrFloatBitWidth() % 8 == 0)))
      return rewriter.notifyMatchFailure(op, "not a cast to float from f32, "
                                             "f64 or a narrow integer");
    SmallVector<double> values;
    if (isa<FloatType>(from)) {
      std::optional<SmallVector<double>> read = readFloatElements(attr);
      if (!read)
        return rewriter.notifyMatchFailure(op, "unreadable constant");
      values = std::move(*read);
    } else {
      std::optional<ConstantBytes> in = readConstant(op.getInput());
      if (!in)
        return rewriter.notifyMatchFailure(op, "unreadable constant");
      bool isUnsigned = from.isUnsignedInteger();
      unsigned width = from.getIntOrFloatBitWidth();
      for (int64_t i = 0, e = type.getNumElements(); i < e; ++i) {
        uint64_t bits = 0;
        std::memcpy(&bits, in->bytes.data() + i * in->elementBytes,
                    in->elementBytes); // little-endian
        APInt v(width, bits);
        values.push_back(isUnsigned ? static_cast<double>(v.getZExtValue())
                                    : static_cast<double>(v.getSExtValue()));
      }
    }
    replaceWithConstant(rewriter, op,
                        makeFloatElements(type, values, "kiln_folded"),
                        "cast-folded");
    return success();
  }

  int64_t maxElements;
};

struct KilnFoldConstantsPass final
    : kiln::impl::KilnFoldConstantsPassBase<KilnFoldConstantsPass> {
  using Base::Base;
  void runOnOperation() override {
    if (maxElements < 0) {
      emitError(getOperation()->getLoc())
          << "kiln-fold-constants: max-elements must not be negative, got "
          << static_cast<int64_t>(maxElements);
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldTranspose, FoldReshape, FoldBroadcastTo, FoldSlice,
                 FoldPad, FoldCast>(&getContext(), maxElements);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
