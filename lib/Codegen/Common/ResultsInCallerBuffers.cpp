//===- ResultsInCallerBuffers.cpp - Results computed where callers want them -===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Common/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNRESULTSINCALLERBUFFERSPASS
#include "kiln/Codegen/Common/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// The allocation of this function that `value` is (through casts and
/// reshapes with the identity layout), or null.
memref::AllocOp rootAllocation(Value value, func::FuncOp func) {
  while (true) {
    auto type = dyn_cast<MemRefType>(value.getType());
    if (!type || !type.getLayout().isIdentity())
      return nullptr;
    Operation *def = value.getDefiningOp();
    if (auto alloc = dyn_cast_if_present<memref::AllocOp>(def))
      return alloc->getParentOfType<func::FuncOp>() == func ? alloc : nullptr;
    if (!isa_and_present<memref::CastOp, memref::ExpandShapeOp,
                         memref::CollapseShapeOp>(def))
      return nullptr;
    value = def->getOperand(0);
  }
}

/// Bytes of one element in memory, or 0 for a type that has none fixed.
int64_t elementBytes(Type type) {
  if (!type.isIntOrFloat())
    return 0;
  return (type.getIntOrFloatBitWidth() + 7) / 8;
}

/// Replaces `alloc` by a view of `out` when `out` is large enough (and the
/// result not empty), else by the same allocation; the deallocations of
/// the failure paths then free only an allocation.
void allocateInCallerBuffer(memref::AllocOp alloc, Value out) {
  MemRefType type = alloc.getType();
  int64_t staticBytes = elementBytes(type.getElementType());
  for (int64_t size : type.getShape())
    if (!ShapedType::isDynamic(size))
      staticBytes *= size;
  // An empty result never uses the buffer.
  if (staticBytes == 0)
    return;
  OpBuilder b(alloc);
  Location loc = alloc.getLoc();
  Value bytes = arith::ConstantIndexOp::create(b, loc, staticBytes);
  for (Value size : alloc.getDynamicSizes())
    bytes = arith::MulIOp::create(b, loc, bytes, size);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value capacity = memref::DimOp::create(b, loc, out, zero);
  Value fits = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                     capacity, bytes);
  if (!alloc.getDynamicSizes().empty())
    fits = arith::AndIOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt, bytes, zero),
        fits);
  auto choice = scf::IfOp::create(
      b, loc, fits,
      [&](OpBuilder &then, Location loc) {
        Value view = memref::ViewOp::create(then, loc, type, out, zero,
                                            alloc.getDynamicSizes());
        scf::YieldOp::create(then, loc, view);
      },
      [&](OpBuilder &otherwise, Location loc) {
        Operation *own = otherwise.clone(*alloc);
        scf::YieldOp::create(otherwise, loc, own->getResult(0));
      });
  Value result = choice.getResult(0);
  alloc.getResult().replaceAllUsesWith(result);
  alloc.erase();

  // kiln-runtime-checks frees the result on a failure after it: only what
  // the function allocated.
  for (Operation *user : llvm::make_early_inc_range(result.getUsers())) {
    auto dealloc = dyn_cast<memref::DeallocOp>(user);
    if (!dealloc)
      continue;
    OpBuilder d(dealloc);
    Value owned = arith::XOrIOp::create(
        d, dealloc.getLoc(), fits,
        arith::ConstantIntOp::create(d, dealloc.getLoc(), d.getI1Type(), 1));
    auto guard = scf::IfOp::create(d, dealloc.getLoc(), owned,
                                   /*withElseRegion=*/false);
    dealloc->moveBefore(guard.thenBlock()->getTerminator());
  }
}

struct KilnResultsInCallerBuffersPass final
    : kiln::impl::KilnResultsInCallerBuffersPassBase<
          KilnResultsInCallerBuffersPass> {
  using Base::Base;

  void runOnOperation() override {
    auto bytesType = MemRefType::get({ShapedType::kDynamic},
                                     IntegerType::get(&getContext(), 8));
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isPrivate() || func.isExternal())
        continue;
      // The return that hands results out: kiln-runtime-checks' failure
      // paths return poison instead.
      SmallVector<func::ReturnOp> returns;
      func.walk([&](func::ReturnOp r) {
        if (llvm::any_of(r.getOperands(), [](Value v) {
              return isa<MemRefType>(v.getType()) &&
                     !v.getDefiningOp<ub::PoisonOp>();
            }))
          returns.push_back(r);
      });
      if (returns.size() > 1) {
        func.emitError("kiln-results-in-caller-buffers: a public function "
                       "must return its buffers from one func.return");
        return signalPassFailure();
      }
      // One argument per returned buffer, after the inputs.
      SmallVector<std::pair<Value, unsigned>> results;
      for (auto [number, type] : llvm::enumerate(func.getResultTypes()))
        if (isa<MemRefType>(type))
          results.emplace_back(returns.empty() ? Value()
                                               : returns[0].getOperand(number),
                               number);
      for (auto [value, number] : results) {
        unsigned index = func.getNumArguments();
        if (failed(func.insertArgument(
                index, bytesType,
                DictionaryAttr::get(
                    &getContext(),
                    {NamedAttribute(StringAttr::get(&getContext(),
                                                    "kiln.result_buffer"),
                                    IntegerAttr::get(IntegerType::get(
                                                         &getContext(), 64),
                                                     number))}),
                func.getLoc())))
          return signalPassFailure();
        if (memref::AllocOp alloc =
                value ? rootAllocation(value, func) : memref::AllocOp())
          if (elementBytes(alloc.getType().getElementType()))
            allocateInCallerBuffer(alloc, func.getArgument(index));
      }
    }
  }
};

} // namespace
