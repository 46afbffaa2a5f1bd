//===- EntryPoints.cpp - Entry-point signatures and shape checks ----------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The lowering takes a dynamic dim to equal the dim it is broadcast,
// contracted or concatenated against. Each op states those assumptions
// through DimEqualityOpInterface; they are collected here with a union-find
// over (value, dim) pairs, so that callers can check them on the inputs
// before running anything.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/EntryPoints.h"

#include "Kiln/IR/KilnOps.h"
#include "Kiln/IR/ShapeUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {
/// Union-find over dims; each class may be bound to a static size.
class DimClasses {
public:
  using Key = std::pair<void *, int64_t>; // (Value impl, dim)

  void unify(Value a, int64_t da, Value b, int64_t db) {
    Key ra = find(key(a, da)), rb = find(key(b, db));
    if (ra != rb) {
      parent[ra] = rb;
      // Copied out first: the insertion may grow the map and free the
      // bucket `it` points into (a use-after-free ASan found).
      if (auto it = bound.find(ra); it != bound.end()) {
        int64_t size = it->second;
        bound.try_emplace(rb, size);
      }
    }
    for (auto [v, d] : {std::pair{a, da}, std::pair{b, db}}) {
      int64_t size = cast<RankedTensorType>(v.getType()).getDimSize(d);
      if (!shape::isDynamic(size))
        bound.try_emplace(rb, size);
    }
  }

  /// The static size bound to the class of `k`, if any.
  std::optional<int64_t> boundSize(Key k) {
    if (auto it = bound.find(find(k)); it != bound.end())
      return it->second;
    return std::nullopt;
  }

  Key leader(Key k) { return find(k); }

  static Key key(Value v, int64_t d) { return {v.getAsOpaquePointer(), d}; }

private:
  Key find(Key k) {
    auto it = parent.find(k);
    if (it == parent.end()) {
      parent[k] = k;
      return k;
    }
    if (it->second == k)
      return k;
    Key root = find(it->second);
    parent[k] = root;
    return root;
  }

  llvm::DenseMap<Key, Key> parent;
  llvm::DenseMap<Key, int64_t> bound;
};

FailureOr<TensorSpec> specFor(Type type, std::string name, Location loc) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return emitError(loc) << "entry point " << name
                          << " must be a ranked tensor, got " << type;
  Type element = tensor.getElementType();
  if (auto q = dyn_cast<quant::QuantizedType>(element))
    element = q.getStorageType();
  TensorSpec spec;
  spec.name = std::move(name);
  spec.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
  if (element.isF32())
    spec.elementType = "f32";
  else if (element.isF64())
    spec.elementType = "f64";
  else if (element.isF16())
    spec.elementType = "f16";
  else if (element.isBF16())
    spec.elementType = "bf16";
  else if (element.isInteger(1))
    spec.elementType = "i1";
  else if (element.isInteger(8) || element.isInteger(16) ||
           element.isInteger(32) || element.isInteger(64))
    spec.elementType = (element.isUnsignedInteger() ? "u" : "i") +
                       std::to_string(element.getIntOrFloatBitWidth());
  else
    return emitError(loc) << "entry point " << spec.name
                          << " has unsupported element type " << element;
  spec.elementBytes =
      element.isInteger(1) ? 1 : element.getIntOrFloatBitWidth() / 8;
  return spec;
}
} // namespace

FailureOr<std::vector<EntryPoint>>
mlir::kiln::collectEntryPoints(ModuleOp module) {
  std::vector<EntryPoint> entries;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isPrivate() || func.isExternal())
      continue;
    EntryPoint entry;
    entry.name = func.getSymName().str();
    for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
      std::string name = "arg" + std::to_string(i);
      if (auto attr = func.getArgAttrOfType<StringAttr>(i, "kiln.name"))
        name = attr.str();
      FailureOr<TensorSpec> spec = specFor(arg.getType(), name, func.getLoc());
      if (failed(spec))
        return failure();
      entry.inputs.push_back(*spec);
    }
    for (auto [i, type] : llvm::enumerate(func.getResultTypes())) {
      std::string name = "result" + std::to_string(i);
      if (auto attr = func.getResultAttrOfType<StringAttr>(i, "kiln.name"))
        name = attr.str();
      FailureOr<TensorSpec> spec = specFor(type, name, func.getLoc());
      if (failed(spec))
        return failure();
      entry.results.push_back(*spec);
    }

    DimClasses dims;
    func.walk([&](DimEqualityOpInterface op) {
      op.getDimEqualities([&](Value a, int64_t i, Value b, int64_t j) {
        dims.unify(a, i, b, j);
      });
    });
    // A dynamic input dim must equal its class's static size, or the first
    // input dim seen in its class.
    llvm::DenseMap<DimClasses::Key, std::pair<unsigned, unsigned>> firstSeen;
    for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
      auto type = dyn_cast<RankedTensorType>(arg.getType());
      for (int64_t d = 0; d < type.getRank(); ++d) {
        if (!type.isDynamicDim(d))
          continue;
        DimClasses::Key key = DimClasses::key(arg, d);
        DimConstraint c{static_cast<unsigned>(i), static_cast<unsigned>(d),
                        std::nullopt, std::nullopt};
        if (std::optional<int64_t> size = dims.boundSize(key)) {
          c.equalsConstant = *size;
          entry.constraints.push_back(c);
          continue;
        }
        auto [it, inserted] =
            firstSeen.try_emplace(dims.leader(key), c.input, c.dim);
        if (!inserted) {
          c.equalsInputDim = it->second;
          entry.constraints.push_back(c);
        }
      }
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::string
mlir::kiln::checkInputShapes(const EntryPoint &entry,
                             ArrayRef<SmallVector<int64_t>> shapes) {
  std::string message;
  llvm::raw_string_ostream os(message);
  if (shapes.size() != entry.inputs.size()) {
    os << entry.name << ": expected " << entry.inputs.size()
       << " inputs, got " << shapes.size();
    return message;
  }
  for (auto [i, spec] : llvm::enumerate(entry.inputs)) {
    if (shapes[i].size() != spec.shape.size()) {
      os << entry.name << ": input " << spec.name << " has rank "
         << shapes[i].size() << ", expected " << spec.shape.size();
      return message;
    }
    for (auto [d, expected] : llvm::enumerate(spec.shape)) {
      int64_t got = shapes[i][d];
      if (got < 0 || (!shape::isDynamic(expected) && got != expected)) {
        os << entry.name << ": input " << spec.name << " dim " << d << " is "
           << got << ", expected " << (shape::isDynamic(expected) ? std::string(">= 0") : std::to_string(expected));
        return message;
      }
    }
  }
  for (const DimConstraint &c : entry.constraints) {
    int64_t got = shapes[c.input][c.dim];
    if (c.equalsConstant && got != *c.equalsConstant) {
      os << entry.name << ": input " << entry.inputs[c.input].name << " dim "
         << c.dim << " is " << got << ", but the model needs "
         << *c.equalsConstant;
      return message;
    }
    if (c.equalsInputDim) {
      auto [oi, od] = *c.equalsInputDim;
      if (got != shapes[oi][od]) {
        os << entry.name << ": input " << entry.inputs[c.input].name
           << " dim " << c.dim << " is " << got << " but input "
           << entry.inputs[oi].name << " dim " << od << " is "
           << shapes[oi][od] << "; the model needs them equal";
        return message;
      }
    }
  }
  return message;
}
