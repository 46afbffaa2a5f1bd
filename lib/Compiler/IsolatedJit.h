//===- IsolatedJit.h - JIT a module in a context of its own -----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The session's own compilations during a compilation (constant
// evaluation, calibration) run in an MLIRContext of their own: the
// caller's context has the compile report's remark engine and IR printing
// attached, which a nested compilation must neither feed nor replace. The
// module travels as bytecode, blobs included.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_LIB_COMPILER_ISOLATEDJIT_H
#define KILN_LIB_COMPILER_ISOLATEDJIT_H

#include "kiln/Compiler/Compiler.h"
#include "kiln/Runtime/Jit.h"

#include "mlir/IR/MLIRContext.h"
#include <memory>
#include <string>

namespace mlir::kiln {

/// `module` compiled with `options` for the host and JIT-compiled. The
/// errors carry the nested compilation's diagnostics.
class IsolatedJit {
public:
  static llvm::Expected<std::unique_ptr<IsolatedJit>>
  create(ModuleOp module, const CompilerOptions &options, StringRef name);

  JitModule &getJit() { return *jit; }

private:
  IsolatedJit() = default;

  std::unique_ptr<MLIRContext> context;
  std::unique_ptr<CompilerSession> session;
  std::unique_ptr<JitModule> jit;
};

} // namespace mlir::kiln

#endif // KILN_LIB_COMPILER_ISOLATEDJIT_H
