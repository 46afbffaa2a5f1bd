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
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/Remarks.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUTILEANDVECTORIZEPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

/// Marks, within this pass, the K loops around register tiles.
static constexpr StringLiteral kKLoopAttrName = "kiln.k_loop";

/// Contractions of fewer FLOPs run on one thread.
static constexpr double kMinParallelFlops = 2e7;
/// Parallel tasks a contraction is split into, at least, when it has enough
/// M tiles.
static constexpr int64_t kMinTasks = 16;

/// How a packed contraction (loops [batch,] M1, N1, K1, m0, n0, k0) is
/// shared between threads: its first tiling level.
struct Distribution {
  /// An scf.forall (the OpenMP parallel loop), or one thread's scf.for.
  bool parallel = true;
  /// M1 and N1 tiles per task (0: all of M1).
  int64_t mChunk = 0, nChunk = 1;
  /// M1 tiles per L2 block within a task (0: M is not blocked).
  int64_t mBlock = 0;
};

static Distribution distribute(linalg::GenericOp op,
                               const ContractionStrategy &strategy) {
  Distribution d;
  int64_t batch = op.getNumLoops() - 6;
  // Small contractions run on one thread: waking a sleeping worker costs
  // more than they take. (A dynamic size may be large.)
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::none_of(ranges, ShapedType::isDynamic)) {
    double flops = 2;
    for (int64_t r : ranges)
      flops *= r;
    d.parallel = flops >= kMinParallelFlops;
  }
  // The threads share N tiles and, where there are few of those (a 7x7
  // convolution has two), chunks of M tiles too, so that a few threads get
  // even shares: at least kMinTasks (M chunk, N tile) pairs.
  int64_t m1 = ranges[batch], n1 = ranges[batch + 1];
  if (d.parallel && !ShapedType::isDynamic(m1) && !ShapedType::isDynamic(n1) &&
      n1 < kMinTasks) {
    int64_t chunks =
        std::min<int64_t>(m1, llvm::divideCeil(kMinTasks, n1));
    d.mChunk = static_cast<int64_t>(llvm::divideCeil(m1, chunks));
  }
  // N tiles outermost (the threads' loop): the packed right-hand panel of
  // a tile, and the accumulator column it updates, stay in cache across
  // the K blocks and M tiles. (K blocks outermost reuse the left operand
  // better at 2048^3 but sweep the whole accumulator once per block, which
  // loses at 1024^3 and below.)
  // When M has more tiles than one L2 block (strategy.mc rows), each task
  // takes a chunk of N tiles and, within a K block, walks M in L2 blocks,
  // each reused across the chunk's N tiles (whose right panels stay in L2
  // too): loops N chunk, K block, M block, N tile, M tile, k.
  if (strategy.mc && !ShapedType::isDynamic(m1) &&
      !ShapedType::isDynamic(n1) && m1 > strategy.mc / strategy.m0) {
    d.mBlock = strategy.mc / strategy.m0;
    d.nChunk = std::max<int64_t>(1, n1 / kMinTasks);
  }
  return d;
}

/// Tiles a packed contraction down to one register tile and vectorizes it.
/// The loop nest is batch and N1 (an scf.forall, which becomes the OpenMP
/// parallel loop, unless the contraction is too small to share), K blocks
/// of kc, M1, then single K steps. With `distributed`, the first level
/// (the task loop) is already there: the epilogue's, which the
/// contraction was fused into.
static LogicalResult tileAndVectorize(RewriterBase &rewriter,
                                      linalg::GenericOp op,
                                      const ContractionStrategy &strategy,
                                      const Distribution &d, bool distributed) {
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
  auto current = cast<TilingInterface>(op.getOperation());
  struct Level {
    SmallVector<int64_t> sizes;
    bool parallel;
  };
  SmallVector<Level> levels;
  if (!distributed)
    levels.push_back(Level{sizes(1, d.mChunk, d.nChunk, 0), d.parallel});
  levels.push_back(Level{sizes(0, 0, 0, strategy.kc), false});
  if (d.mBlock) {
    levels.push_back(Level{sizes(0, d.mBlock, 0, 0), false});
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
  // The register tile is read and written once per K step: hoisted out of
  // the K loop (at the end of the pass), it is carried in registers.
  if (auto kLoop = current->getParentOfType<scf::ForOp>())
    kLoop->setAttr(kKLoopAttrName, rewriter.getUnitAttr());
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

/// Whether `op` is an elementwise op that reads `value` where it writes:
/// a consumer that a tile of `value` can be finished with.
static bool isEpilogueOf(linalg::GenericOp op, Value value) {
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() != 0 ||
      op.hasIndexSemantics() || !type ||
      type.getShape() != cast<ShapedType>(value.getType()).getShape())
    return false;
  bool reads = false;
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    if (!map.isProjectedPermutation())
      return false;
    if (operand.get() == value || op.isDpsInit(&operand)) {
      if (!map.isIdentity())
        return false;
      reads |= operand.get() == value;
    }
  }
  return reads;
}

