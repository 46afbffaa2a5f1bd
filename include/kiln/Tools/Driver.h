//===- Driver.h - Shared set-up of the Kiln command-line tools --*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_DRIVER_H
#define KILN_TOOLS_DRIVER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/SourceMgr.h"
#include <memory>

namespace mlir {
class DialectRegistry;
namespace kiln {

/// Every dialect, extension and LLVM IR translation a compiler tool needs.
void registerCompilerDialects(DialectRegistry &registry);

/// A parsed input file with the source manager that its diagnostics point
/// into; keep it alive while passes run on the module.
struct InputModule {
  llvm::SourceMgr sourceMgr;
  std::unique_ptr<SourceMgrDiagnosticHandler> diagnostics;
  OwningOpRef<ModuleOp> module;
};

/// Parses `filename` ("-" for stdin). Fails with `error` set when the file
/// cannot be read, or with diagnostics already emitted when it does not
/// parse.
LogicalResult parseInputFile(StringRef filename, MLIRContext &context,
                             InputModule &input, std::string &error);

} // namespace kiln
} // namespace mlir

#endif // KILN_TOOLS_DRIVER_H
