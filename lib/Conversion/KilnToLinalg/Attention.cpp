//===- Attention.cpp - Lower kiln.attention, flash-style for long keys ----===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// kiln.attention = softmax(q kᵀ * scale (+ mask)) v. Two lowerings, both
// built from kiln ops that the conversion then lowers in turn:
//
// - short keys (at most one key block): the scores matrix whole, then
//   softmax and a second matmul;
// - longer or run-time key lengths: flash-style, one `scf.for` over blocks
//   of keys carrying each query row's running maximum `m`, running sum `l`
//   and unnormalized output `acc`. A block's scores `s` are rescaled
//   against the new maximum (online softmax):
//
//     m' = max(m, rowmax(s))      p = exp(s - m')      c = exp(m - m')
//     l' = l * c + rowsum(p)      acc' = acc * c + p · v_block
//
//   and the result is acc / l. Only [..., Lq, block] scores exist at once,
//   so memory grows linearly with the key length instead of Lq × Lk. The
//   running maximum starts at the lowest finite value, so that a block whose
//   scores a mask sets to -inf contributes exp(-inf) = 0 rather than NaN.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::lowering;

namespace {
RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// A rank-0 tensor constant of float type `t`.
Value scalarTensor(OpBuilder &b, Location loc, Type t, double value) {
  auto type = RankedTensorType::get({}, t);
  return ConstantOp::create(
             b, loc, DenseElementsAttr::get(type, b.getFloatAttr(t, value)))
      .getResult();
}

/// `v` with `type` when that differs only in how static its dims are.
Value castTo(OpBuilder &b, Location loc, Value v, Type type) {
  if (v.getType() == type)
    return v;
  return tensor::CastOp::create(b, loc, type, v);
}

/// Rows [offset, offset + size) of dim `dim` of `v`.
Value sliceDim(OpBuilder &b, Location loc, Value v, int64_t dim, Value offset,
               OpFoldResult size) {
  int64_t rank = typeOf(v).getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes = getDims(b, loc, v);
  SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
  offsets[dim] = offset;
  sizes[dim] = size;
  return tensor::ExtractSliceOp::create(b, loc, v, offsets, sizes, strides);
}

/// Masks the scores `s` whose key position (`j` + `keyOffset`) is after the
/// query's (`i`) with the lowest value.
Value causalMask(OpBuilder &b, Location loc, Value s, Value keyOffset) {
  auto type = typeOf(s);
  int64_t rank = type.getRank();
  Value lowest = lowestValue(b, loc, type.getElementType());
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, b.getContext());
  return buildMapped(
      b, loc, type, getDims(b, loc, s), {s}, {id},
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value i = linalg::IndexOp::create(nb, l, rank - 2);
        Value j = linalg::IndexOp::create(nb, l, rank - 1);
        if (keyOffset)
          j = arith::AddIOp::create(nb, l, j, keyOffset);
        Value future =
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ugt, j, i);
        return arith::SelectOp::create(nb, l, future, lowest, a[0]);
      });
}

/// Applies `mask` (i1: keep where true; float: added) to the scores `s`.
Value applyMask(OpBuilder &b, Location loc, Value s, Value mask) {
  Type t = typeOf(s).getElementType();
  if (typeOf(mask).getElementType().isInteger(1)) {
    Value negInf =
        scalarTensor(b, loc, t, -std::numeric_limits<double>::infinity());
    return SelectOp::create(b, loc, mask, s, negInf);
  }
  return AddOp::create(b, loc, s, mask);
}

struct AttentionLowering final : OpConversionPattern<AttentionOp> {
  AttentionLowering(const TypeConverter &converter, MLIRContext *context,
                    int64_t keyBlock)
      : OpConversionPattern(converter, context), keyBlock(keyBlock) {}

