//===- Pipelines.h - Kiln pass pipelines ------------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Every Kiln pipeline is built by exactly one function here, shared by
// kiln-opt (as a registered pipeline), kiln-compile and the Python API.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PIPELINES_PIPELINES_H
#define KILN_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class DialectRegistry;
class OpPassManager;
namespace kiln {

/// Options of the graph-level pipeline (`kiln-graph-pipeline`).
struct GraphPipelineOptions : public PassPipelineOptions<GraphPipelineOptions> {
  Option<bool> inferShapes{*this, "infer-shapes",
                           llvm::cl::desc("Refine dynamic dims (kiln-infer-shapes)"),
                           llvm::cl::init(true)};
  Option<bool> recompose{
      *this, "recompose",
      llvm::cl::desc("Recompose LayerNorm, GELU and attention (kiln-recompose)"),
      llvm::cl::init(true)};
  Option<bool> foldBatchNorm{
      *this, "fold-batchnorm",
      llvm::cl::desc("Fold batch norms into convolutions (kiln-fold-batchnorm)"),
      llvm::cl::init(true)};
};

/// Graph optimizations on the kiln dialect: canonicalization (which folds
/// small constants and algebraic identities), shape refinement,
/// recomposition of fused ops, batch-norm folding and CSE. Runs on each function of a module.
void buildKilnGraphPipeline(OpPassManager &pm,
                            const GraphPipelineOptions &options);

/// Options of the CPU code generation pipelines.
struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  Option<bool> approximateMath{
      *this, "approximate-math",
      llvm::cl::desc("Polynomial approximations for exp/tanh/erf/... (no libm "
                     "calls in inner loops)"),
      llvm::cl::init(true)};
};

/// kiln -> linalg on tensors: convert-kiln-to-linalg, elementwise fusion,
/// math approximations, canonicalization and CSE.
void buildKilnToLinalgPipeline(OpPassManager &pm,
                               const CPUPipelineOptions &options);

/// linalg on tensors -> memrefs: empty-tensor elimination, one-shot
/// bufferization across function boundaries (identity layouts) and
/// ownership-based deallocation.
void buildKilnBufferizePipeline(OpPassManager &pm,
                                const CPUPipelineOptions &options);

/// memrefs -> LLVM dialect: loops, control flow, C-interface wrappers for
/// every public function, and the LLVM conversions.
void buildKilnToLLVMPipeline(OpPassManager &pm,
                             const CPUPipelineOptions &options);

/// The three lowering stages after the graph pipeline: linalg, bufferize,
/// LLVM. Entry points are collected between the graph stage and this one.
void buildKilnLoweringPipeline(OpPassManager &pm,
                               const CPUPipelineOptions &options);

/// The whole default CPU pipeline: graph, linalg, bufferize, LLVM.
void buildKilnCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// Registers the Kiln dialect and the upstream dialects its pipelines create.
void registerKilnDialects(DialectRegistry &registry);

/// Registers every Kiln pass and named pipeline with the global registry, for
/// kiln-opt's command line and `parsePassPipeline`.
void registerKilnPassesAndPipelines();

} // namespace kiln
} // namespace mlir

#endif // KILN_PIPELINES_PIPELINES_H
