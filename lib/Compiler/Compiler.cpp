//===- Compiler.cpp - The Kiln compiler session ---------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Compiler/Compiler.h"

#include <cstring>

#include "Calibration.h"

#include "Kiln/IR/KilnOps.h"
#include "kiln/Runtime/Jit.h"
#include "kiln/Target/CHeader.h"
#include "kiln/Target/Emission.h"
#include "kiln/Target/Symbols.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Remarks.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"
#include <atomic>
#include <mutex>

using namespace mlir;
using namespace mlir::kiln;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

StringRef mlir::kiln::getStageName(Stage stage) {
  switch (stage) {
  case Stage::Kiln:
    return "kiln";
  case Stage::Linalg:
    return "linalg";
  case Stage::Bufferized:
    return "bufferized";
  case Stage::GPU:
    return "gpu";
  case Stage::LLVMDialect:
    return "llvm-dialect";
  case Stage::LLVMIR:
    return "llvm-ir";
  case Stage::Asm:
    return "asm";
  case Stage::Obj:
    return "obj";
  case Stage::SPIRV:
    return "spirv";
  case Stage::PTX:
    return "ptx";
  }
  llvm_unreachable("unknown stage");
}

bool mlir::kiln::isOnnxModel(StringRef fileName, StringRef bytes) {
  if (fileName.ends_with(".onnx"))
    return true;
  if (fileName.ends_with(".mlir") || fileName.ends_with(".mlirbc") ||
      bytes.starts_with("ML\xefR"))
    return false;
  // MLIR text (even generic ops, which start like a protobuf field) has no
  // control characters; serialized protobuf does.
  bool text = llvm::none_of(bytes.take_front(4096), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\r' &&
           c != '\t' && c != '\f';
  });
  return !text && looksLikeOnnx(bytes);
}

StringRef mlir::kiln::getKilnVersion() { return KILN_VERSION; }

void mlir::kiln::registerCompilerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registerKilnDialects(registry);
  registerKilnDialectTranslation(registry);
}

//===----------------------------------------------------------------------===//
// Report collection
//===----------------------------------------------------------------------===//

