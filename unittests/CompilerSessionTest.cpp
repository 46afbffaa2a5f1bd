//===- CompilerSessionTest.cpp - Stages, emission, report and JIT ---------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Compiler/Bisect.h"
#include "kiln/Compiler/Compiler.h"

#include "Kiln/IR/KilnOps.h"
#include "kiln/Runtime/Jit.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <thread>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::kiln;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {
/// A 1x1 convolution followed by a batch norm whose scale is itself a
/// foldable `kiln.add` of constants (as in
/// test/Tools/kiln-compile/report.mlir). With these constants the folded
/// model computes channel 0 = x and channel 1 = 6 * x.
constexpr const char *kConvBatchNorm = R"mlir(
func.func @block(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = kiln.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %half = kiln.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %scale = kiln.add %half, %half : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %beta = kiln.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %0 = kiln.conv2d %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = kiln.batch_norm %0, %scale, %beta, %mean, %var {epsilon = 1.0 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}
)mlir";

/// A small elementwise model.
constexpr const char *kAddRelu = R"mlir(
func.func @model(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = kiln.relu %0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}
)mlir";

class CompilerSessionTest : public ::testing::Test {
protected:
  CompilerSessionTest() : context(makeRegistry()) {
    // Diagnostics of failing stages land here instead of on stderr.
    handler = std::make_unique<ScopedDiagnosticHandler>(
        &context, [this](Diagnostic &diag) {
          diagnostics.push_back(diag.str());
          return success();
        });
  }

  static DialectRegistry makeRegistry() {
    DialectRegistry registry;
    registerCompilerDialects(registry);
    return registry;
  }

  /// A session that must be created.
  std::unique_ptr<CompilerSession> create(CompilerOptions options = {}) {
    auto session = CompilerSession::create(context, std::move(options));
    if (!session) {
      ADD_FAILURE() << llvm::toString(session.takeError());
      return nullptr;
    }
    return std::move(*session);
  }

  /// A session with `source` loaded from memory as "model.mlir".
  std::unique_ptr<CompilerSession> load(const char *source,
                                        CompilerOptions options = {}) {
    std::unique_ptr<CompilerSession> session = create(std::move(options));
    if (!session)
      return nullptr;
    if (llvm::Error err = session->loadBuffer(source, "model.mlir")) {
      ADD_FAILURE() << llvm::toString(std::move(err));
      return nullptr;
    }
    return session;
  }

  /// The message of a create() that must fail.
  std::string createError(CompilerOptions options) {
    auto session = CompilerSession::create(context, std::move(options));
    if (session) {
      ADD_FAILURE() << "the session was created";
      return "";
    }
    return llvm::toString(session.takeError());
  }

  /// The output of emit(stage), or the error message prefixed by "error: ".
  static std::string emit(CompilerSession &session, Stage stage) {
    llvm::SmallString<0> text;
    llvm::raw_svector_ostream os(text);
    if (llvm::Error err = session.emit(stage, os))
      return "error: " + llvm::toString(std::move(err));
    return text.str().str();
  }

  MLIRContext context;
  std::unique_ptr<ScopedDiagnosticHandler> handler;
  std::vector<std::string> diagnostics;
};

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

TEST_F(CompilerSessionTest, CreateRejectsBadOptionsBeforeAnyWork) {
  CompilerOptions badLevel;
  badLevel.optLevel = 4;
  EXPECT_THAT(createError(badLevel),
              HasSubstr("optimization level 4 is not 0-3"));

  CompilerOptions badLLVMLevel;
  badLLVMLevel.llvmOptLevel = 5;
  EXPECT_THAT(createError(badLLVMLevel),
              HasSubstr("LLVM optimization level 5 is not 0-3"));

  CompilerOptions badKeyBlock;
  badKeyBlock.codegen.attentionKeyBlock = -1;
  EXPECT_THAT(createError(badKeyBlock),
              HasSubstr("attention key block is -1; it takes 0 (off) or a "
                        "positive number of keys"));

  CompilerOptions badPrefix;
  badPrefix.symbolPrefix = "2fast";
  EXPECT_THAT(createError(badPrefix),
              HasSubstr("invalid symbol prefix '2fast'"));
  badPrefix.symbolPrefix = "_mlir_x";
  EXPECT_THAT(createError(badPrefix), HasSubstr("'_mlir'"));

  CompilerOptions badGpu;
  badGpu.gpu.target = "metal";
  EXPECT_THAT(createError(badGpu),
              HasSubstr("GPU target 'metal' is not vulkan or cuda"));
  badGpu.gpu.target = "cuda";
  badGpu.gpu.chip = "sm_60";
  EXPECT_THAT(createError(badGpu),
              HasSubstr("GPU chip 'sm_60' is not a CUDA architecture sm_70 "
                        "or later"));
  badGpu.gpu.chip = "sm_80";
  badGpu.gpu.blockSize = 2048;
  EXPECT_THAT(createError(badGpu), HasSubstr("GPU block size 2048 is not "
                                             "1-1024"));
  badGpu.gpu.blockSize = 128;
  badGpu.gpu.matmulTile = 33;
  EXPECT_THAT(createError(badGpu),
              HasSubstr("GPU matmul tile 33 is not 0 (off) or 1-32"));
  badGpu.gpu.matmulTile = 16;
  badGpu.gpu.cudaBinary = "cubin";
  EXPECT_THAT(createError(badGpu),
              HasSubstr("CUDA binary 'cubin' is not auto, fatbin or ptx"));

  CompilerOptions badCpu;
  badCpu.target.triple = "x86_64-unknown-linux-gnu";
  badCpu.target.cpu = "znver9";
  EXPECT_THAT(createError(badCpu), HasSubstr("unknown CPU 'znver9'"));

  // Nothing was done: no dialect was loaded and nothing was diagnosed.
  EXPECT_EQ(context.getLoadedDialect<KilnDialect>(), nullptr);
  EXPECT_TRUE(diagnostics.empty());
}

