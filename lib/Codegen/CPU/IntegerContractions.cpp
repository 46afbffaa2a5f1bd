//===- IntegerContractions.cpp - i8 register tiles as x86 dot products ----===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// MLIR 22 has no lowering of an i8 contraction to the dot-product
// instructions the Kiln hosts have: x86vector's int8 dot emits vpdpbssd
// (AVX-VNNI-INT8), which neither Zen 3 nor Sapphire Rapids has, and the
// generic lowering multiplies i32 lanes (vpmulld). These patterns call the
// LLVM intrinsics directly.
//
//===----------------------------------------------------------------------===//

#include "IntegerContractions.h"

#include "Strategy.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {
/// An operand of the contraction: the i8 vector it widens, and how.
struct WidenedOperand {
  Value bytes;
  bool isUnsigned;
};

std::optional<WidenedOperand> matchWidened(Value v) {
  Operation *def = v.getDefiningOp();
  if (!isa_and_nonnull<arith::ExtUIOp, arith::ExtSIOp>(def))
    return std::nullopt;
  Value in = def->getOperand(0);
  auto type = dyn_cast<VectorType>(in.getType());
  if (!type || type.getRank() != 2 || type.isScalable() ||
      !(type.getElementType().isInteger(8) ||
        type.getElementType().isInteger(16)))
    return std::nullopt;
  return WidenedOperand{in, isa<arith::ExtUIOp>(def)};
}

/// Broadcasts the `k0` elements of `row` (a vector<k0 x iN> of 32 bits) to
/// every i32 lane of a vector<lanes x i32>, returned as `resultType`.
Value broadcastRow(PatternRewriter &rewriter, Location loc, Value row,
                   int64_t lanes, VectorType resultType) {
  Type i32 = rewriter.getI32Type();
  Value word = vector::BitCastOp::create(rewriter, loc,
                                         VectorType::get({1}, i32), row);
  Value scalar = vector::ExtractOp::create(rewriter, loc, word,
                                           ArrayRef<int64_t>{0});
  Value splat = vector::BroadcastOp::create(
      rewriter, loc, VectorType::get({lanes}, i32), scalar);
  return vector::BitCastOp::create(rewriter, loc, resultType, splat);
}

