//===- MergeKernelModules.cpp - One gpu.module per model ------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/GPU/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNGPUMERGEKERNELMODULESPASS
#include "kiln/Codegen/GPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

constexpr StringLiteral kMergedName = "kiln_kernels";

struct KilnGPUMergeKernelModulesPass
    : kiln::impl::KilnGPUMergeKernelModulesPassBase<
          KilnGPUMergeKernelModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> modules(module.getOps<gpu::GPUModuleOp>());
    if (modules.empty())
      return;
    if (modules.size() == 1 && modules.front().getSymName() == kMergedName)
      return;
    for (gpu::GPUModuleOp m : modules)
      if (m.getSymName() == kMergedName) {
        m.emitError("kiln-gpu-merge-kernel-modules: the module already has "
                    "a gpu.module named '")
            << kMergedName << "'";
        return signalPassFailure();
      }

    OpBuilder b(modules.front());
    auto merged = gpu::GPUModuleOp::create(b, modules.front().getLoc(),
                                           kMergedName);
    SymbolTable mergedSymbols(merged);
    // Old (module, kernel) -> new kernel name.
    DenseMap<std::pair<StringAttr, StringAttr>, StringAttr> renamed;
    for (gpu::GPUModuleOp m : modules) {
      SmallVector<gpu::GPUFuncOp> funcs(m.getOps<gpu::GPUFuncOp>());
      if (llvm::range_size(m.getBody()->without_terminator()) !=
          funcs.size()) {
        m.emitError("kiln-gpu-merge-kernel-modules: expects outlined kernel "
                    "modules that hold only gpu.func ops");
        return signalPassFailure();
      }
      for (gpu::GPUFuncOp func : funcs) {
        StringAttr oldName = SymbolTable::getSymbolName(func);
        std::string name = m.getSymName().str();
        if (funcs.size() != 1)
          name += "_" + oldName.str();
        func->remove();
        SymbolTable::setSymbolName(func, name);
        // insert() renames on a clash and returns the name it kept.
        StringAttr kept = mergedSymbols.insert(func);
        renamed[{m.getSymNameAttr(), oldName}] = kept;
      }
    }

    WalkResult result = module.walk([&](gpu::LaunchFuncOp launch) {
      SymbolRefAttr kernel = launch.getKernel();
      auto it = renamed.find(
          {kernel.getRootReference(), kernel.getLeafReference()});
      if (it == renamed.end()) {
        launch.emitError("kiln-gpu-merge-kernel-modules: unknown kernel ")
            << kernel;
        return WalkResult::interrupt();
      }
      launch.setKernelAttr(SymbolRefAttr::get(
          merged.getSymNameAttr(), {FlatSymbolRefAttr::get(it->second)}));
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    for (gpu::GPUModuleOp m : modules)
      m.erase();
  }
};

} // namespace