/// The consumer of `unpack` to finish the contraction's tiles with: an
/// elementwise op on its result, or on an expand_shape of it (a
/// convolution's [N*H*W, C] or [C, H*W] result seen as NHWC or NCHW),
/// which is collapsed to the unpack's shape first. Null when there is none.
static linalg::GenericOp findEpilogue(RewriterBase &rewriter,
                                      linalg::UnPackOp unpack) {
  Value result = unpack.getResult();
  if (!result.hasOneUse())
    return {};
  Operation *user = *result.getUsers().begin();
  if (auto generic = dyn_cast<linalg::GenericOp>(user))
    return isEpilogueOf(generic, result) ? generic : linalg::GenericOp();
  auto expand = dyn_cast<tensor::ExpandShapeOp>(user);
  if (!expand || !expand->hasOneUse())
    return {};
  auto generic = dyn_cast<linalg::GenericOp>(*expand->getUsers().begin());
  if (!generic || !isEpilogueOf(generic, expand.getResult()))
    return {};
  SmallVector<ReassociationIndices> groups;
  for (ReassociationIndices group : expand.getReassociationIndices())
    if (group.size() > 1)
      groups.push_back(group);
  if (!linalg::areDimSequencesPreserved(generic.getIndexingMapsArray(),
                                        groups))
    return {};
  rewriter.setInsertionPoint(generic);
  FailureOr<linalg::CollapseResult> collapsed =
      linalg::collapseOpIterationDims(generic, groups, rewriter);
  if (failed(collapsed))
    return {};
  auto epilogue = cast<linalg::GenericOp>(collapsed->collapsedOp.getOperation());
  for (NamedAttribute attr : generic->getDiscardableAttrs())
    epilogue->setAttr(attr.getName(), attr.getValue());
  rewriter.replaceOp(generic, collapsed->results);
  // collapse_shape(expand_shape(unpack)) is the unpack itself.
  for (OpOperand &operand : epilogue->getOpOperands()) {
    auto collapse = operand.get().getDefiningOp<tensor::CollapseShapeOp>();
    if (!collapse || collapse.getSrc() != expand.getResult())
      continue;
    rewriter.modifyOpInPlace(epilogue, [&] { operand.set(result); });
    if (collapse->use_empty())
      rewriter.eraseOp(collapse);
  }
  if (expand->use_empty())
    rewriter.eraseOp(expand);
  return isEpilogueOf(epilogue, result) ? epilogue : linalg::GenericOp();
}

