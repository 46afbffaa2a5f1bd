//===- Jit.h - In-process compilation and execution -------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// JIT-compiles a module in the LLVM dialect (lowered by the compiler
// session) with MLIR's ExecutionEngine and runs its entry points on host
// arrays. Used by kiln-run and the Python package through
// `CompilerSession::jit`.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_JIT_H
#define KILN_RUNTIME_JIT_H

#include "kiln/Runtime/Npy.h"
#include "kiln/Target/EntryPoints.h"
#include "kiln/Target/TargetDescription.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ExecutionEngine/SectionMemoryManager.h"
#include "llvm/Support/Error.h"
#include <functional>
#include <memory>

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace mlir {
class ExecutionEngine;
namespace kiln {

struct JitOptions {
  unsigned optLevel = 2; ///< LLVM optimization level, 0-3
  /// The CPU and features to generate code for; must be runnable here.
  TargetDescription target;
  /// Threads of the parallel loops (<= 0: KILN_NUM_THREADS, else
  /// OMP_NUM_THREADS, else one per core).
  int numThreads = 0;
  /// Keep the compiled object in memory for getObject(), so that an AOT
  /// object can be written without compiling again.
  bool keepObject = false;
  /// The GPU the module's kernels run on ("vulkan"), whose runtime library
  /// (libkiln_vulkan_runtime.so) the JIT loads; empty for CPU code.
  std::string gpuTarget;
};

/// Finds and loads (once, privately: both define the mgpu* interface) the
/// runtime library of GPU target `gpuTarget` ("vulkan", "cuda"), whose
/// functions JIT-compiled launches are linked to: the file named by
/// KILN_VULKAN_RUNTIME or KILN_CUDA_RUNTIME, else the one next to this
/// library's binary (../lib), the build tree's or the install prefix's.
/// Returns its dlopen handle.
llvm::Expected<void *> loadGPURuntime(StringRef gpuTarget);

/// The runtime's message for the last failed kernel launch ("" if none).
std::string getGPURuntimeError(StringRef gpuTarget);

/// The name of the device the runtime runs kernels on; "" when there is
/// none (getGPURuntimeError() says why).
std::string getGPUDeviceName(StringRef gpuTarget);


/// A caller's array, read in place: `data` holds at least `bytes` bytes in
/// C order, and stays valid during the call.
struct ArrayView {
  StringRef elementType;
  ArrayRef<int64_t> shape;
  const void *data = nullptr;
  uint64_t bytes = 0;

  static ArrayView of(const HostArray &array) {
    return {array.elementType, array.shape, array.data.data(),
            array.data.size()};
  }
};

/// A result left in the buffer Kiln allocated: its elements start at
/// `data`, inside `allocated`, which the owner releases with `free`.
struct ResultBuffer {
  std::string elementType;
  std::vector<int64_t> shape;
  void *allocated = nullptr;
  const char *data = nullptr;
};

/// A compiled module, loaded in this process.
class JitModule {
public:
  /// JITs `module`, which is in the LLVM dialect. `entries` are the
  /// module's entry points, collected before lowering.
  static llvm::Expected<std::unique_ptr<JitModule>>
  create(ModuleOp module, std::vector<EntryPoint> entries,
         const JitOptions &options);
  ~JitModule();

  ArrayRef<EntryPoint> getEntries() const { return entries; }

  /// The relocatable object the module was compiled to (with unprefixed,
  /// global symbols), when created with `keepObject`.
  llvm::Expected<std::string> getObject() const;

  /// Sets the threads of the parallel loops started from this thread.
  llvm::Error setNumThreads(int numThreads);
  /// The named entry point, or the first one for an empty name; null if none.
  const EntryPoint *lookup(StringRef name) const;

  /// Checks the inputs' element types, ranks and dims against `entry` (the
  /// errors name the input), runs it and returns its results.
  llvm::Expected<std::vector<HostArray>> run(const EntryPoint &entry,
                                             ArrayRef<HostArray> inputs);

  /// Runs without checks or result copies; for benchmarking after `run`
  /// has accepted the same inputs.
  llvm::Error runUnchecked(const EntryPoint &entry, ArrayRef<HostArray> inputs);

  /// As `run`, without copying: the inputs are read where they are, and the
  /// results stay in the buffers Kiln allocated, which the caller owns.
  llvm::Expected<std::vector<ResultBuffer>>
  runInPlace(const EntryPoint &entry, ArrayRef<ArrayView> inputs);

private:
  JitModule() = default;
  llvm::Error invoke(const EntryPoint &entry, ArrayRef<ArrayView> inputs,
                     std::vector<int64_t> &resultWords);

  std::unique_ptr<llvm::TargetMachine> optimizerTargetMachine;
  std::function<llvm::Error(llvm::Module *)> transformer;
  /// Maps the engine's sections (declared first: it outlives the engine).
  std::unique_ptr<llvm::SectionMemoryManager::MemoryMapper> memory;
  std::unique_ptr<ExecutionEngine> engine;
  std::vector<EntryPoint> entries;
  /// The GPU target whose runtime the code calls; empty for CPU code.
  std::string gpuTarget;
};

/// The check `JitModule::run` does on its inputs; empty when they are fine.
std::string checkInputs(const EntryPoint &entry, ArrayRef<HostArray> inputs);
std::string checkInputs(const EntryPoint &entry, ArrayRef<ArrayView> inputs);

} // namespace kiln
} // namespace mlir

#endif // KILN_RUNTIME_JIT_H
