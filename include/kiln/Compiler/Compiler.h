//===- Compiler.h - The Kiln compiler session -------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// One compiler session owns the order of compilation stages, in the manner
// of Toy's `toyc -emit=`:
//
//   kiln -> linalg -> bufferized -> [gpu] -> llvm-dialect -> llvm-ir -> asm | obj
//
// A GPU target (`gpu.target` "vulkan" or "cuda") adds the gpu stage, where
// the kernels are outlined, and two outputs of the llvm-dialect stage: the
// device code as a SPIR-V binary or PTX.
//
// kiln-compile, kiln-run and the Python package all drive a session; none of
// them sequences pipelines itself. A session validates its options (target,
// optimization level, symbol prefix) when it is created, before any work,
// loads a model (.onnx or .mlir), runs the registered pipeline builders up
// to a stage, and emits the IR of any stage, an object file, a C header, or
// JIT-compiled code.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_COMPILER_H
#define KILN_COMPILER_COMPILER_H

#include "kiln/Compiler/CompileReport.h"
#include "kiln/Import/Onnx.h"
#include "kiln/Pipelines/Pipelines.h"
#include "kiln/Runtime/Npy.h"
#include "kiln/Target/EntryPoints.h"
#include "kiln/Target/TargetDescription.h"
#include "kiln/Target/Weights.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/SourceMgr.h"
#include <functional>
#include <map>
#include <memory>
#include <optional>

namespace llvm {
class raw_ostream;
class raw_pwrite_stream;
} // namespace llvm

