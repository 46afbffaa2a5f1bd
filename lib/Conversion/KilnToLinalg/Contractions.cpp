//===- Contractions.cpp - Lower kiln matmuls, convolutions, pooling -------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "Kiln/IR/KilnOps.h"
#include "Kiln/IR/ElementsUtils.h"
#include "Kiln/IR/LayoutUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::lowering;

namespace {
/// acc + a * b in the element type's arithmetic.
Value multiplyAccumulate(OpBuilder &b, Location l, Value x, Value y,
                         Value acc) {
  if (isa<FloatType>(acc.getType()))
    return arith::AddFOp::create(b, l, acc, arith::MulFOp::create(b, l, x, y));
  return arith::AddIOp::create(b, l, acc, arith::MulIOp::create(b, l, x, y));
}

struct MatmulLowering final : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto outType = convertedType(getTypeConverter(), op.getResult());
    // Batch dims that the result has static are static in the operands.
    Value lhs = refineBroadcastOperand(rewriter, loc, adaptor.getLhs(),
                                       outType.getShape(), 2);
    Value rhs = refineBroadcastOperand(rewriter, loc, adaptor.getRhs(),
                                       outType.getShape(), 2);
    auto lt = cast<RankedTensorType>(lhs.getType());
    auto rt = cast<RankedTensorType>(rhs.getType());
    int64_t rank = outType.getRank(), batch = rank - 2;
    bool tl = op.getTransposeLhs(), tr = op.getTransposeRhs();

    // Result dims: batch dims broadcast; M from lhs, N from rhs.
    SmallVector<OpFoldResult> dims;
    ArrayRef<int64_t> outBatch = outType.getShape().take_front(batch);
    for (int64_t d = 0; d < batch; ++d) {
      if (!outType.isDynamicDim(d)) {
        dims.push_back(rewriter.getIndexAttr(outType.getDimSize(d)));
        continue;
      }
      OpFoldResult dim = rewriter.getIndexAttr(1);
      for (auto [v, t] : {std::pair{lhs, lt}, std::pair{rhs, rt}}) {
        int64_t id = d - (batch - (t.getRank() - 2));
        if (id >= 0 && t.getDimSize(id) != 1) {
          dim = getDim(rewriter, loc, v, id);
          break;
        }
      }
      dims.push_back(dim);
    }
    dims.push_back(getDim(rewriter, loc, lhs, lt.getRank() - (tl ? 1 : 2)));
    dims.push_back(getDim(rewriter, loc, rhs, rt.getRank() - (tr ? 2 : 1)));
    Value zero = scalarConstant(rewriter, loc, outType.getElementType(), 0);
    Value init = createFilled(rewriter, loc, outType, dims, zero);

    // Named ops where they fit exactly.
    bool sameBatch = lt.getRank() == 3 && rt.getRank() == 3 &&
                     lt.getDimSize(0) != 1 && rt.getDimSize(0) != 1;
    if (!tl && !tr && lt.getRank() == 2 && rt.getRank() == 2) {
      rewriter.replaceOp(op, linalg::MatmulOp::create(
                                 rewriter, loc, TypeRange{outType},
                                 ValueRange{lhs, rhs}, ValueRange{init})
                                 .getResult(0));
      return success();
    }
    if (!tl && !tr && sameBatch) {
      rewriter.replaceOp(op, linalg::BatchMatmulOp::create(
                                 rewriter, loc, TypeRange{outType},
                                 ValueRange{lhs, rhs}, ValueRange{init})
                                 .getResult(0));
      return success();
    }

