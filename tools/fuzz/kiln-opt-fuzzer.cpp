//===- kiln-opt-fuzzer.cpp - libFuzzer harness for MLIR text input --------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Each input is MLIR text in the dialects Kiln's compiler takes as input
// (registerKilnDialects: kiln, func, tensor, quant; and builtin). It is
// parsed (and verified) in a context with the compiler's whole registry
// (registerCompilerDialects, as kiln-opt and kiln-compile use, so that the
// pipelines find every interface and extension); a module that verifies is
// run through the graph pipeline, then (in kiln-opt-fuzzer, not in
// kiln-graph-fuzzer, which defines KILN_FUZZ_GRAPH_ONLY) the lowering to the
// LLVM dialect (buildKilnCPUPipeline). Diagnostics are discarded: failing is
// fine, crashing is a bug.
//
// Inputs that name any other dialect (`linalg.`, `!llvm.`, ...) are
// rejected before parsing: their upstream parsers are not Kiln's to fuzz
// (`linalg.ceil<3>` crashes mlir-opt 22 too), and lowered IR is not what the
// compiler takes.
//
// Inputs that crash Debian's MLIR 22 parser itself (knownParserCrash below,
// e.g. `array<index>`) are skipped too, so that fuzzing gets past them to
// Kiln's code; KILN_FUZZ_UPSTREAM=1 parses them anyway.
//
// The context (single-threaded) and the pass manager live across inputs for
// speed; every input gets a fresh module. Every dialect is loaded up front,
// so that what parses does not depend on the inputs before. The context is
// recreated every KILN_FUZZ_RECYCLE inputs (default 1000) to bound the
// memory its uniqued types and attributes take; KILN_FUZZ_FRESH_PIPELINE=1
// builds a new pass manager for every input.
//
//===----------------------------------------------------------------------===//

#include "kiln/Compiler/Compiler.h"
#include "kiln/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

using namespace mlir;
using namespace mlir::kiln;

namespace {
#ifdef KILN_FUZZ_GRAPH_ONLY
constexpr bool kLowerToLLVM = false;
#else
constexpr bool kLowerToLLVM = true;
#endif

void buildPipeline(OpPassManager &pm) {
  if (kLowerToLLVM)
    buildKilnCPUPipeline(pm, GraphOptions{}, CodegenOptions{}, TargetOptions{});
  else
    buildKilnGraphPipeline(pm, GraphOptions{});
}

long envOr(const char *name, long fallback) {
  const char *value = std::getenv(name);
  return value && *value ? std::strtol(value, nullptr, 10) : fallback;
}

struct State {
  DialectRegistry registry;
  std::unique_ptr<MLIRContext> context;
  std::unique_ptr<PassManager> pm;
  long runs = 0;
  long recycle = envOr("KILN_FUZZ_RECYCLE", 1000);
  bool freshPipeline = envOr("KILN_FUZZ_FRESH_PIPELINE", 0) != 0;
  bool parseUpstreamCrashes = envOr("KILN_FUZZ_UPSTREAM", 0) != 0;

  /// `name.` of every registered dialect that inputs may not use.
  std::vector<std::string> foreignPrefixes;

  State() {
    // The compiler's registry: every dialect, with the interfaces and
    // extensions (TilingInterface models, convert-to-llvm, ...) that the
    // pipelines rely on.
    registerCompilerDialects(registry);
    DialectRegistry input;
    registerKilnDialects(input);
    llvm::StringSet<> allowed;
    allowed.insert("builtin");
    for (llvm::StringRef name : input.getDialectNames())
      allowed.insert(name);
    for (llvm::StringRef name : registry.getDialectNames())
      if (!allowed.contains(name))
        foreignPrefixes.push_back((name + ".").str());
  }

  /// Whether `text` spells `dialect.` of a foreign dialect (as an op, type
  /// or attribute name, quoted or not).
  bool namesForeignDialect(llvm::StringRef text) const {
    auto isIdentifierChar = [](char c) {
      return llvm::isAlnum(c) || c == '_' || c == '$' || c == '.';
    };
    for (const std::string &prefix : foreignPrefixes)
      for (size_t pos = text.find(prefix); pos != llvm::StringRef::npos;
           pos = text.find(prefix, pos + 1))
        if (pos == 0 || !isIdentifierChar(text[pos - 1]))
          return true;
    return false;
  }

  /// Whether MLIR 22's parser crashes on `text` (known cases): a dense
  /// array of `index` (parseDenseArrayAttr takes the bit width of `index`).
  static bool knownParserCrash(llvm::StringRef text) {
    for (size_t pos = text.find("array"); pos != llvm::StringRef::npos;
         pos = text.find("array", pos + 1)) {
      llvm::StringRef rest = text.drop_front(pos + 5).ltrim();
      if (rest.consume_front("<") && rest.ltrim().starts_with("index"))
        return true;
    }
    return false;
  }

  void reset() {
    pm.reset();
    context = std::make_unique<MLIRContext>(registry,
                                            MLIRContext::Threading::DISABLED);
    context->loadAllAvailableDialects();
  }

  PassManager &passManager() {
    if (!pm || freshPipeline) {
      pm = std::make_unique<PassManager>(context.get());
      buildPipeline(*pm);
    }
    return *pm;
  }

  /// Returns false for an input that is rejected before parsing.
  bool runOne(llvm::StringRef text) {
    if (namesForeignDialect(text) ||
        (!parseUpstreamCrashes && knownParserCrash(text)))
      return false;
    if (!context || (recycle > 0 && runs % recycle == 0))
      reset();
    ++runs;
    ScopedDiagnosticHandler discard(context.get(),
                                    [](Diagnostic &) { return success(); });
    llvm::SourceMgr sourceMgr;
    // An exact-size copy, so that ASan sees reads past the end.
    sourceMgr.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(text, "fuzz.mlir"), llvm::SMLoc());
    ParserConfig config(context.get(), /*verifyAfterParse=*/true);
    OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, config);
    if (!module)
      return true;
    (void)passManager().run(*module);
    return true;
  }
};

State &state() {
  static State *s = new State;
  return *s;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  // Text only: bytecode has its own (upstream) reader.
  if (text.starts_with("ML\xefR"))
    return -1;
  return state().runOne(text) ? 0 : -1;
}
