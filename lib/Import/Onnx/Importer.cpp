//===- Importer.cpp - ONNX ModelProto to the kiln dialect -----------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The core of the importer: model loading, onnx's checker and shape
// inference, the graph walk with handler dispatch, host-side tensors and
// frozen inputs. The node handlers live in one file per op family.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include "Kiln/IR/ElementsUtils.h"
#include "Kiln/IR/ShapeUtils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>
#include <onnx/version_converter/convert.h>

#include <functional>
#include <numeric>
#include <mutex>

#include <cassert>
#include <cctype>
#include <cstring>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;
using llvm::StringRef;
using llvm::Twine;

//===----------------------------------------------------------------------===//
// Host-side tensors
//===----------------------------------------------------------------------===//

static unsigned onnxElementBytes(int t) {
  switch (t) {
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
    return 4;
  case onnx::TensorProto::DOUBLE:
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
    return 8;
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
    return 2;
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL:
    return 1;
  default:
    return 0;
  }
}

std::string onnx_import::onnxTypeName(int t) {
  return onnx::TensorProto::DataType_Name(
      static_cast<onnx::TensorProto::DataType>(t));
}

/// C identifier for ABI names ("input.1" -> "input_1").
static std::string sanitize(StringRef name) {
  std::string s;
  for (char c : name)
    s.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0])))
    s = "v_" + s;
  return s;
}

//===----------------------------------------------------------------------===//
// The importer
//===----------------------------------------------------------------------===//

Location Importer::nodeLoc(const onnx::NodeProto &n, int index) {
  std::string name = n.name().empty() ? "#" + std::to_string(index) : n.name();
  return NameLoc::get(b.getStringAttr("node '" + name + "' (" + n.op_type() +
                                      ")"),
                      FileLineColLoc::get(&ctx, sourceName, 0, 0));
}

FailureOr<Type> Importer::elementType(int t, const Twine &what) {
  switch (t) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case onnx::TensorProto::INT64:
    return b.getI64Type();
  case onnx::TensorProto::INT32:
    return b.getI32Type();
  case onnx::TensorProto::INT16:
    return b.getI16Type();
  case onnx::TensorProto::INT8:
    return b.getI8Type();
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  case onnx::TensorProto::UINT8:
    return Type(b.getIntegerType(8, /*isSigned=*/false));
  case onnx::TensorProto::UINT16:
    return Type(b.getIntegerType(16, /*isSigned=*/false));
  case onnx::TensorProto::UINT32:
    return Type(b.getIntegerType(32, /*isSigned=*/false));
  case onnx::TensorProto::UINT64:
    return Type(b.getIntegerType(64, /*isSigned=*/false));
  default:
    error(what + " has element type " + onnxTypeName(t) +
          ", which Kiln does not support (supported: float, double, float16, "
          "bfloat16, int8/16/32/64, uint8/16/32/64, bool)");
    return failure();
  }
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

FailureOr<RawTensor> Importer::readTensor(const onnx::TensorProto &t) {
  RawTensor raw;
  raw.elemType = t.data_type();
  unsigned width = onnxElementBytes(raw.elemType);
  std::string what = "tensor '" + t.name() + "'";
  if (!width) {
    error(what + " has element type " + onnxTypeName(raw.elemType) +
          ", which Kiln does not support");
    return failure();
  }
  // Element and byte counts are checked for overflow: a corrupt model's
  // dims must not wrap into a small size.
  int64_t n = 1;
  bool overflow = false;
  for (int64_t d : t.dims()) {
    if (d < 0) {
      error(what + " has a negative dim " + Twine(d));
      return failure();
    }
    raw.shape.push_back(d);
    overflow |= llvm::MulOverflow(n, d, n);
  }
  int64_t wantBytes;
  overflow |= llvm::MulOverflow(n, static_cast<int64_t>(width), wantBytes);
  if (overflow && !llvm::is_contained(raw.shape, 0)) {
    error(what + " has more elements than fit in 64 bits");
    return failure();
  }
  if (llvm::is_contained(raw.shape, 0))
    n = 0, wantBytes = 0;
  uint64_t want = static_cast<uint64_t>(wantBytes);
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    std::string location;
    int64_t offset = 0, length = -1;
    for (const auto &kv : t.external_data()) {
      if (kv.key() == "location")
        location = kv.value();
      else if (kv.key() == "offset")
        offset = std::atoll(kv.value().c_str());
      else if (kv.key() == "length")
        length = std::atoll(kv.value().c_str());
    }
    if (location.empty() || llvm::sys::path::is_absolute(location) ||
        StringRef(location).contains("..")) {
      error(what + " has external data at '" + location +
            "'; it must be a relative path next to the model");
      return failure();
    }
    SmallString<256> path(llvm::sys::path::parent_path(sourceName));
    llvm::sys::path::append(path, location);
    auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
    if (!file) {
      error(what + ": cannot read external data '" + path +
            "': " + file.getError().message());
      return failure();
    }
    if (length < 0)
      length = static_cast<int64_t>((*file)->getBufferSize()) - offset;
    int64_t end;
    if (offset < 0 || length < 0 || llvm::AddOverflow(offset, length, end) ||
        end > static_cast<int64_t>((*file)->getBufferSize())) {
      error(what + ": external data range is outside '" + path + "'");
      return failure();
    }
    raw.bytes.assign((*file)->getBufferStart() + offset, length);
  } else if (t.has_raw_data()) {
    raw.bytes = t.raw_data();
  } else {
    auto append = [&](const void *p, size_t size) {
      raw.bytes.append(static_cast<const char *>(p), size);
    };
    switch (raw.elemType) {
    case onnx::TensorProto::FLOAT:
      for (float v : t.float_data())
        append(&v, 4);
      break;
    case onnx::TensorProto::DOUBLE:
      for (double v : t.double_data())
        append(&v, 8);
      break;
    case onnx::TensorProto::INT64:
      for (int64_t v : t.int64_data())
        append(&v, 8);
      break;
    case onnx::TensorProto::UINT32:
    case onnx::TensorProto::UINT64:
      for (uint64_t v : t.uint64_data())
        append(&v, width);
      break;
    default: // int32_data holds int32, int16, int8, uint8/16, bool, f16, bf16
      for (int32_t v : t.int32_data())
        append(&v, width);
      break;
    }
  }
  if (raw.bytes.size() != want) {
    error(what + " holds " + Twine(raw.bytes.size()) +
          " bytes of data but its shape and type need " + Twine(want));
    return failure();
  }
  return raw;
}

