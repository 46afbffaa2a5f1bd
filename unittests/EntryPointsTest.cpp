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
        -> tensor<?x3xf32> {
      %0 = kiln.add %x, %y : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
      %1 = kiln.relu %0 : (tensor<?x?xf32>) -> tensor<?x?xf32>
      %2 = kiln.matmul %1, %w : (tensor<?x?xf32>, tensor<5x3xf32>) -> tensor<?x3xf32>
      return %2 : tensor<?x3xf32>
    }
    func.func private @hidden(%x: tensor<4xf32>) -> tensor<4xf32> {
      return %x : tensor<4xf32>
    })mlir");
  ASSERT_EQ(entries.size(), 1u); // private functions are not entry points
  const EntryPoint &e = entries[0];
  EXPECT_EQ(e.name, "f");
  ASSERT_EQ(e.inputs.size(), 3u);
  EXPECT_EQ(e.inputs[0].elementType, "f32");

  // x.d1 and y.d1 meet matmul's K = 5; y.d0 must equal x.d0.
  EXPECT_EQ(checkInputShapes(e, {{2, 5}, {2, 5}, {5, 3}}), "");
  EXPECT_NE(checkInputShapes(e, {{2, 4}, {2, 4}, {5, 3}}).find("the model needs 5"),
            std::string::npos);
  EXPECT_NE(checkInputShapes(e, {{2, 5}, {3, 5}, {5, 3}}).find("needs them equal"),
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
} // namespace
