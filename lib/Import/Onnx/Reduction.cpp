//===- Reduction.cpp - ONNX Reduce* ops -----------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// ReduceSum/Mean/Max/Min/Prod and the composite L1, L2, SumSquare, LogSum
// and LogSumExp reductions, ArgMax/ArgMin/Hardmax built from them,
// CumSum, and TopK as a loop of k selections.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <limits>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;
using llvm::StringRef;
using llvm::Twine;

LogicalResult Importer::importReduce(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  StringRef op = n.op_type();
  bool keep = attrInt(n, "keepdims", 1) != 0;
  SmallVector<int64_t> axes;
  bool axesFromInput = op == "ReduceSum" && opset >= 13;
  if (axesFromInput) {
    if (hasInput(n, 1)) {
      FailureOr<SmallVector<int64_t>> a = hostInts(n, 1, "ReduceSum's axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
    if (axes.empty() && attrInt(n, "noop_with_empty_axes", 0)) {
      setOutput(n, 0, *x);
      return success();
    }
  } else if (auto a = attrInts(n, "axes")) {
    axes = *a;
  }
  // An empty `axes` reduces every dim, as in kiln.
  auto axesAttr = b.getDenseI64ArrayAttr(axes);
  FailureOr<Value> r = failure();
  Type elem = typeOf(*x).getElementType();
  if (op == "ReduceL1" || op == "ReduceL2" || op == "ReduceSumSquare" ||
      op == "ReduceLogSum") {
    FailureOr<Value> t = *x;
    if (op == "ReduceL1")
      t = make<AbsOp>(*x);
    else if (op != "ReduceLogSum")
      t = make<MulOp>(*x, *x);
    if (failed(t))
      return failure();
    r = make<ReduceSumOp>(*t, axesAttr, b.getBoolAttr(keep));
    if (succeeded(r) && op == "ReduceL2")
      r = isa<FloatType>(elem) ? make<SqrtOp>(*r) : FailureOr<Value>(failure());
    if (succeeded(r) && op == "ReduceLogSum")
      r = make<LogOp>(*r);
  } else if (op == "ReduceLogSumExp") {
    // max + log(sum(exp(x - max))), stable for large inputs.
    FailureOr<Value> m = make<ReduceMaxOp>(*x, axesAttr, b.getBoolAttr(true));
    if (failed(m))
      return failure();
    FailureOr<Value> e = make<SubOp>(*x, *m);
    if (succeeded(e))
      e = make<ExpOp>(*e);
    if (succeeded(e))
      e = make<ReduceSumOp>(*e, axesAttr, b.getBoolAttr(true));
    if (succeeded(e))
      e = make<LogOp>(*e);
    if (succeeded(e))
      e = make<AddOp>(*e, *m);
    if (failed(e))
      return failure();
    r = keep ? e : make<ReduceSumOp>(*e, axesAttr, b.getBoolAttr(false));
  } else if (op == "ReduceSum")
    r = make<ReduceSumOp>(*x, axesAttr, b.getBoolAttr(keep));
  else if (op == "ReduceMean")
    r = make<ReduceMeanOp>(*x, axesAttr, b.getBoolAttr(keep));
  else if (op == "ReduceMax" || op == "ReduceMin") {
    Type original;
    FailureOr<Value> wide = toSignedOrder(*x, original);
    if (failed(wide))
      return failure();
    r = op == "ReduceMax"
            ? make<ReduceMaxOp>(*wide, axesAttr, b.getBoolAttr(keep))
            : make<ReduceMinOp>(*wide, axesAttr, b.getBoolAttr(keep));
    if (succeeded(r))
      r = fromSignedOrder(*r, original);
  } else
    r = make<ReduceProdOp>(*x, axesAttr, b.getBoolAttr(keep));
  return setResult(n, r);
}

/// ArgMax/ArgMin: the first index of the maximum (minimum) along `axis`, as
/// i64, is reduce_min(select(x == max(x), iota, n)); the last one, with
/// select_last_index, reduce_max(select(x == max(x), iota, -1)). The iota
/// is a constant, so the dim along `axis` must be static.
LogicalResult Importer::importArgMinMax(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  StringRef op = n.op_type();
  RankedTensorType type = typeOf(*x);
  int64_t rank = type.getRank();
  int64_t axis = attrInt(n, "axis", 0);
  if (rank == 0 || axis < -rank || axis >= rank)
    return error(op + "'s axis " + Twine(axis) + " is out of range for an "
                 "input of rank " + Twine(rank));
  if (axis < 0)
    axis += rank;
  int64_t size = type.getDimSize(axis);
  if (ShapedType::isDynamic(size))
    return error(op + " along dim " + Twine(axis) +
                 ", which is dynamic, is not supported: that dim must be "
                 "known at compile time");
  bool keep = attrInt(n, "keepdims", 1) != 0;
  bool last = attrInt(n, "select_last_index", 0) != 0;
  auto axes = b.getDenseI64ArrayAttr({axis});
  Type original;
  x = toSignedOrder(*x, original);
  if (failed(x))
    return failure();
  FailureOr<Value> extreme =
      op == "ArgMax" ? make<ReduceMaxOp>(*x, axes, b.getBoolAttr(true))
                     : make<ReduceMinOp>(*x, axes, b.getBoolAttr(true));
  if (failed(extreme))
    return failure();
  FailureOr<Value> hit = compare(ComparePredicate::EQ, *x, *extreme);
  if (failed(hit))
    return failure();
  Value iota = iotaAlong(size, rank, axis);
  FailureOr<Value> candidates =
      make<SelectOp>(*hit, iota, scalar(last ? -1 : size, b.getI64Type()));
  if (failed(candidates))
    return failure();
  FailureOr<Value> r =
      last ? make<ReduceMaxOp>(*candidates, axes, b.getBoolAttr(keep))
           : make<ReduceMinOp>(*candidates, axes, b.getBoolAttr(keep));
  return setResult(n, r);
}

/// Hardmax: 1 at the first maximum along `axis`, else 0: the ArgMax
/// composition's first index, compared with the iota. Before opset 13 the
/// input is seen as 2-D, [prod(dims before axis), prod(dims from axis)].
LogicalResult Importer::importHardmax(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  RankedTensorType type = typeOf(*x);
  int64_t rank = type.getRank();
  int64_t axis = attrInt(n, "axis", opset >= 13 ? -1 : 1);
  if (rank == 0 || axis < -rank || axis >= rank)
    return error("Hardmax's axis " + Twine(axis) +
                 " is out of range for an input of rank " + Twine(rank));
  if (axis < 0)
    axis += rank;
  Value v = *x;
  if (opset < 13) {
    if (!type.hasStaticShape())
      return error("Hardmax before opset 13 needs a static input shape");
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < rank; ++d)
      (d < axis ? outer : inner) *= type.getDimSize(d);
    FailureOr<Value> flat = reshape(v, {outer, inner});
    if (failed(flat))
      return failure();
    v = *flat;
    axis = 1;
  }
  RankedTensorType vType = typeOf(v);
  int64_t size = vType.getDimSize(axis);
  if (ShapedType::isDynamic(size))
    return error("Hardmax along dim " + Twine(axis) +
                 ", which is dynamic, is not supported: that dim must be "
                 "known at compile time");
  auto axes = b.getDenseI64ArrayAttr({axis});
  Value iota = iotaAlong(size, vType.getRank(), axis);
  FailureOr<Value> top = make<ReduceMaxOp>(v, axes, b.getBoolAttr(true));
  if (failed(top))
    return failure();
  FailureOr<Value> hit = compare(ComparePredicate::EQ, v, *top);
  if (failed(hit))
    return failure();
  FailureOr<Value> first = make<SelectOp>(*hit, iota,
                                          scalar(size, b.getI64Type()));
  if (succeeded(first))
    first = make<ReduceMinOp>(*first, axes, b.getBoolAttr(true));
  if (failed(first))
    return failure();
  FailureOr<Value> one = compare(ComparePredicate::EQ, iota, *first);
  if (failed(one))
    return failure();
  Type elem = vType.getElementType();
  FailureOr<Value> r = make<SelectOp>(*one, scalar(1, elem), scalar(0, elem));
  if (succeeded(r) && opset < 13)
    r = reshape(*r, type.getShape());
  return setResult(n, r);
}

/// CumSum along `axis` (a constant), of static length L: a matmul by a
/// constant L x L 0/1 matrix (upper triangular for a forward sum; strictly
/// so when exclusive; lower for reverse), with `axis` moved last and back.
LogicalResult Importer::importCumSum(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  FailureOr<SmallVector<int64_t>> axes = hostInts(n, 1, "CumSum's axis");
  if (failed(x) || failed(axes))
    return failure();
  if (axes->size() != 1)
    return error("CumSum's axis must be a scalar");
  RankedTensorType type = typeOf(*x);
  int64_t rank = type.getRank();
  SmallVector<int64_t> axisList = {(*axes)[0]};
  if (rank == 0 || failed(normalizeAxes(axisList, rank)))
    return failure();
  int64_t axis = axisList[0];
  int64_t length = type.getDimSize(axis);
  if (ShapedType::isDynamic(length))
    return error("CumSum along dim " + Twine(axis) +
                 ", which is dynamic, is not supported: that dim must be "
                 "known at compile time");
  bool exclusive = attrInt(n, "exclusive", 0) != 0;
  bool reverse = attrInt(n, "reverse", 0) != 0;
  // out[j] = sum over i of x[i] * m[i][j].
  Type elem = type.getElementType();
  SmallVector<Attribute> m;
  m.reserve(length * length);
  for (int64_t i = 0; i < length; ++i)
    for (int64_t j = 0; j < length; ++j) {
      bool in = reverse ? (exclusive ? i > j : i >= j)
                        : (exclusive ? i < j : i <= j);
      m.push_back(isa<FloatType>(elem)
                      ? Attribute(FloatAttr::get(elem, in ? 1.0 : 0.0))
                      : Attribute(IntegerAttr::get(elem, in ? 1 : 0)));
    }
  auto mType = RankedTensorType::get({length, length}, elem);
  Value matrix =
      ConstantOp::create(b, loc, mType, DenseElementsAttr::get(mType, m))
          .getResult();
  SmallVector<int64_t> perm;
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis)
      perm.push_back(d);
  perm.push_back(axis);
  bool moved = axis != rank - 1;
  FailureOr<Value> v = *x;
  if (moved)
    v = make<TransposeOp>(*v, b.getDenseI64ArrayAttr(perm));
  if (succeeded(v) && rank == 1)
    v = reshape(*v, {1, length});
  if (succeeded(v))
    v = make<MatmulOp>(*v, matrix, b.getBoolAttr(false), b.getBoolAttr(false));
  if (succeeded(v) && rank == 1)
    v = reshape(*v, {length});
  if (succeeded(v) && moved) {
    SmallVector<int64_t> inverse(rank);
    for (int64_t d = 0; d < rank; ++d)
      inverse[perm[d]] = d;
    v = make<TransposeOp>(*v, b.getDenseI64ArrayAttr(inverse));
  }
  return setResult(n, v);
}

