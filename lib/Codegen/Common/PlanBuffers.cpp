//===- PlanBuffers.cpp - One planned workspace for temporary buffers ------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Common/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNPLANBUFFERSPASS
#include "kiln/Codegen/Common/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// A buffer the plan places: alive from op `start` to op `end` (positions
/// in the entry block, both inclusive), `size` bytes at `offset`.
struct Buffer {
  memref::AllocOp alloc;
  memref::DeallocOp dealloc;
  int64_t start;
  int64_t end;
  int64_t size;
  int64_t offset = 0;
};

/// The size in bytes of a buffer the plan can place, or nullopt.
std::optional<int64_t> plannableSize(memref::AllocOp alloc) {
  MemRefType type = alloc.getType();
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      type.getMemorySpace() || !alloc.getDynamicSizes().empty() ||
      !alloc.getSymbolOperands().empty())
    return std::nullopt;
  Type element = type.getElementType();
  if (!element.isIntOrFloat())
    return std::nullopt;
  int64_t bits = element.getIntOrFloatBitWidth();
  if (bits % 8 != 0)
    return std::nullopt;
  return type.getNumElements() * (bits / 8);
}

/// The one `memref.dealloc` of `alloc`'s result, when it is in `block` and
/// nothing else frees or returns the buffer.
memref::DeallocOp findDealloc(memref::AllocOp alloc, Block &block) {
  memref::DeallocOp found;
  for (Operation *user : alloc->getUsers()) {
    auto dealloc = dyn_cast<memref::DeallocOp>(user);
    if (!dealloc)
      continue;
    if (found || dealloc->getBlock() != &block)
      return {};
    found = dealloc;
  }
  return found;
}

/// The position in `block` of the last op that uses `alloc`'s buffer,
/// through any alias, or nullopt when the buffer may outlive the block.
/// Every memref result of a user is taken as a possible alias (views,
/// casts, reshapes, calls), as is every memref result of the op whose
/// region yields it.
std::optional<int64_t>
lastUse(memref::AllocOp alloc, memref::DeallocOp dealloc, Block &block,
        const DenseMap<Operation *, int64_t> &position) {
  int64_t last = position.lookup(alloc);
  SmallVector<Value> worklist = {alloc.getResult()};
  DenseSet<Value> seen = {alloc.getResult()};
  auto addAliases = [&](ValueRange values) {
    for (Value value : values)
      if (isa<BaseMemRefType>(value.getType()) && seen.insert(value).second)
        worklist.push_back(value);
  };
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (user == dealloc.getOperation())
        continue;
      if (isa<func::ReturnOp>(user) || isa<BranchOpInterface>(user))
        return std::nullopt;
      Operation *ancestor = block.findAncestorOpInBlock(*user);
      if (!ancestor)
        return std::nullopt;
      last = std::max(last, position.lookup(ancestor));
      addAliases(user->getResults());
      if (user->hasTrait<OpTrait::IsTerminator>() && user != ancestor)
        addAliases(user->getParentOp()->getResults());
    }
  }
  return last;
}

/// Places the buffers, largest first, each at the lowest aligned offset
/// that overlaps no placed buffer alive at the same time. Returns the
/// workspace size.
int64_t placeBuffers(MutableArrayRef<Buffer> buffers, int64_t alignment) {
  SmallVector<Buffer *> order;
  for (Buffer &buffer : buffers)
    order.push_back(&buffer);
  // Largest first; ties in program order, so the plan is deterministic.
  llvm::sort(order, [](const Buffer *a, const Buffer *b) {
    return std::make_pair(-a->size, a->start) <
           std::make_pair(-b->size, b->start);
  });
  SmallVector<Buffer *> placed;
  int64_t total = 0;
  for (Buffer *buffer : order) {
    SmallVector<std::pair<int64_t, int64_t>> taken;
    for (Buffer *other : placed)
      if (other->start <= buffer->end && buffer->start <= other->end)
        taken.push_back({other->offset, other->offset + other->size});
    llvm::sort(taken);
    int64_t offset = 0;
    for (auto [begin, end] : taken) {
      if (offset + buffer->size <= begin)
        break;
      offset = std::max<int64_t>(offset, llvm::alignTo(end, alignment));
    }
    buffer->offset = offset;
    total = std::max(total, offset + buffer->size);
    placed.push_back(buffer);
  }
  return static_cast<int64_t>(llvm::alignTo(total, alignment));
}

struct KilnPlanBuffersPass final
    : kiln::impl::KilnPlanBuffersPassBase<KilnPlanBuffersPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (alignment <= 0 || !llvm::isPowerOf2_64(alignment)) {
      func.emitError("kiln-plan-buffers: alignment must be a power of two, "
                     "got ")
          << static_cast<int64_t>(alignment);
      return signalPassFailure();
    }
    // A workspace freed before one return and not another would need a
    // dealloc on every path; the planned functions have one block.
    if (!llvm::hasSingleElement(func.getBody()))
      return;
    Block &block = func.getBody().front();
    auto ret = dyn_cast<func::ReturnOp>(block.getTerminator());
    if (!ret)
      return;

    DenseMap<Operation *, int64_t> position;
    for (auto [index, op] : llvm::enumerate(block))
      position[&op] = index;

    SmallVector<Buffer> buffers;
    for (auto alloc : block.getOps<memref::AllocOp>()) {
      std::optional<int64_t> size = plannableSize(alloc);
      if (!size || *size == 0 ||
          alloc.getAlignment().value_or(1) > static_cast<uint64_t>(alignment))
        continue;
      memref::DeallocOp dealloc = findDealloc(alloc, block);
      if (!dealloc)
        continue;
      // Deallocation frees at the end of the block; the buffer is dead
      // after its last use.
      std::optional<int64_t> end = lastUse(alloc, dealloc, block, position);
      if (!end)
        continue;
      buffers.push_back({alloc, dealloc, position[alloc], *end, *size});
    }
    if (buffers.empty())
      return;

    int64_t total = placeBuffers(buffers, alignment);
    OpBuilder b(&getContext());
    b.setInsertionPointToStart(&block);
    Location loc = func.getLoc();
    auto workspaceType = MemRefType::get({total}, b.getI8Type());
    auto workspace = memref::AllocOp::create(
        b, loc, workspaceType, b.getI64IntegerAttr(alignment));
    workspace->setAttr("kiln.workspace", b.getUnitAttr());
    for (Buffer &buffer : buffers) {
      b.setInsertionPoint(buffer.alloc);
      Value offset =
          arith::ConstantIndexOp::create(b, buffer.alloc.getLoc(), buffer.offset);
      Value view =
          memref::ViewOp::create(b, buffer.alloc.getLoc(), buffer.alloc.getType(),
                                 workspace, offset, ValueRange());
      buffer.dealloc.erase();
      buffer.alloc.replaceAllUsesWith(view);
      buffer.alloc.erase();
    }
    b.setInsertionPoint(ret);
    memref::DeallocOp::create(b, loc, workspace);
  }
};

} // namespace
