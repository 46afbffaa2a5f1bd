//===- KilnOps.cpp - Kiln dialect, type inference and verifiers -----------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Result-type inference doubles as the shape verifier: `inferReturnTypes`
// runs both when builders infer types and when the verifier checks an op, so
// every malformed rank, shape, axis or attribute is diagnosed there, at the
// op's location and naming the op.
//
//===----------------------------------------------------------------------===//

#include "Kiln/IR/KilnOps.h"
#include "Kiln/IR/LayoutUtils.h"
#include "Kiln/IR/ShapeUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/TypeSwitch.h"
#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using shape::formatShape;
using shape::kDynamic;

#include "Kiln/IR/KilnOpsDialect.cpp.inc"

#include "Kiln/IR/KilnEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "Kiln/IR/KilnAttrs.cpp.inc"

//===----------------------------------------------------------------------===//
// Dialect
//===----------------------------------------------------------------------===//

void KilnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "Kiln/IR/KilnOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "Kiln/IR/KilnAttrs.cpp.inc"
      >();
}

LogicalResult KilnDialect::verifyOperationAttribute(Operation *op,
                                                    NamedAttribute attr) {
  if (attr.getName() != getTargetAttrName())
    return success();
  if (!isa<ModuleOp>(op))
    return op->emitOpError() << "'" << getTargetAttrName()
                             << "' belongs on a builtin.module";
  if (!isa<TargetAttr>(attr.getValue()))
    return op->emitOpError() << "'" << getTargetAttrName()
                             << "' must be a #kiln.target, got "
                             << attr.getValue();
  return success();
}

LogicalResult
TargetAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                   StringRef triple, StringRef cpu, StringRef features,
                   int64_t vectorBits, int64_t vectorRegisters,
                   std::optional<int64_t> l1d, std::optional<int64_t> l2,
                   std::optional<int64_t> l3) {
  if (triple.empty())
    return emitError() << "#kiln.target needs a triple";
  if (vectorBits < 64 || !llvm::isPowerOf2_64(vectorBits))
    return emitError() << "#kiln.target vector_bits must be a power of two "
                          ">= 64, got "
                       << vectorBits;
  if (vectorRegisters < 1)
    return emitError() << "#kiln.target vector_registers must be positive, got "
                       << vectorRegisters;
  for (auto [name, size] : {std::pair{"l1d_cache", l1d},
                            std::pair{"l2_cache", l2},
                            std::pair{"l3_cache", l3}})
    if (size && *size <= 0)
      return emitError() << "#kiln.target " << name
                         << " must be positive, got " << *size;
  return success();
}

TargetAttr TargetAttr::lookup(Operation *op) {
  for (; op; op = op->getParentOp())
    if (auto module = dyn_cast<ModuleOp>(op))
      if (auto target = module->getAttrOfType<TargetAttr>(
              KilnDialect::getTargetAttrName()))
        return target;
  return {};
}

Operation *KilnDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                            Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type ||
      !isa<RankedTensorType>(type))
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}

//===----------------------------------------------------------------------===//
// Shared inference helpers
//===----------------------------------------------------------------------===//

namespace {
/// Emits type-inference errors in the same form as op verifier errors.
class InferDiag {
public:
  InferDiag(std::optional<Location> loc, StringRef opName)
      : loc(loc), opName(opName) {}

  template <typename... Args>
  LogicalResult fail(Args &&...args) const {
    return emitOptionalError(loc, "'", opName, "' op ",
                             std::forward<Args>(args)...);
  }

  /// Returns `value`'s type as a ranked tensor, or emits an error naming
  /// `what` and returns null.
  RankedTensorType ranked(Value value, StringRef what) const {
    auto type = value ? dyn_cast<RankedTensorType>(value.getType())
                      : RankedTensorType();
    if (!type)
      (void)fail(what, " must be a ranked tensor");
    return type;
  }

