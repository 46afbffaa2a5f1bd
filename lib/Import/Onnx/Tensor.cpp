//===- Tensor.cpp - Tensor and shape ops ----------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Constants, Identity, and the ops that move or reshape data: Shape, Size,
// Reshape, Flatten, Transpose, Concat, Split, Slice, Gather, (Un)Squeeze,
// ConstantOfShape, Expand, Range and Pad. Most of them also evaluate shape
// computations on host tensors at import time.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include "Kiln/IR/ShapeUtils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"

#include <algorithm>
#include <cmath>


using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;
using llvm::StringRef;
using llvm::Twine;

LogicalResult Importer::importConstant(const onnx::NodeProto &n) {
  RawTensor raw;
  if (const auto *a = attr(n, "value")) {
    FailureOr<RawTensor> t = readTensor(a->t());
    if (failed(t))
      return failure();
    raw = std::move(*t);
  } else if (const auto *a = attr(n, "value_float")) {
    float v = a->f();
    raw.elemType = onnx::TensorProto::FLOAT;
    raw.bytes.assign(reinterpret_cast<char *>(&v), 4);
  } else if (const auto *a = attr(n, "value_floats")) {
    raw.elemType = onnx::TensorProto::FLOAT;
    raw.shape = {a->floats_size()};
    for (float v : a->floats())
      raw.bytes.append(reinterpret_cast<char *>(&v), 4);
  } else if (const auto *a = attr(n, "value_int")) {
    int64_t v = a->i();
    raw.elemType = onnx::TensorProto::INT64;
    raw.bytes.assign(reinterpret_cast<char *>(&v), 8);
  } else if (const auto *a = attr(n, "value_ints")) {
    raw.elemType = onnx::TensorProto::INT64;
    raw.shape = {a->ints_size()};
    for (int64_t v : a->ints())
      raw.bytes.append(reinterpret_cast<char *>(&v), 8);
  } else {
    return error("Constant without a supported value attribute (sparse and "
                 "string constants are not supported)");
  }
  if (std::optional<HostTensor> h = toHost(raw)) {
    setHost(n, 0, std::move(*h));
    return success();
  }
  FailureOr<Value> v = materialize(raw, n.output(0));
  return setResult(n, v);
}

LogicalResult Importer::importIdentity(const onnx::NodeProto &n) {
  if (const HostTensor *h = host(n, 0)) {
    setHost(n, 0, *h);
    return success();
  }
  FailureOr<Value> x = input(n, 0);
  return setResult(n, x);
}

LogicalResult Importer::importShape(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  int64_t rank = t.getRank();
  int64_t start = attrInt(n, "start", 0), end = attrInt(n, "end", rank);
  if (start < 0)
    start += rank;
  if (end < 0)
    end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, 0, rank);
  HostTensor h;
  h.elemType = onnx::TensorProto::INT64;
  for (int64_t i = start; i < end; ++i) {
    if (t.isDynamicDim(i))
      h.ints.push_back({0, *x, static_cast<unsigned>(i)});
    else
      h.ints.push_back({t.getDimSize(i)});
  }
  h.shape = {static_cast<int64_t>(h.ints.size())};
  setHost(n, 0, std::move(h));
  return success();
}

LogicalResult Importer::importReshape(const onnx::NodeProto &n) {
  const HostTensor *spec = shapeInput(n, 1, "Reshape's shape");
  if (!spec)
    return failure();
  if (attrInt(n, "allowzero", 0))
    for (const SymInt &s : spec->ints)
      if (s.isStatic() && s.value == 0)
        return error("Reshape with allowzero=1 and a 0 entry (an empty "
                     "tensor) is not supported");
  if (const HostTensor *h = host(n, 0)) {
    std::string err;
    if (spec->allStatic() && h->allStatic()) {
      SmallVector<int64_t> s;
      for (const SymInt &v : spec->ints)
        s.push_back(v.value);
      if (auto shape = shape::inferReshape(h->shape, s, err)) {
        HostTensor r = *h;
        r.shape.assign(shape->begin(), shape->end());
        setHost(n, 0, std::move(r));
        return success();
      }
    }
  }
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  FailureOr<Value> r = reshapeTo(*x, spec->ints, attrInt(n, "allowzero", 0));
  return setResult(n, r);
}

