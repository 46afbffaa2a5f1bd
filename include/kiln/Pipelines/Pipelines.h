//===- Pipelines.h - Kiln pass pipelines ------------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Every Kiln pipeline is built by exactly one function here, shared by
// kiln-opt (as a registered pipeline) and the compiler session that
// kiln-compile, kiln-run and the Python API use. The builders take plain
// option structs; the registered pipelines parse the same options from
// their textual form (`--kiln-graph-pipeline="fold-batchnorm=false"`).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PIPELINES_PIPELINES_H
#define KILN_PIPELINES_PIPELINES_H

#include "kiln/Target/TargetDescription.h"

#include "mlir/IR/PatternMatch.h"

#include <string>

namespace mlir {
class DialectRegistry;
class OpPassManager;
namespace kiln {

/// Options of the graph-level pipeline on the kiln dialect.
struct GraphOptions {
  /// Refine dynamic dims (kiln-infer-shapes).
  bool inferShapes = true;
  /// Recompose LayerNorm, GELU and attention chains (kiln-recompose).
  bool recompose = true;
  /// Fold batch norms into convolutions (kiln-fold-batchnorm).
  bool foldBatchNorm = true;
  /// Algebraic simplification (kiln-simplify).
  bool simplify = true;
  /// Evaluate data movement and casts on constants, frozen weights
  /// included (kiln-fold-constants).
  bool foldConstants = true;
  /// Compute every other op on constants at compile time, by compiling and
  /// running it (kiln-evaluate-constants).
  bool evaluateConstants = true;
  /// The layout of convolutions and pooling (kiln-convert-layout): "nhwc",
  /// "nchw", "auto" (a cost model of the target) or "keep" (as loaded).
  std::string layout = "auto";
  /// Take and return images in that layout (nhwc or nchw only): no
  /// transposes at the functions' boundaries, whose signatures change.
  bool imageInterface = false;
  /// Run QDQ-wrapped layers (a model that arrives quantized) as int8
  /// kernels (kiln-fold-qdq). On from -O1.
  bool foldQDQ = true;
  /// int8 quantization of linear layers and matmuls with frozen weights
  /// (kiln-quantize): "none", "int8-dynamic" (activation scales computed
  /// at run time) or "int8" (scales from the ranges that calibration
  /// recorded on the ops).
  std::string quantize = "none";
  /// Canonicalize and CSE the graph (constant folding of small tensors,
  /// algebraic identities). Off only at -O0, which keeps the IR as loaded.
  bool canonicalize = true;
  /// Observes the pipeline's canonicalizations (not owned; may be called
  /// from several threads). The compile report counts folds through it.
  RewriterBase::Listener *canonicalizeListener = nullptr;
};

/// Options of CPU code generation.
struct CodegenOptions {
  /// Polynomial approximations of exp/tanh/erf/log (no libm calls in inner
  /// loops).
  bool approximateMath = true;
  /// A transform-dialect schedule (a file with a `__transform_main` named
  /// sequence) applied before the built-in strategy; ops it moves into
  /// loops keep what it made.
  std::string schedule;
  /// Run the threads' loops (scf.forall) on OpenMP. Without it they become
  /// sequential loops and the code needs no OpenMP runtime (libomp), as
  /// on a platform that has none.
  bool parallel = true;
  /// Fuse elementwise producers into their consumers, broadcasts and
  /// reshapes included (kiln-fuse-elementwise).
  bool fuseElementwise = true;
  /// Compute each packed contraction inside its epilogue's task loop
  /// (kiln-cpu-tile-and-vectorize's fuse-epilogues).
  bool fuseEpilogues = true;
  /// Keys per block of flash-style attention (convert-kiln-to-linalg's
  /// attention-key-block); 0 materializes the scores matrix.
  int64_t attentionKeyBlock = 128;
};

/// Options of GPU code generation (docs/codegen-gpu.md).
struct GPUOptions {
  /// The device: "" (none: the CPU pipeline), "vulkan" (SPIR-V) or "cuda"
  /// (NVVM/PTX).
  std::string target;
  /// The CUDA chip, "sm_<major><minor>" (sm_80, sm_90, ...).
  std::string chip = "sm_80";
  /// What a CUDA object embeds: "fatbin" (a cubin for `chip` plus the PTX,
  /// which the driver compiles for other GPUs; needs the CUDA toolkit's
  /// ptxas and fatbinary), "ptx" (PTX only), or "auto": fatbin where the
  /// toolkit is installed.
  std::string cudaBinary = "auto";
  /// Threads per block (workgroup) of each kernel.
  int64_t blockSize = 128;
  /// Rows and columns of a matmul's result per block, staged through
  /// shared memory (kiln-gpu-tile-matmuls); 0 leaves matmuls to the
  /// generic mapping.
  int64_t matmulTile = 16;