  /// Normalizes `axis` for a tensor of `rank`, or emits an error.
  std::optional<int64_t> axis(int64_t axis, int64_t rank,
                              StringRef what = "axis") const {
    std::optional<int64_t> norm = shape::normalizeAxis(axis, rank);
    if (!norm)
      (void)fail(what, " ", axis, " is out of range for rank ", rank);
    return norm;
  }

private:
  std::optional<Location> loc;
  StringRef opName;
};

LogicalResult push(SmallVectorImpl<Type> &types, ArrayRef<int64_t> shape,
                   Type elementType) {
  types.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

/// Checks that `attr` has `size` entries, all >= `minValue`.
LogicalResult checkArray(const InferDiag &diag, StringRef name,
                         ArrayRef<int64_t> values, size_t size,
                         int64_t minValue) {
  if (values.size() != size)
    return diag.fail("'", name, "' must have ", size, " entries, got ",
                     values.size());
  for (int64_t v : values)
    if (v < minValue)
      return diag.fail("'", name, "' entries must be ",
                       minValue == 0 ? "non-negative" : "positive", ", got ",
                       v);
  return success();
}
} // namespace

bool mlir::kiln::isInScheduleLoop(Operation *op) {
  for (Operation *parent = op->getParentOp(); parent;
       parent = parent->getParentOp())
    if (isa<LoopLikeOpInterface>(parent) &&
        !parent->hasAttr(kGraphLoopAttrName))
      return true;
  return false;
}

bool mlir::kiln::areCompatibleReturnTypes(TypeRange lhs, TypeRange rhs) {
  if (lhs.size() != rhs.size())
    return false;
  for (auto [l, r] : llvm::zip(lhs, rhs)) {
    auto lt = dyn_cast<RankedTensorType>(l);
    auto rt = dyn_cast<RankedTensorType>(r);
    if (!lt || !rt) {
      if (l != r)
        return false;
      continue;
    }
    if (lt.getElementType() != rt.getElementType() ||
        lt.getRank() != rt.getRank())
      return false;
    for (auto [a, b] : llvm::zip(lt.getShape(), rt.getShape()))
      if (!shape::areCompatibleDims(a, b))
        return false;
  }
  return true;
}

LogicalResult mlir::kiln::inferBroadcastResult(
    std::optional<Location> loc, StringRef opName, ArrayRef<Type> operandTypes,
    Type elementType, SmallVectorImpl<Type> &inferredTypes) {
  InferDiag diag(loc, opName);
  SmallVector<int64_t> result;
  for (auto [i, type] : llvm::enumerate(operandTypes)) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor)
      return diag.fail("operand #", i, " must be a ranked tensor");
    if (i == 0) {
      result.assign(tensor.getShape().begin(), tensor.getShape().end());
      if (!elementType)
        elementType = tensor.getElementType();
      continue;
    }
    std::optional<SmallVector<int64_t>> next =
        shape::broadcastShapes(result, tensor.getShape());
    if (!next)
      return diag.fail("operands are not broadcast-compatible: ",
                       formatShape(result), " vs ",
                       formatShape(tensor.getShape()), " (operand #", i, ")");
    result = std::move(*next);
  }
  return push(inferredTypes, result, elementType);
}