    // General case: loops (batch..., m, n, k).
    AffineExpr m = getAffineDimExpr(batch, ctx),
               n = getAffineDimExpr(batch + 1, ctx),
               k = getAffineDimExpr(batch + 2, ctx);
    auto operandMap = [&](RankedTensorType t, AffineExpr a, AffineExpr b) {
      SmallVector<AffineExpr> exprs;
      int64_t tb = t.getRank() - 2;
      for (int64_t d = 0; d < tb; ++d) {
        int64_t od = d + (batch - tb);
        exprs.push_back(t.getDimSize(d) == 1 && outBatch[od] != 1
                            ? getAffineConstantExpr(0, ctx)
                            : getAffineDimExpr(od, ctx));
      }
      exprs.push_back(a);
      exprs.push_back(b);
      return AffineMap::get(rank + 1, 0, exprs, ctx);
    };
    SmallVector<AffineExpr> outExprs;
    for (int64_t d = 0; d < rank; ++d)
      outExprs.push_back(getAffineDimExpr(d, ctx));
    SmallVector<AffineMap> maps = {
        tl ? operandMap(lt, k, m) : operandMap(lt, m, k),
        tr ? operandMap(rt, n, k) : operandMap(rt, k, n),
        AffineMap::get(rank + 1, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{outType}, ValueRange{lhs, rhs},
        ValueRange{init}, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(
              b, l, multiplyAccumulate(b, l, args[0], args[1], args[2]));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// linear: out[..., n] = bias[n] + sum_k x[..., k] * w[n, k]; the bias
/// initializes the accumulator.
struct LinearLowering final : OpConversionPattern<LinearOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getInput(), w = adaptor.getWeight();
    auto outType = convertedType(getTypeConverter(), op.getResult());
    int64_t rank = outType.getRank(), lead = rank - 1;
    SmallVector<OpFoldResult> dims;
    for (int64_t d = 0; d < lead; ++d)
      dims.push_back(getDim(rewriter, loc, x, d));
    dims.push_back(getDim(rewriter, loc, w, 0));

    Value init;
    if (Value bias = adaptor.getBias()) {
      init = buildMapped(
          rewriter, loc, outType, dims, {bias},
          {AffineMap::get(rank, 0, {getAffineDimExpr(lead, ctx)}, ctx)},
          [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    } else {
      init = createFilled(
          rewriter, loc, outType, dims,
          scalarConstant(rewriter, loc, outType.getElementType(), 0));
    }
    // Loops (lead..., n, k).
    SmallVector<AffineExpr> xExprs, outExprs;
    for (int64_t d = 0; d < lead; ++d) {
      xExprs.push_back(getAffineDimExpr(d, ctx));
      outExprs.push_back(getAffineDimExpr(d, ctx));
    }
    AffineExpr n = getAffineDimExpr(lead, ctx), k = getAffineDimExpr(lead + 1, ctx);
    xExprs.push_back(k);
    outExprs.push_back(n);
    SmallVector<AffineMap> maps = {AffineMap::get(rank + 1, 0, xExprs, ctx),
                                   AffineMap::get(rank + 1, 0, {n, k}, ctx),
                                   AffineMap::get(rank + 1, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{outType}, ValueRange{x, w}, ValueRange{init},
        maps, iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(
              b, l, multiplyAccumulate(b, l, args[0], args[1], args[2]));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// `value` (an i8 held for a `ui8` or `i8` kiln value) widened to i32.
static Value extendToI32(OpBuilder &b, Location l, Value value,
                         bool isUnsigned) {
  Type i32 = b.getI32Type();
  if (isUnsigned)
    return arith::ExtUIOp::create(b, l, i32, value);
  return arith::ExtSIOp::create(b, l, i32, value);
}

static bool isUnsignedTensor(Value kilnValue) {
  return getElementTypeOrSelf(kilnValue.getType()).isUnsignedInteger();
}

/// The i32 sums over K of `rhs` ([K, N], or [N, K] when `transposed`), per
/// column: computed at compile time when `rhs` is a constant (frozen
/// weights), else by a reduction.
static Value columnSums(OpBuilder &b, Location loc, Value rhs,
                        bool isUnsigned, bool transposed) {
  auto type = cast<RankedTensorType>(rhs.getType());
  int64_t kDim = transposed ? 1 : 0, nDim = 1 - kDim;
  auto sumType = RankedTensorType::get({type.getDimSize(nDim)}, b.getI32Type());
  ElementsAttr constant;
  if (type.hasStaticShape() && matchPattern(rhs, m_Constant(&constant))) {
    if (std::optional<ArrayRef<char>> bytes = getRawElementBytes(constant)) {
      int64_t k = type.getDimSize(kDim), n = type.getDimSize(nDim);
      SmallVector<int32_t> sums(n, 0);
      for (int64_t i = 0; i < k; ++i)
        for (int64_t j = 0; j < n; ++j) {
          char byte = (*bytes)[transposed ? j * k + i : i * n + j];
          sums[j] += isUnsigned ? static_cast<int32_t>(
                                      static_cast<unsigned char>(byte))
                                : static_cast<int32_t>(
                                      static_cast<signed char>(byte));
        }
      return arith::ConstantOp::create(
          b, loc, DenseIntElementsAttr::get(sumType, ArrayRef(sums)));
    }
  }
  MLIRContext *ctx = b.getContext();
  Value init = createFilled(b, loc, sumType, {getDim(b, loc, rhs, nDim)},
                            scalarConstant(b, loc, b.getI32Type(), 0));
  AffineExpr n = getAffineDimExpr(0, ctx), k = getAffineDimExpr(1, ctx);
  SmallVector<AffineMap> maps = {
      AffineMap::get(2, 0, transposed ? ArrayRef{n, k} : ArrayRef{k, n}, ctx),
      AffineMap::get(2, 0, {n}, ctx)};
  return linalg::GenericOp::create(
             b, loc, TypeRange{sumType}, ValueRange{rhs}, ValueRange{init},
             maps,
             {utils::IteratorType::parallel, utils::IteratorType::reduction},
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value x = extendToI32(nb, l, args[0], isUnsigned);
               linalg::YieldOp::create(
                   nb, l, ValueRange{arith::AddIOp::create(nb, l, args[1], x)});
             })
      .getResult(0);
}

/// matmul_integer: the i8 x i8 -> i32 contraction (loops [lead..., n, k],
/// each operand widened per its signedness in the body, which is what
/// kiln-cpu-select-strategy recognizes as an integer GEMM), then, with zero
/// points, one elementwise correction:
///
///   raw - zl * colsum(rhs)[n] - zr[n] * rowsum(lhs)[...] + K * zl * zr[n]
struct MatmulIntegerLowering final : OpConversionPattern<MatmulIntegerOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatmulIntegerOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getLhs(), w = adaptor.getRhs();
    bool xUnsigned = isUnsignedTensor(op.getLhs());
    bool wUnsigned = isUnsignedTensor(op.getRhs());
    bool tr = op.getTransposeRhs();
    auto outType = convertedType(getTypeConverter(), op.getResult());
    int64_t rank = outType.getRank(), lead = rank - 1;
    SmallVector<OpFoldResult> dims;
    for (int64_t d = 0; d < lead; ++d)
      dims.push_back(getDim(rewriter, loc, x, d));
    dims.push_back(getDim(rewriter, loc, w, tr ? 0 : 1));
    Type i32 = rewriter.getI32Type();
    Value zero = scalarConstant(rewriter, loc, i32, 0);
    Value init = createFilled(rewriter, loc, outType, dims, zero);
    SmallVector<AffineExpr> xExprs, outExprs;
    for (int64_t d = 0; d < lead; ++d) {
      xExprs.push_back(getAffineDimExpr(d, ctx));
      outExprs.push_back(getAffineDimExpr(d, ctx));
    }
    AffineExpr n = getAffineDimExpr(lead, ctx),
               k = getAffineDimExpr(lead + 1, ctx);
    xExprs.push_back(k);
    outExprs.push_back(n);
    SmallVector<AffineMap> maps = {
        AffineMap::get(rank + 1, 0, xExprs, ctx),
        AffineMap::get(rank + 1, 0, tr ? ArrayRef{n, k} : ArrayRef{k, n},
                       ctx),
        AffineMap::get(rank + 1, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    Value raw =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{outType}, ValueRange{x, w},
            ValueRange{init}, maps, iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value a = extendToI32(b, l, args[0], xUnsigned);
              Value c = extendToI32(b, l, args[1], wUnsigned);
              linalg::YieldOp::create(
                  b, l,
                  ValueRange{arith::AddIOp::create(
                      b, l, args[2], arith::MulIOp::create(b, l, a, c))});
            })
            .getResult(0);
    Value xZero = adaptor.getLhsZeroPoint(), wZero = adaptor.getRhsZeroPoint();
    if (!xZero && !wZero) {
      rewriter.replaceOp(op, raw);
      return success();
    }

    // The correction's inputs, each with its map over the output's loops.
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap scalarMap = AffineMap::get(rank, 0, {}, ctx);
    AffineMap columnMap = AffineMap::get(rank, 0, {getAffineDimExpr(lead, ctx)},
                                         ctx);
    SmallVector<Value> inputs = {raw};
    SmallVector<AffineMap> inputMaps = {identity};
    auto add = [&](Value v, AffineMap map) {
      inputs.push_back(v);
      inputMaps.push_back(map);
      return inputs.size() - 1;
    };
    int64_t colsum = -1, rowsum = -1, xz = -1, wz = -1;
    if (xZero) {
      xz = add(xZero, scalarMap);
      colsum = add(columnSums(rewriter, loc, w, wUnsigned, tr), columnMap);
    }
    if (wZero) {
      auto wzType = cast<RankedTensorType>(wZero.getType());
      wz = add(wZero, wzType.getRank() == 0 ? scalarMap : columnMap);
      // rowsum over K of lhs, in the output's leading dims.
      SmallVector<OpFoldResult> leadDims(dims.begin(), dims.end() - 1);
      SmallVector<int64_t> leadShape(outType.getShape().drop_back());
      auto sumType = RankedTensorType::get(leadShape, i32);
      Value sumInit = createFilled(rewriter, loc, sumType, leadDims, zero);
      SmallVector<AffineExpr> leadExprs(xExprs.begin(), xExprs.end() - 1);
      SmallVector<utils::IteratorType> sumIterators(
          lead, utils::IteratorType::parallel);
      sumIterators.push_back(utils::IteratorType::reduction);
      Value sums =
          linalg::GenericOp::create(
              rewriter, loc, TypeRange{sumType}, ValueRange{x},
              ValueRange{sumInit},
              {AffineMap::getMultiDimIdentityMap(lead + 1, ctx),
               AffineMap::get(lead + 1, 0, leadExprs, ctx)},
              sumIterators,
              [&](OpBuilder &b, Location l, ValueRange args) {
                Value a = extendToI32(b, l, args[0], xUnsigned);
                linalg::YieldOp::create(
                    b, l, ValueRange{arith::AddIOp::create(b, l, args[1], a)});
              })
              .getResult(0);
      SmallVector<AffineExpr> rowExprs(outExprs.begin(), outExprs.end() - 1);
      rowsum = add(sums, AffineMap::get(rank, 0, rowExprs, ctx));
    }
    Value kSize;
    if (xZero && wZero)
      kSize = arith::IndexCastOp::create(rewriter, loc, i32,
                                         getDimValue(rewriter, loc, x, lead));
    Value result = buildMapped(
        rewriter, loc, outType, dims, inputs, inputMaps,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value r = args[0];
          Value zl = xz >= 0 ? extendToI32(b, l, args[xz], xUnsigned) : Value();
          Value zr = wz >= 0 ? extendToI32(b, l, args[wz], wUnsigned) : Value();
          if (zl)
            r = arith::SubIOp::create(
                b, l, r, arith::MulIOp::create(b, l, zl, args[colsum]));
          if (zr)
            r = arith::SubIOp::create(
                b, l, r, arith::MulIOp::create(b, l, zr, args[rowsum]));
          if (zl && zr)
            r = arith::AddIOp::create(
                b, l, r,
                arith::MulIOp::create(b, l, kSize,
                                      arith::MulIOp::create(b, l, zl, zr)));
          return r;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct OuterLowering final : OpConversionPattern<OuterOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OuterOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto outType = convertedType(getTypeConverter(), op.getResult());
    bool isFloat = isa<FloatType>(outType.getElementType());
    Value result = buildMapped(
        rewriter, loc, outType,
        {getDim(rewriter, loc, adaptor.getLhs(), 0),
         getDim(rewriter, loc, adaptor.getRhs(), 0)},
        {adaptor.getLhs(), adaptor.getRhs()},
        {AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx),
         AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx)},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          if (isFloat)
            return arith::MulFOp::create(b, l, args[0], args[1]);
          return arith::MulIOp::create(b, l, args[0], args[1]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Pads the spatial dims of an image tensor in `layout` with `value`.
Value padImage(OpBuilder &b, Location loc, Value input, Layout layout,
               ArrayRef<int64_t> pads, ArrayRef<int64_t> extraHigh,
               Value value) {
  int64_t top = pads[0], left = pads[1];
  int64_t bottom = pads[2] + extraHigh[0], right = pads[3] + extraHigh[1];
  if (!top && !left && !bottom && !right)
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> low(4, 0), high(4, 0);
  auto [h, w] = getImageDims(layout).spatial();
  low[h] = top;
  low[w] = left;
  high[h] = bottom;
  high[w] = right;
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t d : {h, w})
    if (!ShapedType::isDynamic(shape[d]))
      shape[d] += low[d] + high[d];
  SmallVector<OpFoldResult> lowAttr, highAttr;
  for (int64_t d = 0; d < 4; ++d) {
    lowAttr.push_back(b.getIndexAttr(low[d]));
    highAttr.push_back(b.getIndexAttr(high[d]));
  }
  return tensor::PadOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), input,
      lowAttr, highAttr, value);
}

/// Output extent of a window over the (already padded) dim `padded`.
OpFoldResult windowDim(OpBuilder &b, Location loc, int64_t staticSize,
                       Value padded, int64_t kernel, int64_t stride,
                       int64_t dilation) {
  if (!ShapedType::isDynamic(staticSize))
    return b.getIndexAttr(staticSize);
  // (padded - dilation * (kernel - 1) - 1) / stride + 1
  Value span = arith::SubIOp::create(
      b, loc, padded,
      arith::ConstantIndexOp::create(b, loc, dilation * (kernel - 1) + 1));
  Value q = arith::DivUIOp::create(b, loc, span,
                                   arith::ConstantIndexOp::create(b, loc, stride));
  return arith::AddIOp::create(b, loc, q, arith::ConstantIndexOp::create(b, loc, 1))
      .getResult();
}

/// A tensor of `outType` holding the bias along the channel dim, or zeros.
Value convInit(OpBuilder &b, Location loc, RankedTensorType outType,
               ArrayRef<OpFoldResult> dims, Value bias, int64_t channelDim) {
  MLIRContext *ctx = b.getContext();
  if (!bias)
    return createFilled(b, loc, outType, dims,
                        scalarConstant(b, loc, outType.getElementType(), 0));
  return buildMapped(
      b, loc, outType, dims, {bias},
      {AffineMap::get(4, 0, {getAffineDimExpr(channelDim, ctx)}, ctx)},
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

struct Conv2DLowering final : OpConversionPattern<Conv2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Layout layout = op.getLayout();
    bool nchw = layout == Layout::NCHW;
    ImageDims image = getImageDims(layout);
    FilterDims filterDims = getFilterDims(layout);
    auto outType = convertedType(getTypeConverter(), op.getResult());
    Type element = outType.getElementType();
    Value filter = adaptor.getFilter();
    auto fType = cast<RankedTensorType>(filter.getType());
    ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations();
    int64_t groups = op.getGroups();
    int64_t kh = fType.getDimSize(filterDims.height);
    int64_t kw = fType.getDimSize(filterDims.width);
    int64_t f = fType.getDimSize(filterDims.output);
    int64_t cg = fType.getDimSize(filterDims.input);

    // A batch that the result has static is static in the input, and so
    // are its channels (the filter's per-group channels times the groups).
    SmallVector<int64_t> known(4, ShapedType::kDynamic);
    known[0] = outType.getDimSize(0);
    if (!ShapedType::isDynamic(cg))
      known[image.channel] = cg * groups;
    Value input = padImage(
        rewriter, loc, refineDims(rewriter, loc, adaptor.getInput(), known),
        layout, op.getPads(), {0, 0},
        scalarConstant(rewriter, loc, element, 0));
    int64_t hd = image.height, wd = image.width, cd = image.channel;
    SmallVector<OpFoldResult> dims(4);
    dims[0] = getDim(rewriter, loc, input, 0);
    dims[cd] = rewriter.getIndexAttr(f);
    dims[hd] = windowDim(rewriter, loc, outType.getDimSize(hd),
                         getDimValue(rewriter, loc, input, hd), kh,
                         strides[0], dilations[0]);
    dims[wd] = windowDim(rewriter, loc, outType.getDimSize(wd),
                         getDimValue(rewriter, loc, input, wd), kw,
                         strides[1], dilations[1]);
    Value init = convInit(rewriter, loc, outType, dims, adaptor.getBias(), cd);
    Attribute stridesAttr = rewriter.getI64TensorAttr(strides);
    Attribute dilationsAttr = rewriter.getI64TensorAttr(dilations);

    Value result;
    if (groups == 1) {
      if (nchw)
        result = linalg::Conv2DNchwFchwOp::create(
                     rewriter, loc, TypeRange{outType}, ValueRange{input, filter},
                     ValueRange{init}, stridesAttr, dilationsAttr)
                     .getResult(0);
      else
        result = linalg::Conv2DNhwcHwcfOp::create(
                     rewriter, loc, TypeRange{outType}, ValueRange{input, filter},
                     ValueRange{init}, stridesAttr, dilationsAttr)
                     .getResult(0);
    } else if (cg == 1 && f == groups) {
      // Depthwise with channel multiplier 1: drop the unit filter dim.
      SmallVector<ReassociationIndices> reassoc =
          nchw ? SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}}
               : SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}};
      SmallVector<int64_t> shape = nchw ? SmallVector<int64_t>{f, kh, kw}
                                        : SmallVector<int64_t>{kh, kw, f};
      Value dw = tensor::CollapseShapeOp::create(
          rewriter, loc, RankedTensorType::get(shape, element), filter, reassoc);
      if (nchw)
        result = linalg::DepthwiseConv2DNchwChwOp::create(
                     rewriter, loc, TypeRange{outType}, ValueRange{input, dw},
                     ValueRange{init}, stridesAttr, dilationsAttr)
                     .getResult(0);
      else
        result = linalg::DepthwiseConv2DNhwcHwcOp::create(
                     rewriter, loc, TypeRange{outType}, ValueRange{input, dw},
                     ValueRange{init}, stridesAttr, dilationsAttr)
                     .getResult(0);
    } else {
      result = groupedConv(rewriter, loc, input, filter, init, outType, layout,
                           groups, stridesAttr, dilationsAttr);
    }
    rewriter.replaceOp(op, result);
    return success();
  }

