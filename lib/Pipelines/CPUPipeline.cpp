//===- CPUPipeline.cpp - Kiln CPU code generation pipelines ---------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Pipelines/Pipelines.h"

#include "kiln/Conversion/Passes.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/Transforms/RequestCWrappers.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::kiln::buildKilnToLinalgPipeline(OpPassManager &pm,
                                           const CPUPipelineOptions &options) {
  pm.addPass(createConvertKilnToLinalgPass());
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  funcPm.addPass(createCanonicalizerPass());
  funcPm.addPass(createLinalgElementwiseOpFusionPass());
  if (options.approximateMath)
    funcPm.addPass(createKilnApproximateMathPass());
  funcPm.addPass(createCanonicalizerPass());
  funcPm.addPass(createCSEPass());
}

void mlir::kiln::buildKilnBufferizePipeline(OpPassManager &pm,
                                            const CPUPipelineOptions &) {
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addPass(createCanonicalizerPass());
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  pm.addPass(createCanonicalizerPass());
}

void mlir::kiln::buildKilnToLLVMPipeline(OpPassManager &pm,
                                         const CPUPipelineOptions &) {
  // Deallocation clones results that callers must own; clones become
  // alloc + copy.
  pm.addPass(createConvertBufferizationToMemRefPass());
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  funcPm.addPass(createKilnLowerMemrefCopyPass());
  funcPm.addPass(createConvertLinalgToLoopsPass());
  funcPm.addPass(createLoopInvariantCodeMotionPass());
  // expand-strided-metadata emits affine.apply, so it precedes lower-affine.
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(arith::createArithExpandOpsPass());
  pm.nest<func::FuncOp>().addPass(LLVM::createLLVMRequestCWrappersPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void mlir::kiln::buildKilnLoweringPipeline(OpPassManager &pm,
                                           const CPUPipelineOptions &options) {
  buildKilnToLinalgPipeline(pm, options);
  buildKilnBufferizePipeline(pm, options);
  buildKilnToLLVMPipeline(pm, options);
}

void mlir::kiln::buildKilnCPUPipeline(OpPassManager &pm,
                                      const CPUPipelineOptions &options) {
  buildKilnGraphPipeline(pm, GraphPipelineOptions());
  buildKilnLoweringPipeline(pm, options);
}
