//===- ElementsUtils.h - Reading and writing frozen weights -----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Compile-time arithmetic on frozen weights, which arrive either as `dense`
// elements or as `dense_resource` blobs.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_ELEMENTSUTILS_H
#define KILN_IR_ELEMENTSUTILS_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mlir::kiln {

/// Constants with more elements than this are written as `dense_resource`
/// blobs, keeping large weights out of the textual IR.
constexpr int64_t kResourceElementThreshold = 1024;

/// Reads the float elements of `attr` (dense, splat or dense_resource of
/// f32/f64) as doubles. Returns std::nullopt for anything else, such as a
/// resource whose blob is not loaded.
std::optional<SmallVector<double>> readFloatElements(ElementsAttr attr);

/// Builds elements of `type` (f16, bf16, f32 or f64) from `values`. f32 and
/// f64 constants above kResourceElementThreshold become `dense_resource`
/// blobs named after `blobName` (uniqued by the context).
ElementsAttr makeFloatElements(RankedTensorType type, ArrayRef<double> values,
                               StringRef blobName);

/// The bytes of the row-major data of a statically shaped `type` of integers
/// or floats with a whole number of bytes per element; std::nullopt for
/// anything else (i1, index, a `?` dim).
std::optional<int64_t> getRawDataBytes(ShapedType type);

/// The raw little-endian bytes of a non-splat `dense` or a loaded
/// `dense_resource` attribute of integers or floats with a whole number of
/// bytes per element; std::nullopt for anything else (including splats).
std::optional<ArrayRef<char>> getRawElementBytes(ElementsAttr attr);

/// Builds elements of `type` holding `bytes` (as getRawElementBytes returns
/// them): `dense` up to kResourceElementThreshold elements, else a
/// `dense_resource` blob named after `blobName`.
ElementsAttr makeElementsFromBytes(RankedTensorType type, ArrayRef<char> bytes,
                                   StringRef blobName);

} // namespace mlir::kiln

#endif // KILN_IR_ELEMENTSUTILS_H
