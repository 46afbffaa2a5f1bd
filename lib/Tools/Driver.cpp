//===- Driver.cpp - Shared command line of the Kiln tools -----------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Tools/Driver.h"

#include "kiln/Runtime/Npy.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/ManagedStatic.h"
#include "llvm/Support/raw_ostream.h"
#include <deque>

using namespace mlir;
using namespace mlir::kiln;
namespace cl = llvm::cl;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

cl::OptionCategory &mlir::kiln::getKilnOptionCategory() {
  static cl::OptionCategory category("Kiln options");
  return category;
}

namespace {
/// The compiler options of kiln-compile and kiln-run, constructed only by
/// tools that register them (as MLIR does with its own CL options).
struct CompilerCLOptions {
  cl::OptionCategory &cat = getKilnOptionCategory();
  cl::opt<unsigned> optLevel{
      "O",
      cl::desc("Optimization level: 0 no graph optimization or fusion, 1 "
               "graph optimization, 2 (default) also fusion, 3 also LLVM -O3"),
      cl::Prefix, cl::init(2), cl::cat(cat)};
  cl::opt<unsigned> llvmOptLevel{
      "llvm-opt-level",
      cl::desc("LLVM's optimization level (0-3; default: -O's)"),
      cl::cat(cat)};
  cl::opt<std::string> triple{
      "target-triple", cl::desc("Target triple (default: the host)"),
      cl::value_desc("triple"), cl::cat(cat)};
  cl::opt<std::string> cpu{"cpu", cl::desc("Target CPU (default: the host's)"),
                           cl::value_desc("name"), cl::cat(cat)};
  cl::opt<std::string> features{
      "features",
      cl::desc("Target features beyond the CPU's, e.g. +avx2,-avx512f"),
      cl::value_desc("list"), cl::cat(cat)};
  cl::opt<std::string> gpuTarget{
      "target",
      cl::desc("Where the kernels run: cpu (default), vulkan (SPIR-V) or "
               "cuda (PTX)"),
      cl::value_desc("cpu|vulkan|cuda"), cl::init("cpu"), cl::cat(cat)};
  cl::opt<std::string> gpuChip{
      "gpu-chip", cl::desc("--target=cuda: the GPU (default sm_80)"),
      cl::value_desc("sm_NN"), cl::init("sm_80"), cl::cat(cat)};
  /// One flag per pass toggle; only those given override -O's choice.
  std::deque<std::string> toggleHelp;
  std::vector<std::unique_ptr<cl::opt<bool>>> toggles = [&] {
    std::vector<std::unique_ptr<cl::opt<bool>>> flags;
    for (const PassToggle &toggle : getPassToggles()) {
      toggleHelp.push_back((toggle.description + " (default: on from -O" +
                            llvm::Twine(toggle.level) + ")")
                               .str());
      flags.push_back(std::make_unique<cl::opt<bool>>(
          toggle.name, cl::desc(toggleHelp.back()), cl::cat(cat)));
    }
    return flags;
  }();
  cl::opt<std::string> layout{
      "layout",
      cl::desc("Layout of convolutions and pooling: nhwc, nchw, auto (a "
               "cost model of the target; default from -O1) or keep"),
      cl::value_desc("nhwc|nchw|auto|keep"), cl::cat(cat)};
  cl::opt<bool> imageInterface{
      "image-interface",
      cl::desc("Take and return images in --layout's layout (nhwc or nchw): "
               "no transposes at the boundary; the signature changes"),
      cl::cat(cat)};
  cl::opt<std::string> quantize{
      "quantize",
      cl::desc("int8 quantization of layers with frozen weights: int8 "
               "(calibrated; needs --calibration), int8-dynamic, "
               "int8-weights or none"),
      cl::value_desc("int8|int8-dynamic|int8-weights|none"), cl::init("none"),
      cl::cat(cat)};
  cl::opt<std::string> calibration{
      "calibration",
      cl::desc("Directory of calibration batches for --quantize=int8: one "
               ".npy per batch, or one subdirectory of .npy inputs per batch"),
      cl::value_desc("dir"), cl::cat(cat)};
  cl::opt<std::string> calibrationMethod{
      "calibration-method", cl::desc("Activation ranges: minmax (default), "
                                     "percentile or mse"),
      cl::init("minmax"), cl::cat(cat)};
  cl::opt<double> quantErrorBudget{
      "quant-error-budget",
      cl::desc("Keep in float the layers whose SQNR falls below this (dB)"),
      cl::init(0), cl::cat(cat)};
  cl::opt<bool> approximateMath{
      "approximate-math",
      cl::desc("Polynomial exp/tanh/erf/log instead of libm (default true)"),
      cl::init(true), cl::cat(cat)};
  cl::opt<int64_t> attentionKeyBlock{
      "attention-key-block",
      cl::desc("Keys per block of flash-style attention, which keeps memory "
               "linear in the sequence (0: materialize the scores; default "
               "128 from -O2, else 0)"),
      cl::init(128), cl::cat(cat)};
  cl::opt<std::string> parallel{
      "parallel",
      cl::desc("Threads on LLVM's OpenMP runtime (openmp, default) or none: "
               "sequential code that needs no libomp"),
      cl::value_desc("openmp|none"), cl::init("openmp"), cl::cat(cat)};
  cl::opt<std::string> schedule{
      "kiln-schedule",
      cl::desc("Apply this transform-dialect schedule (a __transform_main "
               "sequence) instead of the built-in strategy to the ops it "
               "matches"),
      cl::value_desc("file.mlir"), cl::cat(cat)};
  cl::opt<std::string> entry{
      "entry",
      cl::desc("ONNX input: name of the entry point (default: forward); "
               "kiln-run: the function to run"),
      cl::value_desc("name"), cl::cat(cat)};
  cl::opt<bool> noCheck{"no-onnx-check",
                        cl::desc("Skip onnx's model checker on ONNX input"),
                        cl::cat(cat)};
  cl::list<std::string> freeze{
      "freeze",
      cl::desc("Freeze an ONNX graph input to the contents of a .npy file"),
      cl::value_desc("NAME=FILE.npy"), cl::cat(cat)};
};
llvm::ManagedStatic<CompilerCLOptions> clOptions;
} // namespace