/// Fuses the packed contraction `op` into the task loop of its epilogue:
/// the unpack of its result and, when there is one, the elementwise op
/// that consumes that (bias, activation, residual add, dequantization).
/// The epilogue is tiled by whole tasks of the contraction's distribution
/// (`d`), and the contraction (with its accumulator's initialization) is
/// computed tile by tile inside, so that each task unpacks and finishes
/// the columns it has just computed while they are in cache, on its own
/// thread. Returns the contraction's tile in the loop, or failure when the
/// product is dynamic (the contraction and its unpack are then as they
/// were; an epilogue may have been collapsed to the unpack's shape, a
/// packed fill made a fill).
static FailureOr<linalg::GenericOp>
fuseEpilogue(RewriterBase &rewriter, linalg::GenericOp op,
             const Distribution &d) {
  int64_t batch = op.getNumLoops() - 6;
  if (!op->hasOneUse() || batch < 0 || batch > 1)
    return failure();
  auto unpack = dyn_cast<linalg::UnPackOp>(*op->getUsers().begin());
  if (!unpack || !unpack.getOuterDimsPerm().empty() ||
      !unpack.getDestType().hasStaticShape() ||
      !unpack.getSourceType().hasStaticShape() ||
      unpack.getInnerDimsPos() != ArrayRef<int64_t>{batch, batch + 1})
    return failure();
  ArrayRef<int64_t> dest = unpack.getDestType().getShape();
  int64_t productBytes =
      unpack.getDestType().getNumElements() *
      llvm::divideCeil(unpack.getDestType().getElementTypeBitWidth(), 8);
  ArrayRef<int64_t> packed = unpack.getSourceType().getShape();
  int64_t m0 = packed[batch + 2], n0 = packed[batch + 3];
  // A task's slice: nChunk columns of tiles; the last task's may be fewer
  // or padded (N ragged), as its rows may.
  int64_t nTile = d.nChunk * n0;

  Location loc = op.getLoc();
  TilingInterface root = cast<TilingInterface>(unpack.getOperation());
  if (linalg::GenericOp epilogue = findEpilogue(rewriter, unpack))
    root = cast<TilingInterface>(epilogue.getOperation());
  SmallVector<int64_t> sizes(dest.size(), 0);
  if (batch)
    sizes[0] = 1;
  sizes[batch] = d.mChunk * m0;
  sizes[batch + 1] = nTile;

  // A packed fill (of the unpacked accumulator: no bias) is a fill of the
  // packed one, which each task does for its own tiles. (Its padding is
  // never read back.)
  if (auto pack = op.getDpsInitOperand(0)->get().getDefiningOp<linalg::PackOp>();
      pack && pack->hasOneUse())
    if (auto fill = pack.getSource().getDefiningOp<linalg::FillOp>()) {
      rewriter.setInsertionPoint(pack);
      rewriter.replaceOpWithNewOp<linalg::FillOp>(pack, fill.getInputs(),
                                                  ValueRange{pack.getDest()});
    }
  // Fused: the unpack, the contraction and its accumulator's initial value
  // (the broadcast bias or the zero fill). Not the packs of its operands,
  // which every task reads whole.
  llvm::SmallPtrSet<Operation *, 4> fusable = {unpack, op};
  Operation *init = op.getDpsInitOperand(0)->get().getDefiningOp();
  if (init && init->hasOneUse() &&
      (isa<linalg::FillOp>(init) || init->hasAttr(kAccumulatorAttrName)))
    fusable.insert(init);
  else
    init = nullptr;
  scf::SCFTilingOptions tiling;
  tiling.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  if (d.parallel)
    tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  scf::SCFTileAndFuseOptions options;
  options.setTilingOptions(tiling);
  options.setFusionControlFn(
      [&](tensor::ExtractSliceOp, OpResult producer,
          bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        if (fusable.contains(producer.getOwner()))
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        return std::nullopt;
      });
  rewriter.setInsertionPoint(root);
  FailureOr<scf::SCFTileAndFuseResult> fused =
      scf::tileConsumerAndFuseProducersUsingSCF(rewriter, root, options);
  if (failed(fused))
    return failure();
  // The contraction's tile in the loop. (Without one, the loops are left
  // unused, for canonicalization to erase, and the originals stand.)
  linalg::GenericOp tile;
  for (Operation *tiled : fused->tiledAndFusedOps)
    if (auto generic = dyn_cast<linalg::GenericOp>(tiled);
        generic && generic->hasAttr(kPackedAttrName))
      tile = generic;
  if (!tile)
    return failure();
  for (OpResult result : root->getResults())
    rewriter.replaceAllUsesWith(result, fused->replacements.lookup(result));
  // The originals, now unused, consumer first.
  llvm::SmallSetVector<Operation *, 4> originals;
  originals.insert(root);
  originals.insert(unpack);
  originals.insert(op);
  if (init)
    originals.insert(init);
  // (Fusion leaves slices of them behind, unused.)
  for (Operation *original : originals) {
    llvm::SmallSetVector<Operation *, 4> users(original->user_begin(),
                                               original->user_end());
    for (Operation *user : users)
      if (isa<tensor::ExtractSliceOp>(user) && user->use_empty())
        rewriter.eraseOp(user);
    if (original->use_empty())
      rewriter.eraseOp(original);
  }
  // For the compile report: the product is no longer written whole.
  remark::passed(loc, remark::RemarkOpts::name("epilogue-fused")
                          .category("kiln-cpu-tile-and-vectorize"))
      << remark::detail::Remark::Arg("bytes", productBytes);
  return tile;
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

/// An unpack whose elements are already in order, its transpose moving only
/// unit dims (one column of tiles, as an epilogue's task unpacks), as a
/// reshape of the source less the padding at the end of its tiled dims: a
/// collapse_shape, and an extract_slice where there is padding (or a
/// dynamic size: a ragged last task). No copy. Fails, changing nothing,
/// otherwise.
static LogicalResult unpackAsReshape(RewriterBase &rewriter,
                                     linalg::UnPackOp unpack) {
  RankedTensorType sourceType = unpack.getSourceType();
  RankedTensorType destType = unpack.getDestType();
  int64_t rank = destType.getRank();
  ArrayRef<int64_t> innerPos = unpack.getInnerDimsPos();
  SmallVector<int64_t> tiles = unpack.getStaticTiles();
  if (!unpack.getOuterDimsPerm().empty() ||
      llvm::any_of(tiles, ShapedType::isDynamic))
    return failure();
  // The destination dim each source dim belongs to, and the source's
  // non-unit dims in destination order (outer d, then d's tile).
  SmallVector<int64_t> owner(sourceType.getRank());
  SmallVector<int64_t> collapsedShape(rank);
  SmallVector<int64_t> inOrder;
  for (int64_t d = 0; d < rank; ++d) {
    owner[d] = d;
    int64_t size = sourceType.getDimSize(d);
    if (size != 1)
      inOrder.push_back(d);
    if (const int64_t *it = llvm::find(innerPos, d); it != innerPos.end()) {
      int64_t inner = rank + (it - innerPos.begin());
      owner[inner] = d;
      size = ShapedType::isDynamic(size) ? size : size * tiles[inner - rank];
      if (tiles[inner - rank] != 1)
        inOrder.push_back(inner);
    }
    collapsedShape[d] = size;
  }
  if (!llvm::is_sorted(inOrder))
    return failure();
  std::optional<SmallVector<ReassociationIndices>> groups =
      getReassociationIndicesForCollapse(sourceType.getShape(),
                                         collapsedShape);
  if (!groups)
    return failure();
  // Each group holds exactly its destination dim's non-unit source dims.
  for (auto [d, group] : llvm::enumerate(*groups))
    for (int64_t from : group)
      if (sourceType.getDimSize(from) != 1 &&
          owner[from] != static_cast<int64_t>(d))
        return failure();
  rewriter.setInsertionPoint(unpack);
  Location loc = unpack.getLoc();
  Value collapsed = tensor::CollapseShapeOp::create(rewriter, loc,
                                                    unpack.getSource(), *groups);
  if (collapsed.getType() != destType || !destType.hasStaticShape()) {
    SmallVector<OpFoldResult> zeros(rank, rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> ones(rank, rewriter.getIndexAttr(1));
    collapsed = tensor::ExtractSliceOp::create(
        rewriter, loc, destType, collapsed, zeros,
        tensor::getMixedSizes(rewriter, loc, unpack.getDest()), ones);
  }
  rewriter.replaceOp(unpack, collapsed);
  return success();
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
      ContractionStrategy strategy = *ContractionStrategy::read(op);
      Distribution d = distribute(op, strategy);
      FailureOr<linalg::GenericOp> tile = failure();
      if (fuseEpilogues)
        tile = fuseEpilogue(rewriter, op, d);
      if (failed(tileAndVectorize(rewriter, succeeded(tile) ? *tile : op,
                                  strategy, d, succeeded(tile)))) {
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
        if (succeeded(unpackAsReshape(rewriter, unpack)))
          continue;
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

    // The accumulator's read and write in each K step, now on the loop's
    // tensor, leave the loop: it carries the register tile itself. (On
    // tensors, unlike after bufferization, no view of the accumulator's
    // buffer, such as the epilogue's, can stand in the way.)
    SmallVector<scf::ForOp> kLoops;
    func.walk([&](scf::ForOp loop) {
      if (loop->removeAttr(kKLoopAttrName))
        kLoops.push_back(loop);
    });
    for (scf::ForOp loop : kLoops)
      (void)hoistLoopInvariantSubsets(rewriter, loop);
  }
};
} // namespace
