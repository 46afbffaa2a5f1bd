//===- TileAndVectorize.cpp - Register-tile packed contractions -----------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"

#include "Distribute.h"
#include "Strategy.h"

#include "Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUTILEANDVECTORIZEPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

/// Contractions of fewer FLOPs run on one thread.
static constexpr double kMinParallelFlops = 2e7;
/// Parallel tasks a contraction is split into, at least, when it has enough
/// M tiles.
static constexpr int64_t kMinTasks = 16;

/// Tiles a packed contraction (loops [batch,] M1, N1, K1, m0, n0, k0) down
/// to one register tile and vectorizes it. The loop nest is batch and N1
/// (an scf.forall, which becomes the OpenMP parallel loop, unless the
/// contraction is too small to share), K blocks of kc, M1, then single K
/// steps.
static LogicalResult tileAndVectorize(RewriterBase &rewriter,
                                      linalg::GenericOp op,
                                      const ContractionStrategy &strategy) {
  int64_t loops = op.getNumLoops();
  int64_t batch = loops - 6;
  if (batch < 0 || batch > 1)
    return failure();
  auto sizes = [&](int64_t b, int64_t m1, int64_t n1, int64_t k1) {
    SmallVector<int64_t> s(loops, 0);
    if (batch)
      s[0] = b;
    s[batch + 0] = m1;
    s[batch + 1] = n1;
    s[batch + 2] = k1;
    return s;
  };
  // Small contractions run on one thread: waking a sleeping worker costs
  // more than they take. (A dynamic size may be large.)
  bool parallel = true;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::none_of(ranges, ShapedType::isDynamic)) {
    double flops = 2;
    for (int64_t r : ranges)
      flops *= r;
    parallel = flops >= kMinParallelFlops;
  }
  // The threads share N tiles and, where there are few of those (a 7x7
  // convolution has two), chunks of M tiles too, so that a few threads get
  // even shares: at least kMinTasks (M chunk, N tile) pairs.
  int64_t mChunk = 0;
  int64_t m1 = ranges[batch], n1 = ranges[batch + 1];
  if (parallel && !ShapedType::isDynamic(m1) && !ShapedType::isDynamic(n1) &&
      n1 < kMinTasks) {
    int64_t chunks =
        std::min<int64_t>(m1, llvm::divideCeil(kMinTasks, n1));
    mChunk = static_cast<int64_t>(llvm::divideCeil(m1, chunks));
  }
  auto current = cast<TilingInterface>(op.getOperation());
  struct Level {
    SmallVector<int64_t> sizes;
    bool parallel;
  };
  // N tiles outermost (the threads' loop): the packed right-hand panel of
  // a tile, and the accumulator column it updates, stay in cache across
  // the K blocks and M tiles. (K blocks outermost reuse the left operand
  // better at 2048^3 but sweep the whole accumulator once per block, which
  // loses at 1024^3 and below.)
  // When M has more tiles than one L2 block (strategy.mc rows), each task
  // takes a chunk of N tiles and, within a K block, walks M in L2 blocks,
  // each reused across the chunk's N tiles (whose right panels stay in L2
  // too): loops N chunk, K block, M block, N tile, M tile, k.
  int64_t nChunk = 1, mBlock = 0;
  if (strategy.mc && !ShapedType::isDynamic(m1) &&
      !ShapedType::isDynamic(n1) && m1 > strategy.mc / strategy.m0) {
    mBlock = strategy.mc / strategy.m0;
    nChunk = std::max<int64_t>(1, n1 / kMinTasks);
  }
  SmallVector<Level> levels = {Level{sizes(1, mChunk, nChunk, 0), parallel},
                               Level{sizes(0, 0, 0, strategy.kc), false}};
  if (mBlock) {
    levels.push_back(Level{sizes(0, mBlock, 0, 0), false});
    levels.push_back(Level{sizes(0, 0, 1, 0), false});
  }
  levels.push_back(Level{sizes(0, 1, 0, 0), false});
  levels.push_back(Level{sizes(0, 0, 0, 1), false});
  for (const Level &level : levels) {
    FailureOr<TilingInterface> tiled =
        tileLoops(rewriter, current, level.sizes, level.parallel);
    if (failed(tiled))
      return failure();
    current = *tiled;
  }
  // Drop the unit outer dims ([batch,] M1, N1, K1) so that the register
  // tile vectorizes to a plain (m0 x k0) * (n0 x k0) contraction.
  auto tiledGeneric = dyn_cast<linalg::GenericOp>(current.getOperation());
  if (!tiledGeneric)
    return failure();
  linalg::ControlDropUnitDims control;
  // Rank-reducing slices (not reshapes) fold into the vector transfers
  // after bufferization, which hoisting the accumulator needs.
  control.rankReductionStrategy =
      linalg::ControlDropUnitDims::RankReductionStrategy::ExtractInsertSlice;
  control.controlFn = [&](Operation *) {
    return llvm::to_vector(llvm::seq<unsigned>(0, batch + 3));
  };
  rewriter.setInsertionPoint(tiledGeneric);
  FailureOr<linalg::DropUnitDimsResult> dropped =
      linalg::dropUnitDims(rewriter, tiledGeneric, control);
  if (failed(dropped))
    return failure();
  rewriter.replaceOp(tiledGeneric, dropped->replacements);
  Operation *tileOp = dropped->resultOp.getOperation();
  rewriter.setInsertionPoint(tileOp);
  FailureOr<linalg::VectorizationResult> vectorized =
      linalg::vectorize(rewriter, tileOp);
  if (failed(vectorized))
    return failure();
  rewriter.replaceOp(tileOp, vectorized->replacements);
  return success();
}