void mlir::kiln::registerCompilerCLOptions() {
  *clOptions;
  // --mlir-print-ir-after=<pass> and friends look passes up by argument.
  registerAllPasses();
  registerKilnPassesAndPipelines();
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
}

/// The onnx TensorProto::DataType of a Kiln element type name, or 0.
/// The entries of `directory`, sorted by name.
static llvm::Expected<std::vector<std::string>>
listDirectory(StringRef directory) {
  std::error_code ec;
  std::vector<std::string> entries;
  for (llvm::sys::fs::directory_iterator it(directory, ec), end;
       it != end && !ec; it.increment(ec))
    entries.push_back(it->path());
  if (ec)
    return makeError("cannot read calibration directory '" + directory +
                     "': " + ec.message());
  llvm::sort(entries);
  return entries;
}

llvm::Expected<std::vector<std::vector<HostArray>>>
mlir::kiln::readCalibrationDirectory(StringRef directory) {
  if (!llvm::sys::fs::is_directory(directory))
    return makeError("calibration directory '" + directory +
                     "' does not exist or is not a directory");
  auto entries = listDirectory(directory);
  if (!entries)
    return entries.takeError();
  auto readArray = [](StringRef path) -> llvm::Expected<HostArray> {
    if (!path.ends_with(".npy"))
      return makeError("calibration entry '" + path +
                       "' is neither a .npy file nor a directory of them");
    return readNpy(path);
  };
  std::vector<std::vector<HostArray>> batches;
  for (const std::string &entry : *entries) {
    std::vector<HostArray> batch;
    if (llvm::sys::fs::is_directory(entry)) {
      auto inputs = listDirectory(entry);
      if (!inputs)
        return inputs.takeError();
      for (const std::string &input : *inputs) {
        auto array = readArray(input);
        if (!array)
          return array.takeError();
        batch.push_back(std::move(*array));
      }
      if (batch.empty())
        return makeError("calibration batch '" + entry + "' has no .npy files");
    } else {
      auto array = readArray(entry);
      if (!array)
        return array.takeError();
      batch.push_back(std::move(*array));
    }
    batches.push_back(std::move(batch));
  }
  if (batches.empty())
    return makeError("calibration directory '" + directory +
                     "' has no batches (.npy files or directories of them)");
  return batches;
}

static int onnxElementType(StringRef elementType) {
  return llvm::StringSwitch<int>(elementType)
      .Case("f32", 1)
      .Case("i8", 3)
      .Case("i16", 5)
      .Case("i32", 6)
      .Case("i64", 7)
      .Case("i1", 9)
      .Case("f16", 10)
      .Case("f64", 11)
      .Default(0);
}

llvm::Expected<std::pair<std::string, FrozenTensor>>
mlir::kiln::parseFreezeArgument(StringRef argument) {
  auto [name, path] = argument.split('=');
  if (name.empty() || path.empty())
    return makeError("--freeze expects NAME=FILE.npy, got '" + argument + "'");
  llvm::Expected<HostArray> array = readNpy(path);
  if (!array)
    return makeError("--freeze " + name + ": " +
                     llvm::toString(array.takeError()));
  FrozenTensor tensor;
  tensor.onnxElementType = onnxElementType(array->elementType);
  if (!tensor.onnxElementType)
    return makeError("--freeze " + name + ": unsupported element type " +
                     array->elementType + " in '" + path + "'");
  tensor.shape = array->shape;
  tensor.bytes.assign(array->data.begin(), array->data.end());
  return std::make_pair(name.str(), std::move(tensor));
}

