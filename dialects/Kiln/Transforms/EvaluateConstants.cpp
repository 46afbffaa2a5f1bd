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
#include "llvm/ADT/SmallPtrSet.h"

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
  return tensor ? getRawDataBytes(tensor) : std::nullopt;
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

/// Runs `evaluator` on a module of one function that computes `roots` from
/// the ops of `foldable` they need (in `foldable`'s order, producers
/// first).
FailureOr<std::vector<std::vector<char>>>
evaluate(ConstantEvaluator &evaluator, ArrayRef<Value> roots,
         const llvm::SetVector<Operation *> &foldable) {
  // The ops the roots need.
  llvm::SmallPtrSet<Operation *, 16> needed;
  SmallVector<Operation *> worklist;
  for (Value root : roots)
    worklist.push_back(root.getDefiningOp());
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    if (!foldable.contains(op) || !needed.insert(op).second)
      continue;
    for (Value operand : op->getOperands())
      worklist.push_back(operand.getDefiningOp());
  }
  // No target attribute: the evaluator computes on this machine whatever
  // the module is compiled for. Errors point at the first value computed.
  Location loc = roots.front().getLoc();
  OpBuilder builder(loc.getContext());
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
    if (!needed.contains(op))
      continue;
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
  return evaluator.evaluate(*evaluation);
}

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

  // One function computes every root. If that fails (a constant index
  // out of range in one subgraph, say), each root is tried on its own, so
  // one bad subgraph does not keep the others from being computed; only
  // those warnings are shown.
  FailureOr<std::vector<std::vector<char>>> values;
  {
    ScopedDiagnosticHandler quiet(module.getContext(), [](Diagnostic &diag) {
      return success(diag.getSeverity() == DiagnosticSeverity::Warning);
    });
    values = evaluate(*evaluator, roots, foldable);
  }
  SmallVector<Value> computed = roots;
  if (failed(values)) {
    values = std::vector<std::vector<char>>();
    computed.clear();
    for (Value root : roots) {
      FailureOr<std::vector<std::vector<char>>> one =
          evaluate(*evaluator, root, foldable);
      if (failed(one)) // the evaluator warned why; it stays to run time
        continue;
      computed.push_back(root);
      values->push_back(std::move(one->front()));
    }
  }
  if (values->size() != computed.size()) {
    emitError(module.getLoc())
        << "kiln-evaluate-constants: the evaluator returned "
        << values->size() << " values for " << computed.size();
    return signalPassFailure();
  }

  OpBuilder builder(module.getContext());
  for (auto [root, bytes] : llvm::zip_equal(computed, *values)) {
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
