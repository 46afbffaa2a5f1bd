//===- CompileReport.cpp - What the graph passes did ----------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Compiler/CompileReport.h"

#include "Kiln/IR/Origins.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include <cmath>
#include "llvm/Support/raw_ostream.h"
#include <set>

using namespace mlir;
using namespace mlir::kiln;

std::map<std::string, int64_t> mlir::kiln::countOpsByName(Operation *root) {
  std::map<std::string, int64_t> counts;
  root->walk([&](Operation *op) {
    if (op == root || isa<func::FuncOp, func::ReturnOp>(op) ||
        !op->getParentOfType<func::FuncOp>())
      return;
    ++counts[op->getName().getStringRef().str()];
  });
  return counts;
}

KernelStats &KernelStats::operator+=(const KernelStats &other) {
  kernels += other.kernels;
  intermediateBytes += other.intermediateBytes;
  dynamicIntermediates += other.dynamicIntermediates;
  return *this;
}

std::optional<int64_t> mlir::kiln::getStaticBytes(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasStaticShape() ||
      !shaped.getElementType().isIntOrIndexOrFloat())
    return std::nullopt;
  int64_t bits = shaped.getElementType().isIndex()
                     ? 64
                     : shaped.getElementType().getIntOrFloatBitWidth();
  return shaped.getNumElements() * llvm::divideCeil(bits, 8);
}

/// Kernels are linalg ops that no other linalg op contains.
static bool isKernel(Operation *op) {
  return isa<linalg::LinalgOp>(op) &&
         !op->getParentOfType<linalg::LinalgOp>();
}

KernelStats mlir::kiln::computeKernelStats(Operation *root) {
  KernelStats stats;
  root->walk([&](Operation *op) {
    if (!isKernel(op))
      return;
    ++stats.kernels;
    for (Value result : op->getResults()) {
      // A result that leaves the function is an output; one that only
      // other kernels update in place shares their buffer.
      bool intermediate = !result.use_empty() &&
                          llvm::none_of(result.getUsers(), [](Operation *u) {
                            return isa<func::ReturnOp>(u);
                          }) &&
                          !llvm::all_of(result.getUses(), [](OpOperand &use) {
                            auto dps = dyn_cast<DestinationStyleOpInterface>(
                                use.getOwner());
                            return dps && dps.isDpsInit(&use);
                          });
      if (!intermediate)
        continue;
      if (std::optional<int64_t> bytes = getStaticBytes(result.getType()))
        stats.intermediateBytes += *bytes;
      else
        ++stats.dynamicIntermediates;
    }
  });
  return stats;
}

std::vector<FusionGroup> mlir::kiln::collectFusionGroups(Operation *root) {
  std::vector<FusionGroup> groups;
  root->walk([&](Operation *op) {
    if (!isKernel(op))
      return;
    SmallVector<Origin> origins = getOrigins(op->getLoc());
    if (origins.size() < 2)
      return;
    FusionGroup group;
    if (auto func = op->getParentOfType<func::FuncOp>())
      group.function = func.getSymName().str();
    for (const Origin &origin : origins)
      group.ops.push_back(origin.describe());
    groups.push_back(std::move(group));
  });
  return groups;
}

static std::string formatBytes(int64_t bytes) {
  if (bytes >= (int64_t(1) << 20))
    return llvm::formatv("{0:F1} MiB", bytes / 1048576.0).str();
  if (bytes >= 1024)
    return llvm::formatv("{0:F1} KiB", bytes / 1024.0).str();
  return llvm::formatv("{0} B", bytes).str();
}

/// One line per (pass, rewrite): its count and, where it has them, its
/// bytes followed by `bytesSuffix`.
static void
printRewrites(llvm::raw_ostream &os,
              const std::map<std::pair<std::string, std::string>, int64_t>
                  &counts,
              const std::map<std::pair<std::string, std::string>, int64_t>
                  &bytes,
              StringRef bytesSuffix) {
  for (const auto &[key, count] : counts) {
    std::string label = key.second + " (" + key.first + ")";
    os << llvm::format("  %-48s %8lld", label.c_str(),
                       static_cast<long long>(count));
    if (auto it = bytes.find(key); it != bytes.end())
      os << "   " << formatBytes(it->second) << bytesSuffix;
    os << "\n";
  }
}

