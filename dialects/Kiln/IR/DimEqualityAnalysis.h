//===- DimEqualityAnalysis.h - Which dynamic dims are equal -----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The ops' DimEqualityOpInterface statements, sorted into what is known and
// what must still be checked, over one function in program order:
//
// - a result dim that an equality ties to an operand dim is a *derivation*:
//   the lowering computes it from that dim, so it holds by construction;
// - an equality between dims that are not yet known equal is a
//   *requirement*: it holds once checked, at the entry point when both dims
//   trace back to inputs, else by a run-time assert before the op;
// - a result dim that numpy-broadcasts operand dims (elementwise ops,
//   matmul batch dims: DimEqualityOpInterface::getBroadcastDims) equals
//   them only when they are known equal among themselves (or only one
//   operand is not a static 1 there). Otherwise the dim is a *run-time
//   broadcast*: an operand dim may be 1 at run time and then broadcasts, as
//   in numpy, so it ties nothing together.
//
// The known equalities form a union-find over (value, dim) pairs, each class
// possibly bound to a static size. Entry points read it to check input
// shapes; the lowering reads the requirements and run-time broadcasts.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_DIMEQUALITYANALYSIS_H
#define KILN_IR_DIMEQUALITYANALYSIS_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace mlir::kiln {

class DimEqualityAnalysis {
public:
  /// Analyzes the ops nested in `root` (a function), in program order.
  explicit DimEqualityAnalysis(Operation *root);

  /// A dim of a value: (value, dim index).
  using Key = std::pair<void *, int64_t>;
  static Key key(Value v, int64_t d) { return {v.getAsOpaquePointer(), d}; }

  /// Dim `i` of `a` must equal dim `j` of `b` for `op`, and nothing before
  /// `op` shows that it does.
  struct Requirement {
    Operation *op;
    Value a;
    int64_t i;
    Value b;
    int64_t j;
  };
  /// A dim of `op`'s first result that numpy-broadcasts operand dims, each
  /// (operand number, dim); see DimEqualityOpInterface::getBroadcastDims.
  struct BroadcastDim {
    int64_t resultDim;
    SmallVector<std::pair<unsigned, int64_t>> operandDims;
  };
  /// The dims of `op`'s first result that are run-time broadcasts.
  struct RuntimeBroadcast {
    Operation *op;
    SmallVector<BroadcastDim> dims;
  };

  ArrayRef<Requirement> getRequirements() const { return requirements; }
  ArrayRef<RuntimeBroadcast> getRuntimeBroadcasts() const {
    return broadcasts;
  }

  /// The representative of the class of `k`; equal representatives mean
  /// equal dims (once the requirements hold).
  Key leader(Key k) const;
  /// The static size the class of `k` is bound to, if any.
  std::optional<int64_t> boundSize(Key k) const;
  /// Whether dim `i` of `a` and dim `j` of `b` are known equal: the same
  /// class, or classes bound to the same static size.
  bool areEqual(Value a, int64_t i, Value b, int64_t j) const;

private:
  void visit(Operation *op);
  void unify(Value a, int64_t i, Value b, int64_t j);
  bool isKnown(Value v, int64_t d) const {
    return parent.contains(key(v, d));
  }

  mutable llvm::DenseMap<Key, Key> parent;
  llvm::DenseMap<Key, int64_t> bound;
  SmallVector<Requirement> requirements;
  SmallVector<RuntimeBroadcast> broadcasts;
};

} // namespace mlir::kiln

#endif // KILN_IR_DIMEQUALITYANALYSIS_H
