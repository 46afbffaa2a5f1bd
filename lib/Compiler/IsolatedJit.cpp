//===- IsolatedJit.cpp - JIT a module in a context of its own -------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "IsolatedJit.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::kiln;

llvm::Expected<std::unique_ptr<IsolatedJit>>
IsolatedJit::create(ModuleOp module, const CompilerOptions &options,
                    StringRef name) {
  auto fail = [&](const llvm::Twine &why) {
    return llvm::make_error<llvm::StringError>(
        why, llvm::inconvertibleErrorCode());
  };
  std::string bytecode;
  {
    llvm::raw_string_ostream os(bytecode);
    if (failed(writeBytecodeToFile(module, os)))
      return fail("cannot serialize " + name);
  }
  std::unique_ptr<IsolatedJit> result(new IsolatedJit());
  DialectRegistry registry;
  registerCompilerDialects(registry);
  result->context = std::make_unique<MLIRContext>(registry);
  std::string diagnostics;
  ScopedDiagnosticHandler handler(result->context.get(), [&](Diagnostic &d) {
    llvm::raw_string_ostream os(diagnostics);
    os << "\n  " << d.getLocation() << ": " << d.str();
    return success();
  });
  auto session = CompilerSession::create(*result->context, options);
  if (!session)
    return session.takeError();
  result->session = std::move(*session);
  if (llvm::Error err =
          result->session->loadBuffer(bytecode, name, /*isOnnx=*/false))
    return fail(llvm::toString(std::move(err)) + diagnostics);
  auto jit = result->session->jit();
  if (!jit)
    return fail(llvm::toString(jit.takeError()) + diagnostics);
  result->jit = std::move(*jit);
  return result;
}
