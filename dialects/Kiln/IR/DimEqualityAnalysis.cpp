//===- DimEqualityAnalysis.cpp - Which dynamic dims are equal -------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Kiln/IR/DimEqualityAnalysis.h"
#include "Kiln/IR/KilnInterfaces.h"
#include "Kiln/IR/ShapeUtils.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {
int64_t sizeOf(Value v, int64_t d) {
  return cast<RankedTensorType>(v.getType()).getDimSize(d);
}
} // namespace

DimEqualityAnalysis::DimEqualityAnalysis(Operation *root) {
  root->walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (op != root)
      visit(op);
  });
}

DimEqualityAnalysis::Key DimEqualityAnalysis::leader(Key k) const {
  auto it = parent.find(k);
  if (it == parent.end() || it->second == k)
    return k;
  Key root = leader(it->second);
  parent[k] = root;
  return root;
}

std::optional<int64_t> DimEqualityAnalysis::boundSize(Key k) const {
  if (auto it = bound.find(leader(k)); it != bound.end())
    return it->second;
  int64_t size = sizeOf(Value::getFromOpaquePointer(k.first), k.second);
  if (!shape::isDynamic(size))
    return size;
  return std::nullopt;
}

bool DimEqualityAnalysis::areEqual(Value a, int64_t i, Value b,
                                   int64_t j) const {
  Key ka = key(a, i), kb = key(b, j);
  if (leader(ka) == leader(kb))
    return true;
  std::optional<int64_t> sa = boundSize(ka), sb = boundSize(kb);
  return sa && sb && *sa == *sb;
}

void DimEqualityAnalysis::unify(Value a, int64_t i, Value b, int64_t j) {
  std::optional<int64_t> size = boundSize(key(a, i));
  if (!size)
    size = boundSize(key(b, j));
  Key ra = leader(key(a, i)), rb = leader(key(b, j));
  parent.try_emplace(ra, ra);
  parent.try_emplace(rb, rb);
  if (ra != rb)
    parent[ra] = rb;
  if (size)
    bound.try_emplace(rb, *size);
}

void DimEqualityAnalysis::visit(Operation *op) {
  auto iface = dyn_cast<DimEqualityOpInterface>(op);
  if (!iface)
    return;
  // Nested ops (a recurrent loop's body) cannot be checked where they run;
  // their equalities are assumed, as the entry checks enforce them.
  bool topLevel = op->getParentOp() &&
                  op->getParentOp()->hasTrait<OpTrait::IsIsolatedFromAbove>();

  // Broadcast dims first: each is known equal to its operand dims when
  // those are known equal among themselves, else a run-time broadcast.
  RuntimeBroadcast runtime{op, {}};
  llvm::SmallDenseSet<int64_t> broadcastDims;
  iface.getBroadcastDims(
      [&](int64_t d, ArrayRef<std::pair<unsigned, int64_t>> operandDims) {
        Value result = op->getResult(0);
        broadcastDims.insert(d);
        SmallVector<std::pair<Value, int64_t>> dims;
        for (auto [i, od] : operandDims)
          dims.push_back({op->getOperand(i), od});
        // A static result size counts too: broadcast_to's comes from its
        // shape.
        if (!shape::isDynamic(sizeOf(result, d)))
          dims.push_back({result, d});
        auto [first, fd] = dims.front();
        bool known = llvm::all_of(dims, [&, first = first, fd = fd](auto p) {
          return areEqual(first, fd, p.first, p.second);
        });
        if (known || !topLevel) {
          for (auto [v, vd] : dims)
            unify(v, vd, result, d);
          return;
        }
        runtime.dims.push_back({d, SmallVector<std::pair<unsigned, int64_t>>(
                                       operandDims)});
      });
  if (!runtime.dims.empty())
    broadcasts.push_back(std::move(runtime));

  SmallVector<std::tuple<Value, int64_t, Value, int64_t>> edges;
  iface.getDimEqualities([&](Value a, int64_t i, Value b, int64_t j) {
    auto isBroadcast = [&](Value v, int64_t d) {
      return op->getNumResults() && v == op->getResult(0) &&
             broadcastDims.contains(d);
    };
    if (!isBroadcast(a, i) && !isBroadcast(b, j))
      edges.emplace_back(a, i, b, j);
  });
  // A result dim seen for the first time is computed from the dim it is
  // tied to; remember which, so that a later requirement on it can name a
  // dim that exists before the op runs.
  llvm::DenseMap<Key, std::pair<Value, int64_t>> derivedFrom;
  auto isFresh = [&](Value v, int64_t d) {
    return v.getDefiningOp() == op && !isKnown(v, d) &&
           shape::isDynamic(sizeOf(v, d));
  };
  auto available = [&](Value v, int64_t d) -> std::pair<Value, int64_t> {
    if (v.getDefiningOp() == op)
      if (auto it = derivedFrom.find(key(v, d)); it != derivedFrom.end())
        return it->second;
    return {v, d};
  };
  for (auto [a, i, b, j] : edges) {
    if (areEqual(a, i, b, j)) {
      unify(a, i, b, j);
      continue;
    }
    if (isFresh(a, i) || isFresh(b, j)) {
      if (isFresh(a, i))
        derivedFrom[key(a, i)] = available(b, j);
      else
        derivedFrom[key(b, j)] = available(a, i);
      unify(a, i, b, j);
      continue;
    }
    if (topLevel) {
      auto [x, xi] = available(a, i);
      auto [y, yj] = available(b, j);
      requirements.push_back({op, x, xi, y, yj});
    }
    unify(a, i, b, j);
  }
}
