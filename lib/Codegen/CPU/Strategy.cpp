//===- Strategy.cpp - CPU codegen strategies ------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Strategy.h"

#include "Kiln/IR/KilnOps.h"
#include "kiln/Target/TargetDescription.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/bit.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;
using namespace mlir::kiln;

/// The register tile and cache blocks for `elementBytes`-wide operands
/// whose K steps of the register tile are `k0` elements.
static ContractionStrategy tileFor(TargetAttr target, int64_t k0,
                                   int64_t elementBytes) {
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
  s.k0 = k0;
  // A kc x n0 x k0 slice of the packed right operand fills half of L1 (kc
  // counts register-tile K steps of k0 elements).
  int64_t stepBytes = s.n0 * k0 * elementBytes;
  int64_t kc = (l1 / 2) / stepBytes;
  uint64_t kcFloor =
      llvm::bit_floor(static_cast<uint64_t>(std::max<int64_t>(kc, 1)));
  s.kc = std::max<int64_t>(16, static_cast<int64_t>(kcFloor));
  // An mc x kc block of the packed left operand fills half of L2.
  int64_t l2 = target && target.getL2Cache() ? *target.getL2Cache() : 262144;
  s.mc = std::max<int64_t>(
      s.m0, (l2 / 2) / (s.kc * k0 * elementBytes) / s.m0 * s.m0);
  return s;
}

ContractionStrategy ContractionStrategy::forTarget(TargetAttr target) {
  return tileFor(target, /*k0=*/1, /*elementBytes=*/4);
}

ContractionStrategy
ContractionStrategy::forIntegerTarget(TargetAttr target,
                                      const IntegerDotSupport &dot,
                                      bool lhsUnsigned, bool rhsUnsigned) {
  int64_t vectorBits = target ? target.getVectorBits() : 128;
  // kc and mc are sized by the packed right operand, bytes for both
  // instructions (vpmaddwd's left operand is widened to i16).
  if (lhsUnsigned && !rhsUnsigned && dot.vnniLanes(vectorBits))
    return tileFor(target, /*k0=*/4, /*elementBytes=*/1);
  if (dot.pmaddwdLanes(vectorBits))
    return tileFor(target, /*k0=*/2, /*elementBytes=*/1);
  return tileFor(target, /*k0=*/1, /*elementBytes=*/1);
}

IntegerDotSupport IntegerDotSupport::forTarget(TargetAttr target) {
  IntegerDotSupport s;
  if (!target || !llvm::Triple(target.getTriple()).isX86())
    return s;
  TargetDescription t = TargetDescription::fromAttr(target);
  bool vnni = t.hasFeature("avx512vnni");
  s.vnni512 = vnni;
  s.vnni256 = (vnni && t.hasFeature("avx512vl")) || t.hasFeature("avxvnni");
  s.pmaddwd512 = t.hasFeature("avx512bw");
  s.pmaddwd256 = t.hasFeature("avx2");
  s.pmaddwd128 = t.hasFeature("sse2");
  return s;
}

int64_t IntegerDotSupport::vnniLanes(int64_t vectorBits) const {
  if (vnni512 && vectorBits >= 512)
    return 16;
  if (vnni256 && vectorBits >= 256)
    return 8;
  return 0;
}

int64_t IntegerDotSupport::pmaddwdLanes(int64_t vectorBits) const {
  if (pmaddwd512 && vectorBits >= 512)
    return 16;
  if (pmaddwd256 && vectorBits >= 256)
    return 8;
  if (pmaddwd128 && vectorBits >= 128)
    return 4;
  return 0;
}

/// `{kind = <kind>, <name> = <value> : i64, ...}`.
static DictionaryAttr
makeStrategyAttr(MLIRContext *context, StringRef kind,
                 ArrayRef<std::pair<StringRef, int64_t>> fields) {
  Builder b(context);
  SmallVector<NamedAttribute> entries = {
      b.getNamedAttr("kind", b.getStringAttr(kind))};
  for (auto [name, value] : fields)
    entries.push_back(b.getNamedAttr(name, b.getI64IntegerAttr(value)));
  return b.getDictionaryAttr(entries);
}

/// Reads the positive integer fields of `op`'s strategy of `kind` into
/// `fields`; false when `op` has no such strategy or a field is missing.
static bool readStrategyAttr(Operation *op, StringRef kind,
                             ArrayRef<std::pair<StringRef, int64_t *>> fields) {
  auto dict = op->getAttrOfType<DictionaryAttr>(kStrategyAttrName);
  auto kindAttr = dict ? dict.getAs<StringAttr>("kind") : StringAttr();
  if (!kindAttr || kindAttr.getValue() != kind)
    return false;
  for (auto [name, field] : fields) {
    auto value = dict.getAs<IntegerAttr>(name);
    if (!value || value.getInt() < 1)
      return false;
    *field = value.getInt();
  }
  return true;
}

DictionaryAttr ContractionStrategy::toAttr(MLIRContext *context) const {
  SmallVector<std::pair<StringRef, int64_t>> fields = {
      {"m0", m0}, {"n0", n0}, {"k0", k0}, {"kc", kc}};
  if (mc)
    fields.push_back({"mc", mc});
  return makeStrategyAttr(context, "mmt4d", fields);
}

std::optional<ContractionStrategy> ContractionStrategy::read(Operation *op) {
  ContractionStrategy s;
  if (!readStrategyAttr(
          op, "mmt4d",
          {{"m0", &s.m0}, {"n0", &s.n0}, {"k0", &s.k0}, {"kc", &s.kc}}))
    return std::nullopt;
  // mc is optional (a schedule's or a test's dictionary may leave it out:
  // no M blocks); a present one must be a positive multiple of m0.
  auto dict = op->getAttrOfType<DictionaryAttr>(kStrategyAttrName);
  if (auto mc = dict.getAs<IntegerAttr>("mc")) {
    if (mc.getInt() < s.m0 || mc.getInt() % s.m0 != 0)
      return std::nullopt;
    s.mc = mc.getInt();
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
  return makeStrategyAttr(context, "vectorize", {{"vector_size", vectorSize}});
}

std::optional<VectorizeStrategy> VectorizeStrategy::read(Operation *op) {
  VectorizeStrategy s;
  if (!readStrategyAttr(op, "vectorize", {{"vector_size", &s.vectorSize}}))
    return std::nullopt;
  return s;
}
