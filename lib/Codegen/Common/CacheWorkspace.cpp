//===- CacheWorkspace.cpp - Keep workspaces allocated across calls --------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Common/Passes.h"

#include "mlir/Conversion/LLVMCommon/MemRefBuilder.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/FunctionCallUtils.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCACHEWORKSPACEPASS
#include "kiln/Codegen/Common/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

constexpr StringLiteral kWorkspaceAttr = "kiln.workspace";
constexpr StringLiteral kAcquireName = "__kiln_workspace_acquire";
constexpr StringLiteral kReleaseName = "__kiln_workspace_release";
constexpr StringLiteral kFreeAllName = "__kiln_workspace_free_all";

/// `ptr acquire(ptr slot, i64 size, i64 alignment)`: takes the block the
/// slot holds, or allocates one.
LLVM::LLVMFuncOp buildAcquire(OpBuilder &b, Location loc,
                              LLVM::LLVMFuncOp alignedAlloc) {
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  auto i64 = b.getI64Type();
  auto fn = LLVM::LLVMFuncOp::create(
      b, loc, kAcquireName, LLVM::LLVMFunctionType::get(ptr, {ptr, i64, i64}),
      LLVM::Linkage::Internal);
  Block *entry = fn.addEntryBlock(b);
  Block *allocate = b.createBlock(&fn.getBody());
  Block *done = b.createBlock(&fn.getBody(), fn.getBody().end(), {ptr}, {loc});

  b.setInsertionPointToStart(entry);
  Value null = LLVM::ZeroOp::create(b, loc, ptr);
  Value taken =
      LLVM::AtomicRMWOp::create(b, loc, LLVM::AtomicBinOp::xchg,
                                entry->getArgument(0), null,
                                LLVM::AtomicOrdering::acq_rel);
  Value empty =
      LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq, taken, null);
  LLVM::CondBrOp::create(b, loc, empty, allocate, ValueRange(), done,
                         ValueRange(taken));

  b.setInsertionPointToStart(allocate);
  Value fresh = LLVM::CallOp::create(
                    b, loc, alignedAlloc,
                    ValueRange{entry->getArgument(2), entry->getArgument(1)})
                    .getResult();
  LLVM::BrOp::create(b, loc, ValueRange(fresh), done);

  b.setInsertionPointToStart(done);
  LLVM::ReturnOp::create(b, loc, done->getArgument(0));
  return fn;
}

/// `void release(ptr slot, ptr block)`: puts the block back into an empty
/// slot, or frees it.
LLVM::LLVMFuncOp buildRelease(OpBuilder &b, Location loc,
                              LLVM::LLVMFuncOp freeFn) {
  MLIRContext *ctx = b.getContext();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto fn = LLVM::LLVMFuncOp::create(
      b, loc, kReleaseName,
      LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptr, ptr}),
      LLVM::Linkage::Internal);
  Block *entry = fn.addEntryBlock(b);
  Block *release = b.createBlock(&fn.getBody());
  Block *done = b.createBlock(&fn.getBody());

  b.setInsertionPointToStart(entry);
  Value null = LLVM::ZeroOp::create(b, loc, ptr);
  Value pair = LLVM::AtomicCmpXchgOp::create(
      b, loc, entry->getArgument(0), null, entry->getArgument(1),
      LLVM::AtomicOrdering::acq_rel, LLVM::AtomicOrdering::monotonic);
  Value stored = LLVM::ExtractValueOp::create(b, loc, pair, 1);
  LLVM::CondBrOp::create(b, loc, stored, done, release);

  b.setInsertionPointToStart(release);
  LLVM::CallOp::create(b, loc, freeFn, ValueRange(entry->getArgument(1)));
  LLVM::BrOp::create(b, loc, done);

  b.setInsertionPointToStart(done);
  LLVM::ReturnOp::create(b, loc, ValueRange());
  return fn;
}

/// `void free_all()`, run as a module destructor: frees every slot's block.
LLVM::LLVMFuncOp buildFreeAll(OpBuilder &b, Location loc, ArrayRef<LLVM::GlobalOp> slots,
                  LLVM::LLVMFuncOp freeFn) {
  MLIRContext *ctx = b.getContext();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto fn = LLVM::LLVMFuncOp::create(
      b, loc, kFreeAllName,
      LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {}),
      LLVM::Linkage::Internal);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(fn.addEntryBlock(b));
  Value null = LLVM::ZeroOp::create(b, loc, ptr);
  for (LLVM::GlobalOp slot : slots) {
    Value address = LLVM::AddressOfOp::create(b, loc, slot);
    Value block =
        LLVM::AtomicRMWOp::create(b, loc, LLVM::AtomicBinOp::xchg, address,
                                  null, LLVM::AtomicOrdering::acq_rel);
    // free(NULL) does nothing.
    LLVM::CallOp::create(b, loc, freeFn, ValueRange(block));
  }
  LLVM::ReturnOp::create(b, loc, ValueRange());
  return fn;
}

