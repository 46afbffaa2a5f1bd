//===- ConvertGPUToSPIRV.cpp - Kernels to Vulkan SPIR-V modules -----------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Upstream's convert-gpu-to-spirv puts a Vulkan (Shader) module next to its
// gpu.module, where gpu-module-to-binary does not look, converts no math
// ops or workgroup attributions, and needs every kernel to carry its
// entry-point ABI. This pass checks
// Vulkan's argument rules with errors that name the kernel, gives each
// kernel the workgroup size of its known block size, converts math ops and
// then the kernels (upstream's passes, as a nested pipeline), and nests
// each resulting spirv.module in its gpu.module.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/GPU/Passes.h"

#include "mlir/Conversion/GPUToSPIRV/GPUToSPIRVPass.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVAttributes.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVDialect.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "mlir/Dialect/SPIRV/IR/TargetAndABI.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCONVERTGPUTOSPIRVPASS
#include "kiln/Codegen/GPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// Checks Vulkan's rules on `kernel`'s arguments and gives it the
/// entry-point ABI of its known block size.
LogicalResult prepareKernel(gpu::GPUFuncOp kernel) {
  // The entry block also holds the workgroup attributions, after these.
  ArrayRef<BlockArgument> arguments =
      kernel.getBody().getArguments().take_front(kernel.getNumArguments());
  for (auto [i, arg] : llvm::enumerate(arguments)) {
    auto type = dyn_cast<MemRefType>(arg.getType());
    if (!type)
      return kernel.emitError("kiln-convert-gpu-to-spirv: kernel '")
             << kernel.getName() << "' takes " << arg.getType()
             << " as argument #" << i
             << ", but Vulkan kernels take buffers only";
    // Static shapes, or the 1-D runtime arrays of Kiln's launch ABI.
    if (!type.getLayout().isIdentity() ||
        (!type.hasStaticShape() && type.getRank() != 1))
      return kernel.emitError("kiln-convert-gpu-to-spirv: kernel '")
             << kernel.getName() << "' takes " << type << " as argument #"
             << i << "; Vulkan kernels take contiguous buffers with a "
             << "static shape or one dynamic dim";
  }
  // Workgroup attributions become allocations in workgroup memory, which
  // the SPIR-V conversion turns into Workgroup variables (it takes no
  // attributions).
  if (unsigned count = kernel.getNumWorkgroupAttributions()) {
    Block &entry = kernel.getBody().front();
    OpBuilder b(&entry, entry.begin());
    for (BlockArgument attribution : kernel.getWorkgroupAttributions()) {
      Value buffer = memref::AllocOp::create(
          b, attribution.getLoc(), cast<MemRefType>(attribution.getType()));
      attribution.replaceAllUsesWith(buffer);
    }
    entry.eraseArguments(kernel.getFirstWorkgroupAttributionIndex(), count);
    kernel->removeAttr(gpu::GPUFuncOp::getNumWorkgroupAttributionsAttrName());
  }
  std::optional<DenseI32ArrayAttr> block = kernel.getKnownBlockSizeAttr();
  if (!block || !*block)
    return kernel.emitError("kiln-convert-gpu-to-spirv: kernel '")
           << kernel.getName() << "' has no known block size";
  kernel->setAttr(spirv::getEntryPointABIAttrName(),
                  spirv::getEntryPointABIAttr(kernel.getContext(),
                                              block->asArrayRef()));
  return success();
}

bool hasSPIRVTarget(gpu::GPUModuleOp m) {
  return m.getTargetsAttr() &&
         llvm::any_of(m.getTargetsAttr(), llvm::IsaPred<spirv::TargetEnvAttr>);
}

struct KilnConvertGPUToSPIRVPass
    : kiln::impl::KilnConvertGPUToSPIRVPassBase<KilnConvertGPUToSPIRVPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> gpuModules;
    for (auto m : module.getOps<gpu::GPUModuleOp>())
      if (hasSPIRVTarget(m))
        gpuModules.push_back(m);
    if (gpuModules.empty())
      return;
    for (gpu::GPUModuleOp gpuModule : gpuModules)
      for (auto kernel : gpuModule.getOps<gpu::GPUFuncOp>())
        if (kernel.isKernel() && failed(prepareKernel(kernel)))
          return signalPassFailure();

    // Math first (upstream's kernel conversion has no math patterns), then
    // the kernels, into spirv.modules next to their gpu.modules.
    OpPassManager pm(ModuleOp::getOperationName());
    pm.nest<gpu::GPUModuleOp>().addPass(createConvertMathToSPIRVPass());
    pm.addPass(createConvertGPUToSPIRVPass(/*mapMemorySpace=*/true));
    if (failed(runPipeline(pm, module)))
      return signalPassFailure();

    for (gpu::GPUModuleOp gpuModule : gpuModules) {
      std::string name = ("__spv__" + gpuModule.getSymName()).str();
      auto spirvModule = dyn_cast_or_null<spirv::ModuleOp>(
          SymbolTable::lookupSymbolIn(module, name));
      if (!spirvModule) {
        gpuModule.emitError("kiln-convert-gpu-to-spirv: the conversion made "
                            "no spirv.module '")
            << name << "'";
        return signalPassFailure();
      }
      spirvModule->moveBefore(gpuModule.getBody(),
                              gpuModule.getBody()->begin());
    }
  }
};

} // namespace
