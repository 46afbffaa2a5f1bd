//===- EntryPoints.cpp - Entry-point signatures and shape checks ----------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The lowering takes a dynamic dim to equal the dim it is broadcast,
// contracted or concatenated against. Those assumptions are collected here
// with a union-find over (value, dim) pairs, so that callers can check them
// on the inputs before running anything.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/EntryPoints.h"

#include "Kiln/IR/KilnOps.h"
#include "Kiln/IR/ShapeUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

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
      if (auto it = bound.find(ra); it != bound.end())
        bound.try_emplace(rb, it->second);
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

int64_t rankOf(Value v) { return cast<RankedTensorType>(v.getType()).getRank(); }
int64_t sizeOf(Value v, int64_t d) {
  return cast<RankedTensorType>(v.getType()).getDimSize(d);
}

/// Result dims follow numpy broadcasting of the operands.
void unifyBroadcast(DimClasses &dims, ValueRange operands, Value result) {
  int64_t rank = rankOf(result);
  for (Value operand : operands) {
    int64_t offset = rank - rankOf(operand);
    for (int64_t d = 0; d < rankOf(operand); ++d)
      if (sizeOf(operand, d) != 1)
        dims.unify(operand, d, result, d + offset);
  }
}

void unifyAll(DimClasses &dims, Value a, Value b) {
  for (int64_t d = 0; d < rankOf(a); ++d)
    dims.unify(a, d, b, d);
}