TEST(OptimizationLevels, TurnPassesOnByLevel) {
  CompilerOptions o0;
  setOptimizationLevel(o0, 0);
  EXPECT_EQ(o0.optLevel, 0u);
  EXPECT_EQ(o0.getLLVMOptLevel(), 0u);
  EXPECT_TRUE(o0.graph.inferShapes); // shape refinement is not optimization
  EXPECT_FALSE(o0.graph.canonicalize);
  EXPECT_FALSE(o0.graph.foldConstants);
  EXPECT_FALSE(o0.graph.foldBatchNorm);
  EXPECT_FALSE(o0.graph.simplify);
  EXPECT_FALSE(o0.graph.recompose);
  EXPECT_FALSE(o0.codegen.fuseElementwise);
  EXPECT_EQ(o0.codegen.attentionKeyBlock, 0);

  CompilerOptions o1;
  setOptimizationLevel(o1, 1);
  EXPECT_TRUE(o1.graph.canonicalize && o1.graph.foldConstants &&
              o1.graph.foldBatchNorm && o1.graph.simplify);
  EXPECT_FALSE(o1.graph.recompose || o1.codegen.fuseElementwise);
  EXPECT_EQ(o1.codegen.attentionKeyBlock, 0);

  // -O2 is what default-constructed options are.
  CompilerOptions o2, defaults;
  setOptimizationLevel(o2, 2);
  for (const PassToggle &toggle : getPassToggles())
    EXPECT_EQ(toggle.field(o2), toggle.field(defaults)) << toggle.name.str();
  EXPECT_EQ(o2.codegen.attentionKeyBlock, defaults.codegen.attentionKeyBlock);
  EXPECT_EQ(o2.getLLVMOptLevel(), 2u);

  CompilerOptions o3;
  setOptimizationLevel(o3, 3);
  EXPECT_EQ(o3.getLLVMOptLevel(), 3u);
  o3.llvmOptLevel = 1;
  EXPECT_EQ(o3.getLLVMOptLevel(), 1u);
}

TEST(OptimizationLevels, TogglesOverrideTheLevel) {
  CompilerOptions options;
  setOptimizationLevel(options, 0);
  ASSERT_FALSE(static_cast<bool>(
      setPassToggle(options, "fuse-elementwise", true)));
  EXPECT_TRUE(options.codegen.fuseElementwise);
  setOptimizationLevel(options, 2);
  ASSERT_FALSE(static_cast<bool>(setPassToggle(options, "simplify", false)));
  EXPECT_FALSE(options.graph.simplify);
  llvm::Error err = setPassToggle(options, "vectorize", true);
  ASSERT_TRUE(static_cast<bool>(err));
  EXPECT_THAT(llvm::toString(std::move(err)),
              HasSubstr("unknown pass toggle 'vectorize' (known: "
                        "infer-shapes, canonicalize"));
}

//===----------------------------------------------------------------------===//
// Stages
//===----------------------------------------------------------------------===//

/// Whether any op of `module` below the module itself is in `dialect`.
static bool hasOpsOf(ModuleOp module, StringRef dialect) {
  bool found = false;
  module.walk([&](Operation *op) {
    if (op != module && op->getName().getDialectNamespace() == dialect)
      found = true;
  });
  return found;
}