//===----------------------------------------------------------------------===//
// Structural ops
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  ElementsAttr value = adaptor.getValueAttr();
  if (!value)
    return diag.fail("requires a 'value' attribute");
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type)
    return diag.fail("value must have a ranked tensor type, got ",
                     value.getType());
  types.push_back(type);
  return success();
}

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = diag.ranked(adaptor.getInput(), "input");
  if (!input)
    return failure();
  std::string error;
  std::optional<SmallVector<int64_t>> result =
      shape::inferReshape(input.getShape(), adaptor.getShape(), error);
  if (!result)
    return diag.fail(error);
  return push(types, *result, input.getElementType());
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = diag.ranked(adaptor.getInput(), "input");
  if (!input)
    return failure();
  ArrayRef<int64_t> perm = adaptor.getPerm();
  int64_t rank = input.getRank();
  if (static_cast<int64_t>(perm.size()) != rank)
    return diag.fail("'perm' has ", perm.size(),
                     " entries but the input has rank ", rank);
  llvm::SmallBitVector seen(rank);
  SmallVector<int64_t> result;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank)
      return diag.fail("'perm' entry ", p, " is out of range for rank ", rank);
    if (seen.test(p))
      return diag.fail("'perm' is not a permutation: ", p,
                       " appears more than once");
    seen.set(p);
    result.push_back(input.getDimSize(p));
  }
  return push(types, result, input.getElementType());
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return diag.fail("requires at least one input");
  RankedTensorType first = diag.ranked(inputs.front(), "input #0");
  if (!first)
    return failure();
  if (first.getRank() == 0)
    return diag.fail("cannot concatenate rank-0 tensors");
  std::optional<int64_t> axis = diag.axis(adaptor.getAxis(), first.getRank());
  if (!axis)
    return failure();
  SmallVector<int64_t> result(first.getShape());
  for (auto [i, value] : llvm::enumerate(inputs.drop_front())) {
    RankedTensorType type = diag.ranked(value, "input");
    if (!type)
      return failure();
    if (type.getRank() != first.getRank())
      return diag.fail("input #", i + 1, " has rank ", type.getRank(),
                       " but input #0 has rank ", first.getRank());
    for (int64_t d = 0; d < first.getRank(); ++d) {
      int64_t dim = type.getDimSize(d);
      if (d == *axis) {
        result[d] = shape::isDynamic(result[d]) || shape::isDynamic(dim)
                        ? kDynamic
                        : result[d] + dim;
        continue;
      }
      if (!shape::areCompatibleDims(result[d], dim))
        return diag.fail("input #", i + 1, " has dim ", d, " of size ", dim,
                         " but earlier inputs have ", result[d]);
      result[d] = shape::joinDims(result[d], dim);
    }
  }
  return push(types, result, first.getElementType());
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = diag.ranked(adaptor.getInput(), "input");
  if (!input)
    return failure();
  size_t rank = input.getRank();
  ArrayRef<int64_t> starts = adaptor.getStarts(), ends = adaptor.getEnds();
  if (failed(checkArray(diag, "starts", starts, rank, INT64_MIN)) ||
      failed(checkArray(diag, "ends", ends, rank, INT64_MIN)) ||
      failed(checkArray(diag, "steps", adaptor.getSteps(), rank, 1)))
    return failure();
  SmallVector<int64_t> result;
  for (size_t d = 0; d < rank; ++d)
    result.push_back(shape::sliceSize(input.getDimSize(d), starts[d], ends[d],
                                      adaptor.getSteps()[d]));
  return push(types, result, input.getElementType());
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = diag.ranked(adaptor.getInput(), "input");
  if (!input)
    return failure();
  size_t rank = input.getRank();
  if (failed(checkArray(diag, "low", adaptor.getLow(), rank, 0)) ||
      failed(checkArray(diag, "high", adaptor.getHigh(), rank, 0)))
    return failure();
  double value = adaptor.getValue().convertToDouble();
  if (isa<IntegerType>(input.getElementType()) && value != std::trunc(value))
    return diag.fail("padding value ", value,
                     " is not integral but the tensor holds integers");
  SmallVector<int64_t> result;
  for (size_t d = 0; d < rank; ++d) {
    int64_t dim = input.getDimSize(d);
    result.push_back(shape::isDynamic(dim) ? kDynamic
                                           : dim + adaptor.getLow()[d] +
                                                 adaptor.getHigh()[d]);
  }
  return push(types, result, input.getElementType());
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType data = diag.ranked(adaptor.getData(), "data");
  RankedTensorType indices = diag.ranked(adaptor.getIndices(), "indices");
  if (!data || !indices)
    return failure();
  if (data.getRank() == 0)
    return diag.fail("data must have rank >= 1");
  std::optional<int64_t> axis = diag.axis(adaptor.getAxis(), data.getRank());
  if (!axis)
    return failure();
  SmallVector<int64_t> result(data.getShape().take_front(*axis));
  llvm::append_range(result, indices.getShape());
  llvm::append_range(result, data.getShape().drop_front(*axis + 1));
  return push(types, result, data.getElementType());
}

LogicalResult BroadcastToOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = diag.ranked(adaptor.getInput(), "input");
  if (!input)
    return failure();
  ArrayRef<int64_t> target = adaptor.getShape();
  if (failed(checkArray(diag, "shape", target, target.size(), 1)))
    return failure();
  std::optional<SmallVector<int64_t>> result =
      shape::broadcastShapes(input.getShape(), target);
  if (!result)
    return diag.fail("cannot broadcast ", formatShape(input.getShape()),
                     " to ", formatShape(target));
  return push(types, *result, input.getElementType());
}

LogicalResult CastOp::verify() {
  auto in = getInput().getType(), out = getResult().getType();
  if (in.getRank() != out.getRank())
    return emitOpError("result rank ")
           << out.getRank() << " differs from input rank " << in.getRank();
  for (auto [d, a, b] : llvm::enumerate(in.getShape(), out.getShape()))
    if (!shape::areCompatibleDims(a, b))
      return emitOpError("result dim ")
             << d << " is " << b << " but the input's is " << a;
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

LogicalResult ClampOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = diag.ranked(adaptor.getInput(), "input");
  if (!input)
    return failure();
  double lo = adaptor.getMin().convertToDouble();
  double hi = adaptor.getMax().convertToDouble();
  if (!(lo <= hi))
    return diag.fail("'min' (", lo, ") must not exceed 'max' (", hi, ")");
  if (isa<IntegerType>(input.getElementType()) &&
      (lo != std::trunc(lo) || hi != std::trunc(hi)))
    return diag.fail("bounds must be integral for integer tensors");
  types.push_back(input);
  return success();
}

