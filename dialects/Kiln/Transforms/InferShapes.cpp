//===- InferShapes.cpp - Refine kiln result types -------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Kiln/IR/KilnOps.h"
#include "Kiln/IR/ShapeUtils.h"
#include "Kiln/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNINFERSHAPESPASS
#include "Kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
/// Returns `current` with every dynamic dim that `inferred` knows filled in,
/// or null when nothing is gained or the two disagree.
RankedTensorType refine(Type current, Type inferred) {
  auto cur = dyn_cast<RankedTensorType>(current);
  auto inf = dyn_cast<RankedTensorType>(inferred);
  if (!cur || !inf || cur == inf || !areCompatibleReturnTypes(cur, inf))
    return {};
  SmallVector<int64_t> dims;
  for (auto [a, b] : llvm::zip(cur.getShape(), inf.getShape()))
    dims.push_back(shape::joinDims(a, b));
  auto result = RankedTensorType::get(dims, cur.getElementType(),
                                      cur.getEncoding());
  return result == cur ? RankedTensorType() : result;
}

struct KilnInferShapesPass final
    : kiln::impl::KilnInferShapesPassBase<KilnInferShapesPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    func.getFunctionBody().walk<WalkOrder::PreOrder>(
        [&](Operation *op) { refineOp(op); });
    if (refineSignature)
      refineFunctionResults(func);
  }

  void refineOp(Operation *op) {
    auto infer = dyn_cast<InferTypeOpInterface>(op);
    if (!infer || !isa<KilnDialect>(op->getDialect()))
      return;
    SmallVector<Type> inferred;
    // No location: an op that fails inference is the verifier's to report.
    if (failed(infer.inferReturnTypes(
            op->getContext(), std::nullopt, op->getOperands(),
            op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
            op->getRegions(), inferred)) ||
        inferred.size() != op->getNumResults())
      return;
    for (auto [result, type] : llvm::zip(op->getResults(), inferred)) {
      RankedTensorType refined = refine(result.getType(), type);
      if (!refined)
        continue;
      Type old = result.getType();
      result.setType(refined);
      ++numRefined;
      keepTypeForForeignUsers(result, old);
    }
  }

  /// Users outside the kiln dialect may require the old type exactly; give
  /// them a cast back to it. `func.return` is handled by the signature.
  void keepTypeForForeignUsers(Value value, Type oldType) {
    Value cast;
    for (OpOperand &use : llvm::make_early_inc_range(value.getUses())) {
      Operation *user = use.getOwner();
      if (isa<KilnDialect>(user->getDialect()))
        continue;
      if (refineSignature && isa<func::ReturnOp>(user))
        continue;
      if (!cast) {
        OpBuilder builder(value.getContext());
        builder.setInsertionPointAfterValue(value);
        cast = tensor::CastOp::create(builder, value.getLoc(), oldType, value);
      }
      use.set(cast);
    }
  }

  void refineFunctionResults(func::FuncOp func) {
    SmallVector<Type> results(func.getResultTypes());
    bool changed = false;
    func.getFunctionBody().walk([&](func::ReturnOp ret) {
      for (auto [i, operand] : llvm::enumerate(ret.getOperands())) {
        if (operand.getType() == results[i])
          continue;
        results[i] = operand.getType();
        changed = true;
      }
    });
    if (changed)
      func.setType(FunctionType::get(&getContext(), func.getArgumentTypes(),
                                     results));
  }
};
} // namespace
