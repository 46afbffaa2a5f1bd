//===- EvaluateConstants.cpp - Compute constant subgraphs at compile time -===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The ops' folders and kiln-fold-constants evaluate what needs no code: small
// dense constants, data movement. Everything else on constants (a matmul of
// two weights, a dequantized weight, an exp of a constant table) is computed
// here by running Kiln's own compiled code once, as IREE's const-eval does:
// the constant subgraphs of every function go into one function of a
// separate module, a ConstantEvaluator (the compiler session's JIT) runs it,
// and the values the graph uses become constants.
//
//===----------------------------------------------------------------------===//

#include "Kiln/IR/ElementsUtils.h"
#include "Kiln/IR/KilnOps.h"
#include "Kiln/Transforms/Passes.h"
#include "Kiln/Transforms/Remarks.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

#include <mutex>

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNEVALUATECONSTANTSPASS
#include "Kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

ConstantEvaluator::~ConstantEvaluator() = default;

namespace {
constexpr StringLiteral kPass = "kiln-evaluate-constants";

std::mutex factoryLock;
std::function<std::unique_ptr<ConstantEvaluator>()> &evaluatorFactory() {
  static std::function<std::unique_ptr<ConstantEvaluator>()> factory;
  return factory;
}

/// The bytes of a value of `type` if the evaluator can hand it back: a
/// static tensor of whole-byte integers or floats.
std::optional<int64_t> evaluableBytes(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape())
    return std::nullopt;
  Type element = tensor.getElementType();
  if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8 != 0)
    return std::nullopt;
  return tensor.getNumElements() * (element.getIntOrFloatBitWidth() / 8);
}

bool isConstant(Value value) {
  Operation *def = value.getDefiningOp();
  return def && isa<ConstantOp>(def);
}

struct KilnEvaluateConstantsPass final
    : kiln::impl::KilnEvaluateConstantsPassBase<KilnEvaluateConstantsPass> {
  using Base::Base;

  void runOnOperation() override;

  /// Whether `op` may be computed at compile time, its operands aside.
  bool isCandidate(Operation *op) const {
    if (!isa_and_nonnull<KilnDialect>(op->getDialect()) ||
        isa<ConstantOp, BroadcastToOp>(op) || op->getNumRegions() != 0 ||
        op->getNumResults() == 0 || !isMemoryEffectFree(op))
      return false;
    return llvm::all_of(op->getResultTypes(), [&](Type type) {
      auto tensor = dyn_cast<RankedTensorType>(type);
      if (!tensor || !tensor.hasStaticShape())
        return false;
      std::optional<int64_t> bytes = evaluableBytes(type);
      return !bytes || *bytes <= maxBytes;
    });
  }
};