LogicalResult GeluOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  RankedTensorType input =
      InferDiag(loc, getOperationName()).ranked(adaptor.getInput(), "input");
  if (!input)
    return failure();
  types.push_back(input);
  return success();
}

LogicalResult CompareOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  return inferBroadcastResult(
      loc, getOperationName(),
      {adaptor.getLhs().getType(), adaptor.getRhs().getType()},
      IntegerType::get(context, 1), types);
}

LogicalResult SelectOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  Type t = getElementTypeOrSelf(adaptor.getOnTrue().getType());
  Type f = getElementTypeOrSelf(adaptor.getOnFalse().getType());
  if (t != f)
    return diag.fail("'on_true' has element type ", t,
                     " but 'on_false' has ", f);
  return inferBroadcastResult(loc, getOperationName(),
                              {adaptor.getCondition().getType(),
                               adaptor.getOnTrue().getType(),
                               adaptor.getOnFalse().getType()},
                              t, types);
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType lhs = diag.ranked(adaptor.getLhs(), "lhs");
  RankedTensorType rhs = diag.ranked(adaptor.getRhs(), "rhs");
  if (!lhs || !rhs)
    return failure();
  if (lhs.getRank() < 2 || rhs.getRank() < 2)
    return diag.fail("operands must have rank >= 2, got ", lhs.getRank(),
                     " and ", rhs.getRank());
  ArrayRef<int64_t> l = lhs.getShape(), r = rhs.getShape();
  size_t lr = l.size(), rr = r.size();
  bool tl = adaptor.getTransposeLhs(), tr = adaptor.getTransposeRhs();
  int64_t m = tl ? l[lr - 1] : l[lr - 2], k = tl ? l[lr - 2] : l[lr - 1];
  int64_t k2 = tr ? r[rr - 1] : r[rr - 2], n = tr ? r[rr - 2] : r[rr - 1];
  if (!shape::areCompatibleDims(k, k2))
    return diag.fail("contraction dims differ: lhs has K = ", k,
                     " but rhs has K = ", k2);
  std::optional<SmallVector<int64_t>> batch =
      shape::broadcastShapes(l.drop_back(2), r.drop_back(2));
  if (!batch)
    return diag.fail("batch dims are not broadcast-compatible: ",
                     formatShape(l.drop_back(2)), " vs ",
                     formatShape(r.drop_back(2)));
  batch->append({m, n});
  return push(types, *batch, lhs.getElementType());
}

LogicalResult LinearOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = diag.ranked(adaptor.getInput(), "input");
  RankedTensorType weight = diag.ranked(adaptor.getWeight(), "weight");
  if (!input || !weight)
    return failure();
  if (input.getRank() < 1)
    return diag.fail("input must have rank >= 1");
  if (weight.getRank() != 2)
    return diag.fail("weight must have rank 2 ([N, K]), got rank ",
                     weight.getRank());
  int64_t k = input.getShape().back(), n = weight.getDimSize(0);
  if (!shape::areCompatibleDims(k, weight.getDimSize(1)))
    return diag.fail("input has K = ", k, " but weight [N, K] has K = ",
                     weight.getDimSize(1));
  if (Value biasValue = adaptor.getBias()) {
    RankedTensorType bias = diag.ranked(biasValue, "bias");
    if (!bias)
      return failure();
    if (bias.getRank() != 1 || !shape::areCompatibleDims(bias.getDimSize(0), n))
      return diag.fail("bias must have shape [", n, "], got ",
                       formatShape(bias.getShape()));
  }
  SmallVector<int64_t> result(input.getShape().drop_back());
  result.push_back(n);
  return push(types, result, input.getElementType());
}