namespace {
/// Counts the optimization remarks Kiln's passes emit, by (category, name),
/// into `counts` and `bytes` (the graph passes' rewrites, or code
/// generation's). Function passes run on several threads, hence the lock.
class ReportRemarkStreamer final
    : public remark::detail::MLIRRemarkStreamerBase {
public:
  using Counts = std::map<std::pair<std::string, std::string>, int64_t>;
  ReportRemarkStreamer(Counts &counts, Counts &bytes, std::mutex &lock)
      : counts(counts), bytes(bytes), lock(lock) {}
  void streamOptimizationRemark(const remark::detail::Remark &remark) override {
    std::lock_guard<std::mutex> guard(lock);
    std::pair<std::string, std::string> key{remark.getCategoryName().str(),
                                            remark.getRemarkName().str()};
    ++counts[key];
    for (const remark::detail::Remark::Arg &arg : remark.getArgs()) {
      int64_t value;
      if (arg.key == "bytes" && !StringRef(arg.val).getAsInteger(10, value))
        bytes[key] += value;
    }
  }

private:
  Counts &counts, &bytes;
  std::mutex &lock;
};

/// Counts the remarks of the passes whose argument matches `categories`
/// (a regex) into `counts` and `bytes` while it lives.
class ReportRemarks {
public:
  static llvm::Expected<std::unique_ptr<ReportRemarks>>
  enable(MLIRContext &context, StringRef categories,
         ReportRemarkStreamer::Counts &counts,
         ReportRemarkStreamer::Counts &bytes) {
    auto remarks = std::unique_ptr<ReportRemarks>(new ReportRemarks(context));
    remark::RemarkCategories passed;
    passed.passed = categories.str();
    if (failed(remark::enableOptimizationRemarks(
            context,
            std::make_unique<ReportRemarkStreamer>(counts, bytes,
                                                   remarks->lock),
            std::make_unique<remark::RemarkEmittingPolicyAll>(), passed)))
      return makeError("cannot enable optimization remarks");
    return remarks;
  }
  ~ReportRemarks() { context.setRemarkEngine(nullptr); }

private:
  explicit ReportRemarks(MLIRContext &context) : context(context) {}
  MLIRContext &context;
  std::mutex lock;
};

/// Observes the graph pipeline's canonicalizations: an op replaced by values
/// that constants define was folded; an op erased without replacement was
/// dead.
class FoldCounter final : public RewriterBase::Listener {
public:
  void notifyOperationReplaced(Operation *op, ValueRange values) override {
    if (op->hasTrait<OpTrait::ConstantLike>())
      return;
    bool allConstant = llvm::all_of(values, [](Value v) {
      Operation *def = v.getDefiningOp();
      return def && def->hasTrait<OpTrait::ConstantLike>();
    });
    if (allConstant && !values.empty()) {
      ++folded;
      for (Value value : values)
        if (std::optional<int64_t> size = getStaticBytes(value.getType()))
          bytes += *size;
    }
    lastReplaced = op;
  }
  void notifyOperationErased(Operation *op) override {
    if (op != lastReplaced && !op->hasTrait<OpTrait::ConstantLike>())
      ++dead;
    lastReplaced = nullptr;
  }
  std::atomic<int64_t> folded{0}, dead{0}, bytes{0};

private:
  static thread_local Operation *lastReplaced;
};
thread_local Operation *FoldCounter::lastReplaced = nullptr;

/// Counts the kernels of each function where kiln-fuse-elementwise starts
/// (before fusion) and where CPU code generation starts, with
/// kiln-cpu-im2col (after fusion; later passes make codegen's own kernels,
/// such as im2col's, which fusion has no say in).
struct KernelCounter {
  struct Instrumentation final : PassInstrumentation {
    explicit Instrumentation(KernelCounter &counter) : counter(counter) {}
    void runBeforePass(Pass *pass, Operation *op) override {
      StringRef name = pass->getArgument();
      bool before = name == "kiln-fuse-elementwise";
      if (!before && name != "kiln-cpu-im2col")
        return;
      KernelStats stats = computeKernelStats(op);
      std::vector<FusionGroup> groups;
      if (!before)
        groups = collectFusionGroups(op);
      std::lock_guard<std::mutex> guard(counter.lock);
      (before ? counter.beforeFusion : counter.afterFusion) += stats;
      (before ? counter.sawFusion : counter.sawCodegen) = true;
      llvm::append_range(counter.groups, std::move(groups));
    }
    KernelCounter &counter;
  };
  std::mutex lock;
  KernelStats beforeFusion, afterFusion;
  std::vector<FusionGroup> groups;
  bool sawFusion = false, sawCodegen = false;
};
} // namespace

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

ArrayRef<PassToggle> mlir::kiln::getPassToggles() {
  static const PassToggle toggles[] = {
      {"infer-shapes", "Refine dynamic dims (kiln-infer-shapes)", 0,
       [](CompilerOptions &o) -> bool & { return o.graph.inferShapes; }},
      {"canonicalize",
       "Canonicalize and CSE the kiln graph (folds small constants and "
       "algebraic identities)",
       1, [](CompilerOptions &o) -> bool & { return o.graph.canonicalize; }},
      {"fold-constants",
       "Evaluate transposes, reshapes, slices, pads and casts of constants, "
       "frozen weights included (kiln-fold-constants)",
       1, [](CompilerOptions &o) -> bool & { return o.graph.foldConstants; }},
      {"evaluate-constants",
       "Compute any other op whose operands are constants at compile time, "
       "by compiling and running it (kiln-evaluate-constants)",
       1,
       [](CompilerOptions &o) -> bool & { return o.graph.evaluateConstants; }},
      {"fold-batchnorm",
       "Fold batch norms into convolutions (kiln-fold-batchnorm)", 1,
       [](CompilerOptions &o) -> bool & { return o.graph.foldBatchNorm; }},
      {"simplify",
       "Algebraic simplification: transposes into matmuls, constant chains, "
       "pads into convolutions and pools (kiln-simplify)",
       1, [](CompilerOptions &o) -> bool & { return o.graph.simplify; }},
      {"recompose",
       "Recompose LayerNorm, GELU and attention (kiln-recompose)", 2,
       [](CompilerOptions &o) -> bool & { return o.graph.recompose; }},
      {"fuse-elementwise",
       "Fuse elementwise ops, broadcasts and reshapes into their consumers "
       "(kiln-fuse-elementwise)",
       2,
       [](CompilerOptions &o) -> bool & { return o.codegen.fuseElementwise; }},
      {"fuse-epilogues",
       "Compute each GEMM and convolution inside the loop of its epilogue "
       "(bias, activation, residual), tile by tile "
       "(kiln-cpu-tile-and-vectorize)",
       2,
       [](CompilerOptions &o) -> bool & { return o.codegen.fuseEpilogues; }},
  };
  return toggles;
}