TEST_F(CompilerSessionTest, RunsEachStageInOrder) {
  std::unique_ptr<CompilerSession> session = load(kAddRelu);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->getStage(), std::nullopt);
  StringRef targetName = KilnDialect::getTargetAttrName();
  // The target is attached when the model is loaded.
  EXPECT_TRUE(session->getModule()->hasAttr(targetName));

  ASSERT_FALSE(static_cast<bool>(session->runTo(Stage::Kiln)));
  EXPECT_EQ(session->getStage(), Stage::Kiln);
  EXPECT_TRUE(hasOpsOf(session->getModule(), "kiln"));
  ASSERT_EQ(session->getEntryPoints().size(), 1u);
  EXPECT_EQ(session->getEntryPoints()[0].name, "model");

  ASSERT_FALSE(static_cast<bool>(session->runTo(Stage::Linalg)));
  EXPECT_EQ(session->getStage(), Stage::Linalg);
  EXPECT_FALSE(hasOpsOf(session->getModule(), "kiln"));
  EXPECT_TRUE(hasOpsOf(session->getModule(), "linalg"));
  auto target = session->getModule()->getAttrOfType<TargetAttr>(targetName);
  ASSERT_TRUE(target);
  EXPECT_EQ(TargetDescription::fromAttr(target).triple,
            session->getTarget().triple);

  ASSERT_FALSE(static_cast<bool>(session->runTo(Stage::Bufferized)));
  EXPECT_EQ(session->getStage(), Stage::Bufferized);
  EXPECT_FALSE(hasOpsOf(session->getModule(), "tensor"));
  EXPECT_TRUE(hasOpsOf(session->getModule(), "memref"));

  ASSERT_FALSE(static_cast<bool>(session->runTo(Stage::LLVMDialect)));
  EXPECT_EQ(session->getStage(), Stage::LLVMDialect);
  EXPECT_FALSE(hasOpsOf(session->getModule(), "func"));
  EXPECT_FALSE(hasOpsOf(session->getModule(), "linalg"));
  EXPECT_TRUE(hasOpsOf(session->getModule(), "llvm"));

  // Running to a stage already passed does nothing.
  ASSERT_FALSE(static_cast<bool>(session->runTo(Stage::Linalg)));
  EXPECT_EQ(session->getStage(), Stage::LLVMDialect);
  EXPECT_TRUE(diagnostics.empty());
}

TEST_F(CompilerSessionTest, LoweringStepsAreTheStagePipelinesFlattened) {
  std::unique_ptr<CompilerSession> session = load(kAddRelu);
  ASSERT_TRUE(session);
  auto steps = getLoweringSteps(*session);
  ASSERT_TRUE(static_cast<bool>(steps)) << llvm::toString(steps.takeError());
  auto find = [&](StringRef name) -> const PipelineStep * {
    for (const PipelineStep &s : *steps)
      if (s.name() == name)
        return &s;
    return nullptr;
  };
  // Lowering passes are required; Kiln's optimizations are optional;
  // nested passes keep their anchor and options.
  const PipelineStep *toLinalg = find("convert-kiln-to-linalg");
  ASSERT_NE(toLinalg, nullptr);
  EXPECT_FALSE(toLinalg->optional);
  EXPECT_EQ(toLinalg->anchor, "builtin.module");
  const PipelineStep *tile = find("kiln-cpu-tile-and-vectorize");
  ASSERT_NE(tile, nullptr);
  EXPECT_TRUE(tile->optional);
  EXPECT_EQ(tile->anchor, "func.func");
  for (StringRef required : {"kiln-attach-target", "kiln-cpu-lower-vectors",
                             "kiln-runtime-checks", "kiln-cache-workspace",
                             "one-shot-bufferize", "convert-to-llvm"}) {
    const PipelineStep *step = find(required);
    ASSERT_NE(step, nullptr) << required.str();
    EXPECT_FALSE(step->optional) << required.str();
  }
  const PipelineStep *canonicalize = find("canonicalize");
  ASSERT_NE(canonicalize, nullptr);
  EXPECT_THAT(canonicalize->pass, HasSubstr("canonicalize{"));
  // The order is the stages' order.
  EXPECT_LT(toLinalg - steps->data(), tile - steps->data());
  EXPECT_LT(tile - steps->data(), find("convert-to-llvm") - steps->data());
}

TEST_F(CompilerSessionTest, GPUTargetsAddTheGPUStage) {
  CompilerOptions options;
  options.gpu.target = "vulkan";
  std::unique_ptr<CompilerSession> session = load(kAddRelu, options);
  ASSERT_TRUE(session);
  ASSERT_FALSE(static_cast<bool>(session->runTo(Stage::Bufferized)));
  // No CPU strategy ran: no vectors, no packed layouts.
  EXPECT_FALSE(hasOpsOf(session->getModule(), "vector"));
  ASSERT_FALSE(static_cast<bool>(session->runTo(Stage::GPU)));
  EXPECT_EQ(session->getStage(), Stage::GPU);
  EXPECT_TRUE(hasOpsOf(session->getModule(), "gpu"));
  EXPECT_FALSE(hasOpsOf(session->getModule(), "linalg"));

  // The device code comes out of the LLVM-dialect stage: SPIR-V's magic
  // number first.
  llvm::SmallString<0> spirv;
  llvm::raw_svector_ostream out(spirv);
  ASSERT_FALSE(static_cast<bool>(session->emit(Stage::SPIRV, out)));
  ASSERT_GE(spirv.size(), 4u);
  uint32_t magic;
  std::memcpy(&magic, spirv.data(), 4);
  EXPECT_EQ(magic, 0x07230203u);
  EXPECT_TRUE(diagnostics.empty());

  // The CPU has no gpu stage, and a GPU target's device code is its own.
  std::unique_ptr<CompilerSession> cpu = load(kAddRelu);
  ASSERT_TRUE(cpu);
  EXPECT_THAT(llvm::toString(cpu->runTo(Stage::GPU)),
              HasSubstr("the gpu stage needs a GPU target"));
  EXPECT_THAT(llvm::toString(session->runTo(Stage::PTX)),
              HasSubstr("PTX is the device code of the cuda target"));
}