namespace mlir {
class OpPassManager;
class PassManager;
class TimingScope;
namespace kiln {
class JitModule;
struct JitOptions;

/// The stages a session passes through, in order.
enum class Stage {
  Kiln,        ///< the kiln dialect after the graph pipeline
  Linalg,      ///< linalg on tensors, fused
  Bufferized,  ///< memrefs with deallocation
  GPU,         ///< GPU targets: kernels outlined into a gpu.module
  LLVMDialect, ///< the LLVM dialect
  LLVMIR,      ///< optimized LLVM IR
  Asm,         ///< target assembly
  Obj,         ///< an object file
  SPIRV,       ///< Vulkan: the kernels' SPIR-V binary
  PTX,         ///< CUDA: the kernels' PTX
};

/// The `--emit=` name of a stage ("kiln", "linalg", ..., "obj").
StringRef getStageName(Stage stage);

/// Everything that controls one compilation.
/// Post-training int8 quantization (`graph.quantize`); docs/quantization.md.
struct QuantizationOptions {
  /// For "int8": the calibration batches the f32 model runs on, each one
  /// array per input of the entry point, in order.
  std::vector<std::vector<HostArray>> calibration;
  /// How each layer's activation range is chosen from what calibration
  /// observed: "minmax" (the extremes), "percentile" (the 0.01th and
  /// 99.99th percentiles) or "mse" (the clipping that minimizes the
  /// quantization's mean squared error).
  std::string method = "minmax";
  /// Layers whose signal-to-quantization-noise ratio on the calibration
  /// data, in dB, falls below this stay in float (0: all are quantized).
  double errorBudgetDb = 0;
};

struct CompilerOptions {
  GraphOptions graph;
  QuantizationOptions quantization;
  CodegenOptions codegen;
  /// The GPU the kernels run on; none by default (CPU code).
  GPUOptions gpu;
  TargetOptions target;
  /// The optimization level, 0-3, as setOptimizationLevel() applied it:
  /// -O0 runs no graph optimization or fusion, -O1 graph optimization,
  /// -O2 (the default) also fusion, -O3 also LLVM's -O3.
  unsigned optLevel = 2;
  /// LLVM's optimization level, 0-3; unset: the optimization level's. 2 at
  /// -O2: Kiln's kernels are already tiled and vectorized, and LLVM's -O3
  /// only made compiling slower (resnet18: 6.9 s instead of 4.2 s) and the
  /// code no faster.
  std::optional<unsigned> llvmOptLevel;
  unsigned getLLVMOptLevel() const {
    return llvmOptLevel ? *llvmOptLevel : optLevel;
  }
  /// Threads of JIT-compiled parallel loops (<= 0: KILN_NUM_THREADS, else
  /// OMP_NUM_THREADS, else one per core). AOT code asks its caller, through
  /// the header's `<prefix>_set_num_threads`.
  int numThreads = 0;
  /// Prefix of every symbol an AOT object exports and of the header's
  /// functions: a C identifier.
  std::string symbolPrefix = "kiln";
  /// Where AOT objects keep the weights: in the object, or in a weights
  /// file that emit() writes next to it (docs/aot-abi.md).
  WeightsMode weights = WeightsMode::Embedded;
  /// ONNX import: the entry point's name, whether to run onnx's checker, and
  /// the graph inputs to freeze into constants.
  std::string entryName;
  bool checkOnnx = true;
  std::map<std::string, FrozenTensor> frozenInputs;
};

/// Sets `options.optLevel` and turns on the passes of that level (and off
/// the others): graph optimization from -O1, fusion (recomposition,
/// elementwise fusion, flash-style attention) from -O2. Toggles set after
/// it override the level.
void setOptimizationLevel(CompilerOptions &options, unsigned level);

/// A pass (or group of passes) that the optimization level turns on and
/// that can be turned on or off on its own: `--<name>=false` on the command
/// line, `<name with underscores>=False` in Python.
struct PassToggle {
  StringRef name;
  StringRef description;
  /// The lowest optimization level that turns it on.
  unsigned level;
  bool &(*field)(CompilerOptions &options);
};
/// Every pass toggle.
ArrayRef<PassToggle> getPassToggles();
/// Turns the pass toggle `name` on or off; an error names an unknown one.
llvm::Error setPassToggle(CompilerOptions &options, StringRef name, bool on);

/// Checks options that need no IR: the target (resolved against LLVM's
/// tables), the optimization level, the attention key block and the symbol
/// prefix.
llvm::Expected<TargetDescription> validateOptions(const CompilerOptions &options);

class CompilerSession {
public:
  /// Validates `options` and creates a session on `context`. Diagnostics of
  /// later stages go to the context's handlers; the returned errors say
  /// which stage failed.
  static llvm::Expected<std::unique_ptr<CompilerSession>>
  create(MLIRContext &context, CompilerOptions options);
  ~CompilerSession();

  /// Loads a model from a file (".onnx", ".mlir", ".mlirbc"; other names are
  /// sniffed). `-` reads stdin.
  llvm::Error loadFile(StringRef path);
  /// Loads a model from memory: ONNX protobuf bytes, MLIR text or bytecode.
  /// `name` is used in diagnostics.
  llvm::Error loadBuffer(StringRef bytes, StringRef name,
                         std::optional<bool> isOnnx = std::nullopt);
  /// Takes an already parsed module.
  llvm::Error setModule(OwningOpRef<ModuleOp> module);

  /// Lowers the module up to and including `stage` (an IR stage:
  /// Kiln..LLVMDialect). Stages already run are not run again.
  llvm::Error runTo(Stage stage);

  /// Writes the output of `stage`: the IR after it for Kiln..LLVMDialect,
  /// textual LLVM IR, assembly, or an object file. With external weights,
  /// LLVM IR, assembly and objects read their weights from a weights file,
  /// which is written to `weights` (required then).
  llvm::Error emit(Stage stage, llvm::raw_pwrite_stream &os,
                   llvm::raw_ostream *weights = nullptr);

  /// Changes the prefix of the symbols later objects and headers export;
  /// fails on a prefix that is not a valid C identifier.
  llvm::Error setSymbolPrefix(StringRef prefix);

  /// Changes where later objects and headers keep the weights.
  void setWeightsMode(WeightsMode mode) { options.weights = mode; }

