//===- kiln-opt.cpp - Kiln optimizer driver -------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// An mlir-opt with the Kiln dialect, passes and pipelines added to every
// upstream dialect, pass and extension, so researchers can mix them freely.
// An .onnx input is imported first (with `--freeze`/`--entry` as in the
// other tools), so any pipeline can start from a model file.
//
//===----------------------------------------------------------------------===//

#include "kiln/Compiler/Compiler.h"
#include "kiln/Import/Onnx.h"
#include "kiln/Pipelines/Pipelines.h"
#include "kiln/Tools/Driver.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace mlir::kiln;
namespace cl = llvm::cl;

namespace {
cl::OptionCategory onnxCategory("Kiln options");
cl::opt<std::string> onnxEntry(
    "onnx-entry",
    cl::desc("ONNX input: name of the imported function (default: forward)"),
    cl::value_desc("name"), cl::cat(onnxCategory));
cl::list<std::string> freeze(
    "freeze",
    cl::desc("ONNX input: freeze a graph input to the contents of a .npy file"),
    cl::value_desc("NAME=FILE.npy"), cl::cat(onnxCategory));

cl::opt<bool> pipelineReference(
    "kiln-pipeline-reference",
    cl::desc("Print the Markdown reference of Kiln's pipelines and exit"),
    cl::cat(onnxCategory));

int fail(const llvm::Twine &message) {
  llvm::errs() << "kiln-opt: error: " << message << "\n";
  return 1;
}

/// Imports an ONNX model into MLIR bytecode that mlir-opt's main loop then
/// parses like any other input; fails after printing the import's
/// diagnostics.
std::unique_ptr<llvm::MemoryBuffer> importToBytecode(llvm::MemoryBuffer &onnx,
                                                     StringRef name,
                                                     DialectRegistry &registry) {
  OnnxImportOptions options;
  if (!onnxEntry.empty())
    options.entryName = onnxEntry;
  for (const std::string &argument : freeze) {
    auto frozen = parseFreezeArgument(argument);
    if (!frozen) {
      fail(llvm::toString(frozen.takeError()));
      return nullptr;
    }
    options.frozenInputs.insert(std::move(*frozen));
  }
  MLIRContext context(registry);
  OwningOpRef<ModuleOp> module =
      importOnnxModel(onnx.getBuffer(), name, context, options);
  if (!module)
    return nullptr;
  std::string bytes;
  llvm::raw_string_ostream os(bytes);
  if (failed(writeBytecodeToFile(*module, os)))
    return nullptr;
  return llvm::MemoryBuffer::getMemBufferCopy(bytes, name);
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAllPasses();
  registerKilnPassesAndPipelines();
  // kiln-evaluate-constants computes with the JIT, as in kiln-compile.
  registerJitConstantEvaluator();
  DialectRegistry registry;
  registerCompilerDialects(registry);
  llvm::cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "Kiln " << getKilnVersion() << " (kiln-opt)\n";
  });

  auto [inputFilename, outputFilename] =
      registerAndParseCLIOptions(argc, argv, "Kiln optimizer driver", registry);
  if (pipelineReference) {
    printKilnPipelineReference();
    return 0;
  }
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input =
      openInputFile(inputFilename, &error);
  if (!input)
    return fail(error);
  StringRef name(inputFilename);
  if (isOnnxModel(name, input->getBuffer())) {
    input = importToBytecode(*input, name == "-" ? "<stdin>" : name, registry);
    if (!input)
      return 1;
  } else if (!freeze.empty()) {
    return fail("--freeze applies to ONNX input only");
  }

  auto output = openOutputFile(outputFilename, &error);
  if (!output)
    return fail(error);
  MlirOptMainConfig config = MlirOptMainConfig::createFromCLOptions();
  if (failed(MlirOptMain(output->os(), std::move(input), registry, config)))
    return 1;
  output->keep();
  return 0;
}
