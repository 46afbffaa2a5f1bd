//===- CPUPipeline.cpp - Kiln CPU code generation pipelines ---------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Pipelines/Pipelines.h"

#include "kiln/Codegen/CPU/Passes.h"
#include "kiln/Codegen/Common/Passes.h"
#include "kiln/Conversion/Passes.h"
#include "kiln/Target/Passes.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/Transforms/RequestCWrappers.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Transform/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::kiln::buildKilnToLinalgPipeline(OpPassManager &pm,
                                           const CodegenOptions &options,
                                           const TargetOptions &target) {
  pm.addPass(createKilnAttachTargetPass(
      KilnAttachTargetPassOptions{target.triple, target.cpu, target.features}));
  ConvertKilnToLinalgPassOptions toLinalg;
  toLinalg.attentionKeyBlock = options.attentionKeyBlock;
  pm.addPass(createConvertKilnToLinalgPass(toLinalg));
  // TOSA ops that convert-tosa-to-kiln left (quantized ones, control flow,
  // the rest of the spec) take upstream's path to linalg.
  tosa::addTosaToLinalgPasses(pm, TosaToLinalgOptions(),
                              TosaToLinalgNamedOptions());
  pm.nest<func::FuncOp>().addPass(createTosaToSCFPass());
  pm.nest<func::FuncOp>().addPass(createTosaToTensorPass());
  TosaToArithPassOptions tosaToArith;
  tosaToArith.includeApplyRescale = true;
  pm.nest<func::FuncOp>().addPass(createTosaToArithPass(tosaToArith));
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  // The dims that kiln-to-linalg's run-time checks compare resolve to the
  // values they were computed from (reshapes' output shapes, say); CSE then
  // makes equal dims one value, and the second canonicalization folds the
  // checks they prove and the broadcasts' pass-through branches, before
  // fusion.
  funcPm.addPass(createCanonicalizerPass());
  funcPm.addPass(memref::createResolveRankedShapeTypeResultDimsPass());
  funcPm.addPass(createCSEPass());
  funcPm.addPass(createCanonicalizerPass());
  if (options.fuseElementwise)
    funcPm.addPass(createKilnFuseElementwisePass());
  if (options.approximateMath)
    funcPm.addPass(createKilnApproximateMathPass());
  funcPm.addPass(createCanonicalizerPass());
  funcPm.addPass(createCSEPass());
  // A user schedule runs first and replaces the built-in strategy for the
  // ops it transforms.
  if (!options.schedule.empty()) {
    transform::PreloadLibraryPassOptions library;
    library.transformLibraryPaths = {options.schedule};
    pm.addPass(transform::createPreloadLibraryPass(library));
    pm.addPass(transform::createInterpreterPass());
  }
  pm.nest<func::FuncOp>().addPass(createKilnCPUIm2ColPass());
  pm.nest<func::FuncOp>().addPass(createKilnCPUDecomposeWindowsPass());
  // Unit dims (a batch of 1, ONNX's [seq, 1, hidden]) would hide that a
  // contraction is a plain matmul.
  pm.nest<func::FuncOp>().addPass(createLinalgFoldUnitExtentDimsPass());
  pm.nest<func::FuncOp>().addPass(createKilnCPUCollapseContractionDimsPass());
  // The choice is recorded on each op, visible in --emit=linalg.
  pm.nest<func::FuncOp>().addPass(createKilnCPUSelectStrategyPass());
}

void mlir::kiln::buildKilnCPUCodegenPipeline(OpPassManager &pm,
                                              const CodegenOptions &options) {
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  funcPm.addPass(createKilnCPUPackContractionsPass());
  funcPm.addPass(createKilnCPUTileAndVectorizePass(
      KilnCPUTileAndVectorizePassOptions{options.fuseEpilogues}));
  funcPm.addPass(createKilnCPUVectorizeElementwisePass());
  funcPm.addPass(createCanonicalizerPass());
  funcPm.addPass(createCSEPass());
}

void mlir::kiln::buildKilnBufferizePipeline(OpPassManager &pm) {
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  // Recurrent layers carry their state through scf.for; a step writes its
  // new state into a fresh buffer, which the deallocation pipeline frees.
  bufferize.allowReturnAllocsFromLoops = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addPass(createCanonicalizerPass());
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  pm.addPass(createCanonicalizerPass());
}