void mlir::kiln::setOptimizationLevel(CompilerOptions &options,
                                      unsigned level) {
  options.optLevel = level;
  for (const PassToggle &toggle : getPassToggles())
    toggle.field(options) = level >= toggle.level;
  // The layout is a graph optimization; -O0 keeps the model's.
  options.graph.layout = level >= 1 ? GraphOptions().layout : "keep";
  // So is running a QDQ model's layers as int8 kernels.
  options.graph.foldQDQ = level >= 1;
  // Flash-style attention is fusion too: -O0 and -O1 materialize scores.
  options.codegen.attentionKeyBlock =
      level >= 2 ? CodegenOptions().attentionKeyBlock : 0;
}

llvm::Error mlir::kiln::setPassToggle(CompilerOptions &options, StringRef name,
                                      bool on) {
  for (const PassToggle &toggle : getPassToggles())
    if (toggle.name == name) {
      toggle.field(options) = on;
      return llvm::Error::success();
    }
  std::string known;
  for (const PassToggle &toggle : getPassToggles())
    known += (known.empty() ? "" : ", ") + toggle.name.str();
  return makeError("unknown pass toggle '" + name + "' (known: " + known +
                   ")");
}

llvm::Expected<TargetDescription>
mlir::kiln::validateOptions(const CompilerOptions &options) {
  if (options.optLevel > 3)
    return makeError("optimization level " + llvm::Twine(options.optLevel) +
                     " is not 0-3");
  if (options.llvmOptLevel && *options.llvmOptLevel > 3)
    return makeError("LLVM optimization level " +
                     llvm::Twine(*options.llvmOptLevel) + " is not 0-3");
  if (!llvm::is_contained({"keep", "nchw", "nhwc", "auto"},
                          options.graph.layout))
    return makeError("layout '" + options.graph.layout +
                     "' is not keep, nchw, nhwc or auto");
  if (!llvm::is_contained({"none", "int8-dynamic", "int8", "int8-weights"},
                          options.graph.quantize))
    return makeError("quantization '" + options.graph.quantize +
                     "' is not none, int8, int8-dynamic or int8-weights");
  const QuantizationOptions &quant = options.quantization;
  if (options.graph.quantize == "int8" && quant.calibration.empty())
    return makeError("int8 quantization needs calibration data (a batch or "
                     "more of inputs; int8-dynamic needs none)");
  if (options.graph.quantize != "int8" && !quant.calibration.empty())
    return makeError("calibration data is only used by int8 quantization, "
                     "not '" + options.graph.quantize + "'");
  if (!llvm::is_contained({"minmax", "percentile", "mse"}, quant.method))
    return makeError("calibration method '" + quant.method +
                     "' is not minmax, percentile or mse");
  if (!(quant.errorBudgetDb >= 0) || !std::isfinite(quant.errorBudgetDb))
    return makeError("quantization error budget must be a finite number of "
                     "dB >= 0");
  if (options.graph.imageInterface && options.graph.layout != "nhwc" &&
      options.graph.layout != "nchw")
    return makeError("an image interface needs the layout nhwc or nchw, not "
                     "'" + options.graph.layout +
                     "' (the signature must not depend on the host)");
  if (options.codegen.attentionKeyBlock < 0)
    return makeError("attention key block is " +
                     llvm::Twine(options.codegen.attentionKeyBlock) +
                     "; it takes 0 (off) or a positive number of keys");
  if (llvm::Error err = validateSymbolPrefix(options.symbolPrefix))
    return std::move(err);
  const GPUOptions &gpu = options.gpu;
  if (!llvm::is_contained({"", "vulkan", "cuda"}, gpu.target))
    return makeError("GPU target '" + gpu.target +
                     "' is not vulkan or cuda (or none, for the CPU)");
  if (gpu.target == "cuda" && getPTXVersionFor(gpu.chip).empty())
    return makeError("GPU chip '" + gpu.chip +
                     "' is not a CUDA architecture sm_70 or later (sm_80, "
                     "sm_90, ...)");
  if (gpu.isGPU() && (gpu.blockSize <= 0 || gpu.blockSize > 1024))
    return makeError("GPU block size " + llvm::Twine(gpu.blockSize) +
                     " is not 1-1024");
  if (!llvm::is_contained({"auto", "fatbin", "ptx"}, gpu.cudaBinary))
    return makeError("CUDA binary '" + gpu.cudaBinary +
                     "' is not auto, fatbin or ptx");
  if (gpu.target == "cuda" && gpu.cudaBinary == "fatbin" &&
      findCudaToolkit().empty())
    return makeError("a CUDA fatbin needs the CUDA toolkit's ptxas and "
                     "fatbinary (set CUDA_HOME), or take cudaBinary \"ptx\"");
  if (gpu.isGPU() &&
      (gpu.matmulTile < 0 || gpu.matmulTile * gpu.matmulTile > 1024))
    return makeError("GPU matmul tile " + llvm::Twine(gpu.matmulTile) +
                     " is not 0 (off) or 1-32 (at most 1024 threads)");
  if (!options.codegen.schedule.empty() &&
      !llvm::sys::fs::exists(options.codegen.schedule))
    return makeError("cannot open schedule '" + options.codegen.schedule +
                     "': no such file");
  return resolveTarget(options.target);
}