TEST_F(CompilerSessionTest, GPULoweringStepsKeepTheirNesting) {
  CompilerOptions options;
  options.gpu.target = "vulkan";
  std::unique_ptr<CompilerSession> session = load(kAddRelu, options);
  ASSERT_TRUE(session);
  auto steps = getLoweringSteps(*session);
  ASSERT_TRUE(static_cast<bool>(steps)) << llvm::toString(steps.takeError());
  auto find = [&](StringRef name, StringRef anchor) -> const PipelineStep * {
    for (const PipelineStep &s : *steps)
      if (s.name() == name && s.anchor == anchor)
        return &s;
    return nullptr;
  };
  // Inside kernels every step lowers, Kiln's polynomial math included.
  const PipelineStep *math = find("kiln-approximate-math", "gpu.module");
  ASSERT_NE(math, nullptr);
  EXPECT_FALSE(math->optional);
  const PipelineStep *vce =
      find("spirv-update-vce", "gpu.module,spirv.module");
  ASSERT_NE(vce, nullptr);
  EXPECT_FALSE(vce->optional);
  for (StringRef required :
       {"kiln-gpu-map-parallel-loops", "kiln-gpu-pack-launch-arguments",
        "kiln-convert-gpu-to-spirv", "kiln-gpu-check-launches"})
    for (const PipelineStep &s : *steps)
      if (s.name() == required)
        EXPECT_FALSE(s.optional) << required.str();
  // The matmul tiling is an optimization: the generic mapping runs it too.
  for (const PipelineStep &s : *steps)
    if (s.name() == "kiln-gpu-tile-matmuls")
      EXPECT_TRUE(s.optional);
}

TEST(GPUTargets, PTXVersionOfEachChip) {
  EXPECT_EQ(getPTXVersionFor("sm_70"), "ptx60");
  EXPECT_EQ(getPTXVersionFor("sm_80"), "ptx70");
  EXPECT_EQ(getPTXVersionFor("sm_86"), "ptx71");
  EXPECT_EQ(getPTXVersionFor("sm_89"), "ptx78");
  EXPECT_EQ(getPTXVersionFor("sm_90"), "ptx78");
  EXPECT_EQ(getPTXVersionFor("sm_90a"), "ptx80");
  EXPECT_EQ(getPTXVersionFor("sm_100"), "ptx86");
  EXPECT_EQ(getPTXVersionFor("sm_60"), "");
  EXPECT_EQ(getPTXVersionFor("gfx90a"), "");
  EXPECT_EQ(getPTXVersionFor("sm_"), "");
}

TEST_F(CompilerSessionTest, RunToWithoutModuleIsAnError) {
  std::unique_ptr<CompilerSession> session = create();
  ASSERT_TRUE(session);
  llvm::Error err = session->runTo(Stage::Kiln);
  EXPECT_THAT(llvm::toString(std::move(err)), HasSubstr("no model is loaded"));
}

TEST_F(CompilerSessionTest, ParseErrorsAreDiagnosed) {
  std::unique_ptr<CompilerSession> session = create();
  ASSERT_TRUE(session);
  llvm::Error err = session->loadBuffer("func.func @f( {", "broken.mlir");
  EXPECT_THAT(llvm::toString(std::move(err)),
              HasSubstr("cannot parse 'broken.mlir'"));
  EXPECT_FALSE(diagnostics.empty());
}

TEST_F(CompilerSessionTest, FailingStageNamesItselfAndDiagnoses) {
  // Arithmetic on i1 tensors has no linalg lowering.
  std::unique_ptr<CompilerSession> session = load(R"mlir(
    func.func @f(%m: tensor<4xi1>) -> tensor<4xi1> {
      %0 = kiln.add %m, %m : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
      return %0 : tensor<4xi1>
    })mlir");
  ASSERT_TRUE(session);
  ASSERT_FALSE(static_cast<bool>(session->runTo(Stage::Kiln)));
  llvm::Error err = session->runTo(Stage::Bufferized);
  EXPECT_THAT(llvm::toString(std::move(err)),
              HasSubstr("compilation failed in the linalg stage"));
  EXPECT_EQ(session->getStage(), Stage::Kiln);
  ASSERT_FALSE(diagnostics.empty());
  EXPECT_THAT(diagnostics.front(), HasSubstr("cannot lower 1 kiln op(s)"));
  EXPECT_THAT(diagnostics.front(), HasSubstr("kiln.add"));
}

