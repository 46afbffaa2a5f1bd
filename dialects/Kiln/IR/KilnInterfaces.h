//===- KilnInterfaces.h - Kiln op interfaces --------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Op interfaces through which the compiler asks a kiln op what it knows about
// itself: which dims it assumes equal (DimEqualityOpInterface) and how much
// arithmetic it does (FlopCountOpInterface). Included by KilnOps.h; include
// that header to use them on kiln ops.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_KILNINTERFACES_H
#define KILN_IR_KILNINTERFACES_H

#include "mlir/IR/OpDefinition.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include <optional>

namespace mlir::kiln {

/// Receives one dim equality: dim `i` of `a` equals dim `j` of `b`.
using DimEqualityFn =
    llvm::function_ref<void(Value a, int64_t i, Value b, int64_t j)>;

/// Receives one result dim that numpy-broadcasts operand dims, each given as
/// (operand number, dim).
using BroadcastDimsFn = llvm::function_ref<void(
    int64_t resultDim, ArrayRef<std::pair<unsigned, int64_t>> operandDims)>;

/// Reports every dim of `a` equal to the same dim of `b`; both have the same
/// rank.
void unifyAllDims(Value a, Value b, DimEqualityFn unify);

/// Reports the equalities of numpy broadcasting: every dim of an operand that
/// is not a static 1 equals the result dim it is aligned with (from the
/// right).
void unifyBroadcastDims(ValueRange operands, Value result, DimEqualityFn unify);

/// Reports the dims of `result` that broadcast `operands` (aligned from the
/// right, numpy) and are not all static 1s there.
void reportBroadcastDims(ValueRange operands, Value result,
                         BroadcastDimsFn broadcast);

/// Op trait implementing DimEqualityOpInterface for an op whose result has
/// the shape of its first operand (unary elementwise ops, casts, softmax).
template <typename ConcreteType>
class SameShapeDimEqualities
    : public OpTrait::TraitBase<ConcreteType, SameShapeDimEqualities> {
public:
  void getDimEqualities(DimEqualityFn unify) {
    Operation *op = this->getOperation();
    unifyAllDims(op->getOperand(0), op->getResult(0), unify);
  }
};

/// Op trait implementing DimEqualityOpInterface for an op whose result is the
/// numpy broadcast of all its operands (binary elementwise ops, select).
template <typename ConcreteType>
class BroadcastDimEqualities
    : public OpTrait::TraitBase<ConcreteType, BroadcastDimEqualities> {
public:
  void getDimEqualities(DimEqualityFn unify) {
    Operation *op = this->getOperation();
    unifyBroadcastDims(op->getOperands(), op->getResult(0), unify);
  }
};

/// The number of arithmetic operations in `root` and the ops nested in it:
/// the sum of FlopCountOpInterface::getFlopCount over those that implement
/// it (a multiply-add counts as two). Ops without the interface count as
/// zero. Returns std::nullopt when any count is unknown, for example because
/// of a dynamic dim, so that callers never report a partial figure.
std::optional<double> estimateFlops(Operation *root);

} // namespace mlir::kiln

#include "Kiln/IR/KilnInterfaces.h.inc"

#endif // KILN_IR_KILNINTERFACES_H
