//===- Registration.cpp - Register Kiln dialects, passes, pipelines -------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The textual options of each registered pipeline are exactly the fields of
// the option structs its builder takes, so `kiln-opt --help` advertises
// nothing that the pipeline ignores.
//
//===----------------------------------------------------------------------===//

#include "kiln/Pipelines/Pipelines.h"

#include "Kiln/IR/KilnOps.h"
#include "Kiln/Transforms/Passes.h"
#include "kiln/Codegen/CPU/Passes.h"
#include "kiln/Codegen/GPU/Passes.h"
#include "kiln/Codegen/Common/Passes.h"
#include "kiln/Conversion/Passes.h"
#include "kiln/Target/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {
template <typename T>
using PipelineOption = mlir::detail::PassOptions::Option<T>;

/// The graph options, on top of `Base` (a PassPipelineOptions).
template <typename Base>
struct WithGraphOptions : public Base {
  PipelineOption<bool> inferShapes{
      *this, "infer-shapes",
      llvm::cl::desc("Refine dynamic dims (kiln-infer-shapes)"),
      llvm::cl::init(true)};
  PipelineOption<bool> recompose{
      *this, "recompose",
      llvm::cl::desc("Recompose LayerNorm, GELU and attention "
                     "(kiln-recompose)"),
      llvm::cl::init(true)};
  PipelineOption<bool> foldBatchNorm{
      *this, "fold-batchnorm",
      llvm::cl::desc("Fold batch norms into convolutions "
                     "(kiln-fold-batchnorm)"),
      llvm::cl::init(true)};

  PipelineOption<bool> foldConstants{
      *this, "fold-constants",
      llvm::cl::desc("Evaluate data movement and casts on constants "
                     "(kiln-fold-constants)"),
      llvm::cl::init(true)};
  PipelineOption<bool> simplify{
      *this, "simplify",
      llvm::cl::desc("Algebraic simplification (kiln-simplify)"),
      llvm::cl::init(true)};
  PipelineOption<bool> evaluateConstants{
      *this, "evaluate-constants",
      llvm::cl::desc("Compute any other op on constants by running it "
                     "(kiln-evaluate-constants)"),
      llvm::cl::init(true)};
  PipelineOption<std::string> layout{
      *this, "layout",
      llvm::cl::desc("Layout of convolutions and pooling: nhwc, nchw, auto "
                     "or keep (kiln-convert-layout)"),
      llvm::cl::init("auto")};
  PipelineOption<bool> imageInterface{
      *this, "image-interface",
      llvm::cl::desc("Take and return images in the layout chosen (nhwc or "
                     "nchw): no transposes at the boundary"),
      llvm::cl::init(false)};
  PipelineOption<bool> foldQDQ{
      *this, "fold-qdq",
      llvm::cl::desc("Run quantize/dequantize-wrapped layers as int8 kernels "
                     "(kiln-fold-qdq)"),
      llvm::cl::init(true)};
  PipelineOption<std::string> quantize{
      *this, "quantize",
      llvm::cl::desc("int8 quantization of layers with frozen weights: none, "
                     "int8 (calibrated ranges), int8-dynamic or int8-weights "
                     "(kiln-quantize)"),
      llvm::cl::init("none")};
  PipelineOption<bool> canonicalize{
      *this, "canonicalize",
      llvm::cl::desc("Canonicalize and CSE the graph"), llvm::cl::init(true)};

  GraphOptions graph() const {
    GraphOptions options;
    options.inferShapes = inferShapes;
    options.recompose = recompose;
    options.foldBatchNorm = foldBatchNorm;
    options.simplify = simplify;
    options.foldConstants = foldConstants;
    options.canonicalize = canonicalize;
    options.evaluateConstants = evaluateConstants;
    options.layout = layout;
    options.imageInterface = imageInterface;
    options.quantize = quantize;
    options.foldQDQ = foldQDQ;
    return options;
  }
};

/// The codegen and target options, on top of `Base`.
template <typename Base>
struct WithCodegenOptions : public Base {
  PipelineOption<bool> approximateMath{
      *this, "approximate-math",
      llvm::cl::desc("Polynomial approximations for exp/tanh/erf/log (no "
                     "libm calls in inner loops)"),
      llvm::cl::init(true)};
  PipelineOption<std::string> triple{
      *this, "target-triple",
      llvm::cl::desc("Target triple (default: the module's kiln.target, "
                     "else the host)")};
  PipelineOption<std::string> cpu{
      *this, "cpu", llvm::cl::desc("Target CPU (default: the host's)")};
  PipelineOption<std::string> features{
      *this, "features", llvm::cl::desc("Target features, e.g. +avx2,+fma")};

  PipelineOption<std::string> schedule{
      *this, "schedule",
      llvm::cl::desc("A transform-dialect schedule file applied before the "
                     "built-in CPU strategy")};

