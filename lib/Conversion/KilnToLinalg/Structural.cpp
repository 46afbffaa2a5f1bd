//===- Structural.cpp - Lower kiln structural ops -------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "Kiln/IR/ElementsUtils.h"
#include "Kiln/IR/KilnOps.h"
#include "Kiln/IR/ShapeUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::lowering;

namespace {
Value toIndex(OpBuilder &b, Location loc, OpFoldResult ofr) {
  return getValueOrCreateConstantIndexOp(b, loc, ofr);
}

struct ConstantLowering final : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // Unsigned elements (ui8 zero points, say) become signless ones of the
    // same bits, as arith takes them.
    RankedTensorType type = convertedType(getTypeConverter(), op.getResult());
    ElementsAttr value = op.getValueAttr();
    if (type != op.getType()) {
      if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
        value = dense.bitcast(type.getElementType());
      } else if (std::optional<ArrayRef<char>> bytes =
                     getRawElementBytes(value)) {
        value = makeElementsFromBytes(type, *bytes, "kiln_signless");
      } else {
        return rewriter.notifyMatchFailure(op, "unreadable constant");
      }
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, type,
                                                   cast<TypedAttr>(value));
    return success();
  }
};

/// reshape = collapse to 1-D (a view) + expand to the result (a view).
struct ReshapeLowering final : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inType = cast<RankedTensorType>(input.getType());
    auto outType = convertedType(getTypeConverter(), op.getResult());
    int64_t inRank = inType.getRank(), outRank = outType.getRank();

    // Result dims: static from the type; 0 copies an input dim; -1 is the
    // element count divided by the other dims.
    SmallVector<OpFoldResult> inDims = getDims(rewriter, loc, input);
    Value total = arith::ConstantIndexOp::create(rewriter, loc, 1);
    for (OpFoldResult d : inDims)
      total = arith::MulIOp::create(rewriter, loc, total,
                                    toIndex(rewriter, loc, d));
    SmallVector<OpFoldResult> outDims(outRank);
    std::optional<int64_t> inferred;
    Value known = arith::ConstantIndexOp::create(rewriter, loc, 1);
    ArrayRef<int64_t> spec = op.getShape();
    for (int64_t d = 0; d < outRank; ++d) {
      if (!outType.isDynamicDim(d))
        outDims[d] = rewriter.getIndexAttr(outType.getDimSize(d));
      else if (spec[d] == 0)
        outDims[d] = inDims[d];
      else if (spec[d] == -1) {
        inferred = d;
        continue;
      } else
        outDims[d] = rewriter.getIndexAttr(spec[d]);
      known = arith::MulIOp::create(rewriter, loc, known,
                                    toIndex(rewriter, loc, outDims[d]));
    }
    // The element counts must agree at run time (checked unless both
    // shapes are static): a -1 dim must divide evenly, and a result with
    // no -1 must hold exactly the input's elements. A -1 next to a 0 dim
    // is 0 (never a division by zero).
    Value zero, knownIsZero, divisor;
    if (inferred) {
      zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
      knownIsZero = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::eq, known, zero);
      divisor = arith::SelectOp::create(
          rewriter, loc, knownIsZero,
          arith::ConstantIndexOp::create(rewriter, loc, 1), known);
      outDims[*inferred] =
          arith::DivUIOp::create(rewriter, loc, total, divisor).getResult();
    }
    if (!inType.hasStaticShape() || !outType.hasStaticShape()) {
      Value ok;
      if (inferred) {
        Value rem = arith::RemUIOp::create(rewriter, loc, total, divisor);
        Value divides = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::eq, rem, zero);
        Value empty = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::eq, total, zero);
        ok = arith::SelectOp::create(rewriter, loc, knownIsZero, empty,
                                     divides);
      } else {
        ok = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq,
                                   total, known);
      }
      cf::AssertOp::create(rewriter, loc, ok,
                           "reshape: the input's element count does not fit "
                           "the result shape");
    }

    // Flatten to rank 1, give the flat tensor the static size a static
    // result needs, then expand.
    Type elementType = inType.getElementType();
    Value flat = input;
    if (inRank == 0) {
      flat = tensor::ExpandShapeOp::create(
          rewriter, loc, RankedTensorType::get({1}, elementType), input,
          SmallVector<ReassociationIndices>{});
    } else if (inRank > 1) {
      int64_t flatSize = inType.hasStaticShape() ? inType.getNumElements()
                                                 : ShapedType::kDynamic;
      flat = tensor::CollapseShapeOp::create(
          rewriter, loc, RankedTensorType::get({flatSize}, elementType), input,
          SmallVector<ReassociationIndices>{
              llvm::to_vector(llvm::seq<int64_t>(0, inRank))});
    }
    auto flatType = cast<RankedTensorType>(flat.getType());
    if (outType.hasStaticShape() && !flatType.hasStaticShape())
      flat = tensor::CastOp::create(
          rewriter, loc,
          RankedTensorType::get({outType.getNumElements()}, elementType), flat);
    if (outRank == 0) {
      rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
          op, outType, flat, SmallVector<ReassociationIndices>{});
      return success();
    }
    if (outRank == 1) {
      if (flat.getType() == outType)
        rewriter.replaceOp(op, flat);
      else
        rewriter.replaceOpWithNewOp<tensor::CastOp>(op, outType, flat);
      return success();
    }
    SmallVector<ReassociationIndices> all = {
        llvm::to_vector(llvm::seq<int64_t>(0, outRank))};
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, outType, flat, all,
                                                       outDims);
    return success();
  }
};

