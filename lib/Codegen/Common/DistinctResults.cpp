//===- DistinctResults.cpp - One allocation per returned buffer -----------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Common/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNDISTINCTRESULTSPASS
#include "kiln/Codegen/Common/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// Whether `value` is a whole allocation in row-major order: an
/// allocation (or a block argument), possibly cast or reshaped, with the
/// identity layout all along. Callers read results as contiguous arrays;
/// a cast can give a strided view (an unpacked GEMM tile, row stride 32)
/// an identity-layout type while its descriptor keeps the strides.
bool isWholeContiguousBuffer(Value value) {
  while (true) {
    auto type = dyn_cast<MemRefType>(value.getType());
    if (!type || !type.getLayout().isIdentity())
      return false;
    Operation *def = value.getDefiningOp();
    if (!def || isa<memref::AllocOp>(def))
      return true;
    if (!isa<memref::CastOp, memref::ExpandShapeOp, memref::CollapseShapeOp>(
            def))
      return false;
    value = def->getOperand(0);
  }
}

/// The buffer `value` views: followed through view-like ops.
Value rootBuffer(Value value) {
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>()) {
    if (view.getViewDest() != value)
      break;
    value = view.getViewSource();
  }
  return value;
}

struct KilnDistinctResultsPass final
    : kiln::impl::KilnDistinctResultsPassBase<KilnDistinctResultsPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isPrivate() || func.isExternal())
      return;
    func.walk([&](func::ReturnOp ret) {
      llvm::DenseSet<Value> returned;
      for (OpOperand &operand : ret->getOpOperands()) {
        auto type = dyn_cast<MemRefType>(operand.get().getType());
        if (!type)
          continue;
        if (returned.insert(rootBuffer(operand.get())).second &&
            isWholeContiguousBuffer(operand.get()))
          continue;
        // Returned already (itself or through a view), or a view that may
        // not be contiguous: a copy of its own.
        OpBuilder b(ret);
        Location loc = ret.getLoc();
        SmallVector<Value> dynamicSizes;
        for (int64_t d = 0; d < type.getRank(); ++d)
          if (type.isDynamicDim(d))
            dynamicSizes.push_back(
                memref::DimOp::create(b, loc, operand.get(), d));
        auto copy = memref::AllocOp::create(
            b, loc, MemRefType::get(type.getShape(), type.getElementType()),
            dynamicSizes, b.getI64IntegerAttr(64));
        memref::CopyOp::create(b, loc, operand.get(), copy);
        Value result = copy;
        if (copy.getType() != type)
          result = memref::CastOp::create(b, loc, type, copy);
        operand.set(result);
      }
    });
  }
};

} // namespace