//===----------------------------------------------------------------------===//
// Session
//===----------------------------------------------------------------------===//

CompilerSession::CompilerSession(MLIRContext &context, CompilerOptions options,
                                 TargetDescription target)
    : context(context), options(std::move(options)),
      target(std::move(target)), report(std::make_unique<CompileReport>()) {}

CompilerSession::~CompilerSession() = default;

llvm::Expected<std::unique_ptr<CompilerSession>>
CompilerSession::create(MLIRContext &context, CompilerOptions options) {
  llvm::Expected<TargetDescription> target = validateOptions(options);
  if (!target)
    return target.takeError();
  static std::once_flag evaluator;
  std::call_once(evaluator, registerJitConstantEvaluator);
  context.loadDialect<KilnDialect>();
  return std::unique_ptr<CompilerSession>(
      new CompilerSession(context, std::move(options), std::move(*target)));
}

llvm::Error CompilerSession::loadFile(StringRef path) {
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> file = openInputFile(path, &error);
  if (!file)
    return makeError(error);
  return loadBuffer(file->getBuffer(), path == "-" ? "<stdin>" : path,
                    isOnnxModel(path, file->getBuffer()));
}

llvm::Error CompilerSession::loadBuffer(StringRef bytes, StringRef name,
                                        std::optional<bool> isOnnx) {
  bool onnx = isOnnx ? *isOnnx : isOnnxModel(name, bytes);
  if (!onnx && !options.frozenInputs.empty())
    return makeError("'" + name +
                     "' is not an ONNX model; frozen inputs apply to ONNX "
                     "graph inputs only");
  OwningOpRef<ModuleOp> loaded;
  if (onnx) {
    OnnxImportOptions importOptions;
    if (!options.entryName.empty())
      importOptions.entryName = options.entryName;
    importOptions.check = options.checkOnnx;
    importOptions.frozenInputs = options.frozenInputs;
    loaded = importOnnxModel(bytes, name, context, importOptions);
    if (!loaded)
      return makeError("cannot import '" + name + "'");
  } else {
    // The source manager owns the text that diagnostics point into. A
    // bytecode's blobs are read in place, at the alignment they were
    // written with (64 bytes for packed weights): the copy is aligned so.
    std::unique_ptr<llvm::WritableMemoryBuffer> copy =
        llvm::WritableMemoryBuffer::getNewUninitMemBuffer(bytes.size(), name,
                                                          llvm::Align(64));
    if (!copy)
      return makeError("out of memory reading '" + name + "'");
    std::memcpy(copy->getBufferStart(), bytes.data(), bytes.size());
    sourceMgr.AddNewSourceBuffer(std::move(copy), llvm::SMLoc());
    ParserConfig config(&context);
    loaded = parseSourceFile<ModuleOp>(sourceMgr, config);
    if (!loaded)
      return makeError("cannot parse '" + name + "'");
  }
  return setModule(std::move(loaded));
}

