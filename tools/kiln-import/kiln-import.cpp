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
#include "kiln/Tools/Driver.h"

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
cl::OptionCategory &kilnCat = kiln::getKilnOptionCategory();
cl::opt<std::string> inputFilename(cl::Positional, cl::desc("<model.onnx>"),
                                   cl::init("-"), cl::cat(kilnCat));
cl::opt<std::string> outputFilename("o", cl::desc("Output .mlir file"),
                                    cl::value_desc("filename"), cl::init("-"),
                                    cl::cat(kilnCat));
cl::opt<std::string> entryName("entry",
                               cl::desc("Name of the generated function"),
                               cl::init("forward"), cl::cat(kilnCat));
cl::opt<bool> noCheck("no-check",
                      cl::desc("Skip onnx's model checker (not recommended)"),
                      cl::cat(kilnCat));
cl::opt<bool> listOps("list-ops",
                      cl::desc("Print the supported ONNX operators and exit"),
                      cl::cat(kilnCat));
cl::opt<bool> emitBytecode("emit-bytecode",
                           cl::desc("Write MLIR bytecode instead of text"),
                           cl::cat(kilnCat));
cl::list<std::string> freeze(
    "freeze", cl::desc("Freeze a graph input to the contents of a .npy file"),
    cl::value_desc("NAME=FILE.npy"), cl::cat(kilnCat));

int fail(const llvm::Twine &message) {
  llvm::errs() << "kiln-import: error: " << message << "\n";
  return 1;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  kiln::parseToolCommandLine(argc, argv, "Kiln ONNX importer\n");

  if (listOps) {
    llvm::outs() << "# opsets " << kiln::kMinOnnxOpset << "-"
                 << kiln::kMaxOnnxOpset << " (" << kiln::kMinConvertedOnnxOpset
                 << "-" << kiln::kMinOnnxOpset - 1
                 << " upgraded by onnx's version converter)\n";
    for (const kiln::OnnxOpSupport &op : kiln::getSupportedOnnxOps())
      llvm::outs() << op.opType << "\t" << op.notes << "\n";
    return 0;
  }

  MLIRContext context;
  kiln::OnnxImportOptions options;
  options.entryName = entryName;
  options.check = !noCheck;
  for (const std::string &argument : freeze) {
    auto frozen = kiln::parseFreezeArgument(argument);
    if (!frozen)
      return fail(llvm::toString(frozen.takeError()));
    options.frozenInputs.insert(std::move(*frozen));
  }
  std::string error;
  auto file = openInputFile(inputFilename, &error);
  if (!file)
    return fail(error);
  OwningOpRef<ModuleOp> module = kiln::importOnnxModel(
      file->getBuffer(), inputFilename == "-" ? std::string("<stdin>") : inputFilename.getValue(),
      context, options);
  if (!module)
    return 1;
  auto output = openOutputFile(outputFilename, &error);
  if (!output)
    return fail(error);
  if (emitBytecode) {
    if (failed(writeBytecodeToFile(*module, output->os())))
      return 1;
  } else {
    module->print(output->os());
  }
  output->keep();
  return 0;
}
