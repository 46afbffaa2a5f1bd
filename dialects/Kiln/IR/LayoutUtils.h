//===- LayoutUtils.h - Dim positions of the image layouts -------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Where the batch, channel and spatial dims sit in the image and filter
// tensors of each `kiln::Layout`, so that the ops, their lowering and the
// graph passes all read them from one place:
//
//   layout | image          | conv2d filter
//   nchw   | [N, C, H, W]   | [F, C/groups, KH, KW]
//   nhwc   | [N, H, W, C]   | [KH, KW, C/groups, F]
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_LAYOUTUTILS_H
#define KILN_IR_LAYOUTUTILS_H

#include "Kiln/IR/KilnOps.h"

#include "llvm/ADT/SmallVector.h"
#include <array>

namespace mlir::kiln {

/// Positions of the dims of a rank-4 image tensor.
struct ImageDims {
  int64_t batch, channel, height, width;

  /// The spatial dims, height first.
  std::array<int64_t, 2> spatial() const { return {height, width}; }
};

/// Positions of the dims of a conv2d filter: output channels, input channels
/// per group, kernel height and kernel width.
struct FilterDims {
  int64_t output, input, height, width;

  /// The kernel's spatial dims, height first.
  std::array<int64_t, 2> spatial() const { return {height, width}; }
};

/// The dim positions of an image tensor in `layout`.
inline ImageDims getImageDims(Layout layout) {
  switch (layout) {
  case Layout::NCHW:
    return {/*batch=*/0, /*channel=*/1, /*height=*/2, /*width=*/3};
  case Layout::NHWC:
    return {/*batch=*/0, /*channel=*/3, /*height=*/1, /*width=*/2};
  }
  llvm_unreachable("unknown layout");
}

/// The dim positions of a conv2d filter for images in `layout`.
inline FilterDims getFilterDims(Layout layout) {
  switch (layout) {
  case Layout::NCHW:
    return {/*output=*/0, /*input=*/1, /*height=*/2, /*width=*/3};
  case Layout::NHWC:
    return {/*output=*/3, /*input=*/2, /*height=*/0, /*width=*/1};
  }
  llvm_unreachable("unknown layout");
}

/// The shape of an image in `layout` with the given batch, channel, height
/// and width sizes.
inline SmallVector<int64_t, 4> getImageShape(Layout layout, int64_t batch,
                                             int64_t channels, int64_t height,
                                             int64_t width) {
  ImageDims dims = getImageDims(layout);
  SmallVector<int64_t, 4> shape(4);
  shape[dims.batch] = batch;
  shape[dims.channel] = channels;
  shape[dims.height] = height;
  shape[dims.width] = width;
  return shape;
}

} // namespace mlir::kiln

#endif // KILN_IR_LAYOUTUTILS_H
