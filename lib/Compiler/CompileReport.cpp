//===- CompileReport.cpp - What the graph passes did ----------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Compiler/CompileReport.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Operation.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
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

void CompileReport::print(llvm::raw_ostream &os) const {
  os << "Graph passes:\n";
  os << llvm::format("  %-44s %8lld\n", "constants folded (canonicalize)",
                     static_cast<long long>(constantsFolded));
  os << llvm::format("  %-44s %8lld\n", "dead ops erased (canonicalize)",
                     static_cast<long long>(deadOpsErased));
  for (const auto &[key, count] : rewrites) {
    std::string label = key.second + " (" + key.first + ")";
    os << llvm::format("  %-44s %8lld\n", label.c_str(),
                       static_cast<long long>(count));
  }
  std::set<std::string> names;
  for (const auto &[name, count] : opsBefore)
    names.insert(name);
  for (const auto &[name, count] : opsAfter)
    names.insert(name);
  int64_t totalBefore = 0, totalAfter = 0;
  os << "Ops by kind:\n";
  os << llvm::format("  %-44s %8s %8s\n", "op", "before", "after");
  for (const std::string &name : names) {
    auto get = [&](const std::map<std::string, int64_t> &m) -> int64_t {
      auto it = m.find(name);
      return it == m.end() ? 0 : it->second;
    };
    int64_t before = get(opsBefore), after = get(opsAfter);
    totalBefore += before;
    totalAfter += after;
    os << llvm::format("  %-44s %8lld %8lld\n", name.c_str(),
                       static_cast<long long>(before),
                       static_cast<long long>(after));
  }
  os << llvm::format("  %-44s %8lld %8lld\n", "total",
                     static_cast<long long>(totalBefore),
                     static_cast<long long>(totalAfter));
}

void CompileReport::printJSON(llvm::raw_ostream &os) const {
  auto ops = [](const std::map<std::string, int64_t> &m) {
    llvm::json::Object o;
    for (const auto &[name, count] : m)
      o[name] = count;
    return o;
  };
  llvm::json::Array passes;
  for (const auto &[key, count] : rewrites)
    passes.push_back(llvm::json::Object{
        {"pass", key.first}, {"rewrite", key.second}, {"count", count}});
  llvm::json::Object report{
      {"constants_folded", constantsFolded},
      {"dead_ops_erased", deadOpsErased},
      {"rewrites", std::move(passes)},
      {"ops_before", ops(opsBefore)},
      {"ops_after", ops(opsAfter)},
  };
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(report))) << "\n";
}
