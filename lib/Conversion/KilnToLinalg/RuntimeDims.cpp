//===- RuntimeDims.cpp - Check and broadcast dynamic dims at run time -----===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The patterns lower each kiln op on the assumption that the dims its
// DimEqualityOpInterface ties together are equal. Before they run, this step
// makes that assumption true for the dims DimEqualityAnalysis cannot prove
// equal:
//
// - a requirement (a contraction's K, a concatenation's other dims) gets a
//   `cf.assert` before the op, which kiln-runtime-checks turns into an
//   error status naming the op;
// - a run-time broadcast (numpy: a dynamic dim that is 1 broadcasts) gets
//   its result size computed from the operands' sizes, a check that they
//   broadcast, and each operand whose dim may be 1 replaced by an `scf.if`
//   that passes it through when its dims already have the result's sizes
//   (no copy) and broadcasts it with `tensor.generate` otherwise. The op
//   then sees operands of equal dims, which the patterns handle.
//
// Dims that the analysis proves equal cost nothing: their ops lower as
// before and fuse as before.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "Kiln/IR/DimEqualityAnalysis.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::lowering;

namespace {
/// How an assert message names a dim: "dim 1 of operand 0".
std::string describe(Operation *op, Value v, int64_t d) {
  std::string where;
  for (OpOperand &use : op->getOpOperands())
    if (use.get() == v) {
      where = "operand " + std::to_string(use.getOperandNumber());
      break;
    }
  if (where.empty())
    if (auto result = dyn_cast<OpResult>(v); result && result.getOwner() == op)
      where = "result " + std::to_string(result.getResultNumber());
  if (where.empty())
    where = "a value it uses";
  return "dim " + std::to_string(d) + " of " + where;
}

Value cmpEq(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, y);
}

Value andAll(OpBuilder &b, Location loc, ArrayRef<Value> flags) {
  Value all;
  for (Value f : flags)
    all = all ? arith::AndIOp::create(b, loc, all, f).getResult() : f;
  return all;
}

/// Asserts one requirement before its op, when it can be stated with values
/// that exist there.
void checkRequirement(const DimEqualityAnalysis::Requirement &r) {
  auto definedBy = [&](Value v, int64_t d) {
    return v.getDefiningOp() == r.op &&
           cast<RankedTensorType>(v.getType()).isDynamicDim(d);
  };
  if (definedBy(r.a, r.i) || definedBy(r.b, r.j))
    return;
  OpBuilder b(r.op);
  Location loc = r.op->getLoc();
  Value ok = cmpEq(b, loc, getDimValue(b, loc, r.a, r.i),
                   getDimValue(b, loc, r.b, r.j));
  cf::AssertOp::create(b, loc, ok,
                       r.op->getName().getStringRef().str() + ": " +
                           describe(r.op, r.a, r.i) + " must equal " +
                           describe(r.op, r.b, r.j));
}