LogicalResult Importer::importFlatten(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  int64_t rank = t.getRank();
  int64_t axis = attrInt(n, "axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank)
    return error("Flatten axis " + Twine(attrInt(n, "axis", 1)) +
                 " is out of range for rank " + Twine(rank));
  auto product = [&](int64_t from, int64_t to) -> std::optional<int64_t> {
    return shape::staticElementCount(t.getShape().slice(from, to - from));
  };
  std::optional<int64_t> outer = product(0, axis), inner = product(axis, rank);
  SmallVector<int64_t> spec;
  if (outer)
    spec.push_back(*outer);
  else if (axis == 1)
    spec.push_back(0);
  else
    spec.push_back(-1);
  if (inner)
    spec.push_back(*inner);
  else if (spec[0] == -1)
    return error("Flatten with run-time dims on both sides of the axis is not "
                 "supported");
  else
    spec.push_back(-1);
  FailureOr<Value> r = reshape(*x, spec);
  return setResult(n, r);
}

LogicalResult Importer::importTranspose(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  int64_t rank = typeOf(*x).getRank();
  SmallVector<int64_t> perm;
  if (auto p = attrInts(n, "perm"))
    perm = *p;
  else
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  FailureOr<Value> r = make<TransposeOp>(*x, b.getDenseI64ArrayAttr(perm));
  return setResult(n, r);
}

LogicalResult Importer::importConcat(const onnx::NodeProto &n) {
  int64_t axis = attrInt(n, "axis", 0);
  // Shape arithmetic: concatenate 1-D host tensors.
  bool allHost = true;
  for (int i = 0; i < n.input_size(); ++i)
    allHost &= host(n, i) && host(n, i)->shape.size() == 1 &&
               !host(n, i)->isFloatType();
  if (allHost && (axis == 0 || axis == -1)) {
    HostTensor r;
    r.elemType = host(n, 0)->elemType;
    for (int i = 0; i < n.input_size(); ++i)
      r.ints.append(host(n, i)->ints);
    r.shape = {static_cast<int64_t>(r.ints.size())};
    setHost(n, 0, std::move(r));
    return success();
  }
  SmallVector<Value> operands;
  for (int i = 0; i < n.input_size(); ++i) {
    FailureOr<Value> v = input(n, i);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  FailureOr<Value> r = make<ConcatOp>(operands, b.getI64IntegerAttr(axis));
  return setResult(n, r);
}

LogicalResult Importer::importSplit(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  int64_t rank = t.getRank();
  int64_t axis = attrInt(n, "axis", 0);
  SmallVector<int64_t> axes = {axis};
  if (failed(normalizeAxes(axes, rank)))
    return failure();
  axis = axes[0];
  int64_t outputs = n.output_size();
  SmallVector<int64_t> sizes;
  if (opset < 13) {
    if (auto s = attrInts(n, "split"))
      sizes = *s;
  } else if (hasInput(n, 1)) {
    FailureOr<SmallVector<int64_t>> s = hostInts(n, 1, "Split's split");
    if (failed(s))
      return failure();
    sizes = *s;
  }
  int64_t dim = t.getDimSize(axis);
  if (sizes.empty()) {
    if (ShapedType::isDynamic(dim))
      return error("Split into equal parts along a run-time dim is not "
                   "supported");
    if (dim % outputs != 0)
      return error("Split of dim " + Twine(dim) + " into " + Twine(outputs) +
                   " equal parts");
    sizes.assign(outputs, dim / outputs);
  }
  if (static_cast<int64_t>(sizes.size()) != outputs)
    return error("Split has " + Twine(sizes.size()) + " sizes but " +
                 Twine(outputs) + " outputs");
  int64_t offset = 0;
  for (int64_t i = 0; i < outputs; ++i) {
    SmallVector<int64_t> starts(rank, 0), ends(rank, INT64_MAX),
        steps(rank, 1);
    starts[axis] = offset;
    ends[axis] = offset + sizes[i];
    offset += sizes[i];
    FailureOr<Value> r = make<SliceOp>(*x, b.getDenseI64ArrayAttr(starts),
                                       b.getDenseI64ArrayAttr(ends),
                                       b.getDenseI64ArrayAttr(steps));
    if (failed(r))
      return failure();
    setOutput(n, i, *r);
  }
  if (!ShapedType::isDynamic(dim) && offset != dim)
    return error("Split sizes add up to " + Twine(offset) + " but the dim is " +
                 Twine(dim));
  return success();
}

LogicalResult Importer::importSlice(const onnx::NodeProto &n) {
  FailureOr<SmallVector<int64_t>> starts = hostInts(n, 1, "Slice's starts");
  FailureOr<SmallVector<int64_t>> ends = hostInts(n, 2, "Slice's ends");
  if (failed(starts) || failed(ends))
    return failure();
  SmallVector<int64_t> axes, steps;
  if (hasInput(n, 3)) {
    FailureOr<SmallVector<int64_t>> a = hostInts(n, 3, "Slice's axes");
    if (failed(a))
      return failure();
    axes = *a;
  } else {
    for (size_t i = 0; i < starts->size(); ++i)
      axes.push_back(i);
  }
  if (hasInput(n, 4)) {
    FailureOr<SmallVector<int64_t>> s = hostInts(n, 4, "Slice's steps");
    if (failed(s))
      return failure();
    steps = *s;
  } else {
    steps.assign(starts->size(), 1);
  }
  if (axes.size() != starts->size() || ends->size() != starts->size() ||
      steps.size() != starts->size())
    return error("Slice's starts, ends, axes and steps differ in length");

  // 1-D host tensors (shape arithmetic) are sliced at import time.
  const HostTensor *h = host(n, 0);
  if (h && h->shape.size() == 1 && !h->isFloatType() && steps[0] > 0) {
    int64_t dim = h->shape[0];
    HostTensor r;
    r.elemType = h->elemType;
    for (int64_t i = shape::clampSliceBound(dim, (*starts)[0]);
         i < shape::clampSliceBound(dim, (*ends)[0]); i += steps[0])
      r.ints.push_back(h->ints[i]);
    r.shape = {static_cast<int64_t>(r.ints.size())};
    setHost(n, 0, std::move(r));
    return success();
  }

  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  int64_t rank = t.getRank();
  if (failed(normalizeAxes(axes, rank)))
    return failure();
  SmallVector<int64_t> fs(rank, 0), fe(rank, INT64_MAX), fst(rank, 1);
  Value current = *x;
  for (auto [i, axis] : llvm::enumerate(axes)) {
    if (steps[i] == 0)
      return error("Slice step is 0");
    if (steps[i] > 0) {
      fs[axis] = (*starts)[i];
      fe[axis] = (*ends)[i];
      fst[axis] = steps[i];
      continue;
    }
    // Negative step: gather the indices, which needs a static dim.
    int64_t dim = t.getDimSize(axis);
    if (ShapedType::isDynamic(dim))
      return error("Slice with a negative step along a run-time dim is not "
                   "supported");
    auto clampStart = [&](int64_t v) {
      if (v < 0)
        v += dim;
      return std::clamp<int64_t>(v, -1, dim - 1);
    };
    HostTensor idx;
    idx.elemType = onnx::TensorProto::INT64;
    for (int64_t k = clampStart((*starts)[i]); k > clampStart((*ends)[i]);
         k += steps[i])
      idx.ints.push_back({k});
    idx.shape = {static_cast<int64_t>(idx.ints.size())};
    if (idx.ints.empty())
      return error("Slice gives an empty tensor, which Kiln does not support");
    FailureOr<Value> iv = constantFromHost(idx);
    if (failed(iv))
      return failure();
    FailureOr<Value> g =
        make<GatherOp>(current, *iv, b.getI64IntegerAttr(axis));
    if (failed(g))
      return failure();
    current = *g;
  }
  FailureOr<Value> r = make<SliceOp>(current, b.getDenseI64ArrayAttr(fs),
                                     b.getDenseI64ArrayAttr(fe),
                                     b.getDenseI64ArrayAttr(fst));
  return setResult(n, r);
}

LogicalResult Importer::importGather(const onnx::NodeProto &n) {
  int64_t axis = attrInt(n, "axis", 0);
  const HostTensor *data = host(n, 0), *indices = host(n, 1);
  if (data && indices && data->shape.size() == 1 && indices->allStatic() &&
      !data->isFloatType() && (axis == 0 || axis == -1)) {
    HostTensor r;
    r.elemType = data->elemType;
    r.shape = indices->shape;
    int64_t dim = data->shape[0];
    for (const SymInt &i : indices->ints) {
      int64_t k = i.value < 0 ? i.value + dim : i.value;
      if (k < 0 || k >= dim)
        return error("Gather index " + Twine(i.value) +
                     " is out of range for a dim of " + Twine(dim));
      r.ints.push_back(data->ints[k]);
    }
    setHost(n, 0, std::move(r));
    return success();
  }
  FailureOr<Value> x = input(n, 0), idx = input(n, 1);
  if (failed(x) || failed(idx))
    return failure();
  FailureOr<Value> r = make<GatherOp>(*x, *idx, b.getI64IntegerAttr(axis));
  return setResult(n, r);
}

LogicalResult Importer::importUnsqueeze(const onnx::NodeProto &n) {
  SmallVector<int64_t> axes;
  if (opset < 13) {
    axes = attrInts(n, "axes").value_or(SmallVector<int64_t>());
  } else {
    FailureOr<SmallVector<int64_t>> a = hostInts(n, 1, "Unsqueeze's axes");
    if (failed(a))
      return failure();
    axes = *a;
  }
  const HostTensor *h = host(n, 0);
  int64_t inRank;
  Value x;
  if (h) {
    inRank = h->shape.size();
  } else {
    FailureOr<Value> v = input(n, 0);
    if (failed(v))
      return failure();
    x = *v;
    inRank = typeOf(x).getRank();
  }
  int64_t outRank = inRank + axes.size();
  if (failed(normalizeAxes(axes, outRank)))
    return failure();
  llvm::sort(axes);
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
    return error("Unsqueeze axes repeat");
  if (h) {
    HostTensor r = *h;
    r.shape.clear();
    for (int64_t i = 0, j = 0; i < outRank; ++i)
      r.shape.push_back(llvm::is_contained(axes, i) ? 1 : h->shape[j++]);
    setHost(n, 0, std::move(r));
    return success();
  }
  RankedTensorType t = typeOf(x);
  SmallVector<SymInt> dims;
  for (int64_t i = 0, j = 0; i < outRank; ++i) {
    if (llvm::is_contained(axes, i)) {
      dims.push_back({1});
      continue;
    }
    if (t.isDynamicDim(j))
      dims.push_back({0, x, static_cast<unsigned>(j)});
    else
      dims.push_back({t.getDimSize(j)});
    ++j;
  }
  FailureOr<Value> r = reshapeTo(x, dims);
  return setResult(n, r);
}

LogicalResult Importer::importSqueeze(const onnx::NodeProto &n) {
  std::optional<SmallVector<int64_t>> axes;
  if (opset < 13) {
    axes = attrInts(n, "axes");
  } else if (hasInput(n, 1)) {
    FailureOr<SmallVector<int64_t>> a = hostInts(n, 1, "Squeeze's axes");
    if (failed(a))
      return failure();
    axes = *a;
  }
  const HostTensor *h = host(n, 0);
  SmallVector<int64_t> inShape;
  Value x;
  if (h) {
    inShape = h->shape;
  } else {
    FailureOr<Value> v = input(n, 0);
    if (failed(v))
      return failure();
    x = *v;
    inShape.assign(typeOf(x).getShape().begin(), typeOf(x).getShape().end());
  }
  int64_t rank = inShape.size();
  SmallVector<int64_t> drop;
  if (axes) {
    drop = *axes;
    if (failed(normalizeAxes(drop, rank)))
      return failure();
    for (int64_t a : drop)
      if (inShape[a] != 1 && !ShapedType::isDynamic(inShape[a]))
        return error("Squeeze of axis " + Twine(a) + ", which has size " +
                     Twine(inShape[a]) + ", not 1");
  } else {
    for (int64_t i = 0; i < rank; ++i) {
      if (ShapedType::isDynamic(inShape[i]))
        return error("Squeeze without axes on a tensor with run-time dims");
      if (inShape[i] == 1)
        drop.push_back(i);
    }
  }
  if (h) {
    HostTensor r = *h;
    r.shape.clear();
    for (int64_t i = 0; i < rank; ++i)
      if (!llvm::is_contained(drop, i))
        r.shape.push_back(inShape[i]);
    setHost(n, 0, std::move(r));
    return success();
  }
  SmallVector<SymInt> dims;
  for (int64_t i = 0; i < rank; ++i) {
    if (llvm::is_contained(drop, i))
      continue;
    if (ShapedType::isDynamic(inShape[i]))
      dims.push_back({0, x, static_cast<unsigned>(i)});
    else
      dims.push_back({inShape[i]});
  }
  FailureOr<Value> r = reshapeTo(x, dims);
  return setResult(n, r);
}

FailureOr<Value> Importer::splatTo(Value element, ArrayRef<SymInt> dims) {
  RankedTensorType et = typeOf(element);
  if (et.getNumElements() != 1) {
    error("the fill value must have one element, got " +
          Twine(et.getNumElements()));
    return failure();
  }
  SmallVector<Value> zeros(et.getRank(),
                           arith::ConstantIndexOp::create(b, loc, 0));
  Value scalarValue = tensor::ExtractOp::create(b, loc, element, zeros);
  SmallVector<int64_t> shape;
  SmallVector<Value> dynamic;
  for (const SymInt &d : dims) {
    if (d.isStatic()) {
      if (d.value < 0) {
        error("a shape computed at run time has the entry " + Twine(d.value) +
              "; sizes must not be negative");
        return failure();
      }
      shape.push_back(d.value);
      continue;
    }
    shape.push_back(ShapedType::kDynamic);
    dynamic.push_back(indexValue(d));
    if (d.fromData) {
      // Read from a tensor: 0 is an empty dim, a negative size is
      // malformed.
      Value nonNegative = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::sge, dynamic.back(),
          arith::ConstantIndexOp::create(b, loc, 0));
      cf::AssertOp::create(b, loc, nonNegative,
                           "a shape read at run time has a negative entry");
    }
  }
  return tensor::SplatOp::create(
             b, loc, RankedTensorType::get(shape, et.getElementType()),
             scalarValue, dynamic)
      .getResult();
}

LogicalResult Importer::importConstantOfShape(const onnx::NodeProto &n) {
  const HostTensor *spec = shapeInput(n, 0, "ConstantOfShape's shape");
  if (!spec)
    return failure();
  bool runTimeShape = spec && !spec->isFloatType() && !spec->allStatic();
  FailureOr<SmallVector<int64_t>> shapeVals =
      runTimeShape ? SmallVector<int64_t>()
                   : hostInts(n, 0, "ConstantOfShape's shape");
  if (failed(shapeVals))
    return failure();
  RawTensor value;
  value.elemType = onnx::TensorProto::FLOAT;
  value.bytes.assign(4, 0);
  if (const auto *a = attr(n, "value")) {
    FailureOr<RawTensor> t = readTensor(a->t());
    if (failed(t))
      return failure();
    value = std::move(*t);
  }
  if (runTimeShape) {
    // A fill of a shape known at run time.
    FailureOr<Value> element = materialize(value, n.output(0));
    if (failed(element))
      return failure();
    return setResult(n, splatTo(*element, spec->ints));
  }
  RawTensor raw;
  raw.elemType = value.elemType;
  raw.shape = *shapeVals;
  int64_t count = 1;
  for (int64_t d : raw.shape) {
    if (d <= 0)
      return error("ConstantOfShape gives an empty tensor, which Kiln does "
                   "not support");
    count *= d;
  }
  if (count <= kHostElementLimit) {
    for (int64_t i = 0; i < count; ++i)
      raw.bytes += value.bytes;
    setHost(n, 0, *toHost(raw));
    return success();
  }
  FailureOr<Value> s = materialize(value, n.output(0));
  if (failed(s))
    return failure();
  FailureOr<Value> r =
      make<BroadcastToOp>(*s, b.getDenseI64ArrayAttr(raw.shape));
  return setResult(n, r);
}

LogicalResult Importer::importExpand(const onnx::NodeProto &n) {
  const HostTensor *spec = shapeInput(n, 1, "Expand's shape");
  if (!spec)
    return failure();
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  if (llvm::any_of(spec->ints, [](const SymInt &d) { return d.fromData; }))
    return setResult(n, expandAtRunTime(*x, spec->ints));
  SmallVector<int64_t> shape;
  int64_t lead = static_cast<int64_t>(spec->ints.size()) - t.getRank();
  for (auto [i, d] : llvm::enumerate(spec->ints)) {
    if (d.isStatic()) {
      shape.push_back(d.value);
      continue;
    }
    int64_t j = static_cast<int64_t>(i) - lead;
    if (isDimOf(d, *x, j)) {
      shape.push_back(1); // keeps the input's own dim
      continue;
    }
    // A size known only at run time.
    return setResult(n, expandAtRunTime(*x, spec->ints));
  }
  FailureOr<Value> r = make<BroadcastToOp>(*x, b.getDenseI64ArrayAttr(shape));
  return setResult(n, r);
}

FailureOr<Value> Importer::expandAtRunTime(Value x, ArrayRef<SymInt> dims) {
  // numpy broadcasting of x against `dims`, some known only at run time: an
  // entry of 1 keeps x's dim, any other is the size.
  RankedTensorType t = typeOf(x);
  int64_t rank = static_cast<int64_t>(dims.size());
  int64_t lead = rank - t.getRank();
  if (lead < 0) {
    error("Expand's shape has " + Twine(dims.size()) +
          " entries, fewer than the input's rank " + Twine(t.getRank()));
    return failure();
  }
  SmallVector<SymInt> sizes;
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  bool xDimsStatic = true;
  for (auto [i, d] : llvm::enumerate(dims)) {
    int64_t j = static_cast<int64_t>(i) - lead;
    if (j < 0 || d.isStatic()) {
      sizes.push_back(d);
      continue;
    }
    xDimsStatic &= !t.isDynamicDim(j);
    Value e = indexValue(d);
    Value isOne =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, e, one);
    Value dim = b.createOrFold<tensor::DimOp>(loc, x, j);
    sizes.push_back(SymInt::computed(
        arith::SelectOp::create(b, loc, isOne, dim, e), d.fromData));
  }
  Type elem = t.getElementType();
  if (xDimsStatic) {
    // x's dims there are static (1 broadcasts, others must match): x times
    // a fill of ones (x or false for booleans), which kiln's elementwise
    // ops broadcast exactly.
    bool isBool = elem.isInteger(1);
    FailureOr<Value> fill = splatTo(scalar(isBool ? 0 : 1, elem), sizes);
    if (failed(fill))
      return failure();
    return isBool ? make<SelectOp>(x, x, *fill) : make<MulOp>(x, *fill);
  }
  // A dynamic dim of x may be 1 at run time: each element reads x at index
  // 0 along such dims, checked to be 1 or the target size.
  SmallVector<int64_t> shape;
  SmallVector<Value> dynamic, outSizes;
  for (const SymInt &d : sizes) {
    outSizes.push_back(indexValue(d));
    shape.push_back(d.isStatic() ? d.value : ShapedType::kDynamic);
    if (!d.isStatic())
      dynamic.push_back(outSizes.back());
  }
  SmallVector<Value> xDims, broadcast;
  for (int64_t j = 0; j < t.getRank(); ++j) {
    Value dim = b.createOrFold<tensor::DimOp>(loc, x, j);
    Value isOne = b.createOrFold<arith::CmpIOp>(loc, arith::CmpIPredicate::eq,
                                                dim, one);
    Value fits = b.createOrFold<arith::OrIOp>(
        loc, isOne,
        b.createOrFold<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, dim,
                                      outSizes[j + lead]));
    cf::AssertOp::create(b, loc, fits,
                         "Expand: dim " + std::to_string(j) +
                             " of the input is neither 1 nor the target size");
    broadcast.push_back(isOne);
  }
  auto gen = tensor::GenerateOp::create(
      b, loc, RankedTensorType::get(shape, elem), dynamic);
  {
    OpBuilder::InsertionGuard guard(b);
    SmallVector<Type> indexTypes(rank, b.getIndexType());
    SmallVector<Location> locs(rank, loc);
    Block *body = b.createBlock(&gen.getBody(), {}, indexTypes, locs);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    SmallVector<Value> at;
    for (int64_t j = 0; j < t.getRank(); ++j)
      at.push_back(arith::SelectOp::create(b, loc, broadcast[j], zero,
                                           body->getArgument(j + lead)));
    tensor::YieldOp::create(b, loc, tensor::ExtractOp::create(b, loc, x, at));
  }
  return gen.getResult();
}

