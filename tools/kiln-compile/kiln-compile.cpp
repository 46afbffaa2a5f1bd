//===- kiln-compile.cpp - Kiln ahead-of-time compiler ---------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Compiles a model (.onnx, or kiln/linalg MLIR) to native code and can stop
// at any stage, in the manner of Toy's `toyc -emit=`:
//
//   kiln-compile model.onnx -o model.o --emit-header=model.h --prefix=model
//   kiln-compile model.mlir --emit=linalg
//   kiln-compile model.mlir --target-triple=aarch64-linux-gnu -o m.o
//   kiln-compile model.onnx --emit=kiln --report=json
//   kiln-compile model.onnx -o m.o --emit-header=m.h --weights=external
//
// The stages themselves are sequenced by the compiler session
// (kiln/Compiler/Compiler.h); this tool only maps its command line onto it.
//
//===----------------------------------------------------------------------===//

#include "kiln/Compiler/Compiler.h"
#include "kiln/Tools/Driver.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace mlir::kiln;
namespace cl = llvm::cl;

namespace {
cl::OptionCategory &kilnCat = getKilnOptionCategory();
cl::opt<std::string> inputFilename(cl::Positional,
                                   cl::desc("<model .onnx or .mlir>"),
                                   cl::init("-"), cl::cat(kilnCat));
cl::opt<std::string> outputFilename("o", cl::desc("Output file"),
                                    cl::value_desc("filename"), cl::init("-"),
                                    cl::cat(kilnCat));
cl::opt<Stage> emit(
    "emit", cl::desc("Stop after this stage and write its output"),
    cl::init(Stage::Obj),
    cl::values(
        clEnumValN(Stage::Kiln, "kiln", "kiln dialect after graph passes"),
        clEnumValN(Stage::Linalg, "linalg", "linalg on tensors, fused"),
        clEnumValN(Stage::Bufferized, "bufferized", "memrefs with deallocation"),
        clEnumValN(Stage::GPU, "gpu", "GPU targets: kernels outlined"),
        clEnumValN(Stage::LLVMDialect, "llvm-dialect", "the LLVM dialect"),
        clEnumValN(Stage::LLVMIR, "llvm-ir", "optimized LLVM IR"),
        clEnumValN(Stage::Asm, "asm", "target assembly"),
        clEnumValN(Stage::Obj, "obj", "an object file (default)"),
        clEnumValN(Stage::SPIRV, "spirv", "--target=vulkan: SPIR-V binary"),
        clEnumValN(Stage::PTX, "ptx", "--target=cuda: PTX of the kernels")),
    cl::cat(kilnCat));
cl::opt<std::string> headerFilename(
    "emit-header", cl::desc("Also write the C header of the entry points"),
    cl::value_desc("filename"), cl::cat(kilnCat));
cl::opt<std::string> symbolPrefix(
    "prefix",
    cl::desc("Prefix of every exported symbol and of the header's "
             "functions, so several models link into one program "
             "(default: kiln)"),
    cl::value_desc("name"), cl::init("kiln"), cl::cat(kilnCat));
// Renamed; kept hidden so that old scripts fail loudly instead of silently.
cl::opt<std::string> oldHeaderPrefix("header-prefix", cl::Hidden,
                                     cl::desc("Renamed to --prefix"));
cl::opt<std::string> weightsMode(
    "weights",
    cl::desc("Weights in the object (embedded, default) or in a file that "
             "<prefix>_load_weights(path) maps (external)"),
    cl::value_desc("embedded|external"), cl::init("embedded"),
    cl::cat(kilnCat));
cl::opt<std::string> weightsFilename(
    "weights-file",
    cl::desc("With --weights=external: the weights file to write (default: "
             "the -o file with the extension .weights)"),
    cl::value_desc("filename"), cl::cat(kilnCat));
cl::opt<std::string> report(
    "report", cl::ValueOptional,
    cl::desc("Print what the graph passes did to stderr, as text (default) "
             "or json"),
    cl::value_desc("text|json"), cl::cat(kilnCat));
cl::opt<std::string> reportFilename(
    "report-file", cl::desc("Write the --report to this file instead"),
    cl::value_desc("filename"), cl::cat(kilnCat));

int fail(const llvm::Twine &message) {
  llvm::errs() << "kiln-compile: error: " << message << "\n";
  return 1;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerCompilerCLOptions();
  parseToolCommandLine(argc, argv, "Kiln ahead-of-time compiler\n");

  if (oldHeaderPrefix.getNumOccurrences())
    return fail("--header-prefix is now --prefix, which also prefixes the "
                "object's symbols");
  llvm::Expected<CompilerOptions> options = getCompilerOptionsFromCL();
  if (!options)
    return fail(llvm::toString(options.takeError()));
  options->symbolPrefix = symbolPrefix;
  if (weightsMode != "embedded" && weightsMode != "external")
    return fail("--weights takes embedded or external, not '" + weightsMode +
                "'");
  options->weights = weightsMode == "external" ? WeightsMode::External
                                               : WeightsMode::Embedded;
  bool externalWeights =
      options->weights == WeightsMode::External && emit >= Stage::LLVMIR &&
      emit <= Stage::Obj;
  if (weightsFilename.getNumOccurrences() &&
      options->weights != WeightsMode::External)
    return fail("--weights-file needs --weights=external");
  std::string weightsPath = weightsFilename;
  if (externalWeights && weightsPath.empty()) {
    if (outputFilename == "-")
      return fail("--weights=external with the output on stdout needs "
                  "--weights-file");
    SmallString<256> path(outputFilename.getValue());
    llvm::sys::path::replace_extension(path, "weights");
    weightsPath = path.str().str();
  }
  bool wantReport = report.getNumOccurrences() > 0;
  if (wantReport && report != "" && report != "text" && report != "json")
    return fail("--report takes text or json, not '" + report + "'");
  if ((emit == Stage::Obj || emit == Stage::SPIRV) && outputFilename == "-" &&
      llvm::sys::Process::StandardOutIsDisplayed())
    return fail("refusing to write an object file to the terminal; use -o");

  auto session = ToolSession::create(std::move(*options), inputFilename);
  if (!session)
    return fail(llvm::toString(session.takeError()));
  CompilerSession &compiler = **(*session);

  // Outputs are kept only when everything succeeded, so that a failed run
  // leaves neither a partial object nor a header without its object.
  std::string error;
  auto output = openOutputFile(outputFilename, &error);
  if (!output)
    return fail(error);
  std::unique_ptr<llvm::ToolOutputFile> header;
  if (!headerFilename.empty()) {
    header = openOutputFile(headerFilename, &error);
    if (!header)
      return fail(error);
    if (llvm::Error err = compiler.emitHeader(header->os()))
      return fail(llvm::toString(std::move(err)));
  }
  std::unique_ptr<llvm::ToolOutputFile> weights;
  if (externalWeights) {
    weights = openOutputFile(weightsPath, &error);
    if (!weights)
      return fail(error);
  }
  if (llvm::Error err = compiler.emit(emit, output->os(),
                                      weights ? &weights->os() : nullptr))
    return fail(llvm::toString(std::move(err)));

  if (wantReport) {
    std::unique_ptr<llvm::ToolOutputFile> reportFile;
    if (!reportFilename.empty()) {
      reportFile = openOutputFile(reportFilename, &error);
      if (!reportFile)
        return fail(error);
    }
    llvm::raw_ostream &os = reportFile ? reportFile->os() : llvm::errs();
    if (report == "json")
      compiler.getReport().printJSON(os);
    else
      compiler.getReport().print(os);
    if (reportFile)
      reportFile->keep();
  }
  output->keep();
  if (weights)
    weights->keep();
  if (header)
    header->keep();
  return 0;
}