llvm::Error CompilerSession::setModule(OwningOpRef<ModuleOp> newModule) {
  module = std::move(newModule);
  stage.reset();
  entries.clear();
  *report = CompileReport();
  // The module carries the target from here on. One it brings along (say,
  // IR a previous --emit wrote) wins unless the options name a target.
  StringRef name = KilnDialect::getTargetAttrName();
  bool explicitTarget = !options.target.triple.empty() ||
                        !options.target.cpu.empty() ||
                        !options.target.features.empty();
  if (auto existing = (*module)->getAttrOfType<TargetAttr>(name);
      existing && !explicitTarget)
    target = TargetDescription::fromAttr(existing);
  else
    (*module)->setAttr(name, target.toAttr(&context));
  report->opsBefore = countOpsByName(*module);
  return llvm::Error::success();
}

llvm::Error
CompilerSession::runPipeline(Stage runStage,
                             function_ref<void(PassManager &)> build) {
  PassManager pm(&context);
  std::optional<TimingScope> scope;
  if (timing) {
    scope.emplace(timing->nest(getStageName(runStage)));
    pm.enableTiming(*scope);
  }
  if (passManagerHook && failed(passManagerHook(pm)))
    return makeError("invalid pass manager options");
  build(pm);
  if (failed(pm.run(*module)))
    return makeError("compilation failed in the " + getStageName(runStage) +
                     " stage");
  stage = runStage;
  return llvm::Error::success();
}