  bool isGPU() const { return !target.empty(); }
};

/// The PTX ISA version, "ptx<NN>", that `chip` ("sm_90") needs at least;
/// empty for an unknown chip.
std::string getPTXVersionFor(StringRef chip);

/// The CUDA toolkit directory that has bin/ptxas and bin/fatbinary
/// ($CUDA_HOME, else /usr/local/cuda), or "" where there is none.
std::string findCudaToolkit();

/// Graph optimizations on the kiln dialect: canonicalization (which folds
/// small constants and algebraic identities), shape refinement,
/// recomposition of fused ops, batch-norm folding, algebraic simplification
/// and CSE, on each function.
void buildKilnGraphPipeline(OpPassManager &pm, const GraphOptions &options);

/// kiln -> linalg on tensors: kiln-attach-target (keeps a module's existing
/// `kiln.target` unless `target` names one), convert-kiln-to-linalg,
/// elementwise fusion, math approximations, canonicalization and CSE.
void buildKilnToLinalgPipeline(OpPassManager &pm, const CodegenOptions &options,
                               const TargetOptions &target = {});

/// CPU code generation on tensors, for the strategies kiln-cpu-select-
/// strategy recorded: pack contractions into tiled layouts (constant
/// weights at compile time), tile them to register tiles and vectorize.
void buildKilnCPUCodegenPipeline(OpPassManager &pm,
                                 const CodegenOptions &options = {});

/// linalg on tensors -> memrefs: empty-tensor elimination, one-shot
/// bufferization across function boundaries (identity layouts) and
/// ownership-based deallocation.
void buildKilnBufferizePipeline(OpPassManager &pm);

/// memrefs -> LLVM dialect: threads (OpenMP, unless `options.parallel` is
/// off), loops, control flow, float conversions the target lacks,
/// C-interface wrappers for every public function, and the LLVM
/// conversions. Reads the module's `kiln.target`.
/// With `gpuHost`, the module's kernels are already binaries
/// (gpu-module-to-binary) and its launches become calls of Kiln's GPU
/// runtime (gpu-to-llvm, bare pointers with interspersed sizes).
void buildKilnToLLVMPipeline(OpPassManager &pm,
                             const CodegenOptions &options = {},
                             bool gpuHost = false);

/// memrefs -> kernels: every linalg op becomes parallel loops over its
/// parallel dims, which map to a grid of blocks (kiln-gpu-map-parallel-
/// loops) and are outlined into one gpu.module (kiln-gpu-merge-kernel-
/// modules). The host code keeps the rest.
void buildKilnGPUCodegenPipeline(OpPassManager &pm, const GPUOptions &gpu);

/// kernels -> device binary, host -> LLVM dialect: attaches the target
/// (#spirv.target_env for Vulkan, #nvvm.target for CUDA), converts the
/// kernels to SPIR-V or NVVM, serializes them (SPIR-V binary, PTX) into a
/// gpu.binary, checks every launch, and lowers the host code as
/// buildKilnToLLVMPipeline does.
void buildKilnGPUToLLVMPipeline(OpPassManager &pm,
                                const CodegenOptions &codegen,
                                const GPUOptions &gpu);

/// The whole default CPU pipeline: graph, linalg, bufferize, LLVM.
void buildKilnCPUPipeline(OpPassManager &pm, const GraphOptions &graph,
                          const CodegenOptions &codegen,
                          const TargetOptions &target = {});

/// Registers the Kiln dialect and the upstream dialects its pipelines create.
void registerKilnDialects(DialectRegistry &registry);

/// Registers every Kiln pass and named pipeline with the global registry, for
/// kiln-opt's command line and `parsePassPipeline`.
void registerKilnPassesAndPipelines();

/// Prints the Markdown reference of the registered Kiln pipelines (their
/// descriptions, options and defaults) to stdout: docs/reference/
/// KilnPipelines.md.
void printKilnPipelineReference();

} // namespace kiln
} // namespace mlir

#endif // KILN_PIPELINES_PIPELINES_H
