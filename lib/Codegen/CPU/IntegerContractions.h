//===- IntegerContractions.h - i8 tiles as x86 dot products -*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_INTEGERCONTRACTIONS_H
#define KILN_CODEGEN_CPU_INTEGERCONTRACTIONS_H

#include <cstdint>

namespace mlir {
class RewritePatternSet;
namespace kiln {
struct IntegerDotSupport;

/// Lowers the register tile of a packed i8 x i8 -> i32 contraction,
///
///   vector.contract (m, k) x (n, k) -> (m, n)
///       ext(vector<m0 x k0 x i8>), ext(vector<n0 x k0 x i8>), vector<m0 x n0 x i32>
///
/// into one x86 multiply-add per row and vector of columns: `vpdpbusd` for
/// k0 = 4 with an unsigned left and a signed right operand, `vpmaddwd` on
/// operands widened to i16 for k0 = 2. Each left row's k0 bytes are
/// broadcast to every i32 lane; the packed right panel is already
/// n0 x k0, one lane per column. Contractions of other shapes, or on a
/// target without the instruction, are left for the generic lowering.
void populateIntegerDotPatterns(RewritePatternSet &patterns,
                                const IntegerDotSupport &support,
                                int64_t vectorBits);

} // namespace kiln
} // namespace mlir

#endif // KILN_CODEGEN_CPU_INTEGERCONTRACTIONS_H
