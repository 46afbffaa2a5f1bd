//===- QuantizationTest.cpp - int8 quantization arithmetic tests ----------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The arithmetic that kiln-quantize, kiln-fold-qdq and calibration share
// (Kiln/Transforms/Quantization.h), against values worked out by hand.
//
//===----------------------------------------------------------------------===//

#include "Kiln/Transforms/Quantization.h"
#include "kiln/Compiler/Compiler.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <cfloat>
#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::kiln;

namespace {
TEST(ActivationQuantization, RangeHoldsZero) {
  // [-1, 1.55]: 2.55 / 255 = 0.01 per step, 0 at step 100.
  ActivationQuantization q = ActivationQuantization::fromRange(-1.0, 1.55);
  EXPECT_FLOAT_EQ(q.scale, 0.01f);
  EXPECT_EQ(q.zeroPoint, 100);
  // All positive (after a relu): widened down to 0, zero point 0.
  q = ActivationQuantization::fromRange(2.0, 5.1);
  EXPECT_FLOAT_EQ(q.scale, 0.02f);
  EXPECT_EQ(q.zeroPoint, 0);
  // All negative: widened up to 0, zero point 255.
  q = ActivationQuantization::fromRange(-5.1, -1.0);
  EXPECT_EQ(q.zeroPoint, 255);
  // No range: any scale quantizes zeros exactly; it must not be 0.
  q = ActivationQuantization::fromRange(0.0, 0.0);
  EXPECT_GT(q.scale, 0.0);
  EXPECT_EQ(q.quantize(0.0f), 0);
}

TEST(ActivationQuantization, AnInt8GridIsTheU8OneShifted) {
  // int8 scale 0.1, zero point -3: [(-128 + 3) * 0.1, (127 + 3) * 0.1].
  ActivationQuantization q =
      ActivationQuantization::fromRange((-128 + 3) * 0.1, (127 + 3) * 0.1);
  EXPECT_FLOAT_EQ(q.scale, 0.1f);
  EXPECT_EQ(q.zeroPoint, 125);
  // Values on the grid quantize exactly: int8 q -> u8 q + 128.
  for (int v : {-128, -3, 0, 57, 127})
    EXPECT_EQ(q.quantize(static_cast<float>((v + 3) * 0.1)), v + 128);
}

TEST(ActivationQuantization, RoundsToEvenAndSaturates) {
  ActivationQuantization q = ActivationQuantization::fromRange(-1.0, 1.55);
  EXPECT_EQ(q.quantize(0.005f), 100);  // 0.5 step: to even
  EXPECT_EQ(q.quantize(0.015f), 102);  // 1.5 steps: to even
  EXPECT_EQ(q.quantize(1e6f), 255);
  EXPECT_EQ(q.quantize(-1e6f), 0);
}

class QuantizeWeightsTest : public ::testing::Test {
protected:
  QuantizeWeightsTest() {
    DialectRegistry registry;
    registerCompilerDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  /// The candidate of the first op named `name` in `ir`.
  std::optional<QuantizationCandidate> candidate(StringRef ir,
                                                 StringRef name) {
    module = parseSourceString<ModuleOp>(ir, &context);
    if (!module)
      return std::nullopt;
    Operation *found = nullptr;
    module->walk([&](Operation *op) {
      if (!found && op->getName().getStringRef() == name)
        found = op;
    });
    return found ? matchQuantizationCandidate(found) : std::nullopt;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

TEST_F(QuantizeWeightsTest, PerOutputChannel) {
  auto c = candidate(R"mlir(
    func.func @f(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
      %w = kiln.constant dense<[[1.0, -2.0, 0.5, 0.25], [0.0, 0.0, 0.0, 0.0],
                                [3.0, 1.0, -1.0, 2.0]]> : tensor<3x4xf32>
      %y = kiln.linear %x, %w : (tensor<2x4xf32>, tensor<3x4xf32>)
          -> tensor<2x3xf32>
      return %y : tensor<2x3xf32>
    })mlir",
                     "kiln.linear");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->numChannels(), 3);
  EXPECT_EQ(c->reductionSize(), 4);
  std::optional<QuantizedWeights> q = quantizeWeights(*c);
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->values, (SmallVector<int8_t>{64, -127, 32, 16, 0, 0, 0, 0,
                                            127, 42, -42, 85}));
  EXPECT_DOUBLE_EQ(q->scales[0], 2.0 / 127);
  EXPECT_DOUBLE_EQ(q->scales[1], 1.0); // all zero: any scale
  EXPECT_DOUBLE_EQ(q->scales[2], 3.0 / 127);
  // A QDQ model's own scales, and its full range (-128).
  q = quantizeWeights(*c, {1.0 / 64, 1.0, 1.0 / 32});
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->values, (SmallVector<int8_t>{64, -128, 32, 16, 0, 0, 0, 0,
                                            96, 32, -32, 64}));
  // Scales must match the channels.
  EXPECT_FALSE(quantizeWeights(*c, {1.0, 1.0}).has_value());
}

