//===- DistinctResults.cpp - One allocation per returned buffer -----------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Common/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
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
      // Copied results whose buffers nothing else returns: the caller would
      // never see (or free) them, so they are freed after the copy.
      SmallVector<Value> replaced;
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
        replaced.push_back(operand.get());
        Value result = copy;
        if (copy.getType() != type)
          result = memref::CastOp::create(b, loc, type, copy);
        operand.set(result);
      }
      if (replaced.empty())
        return;
      // Distinct SSA values may still be one buffer (two results of one
      // scf.if), so the bases are compared at run time: a base is freed
      // unless a returned result or an earlier freed base has its address.
      OpBuilder b(ret);
      Location loc = ret.getLoc();
      auto address = [&](Value v) -> Value {
        auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, v);
        return memref::ExtractAlignedPointerAsIndexOp::create(
            b, loc, metadata.getBaseBuffer());
      };
      llvm::DenseSet<Value> keptRoots;
      SmallVector<Value> taken;
      for (Value v : ret.getOperands())
        if (isa<MemRefType>(v.getType()))
          keptRoots.insert(rootBuffer(v));
      // A buffer another result returns is known statically (`return %a,
      // %a`); the rest are compared at run time.
      llvm::erase_if(replaced,
                     [&](Value v) { return keptRoots.contains(rootBuffer(v)); });
      if (replaced.empty())
        return;
      for (Value v : ret.getOperands())
        if (isa<MemRefType>(v.getType()))
          taken.push_back(address(v));
      for (Value v : replaced) {
        auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, v);
        Value base = metadata.getBaseBuffer();
        Value here = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, base);
        Value free = arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1);
        for (Value other : taken)
          free = arith::AndIOp::create(
              b, loc, free,
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, here,
                                    other));
        auto ifOp = scf::IfOp::create(b, loc, free, /*withElseRegion=*/false);
        OpBuilder inside = ifOp.getThenBodyBuilder();
        memref::DeallocOp::create(inside, loc, base);
        taken.push_back(here);
      }
    });
  }
};

} // namespace
