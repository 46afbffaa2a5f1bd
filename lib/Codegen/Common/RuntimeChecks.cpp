//===- RuntimeChecks.cpp - Run-time failures become a status --------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Common/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNRUNTIMECHECKSPASS
#include "kiln/Codegen/Common/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// "name" for a NameLoc (the ONNX importer's "node 'x' (Conv)"),
/// "file:line:col" for a file location, else "".
std::string describeLoc(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return (file.getFilename().getValue() + ":" + Twine(file.getLine()) + ":" +
            Twine(file.getColumn()))
        .str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (std::string s = describeLoc(inner); !s.empty())
        return s;
  if (auto callSite = dyn_cast<CallSiteLoc>(loc))
    return describeLoc(callSite.getCallee());
  return "";
}

std::string typeString(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  type.print(os);
  return s;
}

/// Rewrites one public function: adds the status result and the checks.
class FunctionChecks {
public:
  FunctionChecks(func::FuncOp func, ModuleOp module, unsigned &messageCount)
      : func(func), module(module), messageCount(messageCount),
        ptrType(LLVM::LLVMPointerType::get(func.getContext())) {}

  LogicalResult run();

private:
  /// Splits the block before `next`: when `ok` is false the function frees
  /// `live` and returns `message` instead of going on.
  void guardBefore(Operation *next, Value ok, StringRef message,
                   ArrayRef<Value> live);
  Value messagePointer(OpBuilder &b, Location loc, StringRef message);
  /// The byte size of `alloc` (i64) and whether its dynamic sizes are
  /// non-negative and the product does not overflow, built before it.
  std::pair<Value, Value> checkedByteSize(OpBuilder &b, memref::AllocOp alloc);

  func::FuncOp func;
  ModuleOp module;
  unsigned &messageCount;
  Type ptrType;
  SmallVector<Type> originalResults;
};

Value FunctionChecks::messagePointer(OpBuilder &b, Location loc,
                                     StringRef message) {
  std::string name = ("__kiln_check_" + Twine(messageCount++)).str();
  std::string text = (func.getSymName() + ": " + message).str();
  text.push_back('\0');
  return LLVM::createGlobalString(loc, b, name, text, LLVM::Linkage::Internal);
}

void FunctionChecks::guardBefore(Operation *next, Value ok, StringRef message,
                                 ArrayRef<Value> live) {
  Block *block = next->getBlock();
  Block *rest = block->splitBlock(next);
  Region &body = func.getBody();
  Block *fail = new Block();
  body.push_back(fail);

  Location loc = next->getLoc();
  OpBuilder b(func.getContext());
  b.setInsertionPointToStart(fail);
  for (Value buffer : live)
    memref::DeallocOp::create(b, loc, buffer);
  SmallVector<Value> results;
  for (Type t : originalResults)
    results.push_back(ub::PoisonOp::create(b, loc, t));
  results.push_back(messagePointer(b, loc, message));
  func::ReturnOp::create(b, loc, results);

  b.setInsertionPointToEnd(block);
  cf::CondBranchOp::create(b, loc, ok, rest, ValueRange(), fail,
                           ValueRange());
}

std::pair<Value, Value> FunctionChecks::checkedByteSize(OpBuilder &b,
                                                        memref::AllocOp alloc) {
  Location loc = alloc.getLoc();
  MemRefType type = alloc.getType();
  auto i64 = b.getI64Type();
  int64_t staticBytes =
      static_cast<int64_t>(type.getElementTypeBitWidth() + 7) / 8;
  for (int64_t d : type.getShape())
    if (!ShapedType::isDynamic(d))
      staticBytes *= d;
  Value bytes = arith::ConstantIntOp::create(b, loc, i64, staticBytes);
  Value ok = arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1);
  Value zero = arith::ConstantIntOp::create(b, loc, i64, 0);
  for (Value size : alloc.getDynamicSizes()) {
    Value d = arith::IndexCastOp::create(b, loc, i64, size);
    Value nonNegative =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, d, zero);
    auto product = arith::MulUIExtendedOp::create(b, loc, bytes, d);
    Value noCarry = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                          product.getHigh(), zero);
    ok = arith::AndIOp::create(
        b, loc, ok, arith::AndIOp::create(b, loc, nonNegative, noCarry));
    bytes = product.getLow();
  }
  // malloc takes a size_t, but the descriptor's sizes are signed.
  Value fits = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, bytes,
                                     zero);
  ok = arith::AndIOp::create(b, loc, ok, fits);
  return {bytes, ok};
}