TEST_F(QuantizeWeightsTest, NotFiniteWeightsStayFloat) {
  auto c = candidate(R"mlir(
    func.func @f(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
      %w = kiln.constant dense<[[1.0, 0x7FC00000], [1.0, 2.0]]>
          : tensor<2x2xf32>
      %y = kiln.matmul %x, %w : (tensor<2x2xf32>, tensor<2x2xf32>)
          -> tensor<2x2xf32>
      return %y : tensor<2x2xf32>
    })mlir",
                     "kiln.matmul");
  ASSERT_TRUE(c.has_value());
  EXPECT_FALSE(quantizeWeights(*c).has_value());
}

TEST_F(QuantizeWeightsTest, ConvolutionFilterAsKByF) {
  // NCHW filter [F=2, C=2, KH=1, KW=2] holding 1..8; K runs (kh, kw, c).
  auto c = candidate(R"mlir(
    func.func @f(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x2xf32> {
      %w = kiln.constant dense<[[[[1.0, 2.0]], [[3.0, 4.0]]],
                                [[[5.0, 6.0]], [[7.0, 8.0]]]]>
          : tensor<2x2x1x2xf32>
      %y = kiln.conv2d %x, %w : (tensor<1x2x3x3xf32>, tensor<2x2x1x2xf32>)
          -> tensor<1x2x3x2xf32>
      return %y : tensor<1x2x3x2xf32>
    })mlir",
                     "kiln.conv2d");
  ASSERT_TRUE(c.has_value());
  ASSERT_TRUE(c->isConv);
  EXPECT_EQ(c->numChannels(), 2);
  EXPECT_EQ(c->reductionSize(), 4);
  // k = (kw * C + c): (kw 0, c 0) = w[f][0][0][0], (kw 0, c 1) = w[f][1][0][0],
  // (kw 1, c 0) = w[f][0][0][1], ...
  SmallVector<int64_t> f0, f1;
  for (int64_t k = 0; k < 4; ++k) {
    f0.push_back(c->sourceIndex(0, k));
    f1.push_back(c->sourceIndex(1, k));
  }
  EXPECT_EQ(f0, (SmallVector<int64_t>{0, 2, 1, 3}));
  EXPECT_EQ(f1, (SmallVector<int64_t>{4, 6, 5, 7}));
  std::optional<QuantizedWeights> q = quantizeWeights(*c);
  ASSERT_TRUE(q.has_value());
  // [K, F]: row k holds both channels; channel scales 4/127 and 8/127.
  EXPECT_EQ(q->values, (SmallVector<int8_t>{32, 79, 95, 111, 64, 95, 127,
                                            127}));
}

TEST_F(QuantizeWeightsTest, NotCandidates) {
  // Weights computed at run time; an op marked to stay float.
  EXPECT_FALSE(candidate(R"mlir(
    func.func @f(%x: tensor<2x2xf32>, %w: tensor<2x2xf32>) -> tensor<2x2xf32> {
      %y = kiln.matmul %x, %w : (tensor<2x2xf32>, tensor<2x2xf32>)
          -> tensor<2x2xf32>
      return %y : tensor<2x2xf32>
    })mlir",
                         "kiln.matmul")
                   .has_value());
  EXPECT_FALSE(candidate(R"mlir(
    func.func @f(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
      %w = kiln.constant dense<1.0> : tensor<2x2xf32>
      %y = kiln.linear %x, %w {kiln.quantize = false}
          : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
      return %y : tensor<2x2xf32>
    })mlir",
                         "kiln.linear")
                   .has_value());
}
} // namespace
