//===- GPUPipeline.cpp - Kiln GPU code generation pipelines ---------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Pipelines/Pipelines.h"

#include "kiln/Codegen/GPU/Passes.h"
#include "kiln/Conversion/Passes.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVAttributes.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "mlir/Dialect/SPIRV/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace mlir;

std::string mlir::kiln::getPTXVersionFor(StringRef chip) {
  unsigned sm = 0;
  if (!chip.consume_front("sm_"))
    return "";
  bool archSpecific = chip.consume_back("a");
  if (chip.getAsInteger(10, sm))
    return "";
  // The first PTX ISA of each architecture (PTX ISA release notes).
  unsigned ptx = 0;
  if (sm >= 120)
    ptx = 87;
  else if (sm >= 100)
    ptx = 86;
  else if (sm >= 90)
    ptx = archSpecific ? 80 : 78;
  else if (sm >= 89)
    ptx = 78;
  else if (sm >= 87)
    ptx = 74;
  else if (sm >= 86)
    ptx = 71;
  else if (sm >= 80)
    ptx = 70;
  else if (sm >= 75)
    ptx = 63;
  else if (sm >= 70)
    ptx = 60;
  else
    return "";
  return "ptx" + std::to_string(ptx);
}

void mlir::kiln::buildKilnGPUCodegenPipeline(OpPassManager &pm,
                                              const GPUOptions &gpu) {
  pm.addPass(createConvertBufferizationToMemRefPass());
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  if (gpu.matmulTile > 0)
    funcPm.addPass(createKilnGPUTileMatmulsPass(
        KilnGPUTileMatmulsPassOptions{gpu.matmulTile}));
  funcPm.addPass(createConvertLinalgToParallelLoopsPass());
  // Kernels index their buffers directly, not views of them: Vulkan binds
  // whole buffers, and the launch ABI passes base buffers.
  funcPm.addPass(memref::createFoldMemRefAliasOpsPass());
  funcPm.addPass(createCanonicalizerPass());
  funcPm.addPass(createKilnGPUMapParallelLoopsPass(
      KilnGPUMapParallelLoopsPassOptions{gpu.blockSize}));
  funcPm.addPass(createConvertParallelLoopToGpuPass());
  funcPm.addPass(createCanonicalizerPass());
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createKilnGPUMergeKernelModulesPass());
  pm.addPass(createKilnGPUPackLaunchArgumentsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

std::string mlir::kiln::findCudaToolkit() {
  std::string root = "/usr/local/cuda";
  if (const char *home = std::getenv("CUDA_HOME"))
    root = home;
  for (StringRef tool : {"ptxas", "fatbinary"}) {
    llvm::SmallString<128> path(root);
    llvm::sys::path::append(path, "bin", tool);
    if (!llvm::sys::fs::can_execute(path))
      return "";
  }
  return root;
}

void mlir::kiln::buildKilnGPUToLLVMPipeline(OpPassManager &pm,
                                             const CodegenOptions &codegen,
                                             const GPUOptions &gpu) {
  bool vulkan = gpu.target == "vulkan";
  if (vulkan) {
    // Vulkan 1.1 with the storage and arithmetic widths Kiln's kernels use
    // (spirv-update-vce keeps only those a module needs); lavapipe and
    // current GPUs have them all.
    GpuSPIRVAttachTargetOptions target;
    target.spirvVersion = "v1.3";
    target.spirvCapabilities = {"Shader",
                                "Int64",
                                "Int16",
                                "Int8",
                                "Float16",
                                "Float64",
                                "StorageBuffer16BitAccess",
                                "StorageBuffer8BitAccess"};
    target.spirvExtensions = {"SPV_KHR_storage_buffer_storage_class",
                              "SPV_KHR_8bit_storage",
                              "SPV_KHR_16bit_storage"};
    target.clientApi = "Vulkan";
    // The options struct leaves the device id uninitialized.
    target.deviceId = spirv::TargetEnvAttr::kUnknownDeviceID;
    pm.addPass(createGpuSPIRVAttachTarget(target));
  } else {
    GpuNVVMAttachTargetOptions target;
    target.chip = gpu.chip;
    target.features = "+" + getPTXVersionFor(gpu.chip);
    pm.addPass(createGpuNVVMAttachTarget(target));
  }

  OpPassManager &devicePm = pm.nest<gpu::GPUModuleOp>();
  devicePm.addPass(createLowerAffinePass());
  // erf and friends have no SPIR-V or PTX instruction.
  if (codegen.approximateMath)
    devicePm.addPass(createKilnApproximateMathPass());
  devicePm.addPass(arith::createArithExpandOpsPass());
  devicePm.addPass(createCanonicalizerPass());
  if (vulkan) {
    pm.addPass(createKilnConvertGPUToSPIRVPass());
    OpPassManager &spirvPm = pm.nest<gpu::GPUModuleOp>().nest<spirv::ModuleOp>();
    spirvPm.addPass(spirv::createSPIRVLowerABIAttributesPass());
    spirvPm.addPass(spirv::createSPIRVUpdateVCEPass());
  } else {
    devicePm.addPass(createSCFToControlFlowPass());
    devicePm.addPass(createConvertGpuOpsToNVVMOps());
    devicePm.addPass(createReconcileUnrealizedCastsPass());
  }
  GpuModuleToBinaryPassOptions binary;
  // Vulkan: the SPIR-V binary, loaded with its size (mgpuModuleLoad).
  if (vulkan) {
    binary.compilationTarget = "bin";
  } else {
    // A fatbin (cubin + PTX) is loaded with mgpuModuleLoad, PTX alone with
    // mgpuModuleLoadJIT; the toolkit also provides libdevice.
    std::string toolkit = findCudaToolkit();
    bool fatbin = gpu.cudaBinary == "fatbin" ||
                  (gpu.cudaBinary == "auto" && !toolkit.empty());
    binary.compilationTarget = fatbin ? "fatbin" : "isa";
    binary.toolkitPath = toolkit;
  }
  pm.addPass(createGpuModuleToBinaryPass(binary));

  pm.addPass(createKilnGPUCheckLaunchesPass());
  buildKilnToLLVMPipeline(pm, codegen, /*gpuHost=*/true);
}