/// TopK as an scf.for over the k results: each step takes the extreme of
/// the elements not taken yet along the axis (the lowest index among equal
/// ones, as ONNX asks; NaN above everything for the largest, as torch),
/// writes its value and index at position i of the outputs, and marks it
/// taken in a boolean mask carried by the loop (so inputs that hold -inf or
/// the integer extremes are still chosen once each). O(k * n) along the
/// axis, which must be static; the other dims may be dynamic.
LogicalResult Importer::importTopK(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  FailureOr<SmallVector<int64_t>> ks = hostInts(n, 1, "TopK's k");
  if (failed(x) || failed(ks))
    return failure();
  if (ks->size() != 1)
    return error("TopK's k must have one element");
  RankedTensorType t = typeOf(*x);
  int64_t rank = t.getRank(), k = (*ks)[0];
  int64_t axis = attrInt(n, "axis", -1);
  if (axis < -rank || axis >= rank)
    return error("TopK's axis " + Twine(axis) + " is out of range for rank " +
                 Twine(rank));
  if (axis < 0)
    axis += rank;
  if (t.isDynamicDim(axis))
    return error("TopK along dim " + Twine(axis) +
                 ", which is dynamic; Kiln needs it static");
  int64_t size = t.getDimSize(axis);
  if (k < 1 || k > size)
    return error("TopK's k = " + Twine(k) + " is not in [1, " + Twine(size) +
                 "] for a dim of " + Twine(size));
  bool largest = attrInt(n, "largest", 1) != 0;
  Type original;
  x = toSignedOrder(*x, original);
  if (failed(x))
    return failure();
  t = typeOf(*x);
  Type elem = t.getElementType(), i64 = b.getI64Type();
  double fill = largest ? -std::numeric_limits<double>::infinity()
                        : std::numeric_limits<double>::infinity();
  if (auto it = dyn_cast<IntegerType>(elem)) {
    unsigned w = it.getWidth();
    fill = static_cast<double>(largest
                                   ? APInt::getSignedMinValue(w).getSExtValue()
                                   : APInt::getSignedMaxValue(w).getSExtValue());
  }

  SmallVector<SymInt> xDims = dimsOf(*x), outDims = xDims;
  outDims[axis] = SymInt(k);
  FailureOr<Value> values = splatTo(scalar(0, elem), outDims);
  FailureOr<Value> indices = splatTo(scalar(0, i64), outDims);
  if (failed(values) || failed(indices))
    return failure();
  Value iota = iotaAlong(size, rank, axis);
  SmallVector<OpFoldResult> sizes, strides(rank, b.getIndexAttr(1));
  for (const SymInt &d : outDims)
    sizes.push_back(d.isStatic() ? OpFoldResult(b.getIndexAttr(d.value))
                                 : OpFoldResult(indexValue(d)));
  sizes[axis] = b.getIndexAttr(1);

  Value lb = arith::ConstantIndexOp::create(b, loc, 0);
  Value ub = arith::ConstantIndexOp::create(b, loc, k);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  // Nothing taken yet: an all-false mask of x's shape.
  FailureOr<Value> mask = splatTo(scalar(0, b.getI1Type()), xDims);
  if (failed(mask))
    return failure();
  auto loop = scf::ForOp::create(b, loc, lb, ub, one,
                                 ValueRange{*mask, *values, *indices});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value taken = loop.getRegionIterArgs()[0];
    auto axes = b.getDenseI64ArrayAttr({axis});
    auto keep = b.getBoolAttr(true);
    // The elements left, the taken ones replaced by the fill.
    FailureOr<Value> left = make<SelectOp>(taken, scalar(fill, elem), *x);
    FailureOr<Value> best =
        failed(left) ? failedValue()
        : largest    ? make<ReduceMaxOp>(*left, axes, keep)
                     : make<ReduceMinOp>(*left, axes, keep);
    // Equal to the extreme (NaN matching NaN), and not taken yet.
    FailureOr<Value> isBest = failed(best) ? failedValue()
                                           : compare(ComparePredicate::EQ,
                                                     *left, *best);
    if (isa<FloatType>(elem) && succeeded(isBest)) {
      FailureOr<Value> leftNan = compare(ComparePredicate::NE, *left, *left);
      FailureOr<Value> bestNan = compare(ComparePredicate::NE, *best, *best);
      FailureOr<Value> bothNan =
          failed(leftNan) || failed(bestNan)
              ? failedValue()
              : make<SelectOp>(*leftNan, *bestNan, scalar(0, b.getI1Type()));
      isBest = failed(bothNan) ? failedValue()
                               : make<SelectOp>(*isBest, *isBest, *bothNan);
    }
    if (succeeded(isBest))
      isBest = make<SelectOp>(taken, scalar(0, b.getI1Type()), *isBest);
    FailureOr<Value> where =
        failed(isBest) ? failedValue()
                       : make<SelectOp>(*isBest, iota, scalar(size, i64));
    FailureOr<Value> index =
        failed(where) ? failedValue() : make<ReduceMinOp>(*where, axes, keep);
    FailureOr<Value> chosen =
        failed(index) ? failedValue() : compare(ComparePredicate::EQ, iota, *index);
    FailureOr<Value> rest =
        failed(chosen) ? failedValue()
                       : make<SelectOp>(*chosen, *chosen, taken);
    if (failed(rest))
      return failure();
    SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
    offsets[axis] = loop.getInductionVar();
    auto place = [&](Value v, Value into) {
      return tensor::InsertSliceOp::create(b, loc, v, into, offsets, sizes,
                                           strides)
          .getResult();
    };
    scf::YieldOp::create(
        b, loc,
        ValueRange{*rest, place(*best, loop.getRegionIterArgs()[1]),
                   place(*index, loop.getRegionIterArgs()[2])});
  }
  Value topValues = loop.getResult(1);
  FailureOr<Value> restored = fromSignedOrder(topValues, original);
  if (failed(restored))
    return failure();
  topValues = *restored;
  setOutput(n, 0, topValues);
  setOutput(n, 1, loop.getResult(2));
  return success();
}

