//===- LoweringUtils.cpp - Helpers for lowering kiln to linalg ------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"
#include <limits>

using namespace mlir;
using namespace mlir::kiln;

RankedTensorType lowering::convertedType(const TypeConverter *converter,
                                        Value value) {
  return cast<RankedTensorType>(converter->convertType(value.getType()));
}

OpFoldResult lowering::getDim(OpBuilder &b, Location loc, Value value,
                              int64_t d) {
  auto type = cast<RankedTensorType>(value.getType());
  if (!type.isDynamicDim(d))
    return b.getIndexAttr(type.getDimSize(d));
  return tensor::DimOp::create(b, loc, value, d).getResult();
}

SmallVector<OpFoldResult> lowering::getDims(OpBuilder &b, Location loc,
                                            Value value) {
  SmallVector<OpFoldResult> dims;
  for (int64_t d = 0, e = cast<RankedTensorType>(value.getType()).getRank();
       d < e; ++d)
    dims.push_back(getDim(b, loc, value, d));
  return dims;
}

Value lowering::getDimValue(OpBuilder &b, Location loc, Value value,
                            int64_t d) {
  OpFoldResult dim = getDim(b, loc, value, d);
  if (auto v = dyn_cast<Value>(dim))
    return v;
  return arith::ConstantIndexOp::create(
      b, loc, cast<IntegerAttr>(cast<Attribute>(dim)).getInt());
}

Value lowering::createEmpty(OpBuilder &b, Location loc, RankedTensorType type,
                            ArrayRef<OpFoldResult> dims) {
  SmallVector<OpFoldResult> sizes;
  for (auto [d, size] : llvm::enumerate(type.getShape()))
    sizes.push_back(ShapedType::isDynamic(size) ? dims[d]
                                                : b.getIndexAttr(size));
  return tensor::EmptyOp::create(b, loc, sizes, type.getElementType());
}

Value lowering::createFilled(OpBuilder &b, Location loc, RankedTensorType type,
                             ArrayRef<OpFoldResult> dims, Value scalar) {
  Value empty = createEmpty(b, loc, type, dims);
  return linalg::FillOp::create(b, loc, ValueRange{scalar}, ValueRange{empty})
      .getResult(0);
}

Value lowering::scalarConstant(OpBuilder &b, Location loc, Type type,
                               double value) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(ft, value));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

Value lowering::lowestValue(OpBuilder &b, Location loc, Type type) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(ft, APFloat::getInf(ft.getFloatSemantics(), true)));
  return arith::ConstantOp::create(
      b, loc,
      b.getIntegerAttr(type, APInt::getSignedMinValue(type.getIntOrFloatBitWidth())));
}

Value lowering::highestValue(OpBuilder &b, Location loc, Type type) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(ft, APFloat::getInf(ft.getFloatSemantics(), false)));
  return arith::ConstantOp::create(
      b, loc,
      b.getIntegerAttr(type, APInt::getSignedMaxValue(type.getIntOrFloatBitWidth())));
}

SmallVector<OpFoldResult> lowering::broadcastDims(OpBuilder &b, Location loc,
                                                  RankedTensorType resultType,
                                                  ValueRange inputs) {
  int64_t rank = resultType.getRank();
  SmallVector<OpFoldResult> dims;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t size = resultType.getDimSize(d);
    if (!ShapedType::isDynamic(size)) {
      dims.push_back(b.getIndexAttr(size));
      continue;
    }
    OpFoldResult dim;
    for (Value input : inputs) {
      auto type = cast<RankedTensorType>(input.getType());
      int64_t id = d - (rank - type.getRank());
      if (id < 0 || type.getDimSize(id) == 1)
        continue;
      dim = getDim(b, loc, input, id);
      break;
    }
    // Every input has a static 1 here although the result is dynamic: the
    // result type was refined less than possible; the size is 1.
    dims.push_back(dim ? dim : b.getIndexAttr(1));
  }
  return dims;
}

Value lowering::refineDims(OpBuilder &b, Location loc, Value input,
                           ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> refined(type.getShape());
  for (auto [d, size] : llvm::enumerate(shape)) {
    if (!type.isDynamicDim(d) || ShapedType::isDynamic(size))
      continue;
    Value actual = tensor::DimOp::create(b, loc, input, d);
    Value equal = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::eq, actual,
        arith::ConstantIndexOp::create(b, loc, size));
    cf::AssertOp::create(b, loc, equal,
                         "dim " + std::to_string(d) + " of an operand must be " +
                             std::to_string(size) + ", as in the result");
    refined[d] = size;
  }
  if (refined == type.getShape())
    return input;
  return tensor::CastOp::create(
      b, loc, RankedTensorType::get(refined, type.getElementType()), input);
}

