//===- OnnxImporter.cpp - ONNX ModelProto to the kiln dialect -------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Import/Onnx.h"

#include "Kiln/IR/ElementsUtils.h"
#include "Kiln/IR/KilnOps.h"
#include "Kiln/IR/ShapeUtils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <cmath>
#include <functional>
#include <map>

using namespace mlir;
using namespace mlir::kiln;
using llvm::StringRef;
using llvm::Twine;

namespace {

//===----------------------------------------------------------------------===//
// Host-side tensors: small constants and shape computations
//===----------------------------------------------------------------------===//

/// One integer element that may be unknown until run time: then it is dim
/// `dim` of `source` (as produced by ONNX `Shape`).
struct SymInt {
  SymInt(int64_t value = 0) : value(value) {}
  SymInt(int64_t value, Value source, unsigned dim)
      : value(value), source(source), dim(dim) {}
  int64_t value;
  Value source;
  unsigned dim = 0;
  bool isStatic() const { return !source; }
};

/// A small tensor whose elements are known at import time (or, for
/// integers, known to be particular run-time dims).
struct HostTensor {
  int elemType = onnx::TensorProto::FLOAT; ///< onnx TensorProto::DataType
  SmallVector<int64_t> shape;
  SmallVector<double> floats; ///< float types
  SmallVector<SymInt> ints;   ///< integer and bool types

  bool isFloatType() const {
    return elemType == onnx::TensorProto::FLOAT ||
           elemType == onnx::TensorProto::DOUBLE ||
           elemType == onnx::TensorProto::FLOAT16 ||
           elemType == onnx::TensorProto::BFLOAT16;
  }
  int64_t size() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  bool allStatic() const {
    return llvm::all_of(ints, [](const SymInt &s) { return s.isStatic(); });
  }
  double at(int64_t i) const {
    return isFloatType() ? floats[i] : static_cast<double>(ints[i].value);
  }
};

constexpr int64_t kHostElementLimit = 4096;

/// The raw bytes of an initializer or Constant tensor.
struct RawTensor {
  int elemType = 0;
  SmallVector<int64_t> shape;
  std::string bytes; ///< little-endian, dense, row-major
};

unsigned onnxElementBytes(int t) {
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

std::string onnxTypeName(int t) {
  return onnx::TensorProto::DataType_Name(
      static_cast<onnx::TensorProto::DataType>(t));
}

/// C identifier for ABI names ("input.1" -> "input_1").
std::string sanitize(StringRef name) {
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

class Importer;
using NodeHandler = LogicalResult (Importer::*)(const onnx::NodeProto &);

struct HandlerInfo {
  NodeHandler handler;
  const char *notes;
};

const std::map<std::string, HandlerInfo> &handlers();

class Importer {
public:
  Importer(MLIRContext &ctx, StringRef sourceName,
           const OnnxImportOptions &options)
      : ctx(ctx), b(&ctx), sourceName(sourceName.str()), options(options) {}

  OwningOpRef<ModuleOp> run(onnx::ModelProto &model);

  // Node handlers (one per supported op type, see handlers()).
  LogicalResult importConstant(const onnx::NodeProto &n);
  LogicalResult importIdentity(const onnx::NodeProto &n);
  LogicalResult importDropout(const onnx::NodeProto &n);
  LogicalResult importUnary(const onnx::NodeProto &n);
  LogicalResult importBinary(const onnx::NodeProto &n);
  LogicalResult importVariadic(const onnx::NodeProto &n);
  LogicalResult importCompare(const onnx::NodeProto &n);
  LogicalResult importNot(const onnx::NodeProto &n);
  LogicalResult importWhere(const onnx::NodeProto &n);
  LogicalResult importClip(const onnx::NodeProto &n);
  LogicalResult importLeakyRelu(const onnx::NodeProto &n);
  LogicalResult importPRelu(const onnx::NodeProto &n);
  LogicalResult importHardSigmoid(const onnx::NodeProto &n);
  LogicalResult importHardSwish(const onnx::NodeProto &n);
  LogicalResult importSoftplus(const onnx::NodeProto &n);
  LogicalResult importReciprocal(const onnx::NodeProto &n);
  LogicalResult importElu(const onnx::NodeProto &n);
  LogicalResult importSize(const onnx::NodeProto &n);
  LogicalResult importCastLike(const onnx::NodeProto &n);
  LogicalResult importPow(const onnx::NodeProto &n);
  LogicalResult importCast(const onnx::NodeProto &n);
  LogicalResult importConv(const onnx::NodeProto &n);
  LogicalResult importPool(const onnx::NodeProto &n);
  LogicalResult importGlobalPool(const onnx::NodeProto &n);
  LogicalResult importBatchNorm(const onnx::NodeProto &n);
  LogicalResult importLayerNorm(const onnx::NodeProto &n);
  LogicalResult importGemm(const onnx::NodeProto &n);
  LogicalResult importMatMul(const onnx::NodeProto &n);
  LogicalResult importSoftmax(const onnx::NodeProto &n);
  LogicalResult importReduce(const onnx::NodeProto &n);
  LogicalResult importReshape(const onnx::NodeProto &n);
  LogicalResult importFlatten(const onnx::NodeProto &n);
  LogicalResult importTranspose(const onnx::NodeProto &n);
  LogicalResult importConcat(const onnx::NodeProto &n);
  LogicalResult importSplit(const onnx::NodeProto &n);
  LogicalResult importSlice(const onnx::NodeProto &n);
  LogicalResult importGather(const onnx::NodeProto &n);
  LogicalResult importUnsqueeze(const onnx::NodeProto &n);
  LogicalResult importSqueeze(const onnx::NodeProto &n);
  LogicalResult importShape(const onnx::NodeProto &n);
  LogicalResult importConstantOfShape(const onnx::NodeProto &n);
  LogicalResult importExpand(const onnx::NodeProto &n);
  LogicalResult importRange(const onnx::NodeProto &n);
  LogicalResult importPad(const onnx::NodeProto &n);
  LogicalResult importResize(const onnx::NodeProto &n);
  LogicalResult importQuantizeLinear(const onnx::NodeProto &n);
  LogicalResult importDequantizeLinear(const onnx::NodeProto &n);

private:
  struct Slot {
    Value value;
    std::optional<HostTensor> host;
  };

  // Diagnostics.
  InFlightDiagnostic error(const Twine &message) { return emitError(loc) << message; }
  Location nodeLoc(const onnx::NodeProto &n, int index);

  // Types.
  FailureOr<Type> elementType(int onnxType, const Twine &what);
  RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

  // Tensors.
  FailureOr<RawTensor> readTensor(const onnx::TensorProto &t);
  std::optional<HostTensor> toHost(const RawTensor &raw);
  FailureOr<Value> materialize(const RawTensor &raw, StringRef name);
  FailureOr<Value> constantFromHost(const HostTensor &host);
  Value scalar(double v, Type elemType);

  // Values of the node being imported.
  bool hasInput(const onnx::NodeProto &n, int i) {
    return i < n.input_size() && !n.input(i).empty();
  }
  FailureOr<Value> input(const onnx::NodeProto &n, int i);
  const HostTensor *host(const onnx::NodeProto &n, int i);
  FailureOr<SmallVector<int64_t>> hostInts(const onnx::NodeProto &n, int i,
                                           StringRef what);
  FailureOr<SmallVector<double>> hostFloats(const onnx::NodeProto &n, int i,
                                            StringRef what);
  void setOutput(const onnx::NodeProto &n, int i, Value v) {
    if (i < n.output_size() && !n.output(i).empty())
      values[n.output(i)].value = v;
  }
  void setHost(const onnx::NodeProto &n, int i, HostTensor h) {
    if (i < n.output_size() && !n.output(i).empty()) {
      values[n.output(i)].host = std::move(h);
      values[n.output(i)].value = {};
    }
  }
  LogicalResult requireUnusedOutput(const onnx::NodeProto &n, int i,
                                    StringRef what);
  /// Sets output 0 of `n` to `r`, or propagates its failure.
  LogicalResult setResult(const onnx::NodeProto &n, FailureOr<Value> r) {
    if (failed(r))
      return failure();
    setOutput(n, 0, *r);
    return success();
  }

  // Attributes.
  const onnx::AttributeProto *attr(const onnx::NodeProto &n, StringRef name);
  int64_t attrInt(const onnx::NodeProto &n, StringRef name, int64_t dflt);
  double attrFloat(const onnx::NodeProto &n, StringRef name, double dflt);
  std::string attrString(const onnx::NodeProto &n, StringRef name,
                         StringRef dflt);
  std::optional<SmallVector<int64_t>> attrInts(const onnx::NodeProto &n,
                                               StringRef name);

  // Op building: create with a placeholder result type, then infer it with
  // the op's own inference, which diagnoses malformed shapes at `loc`.
  template <typename OpTy, typename... Args>
  FailureOr<Value> make(Args &&...args) {
    auto op = OpTy::create(b, loc, UnrankedTensorType::get(b.getF32Type()),
                           std::forward<Args>(args)...);
    SmallVector<Type> types;
    if (failed(OpTy::inferReturnTypes(
            &ctx, loc, op->getOperands(), op->getRawDictionaryAttrs(),
            op->getPropertiesStorage(), op->getRegions(), types))) {
      op->erase();
      return failure();
    }
    op->getResult(0).setType(types[0]);
    return op->getResult(0);
  }
  FailureOr<Value> reshape(Value v, ArrayRef<int64_t> spec) {
    return make<ReshapeOp>(v, b.getDenseI64ArrayAttr(spec));
  }
  /// Reshapes to `dims`, where each entry is static or names a run-time dim.
  FailureOr<Value> reshapeTo(Value v, ArrayRef<SymInt> dims);
  FailureOr<Value> castTo(Value v, Type elemType);
  FailureOr<Value> broadcastAlong(ArrayRef<double> values, Type elemType,
                                  int64_t rank, int64_t axis);
  FailureOr<SmallVector<int64_t>> windowPads(const onnx::NodeProto &n,
                                             RankedTensorType input,
                                             ArrayRef<int64_t> kernel,
                                             ArrayRef<int64_t> strides,
                                             ArrayRef<int64_t> dilations);
  LogicalResult normalizeAxes(SmallVectorImpl<int64_t> &axes, int64_t rank);

  MLIRContext &ctx;
  OpBuilder b;
  std::string sourceName;
  OnnxImportOptions options;
  Location loc = UnknownLoc::get(&ctx);
  int64_t opset = 0;
  llvm::StringMap<Slot> values;
};

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
  default:
    error(what + " has element type " + onnxTypeName(t) +
          ", which Kiln does not support (supported: float, double, float16, "
          "bfloat16, int8/16/32/64, bool; uint8 only as quantized storage)");
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
  int64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0) {
      error(what + " has a negative dim " + Twine(d));
      return failure();
    }
    raw.shape.push_back(d);
    n *= d;
  }
  uint64_t want = static_cast<uint64_t>(n) * width;
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
    if (offset < 0 || offset + length >
                          static_cast<int64_t>((*file)->getBufferSize())) {
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

template <typename T> T load(const char *p) {
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
    default:
      return std::nullopt;
    }
  }
  return h;
}

