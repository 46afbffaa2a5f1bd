//===- AttachTarget.cpp - Describe the target in the IR -------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/Passes.h"

#include "Kiln/IR/KilnOps.h"
#include "kiln/Target/TargetDescription.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNATTACHTARGETPASS
#include "kiln/Target/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
struct KilnAttachTargetPass final
    : kiln::impl::KilnAttachTargetPassBase<KilnAttachTargetPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    StringRef name = KilnDialect::getTargetAttrName();
    bool explicitTarget = !triple.empty() || !cpu.empty() || !features.empty();
    if (!explicitTarget && module->hasAttr(name))
      return;
    llvm::Expected<TargetDescription> target =
        resolveTarget(TargetOptions{triple, cpu, features});
    if (!target) {
      module.emitError() << llvm::toString(target.takeError());
      return signalPassFailure();
    }
    module->setAttr(name, target->toAttr(&getContext()));
  }
};
} // namespace
