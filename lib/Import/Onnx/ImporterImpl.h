//===- ImporterImpl.h - ONNX importer internals -----------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Shared by the importer's core (Importer.cpp: model loading, checks, graph
// walk, handler dispatch, host-side tensors, frozen inputs) and one file per
// op family, each of which defines its node handlers and adds their rows to
// the handler table through its `register<Family>Handlers` function.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_LIB_IMPORT_ONNX_IMPORTERIMPL_H
#define KILN_LIB_IMPORT_ONNX_IMPORTERIMPL_H

#include "kiln/Import/Onnx.h"

#include "Kiln/IR/KilnOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

#include <map>
#include <optional>
#include <string>

namespace mlir::kiln::onnx_import {

//===----------------------------------------------------------------------===//
// Host-side tensors: small constants and shape computations
//===----------------------------------------------------------------------===//

/// One integer element that may be unknown until run time: then it is dim
/// `dim` of `source` (as produced by ONNX `Shape`), or `expr`, an `index`
/// value computed from such dims (ONNX arithmetic on shapes).
struct SymInt {
  SymInt(int64_t value = 0) : value(value) {}
  SymInt(int64_t value, Value source, unsigned dim)
      : value(value), source(source), dim(dim) {}
  /// `fromData`: read from a tensor at run time, so it may hold ONNX's
  /// special shape entries (0 copies a dim, -1 infers one).
  static SymInt computed(Value expr, bool fromData = false) {
    SymInt s(0);
    s.expr = expr;
    s.fromData = fromData;
    return s;
  }
  int64_t value;
  Value source;
  unsigned dim = 0;
  Value expr;
  bool fromData = false;
  bool isStatic() const { return !source && !expr; }
  /// Whether this is dim `d` of `v` itself.
  bool isDimOf(Value v, int64_t d) const {
    if (source)
      return source == v && static_cast<int64_t>(dim) == d;
    if (auto dimOp = expr ? expr.getDefiningOp<tensor::DimOp>() : nullptr)
      return dimOp.getSource() == v && dimOp.getConstantIndex() == d;
    return false;
  }
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

/// The name of an onnx TensorProto::DataType, for diagnostics.
std::string onnxTypeName(int t);

/// A failed value, for chains of `failed(x) ? failedValue() : make<...>`
/// (a bare `failure()` is ambiguous there).
inline FailureOr<Value> failedValue() { return failure(); }

//===----------------------------------------------------------------------===//
// The handler table
//===----------------------------------------------------------------------===//

/// One activation of a recurrent layer (RNN, GRU, LSTM) with its
/// parameters.
struct RecurrentActivation {
  std::string name;
  double alpha = 0, beta = 0;
};

class Importer;
using NodeHandler = LogicalResult (Importer::*)(const onnx::NodeProto &);

/// How an op type is imported, and its limits as listed in
/// SupportedONNXOps.md (empty when complete).
struct HandlerInfo {
  NodeHandler handler;
  const char *notes;
};

/// Default-domain op type -> handler, sorted by op type; it is also the
/// supported-op list.
using HandlerTable = std::map<std::string, HandlerInfo>;
using HandlerRow = HandlerTable::value_type;

/// Adds one family's rows; each op type belongs to one family.
void addHandlers(HandlerTable &table, ArrayRef<HandlerRow> rows);

/// One per op-family file; the core calls them all to build the table.
void registerContractionHandlers(HandlerTable &table);
void registerElementwiseHandlers(HandlerTable &table);
void registerNNHandlers(HandlerTable &table);
void registerQuantizationHandlers(HandlerTable &table);
void registerRecurrentHandlers(HandlerTable &table);
void registerReductionHandlers(HandlerTable &table);
void registerResizeHandlers(HandlerTable &table);
void registerTensorHandlers(HandlerTable &table);

//===----------------------------------------------------------------------===//
// The importer
//===----------------------------------------------------------------------===//

class Importer {
public:
  Importer(MLIRContext &ctx, StringRef sourceName,
           const OnnxImportOptions &options)
      : ctx(ctx), b(&ctx), sourceName(sourceName.str()), options(options) {}

