//===- Registration.cpp - Register Kiln dialects, passes, pipelines -------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Pipelines/Pipelines.h"

#include "Kiln/IR/KilnOps.h"
#include "Kiln/Transforms/Passes.h"
#include "kiln/Codegen/Common/Passes.h"
#include "kiln/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

void mlir::kiln::registerKilnDialects(DialectRegistry &registry) {
  registry.insert<KilnDialect, func::FuncDialect, quant::QuantDialect,
                  tensor::TensorDialect>();
}

void mlir::kiln::registerKilnPassesAndPipelines() {
  registerKilnTransformsPasses();
  registerKilnConversionPasses();
  registerKilnCodegenCommonPasses();
  PassPipelineRegistration<GraphPipelineOptions>(
      "kiln-graph-pipeline",
      "Kiln graph optimizations: canonicalize, infer shapes, fold batch "
      "norms, CSE",
      buildKilnGraphPipeline);
  PassPipelineRegistration<CPUPipelineOptions>(
      "kiln-to-linalg-pipeline",
      "Lower kiln to fused linalg on tensors", buildKilnToLinalgPipeline);
  PassPipelineRegistration<CPUPipelineOptions>(
      "kiln-bufferize-pipeline",
      "Bufferize linalg on tensors with deallocation", buildKilnBufferizePipeline);
  PassPipelineRegistration<CPUPipelineOptions>(
      "kiln-to-llvm-pipeline", "Lower bufferized IR to the LLVM dialect",
      buildKilnToLLVMPipeline);
  PassPipelineRegistration<CPUPipelineOptions>(
      "kiln-cpu-pipeline",
      "The default CPU pipeline: graph, linalg, bufferize, LLVM dialect",
      buildKilnCPUPipeline);
}