//===----------------------------------------------------------------------===//
// Handler table rows
//===----------------------------------------------------------------------===//

void onnx_import::registerReductionHandlers(HandlerTable &table) {
  const HandlerRow rows[] = {
      {"ArgMax", {&Importer::importArgMinMax, "static dim along the axis"}},
      {"ArgMin", {&Importer::importArgMinMax, "static dim along the axis"}},
      {"CumSum", {&Importer::importCumSum, "constant axis, static dim along it"}},
      {"Hardmax", {&Importer::importHardmax, "static dim along the axis"}},
      {"ReduceL1", {&Importer::importReduce, ""}},
      {"TopK", {&Importer::importTopK,
                "constant k, static dim along the axis; O(k n)"}},
      {"ReduceL2", {&Importer::importReduce, "float types"}},
      {"ReduceLogSum", {&Importer::importReduce, ""}},
      {"ReduceLogSumExp", {&Importer::importReduce, ""}},
      {"ReduceMax", {&Importer::importReduce, ""}},
      {"ReduceMean", {&Importer::importReduce, ""}},
      {"ReduceMin", {&Importer::importReduce, ""}},
      {"ReduceProd", {&Importer::importReduce, ""}},
      {"ReduceSum", {&Importer::importReduce, "constant axes"}},
      {"ReduceSumSquare", {&Importer::importReduce, ""}},
  };
  addHandlers(table, rows);
}