Value lowering::refineBroadcastOperand(OpBuilder &b, Location loc, Value input,
                                       ArrayRef<int64_t> resultShape,
                                       int64_t skipTrailing) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank(), offset = resultShape.size() - rank;
  SmallVector<int64_t> shape(rank, ShapedType::kDynamic);
  for (int64_t d = 0; d + skipTrailing < rank; ++d)
    if (offset + d >= 0)
      shape[d] = resultShape[offset + d];
  return refineDims(b, loc, input, shape);
}

AffineMap lowering::broadcastMap(MLIRContext *context,
                                 ArrayRef<int64_t> inputShape,
                                 ArrayRef<int64_t> resultShape) {
  int64_t rank = resultShape.size(), offset = rank - inputShape.size();
  SmallVector<AffineExpr> exprs;
  for (auto [i, size] : llvm::enumerate(inputShape)) {
    int64_t rd = i + offset;
    if (size == 1 && resultShape[rd] != 1)
      exprs.push_back(getAffineConstantExpr(0, context));
    else
      exprs.push_back(getAffineDimExpr(rd, context));
  }
  return AffineMap::get(rank, 0, exprs, context);
}

Value lowering::buildElementwise(OpBuilder &b, Location loc,
                                 RankedTensorType resultType, ValueRange inputs,
                                 BodyFn body) {
  MLIRContext *ctx = b.getContext();
  int64_t rank = resultType.getRank();
  SmallVector<Value> refined;
  for (Value input : inputs)
    refined.push_back(
        refineBroadcastOperand(b, loc, input, resultType.getShape()));
  inputs = refined;
  Value init =
      createEmpty(b, loc, resultType, broadcastDims(b, loc, resultType, inputs));
  SmallVector<AffineMap> maps;
  for (Value input : inputs)
    maps.push_back(broadcastMap(
        ctx, cast<RankedTensorType>(input.getType()).getShape(),
        resultType.getShape()));
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value result = body(nb, nloc, args.drop_back());
        linalg::YieldOp::create(nb, nloc, result);
      });
  return generic.getResult(0);
}

Value lowering::buildMapped(OpBuilder &b, Location loc,
                            RankedTensorType resultType,
                            ArrayRef<OpFoldResult> dims, ValueRange inputs,
                            ArrayRef<AffineMap> inputMaps, BodyFn body) {
  int64_t rank = resultType.getRank();
  Value init = createEmpty(b, loc, resultType, dims);
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, b.getContext()));
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps,
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, body(nb, l, args.drop_back()));
             })
      .getResult(0);
}

Value lowering::buildReduction(
    OpBuilder &b, Location loc, Value input, const llvm::SmallBitVector &reduced,
    Value init,
    llvm::function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> dims;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < rank; ++d) {
    if (reduced.test(d)) {
      iterators.push_back(utils::IteratorType::reduction);
      continue;
    }
    iterators.push_back(utils::IteratorType::parallel);
    shape.push_back(type.getDimSize(d));
    dims.push_back(getDim(b, loc, input, d));
    outExprs.push_back(getAffineDimExpr(d, ctx));
  }
  auto outType = RankedTensorType::get(shape, type.getElementType());
  Value acc = createFilled(b, loc, outType, dims, init);
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx),
                                 AffineMap::get(rank, 0, outExprs, ctx)};
  return linalg::GenericOp::create(
             b, loc, TypeRange{outType}, ValueRange{input}, ValueRange{acc},
             maps, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc,
                                       combine(nb, nloc, args[0], args[1]));
             })
      .getResult(0);
}

Value lowering::expandReducedDims(OpBuilder &b, Location loc, Value value,
                                  RankedTensorType keptType,
                                  const llvm::SmallBitVector &reduced) {
  int64_t rank = keptType.getRank();
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (int64_t d = 0; d < rank; ++d) {
    pending.push_back(d);
    if (!reduced.test(d)) {
      groups.push_back(pending);
      pending.clear();
    }
  }
  // Trailing reduced dims join the last group.
  if (!pending.empty() && !groups.empty())
    llvm::append_range(groups.back(), pending);
  SmallVector<OpFoldResult> outputShape;
  for (int64_t d = 0, s = 0; d < rank; ++d) {
    if (reduced.test(d))
      outputShape.push_back(b.getIndexAttr(1));
    else
      outputShape.push_back(getDim(b, loc, value, s++));
  }
  return tensor::ExpandShapeOp::create(b, loc, keptType, value, groups,
                                       outputShape);
}

Value lowering::indexToFloat(OpBuilder &b, Location loc, Value index,
                             Type floatType) {
  Value i64 = index;
  if (index.getType().isIndex())
    i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  return arith::SIToFPOp::create(b, loc, floatType, i64);
}
