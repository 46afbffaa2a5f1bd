//===- Threads.h - The OpenMP runtime for JIT-compiled code -----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Kiln's parallel loops lower to OpenMP and run on LLVM's runtime (libomp
// from Debian). JIT-compiled code finds it in the process, loaded here;
// AOT code links it (-lomp) and sets its threads through the generated
// header.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_THREADS_H
#define KILN_RUNTIME_THREADS_H

#include "llvm/Support/Error.h"

namespace mlir::kiln {

/// The thread count used when none is asked for: KILN_NUM_THREADS, else
/// OMP_NUM_THREADS, else the number of cores.
int getDefaultNumThreads();

/// Loads libomp (once), makes idle workers sleep rather than spin, and sets
/// the thread count of parallel loops that the calling thread starts
/// (`numThreads` <= 0: the default).
llvm::Error setUpOpenMP(int numThreads);

} // namespace mlir::kiln

#endif // KILN_RUNTIME_THREADS_H