  PipelineOption<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("Run the threads' loops on OpenMP (off: sequential "
                     "loops, no libomp needed)"),
      llvm::cl::init(true)};

  PipelineOption<bool> fuseElementwise{
      *this, "fuse-elementwise",
      llvm::cl::desc("Fuse elementwise ops into their consumers "
                     "(kiln-fuse-elementwise)"),
      llvm::cl::init(true)};

  PipelineOption<bool> fuseEpilogues{
      *this, "fuse-epilogues",
      llvm::cl::desc("Compute each contraction inside its epilogue's task "
                     "loop (kiln-cpu-tile-and-vectorize)"),
      llvm::cl::init(true)};

  PipelineOption<int64_t> attentionKeyBlock{
      *this, "attention-key-block",
      llvm::cl::desc("Keys per block of flash-style attention (0: "
                     "materialize the scores)"),
      llvm::cl::init(128)};

  CodegenOptions codegen() const {
    CodegenOptions options;
    options.approximateMath = approximateMath;
    options.schedule = schedule;
    options.parallel = parallel;
    options.fuseElementwise = fuseElementwise;
    options.fuseEpilogues = fuseEpilogues;
    options.attentionKeyBlock = attentionKeyBlock;
    return options;
  }
  TargetOptions target() const { return TargetOptions{triple, cpu, features}; }
};

struct GraphPipelineOptions
    : WithGraphOptions<PassPipelineOptions<GraphPipelineOptions>> {};
struct ToLinalgPipelineOptions
    : WithCodegenOptions<PassPipelineOptions<ToLinalgPipelineOptions>> {};
struct CodegenPipelineOptions
    : WithCodegenOptions<PassPipelineOptions<CodegenPipelineOptions>> {};
struct ToLLVMPipelineOptions
    : public PassPipelineOptions<ToLLVMPipelineOptions> {
  PipelineOption<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("Run the threads' loops on OpenMP (off: sequential "
                     "loops, no libomp needed)"),
      llvm::cl::init(true)};
};
/// The GPU options.
template <typename Base> struct WithGPUOptions : public Base {
  PipelineOption<std::string> gpuTarget{
      *this, "target",
      llvm::cl::desc("The GPU: vulkan (SPIR-V) or cuda (NVVM/PTX)"),
      llvm::cl::init("vulkan")};
  PipelineOption<std::string> chip{
      *this, "chip", llvm::cl::desc("The CUDA chip (sm_80, sm_90, ...)"),
      llvm::cl::init("sm_80")};
  PipelineOption<int64_t> blockSize{
      *this, "block-size", llvm::cl::desc("Threads per block"),
      llvm::cl::init(128)};
  PipelineOption<std::string> cudaBinary{
      *this, "cuda-binary",
      llvm::cl::desc("What CUDA objects embed: fatbin (cubin + PTX), ptx, "
                     "or auto (fatbin where the CUDA toolkit is)"),
      llvm::cl::init("auto")};
  PipelineOption<int64_t> matmulTile{
      *this, "matmul-tile",
      llvm::cl::desc("Matmul result tile per block, through shared memory "
                     "(kiln-gpu-tile-matmuls; 0: off)"),
      llvm::cl::init(16)};

  GPUOptions gpu() const {
    GPUOptions options;
    options.target = gpuTarget;
    options.chip = chip;
    options.blockSize = blockSize;
    options.matmulTile = matmulTile;
    options.cudaBinary = cudaBinary;
    return options;
  }
};
struct GPUCodegenPipelineOptions
    : WithGPUOptions<PassPipelineOptions<GPUCodegenPipelineOptions>> {};
struct GPUToLLVMPipelineOptions
    : WithGPUOptions<PassPipelineOptions<GPUToLLVMPipelineOptions>> {
  PipelineOption<bool> approximateMath{
      *this, "approximate-math",
      llvm::cl::desc("Polynomial approximations for exp/tanh/erf/log in the "
                     "kernels"),
      llvm::cl::init(true)};
};
struct CPUPipelineOptions
    : WithCodegenOptions<
          WithGraphOptions<PassPipelineOptions<CPUPipelineOptions>>> {};
} // namespace