FailureOr<Value> Importer::materialize(const RawTensor &raw, StringRef name) {
  if (raw.elemType == onnx::TensorProto::UINT8) {
    error("tensor '" + name + "' is uint8, which Kiln supports only as the "
          "input of DequantizeLinear");
    return failure();
  }
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

FailureOr<Value> Importer::constantFromHost(const HostTensor &h) {
  if (!h.allStatic()) {
    error("a value computed from run-time dims (ONNX Shape) is used as a "
          "tensor; Kiln evaluates shape computations at compile time and "
          "cannot materialize it");
    return failure();
  }
  if (h.elemType == onnx::TensorProto::UINT8) {
    error("a uint8 tensor is used outside DequantizeLinear");
    return failure();
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

FailureOr<Value> Importer::reshapeTo(Value v, ArrayRef<SymInt> dims) {
  RankedTensorType type = typeOf(v);
  SmallVector<int64_t> spec;
  std::optional<size_t> inferred;
  for (auto [i, d] : llvm::enumerate(dims)) {
    if (d.isStatic()) {
      spec.push_back(d.value);
      continue;
    }
    if (d.source == v && d.dim == i && i < static_cast<size_t>(type.getRank())) {
      spec.push_back(0);
      continue;
    }
    if (inferred) {
      error("the target shape needs more than one dim that is only known at "
            "run time in a position that moves; Kiln cannot express it");
      return failure();
    }
    inferred = i;
    spec.push_back(-1);
  }
  return reshape(v, spec);
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
// Node handlers: structure
//===----------------------------------------------------------------------===//

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

LogicalResult Importer::importDropout(const onnx::NodeProto &n) {
  if (const HostTensor *training = host(n, 2))
    if (training->size() == 1 && training->at(0) != 0)
      return error("Dropout in training mode is not supported (inference "
                   "only)");
  if (hasInput(n, 2) && !host(n, 2))
    return error("Dropout's training_mode (input 2, '" + n.input(2) +
                 "') must be known at compile time, but it is computed at run "
                 "time");
  if (failed(importIdentity(n)))
    return failure();
  if (n.output_size() > 1 && !n.output(1).empty()) {
    // In inference the mask keeps everything.
    FailureOr<Value> x = input(n, 0);
    if (failed(x))
      return failure();
    RankedTensorType t = typeOf(*x);
    if (!t.hasStaticShape())
      return error("Dropout's mask output needs a static shape");
    FailureOr<Value> mask = make<BroadcastToOp>(
        scalar(1, b.getI1Type()), b.getDenseI64ArrayAttr(t.getShape()));
    if (failed(mask))
      return failure();
    setOutput(n, 1, *mask);
  }
  return success();
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
  const HostTensor *spec = host(n, 1);
  if (!spec)
    return error("Reshape's shape (input 1, '" + n.input(1) +
                 "') must be known at compile time, but it is computed at run "
                 "time");
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
  FailureOr<Value> r = reshapeTo(*x, spec->ints);
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
    auto clampIndex = [&](int64_t v) {
      if (v < 0)
        v += dim;
      return std::clamp<int64_t>(v, 0, dim);
    };
    HostTensor r;
    r.elemType = h->elemType;
    for (int64_t i = clampIndex((*starts)[0]); i < clampIndex((*ends)[0]);
         i += steps[0])
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

LogicalResult Importer::importConstantOfShape(const onnx::NodeProto &n) {
  FailureOr<SmallVector<int64_t>> shapeVals =
      hostInts(n, 0, "ConstantOfShape's shape");
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
  const HostTensor *spec = host(n, 1);
  if (!spec)
    return error("Expand's shape (input 1, '" + n.input(1) +
                 "') must be known at compile time, but it is computed at run "
                 "time");
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  SmallVector<int64_t> shape;
  int64_t lead = static_cast<int64_t>(spec->ints.size()) - t.getRank();
  for (auto [i, d] : llvm::enumerate(spec->ints)) {
    if (d.isStatic()) {
      shape.push_back(d.value);
      continue;
    }
    int64_t j = static_cast<int64_t>(i) - lead;
    if (d.source == *x && static_cast<int64_t>(d.dim) == j) {
      shape.push_back(1); // keeps the input's own dim
      continue;
    }
    return error("Expand to a run-time dim of another tensor is not "
                 "supported");
  }
  FailureOr<Value> r = make<BroadcastToOp>(*x, b.getDenseI64ArrayAttr(shape));
  return setResult(n, r);
}

LogicalResult Importer::importRange(const onnx::NodeProto &n) {
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
  if (count == 0)
    return error("Range gives an empty tensor, which Kiln does not support");
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

//===----------------------------------------------------------------------===//
// Node handlers: elementwise
//===----------------------------------------------------------------------===//

LogicalResult Importer::importUnary(const onnx::NodeProto &n) {
  StringRef op = n.op_type();
  if (const HostTensor *h = host(n, 0)) {
    if ((op == "Neg" || op == "Abs") && !h->isFloatType() && h->allStatic()) {
      HostTensor r = *h;
      for (SymInt &v : r.ints)
        v = SymInt(op == "Neg" ? -v.value : std::abs(v.value));
      setHost(n, 0, std::move(r));
      return success();
    }
  }
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  FailureOr<Value> r = failure();
  if (op == "Relu")
    r = make<ReluOp>(*x);
  else if (op == "Sigmoid")
    r = make<SigmoidOp>(*x);
  else if (op == "Tanh")
    r = make<TanhOp>(*x);
  else if (op == "Exp")
    r = make<ExpOp>(*x);
  else if (op == "Log")
    r = make<LogOp>(*x);
  else if (op == "Sqrt")
    r = make<SqrtOp>(*x);
  else if (op == "Erf")
    r = make<ErfOp>(*x);
  else if (op == "Neg")
    r = make<NegOp>(*x);
  else if (op == "Abs")
    r = make<AbsOp>(*x);
  return setResult(n, r);
}

/// Integer arithmetic on host tensors (shape computations).
static std::optional<HostTensor> foldHostBinary(StringRef op,
                                                const HostTensor &l,
                                                const HostTensor &r) {
  if (l.isFloatType() || r.isFloatType() || !l.allStatic() || !r.allStatic())
    return std::nullopt;
  if (l.size() != r.size() && l.size() != 1 && r.size() != 1)
    return std::nullopt;
  HostTensor out = l.size() >= r.size() ? l : r;
  for (int64_t i = 0, e = out.size(); i < e; ++i) {
    int64_t a = l.ints[l.size() == 1 ? 0 : i].value;
    int64_t c = r.ints[r.size() == 1 ? 0 : i].value;
    int64_t v;
    if (op == "Add")
      v = a + c;
    else if (op == "Sub")
      v = a - c;
    else if (op == "Mul")
      v = a * c;
    else if (op == "Div" && c != 0)
      v = a / c;
    else
      return std::nullopt;
    out.ints[i] = {v};
  }
  return out;
}

LogicalResult Importer::importBinary(const onnx::NodeProto &n) {
  StringRef op = n.op_type();
  if (const HostTensor *l = host(n, 0))
    if (const HostTensor *r = host(n, 1))
      if (std::optional<HostTensor> folded = foldHostBinary(op, *l, *r)) {
        setHost(n, 0, std::move(*folded));
        return success();
      }
  FailureOr<Value> l = input(n, 0), r = input(n, 1);
  if (failed(l) || failed(r))
    return failure();
  FailureOr<Value> out = failure();
  if (op == "Add")
    out = make<AddOp>(*l, *r);
  else if (op == "Sub")
    out = make<SubOp>(*l, *r);
  else if (op == "Mul")
    out = make<MulOp>(*l, *r);
  else if (op == "Div")
    out = make<DivOp>(*l, *r);
  return setResult(n, out);
}

LogicalResult Importer::importVariadic(const onnx::NodeProto &n) {
  StringRef op = n.op_type();
  FailureOr<Value> acc = input(n, 0);
  if (failed(acc))
    return failure();
  for (int i = 1; i < n.input_size(); ++i) {
    FailureOr<Value> v = input(n, i);
    if (failed(v))
      return failure();
    if (op == "Max")
      acc = make<MaxOp>(*acc, *v);
    else if (op == "Min")
      acc = make<MinOp>(*acc, *v);
    else
      acc = make<AddOp>(*acc, *v);
    if (failed(acc))
      return failure();
  }
  if (op == "Mean" && n.input_size() > 1) {
    acc = make<DivOp>(*acc,
                      scalar(n.input_size(), typeOf(*acc).getElementType()));
    if (failed(acc))
      return failure();
  }
  setOutput(n, 0, *acc);
  return success();
}

LogicalResult Importer::importCompare(const onnx::NodeProto &n) {
  StringRef op = n.op_type();
  ComparePredicate pred = llvm::StringSwitch<ComparePredicate>(op)
                              .Case("Equal", ComparePredicate::EQ)
                              .Case("Less", ComparePredicate::LT)
                              .Case("LessOrEqual", ComparePredicate::LE)
                              .Case("Greater", ComparePredicate::GT)
                              .Default(ComparePredicate::GE);
  FailureOr<Value> l = input(n, 0), r = input(n, 1);
  if (failed(l) || failed(r))
    return failure();
  FailureOr<Value> out = make<CompareOp>(
      ComparePredicateAttr::get(&ctx, pred), *l, *r);
  return setResult(n, out);
}

LogicalResult Importer::importNot(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  FailureOr<Value> out =
      make<CompareOp>(ComparePredicateAttr::get(&ctx, ComparePredicate::EQ),
                      *x, scalar(0, b.getI1Type()));
  return setResult(n, out);
}

LogicalResult Importer::importWhere(const onnx::NodeProto &n) {
  FailureOr<Value> c = input(n, 0), t = input(n, 1), f = input(n, 2);
  if (failed(c) || failed(t) || failed(f))
    return failure();
  FailureOr<Value> out = make<SelectOp>(*c, *t, *f);
  return setResult(n, out);
}

LogicalResult Importer::importClip(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  Type elem = typeOf(*x).getElementType();
  if (elem.isInteger()) {
    unsigned w = elem.getIntOrFloatBitWidth();
    lo = static_cast<double>(APInt::getSignedMinValue(w).getSExtValue());
    hi = static_cast<double>(APInt::getSignedMaxValue(w).getSExtValue());
  }
  if (opset < 11) {
    lo = attrFloat(n, "min", lo);
    hi = attrFloat(n, "max", hi);
  } else {
    if (hasInput(n, 1)) {
      FailureOr<SmallVector<double>> v = hostFloats(n, 1, "Clip's min");
      if (failed(v))
        return failure();
      lo = (*v)[0];
    }
    if (hasInput(n, 2)) {
      FailureOr<SmallVector<double>> v = hostFloats(n, 2, "Clip's max");
      if (failed(v))
        return failure();
      hi = (*v)[0];
    }
  }
  if (lo <= hi)
    return setResult(
        n, make<ClampOp>(*x, b.getF64FloatAttr(lo), b.getF64FloatAttr(hi)));
  // ONNX: with min > max every element becomes max.
  FailureOr<Value> r = make<MaxOp>(*x, scalar(lo, elem));
  if (failed(r))
    return failure();
  return setResult(n, make<MinOp>(*r, scalar(hi, elem)));
}

LogicalResult Importer::importLeakyRelu(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  Type elem = typeOf(*x).getElementType();
  double alpha = attrFloat(n, "alpha", 0.01);
  FailureOr<Value> neg =
      make<CompareOp>(ComparePredicateAttr::get(&ctx, ComparePredicate::LT),
                      *x, scalar(0, elem));
  FailureOr<Value> scaled = make<MulOp>(*x, scalar(alpha, elem));
  if (failed(neg) || failed(scaled))
    return failure();
  FailureOr<Value> r = make<SelectOp>(*neg, *scaled, *x);
  return setResult(n, r);
}

LogicalResult Importer::importPRelu(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0), slope = input(n, 1);
  if (failed(x) || failed(slope))
    return failure();
  Type elem = typeOf(*x).getElementType();
  FailureOr<Value> neg =
      make<CompareOp>(ComparePredicateAttr::get(&ctx, ComparePredicate::LT),
                      *x, scalar(0, elem));
  FailureOr<Value> scaled = make<MulOp>(*x, *slope);
  if (failed(neg) || failed(scaled))
    return failure();
  FailureOr<Value> r = make<SelectOp>(*neg, *scaled, *x);
  return setResult(n, r);
}

LogicalResult Importer::importHardSigmoid(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  Type elem = typeOf(*x).getElementType();
  FailureOr<Value> s =
      make<MulOp>(*x, scalar(attrFloat(n, "alpha", 0.2), elem));
  if (failed(s))
    return failure();
  s = make<AddOp>(*s, scalar(attrFloat(n, "beta", 0.5), elem));
  if (failed(s))
    return failure();
  FailureOr<Value> r =
      make<ClampOp>(*s, b.getF64FloatAttr(0.0), b.getF64FloatAttr(1.0));
  return setResult(n, r);
}

LogicalResult Importer::importHardSwish(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  Type elem = typeOf(*x).getElementType();
  FailureOr<Value> s = make<MulOp>(*x, scalar(1.0 / 6.0, elem));
  if (failed(s))
    return failure();
  s = make<AddOp>(*s, scalar(0.5, elem));
  if (failed(s))
    return failure();
  s = make<ClampOp>(*s, b.getF64FloatAttr(0.0), b.getF64FloatAttr(1.0));
  if (failed(s))
    return failure();
  FailureOr<Value> r = make<MulOp>(*x, *s);
  return setResult(n, r);
}

LogicalResult Importer::importSoftplus(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  Type elem = typeOf(*x).getElementType();
  // log(1 + exp(x)) = max(x, 0) + log(1 + exp(-|x|)), stable for large |x|.
  FailureOr<Value> ax = make<AbsOp>(*x);
  if (failed(ax))
    return failure();
  FailureOr<Value> e = make<NegOp>(*ax);
  if (failed(e))
    return failure();
  e = make<ExpOp>(*e);
  if (failed(e))
    return failure();
  e = make<AddOp>(*e, scalar(1.0, elem));
  if (failed(e))
    return failure();
  e = make<LogOp>(*e);
  FailureOr<Value> pos = make<ReluOp>(*x);
  if (failed(e) || failed(pos))
    return failure();
  FailureOr<Value> r = make<AddOp>(*pos, *e);
  return setResult(n, r);
}

LogicalResult Importer::importElu(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  Type elem = typeOf(*x).getElementType();
  FailureOr<Value> neg =
      make<CompareOp>(ComparePredicateAttr::get(&ctx, ComparePredicate::LT),
                      *x, scalar(0, elem));
  FailureOr<Value> e = make<ExpOp>(*x);
  if (succeeded(e))
    e = make<SubOp>(*e, scalar(1.0, elem));
  if (succeeded(e))
    e = make<MulOp>(*e, scalar(attrFloat(n, "alpha", 1.0), elem));
  if (failed(neg) || failed(e))
    return failure();
  FailureOr<Value> r = make<SelectOp>(*neg, *e, *x);
  return setResult(n, r);
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
  if (!t.hasStaticShape())
    return error("Size of a tensor with run-time dims is not supported");
  HostTensor h;
  h.elemType = onnx::TensorProto::INT64;
  h.ints.push_back(t.getNumElements());
  setHost(n, 0, std::move(h));
  return success();
}

LogicalResult Importer::importCastLike(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0), like = input(n, 1);
  if (failed(x) || failed(like))
    return failure();
  FailureOr<Value> r = castTo(*x, typeOf(*like).getElementType());
  return setResult(n, r);
}

LogicalResult Importer::importReciprocal(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  FailureOr<Value> r =
      make<DivOp>(scalar(1.0, typeOf(*x).getElementType()), *x);
  return setResult(n, r);
}

LogicalResult Importer::importPow(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0), y = input(n, 1);
  if (failed(x) || failed(y))
    return failure();
  Type elem = typeOf(*x).getElementType();
  // Integer powers are computed in f64 (exact below 2^53) and cast back.
  Type computeType = isa<FloatType>(elem) ? elem : b.getF64Type();
  FailureOr<Value> xc = castTo(*x, computeType);
  FailureOr<Value> yc = castTo(*y, computeType);
  if (failed(xc) || failed(yc))
    return failure();
  FailureOr<Value> r = make<PowOp>(*xc, *yc);
  if (failed(r))
    return failure();
  r = castTo(*r, elem);
  return setResult(n, r);
}

LogicalResult Importer::importCast(const onnx::NodeProto &n) {
  int to = attrInt(n, "to", 0);
  if (const HostTensor *h = host(n, 0)) {
    bool toFloat = to == onnx::TensorProto::FLOAT ||
                   to == onnx::TensorProto::DOUBLE;
    bool toInt = to == onnx::TensorProto::INT64 ||
                 to == onnx::TensorProto::INT32;
    if ((toFloat || toInt) && (h->allStatic() || (!h->isFloatType() && toInt))) {
      HostTensor r = *h;
      r.elemType = to;
      if (toFloat && !h->isFloatType()) {
        r.floats.clear();
        for (const SymInt &v : h->ints)
          r.floats.push_back(static_cast<double>(v.value));
        r.ints.clear();
      } else if (toInt && h->isFloatType()) {
        r.ints.clear();
        for (double v : h->floats)
          r.ints.push_back({static_cast<int64_t>(v)});
        r.floats.clear();
      }
      setHost(n, 0, std::move(r));
      return success();
    }
  }
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  FailureOr<Type> elem = elementType(to, "Cast's target type");
  if (failed(elem))
    return failure();
  FailureOr<Value> r = castTo(*x, *elem);
  return setResult(n, r);
}

//===----------------------------------------------------------------------===//
// Node handlers: CNN
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<int64_t>>
Importer::windowPads(const onnx::NodeProto &n, RankedTensorType input,
                     ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                     ArrayRef<int64_t> dilations) {
  std::string autoPad = attrString(n, "auto_pad", "NOTSET");
  SmallVector<int64_t> pads =
      attrInts(n, "pads").value_or(SmallVector<int64_t>{0, 0, 0, 0});
  if (pads.size() != 4) {
    error("pads has " + Twine(pads.size()) + " entries; 2-D windows need 4");
    return failure();
  }
  if (autoPad == "NOTSET")
    return pads; // [top, left, bottom, right] in both ONNX and Kiln.
  if (autoPad == "VALID")
    return SmallVector<int64_t>{0, 0, 0, 0};
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER") {
    error("unknown auto_pad '" + autoPad + "'");
    return failure();
  }
  for (int i = 0; i < 2; ++i) {
    int64_t in = input.getDimSize(2 + i);
    if (ShapedType::isDynamic(in)) {
      error("auto_pad=" + autoPad + " needs static spatial dims");
      return failure();
    }
    int64_t out = (in + strides[i] - 1) / strides[i];
    int64_t total = std::max<int64_t>(
        (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in, 0);
    int64_t small = total / 2, large = total - small;
    pads[i] = autoPad == "SAME_UPPER" ? small : large;
    pads[i + 2] = autoPad == "SAME_UPPER" ? large : small;
  }
  return pads;
}

LogicalResult Importer::importConv(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0), w = input(n, 1);
  if (failed(x) || failed(w))
    return failure();
  RankedTensorType xt = typeOf(*x), wt = typeOf(*w);
  if (xt.getRank() != 4 || wt.getRank() != 4)
    return error("only 2-D convolution (4-D input and weight) is supported; "
                 "the input has rank " + Twine(xt.getRank()));
  SmallVector<int64_t> kernel = {wt.getDimSize(2), wt.getDimSize(3)};
  SmallVector<int64_t> strides =
      attrInts(n, "strides").value_or(SmallVector<int64_t>{1, 1});
  SmallVector<int64_t> dilations =
      attrInts(n, "dilations").value_or(SmallVector<int64_t>{1, 1});
  FailureOr<SmallVector<int64_t>> pads =
      windowPads(n, xt, kernel, strides, dilations);
  if (failed(pads))
    return failure();
  Value bias;
  if (hasInput(n, 2)) {
    FailureOr<Value> bv = input(n, 2);
    if (failed(bv))
      return failure();
    bias = *bv;
  }
  FailureOr<Value> r = make<Conv2DOp>(
      *x, *w, bias, b.getDenseI64ArrayAttr(strides),
      b.getDenseI64ArrayAttr(dilations), b.getDenseI64ArrayAttr(*pads),
      b.getI64IntegerAttr(attrInt(n, "group", 1)),
      LayoutAttr::get(&ctx, Layout::NCHW));
  return setResult(n, r);
}

LogicalResult Importer::importPool(const onnx::NodeProto &n) {
  bool isMax = n.op_type() == "MaxPool";
  if (isMax && failed(requireUnusedOutput(n, 1, "MaxPool indices")))
    return failure();
  if (attrInt(n, "storage_order", 0) != 0)
    return error("MaxPool storage_order=1 is not supported");
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  RankedTensorType xt = typeOf(*x);
  std::optional<SmallVector<int64_t>> kernel = attrInts(n, "kernel_shape");
  if (xt.getRank() != 4 || !kernel || kernel->size() != 2)
    return error("only 2-D pooling (4-D input, 2 kernel dims) is supported");
  SmallVector<int64_t> strides =
      attrInts(n, "strides").value_or(SmallVector<int64_t>{1, 1});
  SmallVector<int64_t> dilations =
      attrInts(n, "dilations").value_or(SmallVector<int64_t>{1, 1});
  FailureOr<SmallVector<int64_t>> pads =
      windowPads(n, xt, *kernel, strides, dilations);
  if (failed(pads))
    return failure();
  FailureOr<Value> r = make<Pool2DOp>(
      PoolKindAttr::get(&ctx, isMax ? PoolKind::Max : PoolKind::Avg), *x,
      b.getDenseI64ArrayAttr(*kernel), b.getDenseI64ArrayAttr(strides),
      b.getDenseI64ArrayAttr(dilations), b.getDenseI64ArrayAttr(*pads),
      b.getBoolAttr(attrInt(n, "ceil_mode", 0) != 0),
      b.getBoolAttr(attrInt(n, "count_include_pad", 0) != 0),
      LayoutAttr::get(&ctx, Layout::NCHW));
  return setResult(n, r);
}

LogicalResult Importer::importGlobalPool(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  int64_t rank = typeOf(*x).getRank();
  if (rank < 3)
    return error("global pooling needs an input of rank 3 or more");
  FailureOr<Value> r = failure();
  if (n.op_type() == "GlobalAveragePool" && rank == 4) {
    r = make<GlobalAvgPoolOp>(*x, LayoutAttr::get(&ctx, Layout::NCHW));
  } else {
    SmallVector<int64_t> axes;
    for (int64_t i = 2; i < rank; ++i)
      axes.push_back(i);
    if (n.op_type() == "GlobalAveragePool")
      r = make<ReduceMeanOp>(*x, b.getDenseI64ArrayAttr(axes),
                             b.getBoolAttr(true));
    else
      r = make<ReduceMaxOp>(*x, b.getDenseI64ArrayAttr(axes),
                            b.getBoolAttr(true));
  }
  return setResult(n, r);
}

LogicalResult Importer::importBatchNorm(const onnx::NodeProto &n) {
  if (attrInt(n, "training_mode", 0))
    return error("BatchNormalization in training mode is not supported");
  for (int i = 1; i < 3; ++i)
    if (failed(requireUnusedOutput(n, i, "running statistics")))
      return failure();
  SmallVector<Value> ops;
  for (int i = 0; i < 5; ++i) {
    FailureOr<Value> v = input(n, i);
    if (failed(v))
      return failure();
    ops.push_back(*v);
  }
  FailureOr<Value> r = make<BatchNormOp>(
      ops[0], ops[1], ops[2], ops[3], ops[4],
      b.getF64FloatAttr(attrFloat(n, "epsilon", 1e-5)), b.getI64IntegerAttr(1));
  return setResult(n, r);
}

LogicalResult Importer::importLayerNorm(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  int64_t rank = typeOf(*x).getRank();
  double epsilon = attrFloat(n, "epsilon", 1e-5);
  bool wantStats = (n.output_size() > 1 && !n.output(1).empty()) ||
                   (n.output_size() > 2 && !n.output(2).empty());
  if (wantStats) {
    // The optional Mean and InvStdDev outputs, over dims [axis, rank).
    SmallVector<int64_t> axes = {attrInt(n, "axis", -1)};
    if (failed(normalizeAxes(axes, rank)))
      return failure();
    SmallVector<int64_t> dims;
    for (int64_t i = axes[0]; i < rank; ++i)
      dims.push_back(i);
    auto dimsAttr = b.getDenseI64ArrayAttr(dims);
    FailureOr<Value> mean = make<ReduceMeanOp>(*x, dimsAttr, b.getBoolAttr(true));
    if (failed(mean))
      return failure();
    FailureOr<Value> d = make<SubOp>(*x, *mean);
    if (failed(d))
      return failure();
    FailureOr<Value> sq = make<MulOp>(*d, *d);
    if (failed(sq))
      return failure();
    FailureOr<Value> var = make<ReduceMeanOp>(*sq, dimsAttr, b.getBoolAttr(true));
    if (failed(var))
      return failure();
    FailureOr<Value> inv = make<AddOp>(
        *var, scalar(epsilon, typeOf(*var).getElementType()));
    if (failed(inv))
      return failure();
    inv = make<RsqrtOp>(*inv);
    if (failed(inv))
      return failure();
    setOutput(n, 1, *mean);
    setOutput(n, 2, *inv);
  }
  Value scale, bias;
  if (hasInput(n, 1)) {
    FailureOr<Value> v = input(n, 1);
    if (failed(v))
      return failure();
    scale = *v;
  }
  if (hasInput(n, 2)) {
    FailureOr<Value> v = input(n, 2);
    if (failed(v))
      return failure();
    bias = *v;
  }
  FailureOr<Value> r = make<LayerNormOp>(
      *x, scale, bias, b.getI64IntegerAttr(attrInt(n, "axis", -1)),
      b.getF64FloatAttr(epsilon));
  return setResult(n, r);
}

LogicalResult Importer::importGemm(const onnx::NodeProto &n) {
  FailureOr<Value> a = input(n, 0), w = input(n, 1);
  if (failed(a) || failed(w))
    return failure();
  double alpha = attrFloat(n, "alpha", 1.0), beta = attrFloat(n, "beta", 1.0);
  bool transA = attrInt(n, "transA", 0), transB = attrInt(n, "transB", 0);
  Value c;
  if (hasInput(n, 2)) {
    FailureOr<Value> cv = input(n, 2);
    if (failed(cv))
      return failure();
    c = *cv;
  }
  if (typeOf(*a).getRank() != 2 || typeOf(*w).getRank() != 2)
    return error("Gemm operands must be 2-D");
  Type elem = typeOf(*a).getElementType();
  FailureOr<Value> r = failure();
  // x · Wᵀ + b with a [N] bias is kiln.linear (nn.Linear as exported).
  if (transB && !transA && alpha == 1.0 && beta == 1.0 &&
      (!c || typeOf(c).getRank() == 1)) {
    r = make<LinearOp>(*a, *w, c);
    if (failed(r))
      return failure();
    setOutput(n, 0, *r);
    return success();
  }
  r = make<MatmulOp>(*a, *w, b.getBoolAttr(transA), b.getBoolAttr(transB));
  if (failed(r))
    return failure();
  if (alpha != 1.0)
    r = make<MulOp>(*r, scalar(alpha, elem));
  if (succeeded(r) && c) {
    Value cc = c;
    if (beta != 1.0) {
      FailureOr<Value> s = make<MulOp>(c, scalar(beta, elem));
      if (failed(s))
        return failure();
      cc = *s;
    }
    r = make<AddOp>(*r, cc);
  }
  return setResult(n, r);
}

LogicalResult Importer::importMatMul(const onnx::NodeProto &n) {
  FailureOr<Value> l = input(n, 0), r = input(n, 1);
  if (failed(l) || failed(r))
    return failure();
  // numpy.matmul: a 1-D lhs is a row, a 1-D rhs a column; both dims are
  // removed again afterwards.
  Value lhs = *l, rhs = *r;
  int64_t lr = typeOf(lhs).getRank(), rr = typeOf(rhs).getRank();
  if (lr == 0 || rr == 0)
    return error("MatMul operands must have rank 1 or more");
  if (lr == 1) {
    FailureOr<Value> v = reshape(lhs, {1, -1});
    if (failed(v))
      return failure();
    lhs = *v;
  }
  if (rr == 1) {
    FailureOr<Value> v = reshape(rhs, {-1, 1});
    if (failed(v))
      return failure();
    rhs = *v;
  }
  FailureOr<Value> out =
      make<MatmulOp>(lhs, rhs, b.getBoolAttr(false), b.getBoolAttr(false));
  if (failed(out))
    return failure();
  if (lr == 1 || rr == 1) {
    RankedTensorType t = typeOf(*out);
    SmallVector<SymInt> dims;
    int64_t rank = t.getRank();
    for (int64_t i = 0; i < rank; ++i) {
      if ((lr == 1 && i == rank - 2) || (rr == 1 && i == rank - 1))
        continue;
      if (t.isDynamicDim(i))
        dims.push_back({0, *out, static_cast<unsigned>(i)});
      else
        dims.push_back({t.getDimSize(i)});
    }
    out = reshapeTo(*out, dims);
    if (failed(out))
      return failure();
  }
  setOutput(n, 0, *out);
  return success();
}

LogicalResult Importer::importSoftmax(const onnx::NodeProto &n) {
  bool isLog = n.op_type() == "LogSoftmax";
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  int64_t rank = t.getRank();
  int64_t axis = attrInt(n, "axis", opset < 13 ? 1 : -1);
  SmallVector<int64_t> axes = {axis};
  if (failed(normalizeAxes(axes, rank)))
    return failure();
  axis = axes[0];
  auto build = [&](Value v, int64_t ax) -> FailureOr<Value> {
    if (isLog)
      return make<LogSoftmaxOp>(v, b.getI64IntegerAttr(ax));
    return make<SoftmaxOp>(v, b.getI64IntegerAttr(ax));
  };
  FailureOr<Value> r = failure();
  if (opset >= 13 || axis == rank - 1) {
    r = build(*x, axis);
  } else {
    // Opsets < 13 normalize the input flattened to 2-D at `axis`.
    std::optional<int64_t> inner = shape::staticElementCount(
        t.getShape().drop_front(axis));
    if (!inner)
      return error("Softmax (opset < 13) over run-time dims is not supported");
    FailureOr<Value> flat = reshape(*x, {-1, *inner});
    if (failed(flat))
      return failure();
    r = build(*flat, 1);
    if (failed(r))
      return failure();
    SmallVector<SymInt> dims;
    for (int64_t i = 0; i < rank; ++i)
      dims.push_back(t.isDynamicDim(i)
                         ? SymInt{0, *x, static_cast<unsigned>(i)}
                         : SymInt{t.getDimSize(i)});
    r = reshapeTo(*r, dims);
  }
  return setResult(n, r);
}

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
  else if (op == "ReduceMax")
    r = make<ReduceMaxOp>(*x, axesAttr, b.getBoolAttr(keep));
  else if (op == "ReduceMin")
    r = make<ReduceMinOp>(*x, axesAttr, b.getBoolAttr(keep));
  else
    r = make<ReduceProdOp>(*x, axesAttr, b.getBoolAttr(keep));
  return setResult(n, r);
}

LogicalResult Importer::importPad(const onnx::NodeProto &n) {
  std::string mode = attrString(n, "mode", "constant");
  if (mode != "constant")
    return error("Pad mode '" + mode + "' is not supported (only constant)");
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
  if (hasInput(n, 2)) {
    FailureOr<SmallVector<double>> v = hostFloats(n, 2, "Pad's constant_value");
    if (failed(v))
      return failure();
    value = v->empty() ? 0 : (*v)[0];
  }
  SmallVector<int64_t> low(pads->begin(), pads->begin() + rank),
      high(pads->begin() + rank, pads->end());
  for (int64_t p : *pads)
    if (p < 0)
      return error("Pad with negative pads (cropping) is not supported");
  FailureOr<Value> r =
      make<PadOp>(*x, b.getDenseI64ArrayAttr(low), b.getDenseI64ArrayAttr(high),
                  b.getF64FloatAttr(value));
  return setResult(n, r);
}

LogicalResult Importer::importResize(const onnx::NodeProto &n) {
  std::string mode = attrString(n, "mode", "nearest");
  std::string coord =
      attrString(n, "coordinate_transformation_mode", "half_pixel");
  std::string nearest = attrString(n, "nearest_mode", "round_prefer_floor");
  if (mode != "nearest" && mode != "linear")
    return error("Resize mode '" + mode +
                 "' is not supported (nearest and linear are)");
  if (coord == "tf_crop_and_resize")
    return error("Resize coordinate_transformation_mode 'tf_crop_and_resize' "
                 "is not supported");
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  int64_t rank = t.getRank();
  SmallVector<double> scales;
  SmallVector<int64_t> sizes;
  if (hasInput(n, 3)) {
    FailureOr<SmallVector<int64_t>> s = hostInts(n, 3, "Resize's sizes");
    if (failed(s))
      return failure();
    sizes = *s;
  }
  if (sizes.empty() && hasInput(n, 2)) {
    FailureOr<SmallVector<double>> s = hostFloats(n, 2, "Resize's scales");
    if (failed(s))
      return failure();
    scales = *s;
  }
  if (sizes.empty() && scales.empty())
    return error("Resize needs scales or sizes");
  if (static_cast<int64_t>(std::max(sizes.size(), scales.size())) != rank)
    return error("Resize's scales/sizes must have one entry per dim");
  Value current = *x;
  Type elem = t.getElementType();
  for (int64_t axis = 0; axis < rank; ++axis) {
    int64_t in = t.getDimSize(axis);
    double scale;
    int64_t out;
    if (!sizes.empty()) {
      out = sizes[axis];
      if (!ShapedType::isDynamic(in) && out == in)
        continue;
      scale = ShapedType::isDynamic(in) ? 1.0 : double(out) / double(in);
    } else {
      scale = scales[axis];
      if (scale == 1.0)
        continue;
      out = ShapedType::isDynamic(in)
                ? 0
                : static_cast<int64_t>(std::floor(in * scale));
    }
    if (ShapedType::isDynamic(in))
      return error("Resize along a run-time dim is not supported");
    if (out <= 0 || scale <= 0)
      return error("Resize to an empty dim is not supported");
    auto original = [&](int64_t o) -> double {
      if (coord == "half_pixel")
        return (o + 0.5) / scale - 0.5;
      if (coord == "pytorch_half_pixel")
        return out > 1 ? (o + 0.5) / scale - 0.5 : 0.0;
      // ONNX divides by the unrounded output length in * scale.
      if (coord == "align_corners")
        return out == 1 ? 0.0 : double(o) * (in - 1) / (in * scale - 1);
      if (coord == "tf_half_pixel_for_nn")
        return (o + 0.5) / scale;
      return o / scale; // asymmetric
    };
    HostTensor i0, i1;
    i0.elemType = i1.elemType = onnx::TensorProto::INT64;
    i0.shape = i1.shape = {out};
    SmallVector<double> w0, w1;
    for (int64_t o = 0; o < out; ++o) {
      double xo = original(o);
      if (mode == "nearest") {
        double f = std::floor(xo);
        int64_t k;
        if (nearest == "floor")
          k = static_cast<int64_t>(f);
        else if (nearest == "ceil")
          k = static_cast<int64_t>(std::ceil(xo));
        else if (xo - f == 0.5)
          k = static_cast<int64_t>(nearest == "round_prefer_ceil" ? f + 1 : f);
        else
          k = static_cast<int64_t>(std::round(xo));
        i0.ints.push_back({std::clamp<int64_t>(k, 0, in - 1)});
      } else {
        double f = std::floor(xo);
        double frac = xo - f;
        i0.ints.push_back({std::clamp<int64_t>(static_cast<int64_t>(f), 0,
                                               in - 1)});
        i1.ints.push_back({std::clamp<int64_t>(static_cast<int64_t>(f) + 1, 0,
                                               in - 1)});
        w0.push_back(1.0 - frac);
        w1.push_back(frac);
      }
    }
    FailureOr<Value> idx0 = constantFromHost(i0);
    if (failed(idx0))
      return failure();
    FailureOr<Value> g0 =
        make<GatherOp>(current, *idx0, b.getI64IntegerAttr(axis));
    if (failed(g0))
      return failure();
    if (mode == "nearest") {
      current = *g0;
      continue;
    }
    FailureOr<Value> idx1 = constantFromHost(i1);
    if (failed(idx1))
      return failure();
    FailureOr<Value> g1 =
        make<GatherOp>(current, *idx1, b.getI64IntegerAttr(axis));
    FailureOr<Value> c0 = broadcastAlong(w0, elem, rank, axis);
    FailureOr<Value> c1 = broadcastAlong(w1, elem, rank, axis);
    if (failed(g1) || failed(c0) || failed(c1))
      return failure();
    FailureOr<Value> p0 = make<MulOp>(*g0, *c0), p1 = make<MulOp>(*g1, *c1);
    if (failed(p0) || failed(p1))
      return failure();
    FailureOr<Value> sum = make<AddOp>(*p0, *p1);
    if (failed(sum))
      return failure();
    current = *sum;
  }
  setOutput(n, 0, current);
  return success();
}

//===----------------------------------------------------------------------===//
// Node handlers: quantization
//===----------------------------------------------------------------------===//

/// Scale and zero point of a QuantizeLinear/DequantizeLinear node.
struct QuantParams {
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  bool isSigned = false;
};

static FailureOr<QuantParams> readQuantParams(FailureOr<SmallVector<double>> s,
                                              const HostTensor *zp) {
  if (failed(s))
    return failure();
  QuantParams q;
  q.scales = *s;
  if (zp) {
    q.isSigned = zp->elemType == onnx::TensorProto::INT8;
    for (const SymInt &v : zp->ints)
      q.zeroPoints.push_back(v.value);
  } else {
    q.zeroPoints.assign(q.scales.size(), 0);
  }
  return q;
}

LogicalResult Importer::importQuantizeLinear(const onnx::NodeProto &n) {
  FailureOr<Value> x = input(n, 0);
  if (failed(x))
    return failure();
  const HostTensor *zp = host(n, 2);
  if (hasInput(n, 2) && !zp)
    return error("QuantizeLinear's zero point (input 2, '" + n.input(2) +
                 "') must be known at compile time, but it is computed at run "
                 "time");
  if (zp && zp->elemType != onnx::TensorProto::INT8 &&
      zp->elemType != onnx::TensorProto::UINT8)
    return error("QuantizeLinear to " + onnxTypeName(zp->elemType) +
                 " is not supported (int8 and uint8 are)");
  FailureOr<QuantParams> q =
      readQuantParams(hostFloats(n, 1, "QuantizeLinear's scale"), zp);
  if (failed(q))
    return failure();
  RankedTensorType t = typeOf(*x);
  Type expressed = t.getElementType();
  Type storage = b.getIntegerType(8);
  unsigned flags = q->isSigned ? quant::QuantizationFlags::Signed : 0;
  int64_t lo = q->isSigned ? -128 : 0, hi = q->isSigned ? 127 : 255;
  Type qt;
  if (q->scales.size() == 1 && (!zp || zp->shape.empty() || zp->size() == 1)) {
    qt = quant::UniformQuantizedType::getChecked(
        loc, flags, storage, expressed, q->scales[0], q->zeroPoints[0], lo, hi);
  } else {
    int64_t axis = attrInt(n, "axis", 1);
    SmallVector<int64_t> axes = {axis};
    if (failed(normalizeAxes(axes, t.getRank())))
      return failure();
    qt = quant::UniformQuantizedPerAxisType::getChecked(
        loc, flags, storage, expressed, q->scales, q->zeroPoints, axes[0], lo,
        hi);
  }
  if (!qt)
    return failure();
  auto op = QuantizeOp::create(b, loc, t.clone(qt), *x);
  if (failed(op.verify())) {
    op->erase();
    return failure();
  }
  setOutput(n, 0, op.getResult());
  return success();
}

LogicalResult Importer::importDequantizeLinear(const onnx::NodeProto &n) {
  const HostTensor *zp = host(n, 2);
  FailureOr<SmallVector<double>> scales =
      hostFloats(n, 1, "DequantizeLinear's scale");
  if (failed(scales))
    return failure();
  int64_t axis = attrInt(n, "axis", 1);
  // A constant input (quantized weights) is dequantized at import time.
  if (const HostTensor *q = host(n, 0)) {
    HostTensor r;
    r.elemType = onnx::TensorProto::FLOAT;
    r.shape = q->shape;
    int64_t rank = q->shape.size();
    SmallVector<int64_t> axes = {axis};
    if (scales->size() > 1 && failed(normalizeAxes(axes, rank)))
      return failure();
    int64_t inner = 1;
    if (scales->size() > 1)
      for (int64_t i = axes[0] + 1; i < rank; ++i)
        inner *= q->shape[i];
    for (int64_t i = 0, e = q->size(); i < e; ++i) {
      int64_t c = scales->size() > 1
                      ? (i / inner) % static_cast<int64_t>(scales->size())
                      : 0;
      double zero = zp ? zp->at(zp->size() > 1 ? c : 0) : 0.0;
      r.floats.push_back(((*scales)[c]) *
                         (static_cast<double>(q->ints[i].value) - zero));
    }
    setHost(n, 0, std::move(r));
    return success();
  }
  FailureOr<Value> xv = input(n, 0);
  if (failed(xv))
    return failure();
  Value x = *xv;
  auto t = typeOf(x);
  if (!isa<quant::QuantizedType>(t.getElementType()))
    return error("DequantizeLinear of a non-constant " +
                 Twine(t.getElementType().isInteger() ? "integer" : "float") +
                 " tensor is supported only after QuantizeLinear (quantized "
                 "graph inputs are not supported)");
  FailureOr<Value> r = make<DequantizeOp>(x);
  return setResult(n, r);
}

//===----------------------------------------------------------------------===//
// Handler table
//===----------------------------------------------------------------------===//

const std::map<std::string, HandlerInfo> &handlers() {
  static const std::map<std::string, HandlerInfo> table = {
      {"Abs", {&Importer::importUnary, ""}},
      {"Add", {&Importer::importBinary, ""}},
      {"AveragePool", {&Importer::importPool, "2-D"}},
      {"BatchNormalization", {&Importer::importBatchNorm, "inference mode"}},
      {"Cast", {&Importer::importCast, "numeric types"}},
      {"CastLike", {&Importer::importCastLike, "numeric types"}},
      {"Clip", {&Importer::importClip, "constant min/max"}},
      {"Concat", {&Importer::importConcat, ""}},
      {"Constant", {&Importer::importConstant, "dense tensors"}},
      {"ConstantOfShape", {&Importer::importConstantOfShape, "constant shape"}},
      {"Conv", {&Importer::importConv, "2-D"}},
      {"DequantizeLinear",
       {&Importer::importDequantizeLinear,
        "constant inputs, or after QuantizeLinear"}},
      {"Div", {&Importer::importBinary, ""}},
      {"Dropout", {&Importer::importDropout, "inference mode"}},
      {"Elu", {&Importer::importElu, ""}},
      {"Equal", {&Importer::importCompare, ""}},
      {"Erf", {&Importer::importUnary, ""}},
      {"Exp", {&Importer::importUnary, ""}},
      {"Expand", {&Importer::importExpand, "constant shape"}},
      {"Flatten", {&Importer::importFlatten, ""}},
      {"Gather", {&Importer::importGather, ""}},
      {"Gemm", {&Importer::importGemm, ""}},
      {"GlobalAveragePool", {&Importer::importGlobalPool, ""}},
      {"GlobalMaxPool", {&Importer::importGlobalPool, ""}},
      {"Greater", {&Importer::importCompare, ""}},
      {"GreaterOrEqual", {&Importer::importCompare, ""}},
      {"HardSigmoid", {&Importer::importHardSigmoid, ""}},
      {"HardSwish", {&Importer::importHardSwish, ""}},
      {"Identity", {&Importer::importIdentity, "tensors"}},
      {"LayerNormalization", {&Importer::importLayerNorm, ""}},
      {"LeakyRelu", {&Importer::importLeakyRelu, ""}},
      {"Less", {&Importer::importCompare, ""}},
      {"LessOrEqual", {&Importer::importCompare, ""}},
      {"Log", {&Importer::importUnary, ""}},
      {"LogSoftmax", {&Importer::importSoftmax, ""}},
      {"MatMul", {&Importer::importMatMul, ""}},
      {"Max", {&Importer::importVariadic, ""}},
      {"MaxPool", {&Importer::importPool, "2-D, no indices output"}},
      {"Mean", {&Importer::importVariadic, ""}},
      {"Min", {&Importer::importVariadic, ""}},
      {"Mul", {&Importer::importBinary, ""}},
      {"Neg", {&Importer::importUnary, ""}},
      {"Not", {&Importer::importNot, ""}},
      {"Pad", {&Importer::importPad, "constant mode, constant pads"}},
      {"Pow", {&Importer::importPow, "integer powers computed in f64"}},
      {"PRelu", {&Importer::importPRelu, ""}},
      {"QuantizeLinear",
       {&Importer::importQuantizeLinear, "int8/uint8, constant scale"}},
      {"Range", {&Importer::importRange, "constant inputs"}},
      {"Reciprocal", {&Importer::importReciprocal, ""}},
      {"ReduceL1", {&Importer::importReduce, ""}},
      {"ReduceL2", {&Importer::importReduce, "float types"}},
      {"ReduceLogSum", {&Importer::importReduce, ""}},
      {"ReduceLogSumExp", {&Importer::importReduce, ""}},
      {"ReduceMax", {&Importer::importReduce, ""}},
      {"ReduceMean", {&Importer::importReduce, ""}},
      {"ReduceMin", {&Importer::importReduce, ""}},
      {"ReduceProd", {&Importer::importReduce, ""}},
      {"ReduceSum", {&Importer::importReduce, "constant axes"}},
      {"ReduceSumSquare", {&Importer::importReduce, ""}},
      {"Relu", {&Importer::importUnary, ""}},
      {"Reshape", {&Importer::importReshape, "compile-time shape"}},
      {"Resize",
       {&Importer::importResize,
        "nearest/linear, static resized dims, no tf_crop_and_resize"}},
      {"Shape", {&Importer::importShape, ""}},
      {"Sigmoid", {&Importer::importUnary, ""}},
      {"Size", {&Importer::importSize, "static shapes"}},
      {"Slice", {&Importer::importSlice, "constant starts/ends/axes/steps"}},
      {"Softmax", {&Importer::importSoftmax, ""}},
      {"Softplus", {&Importer::importSoftplus, ""}},
      {"Split", {&Importer::importSplit, "constant split"}},
      {"Sqrt", {&Importer::importUnary, ""}},
      {"Squeeze", {&Importer::importSqueeze, "constant axes"}},
      {"Sub", {&Importer::importBinary, ""}},
      {"Sum", {&Importer::importVariadic, ""}},
      {"Tanh", {&Importer::importUnary, ""}},
      {"Transpose", {&Importer::importTranspose, ""}},
      {"Unsqueeze", {&Importer::importUnsqueeze, "constant axes"}},
      {"Where", {&Importer::importWhere, ""}},
  };
  return table;
}

//===----------------------------------------------------------------------===//
// Model
//===----------------------------------------------------------------------===//

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
      shape.push_back(d.has_dim_value() && d.dim_value() > 0
                          ? d.dim_value()
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
  context.loadDialect<KilnDialect, func::FuncDialect, quant::QuantDialect>();
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
  if (*opset < kMinOnnxOpset || *opset > kMaxOnnxOpset) {
    emitError(fileLoc) << "the ONNX model uses opset " << *opset
                       << " of the default domain; Kiln supports opsets "
                       << kMinOnnxOpset << " to " << kMaxOnnxOpset
                       << " (convert it with onnx.version_converter)";
    return {};
  }
  try {
    if (options.check)
      onnx::checker::check_model(model);
    onnx::ShapeInferenceOptions inference(/*check_type=*/true,
                                          /*strict_mode=*/1,
                                          /*data_prop=*/false);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(),
                                       inference);
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

std::vector<OnnxOpSupport> mlir::kiln::getSupportedOnnxOps() {
  std::vector<OnnxOpSupport> ops;
  for (const auto &[name, info] : handlers())
    ops.push_back({name, info.notes});
  return ops;
}
