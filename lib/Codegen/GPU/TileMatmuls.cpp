//===- TileMatmuls.cpp - Matmuls as shared-memory tiled kernels -----------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Each linalg.matmul and linalg.batch_matmul on buffers becomes one
// gpu.launch: a block per tile x tile piece of the result (and per batch),
// a thread per element of it. Each step over K stages a tile of A and a
// tile of B in workgroup (shared) memory, one element per thread, between
// barriers; every thread then reads its row of A's tile and its column of
// B's, so each element of A and B is read from global memory once per
// block instead of once per thread.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/GPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNGPUTILEMATMULSPASS
#include "kiln/Codegen/GPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// Whether `op` (a matmul or batch matmul) has the default indexing maps,
/// floating-point buffers and no transposes or casts this lowering would
/// have to know about.
bool isPlainFloatMatmul(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1)
    return false;
  auto isDefault = [](auto named) {
    return named && !named.hasUserDefinedMaps() &&
           named.getCast() == linalg::TypeFn::cast_signed;
  };
  if (!isDefault(dyn_cast<linalg::MatmulOp>(op.getOperation())) &&
      !isDefault(dyn_cast<linalg::BatchMatmulOp>(op.getOperation())))
    return false;
  for (Value operand : op->getOperands()) {
    auto type = dyn_cast<MemRefType>(operand.getType());
    if (!type || !isa<FloatType>(type.getElementType()))
      return false;
  }
  return true;
}

/// `value` of float type converted to `type`.
Value castTo(OpBuilder &b, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  if (value.getType().getIntOrFloatBitWidth() < type.getIntOrFloatBitWidth())
    return arith::ExtFOp::create(b, loc, type, value);
  return arith::TruncFOp::create(b, loc, type, value);
}

