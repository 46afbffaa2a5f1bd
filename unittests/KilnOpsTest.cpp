//===- KilnOpsTest.cpp - Builders and type inference of kiln ops ----------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::kiln;

namespace {
class KilnOpsTest : public ::testing::Test {
protected:
  KilnOpsTest() : builder(&context) {
    context.loadDialect<KilnDialect, func::FuncDialect>();
    module = ModuleOp::create(builder.getUnknownLoc());
    builder.setInsertionPointToEnd(module->getBody());
    // Every diagnostic lands in `diagnostics` instead of stderr.
    context.getDiagEngine().registerHandler([this](Diagnostic &diag) {
      diagnostics.push_back(diag.str());
    });
  }

  RankedTensorType tensor(ArrayRef<int64_t> shape, Type element = {}) {
    return RankedTensorType::get(shape, element ? element : builder.getF32Type());
  }

  /// A zero constant of the given type, standing in for a function argument.
  Value value(RankedTensorType type) {
    return ConstantOp::create(builder, loc(),
                              DenseElementsAttr::get(
                                  type, builder.getZeroAttr(type.getElementType())))
        .getResult();
  }

  Value splat(RankedTensorType type, float v) {
    return ConstantOp::create(builder, loc(),
                              DenseElementsAttr::get(type, v))
        .getResult();
  }

  Location loc() { return builder.getUnknownLoc(); }

  MLIRContext context;
  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
  std::vector<std::string> diagnostics;
};

constexpr int64_t Q = ShapedType::kDynamic;

TEST_F(KilnOpsTest, BinaryBuilderInfersBroadcast) {
  Value a = value(tensor({4, 1})), b = value(tensor({1, 5}));
  // Zero operands fold away x + 0 only when no broadcast is needed.
  auto add = AddOp::create(builder, loc(), a, b);
  EXPECT_EQ(add.getType(), tensor({4, 5}));
  auto cmp = CompareOp::create(builder, loc(), ComparePredicate::LT, a, b);
  EXPECT_EQ(cmp.getType(), tensor({4, 5}, builder.getI1Type()));
  EXPECT_TRUE(succeeded(verify(*module)));
}

TEST_F(KilnOpsTest, MatmulBuilderInfersBatchAndTranspose) {
  Value a = value(tensor({2, 1, 8, 16})), b = value(tensor({3, 32, 16}));
  auto mm = MatmulOp::create(builder, loc(), a, b, /*transpose_lhs=*/false,
                             /*transpose_rhs=*/true);
  EXPECT_EQ(mm.getType(), tensor({2, 3, 8, 32}));
}

TEST_F(KilnOpsTest, ConvBuilderInfersBothLayouts) {
  Value x = value(tensor({1, 3, 224, 224})), w = value(tensor({64, 3, 7, 7}));
  auto conv = Conv2DOp::create(
      builder, loc(), x, w, /*bias=*/Value(), builder.getDenseI64ArrayAttr({2, 2}),
      builder.getDenseI64ArrayAttr({1, 1}),
      builder.getDenseI64ArrayAttr({3, 3, 3, 3}), builder.getI64IntegerAttr(1),
      LayoutAttr::get(&context, Layout::NCHW));
  EXPECT_EQ(conv.getType(), tensor({1, 64, 112, 112}));

  // Depthwise NHWC with a dynamic batch and a prime spatial size.
  Value xh = value(tensor({1, 13, 13, 32})), dw = value(tensor({3, 3, 1, 32}));
  auto dconv = Conv2DOp::create(
      builder, loc(), xh, dw, Value(), builder.getDenseI64ArrayAttr({2, 2}),
      builder.getDenseI64ArrayAttr({1, 1}),
      builder.getDenseI64ArrayAttr({0, 0, 0, 0}), builder.getI64IntegerAttr(32),
      LayoutAttr::get(&context, Layout::NHWC));
  EXPECT_EQ(dconv.getType(), tensor({1, 6, 6, 32}));
  EXPECT_TRUE(succeeded(verify(*module)));
}

TEST_F(KilnOpsTest, ReduceAndGatherBuilders) {
  Value x = value(tensor({2, 7, 5}));
  auto r = ReduceSumOp::create(builder, loc(), x,
                               builder.getDenseI64ArrayAttr({-1, 0}),
                               builder.getBoolAttr(false));
  EXPECT_EQ(r.getType(), tensor({7}));
  Value ids = value(tensor({3, 4}, builder.getI64Type()));
  auto g = GatherOp::create(builder, loc(), x, ids, builder.getI64IntegerAttr(1));
  EXPECT_EQ(g.getType(), tensor({2, 3, 4, 5}));
}

TEST_F(KilnOpsTest, DequantizeInfersExpressedType) {
  auto qtype = quant::UniformQuantizedType::get(
      quant::QuantizationFlags::Signed, builder.getI8Type(),
      builder.getF32Type(), 0.5, -3, -128, 127);
  Value x = value(tensor({4, 8}));
  auto q = QuantizeOp::create(builder, loc(), tensor({4, 8}, qtype), x);
  auto dq = DequantizeOp::create(builder, loc(), q);
  EXPECT_EQ(dq.getType(), tensor({4, 8}));
  EXPECT_TRUE(succeeded(verify(*module)));
}

TEST_F(KilnOpsTest, CompatibleReturnTypesAllowRefinement) {
  EXPECT_TRUE(areCompatibleReturnTypes(TypeRange{tensor({Q, 4})},
                                       TypeRange{tensor({3, 4})}));
  EXPECT_FALSE(areCompatibleReturnTypes(TypeRange{tensor({2, 4})},
                                        TypeRange{tensor({3, 4})}));
  EXPECT_FALSE(areCompatibleReturnTypes(TypeRange{tensor({4})},
                                        TypeRange{tensor({4, 1})}));
  EXPECT_FALSE(areCompatibleReturnTypes(
      TypeRange{tensor({4})}, TypeRange{tensor({4}, builder.getI32Type())}));
}

// The builder path runs inference before any verifier, so inference must
// diagnose what the ODS constraints would otherwise have caught.
TEST_F(KilnOpsTest, InferenceRejectsUnrankedOperands) {
  SmallVector<Type> types;
  Type unranked = UnrankedTensorType::get(builder.getF32Type());
  EXPECT_TRUE(failed(inferBroadcastResult(loc(), "kiln.add",
                                          {tensor({4}), unranked}, {}, types)));
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0], "'kiln.add' op operand #1 must be a ranked tensor");
}