struct KilnCacheWorkspacePass final
    : kiln::impl::KilnCacheWorkspacePassBase<KilnCacheWorkspacePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    SmallVector<std::pair<func::FuncOp, memref::AllocOp>> workspaces;
    WalkResult walk = module.walk([&](memref::AllocOp alloc) {
      if (!alloc->hasAttr(kWorkspaceAttr))
        return WalkResult::advance();
      auto func = dyn_cast<func::FuncOp>(alloc->getParentOp());
      MemRefType type = alloc.getType();
      if (!func || !type.hasStaticShape() || type.getRank() != 1 ||
          !type.getElementType().isInteger(8) ||
          !type.getLayout().isIdentity()) {
        alloc.emitError("kiln-cache-workspace: a kiln.workspace must be a "
                        "static 1-D i8 memref allocated in a function's "
                        "entry block");
        return WalkResult::interrupt();
      }
      for (Operation *user : alloc->getUsers())
        if (!isa<memref::ViewOp, memref::DeallocOp,
                 memref::ExtractAlignedPointerAsIndexOp>(user)) {
          user->emitError("kiln-cache-workspace: a kiln.workspace may only "
                          "be viewed, freed and null-checked, not used by ")
              << user->getName();
          return WalkResult::interrupt();
        }
      workspaces.push_back({func, alloc});
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();
    if (workspaces.empty())
      return;

    OpBuilder b(ctx);
    Location loc = module.getLoc();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto i64 = b.getI64Type();
    SymbolTable symbols(module);
    b.setInsertionPointToEnd(module.getBody());
    FailureOr<LLVM::LLVMFuncOp> alignedAlloc =
        LLVM::lookupOrCreateAlignedAllocFn(b, module, i64);
    FailureOr<LLVM::LLVMFuncOp> freeFn = LLVM::lookupOrCreateFreeFn(b, module);
    if (failed(alignedAlloc) || failed(freeFn)) {
      module.emitError("kiln-cache-workspace: the module declares "
                       "aligned_alloc or free with another signature");
      return signalPassFailure();
    }
    b.setInsertionPointToEnd(module.getBody());
    LLVM::LLVMFuncOp acquire = buildAcquire(b, loc, *alignedAlloc);
    symbols.insert(acquire);
    b.setInsertionPointToEnd(module.getBody());
    LLVM::LLVMFuncOp release = buildRelease(b, loc, *freeFn);
    symbols.insert(release);

    LLVMTypeConverter converter(ctx);
    SmallVector<LLVM::GlobalOp> slots;
    for (auto [func, alloc] : workspaces) {
      // The slot: an internal pointer, null until the first return.
      b.setInsertionPointToEnd(module.getBody());
      auto slot = LLVM::GlobalOp::create(
          b, loc, ptr, /*isConstant=*/false, LLVM::Linkage::Internal,
          ("__kiln_workspace_" + func.getSymName()).str(), Attribute());
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(b.createBlock(&slot.getInitializerRegion()));
        LLVM::ReturnOp::create(b, loc,
                               LLVM::ZeroOp::create(b, loc, ptr).getResult());
      }
      symbols.insert(slot);
      slots.push_back(slot);

      Location allocLoc = alloc.getLoc();
      b.setInsertionPoint(alloc);
      MemRefType type = alloc.getType();
      Value address = LLVM::AddressOfOp::create(b, allocLoc, slot);
      Value size =
          LLVM::ConstantOp::create(b, allocLoc, i64, type.getNumElements());
      Value align = LLVM::ConstantOp::create(
          b, allocLoc, i64, alloc.getAlignment().value_or(64));
      Value block = LLVM::CallOp::create(b, allocLoc, acquire,
                                         ValueRange{address, size, align})
                        .getResult();
      Value descriptor = MemRefDescriptor::fromStaticShape(
          b, allocLoc, converter, type, block);
      Value memref = UnrealizedConversionCastOp::create(b, allocLoc, type,
                                                        descriptor)
                         .getResult(0);
      for (Operation *user : llvm::make_early_inc_range(alloc->getUsers())) {
        if (auto dealloc = dyn_cast<memref::DeallocOp>(user)) {
          b.setInsertionPoint(dealloc);
          Value again = LLVM::AddressOfOp::create(b, dealloc.getLoc(), slot);
          LLVM::CallOp::create(b, dealloc.getLoc(), release,
                               ValueRange{again, block});
          dealloc.erase();
        }
      }
      alloc.replaceAllUsesWith(memref);
      alloc.erase();
    }

    b.setInsertionPointToEnd(module.getBody());
    LLVM::LLVMFuncOp freeAll = buildFreeAll(b, loc, slots, *freeFn);
    symbols.insert(freeAll);
    b.setInsertionPointToEnd(module.getBody());
    LLVM::GlobalDtorsOp::create(
        b, loc, b.getArrayAttr(FlatSymbolRefAttr::get(freeAll)),
        b.getI32ArrayAttr({65535}), b.getArrayAttr(LLVM::ZeroAttr::get(ctx)));
  }
};

} // namespace