struct IntegerDotContraction final
    : OpRewritePattern<vector::ContractionOp> {
  IntegerDotContraction(MLIRContext *context, IntegerDotSupport support,
                        int64_t vectorBits)
      : OpRewritePattern(context, /*benefit=*/2), support(support),
        vectorBits(vectorBits) {}

  LogicalResult matchAndRewrite(vector::ContractionOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getKind() != vector::CombiningKind::ADD)
      return rewriter.notifyMatchFailure(op, "not a sum of products");
    auto accType = dyn_cast<VectorType>(op.getAccType());
    if (!accType || accType.getRank() != 2 ||
        !accType.getElementType().isInteger(32))
      return rewriter.notifyMatchFailure(op, "not an i32 (m0 x n0) tile");
    MLIRContext *ctx = op.getContext();
    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    SmallVector<AffineMap> maps = AffineMap::inferFromExprList(
        ArrayRef<ArrayRef<AffineExpr>>{{m, k}, {n, k}, {m, n}}, ctx);
    if (op.getIndexingMapsArray() != maps)
      return rewriter.notifyMatchFailure(op, "not (m, k) x (n, k) -> (m, n)");
    std::optional<WidenedOperand> lhs = matchWidened(op.getLhs());
    std::optional<WidenedOperand> rhs = matchWidened(op.getRhs());
    if (!lhs || !rhs)
      return rewriter.notifyMatchFailure(op, "operands are not widened i8");
    int64_t m0 = accType.getDimSize(0), n0 = accType.getDimSize(1);
    int64_t k0 = cast<VectorType>(lhs->bytes.getType()).getDimSize(1);
    Type lhsElement = cast<VectorType>(lhs->bytes.getType()).getElementType();
    Type rhsElement = cast<VectorType>(rhs->bytes.getType()).getElementType();
    bool bytes = lhsElement.isInteger(8) && rhsElement.isInteger(8);

    int64_t lanes = 0;
    bool vnni = false;
    if (k0 == 4 && bytes && lhs->isUnsigned && !rhs->isUnsigned) {
      lanes = support.vnniLanes(vectorBits);
      vnni = lanes != 0;
    } else if (k0 == 2) {
      lanes = support.pmaddwdLanes(vectorBits);
    }
    // A tile narrower than one vector takes the widest instruction that
    // divides it.
    while (lanes > 4 && n0 % lanes != 0)
      lanes /= 2;
    if (!lanes || n0 % lanes != 0)
      return rewriter.notifyMatchFailure(op, "no instruction for this tile");

    Location loc = op.getLoc();
    Type i8 = rewriter.getI8Type(), i16 = rewriter.getI16Type(),
         i32 = rewriter.getI32Type();
    auto laneType = VectorType::get({lanes}, i32);
    // The multiplicands, as the instruction reads them: bytes for
    // vpdpbusd, i16 for vpmaddwd (widened as the contraction widens them).
    // Everything is 1-D: the packed panel's n0 x k0 bytes are contiguous,
    // and a flat read of them is one load.
    Type pieceElement = vnni ? i8 : i16;
    auto widen = [&](Value bytes, bool isUnsigned) -> Value {
      auto type = cast<VectorType>(bytes.getType());
      if (vnni || type.getElementType() == i16)
        return bytes; // already what the instruction reads
      type = type.clone(i16);
      if (isUnsigned)
        return arith::ExtUIOp::create(rewriter, loc, type, bytes);
      return arith::ExtSIOp::create(rewriter, loc, type, bytes);
    };
    auto pieceType = VectorType::get({lanes * k0}, pieceElement);
    Value rightFlat = widen(
        vector::ShapeCastOp::create(rewriter, loc,
                                    VectorType::get({n0 * k0}, rhsElement),
                                    rhs->bytes),
        rhs->isUnsigned);
    SmallVector<Value> columns;
    for (int64_t c = 0; c < n0 / lanes; ++c)
      columns.push_back(vector::ExtractStridedSliceOp::create(
          rewriter, loc, rightFlat, ArrayRef<int64_t>{c * lanes * k0},
          ArrayRef<int64_t>{lanes * k0}, ArrayRef<int64_t>{1}));
    StringAttr intrinsic = rewriter.getStringAttr(
        vnni ? (lanes == 16 ? "llvm.x86.avx512.vpdpbusd.512"
                : lanes == 8 ? "llvm.x86.avx512.vpdpbusd.256"
                             : "llvm.x86.avx512.vpdpbusd.128")
             : (lanes == 16 ? "llvm.x86.avx512.pmaddw.d.512"
                : lanes == 8 ? "llvm.x86.avx2.pmadd.wd"
                             : "llvm.x86.sse2.pmadd.wd"));

    Value result = op.getAcc();
    for (int64_t i = 0; i < m0; ++i) {
      Value row = widen(vector::ExtractOp::create(rewriter, loc, lhs->bytes,
                                                  ArrayRef<int64_t>{i}),
                        lhs->isUnsigned);
      Value broadcast = broadcastRow(rewriter, loc, row, lanes, pieceType);
      Value accRow = vector::ExtractOp::create(rewriter, loc, result,
                                               ArrayRef<int64_t>{i});
      for (auto [c, column] : llvm::enumerate(columns)) {
        int64_t offset = static_cast<int64_t>(c) * lanes;
        Value acc = vector::ExtractStridedSliceOp::create(
            rewriter, loc, accRow, ArrayRef<int64_t>{offset},
            ArrayRef<int64_t>{lanes}, ArrayRef<int64_t>{1});
        Value sum;
        if (vnni) {
          sum = LLVM::CallIntrinsicOp::create(
                    rewriter, loc, laneType, intrinsic,
                    ValueRange{acc, broadcast, column})
                    .getResult(0);
        } else {
          Value products = LLVM::CallIntrinsicOp::create(
                               rewriter, loc, laneType, intrinsic,
                               ValueRange{broadcast, column})
                               .getResult(0);
          sum = arith::AddIOp::create(rewriter, loc, acc, products);
        }
        accRow = vector::InsertStridedSliceOp::create(
            rewriter, loc, sum, accRow, ArrayRef<int64_t>{offset},
            ArrayRef<int64_t>{1});
      }
      result = vector::InsertOp::create(rewriter, loc, accRow, result,
                                        ArrayRef<int64_t>{i});
    }
    rewriter.replaceOp(op, result);
    return success();
  }

  IntegerDotSupport support;
  int64_t vectorBits;
};
} // namespace

void mlir::kiln::populateIntegerDotPatterns(RewritePatternSet &patterns,
                                            const IntegerDotSupport &support,
                                            int64_t vectorBits) {
  patterns.add<IntegerDotContraction>(patterns.getContext(), support,
                                      vectorBits);
}
