//===- Emission.h - C headers and native code for Kiln modules --*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TARGET_EMISSION_H
#define KILN_TARGET_EMISSION_H

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

/// Translates a module in the LLVM dialect to LLVM IR for `tm` and runs the
/// LLVM optimization pipeline of `optLevel`.
std::unique_ptr<llvm::Module> translateAndOptimize(ModuleOp module,
                                                   llvm::LLVMContext &context,
                                                   llvm::TargetMachine &tm,
                                                   unsigned optLevel);

enum class CodeKind { Assembly, Object };

/// Emits assembly or an object file for `module`.
LogicalResult emitCode(llvm::Module &module, llvm::TargetMachine &tm,
                       CodeKind kind, llvm::raw_pwrite_stream &os,
                       std::string &error);

/// Writes the plain C header of the Kiln AOT ABI for `entries`; the object
/// file must define each entry's `_mlir_ciface_<name>`. `guard` names the
/// include guard and the error-message accessor.
void emitCHeader(ArrayRef<EntryPoint> entries, StringRef guard,
                 llvm::raw_ostream &os);

} // namespace mlir::kiln

#endif // KILN_TARGET_EMISSION_H