/// The [M, N] mask of (i, j) with j - i >= k (`upper`) or j - i <= k.
static SmallVector<bool> triangle(int64_t m, int64_t n, int64_t k, bool upper,
                                  bool diagonalOnly = false) {
  SmallVector<bool> mask;
  mask.reserve(m * n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      mask.push_back(diagonalOnly ? j - i == k
                                  : (upper ? j - i >= k : j - i <= k));
  return mask;
}

/// Trilu: select(mask, x, 0) with a constant mask over the last two dims,
/// which must be static; `k` must be known at compile time.
LogicalResult Importer::importTrilu(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  int64_t k = 0;
  if (hasInput(n, 1)) {
    FailureOr<SmallVector<int64_t>> ks = hostInts(n, 1, "Trilu's k");
    if (failed(ks))
      return failure();
    if (ks->size() != 1)
      return error("Trilu's k must be a scalar");
    k = (*ks)[0];
  }
  RankedTensorType type = typeOf(*x);
  int64_t rank = type.getRank();
  if (rank < 2)
    return error("Trilu needs an input of rank 2 or more, got rank " +
                 Twine(rank));
  int64_t m = type.getDimSize(rank - 2), cols = type.getDimSize(rank - 1);
  if (ShapedType::isDynamic(m) || ShapedType::isDynamic(cols))
    return error("Trilu needs its last two dims static");
  SmallVector<bool> mask =
      triangle(m, cols, k, attrInt(n, "upper", 1) != 0);
  auto maskType = RankedTensorType::get({m, cols}, b.getI1Type());
  Value maskValue = ConstantOp::create(
      b, loc, maskType, DenseElementsAttr::get(maskType, ArrayRef<bool>(mask)));
  FailureOr<Value> r = make<SelectOp>(maskValue, *x,
                                      scalar(0, type.getElementType()));
  return setResult(n, r);
}

/// EyeLike: a constant with ones on diagonal `k` and the input's static
/// 2-D shape.
LogicalResult Importer::importEyeLike(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  RankedTensorType type = typeOf(*x);
  if (type.getRank() != 2 || !type.hasStaticShape())
    return error("EyeLike needs a 2-D input of static shape");
  Type elem = type.getElementType();
  if (const onnx::AttributeProto *dtype = attr(n, "dtype")) {
    FailureOr<Type> t = elementType(static_cast<int>(dtype->i()),
                                    "EyeLike's dtype");
    if (failed(t))
      return failure();
    elem = *t;
  }
  int64_t m = type.getDimSize(0), cols = type.getDimSize(1);
  SmallVector<bool> ones =
      triangle(m, cols, attrInt(n, "k", 0), true, /*diagonalOnly=*/true);
  auto outType = RankedTensorType::get({m, cols}, elem);
  SmallVector<Attribute> values;
  values.reserve(ones.size());
  for (bool one : ones)
    values.push_back(isa<FloatType>(elem)
                         ? Attribute(FloatAttr::get(elem, one ? 1.0 : 0.0))
                         : Attribute(IntegerAttr::get(elem, one ? 1 : 0)));
  setOutput(n, 0,
            ConstantOp::create(b, loc, outType,
                               DenseElementsAttr::get(outType, values))
                .getResult());
  return success();
}

/// Tile: the input reshaped to [1, d0, 1, d1, ...], broadcast to
/// [r0, d0, r1, d1, ...] and merged to [r0 * d0, r1 * d1, ...]. A dynamic
/// dim may only be repeated once.
LogicalResult Importer::importTile(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  FailureOr<SmallVector<int64_t>> repeats = hostInts(n, 1, "Tile's repeats");
  if (failed(repeats))
    return failure();
  RankedTensorType type = typeOf(*x);
  int64_t rank = type.getRank();
  if (static_cast<int64_t>(repeats->size()) != rank)
    return error("Tile has " + Twine(repeats->size()) +
                 " repeats for an input of rank " + Twine(rank));
  SmallVector<SymInt> split, merged;
  SmallVector<int64_t> broadcast;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t r = (*repeats)[d];
    if (r < 0)
      return error("Tile's repeats must not be negative, got " + Twine(r));
    int64_t size = type.getDimSize(d);
    SymInt dim = dimOf(*x, d);
    if (ShapedType::isDynamic(size) && r != 1)
      return error("Tile repeats dim " + Twine(d) + ", which is dynamic, " +
                   Twine(r) + " times; Kiln needs that dim static");
    split.append({SymInt(1), dim});
    broadcast.append({r, 1});
    merged.push_back(ShapedType::isDynamic(size) ? dim : SymInt(r * size));
  }
  FailureOr<Value> v = reshapeTo(*x, split);
  if (succeeded(v))
    v = make<BroadcastToOp>(*v, b.getDenseI64ArrayAttr(broadcast));
  if (succeeded(v))
    v = reshapeTo(*v, merged);
  return setResult(n, v);
}

