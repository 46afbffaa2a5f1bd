//===- CheckLaunches.cpp - Kernel launch failures become a status ---------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/GPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNGPUCHECKLAUNCHESPASS
#include "kiln/Codegen/GPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

constexpr StringLiteral kOkName = "kiln_gpu_ok";

struct KilnGPUCheckLaunchesPass
    : kiln::impl::KilnGPUCheckLaunchesPassBase<KilnGPUCheckLaunchesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::LaunchFuncOp> launches;
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isExternal())
        // Only launches in the body's block: kiln-runtime-checks turns
        // asserts there into a status. A failure in a nested launch is
        // sticky in the runtime, so the next check reports it.
        for (auto launch : func.getBody().front().getOps<gpu::LaunchFuncOp>())
          launches.push_back(launch);
    if (launches.empty())
      return;

    // `int kiln_gpu_ok(void)`, declared in the LLVM dialect so that no C
    // interface wrapper is requested for it.
    OpBuilder b(module.getBodyRegion());
    auto i32 = b.getI32Type();
    auto okType = LLVM::LLVMFunctionType::get(i32, {});
    auto ok = module.lookupSymbol<LLVM::LLVMFuncOp>(kOkName);
    if (!ok) {
      if (Operation *clash = module.lookupSymbol(kOkName)) {
        clash->emitError("kiln-gpu-check-launches: '")
            << kOkName << "' is the GPU runtime's; the module defines it";
        return signalPassFailure();
      }
      ok = LLVM::LLVMFuncOp::create(b, module.getLoc(), kOkName, okType);
    } else if (ok.getFunctionType() != okType) {
      ok.emitError("kiln-gpu-check-launches: '")
          << kOkName << "' must have type " << okType;
      return signalPassFailure();
    }
    for (gpu::LaunchFuncOp launch : launches) {
      Location loc = launch.getLoc();
      b.setInsertionPointAfter(launch);
      Value status = LLVM::CallOp::create(b, loc, ok, ValueRange()).getResult();
      Value succeeded = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::ne, status,
          arith::ConstantIntOp::create(b, loc, i32, 0));
      cf::AssertOp::create(
          b, loc, succeeded,
          ("GPU kernel '" + launch.getKernelName().getValue() +
           "' failed (kiln_gpu_last_error() has the driver's message)")
              .str());
    }
  }
};

} // namespace
