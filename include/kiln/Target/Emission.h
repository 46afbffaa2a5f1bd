//===- Emission.h - LLVM IR and native code for Kiln modules ----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TARGET_EMISSION_H
#define KILN_TARGET_EMISSION_H

// The C header generator moved to CHeader.h; included for older callers.
#include "kiln/Target/CHeader.h"
#include "kiln/Target/EntryPoints.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"
#include <memory>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
} // namespace llvm

namespace mlir::kiln {

struct TargetOptions {
  std::string triple;   ///< empty: the host
  std::string cpu;      ///< empty: the host CPU (or "generic" when cross)
  std::string features; ///< empty: the host's features (none when cross)
  unsigned optLevel = 3;
};

/// Creates the LLVM target machine for `options`; fails with a message.
FailureOr<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetOptions &options, std::string &error);

/// Translates a module in the LLVM dialect to LLVM IR for `tm`: its triple,
/// data layout, and CPU and features on every function. Returns null (after
/// a diagnostic) when translation fails.
std::unique_ptr<llvm::Module> translateToLLVMIR(ModuleOp module,
                                                llvm::LLVMContext &context,
                                                llvm::TargetMachine &tm);

/// Runs the LLVM optimization pipeline of `optLevel` (0-3) on `module`.
void optimizeLLVMModule(llvm::Module &module, llvm::TargetMachine &tm,
                        unsigned optLevel);

/// translateToLLVMIR, then optimizeLLVMModule. AOT objects instead prefix
/// and internalize their symbols in between (Symbols.h).
std::unique_ptr<llvm::Module> translateAndOptimize(ModuleOp module,
                                                   llvm::LLVMContext &context,
                                                   llvm::TargetMachine &tm,
                                                   unsigned optLevel);

enum class CodeKind { Assembly, Object };

/// Emits assembly or an object file for `module`.
LogicalResult emitCode(llvm::Module &module, llvm::TargetMachine &tm,
                       CodeKind kind, llvm::raw_pwrite_stream &os,
                       std::string &error);

} // namespace mlir::kiln

#endif // KILN_TARGET_EMISSION_H