/// OneHot: select(iota == indices (negative ones counted from depth), on,
/// off), the iota along the new `axis`; depth and values are constants.
LogicalResult Importer::importOneHot(const onnx::NodeProto &n) {
  FailureOr<Value> indices = input(n, 0);
  FailureOr<SmallVector<double>> depths = hostFloats(n, 1, "OneHot's depth");
  FailureOr<SmallVector<double>> values = hostFloats(n, 2, "OneHot's values");
  FailureOr<Value> valuesTensor = input(n, 2);
  if (failed(indices) || failed(depths) || failed(values) ||
      failed(valuesTensor))
    return failure();
  if (depths->size() != 1 || values->size() != 2)
    return error("OneHot needs a scalar depth and two values (off, on)");
  int64_t depth = static_cast<int64_t>((*depths)[0]);
  if (depth < 1)
    return error("OneHot's depth must be positive, got " + Twine(depth));
  RankedTensorType type = typeOf(*indices);
  int64_t rank = type.getRank();
  int64_t axis = attrInt(n, "axis", -1);
  if (axis < -rank - 1 || axis > rank)
    return error("OneHot's axis " + Twine(axis) +
                 " is out of range for indices of rank " + Twine(rank));
  if (axis < 0)
    axis += rank + 1;
  Type i64 = b.getI64Type();
  FailureOr<Value> idx = castTo(*indices, i64);
  if (failed(idx))
    return failure();
  FailureOr<Value> negative =
      compare(ComparePredicate::LT, *idx, scalar(0, i64));
  FailureOr<Value> wrapped = make<AddOp>(*idx, scalar(depth, i64));
  if (failed(negative) || failed(wrapped))
    return failure();
  idx = make<SelectOp>(*negative, *wrapped, *idx);
  if (failed(idx))
    return failure();
  // Indices get a unit dim at `axis`, the iota its only non-unit one.
  SmallVector<SymInt> expanded;
  for (int64_t d = 0, j = 0; d <= rank; ++d) {
    if (d == axis) {
      expanded.push_back(SymInt(1));
      continue;
    }
    expanded.push_back(dimOf(*idx, j));
    ++j;
  }
  idx = reshapeTo(*idx, expanded);
  if (failed(idx))
    return failure();
  FailureOr<Value> hit =
      compare(ComparePredicate::EQ, iotaAlong(depth, rank + 1, axis), *idx);
  if (failed(hit))
    return failure();
  Type elem = typeOf(*valuesTensor).getElementType();
  FailureOr<Value> r = make<SelectOp>(*hit, scalar((*values)[1], elem),
                                      scalar((*values)[0], elem));
  return setResult(n, r);
}