  LogicalResult
  matchAndRewrite(AttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value k = adaptor.getKey();
    // Leading and query-length dims that the result has static are static
    // in the query (a `?` batch meeting the key's static 1, say).
    auto resultType = cast<RankedTensorType>(
        getTypeConverter()->convertType(op.getType()));
    Value q = refineBroadcastOperand(rewriter, loc, adaptor.getQuery(),
                                     resultType.getShape(), 1);
    int64_t rank = typeOf(q).getRank();
    Value scale = scaleOf(op, rewriter, q, k);
    int64_t keyLength = typeOf(k).getDimSize(rank - 2);
    bool flash = keyBlock > 0 &&
                 (ShapedType::isDynamic(keyLength) || keyLength > keyBlock);
    Value out = flash ? flashAttention(op, rewriter, adaptor, resultType, q,
                                       scale)
                      : wholeScores(op, rewriter, adaptor, q, scale);
    rewriter.replaceOp(op, castTo(rewriter, loc, out, resultType));
    return success();
  }

private:
  /// The scale: given, else 1/sqrt(D) of the head dim, computed at run time
  /// when D is dynamic in both the query and the key. A rank-0 tensor.
  static Value scaleOf(AttentionOp op, OpBuilder &b, Value q, Value k) {
    Location loc = op.getLoc();
    Type t = typeOf(q).getElementType();
    int64_t rank = typeOf(q).getRank();
    std::optional<double> staticScale;
    if (std::optional<APFloat> s = op.getScale()) {
      staticScale = s->convertToDouble();
    } else {
      int64_t d = typeOf(q).getDimSize(rank - 1);
      if (ShapedType::isDynamic(d))
        d = typeOf(k).getDimSize(rank - 1);
      if (!ShapedType::isDynamic(d))
        staticScale = 1.0 / std::sqrt(static_cast<double>(d));
    }
    if (staticScale)
      return scalarTensor(b, loc, t, *staticScale);
    Value d = tensor::DimOp::create(b, loc, q, rank - 1);
    d = arith::IndexCastOp::create(b, loc, b.getI64Type(), d);
    Value df = arith::SIToFPOp::create(b, loc, t, d);
    Value s = math::RsqrtOp::create(b, loc, df);
    return tensor::FromElementsOp::create(b, loc, RankedTensorType::get({}, t),
                                          ValueRange{s});
  }

  /// softmax(q kᵀ * scale (+ mask)) v with the whole scores matrix.
  static Value wholeScores(AttentionOp op, OpBuilder &b, OpAdaptor adaptor,
                           Value q, Value scale) {
    Location loc = op.getLoc();
    Value scores = MatmulOp::create(b, loc, q, adaptor.getKey(),
                                    /*transpose_lhs=*/false,
                                    /*transpose_rhs=*/true);
    scores = MulOp::create(b, loc, scores, scale);
    // The mask may make dims of the scores static: the ops infer their
    // types rather than keep the unmasked scores' type.
    if (Value mask = adaptor.getMask())
      scores = applyMask(b, loc, scores, mask);
    if (op.getIsCausal())
      scores = causalMask(b, loc, scores, Value());
    Value probs = SoftmaxOp::create(b, loc, scores, b.getI64IntegerAttr(-1));
    return MatmulOp::create(b, loc, probs, adaptor.getValue(), false, false);
  }

  /// The online-softmax loop over key blocks (see the file comment).
  Value flashAttention(AttentionOp op, OpBuilder &b, OpAdaptor adaptor,
                       RankedTensorType resultType, Value q,
                       Value scale) const {
    Location loc = op.getLoc();
    Value k = adaptor.getKey(), v = adaptor.getValue(),
          mask = adaptor.getMask();
    Type t = resultType.getElementType();
    int64_t rank = resultType.getRank();
    // The scale goes on the queries once rather than on every block.
    Value qs = MulOp::create(b, loc, q, scale);

    // The loop state: [..., Lq, 1] rows and the [..., Lq, Dv] output, with
    // the leading dims of whichever operand is not a static 1 there.
    SmallVector<OpFoldResult> accDims;
    for (int64_t d = 0; d < rank - 2; ++d) {
      OpFoldResult dim = b.getIndexAttr(1);
      for (Value operand : {q, k, v})
        if (typeOf(operand).getDimSize(d) != 1) {
          dim = getDim(b, loc, operand, d);
          break;
        }
      accDims.push_back(dim);
    }
    accDims.push_back(getDim(b, loc, q, rank - 2));
    accDims.push_back(getDim(b, loc, v, rank - 1));
    SmallVector<OpFoldResult> rowDims(accDims);
    rowDims.back() = b.getIndexAttr(1);
    SmallVector<int64_t> rowShape(resultType.getShape());
    rowShape.back() = 1;
    auto rowType = RankedTensorType::get(rowShape, t);
    Value zero = scalarConstant(b, loc, t, 0.0);
    Value lowestFinite = arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(t, APFloat::getLargest(
                              cast<FloatType>(t).getFloatSemantics(),
                              /*Negative=*/true)));
    Value m0 = createFilled(b, loc, rowType, rowDims, lowestFinite);
    Value l0 = createFilled(b, loc, rowType, rowDims, zero);
    Value acc0 = createFilled(b, loc, resultType, accDims, zero);