void mlir::kiln::printKilnPipelineReference() {
  llvm::raw_ostream &os = llvm::outs();
  os << "<!-- Generated by `kiln-opt --kiln-pipeline-reference`. Do not "
        "edit. -->\n\n"
        "# Kiln pass pipelines\n\n"
        "Each pipeline is built by one C++ function in "
        "`include/kiln/Pipelines/Pipelines.h`, shared by `kiln-opt` and the "
        "compiler session behind `kiln-compile`, `kiln-run` and Python; the "
        "session runs them in this order, one per `--emit` stage.\n";
  auto describe = [&](StringRef name, auto defaults) {
    const PassPipelineInfo *info = PassPipelineInfo::lookup(name);
    os << "\n## `" << name << "`\n\n" << info->getPassDescription()
       << ".\n\n";
    if (defaults) {
      os << "Defaults: `";
      defaults->print(os);
      os << "`\n\n";
    }
    os << "```text\n";
    os.flush();
    info->printHelpStr(/*indent=*/0, /*descIndent=*/34);
    os << "```\n";
  };
  describe("kiln-graph-pipeline", std::make_unique<GraphPipelineOptions>());
  describe("kiln-to-linalg-pipeline",
           std::make_unique<ToLinalgPipelineOptions>());
  describe("kiln-cpu-codegen-pipeline",
           std::unique_ptr<GraphPipelineOptions>());
  describe("kiln-bufferize-pipeline", std::unique_ptr<GraphPipelineOptions>());
  describe("kiln-to-llvm-pipeline", std::make_unique<ToLLVMPipelineOptions>());
  describe("kiln-gpu-codegen-pipeline",
           std::make_unique<GPUCodegenPipelineOptions>());
  describe("kiln-gpu-to-llvm-pipeline",
           std::make_unique<GPUToLLVMPipelineOptions>());
  describe("kiln-cpu-pipeline", std::make_unique<CPUPipelineOptions>());
}

void mlir::kiln::registerKilnDialects(DialectRegistry &registry) {
  registry.insert<KilnDialect, func::FuncDialect, quant::QuantDialect,
                  tensor::TensorDialect>();
}

void mlir::kiln::registerKilnPassesAndPipelines() {
  registerKilnTransformsPasses();
  registerKilnConversionPasses();
  registerKilnCodegenCommonPasses();
  registerKilnCodegenCPUPasses();
  registerKilnCodegenGPUPasses();
  registerKilnTargetPasses();
  PassPipelineRegistration<GraphPipelineOptions>(
      "kiln-graph-pipeline",
      "Kiln graph optimizations: canonicalize, infer shapes, recompose, fold "
      "batch norms, simplify, fold and evaluate constants, CSE",
      [](OpPassManager &pm, const GraphPipelineOptions &options) {
        buildKilnGraphPipeline(pm, options.graph());
      });
  PassPipelineRegistration<ToLinalgPipelineOptions>(
      "kiln-to-linalg-pipeline",
      "Describe the target, then lower kiln to fused linalg on tensors",
      [](OpPassManager &pm, const ToLinalgPipelineOptions &options) {
        buildKilnToLinalgPipeline(pm, options.codegen(), options.target());
      });
  PassPipelineRegistration<CodegenPipelineOptions>(
      "kiln-cpu-codegen-pipeline",
      "Pack contractions, tile them to register tiles and vectorize, on "
      "tensors",
      [](OpPassManager &pm, const CodegenPipelineOptions &options) {
        buildKilnCPUCodegenPipeline(pm, options.codegen());
      });
  PassPipelineRegistration<>(
      "kiln-bufferize-pipeline",
      "Bufferize linalg on tensors with deallocation",
      [](OpPassManager &pm) { buildKilnBufferizePipeline(pm); });
  PassPipelineRegistration<ToLLVMPipelineOptions>(
      "kiln-to-llvm-pipeline",
      "Lower bufferized IR to the LLVM dialect for the module's kiln.target",
      [](OpPassManager &pm, const ToLLVMPipelineOptions &options) {
        CodegenOptions codegen;
        codegen.parallel = options.parallel;
        buildKilnToLLVMPipeline(pm, codegen);
      });
  PassPipelineRegistration<GPUCodegenPipelineOptions>(
      "kiln-gpu-codegen-pipeline",
      "GPU targets, on bufferized IR: map linalg ops' parallel loops to "
      "grids of blocks and outline them into one gpu.module of kernels",
      [](OpPassManager &pm, const GPUCodegenPipelineOptions &options) {
        buildKilnGPUCodegenPipeline(pm, options.gpu());
      });
  PassPipelineRegistration<GPUToLLVMPipelineOptions>(
      "kiln-gpu-to-llvm-pipeline",
      "GPU targets: serialize the kernels (SPIR-V or PTX) and lower the host "
      "code to the LLVM dialect",
      [](OpPassManager &pm, const GPUToLLVMPipelineOptions &options) {
        CodegenOptions codegen;
        codegen.approximateMath = options.approximateMath;
        buildKilnGPUToLLVMPipeline(pm, codegen, options.gpu());
      });
  PassPipelineRegistration<CPUPipelineOptions>(
      "kiln-cpu-pipeline",
      "The default CPU pipeline: graph, linalg, bufferize, LLVM dialect",
      [](OpPassManager &pm, const CPUPipelineOptions &options) {
        buildKilnCPUPipeline(pm, options.graph(), options.codegen(),
                             options.target());
      });
}
