//===- ElementsUtilsTest.cpp - Frozen-weight read/write tests -------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Kiln/IR/ElementsUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>
#include <numeric>

using namespace mlir;
using namespace mlir::kiln;

namespace {
TEST(ElementsUtils, SmallRoundTripIsDense) {
  MLIRContext context;
  Builder b(&context);
  auto type = RankedTensorType::get({3}, b.getF32Type());
  ElementsAttr attr = makeFloatElements(type, {1.5, -2.0, 0.25}, "w");
  EXPECT_TRUE(isa<DenseElementsAttr>(attr));
  auto values = readFloatElements(attr);
  ASSERT_TRUE(values.has_value());
  EXPECT_EQ(*values, (SmallVector<double>{1.5, -2.0, 0.25}));
}

TEST(ElementsUtils, LargeRoundTripIsResource) {
  MLIRContext context;
  Builder b(&context);
  int64_t n = kResourceElementThreshold + 1;
  auto type = RankedTensorType::get({n}, b.getF32Type());
  SmallVector<double> input(n);
  std::iota(input.begin(), input.end(), -5.0);
  ElementsAttr attr = makeFloatElements(type, input, "big");
  EXPECT_TRUE(isa<DenseResourceElementsAttr>(attr));
  auto values = readFloatElements(attr);
  ASSERT_TRUE(values.has_value());
  EXPECT_EQ(*values, input);
}

TEST(ElementsUtils, HalfPrecisionRounds) {
  MLIRContext context;
  Builder b(&context);
  auto type = RankedTensorType::get({2}, b.getF16Type());
  ElementsAttr attr = makeFloatElements(type, {1.0 / 3.0, 65504.0}, "h");
  auto values = readFloatElements(attr);
  ASSERT_TRUE(values.has_value());
  EXPECT_NEAR((*values)[0], 1.0 / 3.0, 1e-3);
  EXPECT_EQ((*values)[1], 65504.0);
}

TEST(ElementsUtils, SplatAndIntegers) {
  MLIRContext context;
  Builder b(&context);
  auto type = RankedTensorType::get({2, 2}, b.getF32Type());
  auto splat = DenseElementsAttr::get(type, b.getF32FloatAttr(2.0f));
  EXPECT_EQ(*readFloatElements(splat), (SmallVector<double>(4, 2.0)));
  auto itype = RankedTensorType::get({2}, b.getI32Type());
  auto ints = DenseElementsAttr::get(itype, ArrayRef<int32_t>{1, 2});
  EXPECT_FALSE(readFloatElements(ints).has_value());
}
} // namespace
