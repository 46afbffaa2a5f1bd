//===- KilnToLLVMIRTranslation.cpp - kiln attributes in LLVM IR -----------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The kiln dialect's attributes that survive to the LLVM dialect are ABI
// annotations: `kiln.name` on entry-point arguments and results (read by
// entry-point collection before lowering) and the module's `kiln.target`
// (read by codegen and emission). Neither has an LLVM IR meaning; this
// interface tells the translation so, instead of letting it warn about
// "unhandled parameter attributes" on every function.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/Emission.h"

#include "Kiln/IR/KilnOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Target/LLVMIR/LLVMTranslationInterface.h"

using namespace mlir;

namespace {
class KilnDialectLLVMIRTranslationInterface final
    : public LLVMTranslationDialectInterface {
public:
  using LLVMTranslationDialectInterface::LLVMTranslationDialectInterface;

  LogicalResult
  amendOperation(Operation *, ArrayRef<llvm::Instruction *>, NamedAttribute,
                 LLVM::ModuleTranslation &) const override {
    return success();
  }

  LogicalResult
  convertParameterAttr(LLVM::LLVMFuncOp, int, NamedAttribute,
                       LLVM::ModuleTranslation &) const override {
    return success();
  }
};
} // namespace

void mlir::kiln::registerKilnDialectTranslation(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *, KilnDialect *dialect) {
    dialect->addInterfaces<KilnDialectLLVMIRTranslationInterface>();
  });
}
