//===- Normalization.cpp - Lower kiln norms, reductions and quantization -===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "Kiln/IR/KilnOps.h"
#include "Kiln/IR/ShapeUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"
#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::lowering;

namespace {
/// A map over a rank-`rank` loop nest reading only the dims not in `drop`.
AffineMap keptDimsMap(MLIRContext *ctx, int64_t rank,
                      const llvm::SmallBitVector &drop) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d)
    if (!drop.test(d))
      exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value addF(OpBuilder &b, Location l, Value x, Value acc) {
  return arith::AddFOp::create(b, l, x, acc);
}

struct BatchNormLowering final : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getInput();
    auto type = convertedType(getTypeConverter(), op.getResult());
    int64_t rank = type.getRank();
    int64_t axis = *shape::normalizeAxis(op.getAxis(), rank);
    Type t = type.getElementType();
    Value eps = scalarConstant(rewriter, loc, t, op.getEpsilon().convertToDouble());
    AffineMap channel = AffineMap::get(rank, 0, {getAffineDimExpr(axis, ctx)}, ctx);
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    Value result = buildMapped(
        rewriter, loc, type, getDims(rewriter, loc, x),
        {x, adaptor.getScale(), adaptor.getBias(), adaptor.getMean(),
         adaptor.getVariance()},
        {id, channel, channel, channel, channel},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value inv = math::RsqrtOp::create(b, l, addF(b, l, a[4], eps));
          Value norm = arith::MulFOp::create(
              b, l, arith::SubFOp::create(b, l, a[0], a[3]), inv);
          return addF(b, l, arith::MulFOp::create(b, l, norm, a[1]), a[2]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Mean and variance over the trailing dims from `axis` in one pass over
/// the input, then the normalization with optional scale and bias in a
/// second: two reads of the input instead of three. The one pass sums
/// x - k and (x - k)^2, shifted by k, the first element of the row (the
/// "shifted data" algorithm): var = S2/n - (S1/n)^2 then cancels only as
/// much as the row's spread around one of its own values, unlike the plain
/// sum of squares, whose cancellation grows with the mean.
struct LayerNormLowering final : OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getInput();
    auto type = convertedType(getTypeConverter(), op.getResult());
    Type t = type.getElementType();
    int64_t rank = type.getRank();
    int64_t axis = *shape::normalizeAxis(op.getAxis(), rank);
    llvm::SmallBitVector reduced(rank);
    Value count = arith::ConstantIndexOp::create(rewriter, loc, 1);
    for (int64_t d = axis; d < rank; ++d) {
      reduced.set(d);
      count = arith::MulIOp::create(rewriter, loc, count,
                                    getDimValue(rewriter, loc, x, d));
    }
    Value n = indexToFloat(rewriter, loc, count, t);
    Value zero = scalarConstant(rewriter, loc, t, 0);

    // k = x[row..., 0, ..., 0]: read inside the loops only, so an empty
    // row reads nothing.
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap rowMap = keptDimsMap(ctx, rank, reduced);
    SmallVector<AffineExpr> firstExprs;
    for (int64_t d = 0; d < rank; ++d)
      firstExprs.push_back(reduced.test(d) ? getAffineConstantExpr(0, ctx)
                                           : getAffineDimExpr(d, ctx));
    AffineMap firstMap = AffineMap::get(rank, 0, firstExprs, ctx);
    SmallVector<OpFoldResult> dims = getDims(rewriter, loc, x);
    SmallVector<OpFoldResult> rowDims(dims.begin(), dims.begin() + axis);
    auto rowType =
        RankedTensorType::get(type.getShape().take_front(axis), t);
    Value acc = createFilled(rewriter, loc, rowType, rowDims, zero);
    SmallVector<utils::IteratorType> iterators;
    for (int64_t d = 0; d < rank; ++d)
      iterators.push_back(reduced.test(d) ? utils::IteratorType::reduction
                                          : utils::IteratorType::parallel);
    auto sums = linalg::GenericOp::create(
        rewriter, loc, TypeRange{rowType, rowType}, ValueRange{x, x},
        ValueRange{acc, acc}, {id, firstMap, rowMap, rowMap}, iterators,
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value dev = arith::SubFOp::create(b, l, a[0], a[1]);
          linalg::YieldOp::create(
              b, l,
              ValueRange{addF(b, l, dev, a[2]),
                         addF(b, l, arith::MulFOp::create(b, l, dev, dev),
                              a[3])});
        });
    Value sum = sums.getResult(0), sqSum = sums.getResult(1);

    Value eps = scalarConstant(rewriter, loc, t, op.getEpsilon().convertToDouble());
    SmallVector<AffineExpr> paramExprs;
    for (int64_t d = axis; d < rank; ++d)
      paramExprs.push_back(getAffineDimExpr(d, ctx));
    AffineMap paramMap = AffineMap::get(rank, 0, paramExprs, ctx);
    SmallVector<Value> inputs = {x, x, sum, sqSum};
    SmallVector<AffineMap> maps = {id, firstMap, rowMap, rowMap};
    Value scale = adaptor.getScale(), bias = adaptor.getBias();
    if (scale) {
      inputs.push_back(scale);
      maps.push_back(paramMap);
    }
    if (bias) {
      inputs.push_back(bias);
      maps.push_back(paramMap);
    }
    Value result = buildMapped(
        rewriter, loc, type, getDims(rewriter, loc, x), inputs, maps,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          // mean - k and the variance of the shifted values; rounding can
          // make the variance a hair below zero.
          Value shiftedMean = arith::DivFOp::create(b, l, a[2], n);
          Value var = arith::SubFOp::create(
              b, l, arith::DivFOp::create(b, l, a[3], n),
              arith::MulFOp::create(b, l, shiftedMean, shiftedMean));
          var = arith::MaximumFOp::create(b, l, var, zero);
          Value inv = math::RsqrtOp::create(b, l, addF(b, l, var, eps));
          Value dev = arith::SubFOp::create(
              b, l, arith::SubFOp::create(b, l, a[0], a[1]), shiftedMean);
          Value y = arith::MulFOp::create(b, l, dev, inv);
          unsigned next = 4;
          if (scale)
            y = arith::MulFOp::create(b, l, y, a[next++]);
          if (bias)
            y = addF(b, l, y, a[next]);
          return y;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The max of `x` over its `reduced` dims.
static Value buildMax(OpBuilder &b, Location loc, Value x,
                      const llvm::SmallBitVector &reduced) {
  return buildReduction(
      b, loc, x, reduced,
      lowestValue(b, loc, cast<ShapedType>(x.getType()).getElementType()),
      [](OpBuilder &b, Location l, Value v, Value acc) -> Value {
        return arith::MaximumFOp::create(b, l, v, acc);
      });
}

/// sum(exp(x - max)) over the `reduced` dims of `x` (`max` holds the kept
/// ones), each term scaled by `weight` (of x's shape) when there is one.
static Value buildSumOfExp(OpBuilder &b, Location loc, Value x, Value max,
                           const llvm::SmallBitVector &reduced,
                           Value weight = {}) {
  MLIRContext *ctx = b.getContext();
  int64_t rank = cast<ShapedType>(x.getType()).getRank();
  auto rowType = cast<RankedTensorType>(max.getType());
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap rowMap = keptDimsMap(ctx, rank, reduced);
  Value acc = createFilled(b, loc, rowType, getDims(b, loc, max),
                           scalarConstant(b, loc, rowType.getElementType(), 0));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  for (int64_t d : reduced.set_bits())
    iterators[d] = utils::IteratorType::reduction;
  // Inputs x, [weight,] max; then the accumulator.
  SmallVector<Value> inputs = {x};
  SmallVector<AffineMap> maps = {id};
  if (weight) {
    inputs.push_back(weight);
    maps.push_back(id);
  }
  inputs.push_back(max);
  maps.append({rowMap, rowMap});
  return linalg::GenericOp::create(
             b, loc, TypeRange{rowType}, inputs, ValueRange{acc}, maps,
             iterators,
             [&](OpBuilder &b, Location l, ValueRange a) {
               Value rowMax = a[a.size() - 2];
               Value e = math::ExpOp::create(
                   b, l, arith::SubFOp::create(b, l, a[0], rowMax));
               if (weight)
                 e = arith::MulFOp::create(b, l, a[1], e);
               linalg::YieldOp::create(b, l, addF(b, l, e, a.back()));
             })
      .getResult(0);
}

/// The max and the sum of exp(x - max) of each row of `x` (its last dim, of
/// static size K) in one pass, online: the row is seen as [K / lanes,
/// lanes], and each lane keeps a running max m and a running sum s of
/// exp(x - m), rescaled when m grows:
///
///   d = x - m;  t = exp(-|d|)
///   s = d > 0 ? s * t + 1 : s + t;  m = max(m, x)
///
/// (one exp per element), the lanes being a parallel dim that vectorizes
/// without a cross-lane combiner. The lanes' pairs are then merged:
/// M = max m, S = sum s * exp(m - M). `lanes` is the target's vector
/// width, halved until it divides K (1000 classes: 8 lanes of 125);
/// nothing when fewer than 4 lanes, or fewer than 2 steps, would.
static std::optional<std::pair<Value, Value>>
buildOnlineMaxAndSum(OpBuilder &b, Location loc, Value x, int64_t lanes) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  int64_t k = type.getDimSize(rank - 1);
  Type t = type.getElementType();
  if (ShapedType::isDynamic(k) || !isa<FloatType>(t))
    return std::nullopt;
  // Lanes that split the row: the target's, or fewer (a power of two).
  while (lanes > 1 && k % lanes != 0)
    lanes /= 2;
  if (lanes < 4 || k / lanes < 2)
    return std::nullopt;
  MLIRContext *ctx = b.getContext();
  // x as [..., K / lanes, lanes].
  SmallVector<OpFoldResult> dims = getDims(b, loc, x);
  SmallVector<OpFoldResult> splitDims(dims.begin(), dims.end() - 1);
  splitDims.push_back(b.getIndexAttr(k / lanes));
  splitDims.push_back(b.getIndexAttr(lanes));
  SmallVector<int64_t> splitShape(type.getShape().drop_back());
  splitShape.push_back(k / lanes);
  splitShape.push_back(lanes);
  SmallVector<ReassociationIndices> groups;
  for (int64_t d = 0; d + 1 < rank; ++d)
    groups.push_back({d});
  groups.push_back({rank - 1, rank});
  Value split = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(splitShape, t), x, groups, splitDims);

  // Per lane: [..., lanes].
  SmallVector<OpFoldResult> laneDims(dims.begin(), dims.end() - 1);
  laneDims.push_back(b.getIndexAttr(lanes));
  SmallVector<int64_t> laneShape(type.getShape().drop_back());
  laneShape.push_back(lanes);
  auto laneType = RankedTensorType::get(laneShape, t);
  // The running max starts at the lowest finite value, not -inf: a lane's
  // first -inf (a masked position) would otherwise make -inf - -inf.
  auto floatType = cast<FloatType>(t);
  Value lowestFinite = arith::ConstantOp::create(
      b, loc, b.getFloatAttr(floatType, APFloat::getLargest(
                                            floatType.getFloatSemantics(),
                                            /*Negative=*/true)));
  Value one = scalarConstant(b, loc, t, 1);
  Value zero = scalarConstant(b, loc, t, 0);
  Value m0 = createFilled(b, loc, laneType, laneDims, lowestFinite);
  Value s0 = createFilled(b, loc, laneType, laneDims, zero);
  AffineMap splitId = AffineMap::getMultiDimIdentityMap(rank + 1, ctx);
  llvm::SmallBitVector chunks(rank + 1);
  chunks.set(rank - 1);
  AffineMap laneMap = keptDimsMap(ctx, rank + 1, chunks);
  SmallVector<utils::IteratorType> iterators(rank + 1,
                                             utils::IteratorType::parallel);
  iterators[rank - 1] = utils::IteratorType::reduction;
  auto online = linalg::GenericOp::create(
      b, loc, TypeRange{laneType, laneType}, ValueRange{split},
      ValueRange{m0, s0}, {splitId, laneMap, laneMap}, iterators,
      [&](OpBuilder &b, Location l, ValueRange a) {
        Value v = a[0], m = a[1], sum = a[2];
        Value d = arith::SubFOp::create(b, l, v, m);
        Value e = math::ExpOp::create(
            b, l, arith::NegFOp::create(b, l, math::AbsFOp::create(b, l, d)));
        Value grows =
            arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, d, zero);
        Value rescaled = arith::AddFOp::create(
            b, l, arith::MulFOp::create(b, l, sum, e), one);
        Value added = arith::AddFOp::create(b, l, sum, e);
        Value next = arith::SelectOp::create(b, l, grows, rescaled, added);
        linalg::YieldOp::create(
            b, l, ValueRange{arith::MaximumFOp::create(b, l, m, v), next});
      });
  Value m = online.getResult(0), sum = online.getResult(1);

  // Merge the lanes: M = max m, S = sum s * exp(m - M).
  llvm::SmallBitVector lastDim(rank);
  lastDim.set(rank - 1);
  Value max = buildMax(b, loc, m, lastDim);
  return std::make_pair(max, buildSumOfExp(b, loc, m, max, lastDim, sum));
}