struct TransposeLowering final : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = convertedType(getTypeConverter(), op.getResult());
    SmallVector<OpFoldResult> inDims = getDims(rewriter, loc, adaptor.getInput());
    SmallVector<OpFoldResult> outDims;
    for (int64_t p : op.getPerm())
      outDims.push_back(inDims[p]);
    Value init = createEmpty(rewriter, loc, outType, outDims);
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, loc,
                                                       adaptor.getInput(), init,
                                                       op.getPerm())
                               .getResult());
    return success();
  }
};

/// concat = insert_slice of each input into one empty tensor.
struct ConcatLowering final : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = convertedType(getTypeConverter(), op.getResult());
    int64_t rank = outType.getRank();
    int64_t axis = *shape::normalizeAxis(op.getAxis(), rank);
    ValueRange inputs = adaptor.getInputs();
    // Offsets along the axis stay attributes while the sizes are static.
    auto addDims = [&](OpFoldResult a, OpFoldResult b) -> OpFoldResult {
      std::optional<int64_t> x = getConstantIntValue(a), y = getConstantIntValue(b);
      if (x && y)
        return rewriter.getIndexAttr(*x + *y);
      return arith::AddIOp::create(rewriter, loc, toIndex(rewriter, loc, a),
                                   toIndex(rewriter, loc, b))
          .getResult();
    };
    SmallVector<OpFoldResult> dims = getDims(rewriter, loc, inputs.front());
    OpFoldResult axisSize = rewriter.getIndexAttr(0);
    for (Value input : inputs)
      axisSize = addDims(axisSize, getDim(rewriter, loc, input, axis));
    dims[axis] = axisSize;
    Value result = createEmpty(rewriter, loc, outType, dims);
    OpFoldResult offset = rewriter.getIndexAttr(0);
    for (Value input : inputs) {
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      offsets[axis] = offset;
      SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
      result = tensor::InsertSliceOp::create(rewriter, loc, input, result,
                                             offsets,
                                             getDims(rewriter, loc, input),
                                             strides);
      offset = addDims(offset, getDim(rewriter, loc, input, axis));
    }
    rewriter.replaceOpWithNewOp<tensor::CastOp>(op, outType, result);
    return success();
  }
};