    int64_t keyLength = typeOf(k).getDimSize(rank - 2);
    bool ragged =
        ShapedType::isDynamic(keyLength) || keyLength % keyBlock != 0;
    Value keys = getDimValue(b, loc, k, rank - 2);
    Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
    Value step = arith::ConstantIndexOp::create(b, loc, keyBlock);
    auto lastAxis = b.getDenseI64ArrayAttr({rank - 1});
    auto loop = scf::ForOp::create(
        b, loc, c0, keys, step, ValueRange{m0, l0, acc0},
        [&](OpBuilder &nb, Location l, Value kb, ValueRange state) {
          OpFoldResult size = nb.getIndexAttr(keyBlock);
          if (ragged)
            size = arith::MinSIOp::create(
                       nb, l, step, arith::SubIOp::create(nb, l, keys, kb))
                       .getResult();
          Value kBlock = sliceDim(nb, l, k, rank - 2, kb, size);
          Value vBlock = sliceDim(nb, l, v, rank - 2, kb, size);
          Value s = MatmulOp::create(nb, l, qs, kBlock, false, true);
          if (mask) {
            int64_t maskRank = typeOf(mask).getRank();
            Value maskBlock = mask;
            if (typeOf(mask).getDimSize(maskRank - 1) != 1)
              maskBlock = sliceDim(nb, l, mask, maskRank - 1, kb, size);
            s = applyMask(nb, l, s, maskBlock);
          }
          if (op.getIsCausal())
            s = causalMask(nb, l, s, kb);
          Value m = state[0], sum = state[1], acc = state[2];
          Value blockMax = ReduceMaxOp::create(nb, l, s, lastAxis, true);
          Value mNew = MaxOp::create(nb, l, m, blockMax);
          Value p = ExpOp::create(nb, l, SubOp::create(nb, l, s, mNew));
          Value c = ExpOp::create(nb, l, SubOp::create(nb, l, m, mNew));
          Value sumNew = AddOp::create(
              nb, l, MulOp::create(nb, l, sum, c),
              ReduceSumOp::create(nb, l, p, lastAxis, true));
          Value accNew = AddOp::create(
              nb, l, MulOp::create(nb, l, acc, c),
              MatmulOp::create(nb, l, p, vBlock, false, false));
          scf::YieldOp::create(nb, l,
                               ValueRange{castTo(nb, l, mNew, rowType),
                                          castTo(nb, l, sumNew, rowType),
                                          castTo(nb, l, accNew, resultType)});
        });
    // The loop is the model's, not a tiling: the CPU strategy still tiles,
    // vectorizes and threads the ops inside.
    loop->setAttr(kGraphLoopAttrName, b.getUnitAttr());
    return DivOp::create(b, loc, loop.getResult(2), loop.getResult(1));
  }

  int64_t keyBlock;
};
} // namespace

void lowering::populateAttentionLowering(const TypeConverter &converter,
                                         RewritePatternSet &patterns,
                                         int64_t keyBlock) {
  patterns.add<AttentionLowering>(converter, patterns.getContext(), keyBlock);
}
