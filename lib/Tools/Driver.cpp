//===- Driver.cpp - Shared set-up of the Kiln command-line tools ----------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Tools/Driver.h"

#include "kiln/Import/Onnx.h"
#include "kiln/Pipelines/Pipelines.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

using namespace mlir;

void mlir::kiln::registerCompilerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registerKilnDialects(registry);
}

LogicalResult mlir::kiln::parseInputFile(StringRef filename,
                                         MLIRContext &context,
                                         InputModule &input,
                                         std::string &error) {
  auto file = openInputFile(filename, &error);
  if (!file)
    return failure();
  StringRef bytes = file->getBuffer();
  bool isOnnx = filename.ends_with(".onnx") ||
                (!filename.ends_with(".mlir") && !filename.ends_with(".mlirbc") &&
                 looksLikeOnnx(bytes));
  if (isOnnx) {
    // Diagnostics of the import name ONNX nodes, not source lines.
    input.module = importOnnxModel(bytes, filename == "-" ? "<stdin>" : filename,
                                   context);
    return success(static_cast<bool>(input.module));
  }
  input.sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  input.diagnostics = std::make_unique<SourceMgrDiagnosticHandler>(
      input.sourceMgr, &context);
  input.module = parseSourceFile<ModuleOp>(input.sourceMgr, &context);
  return success(static_cast<bool>(input.module));
}
