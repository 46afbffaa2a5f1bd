//===- EntryPointsTest.cpp - Entry-point signatures and shape checks ------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/EntryPoints.h"

#include "kiln/Pipelines/Pipelines.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::kiln;

namespace {
class EntryPointsTest : public ::testing::Test {
protected:
  EntryPointsTest() {
    DialectRegistry registry;
    registerKilnDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  std::vector<EntryPoint> collect(StringRef source) {
    module = parseSourceString<ModuleOp>(source, &context);
    EXPECT_TRUE(static_cast<bool>(module));
    auto entries = collectEntryPoints(*module);
    EXPECT_TRUE(succeeded(entries));
    return *entries;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

TEST_F(EntryPointsTest, ConstraintsFollowBroadcastAndContraction) {
  auto entries = collect(R"mlir(
    func.func @f(%x: tensor<?x?xf32>, %y: tensor<?x?xf32>, %w: tensor<5x3xf32>)
        -> (tensor<?x3xf32>, tensor<?x?xf32>) {
      %0 = kiln.matmul %x, %w : (tensor<?x?xf32>, tensor<5x3xf32>) -> tensor<?x3xf32>
      %1 = kiln.add %x, %y : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
      return %0, %1 : tensor<?x3xf32>, tensor<?x?xf32>
    }
    func.func private @hidden(%x: tensor<4xf32>) -> tensor<4xf32> {
      return %x : tensor<4xf32>
    })mlir");
  ASSERT_EQ(entries.size(), 1u); // private functions are not entry points
  const EntryPoint &e = entries[0];
  EXPECT_EQ(e.name, "f");
  ASSERT_EQ(e.inputs.size(), 3u);
  EXPECT_EQ(e.inputs[0].elementType, "f32");

  // x.d1 is matmul's K = 5; y broadcasts against x, so each of its dims
  // equals x's or is 1 (and either may be 1).
  EXPECT_EQ(checkInputShapes(e, {{2, 5}, {2, 5}, {5, 3}}), "");
  EXPECT_EQ(checkInputShapes(e, {{2, 5}, {1, 1}, {5, 3}}), "");
  EXPECT_EQ(checkInputShapes(e, {{1, 5}, {4, 5}, {5, 3}}), "");
  EXPECT_NE(checkInputShapes(e, {{2, 4}, {2, 4}, {5, 3}}).find("the model needs 5"),
            std::string::npos);
  EXPECT_NE(checkInputShapes(e, {{2, 5}, {2, 4}, {5, 3}})
                .find("input arg1 dim 1 is 4, but the model needs 5 (or 1, to "
                      "broadcast)"),
            std::string::npos);
  EXPECT_NE(checkInputShapes(e, {{2, 5}, {3, 5}, {5, 3}})
                .find("input arg1 dim 0 is 3 but input arg0 dim 0 is 2; the model "
                      "broadcasts them, so they must be equal or 1"),
            std::string::npos);
  EXPECT_NE(checkInputShapes(e, {{2, 5}, {2, 5}, {5, 4}}).find("expected 3"),
            std::string::npos);
  EXPECT_NE(checkInputShapes(e, {{2, 5}, {2, 5}}).find("expected 3 inputs"),
            std::string::npos);
  EXPECT_NE(checkInputShapes(e, {{2, 5, 1}, {2, 5}, {5, 3}}).find("rank 3"),
            std::string::npos);
  EXPECT_NE(checkInputShapes(e, {{-1, 5}, {-1, 5}, {5, 3}}).find(">= 0"),
            std::string::npos);
}

TEST_F(EntryPointsTest, QuantizedAndNamedArguments) {
  auto entries = collect(R"mlir(
    func.func @q(%x: tensor<?x4xf32> {kiln.name = "input"})
        -> tensor<?x4x!quant.uniform<i8:f32, 0.5>> {
      %0 = kiln.quantize %x : (tensor<?x4xf32>) -> tensor<?x4x!quant.uniform<i8:f32, 0.5>>
      return %0 : tensor<?x4x!quant.uniform<i8:f32, 0.5>>
    })mlir");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].inputs[0].name, "input");
  EXPECT_EQ(entries[0].results[0].elementType, "i8");
  EXPECT_EQ(entries[0].results[0].elementBytes, 1u);
  EXPECT_TRUE(entries[0].constraints.empty());
}
/// Renders `entry`'s constraints as "input.dim=size" or "input.dim=other.dim",
/// with `~` for `=` where the two may also broadcast (either is 1).
std::string describe(const EntryPoint &entry) {
  std::string text;
  for (const DimConstraint &c : entry.constraints) {
    text += entry.inputs[c.input].name + "." + std::to_string(c.dim) +
            (c.orOne ? "~" : "=");
    if (c.equalsConstant)
      text += std::to_string(*c.equalsConstant);
    else
      text += entry.inputs[c.equalsInputDim->first].name + "." +
              std::to_string(c.equalsInputDim->second);
    text += " ";
  }
  return text;
}

// One function per op family; the expected constraints pin down what each
// op's DimEqualityOpInterface contributes.
TEST_F(EntryPointsTest, ConstraintsOfEveryOpFamily) {
  auto entries = collect(R"mlir(
    func.func @conv_nchw(%x: tensor<?x?x?x?xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<?xf32>)
        -> tensor<?x8x1x1xf32> {
      %0 = kiln.conv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>}
          : (tensor<?x?x?x?xf32>, tensor<8x3x3x3xf32>, tensor<?xf32>) -> tensor<?x8x?x?xf32>
      %1 = kiln.pool2d max %0 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
          : (tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32>
      %2 = kiln.global_avg_pool %1 : (tensor<?x8x?x?xf32>) -> tensor<?x8x1x1xf32>
      return %2 : tensor<?x8x1x1xf32>
    }
    func.func @conv_nhwc(%x: tensor<?x?x?x?xf32>, %w: tensor<3x3x4x8xf32>, %b: tensor<?xf32>,
                         %y: tensor<?x?x?x?xf32>, %z: tensor<?x?x?x?xf32>, %w1: tensor<3x3x?x5xf32>)
        -> (tensor<?x?x?x8xf32>, tensor<?x?x?x5xf32>) {
      %0 = kiln.conv2d %x, %w, %b {groups = 2 : i64, layout = #kiln.layout<nhwc>}
          : (tensor<?x?x?x?xf32>, tensor<3x3x4x8xf32>, tensor<?xf32>) -> tensor<?x?x?x8xf32>
      %1 = kiln.add %0, %y : (tensor<?x?x?x8xf32>, tensor<?x?x?x?xf32>) -> tensor<?x?x?x8xf32>
      %2 = kiln.pool2d avg %1 {kernel = array<i64: 1, 1>, layout = #kiln.layout<nhwc>}
          : (tensor<?x?x?x8xf32>) -> tensor<?x?x?x8xf32>
      %3 = kiln.global_avg_pool %2 {layout = #kiln.layout<nhwc>} : (tensor<?x?x?x8xf32>) -> tensor<?x1x1x8xf32>
      %4 = kiln.conv2d %z, %w1 {layout = #kiln.layout<nhwc>}
          : (tensor<?x?x?x?xf32>, tensor<3x3x?x5xf32>) -> tensor<?x?x?x5xf32>
      return %2, %4 : tensor<?x?x?x8xf32>, tensor<?x?x?x5xf32>
    }
    func.func @norms(%x: tensor<?x?x?x?xf32>, %s: tensor<?xf32>, %t: tensor<?xf32>,
                     %u: tensor<?x?x?xf32>, %g: tensor<?x?xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>) {
      %c = kiln.constant dense<1.0> : tensor<6xf32>
      %0 = kiln.batch_norm %x, %s, %t, %c, %c : (tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<?x?x?x?xf32>
      %1 = kiln.layer_norm %u scale %g {axis = 1 : i64} : (tensor<?x?x?xf32>, tensor<?x?xf32>) -> tensor<?x?x?xf32>
      %2 = kiln.softmax %1 : (tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
      return %0, %2 : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
    }
    func.func @attn(%q: tensor<?x4x?x16xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>,
                    %m: tensor<?x1x?xi1>, %w: tensor<32x?xf32>, %bias: tensor<?xf32>) -> tensor<?x4x?x32xf32> {
      %0 = kiln.attention %q, %k, %v, %m : (tensor<?x4x?x16xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x1x?xi1>) -> tensor<?x4x?x?xf32>
      %1 = kiln.linear %0, %w, %bias : (tensor<?x4x?x?xf32>, tensor<32x?xf32>, tensor<?xf32>) -> tensor<?x4x?x32xf32>
      return %1 : tensor<?x4x?x32xf32>
    }
    func.func @misc(%a: tensor<?x?x?xf32>, %b: tensor<?x?xf32>, %c: tensor<?x?xf32>, %i: tensor<?x?xi64>,
                    %e: tensor<?x?xf32>, %o: tensor<?xf32>, %p: tensor<?xf32>, %r: tensor<?x?x?xf32>)
        -> (tensor<?x?x?xf32>, tensor<2x?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>) {
      %0 = kiln.transpose %a [2, 0, 1] : (tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
      %1 = kiln.matmul %0, %b {transpose_rhs = true} : (tensor<?x?x?xf32>, tensor<?x?xf32>) -> tensor<?x?x?xf32>
      %2 = kiln.concat %b, %c {axis = 1 : i64} : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
      %3 = kiln.gather %e, %i {axis = 1 : i64} : (tensor<?x?xf32>, tensor<?x?xi64>) -> tensor<?x?x?xf32>
      %4 = kiln.reduce_sum %3 {axes = array<i64: 1>, keepdims = false} : (tensor<?x?x?xf32>) -> tensor<?x?xf32>
      %5 = kiln.outer %o, %p : (tensor<?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
      %6 = kiln.sub %4, %5 : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
      %7 = kiln.reshape %r [0, 0, -1] : (tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
      %8 = kiln.reduce_max %7 {axes = array<i64: 0>} : (tensor<?x?x?xf32>) -> tensor<1x?x?xf32>
      %9 = kiln.broadcast_to %8 [2, 1, 1] : (tensor<1x?x?xf32>) -> tensor<2x?x?xf32>
      %10 = kiln.mul %9, %1 : (tensor<2x?x?xf32>, tensor<?x?x?xf32>) -> tensor<2x?x?xf32>
      %11 = kiln.compare lt, %6, %2 : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xi1>
      %12 = kiln.select %11, %6, %2 : (tensor<?x?xi1>, tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
      %13 = kiln.gelu %12 : (tensor<?x?xf32>) -> tensor<?x?xf32>
      %14 = kiln.clamp %13 {min = 0.0 : f64, max = 6.0 : f64} : (tensor<?x?xf32>) -> tensor<?x?xf32>
      %15 = kiln.cast %14 : (tensor<?x?xf32>) -> tensor<?x?xi32>
      %16 = kiln.cast %15 : (tensor<?x?xi32>) -> tensor<?x?xf32>
      %17 = kiln.exp %16 : (tensor<?x?xf32>) -> tensor<?x?xf32>
      return %0, %10, %2, %6, %3, %17 : tensor<?x?x?xf32>, tensor<2x?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>
    })mlir");
  ASSERT_EQ(entries.size(), 5u);
  std::vector<std::string> got;
  for (const EntryPoint &e : entries)
    got.push_back(e.name + ": " + describe(e));
  std::vector<std::string> expected = {
      // conv2d: input channels meet the filter's (groups = 1), bias meets F.
      "conv_nchw: arg0.1=3 arg2.0=8 ",
      // groups = 2 leaves input channels free; add broadcasts y against the
      // result.
      "conv_nhwc: arg2.0=8 arg3.0~arg0.0 arg3.3~8 arg5.2=arg4.3 ",
      "norms: arg0.1=6 arg1.0=6 arg2.0=6 arg4.0=arg3.1 arg4.1=arg3.2 ",
      "attn: arg1.0=arg0.0 arg1.1=4 arg1.3=16 arg2.0=arg0.0 arg2.1=4 "
      "arg2.2=arg1.2 arg3.0=4 arg3.2=arg1.2 arg4.1=arg2.3 arg5.0=32 ",
      // sub, mul, compare and select broadcast their dynamic dims; the ones
      // that trace back to inputs are checked as such.
      "misc: arg0.0~arg7.1 arg0.2~2 arg1.1=arg0.1 arg2.0=arg1.0 "
      "arg5.0~arg4.0 arg6.0~arg3.1 ",
  };
  EXPECT_EQ(got, expected);
}
} // namespace
