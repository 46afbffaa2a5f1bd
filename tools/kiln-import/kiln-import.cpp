//===- kiln-import.cpp - ONNX to kiln dialect importer --------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Imports an ONNX model into the kiln dialect:
//
//   kiln-import model.onnx -o model.mlir
//   kiln-import --list-ops          # the supported ONNX operators
//
//===----------------------------------------------------------------------===//

#include "kiln/Import/Onnx.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {
cl::opt<std::string> inputFilename(cl::Positional, cl::desc("<model.onnx>"),
                                   cl::init("-"));
cl::opt<std::string> outputFilename("o", cl::desc("Output .mlir file"),
                                    cl::value_desc("filename"), cl::init("-"));
cl::opt<std::string> entryName("entry",
                               cl::desc("Name of the generated function"),
                               cl::init("forward"));
cl::opt<bool> noCheck("no-check",
                      cl::desc("Skip onnx's model checker (not recommended)"));
cl::opt<bool> listOps("list-ops",
                      cl::desc("Print the supported ONNX operators and exit"));
cl::opt<bool> emitBytecode("emit-bytecode",
                           cl::desc("Write MLIR bytecode instead of text"));
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "Kiln ONNX importer\n");

  if (listOps) {
    llvm::outs() << "# opsets " << kiln::kMinOnnxOpset << "-"
                 << kiln::kMaxOnnxOpset << "\n";
    for (const kiln::OnnxOpSupport &op : kiln::getSupportedOnnxOps())
      llvm::outs() << op.opType << "\t" << op.notes << "\n";
    return 0;
  }

  MLIRContext context;
  kiln::OnnxImportOptions options;
  options.entryName = entryName;
  options.check = !noCheck;
  std::string error;
  auto file = openInputFile(inputFilename, &error);
  if (!file) {
    llvm::errs() << "kiln-import: error: " << error << "\n";
    return 1;
  }
  OwningOpRef<ModuleOp> module = kiln::importOnnxModel(
      file->getBuffer(), inputFilename == "-" ? std::string("<stdin>") : inputFilename.getValue(),
      context, options);
  if (!module)
    return 1;
  auto output = openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << "kiln-import: error: " << error << "\n";
    return 1;
  }
  if (emitBytecode) {
    if (failed(writeBytecodeToFile(*module, output->os())))
      return 1;
  } else {
    module->print(output->os());
  }
  output->keep();
  return 0;
}
