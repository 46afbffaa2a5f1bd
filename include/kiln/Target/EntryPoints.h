//===- EntryPoints.h - Entry-point signatures and shape checks --*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// What a caller of compiled code must know about each public function: the
// element type and dims of every input and output, and the run-time checks
// that make mismatched shapes a clean error instead of an out-of-bounds
// access. Shared by the C header generator (AOT) and kiln-run (JIT).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TARGET_ENTRYPOINTS_H
#define KILN_TARGET_ENTRYPOINTS_H

#include "mlir/IR/BuiltinOps.h"
#include <string>
#include <vector>

namespace mlir::kiln {

/// One tensor argument or result at the ABI.
struct TensorSpec {
  std::string name;           ///< e.g. "x" or "result0"
  std::string elementType;    ///< "f32", "f64", "i1", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f16", "bf16"
  unsigned elementBytes = 4;  ///< storage size of one element
  std::vector<int64_t> shape; ///< ShapedType::kDynamic for dynamic dims
};

/// A run-time requirement on an input dim: equal to a constant, or to a dim
/// of an earlier input. Derived from the ops' contraction and broadcasting
/// rules. With `orOne`, either side may also be 1: the two broadcast
/// against each other (numpy).
struct DimConstraint {
  unsigned input, dim;
  std::optional<int64_t> equalsConstant;
  std::optional<std::pair<unsigned, unsigned>> equalsInputDim;
  bool orOne = false;
};

struct EntryPoint {
  std::string name;
  std::vector<TensorSpec> inputs, results;
  std::vector<DimConstraint> constraints;
};

/// Collects the public functions of `module` (before lowering, on tensor
/// types) with their shape constraints. Fails with a diagnostic on an
/// argument or result that is not a ranked tensor of a supported type.
FailureOr<std::vector<EntryPoint>> collectEntryPoints(ModuleOp module);

/// Checks concrete input shapes against `entry`; returns an error message
/// naming the input and dim, or an empty string when they fit.
std::string checkInputShapes(const EntryPoint &entry,
                             ArrayRef<SmallVector<int64_t>> shapes);

} // namespace mlir::kiln

#endif // KILN_TARGET_ENTRYPOINTS_H