/// Makes the transpose of an operand's pack an elementwise generic without
/// unit dims. When its innermost loop copies rows that are contiguous on
/// both sides (the right operand's n0-wide rows), it is marked to be
/// vectorized and shared between threads like any elementwise op;
/// otherwise (the left operand's m0-wide columns gather across rows) it
/// stays scalar and is only shared between threads.
static LogicalResult vectorizeRelayout(RewriterBase &rewriter,
                                       linalg::TransposeOp transpose,
                                       DictionaryAttr strategy) {
  // A transpose that only moves unit dims (a pack with K = 1) moves no
  // data. As a copy it would fold away, leaving the packed operand a chain
  // of reshapes of the padded one, through which the later folding of
  // vector reads into their source views computes wrong indices; it stays
  // a transpose into a buffer of its own.
  ArrayRef<int64_t> permutation = transpose.getPermutation();
  ArrayRef<int64_t> outShape = transpose.getInit().getType().getShape();
  SmallVector<int64_t> moved;
  for (auto [i, from] : llvm::enumerate(permutation))
    if (outShape[i] != 1)
      moved.push_back(from);
  if (llvm::is_sorted(moved))
    return success();
  rewriter.setInsertionPoint(transpose);
  FailureOr<linalg::GenericOp> generic =
      linalg::generalizeNamedOp(rewriter, transpose);
  if (failed(generic))
    return failure();
  auto result = cast<linalg::LinalgOp>(generic->getOperation());
  rewriter.setInsertionPoint(*generic);
  linalg::ControlDropUnitDims control;
  if (FailureOr<linalg::DropUnitDimsResult> dropped =
          linalg::dropUnitDims(rewriter, *generic, control);
      succeeded(dropped)) {
    rewriter.replaceOp(*generic, dropped->replacements);
    result = cast<linalg::LinalgOp>(dropped->resultOp.getOperation());
  }
  AffineMap input = result.getIndexingMapsArray().front();
  unsigned loops = result.getNumLoops();
  if (loops > 0 && input.getNumResults() > 0 &&
      input.getResults().back() ==
          getAffineDimExpr(loops - 1, rewriter.getContext())) {
    result->setAttr(kStrategyAttrName, strategy);
    return success();
  }
  return distributeOverThreads(rewriter, result);
}

/// An unpack without padding into a static destination, as one transpose
/// into the destination itself: upstream's lowering transposes into a new
/// tensor and copies that into the destination.
static FailureOr<linalg::TransposeOp>
unpackInPlace(RewriterBase &rewriter, linalg::UnPackOp unpack) {
  RankedTensorType destType = unpack.getDestType();
  RankedTensorType sourceType = unpack.getSourceType();
  if (!destType.hasStaticShape() || !sourceType.hasStaticShape() ||
      !unpack.getOuterDimsPerm().empty())
    return failure();
  int64_t rank = destType.getRank();
  ArrayRef<int64_t> innerPos = unpack.getInnerDimsPos();
  SmallVector<int64_t> tiles = unpack.getStaticTiles();
  // Each tiled dim: outer x inner, exactly (no padding).
  SmallVector<int64_t> tileOf(rank, 0);
  for (auto [pos, tile] : llvm::zip(innerPos, tiles)) {
    if (ShapedType::isDynamic(tile) || tileOf[pos] ||
        destType.getDimSize(pos) % tile != 0)
      return failure();
    tileOf[pos] = tile;
  }
  // The destination expanded to [d0 (/ t0, t0), d1 (/ t1, t1), ...], and
  // the permutation that takes the source [outer..., inner...] to it.
  SmallVector<ReassociationIndices> groups;
  SmallVector<int64_t> expandedShape, permutation;
  for (int64_t d = 0; d < rank; ++d) {
    ReassociationIndices group;
    group.push_back(expandedShape.size());
    permutation.push_back(d);
    if (!tileOf[d]) {
      expandedShape.push_back(destType.getDimSize(d));
    } else {
      expandedShape.push_back(destType.getDimSize(d) / tileOf[d]);
      group.push_back(expandedShape.size());
      expandedShape.push_back(tileOf[d]);
      int64_t inner = llvm::find(innerPos, d) - innerPos.begin();
      permutation.push_back(rank + inner);
    }
    groups.push_back(group);
  }
  if (static_cast<int64_t>(permutation.size()) != sourceType.getRank())
    return failure();
  for (auto [i, from] : llvm::enumerate(permutation))
    if (sourceType.getDimSize(from) != expandedShape[i])
      return failure();
  Location loc = unpack.getLoc();
  rewriter.setInsertionPoint(unpack);
  auto expandedType =
      RankedTensorType::get(expandedShape, destType.getElementType());
  Value expanded = tensor::ExpandShapeOp::create(rewriter, loc, expandedType,
                                                 unpack.getDest(), groups);
  auto transpose = linalg::TransposeOp::create(
      rewriter, loc, unpack.getSource(), expanded, permutation);
  Value collapsed = tensor::CollapseShapeOp::create(
      rewriter, loc, destType, transpose->getResult(0), groups);
  rewriter.replaceOp(unpack, collapsed);
  return transpose;
}

