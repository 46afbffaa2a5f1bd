//===- LoweringUtils.h - Helpers for lowering kiln to linalg ----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef KILN_LIB_CONVERSION_KILNTOLINALG_LOWERINGUTILS_H
#define KILN_LIB_CONVERSION_KILNTOLINALG_LOWERINGUTILS_H

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "llvm/ADT/SmallBitVector.h"

namespace mlir {
class RewritePatternSet;
class TypeConverter;
namespace func {
class FuncOp;
} // namespace func
namespace kiln::lowering {

using BodyFn =
    llvm::function_ref<Value(OpBuilder &, Location, ValueRange /*args*/)>;

/// The converted (storage) type of the tensor `value`.
RankedTensorType convertedType(const TypeConverter *converter, Value value);

/// Dim `d` of the tensor `value`: an attribute when static.
OpFoldResult getDim(OpBuilder &b, Location loc, Value value, int64_t d);
/// All dims of the tensor `value`.
SmallVector<OpFoldResult> getDims(OpBuilder &b, Location loc, Value value);
/// Dim `d` of `value` as an index Value.
Value getDimValue(OpBuilder &b, Location loc, Value value, int64_t d);

/// `tensor.empty` of `type`, taking dynamic sizes from `dims`.
Value createEmpty(OpBuilder &b, Location loc, RankedTensorType type,
                  ArrayRef<OpFoldResult> dims);
/// `tensor.empty` of `type` filled with `scalar`.
Value createFilled(OpBuilder &b, Location loc, RankedTensorType type,
                   ArrayRef<OpFoldResult> dims, Value scalar);

/// A scalar constant of a float or integer type.
Value scalarConstant(OpBuilder &b, Location loc, Type type, double value);
/// The identity of max (the lowest value) or min (the highest) for `type`.
Value lowestValue(OpBuilder &b, Location loc, Type type);
Value highestValue(OpBuilder &b, Location loc, Type type);

/// `input` with its dynamic dims made static where `shape` (of the same
/// rank) has a static size: a run-time assert that they agree, then a
/// tensor.cast. Ops whose result is more static than an operand (a `?`
/// batch meeting a static one) lower from the refined operand, so that
/// every value the lowering derives from it is as static as the result.
Value refineDims(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> shape);

/// refineDims of `input`, right-aligned against the broadcast `resultShape`
/// (`skipTrailing` innermost dims of both are left alone: matmul's M, N,
/// K).
Value refineBroadcastOperand(OpBuilder &b, Location loc, Value input,
                             ArrayRef<int64_t> resultShape,
                             int64_t skipTrailing = 0);

/// Dims of the broadcast of `inputs` to `resultType`: static dims come from
/// the type, dynamic ones from the first input whose aligned dim is not a
/// static 1.
SmallVector<OpFoldResult> broadcastDims(OpBuilder &b, Location loc,
                                        RankedTensorType resultType,
                                        ValueRange inputs);

/// The map reading an operand of `inputShape` inside a loop nest over
/// `resultShape` with numpy broadcasting (trailing dims aligned; a static 1
/// against a non-1 result dim reads index 0).
AffineMap broadcastMap(MLIRContext *context, ArrayRef<int64_t> inputShape,
                       ArrayRef<int64_t> resultShape);

/// A parallel `linalg.generic` over `resultType` reading `inputs` with
/// broadcasting; `body` computes one output element from the input scalars.
Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                       ValueRange inputs, BodyFn body);

/// A parallel `linalg.generic` over `resultType` (sizes from `dims`) whose
/// inputs are read through explicit `inputMaps`.
Value buildMapped(OpBuilder &b, Location loc, RankedTensorType resultType,
                  ArrayRef<OpFoldResult> dims, ValueRange inputs,
                  ArrayRef<AffineMap> inputMaps, BodyFn body);

/// Reduces `input` over the dims set in `reduced` with `combine`, starting
/// from `init`. The result drops the reduced dims.
Value buildReduction(OpBuilder &b, Location loc, Value input,
                     const llvm::SmallBitVector &reduced, Value init,
                     llvm::function_ref<Value(OpBuilder &, Location, Value,
                                              Value)>
                         combine);

/// Re-inserts the unit dims of `reduced` into a reduction result, giving
/// `keptType` (the keepdims=true shape).
Value expandReducedDims(OpBuilder &b, Location loc, Value value,
                        RankedTensorType keptType,
                        const llvm::SmallBitVector &reduced);

/// Converts an index or integer scalar to `floatType`.
Value indexToFloat(OpBuilder &b, Location loc, Value index, Type floatType);

/// Pattern groups, defined next to their ops.
/// Makes the dim equalities the patterns assume hold at run time where
/// DimEqualityAnalysis cannot prove them: asserts a requirement before its
/// op, and broadcasts an operand whose dynamic dim may be 1 (numpy) into an
/// explicit `scf.if` of a pass-through and a `tensor.generate`. Runs on kiln
/// IR, before the patterns.
void resolveRuntimeDims(func::FuncOp func);

void populateElementwiseLowering(const TypeConverter &converter,
                                 RewritePatternSet &patterns);
void populateStructuralLowering(const TypeConverter &converter,
                                RewritePatternSet &patterns);
void populateContractionLowering(const TypeConverter &converter,
                                 RewritePatternSet &patterns);
/// kiln.attention: flash-style over blocks of `keyBlock` keys when the key
/// length is dynamic or longer than one block, else with the whole scores
/// matrix; `keyBlock` 0 always takes the whole matrix.
void populateAttentionLowering(const TypeConverter &converter,
                               RewritePatternSet &patterns, int64_t keyBlock);
void populateNormalizationLowering(const TypeConverter &converter,
                                   RewritePatternSet &patterns);

} // namespace kiln::lowering
} // namespace mlir

#endif // KILN_LIB_CONVERSION_KILNTOLINALG_LOWERINGUTILS_H