LogicalResult FunctionChecks::run() {
  Region &body = func.getBody();
  if (!body.hasOneBlock())
    return func.emitError("kiln-runtime-checks: expects a single-block "
                          "function (structured control flow), found ")
           << body.getBlocks().size() << " blocks";
  Block &entry = body.front();
  auto ret = dyn_cast<func::ReturnOp>(entry.getTerminator());
  if (!ret)
    return func.emitError("kiln-runtime-checks: the function does not end "
                          "in func.return");
  if (!SymbolTable::symbolKnownUseEmpty(func, module))
    return func.emitError("kiln-runtime-checks: a public function that is "
                          "called inside the module cannot get a status "
                          "result");

  // The status result; null on success.
  originalResults = llvm::to_vector(func.getResultTypes());
  SmallVector<Type> newResults = originalResults;
  newResults.push_back(ptrType);
  func.setType(FunctionType::get(func.getContext(), func.getArgumentTypes(),
                                 newResults));
  {
    OpBuilder b(ret);
    Value null = LLVM::ZeroOp::create(b, ret.getLoc(), ptrType);
    ret.getOperandsMutable().append(null);
  }

  // Buffers freed in a nested region may or may not be live at a check:
  // they are never freed on a failure path (a leak there beats a double
  // free).
  auto freedAtTopLevelOnly = [&](Value buffer) {
    return llvm::all_of(buffer.getUsers(), [&](Operation *user) {
      return !isa<memref::DeallocOp>(user) || user->getParentRegion() == &body;
    });
  };

  llvm::SetVector<Value> live;
  SmallVector<Operation *> ops =
      llvm::map_to_vector(entry.without_terminator(),
                          [](Operation &op) { return &op; });
  for (Operation *op : ops) {
    if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
      live.remove(dealloc.getMemref());
      continue;
    }
    if (auto assertOp = dyn_cast<cf::AssertOp>(op)) {
      std::string where = describeLoc(assertOp.getLoc());
      guardBefore(assertOp, assertOp.getArg(),
                  (where.empty() ? "" : where + ": ") + assertOp.getMsg().str(),
                  live.getArrayRef());
      assertOp.erase();
      continue;
    }
    auto alloc = dyn_cast<memref::AllocOp>(op);
    if (!alloc)
      continue;
    MemRefType type = alloc.getType();
    std::string where = describeLoc(alloc.getLoc());
    std::string what = "a buffer of type " + typeString(type) +
                       (where.empty() ? "" : " (for " + where + ")");
    OpBuilder b(alloc);
    Value bytes;
    if (!type.hasStaticShape()) {
      auto [size, ok] = checkedByteSize(b, alloc);
      bytes = size;
      guardBefore(alloc, ok,
                  what + " has a negative size or more bytes than fit in 64 "
                         "bits; an input dim is too large",
                  live.getArrayRef());
    } else if (type.getNumElements() == 0) {
      continue;
    }
    b.setInsertionPointAfter(alloc);
    Location loc = alloc.getLoc();
    Value address =
        memref::ExtractAlignedPointerAsIndexOp::create(b, loc, alloc);
    Value zeroIndex = arith::ConstantIndexOp::create(b, loc, 0);
    Value ok = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, address,
                                     zeroIndex);
    if (bytes) {
      // malloc(0) may return null.
      Value zero = arith::ConstantIntOp::create(b, loc, b.getI64Type(), 0);
      Value empty =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, bytes, zero);
      ok = arith::OrIOp::create(b, loc, ok, empty);
    }
    guardBefore(ok.getDefiningOp()->getNextNode(), ok,
                "out of memory allocating " + what, live.getArrayRef());
    if (freedAtTopLevelOnly(alloc.getResult()))
      live.insert(alloc.getResult());
  }
  return success();
}

struct KilnRuntimeChecksPass final
    : kiln::impl::KilnRuntimeChecksPassBase<KilnRuntimeChecksPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    unsigned messageCount = 0;
    SmallVector<func::FuncOp> funcs;
    for (auto func : module.getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal())
        funcs.push_back(func);
    for (func::FuncOp func : funcs)
      if (failed(FunctionChecks(func, module, messageCount).run()))
        return signalPassFailure();
  }
};

} // namespace