namespace {
struct KilnCPUTileAndVectorizePass final
    : kiln::impl::KilnCPUTileAndVectorizePassBase<
          KilnCPUTileAndVectorizePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::GenericOp> packed;
    func.walk([&](linalg::GenericOp op) {
      if (op->hasAttr(kPackedAttrName) && ContractionStrategy::read(op))
        packed.push_back(op);
    });
    for (linalg::GenericOp op : packed) {
      if (failed(tileAndVectorize(rewriter, op,
                                  *ContractionStrategy::read(op)))) {
        op.emitError("cannot tile and vectorize the packed contraction");
        return signalPassFailure();
      }
    }

    // Packs and unpacks of activations become pads, reshapes and
    // transposes, which the rest of the pipeline lowers.
    DictionaryAttr vectorize =
        VectorizeStrategy::forTarget(TargetAttr::lookup(func))
            .toAttr(&getContext());
    SmallVector<Operation *> relayouts;
    func.walk([&](Operation *op) {
      if (isa<linalg::PackOp, linalg::UnPackOp>(op))
        relayouts.push_back(op);
    });
    for (Operation *op : relayouts) {
      rewriter.setInsertionPoint(op);
      // Large packs of operands run on all threads. Not those of the
      // accumulator, nor unpacks: their subviews of the accumulator's
      // buffer would keep the accumulator hoisting from proving that the
      // register tile's reads and writes are the only accesses in the K
      // loop.
      if (auto pack = dyn_cast<linalg::PackOp>(op)) {
        // The tiled contraction's loops carry its accumulator.
        bool accumulator = llvm::any_of(pack->getUses(), [](OpOperand &use) {
          Operation *user = use.getOwner();
          auto dps = dyn_cast<DestinationStyleOpInterface>(user);
          return isa<LoopLikeOpInterface>(user) ||
                 (dps && dps.isDpsInit(&use));
        });
        FailureOr<linalg::LowerPackResult> lowered =
            linalg::lowerPack(rewriter, pack);
        if (failed(lowered))
          return signalPassFailure();
        if (!accumulator && lowered->transposeOp &&
            failed(vectorizeRelayout(rewriter, lowered->transposeOp,
                                     vectorize)))
          return signalPassFailure();
      } else {
        auto unpack = cast<linalg::UnPackOp>(op);
        FailureOr<linalg::TransposeOp> direct =
            unpackInPlace(rewriter, unpack);
        if (succeeded(direct)) {
          if (failed(vectorizeRelayout(rewriter, *direct, vectorize)))
            return signalPassFailure();
        } else if (failed(linalg::lowerUnPack(rewriter, unpack))) {
          return signalPassFailure();
        }
      }
    }

    // The vectorized tile is a multi_reduction of broadcasts; make it a
    // matmul-like vector.contract (m0 x k0) * (n0 x k0) -> (m0 x n0) read
    // straight from the tensors, as upstream's mmt4d-to-fma recipe does.
    {
      RewritePatternSet patterns(&getContext());
      vector::populateVectorReductionToContractPatterns(patterns);
      vector::populateSinkVectorOpsPatterns(patterns);
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    vector::populateVectorReductionToContractPatterns(patterns);
    vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
    tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(patterns);
    vector::TransferReadOp::getCanonicalizationPatterns(patterns,
                                                        &getContext());
    vector::TransferWriteOp::getCanonicalizationPatterns(patterns,
                                                         &getContext());
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