llvm::Error CompilerSession::runTo(Stage until) {
  if (!module)
    return makeError("no model is loaded");
  bool gpu = options.gpu.isGPU();
  if (until == Stage::GPU && !gpu)
    return makeError("the gpu stage needs a GPU target (vulkan or cuda)");
  if (until == Stage::SPIRV && options.gpu.target != "vulkan")
    return makeError("SPIR-V is the device code of the vulkan target");
  if (until == Stage::PTX && options.gpu.target != "cuda")
    return makeError("PTX is the device code of the cuda target");
  // PTX comes out of a module whose kernels were serialized as PTX.
  if (until == Stage::PTX && options.gpu.cudaBinary != "ptx") {
    if (stage && *stage >= Stage::LLVMDialect)
      return makeError("the kernels are already serialized as a fatbin; "
                       "emit PTX from a session that did not emit an object");
    options.gpu.cudaBinary = "ptx";
  }
  if (until > Stage::LLVMDialect)
    until = Stage::LLVMDialect;
  auto needs = [&](Stage s) { return s <= until && (!stage || *stage < s); };

  if (needs(Stage::Kiln)) {
    FoldCounter folds;
    GraphOptions graph = options.graph;
    graph.canonicalizeListener = &folds;
    auto remarks = ReportRemarks::enable(context, "kiln-.*", report->rewrites,
                                         report->rewriteBytes);
    if (!remarks)
      return remarks.takeError();
    // Static int8 quantization calibrates the optimized f32 graph first.
    bool calibrate = graph.quantize == "int8";
    if (calibrate)
      graph.quantize = "none";
    llvm::Error err = runPipeline(Stage::Kiln, [&](PassManager &pm) {
      buildKilnGraphPipeline(pm, graph);
    });
    remarks->reset();
    if (err)
      return err;
    if (calibrate)
      if (llvm::Error err = calibrateAndQuantize(*module, options, *report))
        return err;
    report->constantsFolded = folds.folded;
    report->deadOpsErased = folds.dead;
    report->constantBytesFolded = folds.bytes;
    report->opsAfter = countOpsByName(*module);
    // Entry-point signatures are read on tensor types, before lowering.
    FailureOr<std::vector<EntryPoint>> collected = collectEntryPoints(*module);
    if (failed(collected))
      return makeError("invalid entry points");
    entries = std::move(*collected);
  }
  if (needs(Stage::Linalg)) {
    KernelCounter counter;
    if (llvm::Error err = runPipeline(Stage::Linalg, [&](PassManager &pm) {
          pm.addInstrumentation(
              std::make_unique<KernelCounter::Instrumentation>(counter));
          buildLoweringPipeline(Stage::Linalg, pm);
        }))
      return err;
    if (counter.sawCodegen) {
      report->kernelsAfterFusion = counter.afterFusion;
      report->kernelsBeforeFusion =
          counter.sawFusion ? counter.beforeFusion : counter.afterFusion;
      report->fusionGroups = std::move(counter.groups);
    }
  }
  if (needs(Stage::Bufferized)) {
    auto remarks = ReportRemarks::enable(context, "kiln-cpu-.*",
                                         report->codegenRewrites,
                                         report->codegenBytes);
    if (!remarks)
      return remarks.takeError();
    if (llvm::Error err = runPipeline(Stage::Bufferized, [&](PassManager &pm) {
          buildLoweringPipeline(Stage::Bufferized, pm);
        }))
      return err;
  }
  if (gpu && needs(Stage::GPU))
    if (llvm::Error err = runPipeline(Stage::GPU, [&](PassManager &pm) {
          buildLoweringPipeline(Stage::GPU, pm);
        }))
      return err;
  if (needs(Stage::LLVMDialect))
    if (llvm::Error err = runPipeline(Stage::LLVMDialect, [&](PassManager &pm) {
          buildLoweringPipeline(Stage::LLVMDialect, pm);
        }))
      return err;
  return llvm::Error::success();
}

void CompilerSession::buildLoweringPipeline(Stage lowering,
                                            OpPassManager &pm) const {
  switch (lowering) {
  case Stage::Linalg:
    buildKilnToLinalgPipeline(pm, options.codegen);
    return;
  case Stage::Bufferized:
    if (!options.gpu.isGPU())
      buildKilnCPUCodegenPipeline(pm, options.codegen);
    buildKilnBufferizePipeline(pm);
    return;
  case Stage::GPU:
    buildKilnGPUCodegenPipeline(pm, options.gpu);
    return;
  case Stage::LLVMDialect:
    if (options.gpu.isGPU())
      buildKilnGPUToLLVMPipeline(pm, options.codegen, options.gpu);
    else
      buildKilnToLLVMPipeline(pm, options.codegen);
    return;
  default:
    llvm_unreachable("not a lowering stage");
  }
}

JitOptions CompilerSession::getJitOptions() const {
  JitOptions jitOptions;
  jitOptions.optLevel = options.getLLVMOptLevel();
  jitOptions.target = target;
  jitOptions.numThreads = options.numThreads;
  jitOptions.gpuTarget = options.gpu.target;
  return jitOptions;
}