/// GatherElements as one kiln.gather from the flattened data: each
/// element's flat offset is its index along `axis` times that dim's stride
/// plus its own coordinates (iotas) times the others. The index along
/// `axis` first goes through a gather from [0, n) itself, which wraps
/// negative indices and makes an out-of-range one a run-time error, as
/// kiln.gather checks (not a silently wrong element of another row).
LogicalResult Importer::importGatherElements(const onnx::NodeProto &n) {
  FailureOr<Value> data = input(n, 0), indices = input(n, 1);
  if (failed(data) || failed(indices))
    return failure();
  RankedTensorType dt = typeOf(*data), it = typeOf(*indices);
  int64_t rank = dt.getRank();
  if (it.getRank() != rank || rank == 0)
    return error("GatherElements needs data and indices of one rank (1 or "
                 "more), got " + Twine(rank) + " and " + Twine(it.getRank()));
  if (!dt.hasStaticShape() || !it.hasStaticShape())
    return error("GatherElements needs data and indices of static shapes");
  int64_t axis = attrInt(n, "axis", 0);
  if (axis < -rank || axis >= rank)
    return error("GatherElements's axis " + Twine(axis) +
                 " is out of range for rank " + Twine(rank));
  if (axis < 0)
    axis += rank;
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis && it.getDimSize(d) > dt.getDimSize(d))
      return error("GatherElements's indices have " +
                   Twine(it.getDimSize(d)) + " elements along dim " +
                   Twine(d) + ", more than the data's " +
                   Twine(dt.getDimSize(d)));
  Type i64 = b.getI64Type();
  FailureOr<Value> idx = checkedIndices(*indices, dt.getDimSize(axis));
  if (failed(idx))
    return failure();
  SmallVector<int64_t> strides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * dt.getDimSize(d + 1);
  FailureOr<Value> flat = make<MulOp>(*idx, scalar(strides[axis], i64));
  for (int64_t d = 0; d < rank && succeeded(flat); ++d) {
    if (d == axis || it.getDimSize(d) == 1)
      continue;
    SmallVector<int64_t> shape(rank, 1);
    shape[d] = it.getDimSize(d);
    SmallVector<int64_t> offsets(shape[d]);
    for (int64_t i = 0; i < shape[d]; ++i)
      offsets[i] = i * strides[d];
    flat = make<AddOp>(*flat, constant(RankedTensorType::get(shape, i64),
                                       ArrayRef<int64_t>(offsets)));
  }
  FailureOr<Value> flatData = reshape(*data, {-1});
  if (failed(flat) || failed(flatData))
    return failure();
  return setResult(n,
                   make<GatherOp>(*flatData, *flat, b.getI64IntegerAttr(0)));
}

/// ScatterElements along `axis` through a one-hot over that dim: with the
/// indices (wrapped and range-checked by a gather from [0, n)) compared with
/// an iota in a new dim after `axis`, the updates each position receives
/// are reduced over the indices' extent along `axis` and combined with the
/// data as `reduction` says. Static shapes; the indices and updates must
/// match the data except along `axis`. Its cost is that extent times the
/// data's size.
LogicalResult Importer::importScatterElements(const onnx::NodeProto &n) {
  FailureOr<Value> data = input(n, 0), indices = input(n, 1),
                   updates = input(n, 2);
  if (failed(data) || failed(indices) || failed(updates))
    return failure();
  RankedTensorType dt = typeOf(*data), it = typeOf(*indices);
  int64_t rank = dt.getRank();
  if (rank == 0 || it.getRank() != rank || typeOf(*updates).getShape() != it.getShape())
    return error("ScatterElements needs data, indices and updates of one "
                 "rank (1 or more), the updates shaped as the indices");
  if (!dt.hasStaticShape() || !it.hasStaticShape())
    return error("ScatterElements needs data and indices of static shapes");
  int64_t axis = attrInt(n, "axis", 0);
  if (axis < -rank || axis >= rank)
    return error("ScatterElements's axis " + Twine(axis) +
                 " is out of range for rank " + Twine(rank));
  if (axis < 0)
    axis += rank;
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis && it.getDimSize(d) != dt.getDimSize(d))
      return error("ScatterElements's indices must match the data's dims "
                   "except along the axis; dim " + Twine(d) + " has " +
                   Twine(it.getDimSize(d)) + " and " +
                   Twine(dt.getDimSize(d)));
  // (max and min came with opset 18, which Debian's onnx does not know.)
  std::string reduction = attrString(n, "reduction", "none");
  if (reduction != "none" && reduction != "add" && reduction != "mul")
    return error("ScatterElements's reduction '" + reduction +
                 "' is not none, add or mul");
  Type i64 = b.getI64Type();
  Type elem = dt.getElementType();
  int64_t size = dt.getDimSize(axis);
  FailureOr<Value> idx = checkedIndices(*indices, size);
  if (failed(idx))
    return failure();
  // [.., k, ..] -> [.., k, 1, ..] against an iota [1.., 1, n, ..].
  SmallVector<int64_t> expanded(it.getShape());
  expanded.insert(expanded.begin() + axis + 1, 1);
  FailureOr<Value> column = reshape(*idx, expanded);
  FailureOr<Value> values = reshape(*updates, expanded);
  if (failed(column) || failed(values))
    return failure();
  FailureOr<Value> hit = compare(ComparePredicate::EQ, *column,
                                 iotaAlong(size, rank + 1, axis + 1));
  if (failed(hit))
    return failure();
  auto over = b.getDenseI64ArrayAttr({axis});
  auto keep = b.getBoolAttr(false);
  auto reduceWith = [&](double identity,
                        auto reduceOp) -> FailureOr<Value> {
    FailureOr<Value> chosen =
        make<SelectOp>(*hit, *values, scalar(identity, elem));
    if (failed(chosen))
      return failure();
    return make<decltype(reduceOp)>(*chosen, over, keep);
  };
  // Whether any update lands on each position.
  FailureOr<Value> count = make<SelectOp>(*hit, scalar(1, i64), scalar(0, i64));
  if (succeeded(count))
    count = make<ReduceSumOp>(*count, over, keep);
  if (failed(count))
    return failure();
  FailureOr<Value> landed = compare(ComparePredicate::GT, *count, scalar(0, i64));
  if (failed(landed))
    return failure();
  FailureOr<Value> r = failure();
  if (reduction == "mul") {
    FailureOr<Value> prod = reduceWith(1, ReduceProdOp());
    if (succeeded(prod))
      r = make<MulOp>(*data, *prod);
  } else {
    FailureOr<Value> sum = reduceWith(0, ReduceSumOp());
    if (failed(sum))
      return failure();
    r = reduction == "add" ? make<AddOp>(*data, *sum)
                           : make<SelectOp>(*landed, *sum, *data);
  }
  return setResult(n, r);
}