void collectConstraints(Operation *op, DimClasses &dims) {
  if (!isa<KilnDialect>(op->getDialect()) || op->getNumResults() != 1)
    return;
  Value r = op->getResult(0);
  llvm::TypeSwitch<Operation *>(op)
      .Case<AddOp, SubOp, MulOp, DivOp, MaxOp, MinOp, PowOp, CompareOp,
            SelectOp, BroadcastToOp>(
          [&](Operation *o) { unifyBroadcast(dims, o->getOperands(), r); })
      .Case<NegOp, AbsOp, ExpOp, LogOp, SqrtOp, RsqrtOp, TanhOp, SigmoidOp,
            ReluOp, ErfOp, ClampOp, GeluOp, SoftmaxOp, LogSoftmaxOp, CastOp,
            QuantizeOp, DequantizeOp>(
          [&](Operation *o) { unifyAll(dims, o->getOperand(0), r); })
      .Case<BatchNormOp>([&](BatchNormOp o) {
        unifyAll(dims, o.getInput(), r);
        int64_t axis = *shape::normalizeAxis(o.getAxis(), rankOf(r));
        for (Value p : {o.getScale(), o.getBias(), o.getMean(), o.getVariance()})
          dims.unify(p, 0, r, axis);
      })
      .Case<LayerNormOp>([&](LayerNormOp o) {
        unifyAll(dims, o.getInput(), r);
        int64_t axis = *shape::normalizeAxis(o.getAxis(), rankOf(r));
        for (Value p : {o.getScale(), o.getBias()})
          if (p)
            for (int64_t d = 0; d < rankOf(p); ++d)
              dims.unify(p, d, r, axis + d);
      })
      .Case<TransposeOp>([&](TransposeOp o) {
        for (auto [i, p] : llvm::enumerate(o.getPerm()))
          dims.unify(o.getInput(), p, r, i);
      })
      .Case<MatmulOp>([&](MatmulOp o) {
        Value a = o.getLhs(), b = o.getRhs();
        int64_t ra = rankOf(a), rb = rankOf(b), rr = rankOf(r);
        bool tl = o.getTransposeLhs(), tr = o.getTransposeRhs();
        dims.unify(a, tl ? ra - 2 : ra - 1, b, tr ? rb - 1 : rb - 2);
        dims.unify(a, tl ? ra - 1 : ra - 2, r, rr - 2);
        dims.unify(b, tr ? rb - 2 : rb - 1, r, rr - 1);
        for (auto [v, rank] : {std::pair{a, ra}, std::pair{b, rb}})
          for (int64_t d = 0; d < rank - 2; ++d)
            if (sizeOf(v, d) != 1)
              dims.unify(v, d, r, d + (rr - rank));
      })
      .Case<LinearOp>([&](LinearOp o) {
        Value x = o.getInput(), w = o.getWeight();
        dims.unify(x, rankOf(x) - 1, w, 1);
        dims.unify(w, 0, r, rankOf(r) - 1);
        for (int64_t d = 0; d + 1 < rankOf(x); ++d)
          dims.unify(x, d, r, d);
        if (Value b = o.getBias())
          dims.unify(b, 0, w, 0);
      })
      .Case<OuterOp>([&](OuterOp o) {
        dims.unify(o.getLhs(), 0, r, 0);
        dims.unify(o.getRhs(), 0, r, 1);
      })
      .Case<Conv2DOp>([&](Conv2DOp o) {
        bool nchw = o.getLayout() == Layout::NCHW;
        int64_t c = nchw ? 1 : 3;
        dims.unify(o.getInput(), 0, r, 0);
        dims.unify(o.getFilter(), nchw ? 0 : 3, r, c);
        if (o.getGroups() == 1)
          dims.unify(o.getInput(), c, o.getFilter(), nchw ? 1 : 2);
        if (Value b = o.getBias())
          dims.unify(b, 0, r, c);
      })
      .Case<Pool2DOp, GlobalAvgPoolOp>([&](auto o) {
        int64_t c = o.getLayout() == Layout::NCHW ? 1 : 3;
        dims.unify(o.getInput(), 0, r, 0);
        dims.unify(o.getInput(), c, r, c);
      })
      .Case<ConcatOp>([&](ConcatOp o) {
        int64_t axis = *shape::normalizeAxis(o.getAxis(), rankOf(r));
        for (Value in : o.getInputs())
          for (int64_t d = 0; d < rankOf(r); ++d)
            if (d != axis)
              dims.unify(in, d, r, d);
      })
      .Case<ReshapeOp>([&](ReshapeOp o) {
        for (auto [i, s] : llvm::enumerate(o.getShape()))
          if (s == 0)
            dims.unify(o.getInput(), i, r, i);
      })
      .Case<GatherOp>([&](GatherOp o) {
        Value data = o.getData(), idx = o.getIndices();
        int64_t axis = *shape::normalizeAxis(o.getAxis(), rankOf(data));
        int64_t q = rankOf(idx);
        for (int64_t d = 0; d < axis; ++d)
          dims.unify(data, d, r, d);
        for (int64_t d = 0; d < q; ++d)
          dims.unify(idx, d, r, axis + d);
        for (int64_t d = axis + 1; d < rankOf(data); ++d)
          dims.unify(data, d, r, d - 1 + q);
      })
      .Case<ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ReduceMinOp, ReduceProdOp>(
          [&](auto o) {
            int64_t rank = rankOf(o.getInput());
            llvm::SmallBitVector reduced(rank, o.getAxes().empty());
            for (int64_t a : o.getAxes())
              reduced.set(*shape::normalizeAxis(a, rank));
            for (int64_t d = 0, out = 0; d < rank; ++d) {
              if (!reduced.test(d))
                dims.unify(o.getInput(), d, r, out);
              if (!reduced.test(d) || o.getKeepdims())
                ++out;
            }
          })
      .Case<AttentionOp>([&](AttentionOp o) {
        Value q = o.getQuery(), k = o.getKey(), v = o.getValue();
        int64_t rank = rankOf(q);
        for (int64_t d = 0; d < rank - 2; ++d) {
          dims.unify(q, d, k, d);
          dims.unify(q, d, v, d);
          dims.unify(q, d, r, d);
        }
        dims.unify(q, rank - 1, k, rank - 1);
        dims.unify(k, rank - 2, v, rank - 2);
        dims.unify(q, rank - 2, r, rank - 2);
        dims.unify(v, rank - 1, r, rank - 1);
        if (Value m = o.getMask()) {
          int64_t offset = rank - rankOf(m);
          for (int64_t d = 0; d < rankOf(m); ++d) {
            if (sizeOf(m, d) == 1)
              continue;
            int64_t sd = d + offset;
            if (sd < rank - 2)
              dims.unify(m, d, q, sd);
            else if (sd == rank - 2)
              dims.unify(m, d, q, rank - 2);
            else
              dims.unify(m, d, k, rank - 2);
          }
        }
      })
      .Default([](Operation *) {});
}

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
    spec.elementType = "i" + std::to_string(element.getIntOrFloatBitWidth());
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
    func.walk([&](Operation *op) { collectConstraints(op, dims); });
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