/// slice = extract_slice after numpy normalization of starts and ends.
struct SliceLowering final : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inType = cast<RankedTensorType>(input.getType());
    auto outType = convertedType(getTypeConverter(), op.getResult());
    SmallVector<OpFoldResult> offsets, sizes, strides;
    for (int64_t d = 0; d < inType.getRank(); ++d) {
      int64_t start = op.getStarts()[d], end = op.getEnds()[d],
              step = op.getSteps()[d];
      strides.push_back(rewriter.getIndexAttr(step));
      int64_t dim = inType.getDimSize(d);
      if (!ShapedType::isDynamic(dim)) {
        int64_t size = shape::sliceSize(dim, start, end, step);
        // An empty slice may start at the end, which extract_slice rejects.
        offsets.push_back(rewriter.getIndexAttr(
            size == 0 ? 0 : shape::clampSliceBound(dim, start)));
        sizes.push_back(rewriter.getIndexAttr(size));
        continue;
      }
      // Dynamic dim: the same normalization in index arithmetic.
      Value dimV = getDimValue(rewriter, loc, input, d);
      Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
      auto normalize = [&](int64_t v) -> Value {
        Value c = arith::ConstantIndexOp::create(rewriter, loc, v);
        if (v < 0)
          c = arith::AddIOp::create(rewriter, loc, c, dimV);
        c = arith::MaxSIOp::create(rewriter, loc, c, zero);
        return arith::MinSIOp::create(rewriter, loc, c, dimV);
      };
      Value s = normalize(start), e = normalize(end);
      Value span = arith::MaxSIOp::create(
          rewriter, loc, arith::SubIOp::create(rewriter, loc, e, s), zero);
      Value stepV = arith::ConstantIndexOp::create(rewriter, loc, step);
      Value size = arith::CeilDivUIOp::create(rewriter, loc, span, stepV);
      offsets.push_back(s);
      sizes.push_back(size);
    }
    Value slice = tensor::ExtractSliceOp::create(rewriter, loc, input, offsets,
                                                 sizes, strides);
    rewriter.replaceOpWithNewOp<tensor::CastOp>(op, outType, slice);
    return success();
  }
};

struct PadLowering final : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = convertedType(getTypeConverter(), op.getResult());
    Value value = scalarConstant(rewriter, loc, outType.getElementType(),
                                 op.getValue().convertToDouble());
    SmallVector<OpFoldResult> low, high;
    for (int64_t v : op.getLow())
      low.push_back(rewriter.getIndexAttr(v));
    for (int64_t v : op.getHigh())
      high.push_back(rewriter.getIndexAttr(v));
    rewriter.replaceOpWithNewOp<tensor::PadOp>(op, outType, adaptor.getInput(),
                                               low, high, value);
    return success();
  }
};

/// Whether every index in `indices` lies in [-axisSize, axisSize), as
/// far as the compiler can tell: constant indices against a static dim.
bool indicesKnownInRange(Value indices, int64_t axisSize) {
  DenseIntElementsAttr values;
  if (ShapedType::isDynamic(axisSize) ||
      !matchPattern(indices, m_Constant(&values)))
    return false;
  return llvm::all_of(values.getValues<APInt>(), [&](const APInt &v) {
    int64_t i = v.getSExtValue();
    return i >= -axisSize && i < axisSize;
  });
}