FailureOr<Value> Importer::flatOffsets(Value indices, RankedTensorType dt,
                                       int64_t batch) {
  RankedTensorType it = typeOf(indices);
  int64_t q = it.getRank(), k = it.getDimSize(q - 1), lead = batch + k;
  SmallVector<int64_t> strides(lead, 1);
  for (int64_t d = lead - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * dt.getDimSize(d + 1);
  Type i64 = b.getI64Type();
  ArrayRef<int64_t> pos = it.getShape().drop_back(); // positions
  FailureOr<Value> flat = Value();
  auto accumulate = [&](Value term) { flat = addTo(*flat, term); };
  for (int64_t j = 0; j < k && succeeded(flat); ++j) {
    SmallVector<int64_t> starts(q, 0), ends(pos), steps(q, 1);
    starts[q - 1] = j;
    ends.push_back(j + 1);
    FailureOr<Value> column = make<SliceOp>(
        indices, b.getDenseI64ArrayAttr(starts), b.getDenseI64ArrayAttr(ends),
        b.getDenseI64ArrayAttr(steps));
    if (succeeded(column))
      column = reshape(*column, pos);
    if (succeeded(column))
      column = checkedIndices(*column, dt.getDimSize(batch + j));
    if (succeeded(column))
      column = make<MulOp>(*column, scalar(strides[batch + j], i64));
    if (failed(column))
      return failure();
    accumulate(*column);
  }
  for (int64_t j = 0; j < batch && succeeded(flat); ++j) {
    FailureOr<Value> coord =
        make<MulOp>(iotaAlong(pos[j], pos.size(), j), scalar(strides[j], i64));
    if (failed(coord))
      return failure();
    accumulate(*coord);
  }
  return flat;
}

/// ScatterND through a one-hot over the data's first k dims flattened (F
/// positions): the P index tuples become flat offsets (checked), the
/// updates [P, R] are selected where they land ([P, F, R]; a selection, not
/// a product, so an Inf or NaN update stays where it lands) and reduced
/// over P (sum, or product for mul), and `reduction` combines that with the
/// data [F, R]. Static shapes.
LogicalResult Importer::importScatterND(const onnx::NodeProto &n) {
  FailureOr<Value> data = input(n, 0), indices = input(n, 1),
                   updates = input(n, 2);
  if (failed(data) || failed(indices) || failed(updates))
    return failure();
  RankedTensorType dt = typeOf(*data), it = typeOf(*indices),
                   ut = typeOf(*updates);
  if (!dt.hasStaticShape() || !it.hasStaticShape() || !ut.hasStaticShape() ||
      it.getRank() < 1)
    return error("ScatterND needs data, indices and updates of static shapes");
  int64_t q = it.getRank(), k = it.getDimSize(q - 1), rank = dt.getRank();
  if (k < 1 || k > rank)
    return error("ScatterND's index tuples have " + Twine(k) +
                 " entries for data of rank " + Twine(rank));
  SmallVector<int64_t> expected(it.getShape().drop_back());
  llvm::append_range(expected, dt.getShape().drop_front(k));
  if (ut.getShape() != ArrayRef<int64_t>(expected))
    return error("ScatterND's updates must have shape indices.shape[:-1] + "
                 "data.shape[k:]");
  std::string reduction = attrString(n, "reduction", "none");
  if (reduction != "none" && reduction != "add" && reduction != "mul")
    return error("ScatterND's reduction '" + reduction +
                 "' is not none, add or mul");
  int64_t f = 1, r = 1, p = 1;
  for (int64_t d = 0; d < k; ++d)
    f *= dt.getDimSize(d);
  for (int64_t d = k; d < rank; ++d)
    r *= dt.getDimSize(d);
  for (int64_t d = 0; d < q - 1; ++d)
    p *= it.getDimSize(d);
  Type elem = dt.getElementType();
  FailureOr<Value> flat = flatOffsets(*indices, dt, 0);
  if (succeeded(flat))
    flat = reshape(*flat, {p, 1});
  FailureOr<Value> hit =
      failed(flat) ? failedValue()
                   : compare(ComparePredicate::EQ, *flat, iotaAlong(f, 2, 1));
  FailureOr<Value> data2d = reshape(*data, {f, r});
  FailureOr<Value> upd2d = reshape(*updates, {p, r});
  if (failed(hit) || failed(data2d) || failed(upd2d))
    return failure();
  bool isMul = reduction == "mul";
  FailureOr<Value> hit3 = reshape(*hit, {p, f, 1});
  FailureOr<Value> upd3 = reshape(*upd2d, {p, 1, r});
  FailureOr<Value> chosen =
      failed(hit3) || failed(upd3)
          ? failedValue()
          : make<SelectOp>(*hit3, *upd3, scalar(isMul ? 1 : 0, elem));
  auto overP = b.getDenseI64ArrayAttr({0});
  FailureOr<Value> landing =
      failed(chosen) ? failedValue()
      : isMul ? make<ReduceProdOp>(*chosen, overP, b.getBoolAttr(false))
              : make<ReduceSumOp>(*chosen, overP, b.getBoolAttr(false));
  if (failed(landing))
    return failure();
  FailureOr<Value> result = failure();
  if (isMul) {
    result = make<MulOp>(*data2d, *landing);
  } else if (reduction == "add") {
    result = make<AddOp>(*data2d, *landing);
  } else {
    // Whether any tuple lands on each position.
    FailureOr<Value> count =
        make<SelectOp>(*hit, scalar(1, b.getI64Type()), scalar(0, b.getI64Type()));
    if (succeeded(count))
      count = make<ReduceSumOp>(*count, overP, b.getBoolAttr(false));
    if (succeeded(count))
      count = reshape(*count, {f, 1});
    FailureOr<Value> landed =
        failed(count) ? failedValue()
                      : compare(ComparePredicate::GT, *count,
                                scalar(0, b.getI64Type()));
    if (failed(landed))
      return failure();
    result = make<SelectOp>(*landed, *landing, *data2d);
  }
  if (failed(result))
    return failure();
  return setResult(n, reshape(*result, dt.getShape()));
}

/// GatherND as one gather from the data with its first batch_dims + k dims
/// flattened: each index tuple's flat offset is its batch coordinates
/// (iotas) and its k indices (wrapped and range-checked, checkedIndices)
/// times those dims' strides. Static shapes.
LogicalResult Importer::importGatherND(const onnx::NodeProto &n) {
  FailureOr<Value> data = input(n, 0), indices = input(n, 1);
  if (failed(data) || failed(indices))
    return failure();
  RankedTensorType dt = typeOf(*data), it = typeOf(*indices);
  if (!dt.hasStaticShape() || !it.hasStaticShape() || it.getRank() < 1)
    return error("GatherND needs data and indices of static shapes");
  int64_t batch = attrInt(n, "batch_dims", 0);
  int64_t q = it.getRank(), k = it.getDimSize(q - 1);
  if (batch < 0 || batch >= q || batch + k > dt.getRank() || k < 1)
    return error("GatherND's index tuples of " + Twine(k) + " after " +
                 Twine(batch) + " batch dims do not fit data of rank " +
                 Twine(dt.getRank()));
  int64_t lead = batch + k;
  for (int64_t j = 0; j < batch; ++j)
    if (it.getDimSize(j) != dt.getDimSize(j))
      return error("GatherND's batch dim " + Twine(j) + " differs: " +
                   Twine(it.getDimSize(j)) + " and " +
                   Twine(dt.getDimSize(j)));
  FailureOr<Value> flat = flatOffsets(*indices, dt, batch);
  SmallVector<int64_t> flatShape = {-1};
  llvm::append_range(flatShape, dt.getShape().drop_front(lead));
  FailureOr<Value> flatData = reshape(*data, flatShape);
  if (failed(flat) || failed(flatData))
    return failure();
  return setResult(n,
                   make<GatherOp>(*flatData, *flat, b.getI64IntegerAttr(0)));
}

Value Importer::runTimeScalar(const onnx::NodeProto &n, int i, Type elem) {
  if (const HostTensor *h = host(n, i)) {
    if (h->isFloatType())
      return arith::ConstantOp::create(b, loc, FloatAttr::get(elem, h->floats[0]));
    if (h->ints[0].isStatic())
      return arith::ConstantOp::create(
          b, loc, IntegerAttr::get(elem, h->ints[0].value));
    return arith::IndexCastOp::create(b, loc, elem, indexValue(h->ints[0]));
  }
  FailureOr<Value> v = input(n, i);
  SmallVector<Value> zeros(typeOf(*v).getRank(),
                           arith::ConstantIndexOp::create(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, *v, zeros);
}

/// Range whose start, limit or delta is only known at run time (a length
/// from Shape, or a graph input): count = max(ceil((limit - start) /
/// delta), 0), and element i = start + i * delta, by tensor.generate. A
/// count of 0 or a delta of 0 is a run-time error.
LogicalResult Importer::rangeAtRunTime(const onnx::NodeProto &n) {
  Type elem;
  for (int i = 0; i < 3 && !elem; ++i)
    if (const HostTensor *h = host(n, i)) {
      FailureOr<Type> t = elementType(h->elemType, "Range's input");
      if (failed(t))
        return failure();
      elem = *t;
    } else {
      FailureOr<Value> v = input(n, i);
      if (failed(v))
        return failure();
      elem = typeOf(*v).getElementType();
    }
  for (int i = 0; i < 3; ++i) {
    int64_t count = 1;
    if (const HostTensor *h = host(n, i))
      count = h->size();
    else if (succeeded(input(n, i)))
      count = typeOf(*input(n, i)).getNumElements();
    if (count != 1)
      return error("Range's inputs must be scalars");
  }
  bool isFloat = isa<FloatType>(elem);
  if (!isFloat && !isa<IntegerType>(elem))
    return error("Range needs float or integer inputs");
  Value start = runTimeScalar(n, 0, elem), limit = runTimeScalar(n, 1, elem),
        delta = runTimeScalar(n, 2, elem);
  // A delta of 0 is an error; the count, ceil((limit - start) / delta), is
  // clamped at 0 (an empty range, as numpy.arange gives).
  Value index, nonZeroDelta;
  if (isFloat) {
    Value zeroF = arith::ConstantOp::create(b, loc, FloatAttr::get(elem, 0));
    nonZeroDelta = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ONE,
                                         delta, zeroF);
    Value safe = arith::SelectOp::create(
        b, loc, nonZeroDelta, delta,
        arith::ConstantOp::create(b, loc, FloatAttr::get(elem, 1)));
    Value span = arith::SubFOp::create(b, loc, limit, start);
    Value steps = math::CeilOp::create(
        b, loc, arith::DivFOp::create(b, loc, span, safe));
    steps = arith::MaximumFOp::create(b, loc, steps, zeroF);
    Value asInt = arith::FPToSIOp::create(b, loc, b.getI64Type(), steps);
    index = arith::IndexCastOp::create(b, loc, b.getIndexType(), asInt);
  } else {
    Value zeroI = arith::ConstantOp::create(b, loc, IntegerAttr::get(elem, 0));
    nonZeroDelta = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                         delta, zeroI);
    Value safe = arith::SelectOp::create(
        b, loc, nonZeroDelta, delta,
        arith::ConstantOp::create(b, loc, IntegerAttr::get(elem, 1)));
    Value span = arith::SubIOp::create(b, loc, limit, start);
    Value steps = arith::MaxSIOp::create(
        b, loc, arith::CeilDivSIOp::create(b, loc, span, safe), zeroI);
    index = arith::IndexCastOp::create(b, loc, b.getIndexType(), steps);
  }
  cf::AssertOp::create(b, loc, nonZeroDelta, "Range's delta is 0");
  auto type = RankedTensorType::get({ShapedType::kDynamic}, elem);
  auto gen = tensor::GenerateOp::create(b, loc, type, ValueRange{index});
  {
    OpBuilder::InsertionGuard guard(b);
    Block *body = b.createBlock(&gen.getBody(), {}, {b.getIndexType()}, {loc});
    Value i = body->getArgument(0);
    Value v;
    if (isFloat) {
      Value fi = arith::SIToFPOp::create(
          b, loc, elem, arith::IndexCastOp::create(b, loc, b.getI64Type(), i));
      v = arith::AddFOp::create(b, loc, start,
                                arith::MulFOp::create(b, loc, fi, delta));
    } else {
      Value ii = arith::IndexCastOp::create(b, loc, elem, i);
      v = arith::AddIOp::create(b, loc, start,
                                arith::MulIOp::create(b, loc, ii, delta));
    }
    tensor::YieldOp::create(b, loc, v);
  }
  setOutput(n, 0, gen.getResult());
  return success();
}