/// softmax(x) = exp(x - max) / sum(exp(x - max)); log_softmax(x) =
/// x - max - log(sum(exp(x - max))).
template <typename OpTy, bool IsLog>
struct SoftmaxLowering final : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getInput();
    auto type = cast<RankedTensorType>(
        this->getTypeConverter()->convertType(op.getType()));
    Type t = type.getElementType();
    int64_t rank = type.getRank();
    int64_t axis = *shape::normalizeAxis(op.getAxis(), rank);
    llvm::SmallBitVector reduced(rank);
    reduced.set(axis);
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap rowMap = keptDimsMap(ctx, rank, reduced);
    // Over the innermost dim, the max and the sum in one pass (online);
    // otherwise a pass for the max, then one for the sum.
    Value max, sum;
    int64_t lanes = 0;
    if (TargetAttr target = TargetAttr::lookup(op);
        target && axis == rank - 1 && isa<FloatType>(t))
      lanes = target.getVectorLanes(t.getIntOrFloatBitWidth());
    if (auto online = buildOnlineMaxAndSum(rewriter, loc, x, lanes)) {
      std::tie(max, sum) = *online;
    } else {
      max = buildMax(rewriter, loc, x, reduced);
      sum = buildSumOfExp(rewriter, loc, x, max, reduced);
    }
    Value result = buildMapped(
        rewriter, loc, type, getDims(rewriter, loc, x), {x, max, sum},
        {id, rowMap, rowMap},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value shifted = arith::SubFOp::create(b, l, a[0], a[1]);
          if (IsLog)
            return arith::SubFOp::create(b, l, shifted,
                                         math::LogOp::create(b, l, a[2]));
          // arcp: LLVM divides once per row and multiplies per element
          // (within an ulp of the division).
          return arith::DivFOp::create(b, l, math::ExpOp::create(b, l, shifted),
                                       a[2], arith::FastMathFlags::arcp);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

enum class ReduceKind { Sum, Mean, Max, Min, Prod };

template <typename OpTy, ReduceKind Kind>
struct ReduceLowering final : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto inType = cast<RankedTensorType>(x.getType());
    auto outType = cast<RankedTensorType>(
        this->getTypeConverter()->convertType(op.getType()));
    Type t = outType.getElementType();
    bool isFloat = isa<FloatType>(t);
    int64_t rank = inType.getRank();
    llvm::SmallBitVector reduced(rank, op.getAxes().empty());
    for (int64_t a : op.getAxes())
      reduced.set(*shape::normalizeAxis(a, rank));

    Value init;
    switch (Kind) {
    case ReduceKind::Sum:
    case ReduceKind::Mean:
      init = scalarConstant(rewriter, loc, t, 0);
      break;
    case ReduceKind::Prod:
      init = scalarConstant(rewriter, loc, t, 1);
      break;
    case ReduceKind::Max:
      init = lowestValue(rewriter, loc, t);
      break;
    case ReduceKind::Min:
      init = highestValue(rewriter, loc, t);
      break;
    }
    Value r = buildReduction(
        rewriter, loc, x, reduced, init,
        [&](OpBuilder &b, Location l, Value v, Value acc) -> Value {
          switch (Kind) {
          case ReduceKind::Sum:
          case ReduceKind::Mean:
            return isFloat ? addF(b, l, v, acc)
                           : arith::AddIOp::create(b, l, v, acc).getResult();
          case ReduceKind::Prod:
            return isFloat ? arith::MulFOp::create(b, l, v, acc).getResult()
                           : arith::MulIOp::create(b, l, v, acc).getResult();
          case ReduceKind::Max:
            return isFloat ? arith::MaximumFOp::create(b, l, v, acc).getResult()
                           : arith::MaxSIOp::create(b, l, v, acc).getResult();
          case ReduceKind::Min:
            return isFloat ? arith::MinimumFOp::create(b, l, v, acc).getResult()
                           : arith::MinSIOp::create(b, l, v, acc).getResult();
          }
          llvm_unreachable("covered switch");
        });
    if (Kind == ReduceKind::Mean) {
      Value count = arith::ConstantIndexOp::create(rewriter, loc, 1);
      for (int64_t d = 0; d < rank; ++d)
        if (reduced.test(d))
          count = arith::MulIOp::create(rewriter, loc, count,
                                        getDimValue(rewriter, loc, x, d));
      Value n = indexToFloat(rewriter, loc, count, t);
      r = buildElementwise(rewriter, loc, cast<RankedTensorType>(r.getType()),
                           ValueRange{r},
                           [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                             return arith::DivFOp::create(b, l, a[0], n);
                           });
    }
    if (op.getKeepdims())
      r = expandReducedDims(rewriter, loc, r, outType, reduced);
    rewriter.replaceOpWithNewOp<tensor::CastOp>(op, outType, r);
    return success();
  }
};