LogicalResult MatmulIntegerOp::inferReturnTypes(MLIRContext *context,
                                                std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType lhs = diag.ranked(adaptor.getLhs(), "lhs");
  RankedTensorType rhs = diag.ranked(adaptor.getRhs(), "rhs");
  if (!lhs || !rhs)
    return failure();
  if (lhs.getRank() < 2)
    return diag.fail("lhs must have rank >= 2 ([..., M, K]), got rank ",
                     lhs.getRank());
  if (rhs.getRank() != 2)
    return diag.fail("rhs must have rank 2 ([K, N], or [N, K] with "
                     "transpose_rhs), got rank ",
                     rhs.getRank());
  bool tr = adaptor.getTransposeRhs();
  int64_t k = lhs.getShape().back();
  int64_t k2 = rhs.getDimSize(tr ? 1 : 0), n = rhs.getDimSize(tr ? 0 : 1);
  if (!shape::areCompatibleDims(k, k2))
    return diag.fail("contraction dims differ: lhs has K = ", k,
                     " but rhs has K = ", k2);
  auto checkZeroPoint = [&](Value zp, RankedTensorType of, StringRef what,
                            bool perColumn) -> LogicalResult {
    if (!zp)
      return success();
    RankedTensorType t = diag.ranked(zp, what);
    if (!t)
      return failure();
    if (t.getElementType() != of.getElementType())
      return diag.fail(what, " must have its operand's element type ",
                       of.getElementType(), ", got ", t.getElementType());
    bool scalar = t.getRank() == 0;
    bool column = perColumn && t.getRank() == 1 &&
                  shape::areCompatibleDims(t.getDimSize(0), n);
    if (!scalar && !column)
      return diag.fail(what, " must be a scalar",
                       perColumn ? " or have shape [N]" : "", ", got ", t);
    return success();
  };
  if (failed(checkZeroPoint(adaptor.getLhsZeroPoint(), lhs, "lhs_zero_point",
                            /*perColumn=*/false)) ||
      failed(checkZeroPoint(adaptor.getRhsZeroPoint(), rhs, "rhs_zero_point",
                            /*perColumn=*/true)))
    return failure();
  SmallVector<int64_t> result(lhs.getShape().drop_back());
  result.push_back(n);
  return push(types, result, IntegerType::get(context, 32));
}

LogicalResult OuterOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType lhs = diag.ranked(adaptor.getLhs(), "lhs");
  RankedTensorType rhs = diag.ranked(adaptor.getRhs(), "rhs");
  if (!lhs || !rhs)
    return failure();
  if (lhs.getRank() != 1 || rhs.getRank() != 1)
    return diag.fail("operands must have rank 1, got ", lhs.getRank(), " and ",
                     rhs.getRank());
  return push(types, {lhs.getDimSize(0), rhs.getDimSize(0)},
              lhs.getElementType());
}

namespace {
/// Checks the common window attributes of conv2d and pool2d.
LogicalResult checkWindowAttrs(const InferDiag &diag,
                               ArrayRef<int64_t> strides,
                               ArrayRef<int64_t> dilations,
                               ArrayRef<int64_t> pads) {
  if (failed(checkArray(diag, "strides", strides, 2, 1)) ||
      failed(checkArray(diag, "dilations", dilations, 2, 1)) ||
      failed(checkArray(diag, "pads", pads, 4, 0)))
    return failure();
  return success();
}
} // namespace

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = diag.ranked(adaptor.getInput(), "input");
  RankedTensorType filter = diag.ranked(adaptor.getFilter(), "filter");
  if (!input || !filter)
    return failure();
  Layout layout = adaptor.getLayout();
  StringRef layoutName = stringifyLayout(layout);
  if (input.getRank() != 4)
    return diag.fail("input must have rank 4 (", layoutName, "), got rank ",
                     input.getRank());
  if (filter.getRank() != 4)
    return diag.fail("filter must have rank 4, got rank ", filter.getRank());
  ArrayRef<int64_t> strides = adaptor.getStrides(),
                    dilations = adaptor.getDilations(),
                    pads = adaptor.getPads();
  if (failed(checkWindowAttrs(diag, strides, dilations, pads)))
    return failure();
  int64_t groups = adaptor.getGroups();
  if (groups < 1)
    return diag.fail("'groups' must be positive, got ", groups);

  ImageDims dims = getImageDims(layout);
  FilterDims filterDims = getFilterDims(layout);
  ArrayRef<int64_t> in = input.getShape(), f = filter.getShape();
  int64_t filterF = f[filterDims.output], filterC = f[filterDims.input];
  int64_t kh = f[filterDims.height], kw = f[filterDims.width];
  int64_t c = in[dims.channel];
  if (!shape::isDynamic(c) && c % groups != 0)
    return diag.fail("input channels (", c, ") are not divisible by groups (",
                     groups, ")");
  if (!shape::isDynamic(filterF) && filterF % groups != 0)
    return diag.fail("output channels (", filterF,
                     ") are not divisible by groups (", groups, ")");
  if (!shape::isDynamic(c) && !shape::isDynamic(filterC) &&
      filterC * groups != c)
    return diag.fail("filter has ", filterC,
                     " input channels per group but the input has ", c,
                     " channels in ", groups, " group(s)");
  if (Value biasValue = adaptor.getBias()) {
    RankedTensorType bias = diag.ranked(biasValue, "bias");
    if (!bias)
      return failure();
    if (bias.getRank() != 1 ||
        !shape::areCompatibleDims(bias.getDimSize(0), filterF))
      return diag.fail("bias must have shape [", filterF, "], got ",
                       formatShape(bias.getShape()));
  }
  int64_t oh = shape::windowOutputSize(in[dims.height], kh, strides[0],
                                       dilations[0], pads[0], pads[2]);
  int64_t ow = shape::windowOutputSize(in[dims.width], kw, strides[1],
                                       dilations[1], pads[1], pads[3]);
  if (oh == 0 || ow == 0)
    return diag.fail("the dilated kernel (", kh, "x", kw,
                     ") does not fit the padded input (",
                     formatShape(input.getShape()), ")");
  return push(types, getImageShape(layout, in[dims.batch], filterF, oh, ow),
              input.getElementType());
}