LogicalResult Importer::importRange(const onnx::NodeProto &n) {
  auto known = [&](int i) {
    const HostTensor *h = host(n, i);
    return h && h->allStatic();
  };
  if (!known(0) || !known(1) || !known(2))
    return rangeAtRunTime(n);
  FailureOr<SmallVector<double>> start = hostFloats(n, 0, "Range's start"),
                                 limit = hostFloats(n, 1, "Range's limit"),
                                 delta = hostFloats(n, 2, "Range's delta");
  if (failed(start) || failed(limit) || failed(delta))
    return failure();
  if (start->size() != 1 || limit->size() != 1 || delta->size() != 1)
    return error("Range's inputs must be scalars");
  double s = (*start)[0], l = (*limit)[0], d = (*delta)[0];
  if (d == 0)
    return error("Range's delta is 0");
  int64_t count =
      std::max<int64_t>(static_cast<int64_t>(std::ceil((l - s) / d)), 0);
  if (count > kHostElementLimit * 64)
    return error("Range of " + Twine(count) + " elements is too large");
  HostTensor h;
  h.elemType = host(n, 0)->elemType;
  h.shape = {count};
  for (int64_t i = 0; i < count; ++i) {
    double v = s + i * d;
    if (h.isFloatType())
      h.floats.push_back(v);
    else
      h.ints.push_back({static_cast<int64_t>(v)});
  }
  if (count <= kHostElementLimit) {
    setHost(n, 0, std::move(h));
    return success();
  }
  FailureOr<Value> v = constantFromHost(h);
  return setResult(n, v);
}

