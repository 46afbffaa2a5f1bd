//===- EntryPoints.cpp - Entry-point signatures and shape checks ----------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The lowering takes a dynamic dim to equal the dim it is contracted or
// concatenated against. Each op states those assumptions through
// DimEqualityOpInterface; DimEqualityAnalysis sorts them into classes of
// equal dims, which are checked here on the inputs before running anything.
// Dims that broadcast at run time (numpy's 1) tie nothing together; input
// dims that meet in one must be equal or 1, and the generated code checks
// the others as it broadcasts.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/EntryPoints.h"

#include "Kiln/IR/DimEqualityAnalysis.h"
#include "Kiln/IR/KilnOps.h"
#include "Kiln/IR/ShapeUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {
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

    DimEqualityAnalysis dims(func);
    // A dynamic input dim must equal its class's static size, or the first
    // input dim seen in its class.
    llvm::DenseMap<DimEqualityAnalysis::Key, std::pair<unsigned, unsigned>> firstSeen;
    for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
      auto type = dyn_cast<RankedTensorType>(arg.getType());
      for (int64_t d = 0; d < type.getRank(); ++d) {
        if (!type.isDynamicDim(d))
          continue;
        DimEqualityAnalysis::Key key = DimEqualityAnalysis::key(arg, d);
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
    // Dims that broadcast at run time: where two of them trace back to
    // input dims (or one to a static size), those must be equal or 1.
    for (const DimEqualityAnalysis::RuntimeBroadcast &rb :
         dims.getRuntimeBroadcasts()) {
      for (const DimEqualityAnalysis::BroadcastDim &bd : rb.dims) {
        std::optional<std::pair<unsigned, unsigned>> first;
        std::optional<int64_t> constant;
        auto resultType = cast<RankedTensorType>(rb.op->getResult(0).getType());
        if (!resultType.isDynamicDim(bd.resultDim))
          constant = resultType.getDimSize(bd.resultDim);
        SmallVector<std::pair<unsigned, unsigned>> others;
        for (auto [i, od] : bd.operandDims) {
          DimEqualityAnalysis::Key key =
              DimEqualityAnalysis::key(rb.op->getOperand(i), od);
          if (std::optional<int64_t> size = dims.boundSize(key)) {
            constant = *size;
            continue;
          }
          auto it = firstSeen.find(dims.leader(key));
          if (it == firstSeen.end())
            continue;
          if (!first)
            first = it->second;
          else if (it->second != *first)
            others.push_back(it->second);
        }
        if (!first)
          continue;
        auto [fi, fd] = *first;
        if (constant)
          entry.constraints.push_back({fi, fd, constant, std::nullopt, true});
        for (auto [oi, od] : others)
          entry.constraints.push_back({oi, od, std::nullopt, first, true});
      }
    }
    // By input and dim, so that the first failing check names the first
    // input.
    llvm::sort(entry.constraints, [](const DimConstraint &a,
                                     const DimConstraint &b) {
      return std::tuple(a.input, a.dim, a.orOne, a.equalsConstant,
                        a.equalsInputDim) <
             std::tuple(b.input, b.dim, b.orOne, b.equalsConstant,
                        b.equalsInputDim);
    });
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
    if (c.equalsConstant && got != *c.equalsConstant &&
        !(c.orOne && got == 1)) {
      os << entry.name << ": input " << entry.inputs[c.input].name << " dim "
         << c.dim << " is " << got << ", but the model needs "
         << *c.equalsConstant << (c.orOne ? " (or 1, to broadcast)" : "");
      return message;
    }
    if (c.equalsInputDim) {
      auto [oi, od] = *c.equalsInputDim;
      int64_t other = shapes[oi][od];
      if (got != other && !(c.orOne && (got == 1 || other == 1))) {
        os << entry.name << ": input " << entry.inputs[c.input].name
           << " dim " << c.dim << " is " << got << " but input "
           << entry.inputs[oi].name << " dim " << od << " is " << other
           << (c.orOne ? "; the model broadcasts them, so they must be "
                         "equal or 1"
                       : "; the model needs them equal");
        return message;
      }
    }
  }
  return message;
}