LogicalResult Pool2DOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = diag.ranked(adaptor.getInput(), "input");
  if (!input)
    return failure();
  Layout layout = adaptor.getLayout();
  if (input.getRank() != 4)
    return diag.fail("input must have rank 4 (", stringifyLayout(layout),
                     "), got rank ", input.getRank());
  ArrayRef<int64_t> kernel = adaptor.getKernel(), strides = adaptor.getStrides(),
                    dilations = adaptor.getDilations(),
                    pads = adaptor.getPads();
  if (failed(checkArray(diag, "kernel", kernel, 2, 1)) ||
      failed(checkWindowAttrs(diag, strides, dilations, pads)))
    return failure();
  for (int i = 0; i < 4; ++i) {
    int64_t extent = dilations[i % 2] * (kernel[i % 2] - 1) + 1;
    if (pads[i] >= extent)
      return diag.fail("pad ", pads[i], " must be smaller than the kernel "
                       "extent ", extent);
  }
  if (adaptor.getKind() == PoolKind::Avg &&
      !isa<FloatType>(input.getElementType()))
    return diag.fail("average pooling needs a float tensor, got ",
                     input.getElementType());
  ImageDims dims = getImageDims(layout);
  bool ceil = adaptor.getCeilMode();
  int64_t oh =
      shape::windowOutputSize(input.getDimSize(dims.height), kernel[0],
                              strides[0], dilations[0], pads[0], pads[2], ceil);
  int64_t ow =
      shape::windowOutputSize(input.getDimSize(dims.width), kernel[1],
                              strides[1], dilations[1], pads[1], pads[3], ceil);
  if (oh == 0 || ow == 0)
    return diag.fail("the kernel (", kernel[0], "x", kernel[1],
                     ") does not fit the padded input (",
                     formatShape(input.getShape()), ")");
  return push(types,
              getImageShape(layout, input.getDimSize(dims.batch),
                            input.getDimSize(dims.channel), oh, ow),
              input.getElementType());
}

LogicalResult GlobalAvgPoolOp::inferReturnTypes(MLIRContext *,
                                                std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = diag.ranked(adaptor.getInput(), "input");
  if (!input)
    return failure();
  Layout layout = adaptor.getLayout();
  if (input.getRank() != 4)
    return diag.fail("input must have rank 4 (", stringifyLayout(layout),
                     "), got rank ", input.getRank());
  ImageDims dims = getImageDims(layout);
  return push(types,
              getImageShape(layout, input.getDimSize(dims.batch),
                            input.getDimSize(dims.channel), 1, 1),
              input.getElementType());
}