llvm::Error CompilerSession::emit(Stage emitStage, llvm::raw_pwrite_stream &os,
                                  llvm::raw_ostream *weights) {
  bool externalWeights = options.weights == WeightsMode::External &&
                         emitStage >= Stage::LLVMIR && emitStage <= Stage::Obj;
  if (externalWeights && !weights)
    return makeError("external weights need a weights file to write");
  if (llvm::Error err = runTo(emitStage))
    return err;
  if (emitStage == Stage::SPIRV || emitStage == Stage::PTX)
    return emitDeviceCode(os);
  if (emitStage <= Stage::LLVMDialect) {
    if (*stage != emitStage)
      return makeError("the module is already past the " +
                       getStageName(emitStage) + " stage");
    module->print(os);
    return llvm::Error::success();
  }

  auto tm = createTargetMachine(target, options.getLLVMOptLevel());
  if (!tm)
    return tm.takeError();
  std::optional<TimingScope> scope;
  if (timing)
    scope.emplace(timing->nest("llvm"));
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateToLLVMIR(*module, llvmContext, **tm);
  if (!llvmModule)
    return makeError("translation to LLVM IR failed");
  // Only the prefixed C interfaces stay external, so that several models
  // link into one program.
  if (llvm::Error err = prefixAndInternalizeSymbols(*llvmModule, entries,
                                                    options.symbolPrefix))
    return err;
  if (externalWeights) {
    llvm::Expected<WeightsFileInfo> info =
        externalizeWeights(*llvmModule, options.symbolPrefix, *weights);
    if (!info)
      return info.takeError();
  }
  optimizeLLVMModule(*llvmModule, **tm, options.getLLVMOptLevel());
  if (emitStage == Stage::LLVMIR) {
    llvmModule->print(os, nullptr);
    return llvm::Error::success();
  }
  std::string error;
  if (failed(emitCode(*llvmModule, **tm,
                      emitStage == Stage::Obj ? CodeKind::Object
                                              : CodeKind::Assembly,
                      os, error)))
    return makeError(error);
  return llvm::Error::success();
}

llvm::Error CompilerSession::emitDeviceCode(llvm::raw_ostream &os) {
  auto binaries = llvm::to_vector(module->getOps<gpu::BinaryOp>());
  if (binaries.empty())
    return makeError("the model has no kernels (the host does all its "
                     "work: reshapes, copies, constants)");
  // kiln-gpu-merge-kernel-modules leaves one module of kernels.
  assert(binaries.size() == 1 && "expected one gpu.binary");
  auto object = cast<gpu::ObjectAttr>(binaries.front().getObjects()[0]);
  os << object.getObject().getValue();
  return llvm::Error::success();
}

llvm::Error CompilerSession::setSymbolPrefix(StringRef prefix) {
  if (llvm::Error err = validateSymbolPrefix(prefix))
    return err;
  options.symbolPrefix = prefix.str();
  return llvm::Error::success();
}

llvm::Error CompilerSession::emitHeader(llvm::raw_ostream &os) {
  if (llvm::Error err = runTo(Stage::Kiln))
    return err;
  emitCHeader(entries, options.symbolPrefix, os, options.weights);
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<JitModule>>
CompilerSession::jit(bool keepObject) {
  llvm::Triple triple(target.triple);
  llvm::Triple host(llvm::sys::getDefaultTargetTriple());
  if (triple.getArch() != host.getArch() || triple.getOS() != host.getOS())
    return makeError("the module is compiled for '" + target.triple +
                     "' and cannot run in this process (a '" + host.str() +
                     "'); write an object file instead");
  if (llvm::Error err = runTo(Stage::LLVMDialect))
    return std::move(err);
  std::optional<TimingScope> scope;
  if (timing)
    scope.emplace(timing->nest("jit"));
  JitOptions jitOptions = getJitOptions();
  jitOptions.keepObject = keepObject;
  return JitModule::create(*module, entries, jitOptions);
}

llvm::Error CompilerSession::saveJitObject(const JitModule &jit,
                                          llvm::raw_ostream &os) {
  if (options.weights != WeightsMode::Embedded)
    return makeError("a JIT's object has its weights embedded");
  llvm::Expected<std::string> object = jit.getObject();
  if (!object)
    return object.takeError();
  llvm::Expected<std::string> prefixed = prefixAndLocalizeObjectSymbols(
      *object, entries, options.symbolPrefix);
  if (!prefixed)
    return prefixed.takeError();
  os << *prefixed;
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<CompilerSession>>
mlir::kiln::compile(MLIRContext &context, StringRef path,
                    CompilerOptions options, Stage stopAfter) {
  auto session = CompilerSession::create(context, std::move(options));
  if (!session)
    return session.takeError();
  if (llvm::Error err = (*session)->loadFile(path))
    return std::move(err);
  if (llvm::Error err = (*session)->runTo(stopAfter))
    return std::move(err);
  return session;
}
