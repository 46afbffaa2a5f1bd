//===- DimEqualityAnalysisTest.cpp - Known, required and broadcast dims ---===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Kiln/IR/DimEqualityAnalysis.h"
#include "Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::kiln;

namespace {
class DimEqualityAnalysisTest : public ::testing::Test {
protected:
  DimEqualityAnalysisTest() {
    context.loadDialect<KilnDialect, func::FuncDialect, scf::SCFDialect>();
  }

  /// Parses one function and returns its analysis.
  DimEqualityAnalysis analyze(StringRef source) {
    module = parseSourceString<ModuleOp>(source, &context);
    EXPECT_TRUE(static_cast<bool>(module)) << source.str();
    func = cast<func::FuncOp>(module->getBody()->front());
    return DimEqualityAnalysis(func);
  }

  /// The `n`th op named `name` in the function.
  Operation *op(StringRef name, unsigned n = 0) {
    Operation *found = nullptr;
    func.walk([&](Operation *o) {
      if (!found && o->getName().getStringRef() == name && n-- == 0)
        found = o;
    });
    return found;
  }
  Value arg(unsigned i) { return func.getArgument(i); }

  /// The result dims of a run-time broadcast.
  static SmallVector<int64_t>
  resultDims(const DimEqualityAnalysis::RuntimeBroadcast &rb) {
    SmallVector<int64_t> dims;
    for (const auto &bd : rb.dims)
      dims.push_back(bd.resultDim);
    return dims;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  func::FuncOp func;
};

TEST_F(DimEqualityAnalysisTest, DerivedDimsAreKnownEqual) {
  DimEqualityAnalysis a = analyze(R"mlir(
    func.func @f(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
      %0 = kiln.relu %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
      %1 = kiln.add %0, %x : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
      return %1 : tensor<?x4xf32>
    })mlir");
  EXPECT_TRUE(a.getRequirements().empty());
  EXPECT_TRUE(a.getRuntimeBroadcasts().empty());
  Value sum = op("kiln.add")->getResult(0);
  EXPECT_TRUE(a.areEqual(sum, 0, arg(0), 0));
  EXPECT_EQ(a.boundSize(DimEqualityAnalysis::key(sum, 1)), 4);
  EXPECT_EQ(a.boundSize(DimEqualityAnalysis::key(sum, 0)), std::nullopt);
}

TEST_F(DimEqualityAnalysisTest, UnrelatedDynamicDimsBroadcastAtRunTime) {
  DimEqualityAnalysis a = analyze(R"mlir(
    func.func @f(%x: tensor<?x?xf32>, %y: tensor<?x1xf32>, %z: tensor<?xf32>)
        -> tensor<?x?xf32> {
      %0 = kiln.mul %x, %y : (tensor<?x?xf32>, tensor<?x1xf32>) -> tensor<?x?xf32>
      %1 = kiln.sub %0, %z : (tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
      return %1 : tensor<?x?xf32>
    })mlir");
  EXPECT_TRUE(a.getRequirements().empty());
  ASSERT_EQ(a.getRuntimeBroadcasts().size(), 2u);
  // mul: x.d0 against y.d0 may broadcast; x.d1 against y's static 1 is
  // resolved statically and ties the result to x.d1.
  EXPECT_EQ(a.getRuntimeBroadcasts()[0].op, op("kiln.mul"));
  EXPECT_EQ(resultDims(a.getRuntimeBroadcasts()[0]), SmallVector<int64_t>{0});
  Value product = op("kiln.mul")->getResult(0);
  EXPECT_TRUE(a.areEqual(product, 1, arg(0), 1));
  EXPECT_FALSE(a.areEqual(product, 0, arg(0), 0));
  EXPECT_FALSE(a.areEqual(arg(0), 0, arg(1), 0));
  // sub: z aligns with dim 1, which is x.d1 and unrelated to z.d0.
  EXPECT_EQ(resultDims(a.getRuntimeBroadcasts()[1]), SmallVector<int64_t>{1});
  // Its contributors: the product's dim 1 (operand 0) and z's dim 0.
  using Dims = SmallVector<std::pair<unsigned, int64_t>>;
  EXPECT_EQ(a.getRuntimeBroadcasts()[1].dims[0].operandDims,
            (Dims{{0, 1}, {1, 0}}));
}

TEST_F(DimEqualityAnalysisTest, StaticSizesAndBroadcastTo) {
  DimEqualityAnalysis a = analyze(R"mlir(
    func.func @f(%x: tensor<?xf32>, %w: tensor<3x5xf32>, %v: tensor<?x3xf32>)
        -> (tensor<5xf32>, tensor<?x5xf32>, tensor<4x3xf32>) {
      %0 = kiln.add %x, %x : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
      %c = kiln.constant dense<1.0> : tensor<5xf32>
      %1 = kiln.add %0, %c : (tensor<?xf32>, tensor<5xf32>) -> tensor<5xf32>
      %2 = kiln.matmul %v, %w : (tensor<?x3xf32>, tensor<3x5xf32>) -> tensor<?x5xf32>
      %3 = kiln.broadcast_to %v [4, 1] : (tensor<?x3xf32>) -> tensor<4x3xf32>
      return %1, %2, %3 : tensor<5xf32>, tensor<?x5xf32>, tensor<4x3xf32>
    })mlir");
  // x + x is x; against a static 5 it may still be 1; broadcast_to's 4
  // comes from its shape, which the input may be 1 against.
  ASSERT_EQ(a.getRuntimeBroadcasts().size(), 2u);
  EXPECT_EQ(a.getRuntimeBroadcasts()[0].op, op("kiln.add", 1));
  EXPECT_EQ(a.getRuntimeBroadcasts()[1].op, op("kiln.broadcast_to"));
  EXPECT_TRUE(a.areEqual(op("kiln.add")->getResult(0), 0, arg(0), 0));
  // The matmul's K is static on both sides: nothing to check.
  EXPECT_TRUE(a.getRequirements().empty());
}

TEST_F(DimEqualityAnalysisTest, RequirementsAreCheckedOnceThenKnown) {
  DimEqualityAnalysis a = analyze(R"mlir(
    func.func @f(%a: tensor<4x?xf32>, %b: tensor<?x3xf32>, %c: tensor<?x3xf32>)
        -> tensor<?x3xf32> {
      %0 = kiln.matmul %a, %b : (tensor<4x?xf32>, tensor<?x3xf32>) -> tensor<4x3xf32>
      %1 = kiln.concat %b, %c {axis = 1 : i64} : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x6xf32>
      %2 = kiln.matmul %a, %c : (tensor<4x?xf32>, tensor<?x3xf32>) -> tensor<4x3xf32>
      %3 = kiln.add %b, %c : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
      return %3 : tensor<?x3xf32>
    })mlir");
  // matmul: a.d1 = b.d0; concat: c.d0 = b.d0. After those, the second
  // matmul and the add need nothing.
  ASSERT_EQ(a.getRequirements().size(), 2u);
  const auto &k = a.getRequirements()[0];
  EXPECT_EQ(k.op, op("kiln.matmul"));
  EXPECT_EQ(k.a, arg(0));
  EXPECT_EQ(k.i, 1);
  EXPECT_EQ(k.b, arg(1));
  EXPECT_EQ(k.j, 0);
  // The concat's requirement names its first input, not its result, which
  // does not exist before it runs.
  const auto &cat = a.getRequirements()[1];
  EXPECT_EQ(cat.op, op("kiln.concat"));
  EXPECT_EQ(cat.a, arg(2));
  EXPECT_EQ(cat.b, arg(1));
  EXPECT_TRUE(a.getRuntimeBroadcasts().empty());
  EXPECT_TRUE(a.areEqual(arg(0), 1, arg(2), 0));
}

TEST_F(DimEqualityAnalysisTest, MatmulBatchDimsBroadcast) {
  DimEqualityAnalysis a = analyze(R"mlir(
    func.func @f(%a: tensor<?x?x4x5xf32>, %b: tensor<?x5x6xf32>)
        -> tensor<?x?x4x6xf32> {
      %0 = kiln.matmul %a, %b : (tensor<?x?x4x5xf32>, tensor<?x5x6xf32>) -> tensor<?x?x4x6xf32>
      return %0 : tensor<?x?x4x6xf32>
    })mlir");
  // Batch dim 0 is a's alone (known); dim 1 broadcasts a.d1 against b.d0.
  ASSERT_EQ(a.getRuntimeBroadcasts().size(), 1u);
  const auto &rb = a.getRuntimeBroadcasts()[0];
  EXPECT_EQ(resultDims(rb), SmallVector<int64_t>{1});
  using Dims = SmallVector<std::pair<unsigned, int64_t>>;
  EXPECT_EQ(rb.dims[0].operandDims, (Dims{{0, 1}, {1, 0}}));
  Value r = op("kiln.matmul")->getResult(0);
  EXPECT_TRUE(a.areEqual(r, 0, arg(0), 0));
  EXPECT_FALSE(a.areEqual(r, 1, arg(1), 0));
  EXPECT_TRUE(a.getRequirements().empty());
}

TEST_F(DimEqualityAnalysisTest, NestedOpsAreAssumed) {
  DimEqualityAnalysis a = analyze(R"mlir(
    func.func @f(%x: tensor<?xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
      %c0 = arith.constant 0 : index
      %c2 = arith.constant 2 : index
      %c1 = arith.constant 1 : index
      %r = scf.for %i = %c0 to %c2 step %c1 iter_args(%acc = %x) -> (tensor<?xf32>) {
        %s = kiln.add %acc, %y : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
        scf.yield %s : tensor<?xf32>
      }
      return %r : tensor<?xf32>
    })mlir");
  // Checks inside a loop would abort instead of returning a status, so the
  // loop body's broadcasts tie their dims, for the entry checks to enforce.
  EXPECT_TRUE(a.getRuntimeBroadcasts().empty());
  EXPECT_TRUE(a.getRequirements().empty());
  Value sum = op("kiln.add")->getResult(0);
  EXPECT_TRUE(a.areEqual(sum, 0, arg(1), 0));
}
} // namespace