/// Asserts at run time that every index lies in [-axisDim, axisDim): a
/// reduction of the indices to one flag, then `cf.assert`, which
/// kiln-runtime-checks turns into a status.
void assertIndicesInRange(OpBuilder &b, Location loc, Value indices,
                          Value axisDim, int64_t axis) {
  auto idxType = cast<RankedTensorType>(indices.getType());
  int64_t rank = idxType.getRank();
  MLIRContext *ctx = b.getContext();
  Value init = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{},
                                       b.getI1Type());
  Value yes = arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1);
  init = linalg::FillOp::create(b, loc, yes, init).getResult(0);
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx),
                                 AffineMap::get(rank, 0, {}, ctx)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::reduction);
  auto all = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{indices}, ValueRange{init},
      maps, iterators, [&](OpBuilder &nb, Location l, ValueRange args) {
        Value idx =
            arith::IndexCastOp::create(nb, l, nb.getIndexType(), args[0]);
        Value low = arith::SubIOp::create(
            nb, l, arith::ConstantIndexOp::create(nb, l, 0), axisDim);
        Value aboveLow =
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, idx, low);
        Value belowHigh = arith::CmpIOp::create(
            nb, l, arith::CmpIPredicate::slt, idx, axisDim);
        Value inRange = arith::AndIOp::create(nb, l, aboveLow, belowHigh);
        linalg::YieldOp::create(
            nb, l, arith::AndIOp::create(nb, l, args[1], inRange).getResult());
      });
  Value ok = tensor::ExtractOp::create(b, loc, all.getResult(0), ValueRange{});
  cf::AssertOp::create(b, loc, ok,
                       "an index is out of range for dim " +
                           std::to_string(axis) +
                           " of the gathered tensor (valid: -n to n-1)");
}

/// gather = a generic over the result that reads the index operand and
/// extracts from `data`. Negative indices count from the end. Indices are
/// checked at run time (assertIndicesInRange) and still clamped into
/// range, so a bad index can never read out of bounds.
struct GatherLowering final : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    auto dataType = cast<RankedTensorType>(data.getType());
    auto idxType = cast<RankedTensorType>(indices.getType());
    auto outType = convertedType(getTypeConverter(), op.getResult());
    int64_t axis = *shape::normalizeAxis(op.getAxis(), dataType.getRank());
    int64_t q = idxType.getRank(), rank = outType.getRank();
    MLIRContext *ctx = rewriter.getContext();

    SmallVector<OpFoldResult> dims;
    for (int64_t d = 0; d < axis; ++d)
      dims.push_back(getDim(rewriter, loc, data, d));
    llvm::append_range(dims, getDims(rewriter, loc, indices));
    for (int64_t d = axis + 1; d < dataType.getRank(); ++d)
      dims.push_back(getDim(rewriter, loc, data, d));
    Value init = createEmpty(rewriter, loc, outType, dims);
    Value axisDim = getDimValue(rewriter, loc, data, axis);
    if (!indicesKnownInRange(indices, dataType.getDimSize(axis)))
      assertIndicesInRange(rewriter, loc, indices, axisDim, axis);

    SmallVector<AffineExpr> idxExprs;
    for (int64_t d = axis; d < axis + q; ++d)
      idxExprs.push_back(getAffineDimExpr(d, ctx));
    SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, idxExprs, ctx),
                                   AffineMap::getMultiDimIdentityMap(rank, ctx)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{outType}, ValueRange{indices},
        ValueRange{init}, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value idx = arith::IndexCastOp::create(b, l, b.getIndexType(), args[0]);
          Value zero = arith::ConstantIndexOp::create(b, l, 0);
          Value isNeg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                              idx, zero);
          idx = arith::SelectOp::create(
              b, l, isNeg, arith::AddIOp::create(b, l, idx, axisDim), idx);
          Value last = arith::SubIOp::create(
              b, l, axisDim, arith::ConstantIndexOp::create(b, l, 1));
          idx = arith::MinSIOp::create(
              b, l, arith::MaxSIOp::create(b, l, idx, zero), last);
          SmallVector<Value> at;
          for (int64_t d = 0; d < axis; ++d)
            at.push_back(linalg::IndexOp::create(b, l, d));
          at.push_back(idx);
          for (int64_t d = axis + q; d < rank; ++d)
            at.push_back(linalg::IndexOp::create(b, l, d));
          linalg::YieldOp::create(
              b, l, tensor::ExtractOp::create(b, l, data, at).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};
} // namespace

void lowering::populateStructuralLowering(const TypeConverter &converter,
                                          RewritePatternSet &patterns) {
  patterns.add<ConstantLowering, ReshapeLowering, TransposeLowering,
               ConcatLowering, SliceLowering, PadLowering, GatherLowering>(
      converter, patterns.getContext());
}
