//===- Distribute.cpp - Tile loops, and share them between threads --------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Distribute.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

FailureOr<TilingInterface> mlir::kiln::tileLoops(RewriterBase &rewriter,
                                                 TilingInterface op,
                                                 ArrayRef<int64_t> sizes,
                                                 bool parallel) {
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  if (parallel)
    options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, op, options);
  if (failed(tiled))
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  return cast<TilingInterface>(tiled->tiledOps.back());
}

FailureOr<linalg::LinalgOp>
mlir::kiln::distributeOverThreads(RewriterBase &rewriter, linalg::LinalgOp op) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  // Already one task's share (an epilogue fused into a contraction's
  // task loop): OpenMP would nest a parallel region per task.
  if (ranges.empty() || llvm::any_of(ranges, ShapedType::isDynamic) ||
      op->getParentOfType<scf::ForallOp>())
    return op;
  int64_t work = std::max<int64_t>(
      1, static_cast<int64_t>(op.getBlock()->getOperations().size()) - 1);
  for (int64_t r : ranges)
    work *= r;
  if (work < kMinParallelWork)
    return op;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  // A single loop (a fully merged elementwise op) is split into chunks of
  // whole cache lines, each then its own vector loop.
  int64_t last = ranges.size() == 1 ? 1 : ranges.size() - 1;
  for (int64_t d = 0; d < last; ++d) {
    if (iterators[d] != utils::IteratorType::parallel || ranges[d] < 2)
      continue;
    SmallVector<int64_t> sizes(ranges.size(), 0);
    sizes[d] = static_cast<int64_t>(
        llvm::divideCeil(ranges[d], std::min(ranges[d], kMaxChunks)));
    if (ranges.size() == 1)
      sizes[d] = static_cast<int64_t>(llvm::alignTo(sizes[d], kChunkAlign));
    // The discardable attributes (the strategy) survive on the tiled op.
    SmallVector<NamedAttribute> attrs(op->getDiscardableAttrs());
    FailureOr<TilingInterface> tiled = tileLoops(
        rewriter, cast<TilingInterface>(op.getOperation()), sizes,
        /*parallel=*/true);
    if (failed(tiled))
      return failure();
    auto inner = cast<linalg::LinalgOp>(tiled->getOperation());
    for (NamedAttribute attr : attrs)
      inner->setAttr(attr.getName(), attr.getValue());
    return inner;
  }
  return op;
}
