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
// by the importer now (its GuardedSchemaRegistry), so they are imported
// like any other input. KILN_FUZZ_UPSTREAM=0 skips the known cases
// (knownOnnxCrash below), as the harness did before those guards.
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
#include <onnx/onnx_pb.h>

#include <climits>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>

using namespace mlir;
using namespace mlir::kiln;

namespace {
long envOr(const char *name, long fallback) {
  const char *value = std::getenv(name);
  return value && *value ? std::strtol(value, nullptr, 10) : fallback;
}

/// Whether onnx 1.12's shape inference crashes on `model` (known cases).
bool knownOnnxCrash(const onnx::ModelProto &model) {
  const onnx::GraphProto &graph = model.graph();
  std::map<std::string, int> ranks;
  auto notTensor = [&](const onnx::ValueInfoProto &value) {
    if (value.type().has_tensor_type() &&
        value.type().tensor_type().has_shape())
      ranks[value.name()] = value.type().tensor_type().shape().dim_size();
    return value.has_type() && !value.type().has_tensor_type();
  };
  bool nonTensor = false;
  for (const auto &value : graph.input())
    nonTensor |= notTensor(value);
  for (const auto &value : graph.output())
    nonTensor |= notTensor(value);
  for (const auto &value : graph.value_info())
    nonTensor |= notTensor(value);
  for (const onnx::TensorProto &init : graph.initializer())
    ranks[init.name()] = init.dims_size();
  // MaxUnpool's inference reads the tensor type of its indices without
  // checking that they are a tensor: a null dereference.
  if (nonTensor)
    return true;
  auto rankOf = [&](const onnx::NodeProto &node, int i) {
    auto it = i < node.input_size() ? ranks.find(node.input(i)) : ranks.end();
    return it == ranks.end() ? -1 : it->second;
  };
  for (const onnx::NodeProto &node : graph.node()) {
    // convPoolShapeInference and convTransposeShapeInference index the
    // weights' dims by the input's rank, and the input's from 2 on.
    static const std::set<std::string> convPool = {
        "Conv",    "ConvTranspose", "ConvInteger", "QLinearConv",
        "MaxPool", "AveragePool",   "LpPool",      "MaxUnpool"};
    if (convPool.count(node.op_type())) {
      int input = rankOf(node, 0);
      int weights = rankOf(node, node.op_type() == "QLinearConv" ? 3 : 1);
      if ((input >= 0 && input < 3) ||
          (node.op_type().find("Conv") != std::string::npos && input >= 0 &&
           weights >= 0 && weights != input))
        return true;
    }
    if (node.op_type() != "LayerNormalization" || node.input_size() == 0)
      continue;
    // An axis (default -1) outside [-rank, rank), or one that does not fit
    // an int, indexes the mean's shape at a negative dim.
    int rank = rankOf(node, 0);
    int64_t axis = -1;
    for (const onnx::AttributeProto &attr : node.attribute())
      if (attr.name() == "axis")
        axis = attr.i();
    if (rank < 0 ? axis < -1 || axis > 8 : axis < -rank || axis >= rank)
      return true;
  }
  return false;
}

struct State {
  DialectRegistry registry;
  std::unique_ptr<MLIRContext> context;
  std::string modelPath;
  long runs = 0;
  long recycle = envOr("KILN_FUZZ_RECYCLE", 1000);
  bool verifyResult = envOr("KILN_FUZZ_VERIFY", 0) != 0;
  bool importUpstreamCrashes = envOr("KILN_FUZZ_UPSTREAM", 1) != 0;

  State() {
    registerKilnDialects(registry);
    llvm::SmallString<128> dir;
    if (llvm::sys::fs::createUniqueDirectory("kiln-onnx-fuzz", dir))
      dir = "/nonexistent-kiln-onnx-fuzz";
    llvm::sys::path::append(dir, "model.onnx");
    modelPath = std::string(dir);
  }

  /// Returns false for an input that is skipped.
  bool runOne(llvm::StringRef bytes) {
    if (!importUpstreamCrashes) {
      onnx::ModelProto model;
      if (bytes.size() <= static_cast<size_t>(INT_MAX) &&
          model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) &&
          knownOnnxCrash(model))
        return false;
    }
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
    return true;
  }
};

State &state() {
  static State *s = new State;
  return *s;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  return state().runOne(bytes) ? 0 : -1;
}
