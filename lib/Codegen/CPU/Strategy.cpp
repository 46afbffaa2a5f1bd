//===- Strategy.cpp - CPU codegen strategies ------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Strategy.h"

#include "Kiln/IR/KilnOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/bit.h"

using namespace mlir;
using namespace mlir::kiln;

ContractionStrategy ContractionStrategy::forTarget(TargetAttr target) {
  int64_t vectorBits = target ? target.getVectorBits() : 128;
  int64_t registers = target ? target.getVectorRegisters() : 16;
  int64_t l1 = target && target.getL1dCache() ? *target.getL1dCache() : 32768;
  int64_t lanes = std::max<int64_t>(vectorBits / 32, 1);
  ContractionStrategy s;
  // Two vectors per accumulator row; the rest of the registers hold rows,
  // keeping one for the broadcast left element and two for the right row.
  s.n0 = 2 * lanes;
  int64_t vectorsPerRow = s.n0 / lanes;
  s.m0 = std::clamp<int64_t>((registers - 3) / vectorsPerRow, 1, 8);
  s.k0 = 1;
  // A kc x n0 slice of the packed right operand fills half of L1.
  int64_t kc = (l1 / 2) / (s.n0 * 4);
  s.kc = std::max<int64_t>(16, static_cast<int64_t>(llvm::bit_floor(static_cast<uint64_t>(std::max<int64_t>(kc, 1)))));
  return s;
}

DictionaryAttr ContractionStrategy::toAttr(MLIRContext *context) const {
  Builder b(context);
  return b.getDictionaryAttr({
      b.getNamedAttr("kind", b.getStringAttr("mmt4d")),
      b.getNamedAttr("m0", b.getI64IntegerAttr(m0)),
      b.getNamedAttr("n0", b.getI64IntegerAttr(n0)),
      b.getNamedAttr("k0", b.getI64IntegerAttr(k0)),
      b.getNamedAttr("kc", b.getI64IntegerAttr(kc)),
  });
}

std::optional<ContractionStrategy> ContractionStrategy::read(Operation *op) {
  auto dict = op->getAttrOfType<DictionaryAttr>(kStrategyAttrName);
  if (!dict)
    return std::nullopt;
  auto kind = dict.getAs<StringAttr>("kind");
  if (!kind || kind.getValue() != "mmt4d")
    return std::nullopt;
  ContractionStrategy s;
  for (auto [name, field] :
       {std::pair{"m0", &s.m0}, std::pair{"n0", &s.n0},
        std::pair{"k0", &s.k0}, std::pair{"kc", &s.kc}}) {
    auto value = dict.getAs<IntegerAttr>(name);
    if (!value || value.getInt() < 1)
      return std::nullopt;
    *field = value.getInt();
  }
  return s;
}

VectorizeStrategy VectorizeStrategy::forTarget(TargetAttr target) {
  VectorizeStrategy s;
  s.vectorSize =
      std::max<int64_t>(target ? target.getVectorLanes(32) : 128 / 32, 1);
  return s;
}

DictionaryAttr VectorizeStrategy::toAttr(MLIRContext *context) const {
  Builder b(context);
  return b.getDictionaryAttr({
      b.getNamedAttr("kind", b.getStringAttr("vectorize")),
      b.getNamedAttr("vector_size", b.getI64IntegerAttr(vectorSize)),
  });
}

std::optional<VectorizeStrategy> VectorizeStrategy::read(Operation *op) {
  auto dict = op->getAttrOfType<DictionaryAttr>(kStrategyAttrName);
  if (!dict)
    return std::nullopt;
  auto kind = dict.getAs<StringAttr>("kind");
  if (!kind || kind.getValue() != "vectorize")
    return std::nullopt;
  auto size = dict.getAs<IntegerAttr>("vector_size");
  if (!size || size.getInt() < 1)
    return std::nullopt;
  VectorizeStrategy s;
  s.vectorSize = size.getInt();
  return s;
}
