//===- Distribute.h - Tile loops, and share them between threads -*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_DISTRIBUTE_H
#define KILN_CODEGEN_CPU_DISTRIBUTE_H

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/TilingInterface.h"

namespace mlir::kiln {

/// Tiles `op` by `sizes` (0: not tiled) with scf.for loops, or one
/// scf.forall when `parallel`, replacing it; returns the tiled op.
FailureOr<TilingInterface> tileLoops(RewriterBase &rewriter,
                                     TilingInterface op,
                                     ArrayRef<int64_t> sizes,
                                     bool parallel = false);

/// Ops with less work than this (iterations times the ops in their body, at
/// least one) run on one thread: waking a sleeping worker (idle workers
/// sleep at once, see docs/codegen-cpu.md) costs tens of microseconds.
inline constexpr int64_t kMinParallelWork = 1 << 19;

/// Tiles the outermost parallel loop of `op` with more than one iteration
/// (not its innermost loop, which is the vector loop, unless it is the only
/// one; its chunks are then multiples of kChunkAlign) into at most
/// `kMaxChunks` chunks of an `scf.forall`, the loop that becomes the OpenMP
/// worksharing loop, and returns the op inside it. Returns `op` itself when
/// it has a dynamic iteration space, too little work or no such loop, or
/// is in an scf.forall already.
FailureOr<linalg::LinalgOp> distributeOverThreads(RewriterBase &rewriter,
                                                  linalg::LinalgOp op);

/// Chunks of a distributed loop: enough to balance a handful of threads.
inline constexpr int64_t kMaxChunks = 32;
/// The chunks of an op's only loop are multiples of this many iterations.
inline constexpr int64_t kChunkAlign = 64;

} // namespace mlir::kiln

#endif // KILN_CODEGEN_CPU_DISTRIBUTE_H