//===----------------------------------------------------------------------===//
// Emission
//===----------------------------------------------------------------------===//

TEST_F(CompilerSessionTest, EmitLLVMIRUsesTheSymbolPrefix) {
  CompilerOptions options;
  options.symbolPrefix = "net";
  std::unique_ptr<CompilerSession> session = load(kAddRelu, options);
  ASSERT_TRUE(session);
  std::string ir = emit(*session, Stage::LLVMIR);
  EXPECT_THAT(ir, HasSubstr("@_mlir_ciface_net_model("));
  EXPECT_THAT(ir, Not(HasSubstr("@_mlir_ciface_kiln_model(")));

  // A new prefix applies to later outputs; a bad one changes nothing.
  ASSERT_FALSE(static_cast<bool>(session->setSymbolPrefix("other")));
  EXPECT_THAT(llvm::toString(session->setSymbolPrefix("int")),
              HasSubstr("keyword"));
  EXPECT_EQ(session->getOptions().symbolPrefix, "other");
  ir = emit(*session, Stage::LLVMIR);
  EXPECT_THAT(ir, HasSubstr("@_mlir_ciface_other_model("));
  EXPECT_THAT(ir, Not(HasSubstr("_mlir_ciface_net_model")));
}

TEST_F(CompilerSessionTest, EmitEachIRStage) {
  std::unique_ptr<CompilerSession> session = load(kAddRelu);
  ASSERT_TRUE(session);
  EXPECT_THAT(emit(*session, Stage::Kiln), HasSubstr("kiln.add"));
  std::string linalg = emit(*session, Stage::Linalg);
  EXPECT_THAT(linalg, HasSubstr("linalg.generic"));
  EXPECT_THAT(linalg, HasSubstr("kiln.target = #kiln.target<"));
  EXPECT_THAT(emit(*session, Stage::Bufferized), HasSubstr("memref"));
  EXPECT_THAT(emit(*session, Stage::LLVMDialect), HasSubstr("llvm.func"));
}

TEST_F(CompilerSessionTest, EmitOfAnEarlierStageIsAnError) {
  std::unique_ptr<CompilerSession> session = load(kAddRelu);
  ASSERT_TRUE(session);
  ASSERT_FALSE(static_cast<bool>(session->runTo(Stage::Bufferized)));
  EXPECT_EQ(emit(*session, Stage::Linalg),
            "error: the module is already past the linalg stage");
  EXPECT_EQ(emit(*session, Stage::Kiln),
            "error: the module is already past the kiln stage");
  // The current stage and later ones can still be emitted.
  EXPECT_THAT(emit(*session, Stage::Bufferized), HasSubstr("memref"));
  EXPECT_THAT(emit(*session, Stage::LLVMIR), HasSubstr("define"));
}

//===----------------------------------------------------------------------===//
// Report
//===----------------------------------------------------------------------===//

TEST_F(CompilerSessionTest, ReportCountsFoldsAndOps) {
  std::unique_ptr<CompilerSession> session = load(kConvBatchNorm);
  ASSERT_TRUE(session);
  const CompileReport &report = session->getReport();
  EXPECT_EQ(report.opsBefore.at("kiln.batch_norm"), 1);
  EXPECT_EQ(report.opsBefore.at("kiln.add"), 1);
  EXPECT_EQ(report.opsBefore.at("kiln.conv2d"), 1);
  EXPECT_TRUE(report.opsAfter.empty()); // the graph pipeline has not run

  ASSERT_FALSE(static_cast<bool>(session->runTo(Stage::Kiln)));
  // The kiln.add of constants is folded; the batch norm goes into the conv.
  EXPECT_EQ(report.constantsFolded, 1);
  std::pair<std::string, std::string> batchNorm = {"kiln-fold-batchnorm",
                                                   "batchnorm-folded"};
  ASSERT_EQ(report.rewrites.count(batchNorm), 1u);
  EXPECT_EQ(report.rewrites.at(batchNorm), 1);
  EXPECT_EQ(report.opsAfter.count("kiln.batch_norm"), 0u);
  EXPECT_EQ(report.opsAfter.count("kiln.add"), 0u);
  EXPECT_EQ(report.opsAfter.at("kiln.conv2d"), 1);

  std::string json;
  llvm::raw_string_ostream os(json);
  report.printJSON(os);
  EXPECT_THAT(json, HasSubstr("\"constants_folded\": 1"));
}