void lowerMatmul(linalg::LinalgOp op, int64_t tile) {
  Location loc = op.getLoc();
  OpBuilder b(op);
  bool batched = isa<linalg::BatchMatmulOp>(op.getOperation());
  Value lhs = op.getDpsInputOperand(0)->get();
  Value rhs = op.getDpsInputOperand(1)->get();
  Value out = op.getDpsInitOperand(0)->get();
  auto lhsType = cast<MemRefType>(lhs.getType());
  auto rhsType = cast<MemRefType>(rhs.getType());
  Type accType = cast<MemRefType>(out.getType()).getElementType();
  unsigned r = batched ? 1 : 0; // the rank of the batch dims

  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value tileSize = arith::ConstantIndexOp::create(b, loc, tile);
  Value m = memref::DimOp::create(b, loc, out, r);
  Value n = memref::DimOp::create(b, loc, out, r + 1);
  Value k = memref::DimOp::create(b, loc, lhs, r + 1);
  Value batches = batched ? memref::DimOp::create(b, loc, out, 0).getResult()
                          : one;
  Value gridX = arith::CeilDivSIOp::create(b, loc, n, tileSize);
  Value gridY = arith::CeilDivSIOp::create(b, loc, m, tileSize);

  // Workgroup memory as the numeric space 3: NVVM's shared address space,
  // and what the Vulkan SPIR-V conversion maps to Workgroup (it does not
  // map #gpu.address_space<workgroup>).
  constexpr int64_t kWorkgroupSpace = 3;
  Attribute workgroup = b.getI64IntegerAttr(kWorkgroupSpace);
  auto shared = [&](Type element) {
    return MemRefType::get({tile, tile}, element, MemRefLayoutAttrInterface(),
                           workgroup);
  };
  auto launch = gpu::LaunchOp::create(
      b, loc, gridX, gridY, batches, tileSize, tileSize, one,
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/{},
      TypeRange{shared(lhsType.getElementType()),
                shared(rhsType.getElementType())});
  Value lhsTile = launch.getWorkgroupAttributions()[0];
  Value rhsTile = launch.getWorkgroupAttributions()[1];
  gpu::KernelDim3 block = launch.getBlockIds();
  gpu::KernelDim3 thread = launch.getThreadIds();

  b.setInsertionPointToStart(&launch.getBody().front());
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value c1 = arith::ConstantIndexOp::create(b, loc, 1);
  Value t = arith::ConstantIndexOp::create(b, loc, tile);
  Value row = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, block.y, t), thread.y);
  Value col = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, block.x, t), thread.x);
  auto indices = [&](Value i, Value j) {
    SmallVector<Value> idx;
    if (batched)
      idx.push_back(block.z);
    idx.push_back(i);
    idx.push_back(j);
    return idx;
  };
  auto less = [&](Value a, Value bound) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, a, bound);
  };
  // A guarded load: the element, or zero outside the matrix.
  auto loadOrZero = [&](Value source, Value inBounds, Value i, Value j) {
    Type element = cast<MemRefType>(source.getType()).getElementType();
    auto ifOp = scf::IfOp::create(
        b, loc, inBounds,
        [&](OpBuilder &then, Location l) {
          Value v = memref::LoadOp::create(then, l, source, indices(i, j));
          scf::YieldOp::create(then, l, v);
        },
        [&](OpBuilder &otherwise, Location l) {
          Value zeroValue = arith::ConstantOp::create(
              otherwise, l, otherwise.getZeroAttr(element));
          scf::YieldOp::create(otherwise, l, zeroValue);
        });
    return ifOp.getResult(0);
  };

  Value inside = arith::AndIOp::create(b, loc, less(row, m), less(col, n));
  Value acc0 = loadOrZero(out, inside, row, col);
  auto steps = scf::ForOp::create(b, loc, zero, k, t, ValueRange{acc0});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(steps.getBody());
    Value k0 = steps.getInductionVar();
    Value lhsCol = arith::AddIOp::create(b, loc, k0, thread.x);
    Value rhsRow = arith::AddIOp::create(b, loc, k0, thread.y);
    Value a = loadOrZero(
        lhs, arith::AndIOp::create(b, loc, less(row, m), less(lhsCol, k)), row,
        lhsCol);
    Value bv = loadOrZero(
        rhs, arith::AndIOp::create(b, loc, less(rhsRow, k), less(col, n)),
        rhsRow, col);
    memref::StoreOp::create(b, loc, a, lhsTile,
                            ValueRange{thread.y, thread.x});
    memref::StoreOp::create(b, loc, bv, rhsTile,
                            ValueRange{thread.y, thread.x});
    gpu::BarrierOp::create(b, loc);
    auto inner = scf::ForOp::create(b, loc, zero, t, c1,
                                    ValueRange{steps.getRegionIterArg(0)});
    {
      OpBuilder::InsertionGuard innerGuard(b);
      b.setInsertionPointToStart(inner.getBody());
      Value kk = inner.getInductionVar();
      Value x = memref::LoadOp::create(b, loc, lhsTile,
                                       ValueRange{thread.y, kk});
      Value y = memref::LoadOp::create(b, loc, rhsTile,
                                       ValueRange{kk, thread.x});
      Value product = arith::MulFOp::create(b, loc, castTo(b, loc, x, accType),
                                            castTo(b, loc, y, accType));
      Value sum = arith::AddFOp::create(b, loc, inner.getRegionIterArg(0),
                                        product);
      scf::YieldOp::create(b, loc, sum);
    }
    // The tiles are overwritten by the next step only after every thread
    // read them.
    gpu::BarrierOp::create(b, loc);
    scf::YieldOp::create(b, loc, inner.getResult(0));
  }
  scf::IfOp::create(b, loc, inside, [&](OpBuilder &then, Location l) {
    memref::StoreOp::create(then, l, steps.getResult(0), out,
                            indices(row, col));
    scf::YieldOp::create(then, l);
  });
  gpu::TerminatorOp::create(b, loc);
  op->erase();
}

struct KilnGPUTileMatmulsPass
    : kiln::impl::KilnGPUTileMatmulsPassBase<KilnGPUTileMatmulsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (tileSize <= 0 || tileSize * tileSize > 1024) {
      getOperation().emitError("kiln-gpu-tile-matmuls: tile-size must be "
                               "positive and its square at most 1024 "
                               "threads");
      return signalPassFailure();
    }
    SmallVector<linalg::LinalgOp> matmuls;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isPlainFloatMatmul(op))
        matmuls.push_back(op);
    });
    for (linalg::LinalgOp op : matmuls)
      lowerMatmul(op, tileSize);
  }
};

} // namespace
