//===- onnx-import-fuzzer.cpp - libFuzzer harness for the ONNX importer ---===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Each input is a serialized ModelProto, imported with importOnnxModel (the
// protobuf parse, onnx's checker and shape inference, then Kiln's importer)
// as kiln-import would. Diagnostics are discarded: rejecting a model is
// fine, crashing is a bug. With KILN_FUZZ_VERIFY=1 a module the importer
// returns must also verify (the importer promises null on failure).
//
// Models that crashed onnx 1.12's own shape inference (which
// importOnnxModel runs before Kiln's importer sees the graph) are rejected
// by the importer's GuardedSchemaRegistry, so every input is imported.
//
// The model's name lies in an empty private folder, so that tensors with
// external data can only find files there. The context lives across inputs
// and is recreated every KILN_FUZZ_RECYCLE inputs (default 1000).
//
//===----------------------------------------------------------------------===//

#include "kiln/Import/Onnx.h"
#include "kiln/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

using namespace mlir;
using namespace mlir::kiln;

namespace {
long envOr(const char *name, long fallback) {
  const char *value = std::getenv(name);
  return value && *value ? std::strtol(value, nullptr, 10) : fallback;
}

struct State {
  DialectRegistry registry;
  std::unique_ptr<MLIRContext> context;
  std::string modelPath;
  long runs = 0;
  long recycle = envOr("KILN_FUZZ_RECYCLE", 1000);
  bool verifyResult = envOr("KILN_FUZZ_VERIFY", 0) != 0;

  State() {
    registerKilnDialects(registry);
    llvm::SmallString<128> dir;
    if (llvm::sys::fs::createUniqueDirectory("kiln-onnx-fuzz", dir))
      dir = "/nonexistent-kiln-onnx-fuzz";
    llvm::sys::path::append(dir, "model.onnx");
    modelPath = std::string(dir);
  }

  void runOne(llvm::StringRef bytes) {
    if (!context || (recycle > 0 && runs % recycle == 0)) {
      context = std::make_unique<MLIRContext>(registry,
                                              MLIRContext::Threading::DISABLED);
      context->loadAllAvailableDialects();
    }
    ++runs;
    ScopedDiagnosticHandler discard(context.get(),
                                    [](Diagnostic &) { return success(); });
    OwningOpRef<ModuleOp> module =
        importOnnxModel(bytes, modelPath, *context, OnnxImportOptions{});
    if (module && verifyResult && failed(verify(*module))) {
      llvm::errs() << "onnx-import-fuzzer: the importer returned a module "
                      "that does not verify\n";
      std::abort();
    }
  }
};

State &state() {
  static State *s = new State;
  return *s;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  state().runOne(bytes);
  return 0;
}
