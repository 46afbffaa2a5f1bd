//===- kiln-compile.cpp - Kiln ahead-of-time compiler ---------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Compiles kiln (or linalg) MLIR to native code and can stop at any stage,
// in the manner of Toy's `toyc -emit=`:
//
//   kiln-compile model.mlir --emit=obj -o model.o --emit-header=model.h
//   kiln-compile model.mlir -o model.o --emit-header=model.h --prefix=model
//   kiln-compile model.mlir --emit=linalg
//   kiln-compile model.mlir --emit=obj --target-triple=aarch64-linux-gnu -o m.o
//
//===----------------------------------------------------------------------===//

#include "kiln/Pipelines/Pipelines.h"
#include "kiln/Target/CHeader.h"
#include "kiln/Target/Emission.h"
#include "kiln/Target/Symbols.h"
#include "kiln/Tools/Driver.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {
enum class Stage { Kiln, Linalg, Bufferized, LLVMDialect, LLVMIR, Asm, Obj };

cl::opt<std::string> inputFilename(cl::Positional, cl::desc("<input .mlir>"),
                                   cl::init("-"));
cl::opt<std::string> outputFilename("o", cl::desc("Output file"),
                                    cl::value_desc("filename"), cl::init("-"));
cl::opt<Stage> emit(
    "emit", cl::desc("Stop after this stage"), cl::init(Stage::Obj),
    cl::values(
        clEnumValN(Stage::Kiln, "kiln", "kiln dialect after graph passes"),
        clEnumValN(Stage::Linalg, "linalg", "linalg on tensors, fused"),
        clEnumValN(Stage::Bufferized, "bufferized", "memrefs with deallocation"),
        clEnumValN(Stage::LLVMDialect, "llvm-dialect", "the LLVM dialect"),
        clEnumValN(Stage::LLVMIR, "llvm-ir", "optimized LLVM IR"),
        clEnumValN(Stage::Asm, "asm", "target assembly"),
        clEnumValN(Stage::Obj, "obj", "an object file")));
cl::opt<unsigned> optLevel("O", cl::desc("Optimization level (0-3)"),
                           cl::Prefix, cl::init(3));
cl::opt<std::string> targetTriple("target-triple",
                                  cl::desc("Target triple (default: host)"));
cl::opt<std::string> targetCpu("cpu", cl::desc("Target CPU (default: host)"));
cl::opt<std::string> targetFeatures(
    "features", cl::desc("Target features, e.g. +avx2,+fma (default: host)"));
cl::opt<std::string> headerFilename(
    "emit-header", cl::desc("Also write the C header of the entry points"),
    cl::value_desc("filename"));
cl::opt<std::string> symbolPrefix(
    "prefix",
    cl::desc("Prefix of the exported symbols and the header's C functions, "
             "so that several models link into one program (default: kiln)"),
    cl::init(kiln::kDefaultSymbolPrefix.str()));
cl::opt<std::string> oldHeaderPrefix("header-prefix", cl::Hidden,
                                     cl::desc("Renamed to --prefix"));

int fail(const llvm::Twine &message) {
  llvm::errs() << "kiln-compile: error: " << message << "\n";
  return 1;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "Kiln ahead-of-time compiler\n");
  if (optLevel > 3)
    return fail("-O" + llvm::Twine(optLevel.getValue()) + " is not 0-3");
  if (oldHeaderPrefix.getNumOccurrences())
    return fail("--header-prefix is now --prefix, which also prefixes the "
                "object's symbols");
  if (llvm::Error err = kiln::validateSymbolPrefix(symbolPrefix))
    return fail(llvm::toString(std::move(err)));

  DialectRegistry registry;
  kiln::registerCompilerDialects(registry);
  MLIRContext context(registry);
  std::string error;
  kiln::InputModule input;
  if (failed(kiln::parseInputFile(inputFilename, context, input, error)))
    return error.empty() ? 1 : fail(error);
  OwningOpRef<ModuleOp> &module = input.module;

  auto output = openOutputFile(outputFilename, &error);
  if (!output)
    return fail(error);

  auto runStage = [&](llvm::function_ref<void(OpPassManager &)> build) {
    PassManager pm(&context);
    if (failed(applyPassManagerCLOptions(pm)))
      return failure();
    build(pm);
    return pm.run(*module);
  };

  kiln::CPUPipelineOptions cpuOptions;
  if (failed(runStage([](OpPassManager &pm) {
        kiln::buildKilnGraphPipeline(pm, kiln::GraphPipelineOptions());
      })))
    return 1;
  // Entry-point signatures are read on tensor types, before lowering.
  FailureOr<std::vector<kiln::EntryPoint>> entries =
      kiln::collectEntryPoints(*module);
  if (failed(entries))
    return 1;
  // The header is kept only when the output is, so that a failed run
  // leaves no header without its object.
  std::unique_ptr<llvm::ToolOutputFile> header;
  if (!headerFilename.empty()) {
    header = openOutputFile(headerFilename, &error);
    if (!header)
      return fail(error);
    kiln::emitCHeader(*entries, symbolPrefix, header->os());
  }
  auto keepOutputs = [&] {
    output->keep();
    if (header)
      header->keep();
  };

  auto stop = [&](Stage stage) {
    if (emit != stage)
      return false;
    module->print(output->os());
    keepOutputs();
    return true;
  };
  if (stop(Stage::Kiln))
    return 0;
  if (failed(runStage([&](OpPassManager &pm) {
        kiln::buildKilnToLinalgPipeline(pm, cpuOptions);
      })))
    return 1;
  if (stop(Stage::Linalg))
    return 0;
  if (failed(runStage([&](OpPassManager &pm) {
        kiln::buildKilnBufferizePipeline(pm, cpuOptions);
      })))
    return 1;
  if (stop(Stage::Bufferized))
    return 0;
  if (failed(runStage([&](OpPassManager &pm) {
        kiln::buildKilnToLLVMPipeline(pm, cpuOptions);
      })))
    return 1;
  if (stop(Stage::LLVMDialect))
    return 0;

  kiln::TargetOptions targetOptions{targetTriple, targetCpu, targetFeatures,
                                    optLevel};
  auto tm = kiln::createTargetMachine(targetOptions, error);
  if (failed(tm))
    return fail(error);
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      kiln::translateToLLVMIR(*module, llvmContext, **tm);
  if (!llvmModule)
    return fail("translation to LLVM IR failed");
  // Before optimization, so that it can drop what the entry points do not
  // reach.
  if (llvm::Error err = kiln::prefixAndInternalizeSymbols(*llvmModule, *entries,
                                                          symbolPrefix))
    return fail(llvm::toString(std::move(err)));
  kiln::optimizeLLVMModule(*llvmModule, **tm, optLevel);
  if (emit == Stage::LLVMIR) {
    llvmModule->print(output->os(), nullptr);
    keepOutputs();
    return 0;
  }
  if (emit == Stage::Obj && outputFilename == "-" &&
      llvm::sys::Process::StandardOutIsDisplayed())
    return fail("refusing to write an object file to the terminal; use -o");
  if (failed(kiln::emitCode(*llvmModule, **tm,
                            emit == Stage::Obj ? kiln::CodeKind::Object
                                               : kiln::CodeKind::Assembly,
                            output->os(), error)))
    return fail(error);
  keepOutputs();
  return 0;
}