TEST_F(CompilerSessionTest, ReportWithoutBatchNormFolding) {
  CompilerOptions options;
  options.graph.foldBatchNorm = false;
  std::unique_ptr<CompilerSession> session = load(kConvBatchNorm, options);
  ASSERT_TRUE(session);
  ASSERT_FALSE(static_cast<bool>(session->runTo(Stage::Kiln)));
  const CompileReport &report = session->getReport();
  for (const auto &[key, count] : report.rewrites)
    EXPECT_NE(key.first, "kiln-fold-batchnorm") << key.second;
  EXPECT_EQ(report.opsAfter.at("kiln.batch_norm"), 1);
}

TEST_F(CompilerSessionTest, ReportCountsKernelsAndFusionGroups) {
  constexpr const char *kChain = R"mlir(
func.func @f(%x: tensor<2x8xf32>, %b: tensor<8xf32>) -> tensor<2x8xf32> {
  %0 = kiln.add %x, %b : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  %1 = kiln.relu %0 : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return %1 : tensor<2x8xf32>
}
)mlir";
  for (unsigned level : {0u, 2u}) {
    CompilerOptions options;
    setOptimizationLevel(options, level);
    std::unique_ptr<CompilerSession> session = load(kChain, options);
    ASSERT_TRUE(session);
    const CompileReport &report = session->getReport();
    ASSERT_FALSE(static_cast<bool>(session->runTo(Stage::Kiln)));
    EXPECT_FALSE(report.kernelsBeforeFusion.has_value());
    ASSERT_FALSE(static_cast<bool>(session->runTo(Stage::Linalg)));
    ASSERT_TRUE(report.kernelsBeforeFusion && report.kernelsAfterFusion);
    // add and relu; the add's 2x8 f32 result is the one intermediate.
    EXPECT_EQ(report.kernelsBeforeFusion->kernels, 2);
    EXPECT_EQ(report.kernelsBeforeFusion->intermediateBytes, 64);
    if (level == 0) {
      EXPECT_EQ(report.kernelsAfterFusion->kernels, 2);
      EXPECT_TRUE(report.fusionGroups.empty());
      continue;
    }
    EXPECT_EQ(report.kernelsAfterFusion->kernels, 1);
    EXPECT_EQ(report.kernelsAfterFusion->intermediateBytes, 0);
    ASSERT_EQ(report.fusionGroups.size(), 1u);
    EXPECT_EQ(report.fusionGroups[0].function, "f");
    ASSERT_EQ(report.fusionGroups[0].ops.size(), 2u);
    EXPECT_THAT(report.fusionGroups[0].ops[0], HasSubstr("kiln.add ("));
    EXPECT_THAT(report.fusionGroups[0].ops[1], HasSubstr("kiln.relu ("));
  }
}

//===----------------------------------------------------------------------===//
// JIT
//===----------------------------------------------------------------------===//

TEST_F(CompilerSessionTest, JitRunsTheModel) {
  std::unique_ptr<CompilerSession> session = load(kConvBatchNorm);
  ASSERT_TRUE(session);
  auto jit = session->jit();
  ASSERT_TRUE(static_cast<bool>(jit)) << llvm::toString(jit.takeError());
  EXPECT_EQ(session->getStage(), Stage::LLVMDialect);
  const EntryPoint *entry = (*jit)->lookup("");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->name, "block");
  EXPECT_EQ((*jit)->lookup("missing"), nullptr);

  HostArray x{"f32", {1, 1, 4, 4}, std::vector<char>(16 * sizeof(float))};
  float input[16];
  for (int i = 0; i < 16; ++i)
    input[i] = static_cast<float>(i) - 7.5f;
  std::memcpy(x.data.data(), input, sizeof(input));

  auto results = (*jit)->run(*entry, {x});
  ASSERT_TRUE(static_cast<bool>(results))
      << llvm::toString(results.takeError());
  ASSERT_EQ(results->size(), 1u);
  const HostArray &y = results->front();
  EXPECT_EQ(y.elementType, "f32");
  EXPECT_EQ(y.shape, (std::vector<int64_t>{1, 2, 4, 4}));
  ASSERT_EQ(y.data.size(), 32 * sizeof(float));
  float output[32];
  std::memcpy(output, y.data.data(), sizeof(output));
  for (int i = 0; i < 16; ++i) {
    EXPECT_FLOAT_EQ(output[i], input[i]) << "channel 0, element " << i;
    EXPECT_FLOAT_EQ(output[16 + i], 6 * input[i]) << "channel 1, element " << i;
  }

  // Inputs that do not fit the signature are refused, naming the input.
  HostArray wrong{"f32", {1, 1, 4, 3}, std::vector<char>(12 * sizeof(float))};
  auto refused = (*jit)->run(*entry, {wrong});
  ASSERT_FALSE(static_cast<bool>(refused));
  EXPECT_THAT(llvm::toString(refused.takeError()),
              HasSubstr("block: input arg0 dim 3 is 3, expected 4"));
}