/// Makes the run-time broadcast of `dims` (dims of `op`'s first result)
/// explicit.
void materializeBroadcast(
    Operation *op, ArrayRef<DimEqualityAnalysis::BroadcastDim> dims) {
  OpBuilder b(op);
  Location loc = op->getLoc();
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  auto typeOf = [](Value v) { return cast<RankedTensorType>(v.getType()); };
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  // Each operand dim's size and whether it is 1, read once.
  llvm::DenseMap<std::pair<Value, int64_t>, std::pair<Value, Value>> read;
  auto sizeOf = [&](Value v, int64_t d) -> std::pair<Value, Value> {
    auto [it, inserted] = read.try_emplace({v, d});
    if (inserted) {
      Value size = getDimValue(b, loc, v, d);
      it->second = {size, cmpEq(b, loc, size, one)};
    }
    return it->second;
  };

  // Each dim's size: the operands' sizes that are not 1 must agree, and the
  // result takes theirs (numpy; so 0 and 1 give 0). Operand dims that may
  // be 1 map to the result dim they broadcast into.
  llvm::DenseMap<int64_t, Value> sizes;
  llvm::DenseMap<std::pair<unsigned, int64_t>, int64_t> resultDimOf;
  SmallVector<Value> broadcastable;
  for (const DimEqualityAnalysis::BroadcastDim &bd : dims) {
    int64_t d = bd.resultDim;
    // A static size (the result's, or an operand's) is the size; the
    // dynamic ones are read.
    std::optional<int64_t> staticSize;
    if (!resultType.isDynamicDim(d))
      staticSize = resultType.getDimSize(d);
    SmallVector<std::pair<Value, Value>> operandSizes;
    for (auto [i, od] : bd.operandDims) {
      Value operand = op->getOperand(i);
      int64_t s = typeOf(operand).getDimSize(od);
      if (ShapedType::isDynamic(s)) {
        operandSizes.push_back(sizeOf(operand, od));
        resultDimOf[{i, od}] = d;
      } else if (!staticSize) {
        staticSize = s;
      }
    }
    Value size = arith::ConstantIndexOp::create(b, loc, staticSize.value_or(1));
    if (!staticSize)
      for (auto [s, isOne] : operandSizes)
        size = arith::SelectOp::create(b, loc, isOne, size, s);
    for (auto [s, isOne] : operandSizes)
      broadcastable.push_back(
          arith::OrIOp::create(b, loc, isOne, cmpEq(b, loc, s, size)));
    sizes[d] = size;
  }
  std::string list;
  llvm::interleave(
      dims,
      [&](const DimEqualityAnalysis::BroadcastDim &bd) {
        list += std::to_string(bd.resultDim);
      },
      [&] { list += ", "; });
  cf::AssertOp::create(
      b, loc, andAll(b, loc, broadcastable),
      op->getName().getStringRef().str() + ": the operands' sizes in dim " +
          list + " do not broadcast (each must be 1 or the same size)");

  for (OpOperand &use : op->getOpOperands()) {
    Value operand = use.get();
    RankedTensorType type = typeOf(operand);
    unsigned number = use.getOperandNumber();
    // The dims of this operand that may be 1 at run time.
    SmallVector<int64_t> mayBroadcast;
    SmallVector<int64_t> shape(type.getShape());
    for (int64_t od = 0; od < type.getRank(); ++od) {
      auto it = resultDimOf.find({number, od});
      if (it == resultDimOf.end())
        continue;
      mayBroadcast.push_back(od);
      shape[od] = resultType.getDimSize(it->second);
    }
    if (mayBroadcast.empty())
      continue;
    auto targetType = RankedTensorType::get(shape, type.getElementType());
    auto sizeFor = [&](int64_t od) {
      return sizes[resultDimOf.lookup({number, od})];
    };
    SmallVector<Value> same, extents;
    for (int64_t od : mayBroadcast)
      same.push_back(cmpEq(b, loc, sizeOf(operand, od).first, sizeFor(od)));
    for (int64_t od = 0; od < type.getRank(); ++od)
      if (targetType.isDynamicDim(od))
        extents.push_back(llvm::is_contained(mayBroadcast, od)
                              ? sizeFor(od)
                              : getDimValue(b, loc, operand, od));
    auto ifOp = scf::IfOp::create(
        b, loc, andAll(b, loc, same),
        [&](OpBuilder &tb, Location l) {
          Value passed = operand;
          if (targetType != type)
            passed = tensor::CastOp::create(tb, l, targetType, operand);
          scf::YieldOp::create(tb, l, passed);
        },
        [&](OpBuilder &eb, Location l) {
          auto generate = tensor::GenerateOp::create(
              eb, l, targetType, extents,
              [&](OpBuilder &gb, Location gl, ValueRange ivs) {
                SmallVector<Value> indices(ivs);
                for (int64_t od : mayBroadcast)
                  indices[od] = arith::SelectOp::create(
                      gb, gl, sizeOf(operand, od).second, zero, ivs[od]);
                tensor::YieldOp::create(
                    gb, gl,
                    tensor::ExtractOp::create(gb, gl, operand, indices)
                        .getResult());
              });
          scf::YieldOp::create(eb, l, generate.getResult());
        });
    use.set(ifOp.getResult(0));
  }
}
} // namespace

void lowering::resolveRuntimeDims(func::FuncOp func) {
  DimEqualityAnalysis analysis(func);
  for (const DimEqualityAnalysis::Requirement &r : analysis.getRequirements())
    checkRequirement(r);
  for (const DimEqualityAnalysis::RuntimeBroadcast &rb :
       analysis.getRuntimeBroadcasts())
    materializeBroadcast(rb.op, rb.dims);
}
