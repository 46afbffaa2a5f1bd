//===- Strategy.h - CPU codegen strategies ----------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The strategy of an op is chosen once, from the target description, by
// kiln-cpu-select-strategy and recorded on the op as `kiln.strategy`; the
// passes after it only read it back. This header is that attribute's one
// reader and writer.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_STRATEGY_H
#define KILN_CODEGEN_CPU_STRATEGY_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"
#include <optional>

namespace mlir::kiln {
class TargetAttr;

/// The discardable attribute holding an op's strategy.
inline constexpr StringLiteral kStrategyAttrName = "kiln.strategy";
/// Marks the contraction on packed operands that kiln-cpu-pack-contractions
/// made (loops: [batch,] M1, N1, K1, m0, n0, k0).
inline constexpr StringLiteral kPackedAttrName = "kiln.packed";
/// Marks an elementwise op that writes a packed contraction's accumulator.
/// Its loops are neither merged nor shared between threads: a collapsed or
/// per-thread view of the accumulator's buffer keeps the accumulator
/// hoisting from proving that the register tile's accesses are the only
/// ones in the K loop.
inline constexpr StringLiteral kAccumulatorAttrName = "kiln.accumulator";

/// The x86 multiply-add instructions a target has for i8 x i8 -> i32
/// register tiles, read from its CPU and features.
struct IntegerDotSupport {
  /// `vpdpbusd` (u8 x s8, 4 products per i32 lane) on zmm: AVX-512 VNNI.
  bool vnni512 = false;
  /// `vpdpbusd` on ymm: AVX-512 VNNI with VL, or AVX-VNNI.
  bool vnni256 = false;
  /// `vpmaddwd` (i16 x i16, 2 products per i32 lane) on zmm: AVX-512 BW.
  bool pmaddwd512 = false;
  /// `vpmaddwd` on ymm: AVX2.
  bool pmaddwd256 = false;
  /// `pmaddwd` on xmm: SSE2.
  bool pmaddwd128 = false;

  static IntegerDotSupport forTarget(TargetAttr target);
  /// The widest vpdpbusd and vpmaddwd the target has, in i32 lanes (0:
  /// none), no wider than `vectorBits`.
  int64_t vnniLanes(int64_t vectorBits) const;
  int64_t pmaddwdLanes(int64_t vectorBits) const;
};

/// Packed-operand register tiling (mmt4d): `m0 x n0 x k0` register tiles,
/// K blocked by `kc`, and M blocked by `mc` rows (a multiple of m0; 0: no
/// M blocks) so that a block of the packed left operand stays in L2 while
/// a task's N tiles reuse it.
struct ContractionStrategy {
  int64_t m0 = 1, n0 = 1, k0 = 1, kc = 1, mc = 0;

  /// Picks the tile for f32 on `target` (a generic 128-bit machine with 16
  /// vector registers when there is no target).
  static ContractionStrategy forTarget(TargetAttr target);
  /// Picks the tile for an i8 x i8 -> i32 contraction on `target`, which
  /// has the dot products `dot`: k0 = 4 for vpdpbusd (a `ui8` left operand
  /// and an `i8` right one, on a VNNI target), k0 = 2 for vpmaddwd (any
  /// signedness, x86), else k0 = 1 (the portable path).
  static ContractionStrategy forIntegerTarget(TargetAttr target,
                                              const IntegerDotSupport &dot,
                                              bool lhsUnsigned,
                                              bool rhsUnsigned);

  DictionaryAttr toAttr(MLIRContext *context) const;
  /// The strategy recorded on `op`, if it is an mmt4d one.
  static std::optional<ContractionStrategy> read(Operation *op);
};

/// Elementwise ops and reductions: tiles whose innermost loop is one vector
/// of `vectorSize` elements (the target's f32 lanes), vectorized; a
/// reduction over the innermost loop keeps a vector accumulator and reduces
/// it to a scalar once, after the loop.
struct VectorizeStrategy {
  int64_t vectorSize = 4;

  /// One register of f32 on `target` (4 lanes when there is no target).
  static VectorizeStrategy forTarget(TargetAttr target);

  DictionaryAttr toAttr(MLIRContext *context) const;
  /// The strategy recorded on `op`, if it is a vectorize one.
  static std::optional<VectorizeStrategy> read(Operation *op);
};

} // namespace mlir::kiln

#endif // KILN_CODEGEN_CPU_STRATEGY_H