void CompileReport::print(llvm::raw_ostream &os) const {
  os << "Graph passes:\n";
  os << llvm::format("  %-48s %8lld\n", "constants folded (canonicalize)",
                     static_cast<long long>(constantsFolded));
  os << llvm::format("  %-48s %8lld\n", "dead ops erased (canonicalize)",
                     static_cast<long long>(deadOpsErased));
  printRewrites(os, rewrites, rewriteBytes, " of constants");
  int64_t folded = constantBytesFolded;
  for (const auto &[key, bytes] : rewriteBytes)
    folded += bytes;
  os << llvm::format("  %-48s %8s\n", "constants folded, in bytes",
                     formatBytes(folded).c_str());
  std::set<std::string> names;
  for (const auto &[name, count] : opsBefore)
    names.insert(name);
  for (const auto &[name, count] : opsAfter)
    names.insert(name);
  int64_t totalBefore = 0, totalAfter = 0;
  os << "Ops by kind:\n";
  os << llvm::format("  %-48s %8s %8s\n", "op", "before", "after");
  for (const std::string &name : names) {
    auto get = [&](const std::map<std::string, int64_t> &m) -> int64_t {
      auto it = m.find(name);
      return it == m.end() ? 0 : it->second;
    };
    int64_t before = get(opsBefore), after = get(opsAfter);
    totalBefore += before;
    totalAfter += after;
    os << llvm::format("  %-48s %8lld %8lld\n", name.c_str(),
                       static_cast<long long>(before),
                       static_cast<long long>(after));
  }
  os << llvm::format("  %-48s %8lld %8lld\n", "total",
                     static_cast<long long>(totalBefore),
                     static_cast<long long>(totalAfter));
  if (!kernelsBeforeFusion || !kernelsAfterFusion)
    return;
  os << "Kernels (linalg on tensors):\n";
  os << llvm::format("  %-48s %14s %14s\n", "", "before fusion",
                     "after fusion");
  os << llvm::format("  %-48s %14lld %14lld\n", "kernels",
                     static_cast<long long>(kernelsBeforeFusion->kernels),
                     static_cast<long long>(kernelsAfterFusion->kernels));
  os << llvm::format(
      "  %-48s %14s %14s\n", "intermediate tensors, in bytes",
      formatBytes(kernelsBeforeFusion->intermediateBytes).c_str(),
      formatBytes(kernelsAfterFusion->intermediateBytes).c_str());
  if (kernelsBeforeFusion->dynamicIntermediates ||
      kernelsAfterFusion->dynamicIntermediates)
    os << llvm::format(
        "  %-48s %14lld %14lld\n", "intermediate tensors of dynamic shape",
        static_cast<long long>(kernelsBeforeFusion->dynamicIntermediates),
        static_cast<long long>(kernelsAfterFusion->dynamicIntermediates));
  os << "Fusion groups: " << fusionGroups.size() << "\n";
  for (const FusionGroup &group : fusionGroups) {
    os << "  @" << group.function << ": ";
    llvm::interleave(group.ops, os, " + ");
    os << "\n";
  }
  if (!codegenRewrites.empty()) {
    os << "Code generation (bytes: intermediate tensors no longer written "
          "whole):\n";
    printRewrites(os, codegenRewrites, codegenBytes, "");
  }
  if (quantizedLayers.empty())
    return;
  os << "int8 quantization (SQNR of each layer on the calibration inputs):\n";
  os << llvm::format("  %-40s %-12s %22s %9s  %s\n", "layer", "op",
                     "activation range", "SQNR dB", "");
  for (const QuantizedLayer &layer : quantizedLayers) {
    std::string range = llvm::formatv("[{0:g}, {1:g}]", layer.lo, layer.hi);
    std::string sqnr = std::isinf(layer.sqnrDb)
                           ? std::string("exact")
                           : llvm::formatv("{0:f1}", layer.sqnrDb).str();
    os << llvm::format("  %-40s %-12s %22s %9s  %s\n", layer.name.c_str(),
                       layer.op.c_str(), range.c_str(), sqnr.c_str(),
                       layer.quantized ? "int8"
                                       : ("float: " + layer.reason).c_str());
  }
}

void CompileReport::printJSON(llvm::raw_ostream &os) const {
  auto ops = [](const std::map<std::string, int64_t> &m) {
    llvm::json::Object o;
    for (const auto &[name, count] : m)
      o[name] = count;
    return o;
  };
  auto rewriteList = [](const auto &counts, const auto &bytes) {
    llvm::json::Array list;
    for (const auto &[key, count] : counts) {
      llvm::json::Object rewrite{
          {"pass", key.first}, {"rewrite", key.second}, {"count", count}};
      if (auto it = bytes.find(key); it != bytes.end())
        rewrite["bytes"] = it->second;
      list.push_back(std::move(rewrite));
    }
    return list;
  };
  llvm::json::Array passes = rewriteList(rewrites, rewriteBytes);
  llvm::json::Object report{
      {"constants_folded", constantsFolded},
      {"constant_bytes_folded", constantBytesFolded},
      {"dead_ops_erased", deadOpsErased},
      {"rewrites", std::move(passes)},
      {"ops_before", ops(opsBefore)},
      {"ops_after", ops(opsAfter)},
  };
  auto kernels = [](const KernelStats &stats) {
    return llvm::json::Object{
        {"kernels", stats.kernels},
        {"intermediate_bytes", stats.intermediateBytes},
        {"dynamic_intermediates", stats.dynamicIntermediates}};
  };
  if (kernelsBeforeFusion && kernelsAfterFusion) {
    report["kernels_before_fusion"] = kernels(*kernelsBeforeFusion);
    report["kernels_after_fusion"] = kernels(*kernelsAfterFusion);
    llvm::json::Array groups;
    for (const FusionGroup &group : fusionGroups) {
      llvm::json::Array groupOps;
      for (const std::string &op : group.ops)
        groupOps.push_back(op);
      groups.push_back(llvm::json::Object{{"function", group.function},
                                          {"ops", std::move(groupOps)}});
    }
    report["fusion_groups"] = std::move(groups);
  }
  if (!codegenRewrites.empty())
    report["codegen_rewrites"] = rewriteList(codegenRewrites, codegenBytes);
  if (!quantizedLayers.empty()) {
    llvm::json::Array layers;
    for (const QuantizedLayer &layer : quantizedLayers) {
      llvm::json::Object o{{"name", layer.name},
                           {"op", layer.op},
                           {"lo", layer.lo},
                           {"hi", layer.hi},
                           {"quantized", layer.quantized}};
      // JSON has no infinity: an exact layer has no SQNR figure.
      if (!std::isinf(layer.sqnrDb))
        o["sqnr_db"] = layer.sqnrDb;
      if (!layer.reason.empty())
        o["reason"] = layer.reason;
      layers.push_back(std::move(o));
    }
    report["quantized_layers"] = std::move(layers);
  }
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(report))) << "\n";
}