  OwningOpRef<ModuleOp> run(onnx::ModelProto &model);

  // Node handlers, one or more op types each; the file of each family
  // defines them and adds their rows to the handler table.
  // Tensor.cpp
  LogicalResult importConstant(const onnx::NodeProto &n);
  LogicalResult importIdentity(const onnx::NodeProto &n);
  LogicalResult importSize(const onnx::NodeProto &n);
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
  LogicalResult rangeAtRunTime(const onnx::NodeProto &n);
  /// Scalar input `i` as an `elem` value: a constant, a run-time dim, or
  /// the element read from the tensor.
  Value runTimeScalar(const onnx::NodeProto &n, int i, Type elem);
  LogicalResult importPad(const onnx::NodeProto &n);
  // Elementwise.cpp
  LogicalResult importUnary(const onnx::NodeProto &n);
  LogicalResult importBinary(const onnx::NodeProto &n);
  LogicalResult importVariadic(const onnx::NodeProto &n);
  LogicalResult importCompare(const onnx::NodeProto &n);
  LogicalResult importNot(const onnx::NodeProto &n);
  LogicalResult importLogical(const onnx::NodeProto &n);
  LogicalResult importSign(const onnx::NodeProto &n);
  LogicalResult importMod(const onnx::NodeProto &n);
  LogicalResult importBitShift(const onnx::NodeProto &n);
  LogicalResult importArgMinMax(const onnx::NodeProto &n);
  LogicalResult importHardmax(const onnx::NodeProto &n);
  LogicalResult importActivation(const onnx::NodeProto &n);
  LogicalResult importIsNaNOrInf(const onnx::NodeProto &n);
  LogicalResult importInstanceNorm(const onnx::NodeProto &n);
  LogicalResult importLRN(const onnx::NodeProto &n);
  LogicalResult importMVN(const onnx::NodeProto &n);
  LogicalResult importDepthSpace(const onnx::NodeProto &n);
  LogicalResult importTrilu(const onnx::NodeProto &n);
  LogicalResult importEyeLike(const onnx::NodeProto &n);
  LogicalResult importTile(const onnx::NodeProto &n);
  LogicalResult importOneHot(const onnx::NodeProto &n);
  LogicalResult importNllLoss(const onnx::NodeProto &n);
  LogicalResult importGatherElements(const onnx::NodeProto &n);
  LogicalResult importCumSum(const onnx::NodeProto &n);
  LogicalResult importScatterElements(const onnx::NodeProto &n);
  LogicalResult importConvTranspose(const onnx::NodeProto &n);
  LogicalResult importGatherND(const onnx::NodeProto &n);
  LogicalResult importScatterND(const onnx::NodeProto &n);
  /// The flat offsets into `dt` (row-major over its first batch + k dims)
  /// of the index tuples in the last dim of `indices` (k entries, wrapped
  /// and range-checked), after `batch` leading batch dims.
  FailureOr<Value> flatOffsets(Value indices, RankedTensorType dt,
                               int64_t batch);
  /// The negative log-likelihood loss of `logProb` [N, C, d...] at `target`
  /// [N, d...], weighted, with `ignoreIndex` and `reduction` as ONNX's
  /// NegativeLogLikelihoodLoss.
  FailureOr<Value> nllLoss(Value logProb, Value target, Value weight,
                           std::optional<int64_t> ignoreIndex,
                           StringRef reduction);
  /// compare(`p`, x, y) as a boolean tensor.
  FailureOr<Value> compare(ComparePredicate p, Value x, Value y) {
    return make<CompareOp>(ComparePredicateAttr::get(&ctx, p), x, y);
  }
  /// The i64 constant [0, 1, ..., size - 1] along dim `axis` of a tensor of
  /// rank `rank` whose other dims are 1.
  Value iotaAlong(int64_t size, int64_t rank, int64_t axis);
  /// `indices` as i64, negative ones wrapped into [0, size) and any outside
  /// [-size, size) a run-time error naming the node: a gather from
  /// iotaAlong(size, 1, 0), which kiln.gather range-checks.
  FailureOr<Value> checkedIndices(Value indices, int64_t size);
  /// A constant of `type` from `values` (row-major).
  template <typename T>
  Value constant(RankedTensorType type, ArrayRef<T> values) {
    return ConstantOp::create(b, loc, type, DenseElementsAttr::get(type, values))
        .getResult();
  }
  LogicalResult importWhere(const onnx::NodeProto &n);
  LogicalResult importClip(const onnx::NodeProto &n);
  LogicalResult importLeakyRelu(const onnx::NodeProto &n);
  LogicalResult importPRelu(const onnx::NodeProto &n);
  LogicalResult importHardSigmoid(const onnx::NodeProto &n);
  LogicalResult importHardSwish(const onnx::NodeProto &n);
  LogicalResult importSoftplus(const onnx::NodeProto &n);
  LogicalResult importReciprocal(const onnx::NodeProto &n);
  LogicalResult importElu(const onnx::NodeProto &n);
  LogicalResult importCastLike(const onnx::NodeProto &n);
  LogicalResult importPow(const onnx::NodeProto &n);
  LogicalResult importCast(const onnx::NodeProto &n);
  // NN.cpp
  LogicalResult importDropout(const onnx::NodeProto &n);
  LogicalResult importConv(const onnx::NodeProto &n);
  /// A 1-D or 2-D convolution of `x` by `w` (+ `bias`, may be null) with
  /// `n`'s attributes (strides, dilations, pads, group).
  FailureOr<Value> convolution(const onnx::NodeProto &n, Value x, Value w,
                               Value bias);
  LogicalResult importPool(const onnx::NodeProto &n);
  LogicalResult importConv3D(const onnx::NodeProto &n, Value x, Value w);
  /// An NCDHW convolution as 2-D ones over depth slices; `pads` is
  /// [begins..., ends...].
  FailureOr<Value> conv3D(Value x, Value w, Value bias,
                          ArrayRef<int64_t> strides,
                          ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads,
                          int64_t group);
  LogicalResult importPool3D(const onnx::NodeProto &n, Value x,
                             ArrayRef<int64_t> kernel);
  LogicalResult importGlobalPool(const onnx::NodeProto &n);
  LogicalResult importBatchNorm(const onnx::NodeProto &n);
  LogicalResult importLayerNorm(const onnx::NodeProto &n);
  LogicalResult importSoftmax(const onnx::NodeProto &n);
  // Contraction.cpp
  LogicalResult importGemm(const onnx::NodeProto &n);
  LogicalResult importMatMul(const onnx::NodeProto &n);
  LogicalResult importEinsum(const onnx::NodeProto &n);
  /// `v` with the diagonal taken for every label that `labels` repeats
  /// (einsum "ii->i"); `labels` loses the repeats.
  FailureOr<Value> takeDiagonals(Value v, std::string &labels);
  /// `v`, whose dims are labelled `from`, transposed to the order `to`.
  FailureOr<Value> transposeTo(Value v, StringRef from, StringRef to);
  /// Sums `v` over the dims whose labels are not in `keep`, and drops them
  /// from `labels`.
  FailureOr<Value> sumOutLabels(Value v, std::string &labels, StringRef keep);
  // Recurrent.cpp
  LogicalResult importRecurrent(const onnx::NodeProto &n);
  FailureOr<Value> applyActivation(const RecurrentActivation &act, Value x);
  /// `v[begin:end]` along `axis`, the other dims whole.
  FailureOr<Value> sliceAlong(Value v, int64_t axis, int64_t begin,
                              int64_t end);
  /// Entry `d` of dim 0 of `v` (a per-direction weight), without that dim.
  FailureOr<Value> directionSlice(Value v, int64_t d);
  // Reduction.cpp
  LogicalResult importReduce(const onnx::NodeProto &n);
  LogicalResult importTopK(const onnx::NodeProto &n);
  // Resize.cpp
  LogicalResult importResize(const onnx::NodeProto &n);
  // Quantization.cpp
  LogicalResult importQuantizeLinear(const onnx::NodeProto &n);
  LogicalResult importDequantizeLinear(const onnx::NodeProto &n);
  /// Fails, naming the input, when zero point input `i` is given but not
  /// known at compile time (`zp` null).
  LogicalResult checkZeroPoint(const onnx::NodeProto &n, int i,
                               const HostTensor *zp, StringRef what);
  /// QLinearMatMul's and QLinearConv's inputs: x, its scale and zero point
  /// (0-2), w, its scale(s) and zero point(s) (3-5), the output's scale and
  /// zero point (6-7); scales and zero points known at compile time, x's
  /// and y's per tensor.
  struct QLinearInputs {
    Value x, w;
    SmallVector<double> xScales, wScales, yScales;
    const HostTensor *xZero = nullptr, *wZero = nullptr, *yZero = nullptr;
  };
  FailureOr<QLinearInputs> readQLinearInputs(const onnx::NodeProto &n,
                                             StringRef x, StringRef w);
  LogicalResult importMatMulInteger(const onnx::NodeProto &n);
  LogicalResult importDynamicQuantizeLinear(const onnx::NodeProto &n);
  LogicalResult importQLinearMatMul(const onnx::NodeProto &n);
  LogicalResult importConvInteger(const onnx::NodeProto &n);
  LogicalResult importQLinearConv(const onnx::NodeProto &n);
  /// (float(x) - zero point) * scale in `type`, per tensor or per slice
  /// along `axis`; `zp` may be null (0) and `scales` empty (1).
  FailureOr<Value> dequantizeTo(Value x, const HostTensor *zp,
                                ArrayRef<double> scales, Type type,
                                int64_t axis);
  /// clamp(round(y) + zp, the storage type's range) as `zp`'s type (uint8
  /// or int8; uint8 without one).
  FailureOr<Value> requantize(Value y, const HostTensor *zp);
  LogicalResult importConstantQDQ(const onnx::NodeProto &n,
                                  const HostTensor &q, ArrayRef<double> scales,
                                  const HostTensor *zp, int64_t axis);

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
  /// Dim `d` of `v`: its static size, or the run-time dim.
  SymInt dimOf(Value v, int64_t d) {
    RankedTensorType t = typeOf(v);
    return t.isDynamicDim(d) ? SymInt(-1, v, d) : SymInt(t.getDimSize(d));
  }
  /// Every dim of `v`, as dimOf gives it.
  SmallVector<SymInt> dimsOf(Value v) {
    SmallVector<SymInt> dims;
    for (int64_t d = 0, e = typeOf(v).getRank(); d < e; ++d)
      dims.push_back(dimOf(v, d));
    return dims;
  }