/// Two matmuls with a ReLU between them: packed operands and the hidden
/// activation are temporaries in the function's cached workspace.
static std::string twoMatmuls(int m, int k, int n, int o) {
  auto weight = [](int rows, int cols, int salt) {
    std::string text = "dense<[";
    for (int i = 0; i < rows; ++i) {
      text += i ? ", [" : "[";
      for (int j = 0; j < cols; ++j)
        text += (j ? ", " : "") +
                std::to_string(((i * 7 + j * 3 + salt) % 9 - 4) * 0.125);
      text += "]";
    }
    return text + "]>";
  };
  auto type = [](int a, int b) {
    return "tensor<" + std::to_string(a) + "x" + std::to_string(b) + "xf32>";
  };
  return "func.func @mlp(%x: " + type(m, k) + ") -> " + type(m, o) + " {\n" +
         "  %w1 = kiln.constant " + weight(k, n, 1) + " : " + type(k, n) +
         "\n  %w2 = kiln.constant " + weight(n, o, 2) + " : " + type(n, o) +
         "\n  %h = kiln.matmul %x, %w1 : (" + type(m, k) + ", " + type(k, n) +
         ") -> " + type(m, n) + "\n  %r = kiln.relu %h : (" + type(m, n) +
         ") -> " + type(m, n) + "\n  %y = kiln.matmul %r, %w2 : (" +
         type(m, n) + ", " + type(n, o) + ") -> " + type(m, o) +
         "\n  return %y : " + type(m, o) + "\n}\n";
}

TEST_F(CompilerSessionTest, ConcurrentCallsDoNotShareTheWorkspace) {
  constexpr int m = 13, k = 37, n = 41, o = 19;
  std::string source = twoMatmuls(m, k, n, o);
  std::unique_ptr<CompilerSession> session = load(source.c_str());
  ASSERT_TRUE(session);
  auto jit = session->jit();
  ASSERT_TRUE(static_cast<bool>(jit)) << llvm::toString(jit.takeError());
  const EntryPoint *entry = (*jit)->lookup("mlp");
  ASSERT_NE(entry, nullptr);

  auto w = [](int i, int j, int salt) {
    return static_cast<float>(((i * 7 + j * 3 + salt) % 9 - 4) * 0.125);
  };
  auto input = [&](int call) {
    std::vector<float> x(m * k);
    for (int i = 0; i < m * k; ++i)
      x[i] = static_cast<float>((i * 13 + call * 5) % 17 - 8) * 0.25f;
    return x;
  };
  auto reference = [&](const std::vector<float> &x) {
    std::vector<float> y(m * o, 0.0f);
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) {
        float h = 0;
        for (int l = 0; l < k; ++l)
          h += x[i * k + l] * w(l, j, 1);
        h = std::max(h, 0.0f);
        for (int c = 0; c < o; ++c)
          y[i * o + c] += h * w(j, c, 2);
      }
    return y;
  };

  // Every thread runs different inputs; a workspace shared between two
  // calls in flight would mix their temporaries.
  constexpr int threads = 4, calls = 12;
  std::vector<std::string> failures(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int c = 0; c < calls && failures[t].empty(); ++c) {
        std::vector<float> x = input(t * calls + c);
        HostArray in{"f32", {m, k}, std::vector<char>(x.size() * sizeof(float))};
        std::memcpy(in.data.data(), x.data(), in.data.size());
        auto results = (*jit)->run(*entry, {in});
        if (!results) {
          failures[t] = llvm::toString(results.takeError());
          return;
        }
        std::vector<float> y(m * o);
        std::memcpy(y.data(), results->front().data.data(),
                    y.size() * sizeof(float));
        std::vector<float> expected = reference(x);
        for (int i = 0; i < m * o; ++i)
          if (std::abs(y[i] - expected[i]) > 1e-3f * (1 + std::abs(expected[i]))) {
            failures[t] = "call " + std::to_string(c) + " element " +
                          std::to_string(i) + ": " + std::to_string(y[i]) +
                          " != " + std::to_string(expected[i]);
            return;
          }
      }
    });
  for (std::thread &thread : pool)
    thread.join();
  for (int t = 0; t < threads; ++t)
    EXPECT_EQ(failures[t], "") << "thread " << t;
}