//===----------------------------------------------------------------------===//
// Normalization and reductions
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = diag.ranked(adaptor.getInput(), "input");
  if (!input)
    return failure();
  if (input.getRank() < 2)
    return diag.fail("input must have rank >= 2, got rank ", input.getRank());
  std::optional<int64_t> axis = diag.axis(adaptor.getAxis(), input.getRank());
  if (!axis)
    return failure();
  int64_t channels = input.getDimSize(*axis);
  std::pair<Value, StringRef> params[] = {{adaptor.getScale(), "scale"},
                                          {adaptor.getBias(), "bias"},
                                          {adaptor.getMean(), "mean"},
                                          {adaptor.getVariance(), "variance"}};
  for (auto [value, name] : params) {
    RankedTensorType type = diag.ranked(value, name);
    if (!type)
      return failure();
    if (type.getRank() != 1 ||
        !shape::areCompatibleDims(type.getDimSize(0), channels))
      return diag.fail("'", name, "' must have shape [", channels,
                       "] (the channel dim), got ",
                       formatShape(type.getShape()));
  }
  if (adaptor.getEpsilon().convertToDouble() < 0)
    return diag.fail("'epsilon' must be non-negative");
  types.push_back(input);
  return success();
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = diag.ranked(adaptor.getInput(), "input");
  if (!input)
    return failure();
  if (input.getRank() < 1)
    return diag.fail("input must have rank >= 1");
  std::optional<int64_t> axis = diag.axis(adaptor.getAxis(), input.getRank());
  if (!axis)
    return failure();
  ArrayRef<int64_t> normalized = input.getShape().drop_front(*axis);
  std::pair<Value, StringRef> params[] = {{adaptor.getScale(), "scale"},
                                          {adaptor.getBias(), "bias"}};
  for (auto [value, name] : params) {
    if (!value)
      continue;
    RankedTensorType type = diag.ranked(value, name);
    if (!type)
      return failure();
    if (type.getShape().size() != normalized.size() ||
        !llvm::all_of(llvm::zip(type.getShape(), normalized), [](auto p) {
          return shape::areCompatibleDims(std::get<0>(p), std::get<1>(p));
        }))
      return diag.fail("'", name, "' must have the normalized shape ",
                       formatShape(normalized), ", got ",
                       formatShape(type.getShape()));
  }
  if (adaptor.getEpsilon().convertToDouble() < 0)
    return diag.fail("'epsilon' must be non-negative");
  types.push_back(input);
  return success();
}

namespace {
template <typename OpTy>
LogicalResult inferAxisPreserving(std::optional<Location> loc,
                                  typename OpTy::Adaptor adaptor,
                                  SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, OpTy::getOperationName());
  RankedTensorType input = diag.ranked(adaptor.getInput(), "input");
  if (!input)
    return failure();
  if (input.getRank() < 1)
    return diag.fail("input must have rank >= 1");
  if (!diag.axis(adaptor.getAxis(), input.getRank()))
    return failure();
  types.push_back(input);
  return success();
}

template <typename OpTy>
LogicalResult inferReduction(std::optional<Location> loc,
                             typename OpTy::Adaptor adaptor,
                             SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, OpTy::getOperationName());
  RankedTensorType input = diag.ranked(adaptor.getInput(), "input");
  if (!input)
    return failure();
  int64_t rank = input.getRank();
  llvm::SmallBitVector reduced(rank, adaptor.getAxes().empty());
  for (int64_t axis : adaptor.getAxes()) {
    std::optional<int64_t> norm = diag.axis(axis, rank);
    if (!norm)
      return failure();
    if (reduced.test(*norm))
      return diag.fail("axis ", axis, " is reduced more than once");
    reduced.set(*norm);
  }
  SmallVector<int64_t> result;
  for (int64_t d = 0; d < rank; ++d) {
    if (!reduced.test(d))
      result.push_back(input.getDimSize(d));
    else if (adaptor.getKeepdims())
      result.push_back(1);
  }
  return push(types, result, input.getElementType());
}
} // namespace

#define KILN_DEFINE_INFER(OP, HELPER)                                          \
  LogicalResult OP::inferReturnTypes(MLIRContext *,                            \
                                     std::optional<Location> loc,              \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &types) {           \
    return HELPER<OP>(loc, adaptor, types);                                    \
  }
KILN_DEFINE_INFER(SoftmaxOp, inferAxisPreserving)
KILN_DEFINE_INFER(LogSoftmaxOp, inferAxisPreserving)
KILN_DEFINE_INFER(ReduceSumOp, inferReduction)
KILN_DEFINE_INFER(ReduceMeanOp, inferReduction)
KILN_DEFINE_INFER(ReduceMaxOp, inferReduction)
KILN_DEFINE_INFER(ReduceMinOp, inferReduction)
KILN_DEFINE_INFER(ReduceProdOp, inferReduction)
#undef KILN_DEFINE_INFER

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

