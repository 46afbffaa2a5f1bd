//===- MapParallelLoops.cpp - Parallel loops onto a grid of blocks --------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/GPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNGPUMAPPARALLELLOOPSPASS
#include "kiln/Codegen/GPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

gpu::ParallelLoopDimMappingAttr mapTo(MLIRContext *context,
                                      gpu::Processor processor) {
  AffineMap identity = AffineMap::getMultiDimIdentityMap(1, context);
  return gpu::ParallelLoopDimMappingAttr::get(context, processor, identity,
                                              identity);
}

/// Replaces `loop` (no reductions) by a nest of sequential loops: inside a
/// thread, parallel loops that linalg's lowering nested under reduction
/// loops run in order.
void sequentialize(scf::ParallelOp loop) {
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  IRMapping mapping;
  for (auto [iv, lb, ub, step] :
       llvm::zip_equal(loop.getInductionVars(), loop.getLowerBound(),
                       loop.getUpperBound(), loop.getStep())) {
    auto inner = scf::ForOp::create(b, loc, lb, ub, step);
    mapping.map(iv, inner.getInductionVar());
    b.setInsertionPointToStart(inner.getBody());
  }
  for (Operation &op : loop.getBody()->without_terminator())
    b.clone(op, mapping);
  loop.erase();
}

/// Rewrites `loop` into blocks x threads with a grid-stride loop inside.
LogicalResult mapLoop(scf::ParallelOp loop, int64_t blockSize,
                      int64_t maxBlocks) {
  Location loc = loop.getLoc();
  OpBuilder b(loop);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);

  // The trip count of each dim and of the whole space.
  SmallVector<Value> counts;
  Value total = one;
  for (auto [lb, ub, step] : llvm::zip_equal(
           loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
    Value span = b.createOrFold<arith::SubIOp>(loc, ub, lb);
    Value count = b.createOrFold<arith::CeilDivSIOp>(loc, span, step);
    // An empty dim (ub <= lb) runs nothing.
    count = b.createOrFold<arith::MaxSIOp>(loc, count, zero);
    counts.push_back(count);
    total = b.createOrFold<arith::MulIOp>(loc, total, count);
  }

  Value block = arith::ConstantIndexOp::create(b, loc, blockSize);
  Value blocks = b.createOrFold<arith::CeilDivSIOp>(loc, total, block);
  blocks = b.createOrFold<arith::MinSIOp>(
      loc, blocks, arith::ConstantIndexOp::create(b, loc, maxBlocks));
  Value stride = b.createOrFold<arith::MulIOp>(loc, blocks, block);

  MLIRContext *context = loop.getContext();
  auto grid = scf::ParallelOp::create(b, loc, zero, blocks, one);
  if (failed(gpu::setMappingAttr(grid, mapTo(context, gpu::Processor::BlockX))))
    return failure();
  b.setInsertionPointToStart(grid.getBody());
  auto threads = scf::ParallelOp::create(b, loc, zero, block, one);
  if (failed(gpu::setMappingAttr(threads,
                                 mapTo(context, gpu::Processor::ThreadX))))
    return failure();
  b.setInsertionPointToStart(threads.getBody());
  Value first = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc, grid.getInductionVars()[0], block),
      threads.getInductionVars()[0]);
  auto points = scf::ForOp::create(b, loc, first, total, stride);
  b.setInsertionPointToStart(points.getBody());

  // The point's index in each dim, innermost dim fastest.
  IRMapping mapping;
  Value rest = points.getInductionVar();
  unsigned rank = loop.getNumLoops();
  for (unsigned i = rank; i-- > 0;) {
    Value digit = rest;
    if (i > 0) {
      digit = b.createOrFold<arith::RemUIOp>(loc, rest, counts[i]);
      rest = b.createOrFold<arith::DivUIOp>(loc, rest, counts[i]);
    }
    Value scaled =
        b.createOrFold<arith::MulIOp>(loc, digit, loop.getStep()[i]);
    Value iv =
        b.createOrFold<arith::AddIOp>(loc, loop.getLowerBound()[i], scaled);
    mapping.map(loop.getInductionVars()[i], iv);
  }
  for (Operation &op : loop.getBody()->without_terminator())
    b.clone(op, mapping);
  loop.erase();

  SmallVector<scf::ParallelOp> nested;
  points.walk([&](scf::ParallelOp inner) { nested.push_back(inner); });
  // Innermost first: walk() visits them in post-order.
  for (scf::ParallelOp inner : nested) {
    if (inner.getNumResults() != 0)
      return inner.emitError("kiln-gpu-map-parallel-loops: a parallel loop "
                             "with reductions cannot run inside a kernel");
    sequentialize(inner);
  }
  return success();
}

struct KilnGPUMapParallelLoopsPass
    : kiln::impl::KilnGPUMapParallelLoopsPassBase<
          KilnGPUMapParallelLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (blockSize <= 0 || maxBlocks <= 0) {
      getOperation().emitError("kiln-gpu-map-parallel-loops: block-size and "
                               "max-blocks must be positive");
      return signalPassFailure();
    }
    SmallVector<scf::ParallelOp> outermost;
    getOperation().walk<WalkOrder::PreOrder>([&](scf::ParallelOp loop) {
      outermost.push_back(loop);
      return WalkResult::skip();
    });
    for (scf::ParallelOp loop : outermost) {
      // Reductions across the loop's iterations would need a combining
      // step across threads; Kiln's linalg lowering leaves none.
      if (loop.getNumResults() != 0) {
        loop.emitError("kiln-gpu-map-parallel-loops: a parallel loop with "
                       "reductions cannot be mapped to the GPU");
        return signalPassFailure();
      }
      if (failed(mapLoop(loop, blockSize, maxBlocks)))
        return signalPassFailure();
    }
  }
};

} // namespace
