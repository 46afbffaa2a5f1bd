//===- ConstantEvaluation.cpp - kiln-evaluate-constants' JIT ---------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// kiln-evaluate-constants hands the constant subgraphs over as a module of
// their own; this evaluator compiles it for the host with the default
// pipeline and runs it once. It works in a context of its own (the module
// travels as bytecode, blobs included): the caller's context has the
// compile report's remark engine and IR printing attached, which a nested
// compilation must neither feed nor replace.
//
//===----------------------------------------------------------------------===//

#include "kiln/Compiler/Compiler.h"

#include "Kiln/Transforms/Passes.h"
#include "kiln/Runtime/Jit.h"
#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {
class JitConstantEvaluator final : public ConstantEvaluator {
public:
  FailureOr<std::vector<std::vector<char>>>
  evaluate(ModuleOp module) override {
    auto fail = [&](const llvm::Twine &why) {
      emitWarning(module.getLoc())
          << "constants left to run time: " << why;
      return failure();
    };
    std::string bytecode;
    {
      llvm::raw_string_ostream os(bytecode);
      if (failed(writeBytecodeToFile(module, os)))
        return fail("cannot serialize the constant subgraphs");
    }
    DialectRegistry registry;
    registerCompilerDialects(registry);
    MLIRContext context(registry);
    std::string diagnostics;
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      llvm::raw_string_ostream os(diagnostics);
      os << "\n  " << diag.getLocation() << ": " << diag.str();
      return success();
    });

    // The default pipeline, less this pass itself; the host's target.
    CompilerOptions options;
    options.graph.evaluateConstants = false;
    auto session = CompilerSession::create(context, options);
    if (!session)
      return fail(llvm::toString(session.takeError()));
    if (llvm::Error err = (*session)->loadBuffer(bytecode, "<constants>",
                                                 /*isOnnx=*/false))
      return fail(llvm::toString(std::move(err)) + diagnostics);
    auto jit = (*session)->jit();
    if (!jit)
      return fail(llvm::toString(jit.takeError()) + diagnostics);
    const EntryPoint *entry = (*jit)->lookup("kiln_constants");
    if (!entry)
      return fail("no @kiln_constants function");
    auto results = (*jit)->run(*entry, {});
    if (!results)
      return fail(llvm::toString(results.takeError()));
    std::vector<std::vector<char>> bytes;
    for (HostArray &result : *results)
      bytes.push_back(std::move(result.data));
    return bytes;
  }
};
} // namespace

void mlir::kiln::registerJitConstantEvaluator() {
  setConstantEvaluatorFactory(
      [] { return std::make_unique<JitConstantEvaluator>(); });
}