  /// Splits channels into (group, channel) dims and uses the grouped named
  /// convolutions: ngchw/gfchw, or nhwgc/gfhwc with the filter transposed.
  static Value groupedConv(OpBuilder &b, Location loc, Value input,
                           Value filter, Value init, RankedTensorType outType,
                           Layout layout, int64_t g, Attribute strides,
                           Attribute dilations) {
    bool nchw = layout == Layout::NCHW;
    Type element = outType.getElementType();
    auto split = [&](Value v, int64_t dim) {
      auto t = cast<RankedTensorType>(v.getType());
      SmallVector<int64_t> shape;
      SmallVector<ReassociationIndices> reassoc;
      SmallVector<OpFoldResult> outShape;
      int64_t next = 0;
      for (int64_t d = 0; d < t.getRank(); ++d) {
        if (d == dim) {
          int64_t size = t.getDimSize(d);
          shape.append({g, ShapedType::isDynamic(size) ? size : size / g});
          reassoc.push_back({next, next + 1});
          outShape.push_back(b.getIndexAttr(g));
          outShape.push_back(b.getIndexAttr(size / g));
          next += 2;
        } else {
          shape.push_back(t.getDimSize(d));
          reassoc.push_back({next++});
          outShape.push_back(getDim(b, loc, v, d));
        }
      }
      return std::make_pair(
          tensor::ExpandShapeOp::create(
              b, loc, RankedTensorType::get(shape, element), v, reassoc,
              outShape)
              .getResult(),
          reassoc);
    };
    int64_t cd = getImageDims(layout).channel;
    Value gin = split(input, cd).first;
    auto [ginit, outReassoc] = split(init, cd);
    // nchw gives [G, F/G, C/G, KH, KW]; nhwc gives [KH, KW, C/G, G, F/G].
    Value gfilter = split(filter, getFilterDims(layout).output).first;
    if (!nchw) {
      // Transpose to the [G, F/G, KH, KW, C/G] that gfhwc expects.
      auto et = cast<RankedTensorType>(gfilter.getType());
      SmallVector<int64_t> perm = {3, 4, 0, 1, 2};
      SmallVector<int64_t> shape;
      for (int64_t p : perm)
        shape.push_back(et.getDimSize(p));
      Value empty = tensor::EmptyOp::create(b, loc, shape, element);
      gfilter = linalg::TransposeOp::create(b, loc, gfilter, empty, perm)
                    .getResult()[0];
    }
    Value conv;
    if (nchw)
      conv = linalg::Conv2DNgchwGfchwOp::create(
                 b, loc, TypeRange{ginit.getType()}, ValueRange{gin, gfilter},
                 ValueRange{ginit}, strides, dilations)
                 .getResult(0);
    else
      conv = linalg::Conv2DNhwgcGfhwcOp::create(
                 b, loc, TypeRange{ginit.getType()}, ValueRange{gin, gfilter},
                 ValueRange{ginit}, strides, dilations)
                 .getResult(0);
    return tensor::CollapseShapeOp::create(b, loc, outType, conv, outReassoc);
  }
};

