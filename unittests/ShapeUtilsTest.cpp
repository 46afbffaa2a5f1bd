//===- ShapeUtilsTest.cpp - Tests for Kiln shape arithmetic ---------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Kiln/IR/ShapeUtils.h"

#include <gtest/gtest.h>

using namespace mlir::kiln::shape;
using Shape = llvm::SmallVector<int64_t>;

namespace {
constexpr int64_t Q = kDynamic;

TEST(BroadcastShapes, NumpyRules) {
  EXPECT_EQ(*broadcastShapes({2, 3}, {3}), (Shape{2, 3}));
  EXPECT_EQ(*broadcastShapes({4, 1}, {1, 5}), (Shape{4, 5}));
  EXPECT_EQ(*broadcastShapes({}, {2, 2}), (Shape{2, 2}));
  EXPECT_EQ(*broadcastShapes({8, 1, 6, 1}, {7, 1, 5}), (Shape{8, 7, 6, 5}));
  EXPECT_FALSE(broadcastShapes({2, 3}, {4}).has_value());
  EXPECT_FALSE(broadcastShapes({2, 1}, {8, 4, 3}).has_value());
}

TEST(BroadcastShapes, DynamicDims) {
  // ? against 1 stays ?, ? against a static dim > 1 takes it.
  EXPECT_EQ(*broadcastShapes({Q, 1}, {1, 4}), (Shape{Q, 4}));
  EXPECT_EQ(*broadcastShapes({Q, 768}, {768}), (Shape{Q, 768}));
  EXPECT_EQ(*broadcastShapes({Q}, {5}), (Shape{5}));
  EXPECT_EQ(*broadcastShapes({Q}, {Q}), (Shape{Q}));
}

TEST(NormalizeAxis, Range) {
  EXPECT_EQ(normalizeAxis(-1, 4), 3);
  EXPECT_EQ(normalizeAxis(0, 4), 0);
  EXPECT_EQ(normalizeAxis(-4, 4), 0);
  EXPECT_FALSE(normalizeAxis(4, 4).has_value());
  EXPECT_FALSE(normalizeAxis(-5, 4).has_value());
  EXPECT_FALSE(normalizeAxis(0, 0).has_value());
}

TEST(WindowOutputSize, Convolution) {
  // ResNet stem: 224, k7, s2, p3 -> 112.
  EXPECT_EQ(windowOutputSize(224, 7, 2, 1, 3, 3), 112);
  // 3x3 same padding.
  EXPECT_EQ(windowOutputSize(56, 3, 1, 1, 1, 1), 56);
  // Dilation 2 enlarges a 3x3 kernel to 5x5.
  EXPECT_EQ(windowOutputSize(56, 3, 1, 2, 0, 0), 52);
  // Prime sizes and strides that do not divide.
  EXPECT_EQ(windowOutputSize(13, 3, 2, 1, 0, 0), 6);
  EXPECT_EQ(windowOutputSize(7, 7, 1, 1, 0, 0), 1);
  EXPECT_EQ(windowOutputSize(Q, 3, 1, 1, 1, 1), Q);
  EXPECT_EQ(windowOutputSize(4, 9, 1, 1, 0, 0), 0);
}

TEST(WindowOutputSize, CeilMode) {
  // 112, k3, s2, p1: floor gives 56, ceil gives 57 -> 56 after dropping the
  // window that would start in the padding? (111 % 2 != 0 keeps 57.)
  EXPECT_EQ(windowOutputSize(112, 3, 2, 1, 1, 1, /*ceilMode=*/false), 56);
  EXPECT_EQ(windowOutputSize(112, 3, 2, 1, 1, 1, /*ceilMode=*/true), 57);
  // 5, k2, s2: floor 2, ceil 3 (last window starts at 4, inside the input).
  EXPECT_EQ(windowOutputSize(5, 2, 2, 1, 0, 0, true), 3);
  // 4, k2, s2, p1/p1: ceil would give 4 but the last window would start in
  // the trailing padding (6 >= 4 + 1), so it is dropped: 3 (PyTorch agrees).
  EXPECT_EQ(windowOutputSize(4, 2, 2, 1, 1, 1, true), 3);
}

TEST(InferReshape, Entries) {
  std::string err;
  EXPECT_EQ(*inferReshape({2, 3, 4}, {-1, 4}, err), (Shape{6, 4}));
  EXPECT_EQ(*inferReshape({2, 3, 4}, {0, -1}, err), (Shape{2, 12}));
  EXPECT_EQ(*inferReshape({Q, 3, 4}, {0, 12}, err), (Shape{Q, 12}));
  EXPECT_EQ(*inferReshape({Q, 3, 4}, {-1, 12}, err), (Shape{Q, 12}));
  EXPECT_EQ(*inferReshape({7}, {7, 1, 1}, err), (Shape{7, 1, 1}));
}

TEST(InferReshape, Errors) {
  std::string err;
  EXPECT_FALSE(inferReshape({12}, {-1, -1}, err).has_value());
  EXPECT_NE(err.find("more than one -1"), std::string::npos);
  err.clear();
  EXPECT_FALSE(inferReshape({12}, {5, -1}, err).has_value());
  EXPECT_NE(err.find("cannot infer"), std::string::npos);
  err.clear();
  EXPECT_FALSE(inferReshape({12}, {5, 2}, err).has_value());
  EXPECT_NE(err.find("12 elements"), std::string::npos);
  err.clear();
  EXPECT_FALSE(inferReshape({12}, {12, 0}, err).has_value());
  EXPECT_NE(err.find("copy the input dim"), std::string::npos);
  err.clear();
  EXPECT_FALSE(inferReshape({12}, {-3}, err).has_value());
  EXPECT_NE(err.find("must be positive"), std::string::npos);
}

TEST(SliceSize, NumpySemantics) {
  EXPECT_EQ(sliceSize(10, 0, 10, 1), 10);
  EXPECT_EQ(sliceSize(10, 2, 8, 3), 2);
  EXPECT_EQ(sliceSize(10, -3, INT64_MAX, 1), 3);
  EXPECT_EQ(sliceSize(10, 0, -1, 2), 5);
  EXPECT_EQ(sliceSize(10, 8, 2, 1), 0);
  EXPECT_EQ(sliceSize(10, INT64_MIN, 100, 4), 3);
  EXPECT_EQ(sliceSize(Q, 0, 4, 1), Q);
}

TEST(ClampSliceBound, NumpySemantics) {
  EXPECT_EQ(clampSliceBound(10, 3), 3);
  EXPECT_EQ(clampSliceBound(10, -3), 7);
  EXPECT_EQ(clampSliceBound(10, -30), 0);
  EXPECT_EQ(clampSliceBound(10, 30), 10);
  EXPECT_EQ(clampSliceBound(10, INT64_MAX), 10);
  EXPECT_EQ(clampSliceBound(0, -1), 0);
}

TEST(FormatShape, Text) {
  EXPECT_EQ(formatShape({}), "scalar");
  EXPECT_EQ(formatShape({2, Q, 4}), "2x?x4");
  EXPECT_EQ(*staticElementCount({2, 3, 4}), 24);
  EXPECT_FALSE(staticElementCount({2, Q}).has_value());
}
} // namespace