LogicalResult QuantizeOp::verify() {
  RankedTensorType in = getInput().getType(), out = getResult().getType();
  if (in.getRank() != out.getRank() ||
      !llvm::all_of(llvm::zip(in.getShape(), out.getShape()), [](auto p) {
        return shape::areCompatibleDims(std::get<0>(p), std::get<1>(p));
      }))
    return emitOpError("result shape ")
           << formatShape(out.getShape()) << " differs from input shape "
           << formatShape(in.getShape());
  auto qtype = cast<quant::QuantizedType>(out.getElementType());
  if (qtype.getExpressedType() != in.getElementType())
    return emitOpError("quantized type expresses ")
           << qtype.getExpressedType() << " but the input holds "
           << in.getElementType();
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(qtype)) {
    int64_t dim = perAxis.getQuantizedDimension();
    if (dim >= out.getRank())
      return emitOpError("quantized dimension ")
             << dim << " is out of range for rank " << out.getRank();
    int64_t size = out.getDimSize(dim);
    int64_t scales = perAxis.getScales().size();
    if (!shape::isDynamic(size) && size != scales)
      return emitOpError("per-axis type has ")
             << scales << " scales but dim " << dim << " has size " << size;
  }
  return success();
}

LogicalResult DequantizeOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = diag.ranked(adaptor.getInput(), "input");
  if (!input)
    return failure();
  auto qtype = dyn_cast<quant::QuantizedType>(input.getElementType());
  if (!qtype)
    return diag.fail("input must hold a quantized type, got ",
                     input.getElementType());
  return push(types, input.getShape(), qtype.getExpressedType());
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType q = diag.ranked(adaptor.getQuery(), "query");
  RankedTensorType k = diag.ranked(adaptor.getKey(), "key");
  RankedTensorType v = diag.ranked(adaptor.getValue(), "value");
  if (!q || !k || !v)
    return failure();
  int64_t rank = q.getRank();
  if (rank < 2 || k.getRank() != rank || v.getRank() != rank)
    return diag.fail("query, key and value must have one rank >= 2, got ",
                     q.getRank(), ", ", k.getRank(), " and ", v.getRank());
  Type elementType = q.getElementType();
  if (k.getElementType() != elementType || v.getElementType() != elementType)
    return diag.fail("query, key and value must have one element type");
  SmallVector<int64_t> batch;
  for (int64_t d = 0; d < rank - 2; ++d) {
    int64_t a = q.getDimSize(d), b = k.getDimSize(d), c = v.getDimSize(d);
    if (!shape::areCompatibleDims(a, b) || !shape::areCompatibleDims(a, c) ||
        !shape::areCompatibleDims(b, c))
      return diag.fail("leading dim ", d, " differs: query ", a, ", key ", b,
                       ", value ", c);
    batch.push_back(shape::joinDims(shape::joinDims(a, b), c));
  }
  int64_t lq = q.getDimSize(rank - 2), d = q.getDimSize(rank - 1);
  int64_t lk = k.getDimSize(rank - 2), dk = k.getDimSize(rank - 1);
  int64_t lv = v.getDimSize(rank - 2), dv = v.getDimSize(rank - 1);
  if (!shape::areCompatibleDims(d, dk))
    return diag.fail("query head dim ", d, " differs from key head dim ", dk);
  if (!shape::areCompatibleDims(lk, lv))
    return diag.fail("key length ", lk, " differs from value length ", lv);
  if (std::optional<APFloat> scale = adaptor.getScale())
    if (!(scale->convertToDouble() > 0))
      return diag.fail("'scale' must be positive");

  SmallVector<int64_t> scores(batch);
  scores.append({lq, shape::joinDims(lk, lv)});
  if (Value maskValue = adaptor.getMask()) {
    RankedTensorType mask = diag.ranked(maskValue, "mask");
    if (!mask)
      return failure();
    Type maskElement = mask.getElementType();
    if (!maskElement.isInteger(1) && maskElement != elementType)
      return diag.fail("mask must hold i1 or ", elementType, ", got ",
                       maskElement);
    std::optional<SmallVector<int64_t>> joined =
        shape::broadcastShapes(scores, mask.getShape());
    if (mask.getRank() > rank || !joined ||
        !llvm::all_of(llvm::zip(*joined, scores), [](auto p) {
          return shape::areCompatibleDims(std::get<0>(p), std::get<1>(p));
        }))
      return diag.fail("mask of shape ", formatShape(mask.getShape()),
                       " does not broadcast to the scores' shape ",
                       formatShape(scores));
  }
  SmallVector<int64_t> result(batch);
  result.append({lq, dv});
  return push(types, result, elementType);
}

#define GET_OP_CLASSES
#include "Kiln/IR/KilnOps.cpp.inc"