TEST_F(CompilerSessionTest, RunInPlaceReadsViewsAndHandsOverBuffers) {
  std::unique_ptr<CompilerSession> session = load(kConvBatchNorm);
  ASSERT_TRUE(session);
  auto jit = session->jit();
  ASSERT_TRUE(static_cast<bool>(jit)) << llvm::toString(jit.takeError());
  const EntryPoint *entry = (*jit)->lookup("");
  ASSERT_NE(entry, nullptr);

  float input[16];
  for (int i = 0; i < 16; ++i)
    input[i] = static_cast<float>(i) * 0.5f - 3.0f;
  std::vector<int64_t> shape = {1, 1, 4, 4};
  ArrayView x{"f32", shape, input, sizeof(input)};
  auto results = (*jit)->runInPlace(*entry, {x});
  ASSERT_TRUE(static_cast<bool>(results))
      << llvm::toString(results.takeError());
  ASSERT_EQ(results->size(), 1u);
  ResultBuffer &y = results->front();
  EXPECT_EQ(y.shape, (std::vector<int64_t>{1, 2, 4, 4}));
  ASSERT_NE(y.allocated, nullptr);
  const float *out = reinterpret_cast<const float *>(y.data);
  for (int i = 0; i < 16; ++i) {
    EXPECT_FLOAT_EQ(out[i], input[i]) << "channel 0, element " << i;
    EXPECT_FLOAT_EQ(out[16 + i], 6 * input[i]) << "channel 1, element " << i;
  }
  free(y.allocated);

  // A view too small for its shape, or without data, is refused.
  ArrayView shortView{"f32", shape, input, sizeof(input) - 4};
  auto refused = (*jit)->runInPlace(*entry, {shortView});
  ASSERT_FALSE(static_cast<bool>(refused));
  EXPECT_THAT(llvm::toString(refused.takeError()),
              HasSubstr("block: input arg0 holds 60 bytes, fewer than its "
                        "shape needs"));
  ArrayView null{"f32", shape, nullptr, sizeof(input)};
  auto refusedNull = (*jit)->runInPlace(*entry, {null});
  ASSERT_FALSE(static_cast<bool>(refusedNull));
  EXPECT_THAT(llvm::toString(refusedNull.takeError()),
              HasSubstr("block: input arg0 holds 0 bytes"));
}

TEST_F(CompilerSessionTest, JitForAnotherArchitectureIsAnError) {
  llvm::Triple host(llvm::sys::getDefaultTargetTriple());
  CompilerOptions options;
  options.target.triple =
      host.isAArch64() ? "x86_64-unknown-linux-gnu" : "aarch64-linux-gnu";
  std::unique_ptr<CompilerSession> session = load(kAddRelu, options);
  ASSERT_TRUE(session);
  auto jit = session->jit();
  ASSERT_FALSE(static_cast<bool>(jit));
  EXPECT_THAT(llvm::toString(jit.takeError()),
              HasSubstr("cannot run in this process"));
  // The check comes before any lowering.
  EXPECT_EQ(session->getStage(), std::nullopt);
}

//===----------------------------------------------------------------------===//
// Loading
//===----------------------------------------------------------------------===//

TEST_F(CompilerSessionTest, FrozenInputsNeedAnOnnxModel) {
  CompilerOptions options;
  options.frozenInputs["a"] = FrozenTensor{1, {3}, std::string(12, '\0')};
  std::unique_ptr<CompilerSession> session = create(options);
  ASSERT_TRUE(session);
  llvm::Error err = session->loadBuffer(kAddRelu, "model.mlir");
  EXPECT_THAT(llvm::toString(std::move(err)),
              HasSubstr("'model.mlir' is not an ONNX model; frozen inputs "
                        "apply to ONNX graph inputs only"));
  EXPECT_EQ(session->getModule(), nullptr);
}

TEST(IsOnnxModel, ByNameThenByContent) {
  // The extension decides.
  EXPECT_TRUE(isOnnxModel("model.onnx", ""));
  EXPECT_TRUE(isOnnxModel("model.onnx", "func.func @f() { return }"));
  EXPECT_FALSE(isOnnxModel("model.mlir", "\x08\x07\x12\x04kiln"));
  EXPECT_FALSE(isOnnxModel("model.mlirbc", "\x08\x07"));

  // Without one, the content does.
  EXPECT_FALSE(isOnnxModel("<stdin>", "func.func @f() {\n  return\n}\n"));
  EXPECT_FALSE(isOnnxModel("<stdin>", "module {\n}\n"));
  // Generic MLIR starts with '"' (0x22), which is also a protobuf tag.
  EXPECT_FALSE(
      isOnnxModel("<stdin>", "\"builtin.module\"() ({\n}) : () -> ()\n"));
  EXPECT_FALSE(isOnnxModel("<stdin>", llvm::StringRef("ML\xefR\x00\x05", 6)));
  // ir_version = 7, then a producer name: a serialized ModelProto.
  EXPECT_TRUE(isOnnxModel("<stdin>", "\x08\x07\x12\x04kiln"));
  EXPECT_FALSE(isOnnxModel("<stdin>", ""));
}

TEST(CompilerStages, Names) {
  EXPECT_EQ(getStageName(Stage::Kiln), "kiln");
  EXPECT_EQ(getStageName(Stage::LLVMDialect), "llvm-dialect");
  EXPECT_EQ(getStageName(Stage::Obj), "obj");
  EXPECT_EQ(getStageName(Stage::GPU), "gpu");
  EXPECT_EQ(getStageName(Stage::SPIRV), "spirv");
  EXPECT_EQ(getStageName(Stage::PTX), "ptx");
}
} // namespace