  // Tensors.
  FailureOr<RawTensor> readTensor(const onnx::TensorProto &t);
  std::optional<HostTensor> toHost(const RawTensor &raw);
  FailureOr<Value> materialize(const RawTensor &raw, StringRef name);
  FailureOr<Value> constantFromHost(const HostTensor &host);
  /// A tensor of shape `dims` (static or run-time) filled with the single
  /// element of `element`.
  FailureOr<Value> splatTo(Value element, ArrayRef<SymInt> dims);
  /// Whether `s` is dim `d` of `v` at run time: the same dim, or one that
  /// the ops between them state equal.
  bool isDimOf(const SymInt &s, Value v, int64_t d);
  /// Expand of `x` to `dims`, some read from a tensor at run time.
  FailureOr<Value> expandAtRunTime(Value x, ArrayRef<SymInt> dims);
  /// `s` as an `index` value: a constant, a `tensor.dim` or its expression.
  Value indexValue(const SymInt &s);
  /// Integer `op` (Add, Sub, Mul, Div) on two host tensors, folded where
  /// both are static and emitted as `index` arithmetic on run-time dims
  /// otherwise; none for other ops and types.
  std::optional<HostTensor> foldHostBinary(StringRef op, const HostTensor &l,
                                           const HostTensor &r);
  Value scalar(double v, Type elemType);