void KilnEvaluateConstantsPass::runOnOperation() {
  ModuleOp module = getOperation();
  // The ops computable from constants, in an order where producers come
  // first (a pre-order walk visits definitions before uses).
  llvm::SetVector<Operation *> foldable;
  module.walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (!isCandidate(op))
      return;
    if (llvm::all_of(op->getOperands(), [&](Value v) {
          return isConstant(v) || foldable.contains(v.getDefiningOp());
        }))
      foldable.insert(op);
  });
  // The roots are the foldable values that the rest of the graph (or a
  // return) uses. A root the evaluator cannot hand back (i1, sub-byte
  // types) leaves the set with everything computed from it, which makes
  // its operands roots; repeat until every root is evaluable.
  SmallVector<Value> roots;
  for (bool changed = true; changed;) {
    changed = false;
    roots.clear();
    for (Operation *op : foldable)
      for (Value result : op->getResults())
        if (llvm::any_of(result.getUsers(), [&](Operation *user) {
              return !foldable.contains(user);
            }))
          roots.push_back(result);
    for (Value root : roots)
      if (!evaluableBytes(root.getType())) {
        // Users of the dropped op's results stop being computable too.
        SmallVector<Operation *> worklist = {root.getDefiningOp()};
        while (!worklist.empty()) {
          Operation *op = worklist.pop_back_val();
          if (!foldable.remove(op))
            continue;
          for (Operation *user : op->getUsers())
            worklist.push_back(user);
        }
        changed = true;
        break;
      }
  }
  if (roots.empty())
    return;

  std::unique_ptr<ConstantEvaluator> evaluator;
  {
    std::lock_guard<std::mutex> guard(factoryLock);
    if (evaluatorFactory())
      evaluator = evaluatorFactory()();
  }
  if (!evaluator)
    return;

  // One function computes every root.
  OpBuilder builder(module.getContext());
  // No target attribute: the evaluator computes on this machine whatever
  // the module is compiled for.
  // Errors point at the first value computed.
  Location loc = roots.front().getLoc();
  OwningOpRef<ModuleOp> evaluation = ModuleOp::create(loc);
  builder.setInsertionPointToEnd(evaluation->getBody());
  SmallVector<Type> rootTypes;
  for (Value root : roots)
    rootTypes.push_back(root.getType());
  auto func = func::FuncOp::create(builder, loc, "kiln_constants",
                                   builder.getFunctionType({}, rootTypes));
  builder.setInsertionPointToEnd(func.addEntryBlock());
  IRMapping mapping;
  for (Operation *op : foldable) {
    for (Value operand : op->getOperands())
      if (!mapping.contains(operand))
        mapping.map(operand, builder.clone(*operand.getDefiningOp(), mapping)
                                 ->getResult(0));
    builder.clone(*op, mapping);
  }
  SmallVector<Value> results;
  for (Value root : roots)
    results.push_back(mapping.lookup(root));
  func::ReturnOp::create(builder, loc, results);

  FailureOr<std::vector<std::vector<char>>> values =
      evaluator->evaluate(*evaluation);
  // The evaluator warned why (an out-of-range constant index, say); the
  // subgraphs stay, to fail at run time if they run at all.
  if (failed(values))
    return;
  if (values->size() != roots.size()) {
    emitError(loc) << "kiln-evaluate-constants: the evaluator returned "
                   << values->size() << " values for " << roots.size();
    return signalPassFailure();
  }

  for (auto [root, bytes] : llvm::zip_equal(roots, *values)) {
    auto type = cast<RankedTensorType>(root.getType());
    if (static_cast<int64_t>(bytes.size()) != *evaluableBytes(type)) {
      root.getDefiningOp()->emitError()
          << "kiln-evaluate-constants: the evaluator returned "
          << bytes.size() << " bytes for a " << type;
      return signalPassFailure();
    }
    Operation *def = root.getDefiningOp();
    builder.setInsertionPoint(def);
    ElementsAttr value = makeElementsFromBytes(type, bytes, "kiln_evaluated");
    Value constant = ConstantOp::create(builder, def->getLoc(), value);
    root.replaceUsesWithIf(constant, [&](OpOperand &use) {
      return !foldable.contains(use.getOwner());
    });
    remarkConstantFolded(def->getLoc(), kPass,
                         ("evaluated-" + def->getName().stripDialect()).str(),
                         static_cast<int64_t>(bytes.size()));
  }
  // The subgraphs are dead now, and the constants only they read; consumers
  // first.
  llvm::SetVector<Operation *> inputs;
  for (Operation *op : foldable)
    for (Value operand : op->getOperands())
      if (isConstant(operand))
        inputs.insert(operand.getDefiningOp());
  for (Operation *op : llvm::reverse(foldable))
    if (op->use_empty())
      op->erase();
  for (Operation *constant : inputs)
    if (constant->use_empty())
      constant->erase();
}
} // namespace

void mlir::kiln::setConstantEvaluatorFactory(
    std::function<std::unique_ptr<ConstantEvaluator>()> factory) {
  std::lock_guard<std::mutex> guard(factoryLock);
  evaluatorFactory() = std::move(factory);
}