template <typename T> static T load(const char *p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

std::optional<HostTensor> Importer::toHost(const RawTensor &raw) {
  HostTensor h;
  h.elemType = raw.elemType;
  h.shape = raw.shape;
  int64_t n = h.size();
  if (n > kHostElementLimit)
    return std::nullopt;
  const char *p = raw.bytes.data();
  for (int64_t i = 0; i < n; ++i) {
    switch (raw.elemType) {
    case onnx::TensorProto::FLOAT:
      h.floats.push_back(load<float>(p + 4 * i));
      break;
    case onnx::TensorProto::DOUBLE:
      h.floats.push_back(load<double>(p + 8 * i));
      break;
    case onnx::TensorProto::INT64:
      h.ints.push_back({load<int64_t>(p + 8 * i)});
      break;
    case onnx::TensorProto::INT32:
      h.ints.push_back({load<int32_t>(p + 4 * i)});
      break;
    case onnx::TensorProto::INT16:
      h.ints.push_back({load<int16_t>(p + 2 * i)});
      break;
    case onnx::TensorProto::INT8:
      h.ints.push_back({load<int8_t>(p + i)});
      break;
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::BOOL:
      h.ints.push_back({load<uint8_t>(p + i)});
      break;
    case onnx::TensorProto::UINT16:
      h.ints.push_back({load<uint16_t>(p + 2 * i)});
      break;
    case onnx::TensorProto::UINT32:
      h.ints.push_back({load<uint32_t>(p + 4 * i)});
      break;
    case onnx::TensorProto::UINT64:
      h.ints.push_back({static_cast<int64_t>(load<uint64_t>(p + 8 * i))});
      break;
    default:
      return std::nullopt;
    }
  }
  return h;
}

FailureOr<Value> Importer::materialize(const RawTensor &raw, StringRef name) {
  FailureOr<Type> elem = elementType(raw.elemType, "tensor '" + name + "'");
  if (failed(elem))
    return failure();
  auto type = RankedTensorType::get(raw.shape, *elem);
  ElementsAttr attr;
  int64_t n = type.getNumElements();
  if (raw.elemType == onnx::TensorProto::BOOL) {
    SmallVector<bool> bits;
    for (char c : raw.bytes)
      bits.push_back(c != 0);
    attr = DenseElementsAttr::get(type, ArrayRef<bool>(bits));
  } else if (n > kResourceElementThreshold) {
    std::string blob = sanitize(name.empty() ? "weight" : name);
    attr = DenseResourceElementsAttr::get(
        type, blob,
        HeapAsmResourceBlob::allocateAndCopyWithAlign(
            ArrayRef<char>(raw.bytes.data(), raw.bytes.size()), alignof(double)));
  } else {
    bool detectedSplat = false;
    if (!DenseElementsAttr::isValidRawBuffer(
            type, ArrayRef<char>(raw.bytes.data(), raw.bytes.size()),
            detectedSplat)) {
      error("tensor '" + name + "' has malformed data");
      return failure();
    }
    attr = DenseElementsAttr::getFromRawBuffer(
        type, ArrayRef<char>(raw.bytes.data(), raw.bytes.size()));
  }
  return ConstantOp::create(b, loc, type, attr).getResult();
}

Value Importer::indexValue(const SymInt &s) {
  if (s.expr)
    return s.expr;
  if (s.source)
    return b.createOrFold<tensor::DimOp>(loc, s.source,
                                         static_cast<int64_t>(s.dim));
  return arith::ConstantIndexOp::create(b, loc, s.value);
}

FailureOr<Value> Importer::constantFromHost(const HostTensor &h) {
  if (!h.allStatic()) {
    // Shape arithmetic used as data: the elements at run time.
    FailureOr<Type> elem = elementType(h.elemType, "shape value");
    if (failed(elem))
      return failure();
    if (!isa<IntegerType>(*elem) || (*elem).getIntOrFloatBitWidth() == 1) {
      error("a value computed from run-time dims has element type " +
            onnxTypeName(h.elemType) + "; only integer shapes are supported");
      return failure();
    }
    SmallVector<Value> elements;
    for (const SymInt &s : h.ints)
      elements.push_back(
          b.createOrFold<arith::IndexCastOp>(loc, *elem, indexValue(s)));
    return tensor::FromElementsOp::create(
               b, loc, RankedTensorType::get(h.shape, *elem), elements)
        .getResult();
  }
  FailureOr<Type> elem = elementType(h.elemType, "constant");
  if (failed(elem))
    return failure();
  auto type = RankedTensorType::get(h.shape, *elem);
  DenseElementsAttr attr;
  if (auto ft = dyn_cast<FloatType>(*elem)) {
    SmallVector<APFloat> vals;
    for (double v : h.floats) {
      APFloat f(v);
      bool lost;
      f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      vals.push_back(f);
    }
    attr = DenseElementsAttr::get(type, vals);
  } else {
    unsigned width = (*elem).getIntOrFloatBitWidth();
    SmallVector<APInt> vals;
    for (const SymInt &v : h.ints)
      vals.push_back(APInt(width, static_cast<uint64_t>(v.value),
                           /*isSigned=*/true, /*implicitTrunc=*/true));
    attr = DenseElementsAttr::get(type, vals);
  }
  return ConstantOp::create(b, loc, type, attr).getResult();
}

Value Importer::scalar(double v, Type elemType) {
  auto type = RankedTensorType::get({}, elemType);
  Attribute a;
  if (auto ft = dyn_cast<FloatType>(elemType))
    a = FloatAttr::get(ft, v);
  else
    a = IntegerAttr::get(elemType, static_cast<int64_t>(v));
  return ConstantOp::create(b, loc, type, DenseElementsAttr::get(type, a))
      .getResult();
}

Value Importer::iotaAlong(int64_t size, int64_t rank, int64_t axis) {
  SmallVector<int64_t> shape(rank, 1);
  shape[axis] = size;
  SmallVector<int64_t> values(size);
  std::iota(values.begin(), values.end(), 0);
  return constant(RankedTensorType::get(shape, b.getI64Type()),
                  ArrayRef<int64_t>(values));
}

FailureOr<Value> Importer::checkedIndices(Value indices, int64_t size) {
  FailureOr<Value> idx = castTo(indices, b.getI64Type());
  if (failed(idx))
    return failure();
  return make<GatherOp>(iotaAlong(size, 1, 0), *idx, b.getI64IntegerAttr(0));
}

FailureOr<Value> Importer::input(const onnx::NodeProto &n, int i) {
  if (!hasInput(n, i)) {
    error("input " + Twine(i) + " is missing");
    return failure();
  }
  auto it = values.find(n.input(i));
  if (it == values.end()) {
    error("input '" + n.input(i) + "' is not defined before its use");
    return failure();
  }
  if (!it->second.value) {
    FailureOr<Value> v = constantFromHost(*it->second.host);
    if (failed(v))
      return failure();
    // Materialize at the use; cache for later users in the same block.
    it->second.value = *v;
  }
  return it->second.value;
}

const HostTensor *Importer::host(const onnx::NodeProto &n, int i) {
  if (!hasInput(n, i))
    return nullptr;
  auto it = values.find(n.input(i));
  if (it == values.end() || !it->second.host)
    return nullptr;
  return &*it->second.host;
}

const HostTensor *Importer::shapeInput(const onnx::NodeProto &n, int i,
                                       StringRef what) {
  if (const HostTensor *h = host(n, i))
    return h;
  FailureOr<Value> v = input(n, i);
  if (failed(v))
    return nullptr;
  RankedTensorType type = typeOf(*v);
  if (type.getRank() != 1 || type.isDynamicDim(0) ||
      type.getDimSize(0) > 16 || !type.getElementType().isInteger() ||
      type.getElementType().isInteger(1)) {
    error(what + " (input " + Twine(i) + ", '" + n.input(i) +
          "') must be a 1-D integer tensor of static length (at most 16), "
          "got " + llvm::formatv("{0}", type).str());
    return nullptr;
  }
  // Each entry, read at run time once, for every node that takes it as a
  // shape (the other users keep the tensor).
  if (auto it = dataShapes.find(n.input(i)); it != dataShapes.end())
    return &it->second;
  HostTensor h;
  h.elemType = onnx::TensorProto::INT64;
  h.shape = {type.getDimSize(0)};
  for (int64_t k = 0; k < type.getDimSize(0); ++k) {
    Value e = tensor::ExtractOp::create(
        b, loc, *v, ValueRange{arith::ConstantIndexOp::create(b, loc, k)});
    h.ints.push_back(SymInt::computed(
        arith::IndexCastOp::create(b, loc, b.getIndexType(), e),
        /*fromData=*/true));
  }
  return &dataShapes.emplace(n.input(i), std::move(h)).first->second;
}

FailureOr<SmallVector<int64_t>> Importer::hostInts(const onnx::NodeProto &n,
                                                   int i, StringRef what) {
  const HostTensor *h = host(n, i);
  if (!h || !h->allStatic()) {
    error(what + " (input " + Twine(i) + ", '" +
          (hasInput(n, i) ? n.input(i) : "") +
          "') must be known at compile time, but it is computed at run time");
    return failure();
  }
  SmallVector<int64_t> out;
  for (int64_t k = 0, e = h->size(); k < e; ++k)
    out.push_back(static_cast<int64_t>(h->at(k)));
  return out;
}

FailureOr<SmallVector<double>> Importer::hostFloats(const onnx::NodeProto &n,
                                                    int i, StringRef what) {
  const HostTensor *h = host(n, i);
  if (!h || !h->allStatic()) {
    error(what + " (input " + Twine(i) + ", '" +
          (hasInput(n, i) ? n.input(i) : "") +
          "') must be known at compile time, but it is computed at run time");
    return failure();
  }
  SmallVector<double> out;
  for (int64_t k = 0, e = h->size(); k < e; ++k)
    out.push_back(h->at(k));
  return out;
}

LogicalResult Importer::requireUnusedOutput(const onnx::NodeProto &n, int i,
                                            StringRef what) {
  if (i < n.output_size() && !n.output(i).empty()) {
    error("output " + Twine(i) + " (" + what +
          ") is not supported; only the main output can be used");
    return failure();
  }
  return success();
}

const onnx::AttributeProto *Importer::attr(const onnx::NodeProto &n,
                                           StringRef name) {
  for (const auto &a : n.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}
int64_t Importer::attrInt(const onnx::NodeProto &n, StringRef name,
                          int64_t dflt) {
  const auto *a = attr(n, name);
  return a ? a->i() : dflt;
}
double Importer::attrFloat(const onnx::NodeProto &n, StringRef name,
                           double dflt) {
  const auto *a = attr(n, name);
  return a ? a->f() : dflt;
}
std::string Importer::attrString(const onnx::NodeProto &n, StringRef name,
                                 StringRef dflt) {
  const auto *a = attr(n, name);
  return a ? a->s() : dflt.str();
}
std::optional<SmallVector<int64_t>>
Importer::attrInts(const onnx::NodeProto &n, StringRef name) {
  const auto *a = attr(n, name);
  if (!a)
    return std::nullopt;
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

LogicalResult Importer::normalizeAxes(SmallVectorImpl<int64_t> &axes,
                                      int64_t rank) {
  for (int64_t &a : axes) {
    std::optional<int64_t> norm = shape::normalizeAxis(a, rank);
    if (!norm) {
      error("axis " + Twine(a) + " is out of range for rank " + Twine(rank));
      return failure();
    }
    a = *norm;
  }
  return success();
}

/// The (value, dim) pairs that dim `d` of `v` equals, as the ops that
/// produce it state through DimEqualityOpInterface (bounded).
static llvm::DenseSet<std::pair<void *, int64_t>> equalDims(Value v,
                                                            int64_t d) {
  llvm::DenseSet<std::pair<void *, int64_t>> seen;
  SmallVector<std::pair<Value, int64_t>> work{{v, d}};
  while (!work.empty() && seen.size() < 512) {
    auto [x, i] = work.pop_back_val();
    if (!seen.insert({x.getAsOpaquePointer(), i}).second)
      continue;
    auto op = x.getDefiningOp<DimEqualityOpInterface>();
    if (!op)
      continue;
    // A broadcast result dim equals an operand's only when no other operand
    // contributes to it: a dynamic dim may be 1 at run time.
    std::optional<std::pair<Value, int64_t>> onlyContributor;
    bool broadcast = false;
    op.getBroadcastDims(
        [&, x = x, i = i](int64_t d,
                          ArrayRef<std::pair<unsigned, int64_t>> dims) {
          if (x != op->getResult(0) || d != i)
            return;
          broadcast = true;
          // A static result size may come from elsewhere (broadcast_to's
          // shape).
          Value operand = op->getOperand(dims.front().first);
          int64_t od = dims.front().second;
          if (dims.size() == 1 &&
              (cast<RankedTensorType>(x.getType()).isDynamicDim(i) ||
               !cast<RankedTensorType>(operand.getType()).isDynamicDim(od)))
            onlyContributor = {operand, od};
        });
    if (broadcast && !onlyContributor)
      continue;
    op.getDimEqualities([&, x = x, i = i](Value p, int64_t pi, Value q,
                                          int64_t qi) {
      // Of a broadcast dim's equalities, only the one with its contributor.
      if (broadcast && (p == x ? q : p) != onlyContributor->first)
        return;
      if (p == x && pi == i)
        work.push_back({q, qi});
      else if (q == x && qi == i)
        work.push_back({p, pi});
    });
  }
  return seen;
}

bool Importer::isDimOf(const SymInt &s, Value v, int64_t d) {
  if (s.isDimOf(v, d))
    return true;
  Value source = s.source;
  int64_t dim = s.dim;
  if (auto dimOp = s.expr ? s.expr.getDefiningOp<tensor::DimOp>() : nullptr) {
    std::optional<int64_t> i = dimOp.getConstantIndex();
    if (!i)
      return false;
    source = dimOp.getSource();
    dim = *i;
  }
  if (!source || d < 0 || d >= typeOf(v).getRank())
    return false;
  // Both dims traced back to the dims they equal; any shared one is proof.
  auto fromV = equalDims(v, d);
  return llvm::any_of(equalDims(source, dim),
                      [&](const auto &key) { return fromV.contains(key); });
}

FailureOr<Value> Importer::reshapeTo(Value v, ArrayRef<SymInt> dims,
                                     bool allowZero) {
  if (llvm::any_of(dims, [](const SymInt &d) { return d.fromData; }))
    return reshapeAtRunTime(v, dims, allowZero);
  SmallVector<int64_t> spec;
  std::optional<size_t> inferred;
  for (auto [i, d] : llvm::enumerate(dims)) {
    if (d.isStatic()) {
      spec.push_back(d.value);
      continue;
    }
    if (isDimOf(d, v, i)) {
      spec.push_back(0);
      continue;
    }
    if (inferred)
      return reshapeAtRunTime(v, dims);
    inferred = i;
    spec.push_back(-1);
  }
  if (inferred && llvm::count(spec, -1) > 1)
    return reshapeAtRunTime(v, dims);
  FailureOr<Value> r = reshape(v, spec);
  if (failed(r) || !inferred)
    return r;
  // The run-time size left to the element count must be the one computed;
  // otherwise the shapes disagree, and that is an error naming the node.
  Value actual = b.createOrFold<tensor::DimOp>(loc, *r, *inferred);
  Value same = b.createOrFold<arith::CmpIOp>(
      loc, arith::CmpIPredicate::eq, actual, indexValue(dims[*inferred]));
  cf::AssertOp::create(b, loc, same,
                       "the shape computed at run time has a different "
                       "element count than the input");
  return r;
}

FailureOr<Value> Importer::reshapeAtRunTime(Value v, ArrayRef<SymInt> dims,
                                            bool allowZero) {
  RankedTensorType type = typeOf(v);
  auto product = [&](ArrayRef<Value> values) {
    Value p = arith::ConstantIndexOp::create(b, loc, 1);
    for (Value x : values)
      p = b.createOrFold<arith::MulIOp>(loc, p, x);
    return p;
  };
  SmallVector<Value> inDims;
  for (int64_t i = 0; i < type.getRank(); ++i)
    inDims.push_back(b.createOrFold<tensor::DimOp>(loc, v, i));
  Value count = product(inDims);
  // ONNX entries: 0 copies the input dim, -1 takes the rest of the count.
  SmallVector<Value> sizes;
  SmallVector<int64_t> shape;
  std::optional<size_t> rest;
  // Entries read from a tensor are only known at run time to be 0 or -1:
  // selects give them the same meaning.
  SmallVector<Value> isRest(dims.size());
  Value zeroIndex = arith::ConstantIndexOp::create(b, loc, 0);
  Value minusOne = arith::ConstantIndexOp::create(b, loc, -1);
  for (auto [i, d] : llvm::enumerate(dims)) {
    if (d.fromData) {
      Value e = indexValue(d);
      if (!allowZero && i < inDims.size()) {
        Value isZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                             e, zeroIndex);
        e = arith::SelectOp::create(b, loc, isZero, inDims[i], e);
      }
      isRest[i] = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, e,
                                        minusOne);
      sizes.push_back(e);
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    if (d.isStatic() && d.value == -1 && !rest) {
      rest = i;
      sizes.push_back({});
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    if (d.isStatic() && d.value == 0 && i < inDims.size()) {
      sizes.push_back(inDims[i]);
      shape.push_back(type.getDimSize(i));
      continue;
    }
    if (d.isStatic() && d.value <= 0) {
      error("Reshape's shape has the entry " + Twine(d.value) + " at " +
            Twine(i) + ", which is not a size");
      return failure();
    }
    sizes.push_back(indexValue(d));
    shape.push_back(d.isStatic() ? d.value : ShapedType::kDynamic);
  }
  bool runTimeRest = llvm::any_of(isRest, [](Value x) { return x; });
  if (rest || runTimeRest) {
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    SmallVector<Value> known;
    for (auto [x, restHere] : llvm::zip(sizes, isRest))
      if (x)
        known.push_back(restHere ? arith::SelectOp::create(b, loc, restHere,
                                                           one, x)
                                 : x);
    // max(known, 1): a zero entry fails the count check below, not here.
    Value divisor = b.createOrFold<arith::MaxUIOp>(loc, product(known), one);
    Value restSize = b.createOrFold<arith::DivUIOp>(loc, count, divisor);
    if (rest)
      sizes[*rest] = restSize;
    for (auto [x, restHere] : llvm::zip(sizes, isRest))
      if (restHere)
        x = arith::SelectOp::create(b, loc, restHere, restSize, x);
  }
  // The element counts must agree, and no size may be negative (two
  // negative entries keep the count); a mismatch is a run-time error naming
  // the node instead of a read past the input.
  Value same = b.createOrFold<arith::CmpIOp>(loc, arith::CmpIPredicate::eq,
                                             product(sizes), count);
  for (Value size : sizes)
    same = b.createOrFold<arith::AndIOp>(
        loc, same,
        b.createOrFold<arith::CmpIOp>(loc, arith::CmpIPredicate::sge, size,
                                      zeroIndex));
  cf::AssertOp::create(b, loc, same,
                       "the shape computed at run time has a different "
                       "element count than the input");
  // Row-major reinterpretation: collapse to 1-D, then expand to the sizes
  // (both bufferize to views of the same buffer).
  Value flat = v;
  if (type.getRank() != 1) {
    ReassociationIndices all = llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
    flat = tensor::CollapseShapeOp::create(b, loc, v,
                                           ArrayRef<ReassociationIndices>{all})
               .getResult();
  }
  if (shape.size() == 1)
    return tensor::CastOp::create(
               b, loc, RankedTensorType::get(shape, type.getElementType()),
               flat)
        .getResult();
  // expand_shape wants a dynamic source dim when a result dim is dynamic.
  if (llvm::any_of(shape, ShapedType::isDynamic) &&
      !typeOf(flat).isDynamicDim(0))
    flat = tensor::CastOp::create(
               b, loc,
               RankedTensorType::get({ShapedType::kDynamic},
                                     type.getElementType()),
               flat)
               .getResult();
  ReassociationIndices all = llvm::to_vector(
      llvm::seq<int64_t>(0, static_cast<int64_t>(shape.size())));
  SmallVector<OpFoldResult> outputShape;
  for (auto [size, value] : llvm::zip(shape, sizes))
    outputShape.push_back(ShapedType::isDynamic(size)
                              ? OpFoldResult(value)
                              : OpFoldResult(b.getIndexAttr(size)));
  return tensor::ExpandShapeOp::create(
             b, loc, RankedTensorType::get(shape, type.getElementType()), flat,
             ArrayRef<ReassociationIndices>{all}, outputShape)
      .getResult();
}

/// Unsigned integers as signed ones of the same width in the same order:
/// the bits reinterpreted, plus the signed minimum (which flips the sign
/// bit), so 0 maps to the signed minimum and the unsigned maximum to the
/// signed maximum. toSignedOrder's `original` is the unsigned type, or null
/// when `v` needs no mapping; fromSignedOrder undoes it.
FailureOr<Value> Importer::toSignedOrder(Value v, Type &original) {
  auto it = dyn_cast<IntegerType>(typeOf(v).getElementType());
  original = {};
  if (!it || !it.isUnsigned())
    return v;
  original = it;
  Type signedType = b.getIntegerType(it.getWidth());
  FailureOr<Value> bits = castTo(v, signedType);
  if (failed(bits))
    return failure();
  return make<AddOp>(*bits, signedMinimum(signedType));
}

FailureOr<Value> Importer::fromSignedOrder(Value v, Type original) {
  if (!original)
    return v;
  FailureOr<Value> bits =
      make<AddOp>(v, signedMinimum(typeOf(v).getElementType()));
  return failed(bits) ? failedValue() : castTo(*bits, original);
}

Value Importer::signedMinimum(Type signedType) {
  unsigned width = signedType.getIntOrFloatBitWidth();
  auto type = RankedTensorType::get({}, signedType);
  return ConstantOp::create(
             b, loc, type,
             DenseElementsAttr::get(type,
                                    APInt::getSignedMinValue(width)))
      .getResult();
}

FailureOr<Value> Importer::castTo(Value v, Type elemType) {
  RankedTensorType t = typeOf(v);
  if (t.getElementType() == elemType)
    return v;
  return CastOp::create(b, loc, t.clone(elemType), v).getResult();
}

/// A constant holding `values` along `axis` of a rank-`rank` tensor (size 1
/// elsewhere), to broadcast against it.
FailureOr<Value> Importer::broadcastAlong(ArrayRef<double> vals, Type elemType,
                                          int64_t rank, int64_t axis) {
  SmallVector<int64_t> shape(rank, 1);
  shape[axis] = vals.size();
  HostTensor h;
  h.elemType = isa<Float64Type>(elemType) ? onnx::TensorProto::DOUBLE
                                          : onnx::TensorProto::FLOAT;
  h.shape = shape;
  h.floats.assign(vals.begin(), vals.end());
  FailureOr<Value> c = constantFromHost(h);
  if (failed(c))
    return failure();
  return castTo(*c, elemType);
}

//===----------------------------------------------------------------------===//
// Handler table
//===----------------------------------------------------------------------===//

void onnx_import::addHandlers(HandlerTable &table, ArrayRef<HandlerRow> rows) {
  for (const HandlerRow &row : rows) {
    [[maybe_unused]] bool added = table.insert(row).second;
    assert(added && "an ONNX op type is registered twice");
  }
}

/// Every family's rows, collected once.
static const HandlerTable &handlers() {
  static const HandlerTable table = [] {
    HandlerTable t;
    registerContractionHandlers(t);
    registerElementwiseHandlers(t);
    registerNNHandlers(t);
    registerQuantizationHandlers(t);
    registerRecurrentHandlers(t);
    registerReductionHandlers(t);
    registerResizeHandlers(t);
    registerTensorHandlers(t);
    return t;
  }();
  return table;
}

//===----------------------------------------------------------------------===//
// Model
//===----------------------------------------------------------------------===//

/// Op types rejected by design, with the reason. Kiln compiles shapes that
/// follow from the input shapes; these ops' output shapes depend on the
/// input values (a count of selected elements), so no bound but the input
/// size is known and every consumer would see a padded, different tensor.
static const std::map<std::string, std::string> &rejectedOps() {
  static const std::map<std::string, std::string> ops = {
      {"Compress", "data-dependent output shape, the count of true "
                   "conditions; use a mask with Where instead"},
      {"NonMaxSuppression",
       "data-dependent output shape, the count of kept boxes; run it after "
       "the model, on its scores and boxes"},
      {"NonZero", "data-dependent output shape, the count of non-zero "
                  "elements; use a mask with Where instead"},
      {"Unique", "data-dependent output shape, the count of distinct "
                 "values"},
  };
  return ops;
}

OwningOpRef<ModuleOp> Importer::run(onnx::ModelProto &model) {
  loc = FileLineColLoc::get(&ctx, sourceName, 0, 0);
  if (!model.has_graph()) {
    error("the ONNX model has no graph");
    return {};
  }
  // importOnnxModel has checked that the default domain's opset is in range.
  for (const auto &o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx")
      opset = o.version();
  onnx::GraphProto &graph = *model.mutable_graph();

  // Every unsupported op type, with its node names, in one error.
  std::map<std::string, std::vector<std::string>> unsupported;
  for (const auto &node : graph.node()) {
    std::string type = node.domain().empty() || node.domain() == "ai.onnx"
                           ? node.op_type()
                           : node.domain() + "::" + node.op_type();
    if (!handlers().count(type))
      unsupported[type].push_back(node.name().empty() ? "<unnamed>"
                                                      : node.name());
  }
  if (!unsupported.empty()) {
    std::string msg;
    llvm::raw_string_ostream os(msg);
    size_t total = 0;
    for (auto &[type, names] : unsupported)
      total += names.size();
    os << "the model uses " << unsupported.size()
       << " unsupported ONNX op type" << (unsupported.size() > 1 ? "s" : "")
       << " (" << total << " node" << (total > 1 ? "s" : "") << "):";
    for (auto &[type, names] : unsupported) {
      os << "\n  " << type << " x" << names.size() << ": ";
      for (size_t i = 0; i < names.size() && i < 8; ++i)
        os << (i ? ", " : "") << names[i];
      if (names.size() > 8)
        os << ", ... (" << names.size() - 8 << " more)";
      if (auto it = rejectedOps().find(type); it != rejectedOps().end())
        os << " (rejected: " << it->second << ")";
    }
    error(msg);
    return {};
  }

  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());

  llvm::StringSet<> initializerNames;
  for (const auto &init : graph.initializer())
    initializerNames.insert(init.name());

  // Signature.
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  SmallVector<std::string> inputNames;
  std::vector<std::pair<std::string, RawTensor>> frozen;
  for (const auto &entry : options.frozenInputs) {
    const std::string &name = entry.first;
    const FrozenTensor &data = entry.second;
    auto it = llvm::find_if(graph.input(), [&](const onnx::ValueInfoProto &v) {
      return v.name() == name && !initializerNames.count(name);
    });
    if (it == graph.input().end()) {
      error("cannot freeze '" + name + "': the graph has no such input");
      return {};
    }
    const auto &tt = it->type().tensor_type();
    if (tt.elem_type() != data.onnxElementType) {
      error("cannot freeze input '" + name + "': it is " +
            onnxTypeName(tt.elem_type()) + " but the data is " +
            onnxTypeName(data.onnxElementType));
      return {};
    }
    int64_t count = 1;
    for (int64_t d : data.shape)
      count *= d;
    if (tt.has_shape() && tt.shape().dim_size() != static_cast<int>(data.shape.size())) {
      error("cannot freeze input '" + name + "': the data has rank " +
            Twine(data.shape.size()) + " but the input has rank " +
            Twine(tt.shape().dim_size()));
      return {};
    }
    if (static_cast<uint64_t>(count) * onnxElementBytes(data.onnxElementType) !=
        data.bytes.size()) {
      error("cannot freeze input '" + name + "': its data holds " +
            Twine(data.bytes.size()) + " bytes, which does not match its shape");
      return {};
    }
    RawTensor raw;
    raw.elemType = data.onnxElementType;
    raw.shape.assign(data.shape.begin(), data.shape.end());
    raw.bytes = data.bytes;
    frozen.emplace_back(name, std::move(raw));
  }

  for (const auto &in : graph.input()) {
    if (initializerNames.count(in.name()) ||
        options.frozenInputs.count(in.name()))
      continue;
    std::string what = "graph input '" + in.name() + "'";
    if (!in.type().has_tensor_type()) {
      error(what + " is not a tensor");
      return {};
    }
    const auto &tt = in.type().tensor_type();
    FailureOr<Type> elem = elementType(tt.elem_type(), what);
    if (failed(elem))
      return {};
    if (!tt.has_shape()) {
      error(what + " has no shape (unknown rank is not supported)");
      return {};
    }
    SmallVector<int64_t> shape;
    for (const auto &d : tt.shape().dim())
      shape.push_back(d.has_dim_value() ? d.dim_value()
                                        : ShapedType::kDynamic);
    argTypes.push_back(RankedTensorType::get(shape, *elem));
    inputNames.push_back(in.name());
  }
  llvm::StringSet<> usedNames;
  auto uniqueName = [&](StringRef raw) {
    std::string base = sanitize(raw), name = base;
    for (int k = 1; usedNames.count(name); ++k)
      name = base + "_" + std::to_string(k);
    usedNames.insert(name);
    return name;
  };
  auto func = func::FuncOp::create(b, loc, options.entryName,
                                   b.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, name] : llvm::enumerate(inputNames)) {
    func.setArgAttr(i, "kiln.name", b.getStringAttr(uniqueName(name)));
    values[name].value = entry->getArgument(i);
  }
  b.setInsertionPointToEnd(entry);

  // Initializers: small ones stay host-side (shape arithmetic, constant
  // attributes) and are materialized where a tensor is needed.
  auto addConstant = [&](const std::string &name, const RawTensor &raw) {
    // Float weights above the resource threshold go straight to blobs.
    bool isFloat = raw.elemType == onnx::TensorProto::FLOAT ||
                   raw.elemType == onnx::TensorProto::DOUBLE;
    int64_t count = 1;
    for (int64_t d : raw.shape)
      count *= d;
    std::optional<HostTensor> h;
    if (!isFloat || count <= kResourceElementThreshold)
      h = toHost(raw);
    if (h) {
      values[name].host = std::move(*h);
      return success();
    }
    FailureOr<Value> v = materialize(raw, name);
    if (failed(v))
      return failure();
    values[name].value = *v;
    return success();
  };
  for (const auto &init : graph.initializer()) {
    FailureOr<RawTensor> raw = readTensor(init);
    if (failed(raw) || failed(addConstant(init.name(), *raw)))
      return {};
  }
  for (const auto &[name, raw] : frozen)
    if (failed(addConstant(name, raw)))
      return {};

  for (auto [index, node] : llvm::enumerate(graph.node())) {
    loc = nodeLoc(node, index);
    const HandlerInfo &info = handlers().at(node.op_type());
    if (failed((this->*info.handler)(node)))
      return {};
  }

  loc = FileLineColLoc::get(&ctx, sourceName, 0, 0);
  SmallVector<Value> results;
  for (const auto &out : graph.output()) {
    auto it = values.find(out.name());
    if (it == values.end()) {
      error("graph output '" + out.name() + "' is not produced by any node");
      return {};
    }
    if (!it->second.value) {
      FailureOr<Value> v = constantFromHost(*it->second.host);
      if (failed(v))
        return {};
      it->second.value = *v;
    }
    results.push_back(it->second.value);
  }
  func::ReturnOp::create(b, loc, results);
  func.setType(b.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (auto [i, out] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, "kiln.name", b.getStringAttr(uniqueName(out.name())));

  if (failed(verify(*module)))
    return {};
  return module;
}

//===----------------------------------------------------------------------===//
// Validation before onnx's shape inference
//===----------------------------------------------------------------------===//

/// onnx's shape inference trusts attributes that feed its arithmetic: a
/// Conv or pool with `strides = [0, 0]` divides by zero inside libonnx
/// (SIGFPE), which no exception handler catches. These checks run first,
/// on every node of the graph and of its subgraphs, and name the node and
/// attribute.
namespace {
struct AttributeRule {
  StringRef attr;
  int64_t min; ///< every entry must be >= min
};

ArrayRef<AttributeRule> attributeRules(StringRef opType) {
  static const AttributeRule conv[] = {{"strides", 1},   {"dilations", 1},
                                       {"kernel_shape", 1}, {"pads", 0},
                                       {"group", 1},     {"output_padding", 0},
                                       {"output_shape", 1}};
  static const AttributeRule pool[] = {{"strides", 1},      {"dilations", 1},
                                       {"kernel_shape", 1}, {"pads", 0},
                                       {"p", 1},            {"storage_order", 0}};
  static const AttributeRule blocks[] = {{"blocksize", 1}};
  static const AttributeRule resize[] = {{"exclude_outside", 0}};
  if (opType == "Conv" || opType == "ConvTranspose" ||
      opType == "ConvInteger" || opType == "QLinearConv")
    return conv;
  if (opType == "MaxPool" || opType == "AveragePool" || opType == "LpPool" ||
      opType == "MaxUnpool")
    return pool;
  if (opType == "DepthToSpace" || opType == "SpaceToDepth")
    return blocks;
  if (opType == "Resize" || opType == "Upsample")
    return resize;
  return {};
}

std::string describeNode(const onnx::NodeProto &n, int index) {
  std::string name = n.name().empty() ? "#" + std::to_string(index) : n.name();
  return "node '" + name + "' (" + n.op_type() + ")";
}

/// onnx 1.12's inference functions index shapes by attributes and input
/// ranks they do not check (LayerNormalization with an axis outside the
/// input's rank, a Conv whose input rank differs from the weight's, a
/// MaxUnpool fed a map): out-of-bounds reads and crashes inside libonnx.
/// This registry hands out the real schemas, except that the inference of
/// those ops first checks what it relies on, with the ranks inferred so
/// far, and fails with an InferenceError (a diagnostic) instead.
class GuardedSchemaRegistry final : public onnx::ISchemaRegistry {
public:
  const onnx::OpSchema *GetSchema(const std::string &key,
                                  const int maxInclusiveVersion,
                                  const std::string &domain) const override {
    const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Instance()->GetSchema(
        key, maxInclusiveVersion, domain);
    if (!schema || !(domain.empty() || domain == "ai.onnx"))
      return schema;
    Guard guard = guardFor(key);
    if (!guard)
      return schema;
    std::lock_guard<std::mutex> lock(mutex);
    std::unique_ptr<onnx::OpSchema> &guarded = cache[schema];
    if (!guarded) {
      guarded = std::make_unique<onnx::OpSchema>(*schema);
      onnx::InferenceFunction inner = schema->GetTypeAndShapeInferenceFunction();
      guarded->TypeAndShapeInferenceFunction(
          [inner, guard](onnx::InferenceContext &ctx) {
            guard(ctx);
            if (inner)
              inner(ctx);
          });
    }
    return guarded.get();
  }

private:
  using Guard = std::function<void(onnx::InferenceContext &)>;

  /// The rank of input `i`, when it is a tensor of known rank.
  static std::optional<int64_t> rankOf(onnx::InferenceContext &ctx, size_t i) {
    if (i >= ctx.getNumInputs())
      return std::nullopt;
    const onnx::TypeProto *type = ctx.getInputType(i);
    if (!type || !type->has_tensor_type() ||
        !type->tensor_type().has_shape())
      return std::nullopt;
    return type->tensor_type().shape().dim_size();
  }

  static void requireTensors(onnx::InferenceContext &ctx) {
    for (size_t i = 0; i < ctx.getNumInputs(); ++i)
      if (const onnx::TypeProto *type = ctx.getInputType(i);
          type && !type->has_tensor_type())
        fail_type_inference("input ", i, " is not a tensor");
  }

  static Guard guardFor(const std::string &op) {
    // Convolutions: the input and weight ranks agree and are at least 3.
    auto convRanks = [](size_t input, size_t weight) -> Guard {
      return [input, weight](onnx::InferenceContext &ctx) {
        requireTensors(ctx);
        std::optional<int64_t> x = rankOf(ctx, input), w = rankOf(ctx, weight);
        if ((x && *x < 3) || (w && *w < 3))
          fail_shape_inference("the input and weight need rank 3 or more");
        if (x && w && *x != *w)
          fail_shape_inference("the input has rank ", *x,
                               " but the weight rank ", *w);
      };
    };
    if (op == "Conv" || op == "ConvTranspose" || op == "ConvInteger")
      return convRanks(0, 1);
    if (op == "QLinearConv")
      return convRanks(0, 3);
    if (op == "LayerNormalization")
      return [](onnx::InferenceContext &ctx) {
        requireTensors(ctx);
        std::optional<int64_t> rank = rankOf(ctx, 0);
        if (!rank)
          return;
        int64_t axis = -1;
        if (const onnx::AttributeProto *a = ctx.getAttribute("axis"))
          axis = a->i();
        if (*rank < 1 || axis < -*rank || axis >= *rank)
          fail_shape_inference("axis ", axis, " is outside the input's rank ",
                               *rank);
      };
    // Pools index the input's dims from 2 on by their kernel.
    if (op == "MaxUnpool" || op == "MaxPool" || op == "AveragePool" ||
        op == "LpPool")
      return [](onnx::InferenceContext &ctx) {
        requireTensors(ctx);
        if (std::optional<int64_t> x = rankOf(ctx, 0); x && *x < 3)
          fail_shape_inference("the input needs rank 3 or more, not ", *x);
      };
    if (op == "Resize" || op == "Upsample")
      return [](onnx::InferenceContext &ctx) { requireTensors(ctx); };
    return nullptr;
  }

  mutable std::mutex mutex;
  mutable llvm::DenseMap<const onnx::OpSchema *,
                         std::unique_ptr<onnx::OpSchema>>
      cache;
};

/// Returns a message for the first invalid attribute or graph input dim
/// in `graph`, or an empty string.
std::string validateBeforeShapeInference(const onnx::GraphProto &graph,
                                         bool isMainGraph) {
  if (isMainGraph) {
    llvm::StringSet<> initializers;
    for (const auto &t : graph.initializer())
      initializers.insert(t.name());
    for (const auto &out : graph.output())
      if (out.has_type() && !out.type().has_tensor_type())
        return "graph output '" + out.name() +
               "' is not a tensor (sequence, map and optional outputs are "
               "not supported)";
    for (const auto &in : graph.input()) {
      if (!in.type().has_tensor_type())
        return "graph input '" + in.name() +
               "' is not a tensor (sequence, map and optional inputs are "
               "not supported)";
      if (initializers.count(in.name()) ||
          !in.type().tensor_type().has_shape())
        continue;
      for (auto [d, dim] :
           llvm::enumerate(in.type().tensor_type().shape().dim()))
        if (dim.has_dim_value() && dim.dim_value() < 0)
          return "graph input '" + in.name() + "' has dim " +
                 std::to_string(d) + " = " + std::to_string(dim.dim_value()) +
                 "; ONNX dims are non-negative (give a dynamic dim a "
                 "dim_param, or leave it unset)";
    }
  }
  for (auto [index, n] : llvm::enumerate(graph.node())) {
    for (const AttributeRule &rule : attributeRules(n.op_type())) {
      for (const auto &a : n.attribute()) {
        if (a.name() != rule.attr)
          continue;
        SmallVector<int64_t> values(a.ints().begin(), a.ints().end());
        if (a.type() == onnx::AttributeProto::INT)
          values.push_back(a.i());
        for (int64_t v : values)
          if (v < rule.min)
            return describeNode(n, index) + ": attribute '" + a.name().c_str() +
                   "' must be " +
                   (rule.min == 0 ? std::string("non-negative")
                    : rule.min == 1 ? std::string("positive")
                                    : ">= " + std::to_string(rule.min)) +
                   ", got " + std::to_string(v);
      }
    }
    for (const auto &a : n.attribute()) {
      std::string nested;
      if (a.has_g())
        nested = validateBeforeShapeInference(a.g(), false);
      for (const auto &g : a.graphs())
        if (nested.empty())
          nested = validateBeforeShapeInference(g, false);
      if (!nested.empty())
        return nested;
    }
  }
  return "";
}
} // namespace

//===----------------------------------------------------------------------===//
// Public API
//===----------------------------------------------------------------------===//

bool mlir::kiln::looksLikeOnnx(StringRef bytes) {
  // MLIR text starts with printable text; MLIR bytecode with "ML\xefR". A
  // ModelProto starts with a protobuf tag: field 1 (ir_version, varint) is
  // 0x08, and exporters may lead with other small fields.
  if (bytes.empty() || bytes.starts_with("ML\xefR"))
    return false;
  unsigned char c = bytes[0];
  return c == 0x08 || c == 0x12 || c == 0x1a || c == 0x22 || c == 0x2a ||
         c == 0x32 || c == 0x3a || c == 0x42;
}

OwningOpRef<ModuleOp>
mlir::kiln::importOnnxModel(StringRef bytes, StringRef sourceName,
                            MLIRContext &context,
                            const OnnxImportOptions &options) {
  context.loadDialect<KilnDialect, func::FuncDialect, quant::QuantDialect,
                      arith::ArithDialect, cf::ControlFlowDialect,
                      math::MathDialect, scf::SCFDialect,
                      tensor::TensorDialect>();
  Location fileLoc = FileLineColLoc::get(&context, sourceName, 0, 0);
  onnx::ModelProto model;
  if (bytes.size() > static_cast<size_t>(INT_MAX) ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    emitError(fileLoc) << "'" << sourceName
                       << "' is not a valid ONNX model: the protobuf "
                          "ModelProto does not parse (corrupt or truncated "
                          "file?)";
    return {};
  }
  if (!model.has_graph() || model.graph().node_size() == 0) {
    emitError(fileLoc) << "'" << sourceName
                       << "' is not a valid ONNX model: it has no graph nodes";
    return {};
  }
  // The opset comes first, so that an old or new model is told why.
  std::optional<int64_t> opset;
  for (const auto &o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx")
      opset = o.version();
  if (!opset) {
    emitError(fileLoc) << "the ONNX model imports no opset of the default "
                          "domain";
    return {};
  }
  if (*opset > kMaxOnnxOpset || *opset < kMinConvertedOnnxOpset) {
    emitError(fileLoc) << "the ONNX model uses opset " << *opset
                       << " of the default domain; Kiln supports opsets "
                       << kMinConvertedOnnxOpset << " to " << kMaxOnnxOpset
                       << " (" << kMaxOnnxOpset
                       << " is the highest that Debian's onnx knows)";
    return {};
  }
  std::string invalid = validateBeforeShapeInference(model.graph(), true);
  if (!invalid.empty()) {
    emitError(fileLoc) << "'" << sourceName << "' is not a valid ONNX model: "
                       << invalid;
    return {};
  }
  // Older models are upgraded to the lowest opset Kiln imports by onnx's
  // own version converter, after the checks that keep onnx's code from
  // crashing on them, and checked again after.
  if (*opset < kMinOnnxOpset) {
    try {
      if (options.check)
        onnx::checker::check_model(model);
      model = onnx::version_conversion::ConvertVersion(model, kMinOnnxOpset);
    } catch (const std::exception &e) {
      emitError(fileLoc) << "'" << sourceName
                         << "' cannot be upgraded from opset " << *opset
                         << " to opset " << kMinOnnxOpset
                         << " by onnx's version converter: " << e.what();
      return {};
    }
    invalid = validateBeforeShapeInference(model.graph(), true);
    if (!invalid.empty()) {
      emitError(fileLoc) << "'" << sourceName << "', upgraded to opset "
                         << kMinOnnxOpset << ", is not a valid ONNX model: "
                         << invalid;
      return {};
    }
  }
  try {
    if (options.check)
      onnx::checker::check_model(model);
    onnx::ShapeInferenceOptions inference(/*check_type=*/true,
                                          /*strict_mode=*/1,
                                          /*data_prop=*/false);
    static GuardedSchemaRegistry registry;
    onnx::shape_inference::InferShapes(model, &registry, inference);
  } catch (const std::exception &e) {
    emitError(fileLoc) << "'" << sourceName
                       << "' fails onnx's model checker or shape inference: "
                       << e.what();
    return {};
  }
  Importer importer(context, sourceName, options);
  return importer.run(model);
}

OwningOpRef<ModuleOp>
mlir::kiln::importOnnxFile(StringRef path, MLIRContext &context,
                           const OnnxImportOptions &options) {
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!file) {
    emitError(FileLineColLoc::get(&context, path, 0, 0))
        << "cannot read '" << path << "': " << file.getError().message();
    return {};
  }
  return importOnnxModel((*file)->getBuffer(), path, context, options);
}

std::vector<OnnxOpSupport> mlir::kiln::getRejectedOnnxOps() {
  std::vector<OnnxOpSupport> ops;
  for (const auto &[name, reason] : rejectedOps())
    ops.push_back({name, reason});
  return ops;
}

std::vector<OnnxOpSupport> mlir::kiln::getSupportedOnnxOps() {
  std::vector<OnnxOpSupport> ops;
  for (const auto &[name, info] : handlers())
    ops.push_back({name, info.notes});
  return ops;
}