TEST_F(KilnOpsTest, InferenceRejectsEmptyConcat) {
  ConcatOp::Properties props;
  props.axis = builder.getI64IntegerAttr(0);
  SmallVector<Type> types;
  EXPECT_TRUE(failed(ConcatOp::inferReturnTypes(
      &context, loc(), ConcatOp::Adaptor(ValueRange{}, nullptr, props, {}),
      types)));
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0], "'kiln.concat' op requires at least one input");
}

TEST_F(KilnOpsTest, FolderMaterializesConstants) {
  Value a = splat(tensor({2}), 1.5f), b = splat(tensor({2}), 2.0f);
  auto add = AddOp::create(builder, loc(), a, b);
  SmallVector<OpFoldResult> results;
  ASSERT_TRUE(succeeded(add->fold(results)));
  ASSERT_EQ(results.size(), 1u);
  // 1.5 + 2 folds to a constant attribute that the dialect can materialize.
  auto attr = dyn_cast_if_present<Attribute>(results[0]);
  ASSERT_TRUE(attr);
  auto dense = cast<DenseElementsAttr>(attr);
  ASSERT_TRUE(dense.isSplat());
  EXPECT_EQ(dense.getSplatValue<float>(), 3.5f);
  Operation *cst = context.getLoadedDialect<KilnDialect>()->materializeConstant(
      builder, attr, add.getType(), loc());
  ASSERT_NE(cst, nullptr);
  EXPECT_TRUE(isa<ConstantOp>(cst));
}
} // namespace
