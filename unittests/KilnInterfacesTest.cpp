//===- KilnInterfacesTest.cpp - Kiln op interfaces and layout helpers -----===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Kiln/IR/KilnInterfaces.h"
#include "Kiln/IR/KilnOps.h"
#include "Kiln/IR/LayoutUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::kiln;

namespace {
class KilnInterfacesTest : public ::testing::Test {
protected:
  KilnInterfacesTest() {
    context.loadDialect<KilnDialect, func::FuncDialect>();
  }

  /// Parses `body` as the body of a function taking `args`.
  func::FuncOp parse(StringRef args, StringRef body) {
    std::string source =
        ("func.func @f(" + args + ") {\n" + body + "\n  return\n}").str();
    module = parseSourceString<ModuleOp>(source, &context);
    EXPECT_TRUE(static_cast<bool>(module)) << source;
    if (!module)
      return {};
    return cast<func::FuncOp>(module->getBody()->front());
  }

  /// The FLOP count of the one counted op in `body`.
  std::optional<int64_t> flops(StringRef args, StringRef body) {
    func::FuncOp func = parse(args, body);
    if (!func)
      return std::nullopt;
    SmallVector<FlopCountOpInterface> ops;
    func.walk([&](FlopCountOpInterface op) { ops.push_back(op); });
    EXPECT_EQ(ops.size(), 1u);
    return ops.empty() ? std::nullopt : ops.front().getFlopCount();
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

TEST_F(KilnInterfacesTest, MatmulFlops) {
  // [2, 3, 8, 32] results, each a dot product of length 16.
  EXPECT_EQ(flops("%a: tensor<2x1x8x16xf32>, %b: tensor<3x32x16xf32>",
                  "%0 = kiln.matmul %a, %b {transpose_rhs = true} "
                  ": (tensor<2x1x8x16xf32>, tensor<3x32x16xf32>) "
                  "-> tensor<2x3x8x32xf32>"),
            2 * 2 * 3 * 8 * 32 * 16);
  // K is dynamic in lhs but known from rhs.
  EXPECT_EQ(flops("%a: tensor<8x?xf32>, %b: tensor<16x4xf32>",
                  "%0 = kiln.matmul %a, %b "
                  ": (tensor<8x?xf32>, tensor<16x4xf32>) -> tensor<8x4xf32>"),
            2 * 8 * 4 * 16);
  EXPECT_EQ(flops("%a: tensor<?x8x16xf32>, %b: tensor<16x4xf32>",
                  "%0 = kiln.matmul %a, %b "
                  ": (tensor<?x8x16xf32>, tensor<16x4xf32>) "
                  "-> tensor<?x8x4xf32>"),
            std::nullopt);
  EXPECT_EQ(flops("%a: tensor<8x?xf32>, %b: tensor<?x4xf32>",
                  "%0 = kiln.matmul %a, %b "
                  ": (tensor<8x?xf32>, tensor<?x4xf32>) -> tensor<8x4xf32>"),
            std::nullopt);
}

TEST_F(KilnInterfacesTest, LinearAndOuterFlops) {
  EXPECT_EQ(flops("%x: tensor<4x128x768xf32>, %w: tensor<3072x768xf32>, "
                  "%b: tensor<3072xf32>",
                  "%0 = kiln.linear %x, %w, %b "
                  ": (tensor<4x128x768xf32>, tensor<3072x768xf32>, "
                  "tensor<3072xf32>) -> tensor<4x128x3072xf32>"),
            int64_t{2} * 4 * 128 * 3072 * 768);
  EXPECT_EQ(flops("%x: tensor<?x128x768xf32>, %w: tensor<3072x768xf32>",
                  "%0 = kiln.linear %x, %w "
                  ": (tensor<?x128x768xf32>, tensor<3072x768xf32>) "
                  "-> tensor<?x128x3072xf32>"),
            std::nullopt);
  EXPECT_EQ(flops("%a: tensor<4xf32>, %b: tensor<5xf32>",
                  "%0 = kiln.outer %a, %b "
                  ": (tensor<4xf32>, tensor<5xf32>) -> tensor<4x5xf32>"),
            20);
  EXPECT_EQ(flops("%a: tensor<4xf32>, %b: tensor<?xf32>",
                  "%0 = kiln.outer %a, %b "
                  ": (tensor<4xf32>, tensor<?xf32>) -> tensor<4x?xf32>"),
            std::nullopt);
}

TEST_F(KilnInterfacesTest, Conv2DFlops) {
  // ResNet's stem: 64x112x112 outputs, each over 3x7x7 taps.
  EXPECT_EQ(flops("%x: tensor<1x3x224x224xf32>, %w: tensor<64x3x7x7xf32>",
                  "%0 = kiln.conv2d %x, %w {strides = array<i64: 2, 2>, "
                  "pads = array<i64: 3, 3, 3, 3>} "
                  ": (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>) "
                  "-> tensor<1x64x112x112xf32>"),
            int64_t{2} * 64 * 112 * 112 * 3 * 7 * 7);
  // Grouped nhwc: each output sees C/groups = 2 input channels.
  EXPECT_EQ(flops("%x: tensor<1x8x8x4xf32>, %w: tensor<3x3x2x6xf32>",
                  "%0 = kiln.conv2d %x, %w {groups = 2 : i64, "
                  "layout = #kiln.layout<nhwc>} "
                  ": (tensor<1x8x8x4xf32>, tensor<3x3x2x6xf32>) "
                  "-> tensor<1x6x6x6xf32>"),
            2 * 6 * 6 * 6 * 2 * 3 * 3);
  EXPECT_EQ(flops("%x: tensor<?x3x224x224xf32>, %w: tensor<64x3x7x7xf32>",
                  "%0 = kiln.conv2d %x, %w "
                  ": (tensor<?x3x224x224xf32>, tensor<64x3x7x7xf32>) "
                  "-> tensor<?x64x218x218xf32>"),
            std::nullopt);
}

TEST_F(KilnInterfacesTest, PoolingFlops) {
  EXPECT_EQ(flops("%x: tensor<1x64x112x112xf32>",
                  "%0 = kiln.pool2d max %x {kernel = array<i64: 3, 3>, "
                  "strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} "
                  ": (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>"),
            64 * 56 * 56 * 9);
  // Average pooling also divides every output once.
  EXPECT_EQ(flops("%x: tensor<1x8x8x64xf32>",
                  "%0 = kiln.pool2d avg %x {kernel = array<i64: 2, 2>, "
                  "strides = array<i64: 2, 2>, layout = #kiln.layout<nhwc>} "
                  ": (tensor<1x8x8x64xf32>) -> tensor<1x4x4x64xf32>"),
            4 * 4 * 64 * (4 + 1));
  EXPECT_EQ(flops("%x: tensor<1x512x7x7xf32>",
                  "%0 = kiln.global_avg_pool %x "
                  ": (tensor<1x512x7x7xf32>) -> tensor<1x512x1x1xf32>"),
            512 * 49 + 512);
  EXPECT_EQ(flops("%x: tensor<?x512x7x7xf32>",
                  "%0 = kiln.global_avg_pool %x "
                  ": (tensor<?x512x7x7xf32>) -> tensor<?x512x1x1xf32>"),
            std::nullopt);
}

TEST_F(KilnInterfacesTest, AttentionFlops) {
  // q·kᵀ over D = 64, then p·v over Lk = 128 into Dv = 32.
  int64_t b = 2, h = 12, s = 128, d = 64, dv = 32;
  EXPECT_EQ(flops("%q: tensor<2x12x128x64xf32>, %k: tensor<2x12x128x64xf32>, "
                  "%v: tensor<2x12x128x32xf32>",
                  "%0 = kiln.attention %q, %k, %v "
                  ": (tensor<2x12x128x64xf32>, tensor<2x12x128x64xf32>, "
                  "tensor<2x12x128x32xf32>) -> tensor<2x12x128x32xf32>"),
            2 * b * h * s * s * d + 2 * b * h * s * s * dv);
  EXPECT_EQ(flops("%q: tensor<?x12x128x64xf32>, %k: tensor<?x12x128x64xf32>, "
                  "%v: tensor<?x12x128x64xf32>",
                  "%0 = kiln.attention %q, %k, %v "
                  ": (tensor<?x12x128x64xf32>, tensor<?x12x128x64xf32>, "
                  "tensor<?x12x128x64xf32>) -> tensor<?x12x128x64xf32>"),
            std::nullopt);
}

TEST_F(KilnInterfacesTest, FlopCountOverflowIsUnknown) {
  EXPECT_EQ(flops("%a: tensor<2097152x2097152xf32>, "
                  "%b: tensor<2097152x2097152xf32>",
                  "%0 = kiln.matmul %a, %b "
                  ": (tensor<2097152x2097152xf32>, "
                  "tensor<2097152x2097152xf32>) "
                  "-> tensor<2097152x2097152xf32>"),
            std::nullopt);
}

TEST_F(KilnInterfacesTest, EstimateFlopsSumsCountedOps) {
  func::FuncOp func =
      parse("%x: tensor<4x8xf32>, %w: tensor<16x8xf32>, %v: tensor<16x2xf32>",
            "%0 = kiln.linear %x, %w : (tensor<4x8xf32>, tensor<16x8xf32>) "
            "-> tensor<4x16xf32>\n"
            "%1 = kiln.relu %0 : (tensor<4x16xf32>) -> tensor<4x16xf32>\n"
            "%2 = kiln.matmul %1, %v : (tensor<4x16xf32>, tensor<16x2xf32>) "
            "-> tensor<4x2xf32>");
  ASSERT_TRUE(func);
  // relu is not counted.
  EXPECT_EQ(estimateFlops(func), 2.0 * 4 * 16 * 8 + 2.0 * 4 * 2 * 16);
  EXPECT_EQ(estimateFlops(*module), estimateFlops(func));

  func = parse("%x: tensor<4xf32>",
               "%0 = kiln.relu %x : (tensor<4xf32>) -> tensor<4xf32>");
  ASSERT_TRUE(func);
  EXPECT_EQ(estimateFlops(func), 0.0);
}

TEST_F(KilnInterfacesTest, EstimateFlopsUnknownWithDynamicShapes) {
  func::FuncOp func =
      parse("%x: tensor<?x8xf32>, %w: tensor<16x8xf32>, %a: tensor<4xf32>, "
            "%b: tensor<5xf32>",
            "%0 = kiln.outer %a, %b : (tensor<4xf32>, tensor<5xf32>) "
            "-> tensor<4x5xf32>\n"
            "%1 = kiln.linear %x, %w : (tensor<?x8xf32>, tensor<16x8xf32>) "
            "-> tensor<?x16xf32>");
  ASSERT_TRUE(func);
  // One unknown count makes the total unknown, not a partial sum.
  EXPECT_EQ(estimateFlops(func), std::nullopt);
}

TEST_F(KilnInterfacesTest, ElementwiseOpsGetDimEqualitiesFromTraits) {
  func::FuncOp func =
      parse("%a: tensor<?x1xf32>, %b: tensor<5xf32>",
            "%0 = kiln.add %a, %b : (tensor<?x1xf32>, tensor<5xf32>) "
            "-> tensor<?x5xf32>\n"
            "%1 = kiln.exp %0 : (tensor<?x5xf32>) -> tensor<?x5xf32>");
  ASSERT_TRUE(func);
  auto args = func.getArguments();
  std::vector<std::tuple<Value, int64_t, Value, int64_t>> pairs;
  auto record = [&](Value a, int64_t i, Value b, int64_t j) {
    pairs.emplace_back(a, i, b, j);
  };
  Operation *add = &func.getBody().front().front();
  Operation *exp = add->getNextNode();
  cast<DimEqualityOpInterface>(add).getDimEqualities(record);
  // The static 1 of %a broadcasts, so it ties nothing.
  Value sum = add->getResult(0);
  EXPECT_EQ(pairs,
            (decltype(pairs){{args[0], 0, sum, 0}, {args[1], 0, sum, 1}}));
  pairs.clear();
  cast<DimEqualityOpInterface>(exp).getDimEqualities(record);
  Value e = exp->getResult(0);
  EXPECT_EQ(pairs, (decltype(pairs){{sum, 0, e, 0}, {sum, 1, e, 1}}));
  // Ops without the interface, here func.return, assume nothing.
  EXPECT_FALSE(
      isa<DimEqualityOpInterface>(func.getBody().front().getTerminator()));
}

TEST(LayoutUtils, DimPositions) {
  ImageDims nchw = getImageDims(Layout::NCHW);
  EXPECT_EQ(nchw.batch, 0);
  EXPECT_EQ(nchw.channel, 1);
  EXPECT_EQ(nchw.spatial(), (std::array<int64_t, 2>{2, 3}));
  ImageDims nhwc = getImageDims(Layout::NHWC);
  EXPECT_EQ(nhwc.batch, 0);
  EXPECT_EQ(nhwc.channel, 3);
  EXPECT_EQ(nhwc.spatial(), (std::array<int64_t, 2>{1, 2}));

  FilterDims fchw = getFilterDims(Layout::NCHW);
  EXPECT_EQ(fchw.output, 0);
  EXPECT_EQ(fchw.input, 1);
  EXPECT_EQ(fchw.spatial(), (std::array<int64_t, 2>{2, 3}));
  FilterDims hwcf = getFilterDims(Layout::NHWC);
  EXPECT_EQ(hwcf.output, 3);
  EXPECT_EQ(hwcf.input, 2);
  EXPECT_EQ(hwcf.spatial(), (std::array<int64_t, 2>{0, 1}));
}

TEST(LayoutUtils, ImageShape) {
  EXPECT_EQ(getImageShape(Layout::NCHW, 1, 3, 224, 200),
            (SmallVector<int64_t, 4>{1, 3, 224, 200}));
  EXPECT_EQ(getImageShape(Layout::NHWC, 1, 3, 224, 200),
            (SmallVector<int64_t, 4>{1, 224, 200, 3}));
}
} // namespace