/// Keeps f16/bf16 code free of compiler-rt builtins (`__truncdfhf2`, ...),
/// which neither the JIT nor a plain `cc main.c model.o -lm` resolves: math
/// and arith ops on f16/bf16 move to f32 (which LLVM would do anyway without
/// AVX512-FP16), and the conversions the target has no instructions for are
/// expanded into integer ops.
static void addFloatConversionPasses(OpPassManager &funcPm) {
  math::MathExtendToSupportedTypesOptions mathOptions;
  arith::ArithEmulateUnsupportedFloatsOptions arithOptions;
  arithOptions.sourceTypeStrs = {"bf16", "f16"};
  funcPm.addPass(math::createMathExtendToSupportedTypes(mathOptions));
  // The inverse hyperbolic functions have no LLVM intrinsic: log/sqrt
  // formulas instead (the others become intrinsics or libm calls).
  math::MathExpandOpsPassOptions expandOptions;
  expandOptions.opMnemonics = {"asinh", "acosh", "atanh"};
  funcPm.addPass(math::createMathExpandOpsPass(expandOptions));
  funcPm.addPass(arith::createArithEmulateUnsupportedFloats(arithOptions));
  funcPm.addPass(kiln::createKilnExpandFloatConversionsPass());
}

void mlir::kiln::buildKilnToLLVMPipeline(OpPassManager &pm,
                                         const CodegenOptions &options,
                                         bool gpuHost) {
  // Deallocation clones results that callers must own; clones become
  // alloc + copy.
  pm.addPass(createConvertBufferizationToMemRefPass());
  // Callers free every result: no two may share an allocation.
  pm.nest<func::FuncOp>().addPass(kiln::createKilnDistinctResultsPass());
  // Threads: the tile loops marked parallel (scf.forall) become OpenMP
  // worksharing loops first, so that canonicalization can inline the
  // alloca scopes that leaves before the register tiles are lowered (after
  // that, it would fold their insert chains into n-D vector.from_elements,
  // which the LLVM conversion does not take).
  if (options.parallel) {
    pm.nest<func::FuncOp>().addPass(createForallToParallelLoopPass());
    pm.addPass(createConvertSCFToOpenMPPass());
    pm.nest<func::FuncOp>().addPass(createKilnCPUScheduleThreadsPass());
  } else {
    pm.nest<func::FuncOp>().addPass(createForallToForLoopPass());
  }
  pm.addPass(createCanonicalizerPass());
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  funcPm.addPass(createKilnCPULowerVectorsPass());
  // Temporaries share one workspace, planned at compile time. Views of one
  // workspace may alias as far as later analyses can tell, so this follows
  // the accumulator hoisting, which must prove that they do not.
  funcPm.addPass(kiln::createKilnPlanBuffersPass());
  funcPm.addPass(createKilnLowerMemrefCopyPass());
  funcPm.addPass(createConvertLinalgToLoopsPass());
  funcPm.addPass(createLoopInvariantCodeMotionPass());
  // Failed allocations and data-dependent checks return a status.
  pm.addPass(kiln::createKilnRuntimeChecksPass());
  // Results are computed in the caller's buffers when they fit.
  pm.addPass(kiln::createKilnResultsInCallerBuffersPass());
  addFloatConversionPasses(pm.nest<func::FuncOp>());
  // expand-strided-metadata emits affine.apply, so it precedes lower-affine.
  // MLIR 22's crashes on expand_shapes with two `?` dims in one group.
  pm.nest<func::FuncOp>().addPass(
      kiln::createKilnStridedViewsToReinterpretCastPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(arith::createArithExpandOpsPass());
  pm.nest<func::FuncOp>().addPass(LLVM::createLLVMRequestCWrappersPass());
  // Workspaces stay allocated across calls: their pages fault in once.
  pm.addPass(kiln::createKilnCacheWorkspacePass());
  // Kiln's kernels take 1-D buffers only (kiln-gpu-pack-launch-arguments):
  // each is passed as its five descriptor fields, which the runtimes read.
  if (gpuHost)
    pm.addPass(createGpuToLLVMConversionPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void mlir::kiln::buildKilnCPUPipeline(OpPassManager &pm,
                                      const GraphOptions &graph,
                                      const CodegenOptions &codegen,
                                      const TargetOptions &target) {
  buildKilnGraphPipeline(pm, graph);
  buildKilnToLinalgPipeline(pm, codegen, target);
  buildKilnCPUCodegenPipeline(pm, codegen);
  buildKilnBufferizePipeline(pm);
  buildKilnToLLVMPipeline(pm, codegen);
}
