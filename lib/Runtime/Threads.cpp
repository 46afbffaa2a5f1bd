//===- Threads.cpp - The OpenMP runtime for JIT-compiled code -------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Runtime/Threads.h"

#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/Threading.h"
#include <cstdlib>
#include <string>

using namespace mlir;
using namespace mlir::kiln;

int mlir::kiln::getDefaultNumThreads() {
  for (const char *name : {"KILN_NUM_THREADS", "OMP_NUM_THREADS"}) {
    if (const char *value = std::getenv(name)) {
      int n = std::atoi(value);
      if (n > 0)
        return n;
    }
  }
  return static_cast<int>(llvm::get_physical_cores() > 0
                              ? llvm::get_physical_cores()
                              : llvm::hardware_concurrency().compute_thread_count());
}

llvm::Error mlir::kiln::setUpOpenMP(int numThreads) {
  // LLVM's runtime, by soname. Loaded for the whole process so the JIT's
  // symbol lookup finds __kmpc_*. Processes that also load libgomp (torch)
  // are fine: the two runtimes have distinct entry points, and the calls
  // below go to this library's own symbols.
  static std::string error;
  static llvm::sys::DynamicLibrary library = [] {
    return llvm::sys::DynamicLibrary::getPermanentLibrary("libomp.so.5",
                                                          &error);
  }();
  if (!library.isValid())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot load LLVM's OpenMP runtime "
                                   "libomp.so.5 (Debian's libomp5-22): " +
                                       error);
  using SetFn = void (*)(int);
  auto setThreads = reinterpret_cast<SetFn>(
      library.getAddressOfSymbol("omp_set_num_threads"));
  auto setBlocktime =
      reinterpret_cast<SetFn>(library.getAddressOfSymbol("kmp_set_blocktime"));
  if (setBlocktime)
    setBlocktime(0); // passive: idle workers sleep at once
  if (setThreads)
    setThreads(numThreads > 0 ? numThreads : getDefaultNumThreads());
  return llvm::Error::success();
}
