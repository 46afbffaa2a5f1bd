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
#include "kiln/Target/TargetDescription.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"
#include <memory>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
} // namespace llvm

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir::kiln {

/// Lets the LLVM IR translation accept the kiln dialect's ABI annotations
/// (`kiln.name`, `kiln.target`) silently.
void registerKilnDialectTranslation(DialectRegistry &registry);

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