llvm::Expected<CompilerOptions> mlir::kiln::getCompilerOptionsFromCL() {
  CompilerOptions options;
  setOptimizationLevel(options, clOptions->optLevel);
  if (clOptions->llvmOptLevel.getNumOccurrences())
    options.llvmOptLevel = clOptions->llvmOptLevel;
  options.target = TargetOptions{clOptions->triple, clOptions->cpu,
                                 clOptions->features};
  if (clOptions->gpuTarget != "cpu")
    options.gpu.target = clOptions->gpuTarget.getValue();
  options.gpu.chip = clOptions->gpuChip;
  for (const auto &flag : clOptions->toggles)
    if (flag->getNumOccurrences())
      cantFail(setPassToggle(options, flag->ArgStr, *flag));
  if (clOptions->layout.getNumOccurrences())
    options.graph.layout = clOptions->layout;
  options.graph.imageInterface = clOptions->imageInterface;
  options.graph.quantize = clOptions->quantize;
  options.quantization.method = clOptions->calibrationMethod;
  options.quantization.errorBudgetDb = clOptions->quantErrorBudget;
  if (!clOptions->calibration.empty()) {
    auto batches = readCalibrationDirectory(clOptions->calibration);
    if (!batches)
      return batches.takeError();
    options.quantization.calibration = std::move(*batches);
  }
  options.codegen.approximateMath = clOptions->approximateMath;
  options.codegen.schedule = clOptions->schedule;
  if (clOptions->attentionKeyBlock.getNumOccurrences())
    options.codegen.attentionKeyBlock = clOptions->attentionKeyBlock;
  if (clOptions->parallel != "openmp" && clOptions->parallel != "none")
    return makeError("--parallel takes openmp or none, not '" +
                     clOptions->parallel + "'");
  options.codegen.parallel = clOptions->parallel == "openmp";
  options.entryName = clOptions->entry;
  options.checkOnnx = !clOptions->noCheck;
  for (const std::string &argument : clOptions->freeze) {
    auto frozen = parseFreezeArgument(argument);
    if (!frozen)
      return frozen.takeError();
    std::string name = frozen->first;
    if (!options.frozenInputs.emplace(std::move(*frozen)).second)
      return makeError("--freeze names input '" + name + "' twice");
  }
  return options;
}

void mlir::kiln::parseToolCommandLine(int argc, char **argv,
                                      StringRef overview) {
  cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "Kiln " << getKilnVersion() << " (LLVM/MLIR " LLVM_VERSION_STRING
       << ")\n";
  });
  // The MLIR options a user of a Kiln tool needs; every other LLVM and MLIR
  // option stays available but is listed only by --help-hidden.
  static cl::OptionCategory mlirCategory("MLIR options");
  static const char *const shown[] = {
      "mlir-timing",
      "mlir-print-ir-after-all",
      "mlir-print-ir-after",
      "mlir-print-ir-before",
      "mlir-elide-elementsattrs-if-larger",
      "mlir-disable-threading",
      "mlir-pass-pipeline-crash-reproducer",
  };
  auto &options = cl::getRegisteredOptions();
  for (const char *name : shown)
    if (auto it = options.find(name); it != options.end())
      it->second->addCategory(mlirCategory);
  // cl::HideUnrelatedOptions would make them "really hidden", gone from
  // --help-hidden too.
  for (auto &entry : options) {
    cl::Option *option = entry.second;
    bool shown = llvm::any_of(option->Categories, [&](cl::OptionCategory *c) {
      return c == &getKilnOptionCategory() || c == &mlirCategory ||
             c->getName() == "Generic Options"; // --help, --version
    });
    if (!shown && option->getOptionHiddenFlag() == cl::NotHidden)
      option->setHiddenFlag(cl::Hidden);
  }
  cl::ParseCommandLineOptions(argc, argv, overview);
}

static DialectRegistry compilerRegistry() {
  DialectRegistry registry;
  registerCompilerDialects(registry);
  return registry;
}

ToolSession::ToolSession() : context(compilerRegistry()) {}

llvm::Expected<std::unique_ptr<ToolSession>>
ToolSession::create(CompilerOptions options, StringRef inputFilename) {
  std::unique_ptr<ToolSession> tool(new ToolSession());
  auto session = CompilerSession::create(tool->context, std::move(options));
  if (!session)
    return session.takeError();
  tool->session = std::move(*session);
  tool->diagnostics = std::make_unique<SourceMgrDiagnosticHandler>(
      tool->session->getSourceMgr(), &tool->context);
  applyDefaultTimingManagerCLOptions(tool->timingManager);
  tool->timing.emplace(tool->timingManager.getRootScope());
  tool->session->setPassManagerHook(
      [](PassManager &pm) { return applyPassManagerCLOptions(pm); });
  tool->session->enableTiming(*tool->timing);
  if (llvm::Error err = tool->session->loadFile(inputFilename))
    return std::move(err);
  return tool;
}