/// Scale and zero point of a uniform quantized type, per tensor or as 1-D
/// constant tensors along the quantized dim.
struct QuantParams {
  Value scale, zeroPoint; // scalars, or 1-D tensors when perAxis
  std::optional<int64_t> axis;
};

QuantParams quantParams(OpBuilder &b, Location loc, quant::QuantizedType q,
                        Type floatType) {
  QuantParams p;
  if (auto u = dyn_cast<quant::UniformQuantizedType>(q)) {
    p.scale = scalarConstant(b, loc, floatType, u.getScale());
    p.zeroPoint = scalarConstant(b, loc, floatType,
                                 static_cast<double>(u.getZeroPoint()));
    return p;
  }
  auto a = cast<quant::UniformQuantizedPerAxisType>(q);
  auto vecType = RankedTensorType::get(
      {static_cast<int64_t>(a.getScales().size())}, floatType);
  SmallVector<double> zps(a.getZeroPoints().begin(), a.getZeroPoints().end());
  SmallVector<Attribute> scaleAttrs, zpAttrs;
  for (double s : a.getScales())
    scaleAttrs.push_back(b.getFloatAttr(floatType, s));
  for (double z : zps)
    zpAttrs.push_back(b.getFloatAttr(floatType, z));
  p.scale = arith::ConstantOp::create(b, loc,
                                      DenseElementsAttr::get(vecType, scaleAttrs));
  p.zeroPoint = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(vecType, zpAttrs));
  p.axis = a.getQuantizedDimension();
  return p;
}

