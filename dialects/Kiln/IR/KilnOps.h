//===- KilnOps.h - Kiln dialect and operations ------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_KILNOPS_H
#define KILN_IR_KILNOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "Kiln/IR/KilnInterfaces.h"

#include "Kiln/IR/KilnOpsDialect.h.inc"

#include "Kiln/IR/KilnEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "Kiln/IR/KilnAttrs.h.inc"

namespace mlir::kiln {

/// A unit attribute on a loop that is part of the model itself (a recurrent
/// layer's time steps, flash attention's key blocks), not a tiling: the
/// CPU strategy still applies to the ops inside it, where it leaves alone
/// the ops a user schedule (--kiln-schedule) moved into loops.
inline constexpr StringLiteral kGraphLoopAttrName = "kiln.graph_loop";

/// Whether `op` sits in a loop that a schedule made (any enclosing
/// loop-like op without kGraphLoopAttrName).
bool isInScheduleLoop(Operation *op);

/// True when every pair of types has the same element type and rank and
/// dims that may be equal at run time. Kiln ops accept result types that
/// refine what inference gives.
bool areCompatibleReturnTypes(TypeRange lhs, TypeRange rhs);

/// Infers the result of a numpy-broadcasting elementwise op over
/// `operandTypes`. The element type is `elementType`, or that of the first
/// operand when null. Emits an error naming `opName` at `loc` on failure.
LogicalResult inferBroadcastResult(std::optional<Location> loc,
                                   StringRef opName, ArrayRef<Type> operandTypes,
                                   Type elementType,
                                   SmallVectorImpl<Type> &inferredTypes);

} // namespace mlir::kiln

#define GET_OP_CLASSES
#include "Kiln/IR/KilnOps.h.inc"

#endif // KILN_IR_KILNOPS_H