  /// Writes the plain C header of the module's entry points.
  llvm::Error emitHeader(llvm::raw_ostream &os);

  /// Lowers to the LLVM dialect and JIT-compiles for this process. The
  /// target must be the host's architecture. With `keepObject`, the JIT keeps
  /// its object, from which saveJitObject writes an AOT object.
  llvm::Expected<std::unique_ptr<JitModule>> jit(bool keepObject = false);

  /// Writes the AOT object of `jit` (created by jit(keepObject = true))
  /// without compiling again: its code with the symbols prefixed and
  /// localized as emit(Stage::Obj) would. Embedded weights only.
  llvm::Error saveJitObject(const JitModule &jit, llvm::raw_ostream &os);

  /// Adds the passes that produce `lowering` (Linalg, Bufferized or
  /// LLVMDialect) from the stage before it, with this session's options.
  void buildLoweringPipeline(Stage lowering, OpPassManager &pm) const;
  /// How jit() compiles: the optimization level, target and threads.
  JitOptions getJitOptions() const;

  /// The module; its IR is that of `getStage()`.
  ModuleOp getModule() const { return module.get(); }
  /// The last stage run, or none before the graph pipeline ran.
  std::optional<Stage> getStage() const { return stage; }
  /// The public functions, collected after the graph pipeline.
  ArrayRef<EntryPoint> getEntryPoints() const { return entries; }
  const TargetDescription &getTarget() const { return target; }
  const CompilerOptions &getOptions() const { return options; }
  /// What the graph passes did; complete after the Kiln stage.
  const CompileReport &getReport() const { return *report; }

  /// The MLIR sources loaded, for a SourceMgrDiagnosticHandler that shows
  /// the offending lines.
  llvm::SourceMgr &getSourceMgr() { return sourceMgr; }

  /// Called on every pass manager the session creates, e.g. to apply the
  /// `--mlir-print-ir-*` command-line options.
  void setPassManagerHook(std::function<LogicalResult(PassManager &)> hook) {
    passManagerHook = std::move(hook);
  }
  /// Times every stage under `root` (`--mlir-timing`).
  void enableTiming(TimingScope &root) { timing = &root; }

private:
  CompilerSession(MLIRContext &context, CompilerOptions options,
                  TargetDescription target);
  /// Writes the device code of the module's gpu.binary (SPIR-V, PTX).
  llvm::Error emitDeviceCode(llvm::raw_ostream &os);
  llvm::Error runPipeline(Stage stage,
                          function_ref<void(PassManager &)> build);

  MLIRContext &context;
  llvm::SourceMgr sourceMgr;
  CompilerOptions options;
  TargetDescription target;
  OwningOpRef<ModuleOp> module;
  std::optional<Stage> stage;
  std::vector<EntryPoint> entries;
  std::unique_ptr<CompileReport> report;
  std::function<LogicalResult(PassManager &)> passManagerHook;
  TimingScope *timing = nullptr;
};

/// Creates a session, loads `path` and runs it to `stopAfter`.
llvm::Expected<std::unique_ptr<CompilerSession>>
compile(MLIRContext &context, StringRef path, CompilerOptions options,
        Stage stopAfter);

/// Whether a model file is ONNX: by its extension (.onnx, or .mlir/.mlirbc
/// for MLIR), else by content (binary protobuf, not MLIR text or bytecode).
bool isOnnxModel(StringRef fileName, StringRef bytes);

/// Kiln's version, e.g. "0.4.0"; also `kiln.__version__`.
StringRef getKilnVersion();

/// Makes kiln-evaluate-constants compute with this library's JIT (on the
/// host, in a context of its own). Sessions do it when created; tools that
/// run the pass without a session (kiln-opt) call it once.
void registerJitConstantEvaluator();

/// Registers every dialect, extension and translation a session needs.
void registerCompilerDialects(DialectRegistry &registry);

} // namespace kiln
} // namespace mlir

#endif // KILN_COMPILER_COMPILER_H
