//===- GraphPipeline.cpp - Kiln graph-level pipeline ----------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Pipelines/Pipelines.h"

#include "Kiln/Transforms/Passes.h"
#include "kiln/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::kiln::buildKilnGraphPipeline(OpPassManager &pm,
                                        const GraphOptions &options) {
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  auto canonicalize = [&] {
    GreedyRewriteConfig config;
    config.setUseTopDownTraversal(true).setListener(
        options.canonicalizeListener);
    return createCanonicalizerPass(config);
  };
  // TOSA input (TensorFlow, TFLite, torch-mlir) joins the kiln graph.
  funcPm.addPass(kiln::createConvertTosaToKilnPass());
  if (options.canonicalize)
    funcPm.addPass(canonicalize());
  if (options.foldConstants)
    funcPm.addPass(createKilnFoldConstantsPass());
  if (options.inferShapes)
    funcPm.addPass(createKilnInferShapesPass());
  if (options.recompose)
    funcPm.addPass(createKilnRecomposePass());
  if (options.foldBatchNorm)
    funcPm.addPass(createKilnFoldBatchNormPass());
  if (options.simplify)
    funcPm.addPass(createKilnSimplifyPass());
  // Before the layout pass, which would move the filters' quantize and
  // dequantize apart.
  if (options.foldQDQ)
    funcPm.addPass(createKilnFoldQDQPass());
  // The layout pass's filter transposes are folded by the fold-constants
  // after it.
  if (options.layout != "keep") {
    pm.addPass(createKilnConvertLayoutPass(
        KilnConvertLayoutPassOptions{options.layout, options.imageInterface}));
    if (options.foldConstants)
      pm.nest<func::FuncOp>().addPass(createKilnFoldConstantsPass());
  }
  // What is left on constants is computed by running it, once for all
  // functions.
  if (options.evaluateConstants)
    pm.addPass(createKilnEvaluateConstantsPass());
  // Quantization reads the weights as the graph optimizations left them
  // (batch norms folded, transposes evaluated).
  if (options.quantize != "none")
    pm.nest<func::FuncOp>().addPass(
        createKilnQuantizePass(KilnQuantizePassOptions{options.quantize}));
  if (options.canonicalize) {
    OpPassManager &cleanup = pm.nest<func::FuncOp>();
    cleanup.addPass(canonicalize());
    cleanup.addPass(createCSEPass());
  }
}