  // Values of the node being imported.
  bool hasInput(const onnx::NodeProto &n, int i) {
    return i < n.input_size() && !n.input(i).empty();
  }
  FailureOr<Value> input(const onnx::NodeProto &n, int i);
  /// input(n, i), or a null Value when the node leaves input `i` out.
  FailureOr<Value> optionalInput(const onnx::NodeProto &n, int i) {
    return hasInput(n, i) ? input(n, i) : FailureOr<Value>(Value());
  }
  const HostTensor *host(const onnx::NodeProto &n, int i);
  /// Input `i` as a shape: its host tensor, or, for a 1-D integer tensor of
  /// static length computed at run time (a graph input, say), one read of
  /// each element (`fromData` SymInts). Null, with an error naming `what`,
  /// otherwise.
  const HostTensor *shapeInput(const onnx::NodeProto &n, int i,
                               StringRef what);
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
  /// `sum + term`, or `term` when there is no sum yet (a null Value).
  FailureOr<Value> addTo(Value sum, Value term) {
    return sum ? make<AddOp>(sum, term) : FailureOr<Value>(term);
  }
  FailureOr<Value> reshape(Value v, ArrayRef<int64_t> spec) {
    return make<ReshapeOp>(v, b.getDenseI64ArrayAttr(spec));
  }
  /// Reshapes to `dims`, where each entry is static or names a run-time dim.
  /// With `allowZero` (ONNX Reshape's attribute), a 0 read at run time is
  /// a size, not a copy of the input dim.
  FailureOr<Value> reshapeTo(Value v, ArrayRef<SymInt> dims,
                             bool allowZero = false);
  /// Reshapes to `dims` with `tensor.reshape`, for shapes that kiln.reshape
  /// cannot state: several run-time sizes in new positions.
  FailureOr<Value> reshapeAtRunTime(Value v, ArrayRef<SymInt> dims,
                                    bool allowZero = false);
  FailureOr<Value> castTo(Value v, Type elemType);
  /// `v` in the next wider signed integer type when it is unsigned (which
  /// holds it exactly), for the ops whose lowering compares signed: pools,
  /// max/min reductions, ArgMax, TopK. `original` is the unsigned type to
  /// cast results back to, or null.
  FailureOr<Value> toSignedOrder(Value v, Type &original);
  FailureOr<Value> fromSignedOrder(Value v, Type original);
  Value signedMinimum(Type signedType);
  FailureOr<Value> broadcastAlong(ArrayRef<double> values, Type elemType,
                                  int64_t rank, int64_t axis);
  FailureOr<SmallVector<int64_t>> windowPads(const onnx::NodeProto &n,
                                             RankedTensorType input,
                                             ArrayRef<int64_t> kernel,
                                             ArrayRef<int64_t> strides,
                                             ArrayRef<int64_t> dilations,
                                             bool oneD = false);
  LogicalResult normalizeAxes(SmallVectorImpl<int64_t> &axes, int64_t rank);

  MLIRContext &ctx;
  OpBuilder b;
  std::string sourceName;
  OnnxImportOptions options;
  Location loc = UnknownLoc::get(&ctx);
  int64_t opset = 0;
  llvm::StringMap<Slot> values;
  /// Shape tensors computed at run time, read element by element.
  std::map<std::string, HostTensor> dataShapes;
};

} // namespace mlir::kiln::onnx_import

#endif // KILN_LIB_IMPORT_ONNX_IMPORTERIMPL_H
