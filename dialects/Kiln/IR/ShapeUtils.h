//===- ShapeUtils.h - Shape arithmetic for Kiln ops -------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Pure shape computations shared by the kiln op verifiers, type inference,
// importers and lowerings. Dims are int64_t with ShapedType::kDynamic for `?`.
// Functions that can fail return std::nullopt / failure and describe the
// problem in `error`, so that callers attach the message to their own
// diagnostic.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_SHAPEUTILS_H
#define KILN_IR_SHAPEUTILS_H

#include "mlir/IR/BuiltinTypeInterfaces.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>
#include <string>

namespace mlir::kiln::shape {

constexpr int64_t kDynamic = ShapedType::kDynamic;

inline bool isDynamic(int64_t dim) { return dim == kDynamic; }

/// Formats a shape as `2x?x4` (or `scalar` for rank 0), for diagnostics.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Broadcasts two shapes with numpy rules. A dynamic dim against 1 stays
/// dynamic; against a static dim > 1 it takes that dim (it must be equal or 1
/// at run time). Returns std::nullopt when two static dims conflict.
std::optional<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> lhs, llvm::ArrayRef<int64_t> rhs);

/// True when two dims may be equal at run time.
inline bool areCompatibleDims(int64_t a, int64_t b) {
  return isDynamic(a) || isDynamic(b) || a == b;
}

/// Joins two compatible dims, preferring the static one.
inline int64_t joinDims(int64_t a, int64_t b) { return isDynamic(a) ? b : a; }

/// Maps `axis` in [-rank, rank) to [0, rank); std::nullopt when out of range.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank);

/// Output extent of a sliding window (convolution or pooling) along one dim.
/// Returns kDynamic when `input` or `kernel` is dynamic, and a value < 1
/// when the padded input is smaller than the dilated kernel. With
/// `ceilMode`, rounds up but drops a last window that would start in the
/// trailing padding (the ONNX / PyTorch rule).
int64_t windowOutputSize(int64_t input, int64_t kernel, int64_t stride,
                         int64_t dilation, int64_t padBefore,
                         int64_t padAfter, bool ceilMode = false);

/// Result shape of `kiln.reshape` with ONNX semantics: -1 infers one dim from
/// the element count, 0 copies the input dim at the same index.
std::optional<llvm::SmallVector<int64_t>>
inferReshape(llvm::ArrayRef<int64_t> input, llvm::ArrayRef<int64_t> spec,
             std::string &error);

/// A slice bound (start or end, step > 0) of a static dim of size `dim`,
/// normalized as numpy does: a negative one counts from the end, then it is
/// clamped into [0, dim].
int64_t clampSliceBound(int64_t dim, int64_t bound);

/// Number of elements of input[start:end:step] for a dim of size `dim`, with
/// numpy clamping of negative and out-of-range bounds. `step` must be > 0.
/// Returns kDynamic when `dim` is dynamic.
int64_t sliceSize(int64_t dim, int64_t start, int64_t end, int64_t step);

/// Product of static dims; std::nullopt if any dim is dynamic.
std::optional<int64_t> staticElementCount(llvm::ArrayRef<int64_t> shape);

} // namespace mlir::kiln::shape

#endif // KILN_IR_SHAPEUTILS_H
