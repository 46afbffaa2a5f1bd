//===- LowerVectors.cpp - Accumulators in registers, contractions as FMAs -===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"

#include "IntegerContractions.h"
#include "Strategy.h"

#include "Kiln/IR/KilnOps.h"

#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPULOWERVECTORSPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
/// A 0-d transfer_read of a memref is a load (upstream lowers it only from
/// a memref whose innermost stride is 1; a strided slice broadcast to a
/// row gives other strides).
struct ZeroDimTransferRead final : OpRewritePattern<vector::TransferReadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::TransferReadOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getVectorType().getRank() != 0 || op.getMask() ||
        !isa<MemRefType>(op.getBase().getType()))
      return failure();
    Value scalar = memref::LoadOp::create(rewriter, op.getLoc(), op.getBase(),
                                          op.getIndices());
    rewriter.replaceOpWithNewOp<vector::BroadcastOp>(op, op.getVectorType(),
                                                     scalar);
    return success();
  }
};

/// A 0-d transfer_write to a memref is a store.
struct ZeroDimTransferWrite final : OpRewritePattern<vector::TransferWriteOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::TransferWriteOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getVectorType().getRank() != 0 || op.getMask() ||
        !isa<MemRefType>(op.getBase().getType()))
      return failure();
    Value scalar = vector::ExtractOp::create(rewriter, op.getLoc(),
                                             op.getVector(), ArrayRef<int64_t>{});
    rewriter.replaceOpWithNewOp<memref::StoreOp>(op, scalar, op.getBase(),
                                                 op.getIndices());
    return success();
  }
};

struct KilnCPULowerVectorsPass final
    : kiln::impl::KilnCPULowerVectorsPassBase<KilnCPULowerVectorsPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    // Each phase is a greedy rewrite to a fixed point; one that stops short
    // of it (the alias folding can take many rounds on deep view chains)
    // has still rewritten correctly, so convergence is not required.
    // Transfers must address the underlying buffers directly, and equal
    // indices must be the same values, for hoisting to see that the
    // accumulator's read and write in the K loop are the same location.
    {
      RewritePatternSet patterns(ctx);
      memref::populateFoldMemRefAliasOpPatterns(patterns);
      vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
      vector::TransferWriteOp::getCanonicalizationPatterns(patterns, ctx);
      (void)applyPatternsGreedily(func, std::move(patterns));
      IRRewriter rewriter(ctx);
      DominanceInfo dominance(func);
      eliminateCommonSubExpressions(rewriter, dominance, func);
    }
    linalg::hoistRedundantVectorTransfers(func);
    func.walk([](LoopLikeOpInterface loop) { moveLoopInvariantCode(loop); });

    // vector<32x1> reads of a packed panel whose k0 is 1 become contiguous
    // vector<32> reads, before anything unrolls them. (Not together with
    // the alias folding above, which would fold the rank-reducing subviews
    // these create back into permutation maps.)
    {
      RewritePatternSet patterns(ctx);
      vector::populateDropInnerMostUnitDimsXferOpPatterns(patterns);
      vector::populateVectorTransferDropUnitDimsPatterns(patterns);
      (void)applyPatternsGreedily(func, std::move(patterns));
    }
    // i8 contractions become the target's dot-product instructions, on 1-D
    // vectors: the packed panels' contiguous n-D reads become flat reads
    // (before anything unrolls them into one read per row).
    {
      RewritePatternSet patterns(ctx);
      TargetAttr target = TargetAttr::lookup(func);
      populateIntegerDotPatterns(patterns,
                                 IntegerDotSupport::forTarget(target),
                                 target ? target.getVectorBits() : 128);
      // (Rows narrower than one SSE register only: an accumulator's rows
      // are whole vectors already.)
      vector::populateFlattenVectorTransferPatterns(
          patterns, /*targetVectorBitwidth=*/128);
      vector::ShapeCastOp::getCanonicalizationPatterns(patterns, ctx);
      (void)applyPatternsGreedily(func, std::move(patterns));
    }
    // Contractions become outer products and FMAs; n-D transfers unroll to
    // 1-D ones.
    {
      RewritePatternSet patterns(ctx);
      vector::populateVectorContractLoweringPatterns(
          patterns, vector::VectorContractLowering::OuterProduct);
      vector::populateVectorOuterProductLoweringPatterns(patterns);
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
      vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
      populateVectorToSCFConversionPatterns(
          patterns, VectorTransferToSCFOptions().enableFullUnroll());
      (void)applyPatternsGreedily(func, std::move(patterns));
    }
    // 1-D transfers become loads and stores, and the n-D shape casts,
    // transposes and broadcasts left over become 1-D ones LLVM knows.
    RewritePatternSet patterns(ctx);
    vector::populateVectorTransferLoweringPatterns(patterns,
                                                   /*maxTransferRank=*/1);
    patterns.add<ZeroDimTransferRead, ZeroDimTransferWrite>(ctx);
    // Masks (of the remainders of vectorized elementwise ops with dynamic
    // shapes) become 1-D compares of a step vector, which LLVM takes; a
    // 1-D transfer that may run out of bounds gets such a mask too.
    vector::populateVectorMaskOpLoweringPatterns(patterns);
    vector::populateVectorMaskMaterializationPatterns(
        patterns, /*force32BitVectorIndices=*/true);
    vector::populateVectorStepLoweringPatterns(patterns);
    vector::populateVectorShapeCastLoweringPatterns(patterns);
    vector::populateVectorTransposeLoweringPatterns(
        patterns, vector::VectorTransposeLowering::EltWise);
    vector::populateVectorBroadcastLoweringPatterns(patterns);
    // The i8 tiles' slices of rows and panels become shuffles.
    vector::populateVectorInsertExtractStridedSliceTransforms(patterns);
    vector::ShapeCastOp::getCanonicalizationPatterns(patterns, ctx);
    vector::TransposeOp::getCanonicalizationPatterns(patterns, ctx);
    (void)applyPatternsGreedily(func, std::move(patterns));
  }
};
} // namespace
