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

#include "IsolatedJit.h"

#include "Kiln/Transforms/Passes.h"
#include "kiln/Runtime/Jit.h"
#include "mlir/IR/Diagnostics.h"

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
    // The default pipeline, less this pass itself; the host's target.
    CompilerOptions options;
    options.graph.evaluateConstants = false;
    auto isolated = IsolatedJit::create(module, options, "<constants>");
    if (!isolated)
      return fail(llvm::toString(isolated.takeError()));
    JitModule &jit = (*isolated)->getJit();
    const EntryPoint *entry = jit.lookup("kiln_constants");
    if (!entry)
      return fail("no @kiln_constants function");
    auto results = jit.run(*entry, {});
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