struct Pool2DLowering final : OpConversionPattern<Pool2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Pool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Layout layout = op.getLayout();
    bool nchw = layout == Layout::NCHW;
    bool isMax = op.getKind() == PoolKind::Max;
    auto outType = convertedType(getTypeConverter(), op.getResult());
    Type element = outType.getElementType();
    Value raw = adaptor.getInput();
    auto inType = cast<RankedTensorType>(raw.getType());
    ArrayRef<int64_t> kernel = op.getKernel(), strides = op.getStrides(),
                      dilations = op.getDilations(), pads = op.getPads();
    ImageDims image = getImageDims(layout);
    int64_t hd = image.height, wd = image.width;

    // ceil_mode: pad the bottom/right so the last (partial) window exists.
    SmallVector<int64_t> extra = {0, 0};
    if (op.getCeilMode()) {
      for (int i = 0; i < 2; ++i) {
        int64_t in = inType.getDimSize(i == 0 ? hd : wd);
        int64_t out = outType.getDimSize(i == 0 ? hd : wd);
        int64_t needed = (out - 1) * strides[i] + dilations[i] * (kernel[i] - 1) +
                         1 - (in + pads[i] + pads[i + 2]);
        extra[i] = std::max<int64_t>(0, needed);
      }
    }
    Value padValue = isMax ? lowestValue(rewriter, loc, element)
                           : scalarConstant(rewriter, loc, element, 0);
    Value input = padImage(rewriter, loc, raw, layout, pads, extra, padValue);

    SmallVector<OpFoldResult> dims = getDims(rewriter, loc, raw);
    dims[hd] = windowDim(rewriter, loc, outType.getDimSize(hd),
                         getDimValue(rewriter, loc, input, hd), kernel[0],
                         strides[0], dilations[0]);
    dims[wd] = windowDim(rewriter, loc, outType.getDimSize(wd),
                         getDimValue(rewriter, loc, input, wd), kernel[1],
                         strides[1], dilations[1]);
    Value init = createFilled(rewriter, loc, outType, dims, padValue);
    Value window = tensor::EmptyOp::create(rewriter, loc, kernel, element);
    Attribute stridesAttr = rewriter.getI64TensorAttr(strides);
    Attribute dilationsAttr = rewriter.getI64TensorAttr(dilations);
    SmallVector<Value> ins = {input, window};
    Value pooled;
    if (isMax && nchw)
      pooled = linalg::PoolingNchwMaxOp::create(rewriter, loc, TypeRange{outType},
                                                ins, ValueRange{init},
                                                stridesAttr, dilationsAttr)
                   .getResult(0);
    else if (isMax)
      pooled = linalg::PoolingNhwcMaxOp::create(rewriter, loc, TypeRange{outType},
                                                ins, ValueRange{init},
                                                stridesAttr, dilationsAttr)
                   .getResult(0);
    else if (nchw)
      pooled = linalg::PoolingNchwSumOp::create(rewriter, loc, TypeRange{outType},
                                                ins, ValueRange{init},
                                                stridesAttr, dilationsAttr)
                   .getResult(0);
    else
      pooled = linalg::PoolingNhwcSumOp::create(rewriter, loc, TypeRange{outType},
                                                ins, ValueRange{init},
                                                stridesAttr, dilationsAttr)
                   .getResult(0);
    if (isMax) {
      rewriter.replaceOp(op, pooled);
      return success();
    }

    // Average: divide each window sum by the number of elements it covers,
    // counting explicit padding only with count_include_pad. For a window
    // starting at s, tap j reads s + j*dilation, valid in [lower, upper).
    bool includePad = op.getCountIncludePad();
    Value hIn = getDimValue(rewriter, loc, raw, hd);
    Value wIn = getDimValue(rewriter, loc, raw, wd);
    auto countAlong = [&](OpBuilder &b, Location l, Value outIdx, int i,
                          Value size) -> Value {
      Value stride = arith::ConstantIndexOp::create(b, l, strides[i]);
      Value padBefore = arith::ConstantIndexOp::create(b, l, pads[i]);
      Value start = arith::SubIOp::create(
          b, l, arith::MulIOp::create(b, l, outIdx, stride), padBefore);
      Value lower = includePad ? arith::SubIOp::create(b, l, arith::ConstantIndexOp::create(b, l, 0), padBefore).getResult()
                               : arith::ConstantIndexOp::create(b, l, 0).getResult();
      Value upper = includePad
                        ? arith::AddIOp::create(
                              b, l, size,
                              arith::ConstantIndexOp::create(b, l, pads[i + 2]))
                              .getResult()
                        : size;
      Value dil = arith::ConstantIndexOp::create(b, l, dilations[i]);
      Value k = arith::ConstantIndexOp::create(b, l, kernel[i]);
      Value zero = arith::ConstantIndexOp::create(b, l, 0);
      // first tap >= lower: ceil((lower - start) / dil), clamped to [0, k]
      auto tapsBelow = [&](Value bound) {
        Value diff = arith::SubIOp::create(b, l, bound, start);
        Value t = arith::CeilDivSIOp::create(b, l, diff, dil);
        return arith::MinSIOp::create(b, l,
                                      arith::MaxSIOp::create(b, l, t, zero), k);
      };
      Value first = tapsBelow(lower), end = tapsBelow(upper);
      return arith::MaxSIOp::create(b, l, arith::SubIOp::create(b, l, end, first),
                                    zero);
    };
    MLIRContext *ctx = rewriter.getContext();
    Value empty = createEmpty(rewriter, loc, outType, dims);
    SmallVector<AffineMap> maps(2, AffineMap::getMultiDimIdentityMap(4, ctx));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{outType}, ValueRange{pooled}, ValueRange{empty},
        maps, SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value oh = linalg::IndexOp::create(b, l, hd);
          Value ow = linalg::IndexOp::create(b, l, wd);
          Value count = arith::MulIOp::create(b, l, countAlong(b, l, oh, 0, hIn),
                                              countAlong(b, l, ow, 1, wIn));
          Value c = indexToFloat(b, l, count, element);
          linalg::YieldOp::create(b, l,
                                  arith::DivFOp::create(b, l, args[0], c).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct GlobalAvgPoolLowering final : OpConversionPattern<GlobalAvgPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GlobalAvgPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = convertedType(getTypeConverter(), op.getResult());
    Type element = outType.getElementType();
    Value input = adaptor.getInput();
    llvm::SmallBitVector reduced(4);
    auto [hd, wd] = getImageDims(op.getLayout()).spatial();
    reduced.set(hd);
    reduced.set(wd);
    Value sum = buildReduction(
        rewriter, loc, input, reduced, scalarConstant(rewriter, loc, element, 0),
        [](OpBuilder &b, Location l, Value x, Value acc) -> Value {
          return arith::AddFOp::create(b, l, x, acc);
        });
    Value count = arith::MulIOp::create(rewriter, loc,
                                        getDimValue(rewriter, loc, input, hd),
                                        getDimValue(rewriter, loc, input, wd));
    Value countF = indexToFloat(rewriter, loc, count, element);
    auto sumType = cast<RankedTensorType>(sum.getType());
    Value mean = buildElementwise(
        rewriter, loc, sumType, ValueRange{sum},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::DivFOp::create(b, l, args[0], countF);
        });
    rewriter.replaceOp(op, expandReducedDims(rewriter, loc, mean, outType, reduced));
    return success();
  }
};
} // namespace

void lowering::populateContractionLowering(const TypeConverter &converter,
                                           RewritePatternSet &patterns) {
  patterns.add<MatmulLowering, MatmulIntegerLowering, LinearLowering,
               OuterLowering, Conv2DLowering,
               Pool2DLowering, GlobalAvgPoolLowering>(converter,
                                                      patterns.getContext());
}