LogicalResult Importer::importSize(const onnx::NodeProto &n) {
  if (const HostTensor *h = host(n, 0)) {
    HostTensor r;
    r.elemType = onnx::TensorProto::INT64;
    r.ints.push_back(h->size());
    setHost(n, 0, std::move(r));
    return success();
  }
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  HostTensor h;
  h.elemType = onnx::TensorProto::INT64;
  if (t.hasStaticShape()) {
    h.ints.push_back(t.getNumElements());
  } else {
    // The product of the dims, computed at run time.
    Value count = arith::ConstantIndexOp::create(b, loc, 1);
    for (const SymInt &d : dimsOf(*x))
      count = arith::MulIOp::create(b, loc, count, indexValue(d));
    h.ints.push_back(SymInt::computed(count));
  }
  setHost(n, 0, std::move(h));
  return success();
}

/// The source index of each of the `n + low + high` positions of a dim of
/// size `n` padded in `mode` ("edge": the nearest element; "reflect": the
/// mirror image without repeating the edge, as numpy.pad).
static SmallVector<int64_t> padIndices(StringRef mode, int64_t n, int64_t low,
                                       int64_t high) {
  SmallVector<int64_t> idx;
  int64_t period = 2 * (n - 1);
  for (int64_t j = -low; j < n + high; ++j) {
    if (mode == "edge" || n == 1) {
      idx.push_back(std::clamp<int64_t>(j, 0, n - 1));
      continue;
    }
    int64_t m = ((j % period) + period) % period;
    idx.push_back(m < n ? m : period - m);
  }
  return idx;
}

LogicalResult Importer::importPad(const onnx::NodeProto &n) {
  std::string mode = attrString(n, "mode", "constant");
  if (mode != "constant" && mode != "edge" && mode != "reflect")
    return error("Pad mode '" + mode +
                 "' is not supported (constant, edge and reflect are)");
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  int64_t rank = typeOf(*x).getRank();
  FailureOr<SmallVector<int64_t>> pads = hostInts(n, 1, "Pad's pads");
  if (failed(pads))
    return failure();
  if (static_cast<int64_t>(pads->size()) != 2 * rank)
    return error("Pad's pads has " + Twine(pads->size()) +
                 " entries for rank " + Twine(rank));
  double value = 0;
  if (mode == "constant" && hasInput(n, 2)) {
    FailureOr<SmallVector<double>> v = hostFloats(n, 2, "Pad's constant_value");
    if (failed(v))
      return failure();
    value = v->empty() ? 0 : (*v)[0];
  }
  SmallVector<int64_t> low(pads->begin(), pads->begin() + rank),
      high(pads->begin() + rank, pads->end());
  // Negative pads crop first.
  RankedTensorType type = typeOf(*x);
  if (llvm::any_of(*pads, [](int64_t p) { return p < 0; })) {
    SmallVector<int64_t> starts(rank, 0), ends(rank, INT64_MAX),
        steps(rank, 1);
    for (int64_t d = 0; d < rank; ++d) {
      if (low[d] < 0)
        starts[d] = -low[d];
      if (high[d] < 0) {
        if (type.isDynamicDim(d))
          return error("Pad crops dim " + Twine(d) +
                       ", which is dynamic; Kiln needs it static");
        ends[d] = type.getDimSize(d) + high[d];
      }
      if (!type.isDynamicDim(d) && type.getDimSize(d) + std::min<int64_t>(low[d], 0) + std::min<int64_t>(high[d], 0) <= 0)
        return error("Pad crops all of dim " + Twine(d));
      low[d] = std::max<int64_t>(low[d], 0);
      high[d] = std::max<int64_t>(high[d], 0);
    }
    x = make<SliceOp>(*x, b.getDenseI64ArrayAttr(starts),
                      b.getDenseI64ArrayAttr(ends),
                      b.getDenseI64ArrayAttr(steps));
    if (failed(x))
      return failure();
    type = typeOf(*x);
  }
  if (mode == "constant") {
    FailureOr<Value> r = make<PadOp>(*x, b.getDenseI64ArrayAttr(low),
                                     b.getDenseI64ArrayAttr(high),
                                     b.getF64FloatAttr(value));
    return setResult(n, r);
  }
  // Edge and reflect: one gather per padded dim with constant indices.
  Value v = *x;
  for (int64_t d = 0; d < rank; ++d) {
    if (!low[d] && !high[d])
      continue;
    if (type.isDynamicDim(d))
      return error("Pad mode '" + mode + "' pads dim " + Twine(d) +
                   ", which is dynamic; Kiln needs it static");
    SmallVector<int64_t> idx =
        padIndices(mode, type.getDimSize(d), low[d], high[d]);
    Value indices = constant(
        RankedTensorType::get({static_cast<int64_t>(idx.size())},
                              b.getI64Type()),
        ArrayRef<int64_t>(idx));
    FailureOr<Value> g = make<GatherOp>(v, indices, b.getI64IntegerAttr(d));
    if (failed(g))
      return failure();
    v = *g;
  }
  setOutput(n, 0, v);
  return success();
}

//===----------------------------------------------------------------------===//
// Handler table rows
//===----------------------------------------------------------------------===//

void onnx_import::registerTensorHandlers(HandlerTable &table) {
  const HandlerRow rows[] = {
      {"Concat", {&Importer::importConcat, ""}},
      {"Constant", {&Importer::importConstant, "dense tensors"}},
      {"ConstantOfShape", {&Importer::importConstantOfShape, ""}},
      {"Expand", {&Importer::importExpand, ""}},
      {"EyeLike", {&Importer::importEyeLike, "static 2-D shape"}},
      {"Flatten", {&Importer::importFlatten, ""}},
      {"Gather", {&Importer::importGather, ""}},
      {"GatherElements", {&Importer::importGatherElements, "static shapes"}},
      {"GatherND", {&Importer::importGatherND, "static shapes"}},
      {"Identity", {&Importer::importIdentity, "tensors"}},
      {"OneHot", {&Importer::importOneHot, "constant depth and values"}},
      {"Pad",
       {&Importer::importPad,
        "constant, edge and reflect modes; constant pads; edge and reflect "
        "need the padded dims static"}},
      {"Range", {&Importer::importRange, "scalar inputs"}},
      {"Reshape", {&Importer::importReshape, ""}},
      {"ScatterElements", {&Importer::importScatterElements, "static shapes"}},
      {"ScatterND", {&Importer::importScatterND, "static shapes"}},
      {"Shape", {&Importer::importShape, ""}},
      {"Size", {&Importer::importSize, ""}},
      {"Slice", {&Importer::importSlice, "constant starts/ends/axes/steps"}},
      {"Split", {&Importer::importSplit, "constant split"}},
      {"Squeeze", {&Importer::importSqueeze, "constant axes"}},
      {"Tile", {&Importer::importTile, "constant repeats"}},
      {"Transpose", {&Importer::importTranspose, ""}},
      {"Trilu", {&Importer::importTrilu, "static last two dims, constant k"}},
      {"Unsqueeze", {&Importer::importUnsqueeze, "constant axes"}},
  };
  addHandlers(table, rows);
}