/// Runs `body(x, scale, zeroPoint)` elementwise over `input`, with the
/// parameters read per element when quantized per axis.
Value quantElementwise(OpBuilder &b, Location loc, Value input,
                       RankedTensorType resultType, const QuantParams &p,
                       llvm::function_ref<Value(OpBuilder &, Location, Value,
                                                Value, Value)>
                           body) {
  MLIRContext *ctx = b.getContext();
  int64_t rank = resultType.getRank();
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
  SmallVector<OpFoldResult> dims = getDims(b, loc, input);
  if (!p.axis)
    return buildMapped(b, loc, resultType, dims, {input}, {id},
                       [&](OpBuilder &nb, Location l, ValueRange a) {
                         return body(nb, l, a[0], p.scale, p.zeroPoint);
                       });
  AffineMap axisMap =
      AffineMap::get(rank, 0, {getAffineDimExpr(*p.axis, ctx)}, ctx);
  return buildMapped(b, loc, resultType, dims, {input, p.scale, p.zeroPoint},
                     {id, axisMap, axisMap},
                     [&](OpBuilder &nb, Location l, ValueRange a) {
                       return body(nb, l, a[0], a[1], a[2]);
                     });
}

struct QuantizeLowering final : OpConversionPattern<QuantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto qtype = cast<quant::QuantizedType>(
        cast<RankedTensorType>(op.getType()).getElementType());
    auto outType = convertedType(getTypeConverter(), op.getResult());
    Type ft = cast<RankedTensorType>(adaptor.getInput().getType()).getElementType();
    Type storage = outType.getElementType();
    QuantParams p = quantParams(rewriter, loc, qtype, ft);
    Value lo = scalarConstant(rewriter, loc, ft, qtype.getStorageTypeMin());
    Value hi = scalarConstant(rewriter, loc, ft, qtype.getStorageTypeMax());
    bool isSigned = qtype.isSigned();
    Value result = quantElementwise(
        rewriter, loc, adaptor.getInput(), outType, p,
        [&](OpBuilder &b, Location l, Value x, Value scale, Value zp) -> Value {
          Value v = math::RoundEvenOp::create(
              b, l, arith::DivFOp::create(b, l, x, scale));
          v = addF(b, l, v, zp);
          v = arith::MinimumFOp::create(b, l,
                                        arith::MaximumFOp::create(b, l, v, lo), hi);
          if (isSigned)
            return arith::FPToSIOp::create(b, l, storage, v);
          return arith::FPToUIOp::create(b, l, storage, v);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct DequantizeLowering final : OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto qtype = cast<quant::QuantizedType>(
        cast<RankedTensorType>(op.getInput().getType()).getElementType());
    auto outType = convertedType(getTypeConverter(), op.getResult());
    Type ft = outType.getElementType();
    QuantParams p = quantParams(rewriter, loc, qtype, ft);
    bool isSigned = qtype.isSigned();
    Value result = quantElementwise(
        rewriter, loc, adaptor.getInput(), outType, p,
        [&](OpBuilder &b, Location l, Value q, Value scale, Value zp) -> Value {
          Value v = isSigned ? arith::SIToFPOp::create(b, l, ft, q).getResult()
                             : arith::UIToFPOp::create(b, l, ft, q).getResult();
          return arith::MulFOp::create(b, l, arith::SubFOp::create(b, l, v, zp),
                                       scale);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void lowering::populateNormalizationLowering(const TypeConverter &converter,
                                             RewritePatternSet &patterns) {
  patterns.add<BatchNormLowering, LayerNormLowering,
               SoftmaxLowering<SoftmaxOp, false>,
               SoftmaxLowering<LogSoftmaxOp, true>,
               ReduceLowering<ReduceSumOp, ReduceKind::Sum>,
               ReduceLowering<ReduceMeanOp, ReduceKind::Mean>,
               ReduceLowering<ReduceMaxOp, ReduceKind::Max>,
               ReduceLowering<ReduceMinOp, ReduceKind::Min>,
               ReduceLowering<ReduceProdOp, ReduceKind::Prod>, QuantizeLowering,
               DequantizeLowering>(converter, patterns.getContext());
}
