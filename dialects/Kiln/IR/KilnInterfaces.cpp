//===- KilnInterfaces.cpp - Kiln op interfaces and their implementations --===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The interface definitions, and each kiln op's answers: the dims its
// lowering assumes equal and the arithmetic it performs. Elementwise ops get
// their dim equalities from the SameShapeDimEqualities and
// BroadcastDimEqualities traits; the ops here state theirs one by one.
//
//===----------------------------------------------------------------------===//

#include "Kiln/IR/KilnInterfaces.h"
#include "Kiln/IR/KilnOps.h"
#include "Kiln/IR/LayoutUtils.h"
#include "Kiln/IR/ShapeUtils.h"

#include "llvm/ADT/SmallBitVector.h"
#include "llvm/Support/CheckedArithmetic.h"

#include <limits>

using namespace mlir;
using namespace mlir::kiln;

#include "Kiln/IR/KilnInterfaces.cpp.inc"

namespace {
int64_t rankOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getRank();
}
int64_t sizeOf(Value v, int64_t d) {
  return cast<RankedTensorType>(v.getType()).getDimSize(d);
}
} // namespace

//===----------------------------------------------------------------------===//
// DimEqualityOpInterface
//===----------------------------------------------------------------------===//

void mlir::kiln::unifyAllDims(Value a, Value b, DimEqualityFn unify) {
  for (int64_t d = 0, e = rankOf(a); d < e; ++d)
    unify(a, d, b, d);
}

void mlir::kiln::unifyBroadcastDims(ValueRange operands, Value result,
                                    DimEqualityFn unify) {
  int64_t rank = rankOf(result);
  for (Value operand : operands) {
    int64_t offset = rank - rankOf(operand);
    for (int64_t d = 0, e = rankOf(operand); d < e; ++d)
      if (sizeOf(operand, d) != 1)
        unify(operand, d, result, d + offset);
  }
}

void mlir::kiln::reportBroadcastDims(ValueRange operands, Value result,
                                     BroadcastDimsFn broadcast) {
  int64_t rank = rankOf(result);
  for (int64_t d = 0; d < rank; ++d) {
    SmallVector<std::pair<unsigned, int64_t>> dims;
    for (auto [i, operand] : llvm::enumerate(operands)) {
      int64_t od = d - (rank - rankOf(operand));
      if (od >= 0 && sizeOf(operand, od) != 1)
        dims.push_back({static_cast<unsigned>(i), od});
    }
    if (!dims.empty())
      broadcast(d, dims);
  }
}

void TransposeOp::getDimEqualities(DimEqualityFn unify) {
  for (auto [i, p] : llvm::enumerate(getPerm()))
    unify(getInput(), p, getResult(), i);
}

void ConcatOp::getDimEqualities(DimEqualityFn unify) {
  Value r = getResult();
  int64_t axis = *shape::normalizeAxis(getAxis(), rankOf(r));
  for (Value in : getInputs())
    for (int64_t d = 0, e = rankOf(r); d < e; ++d)
      if (d != axis)
        unify(in, d, r, d);
}

void ReshapeOp::getDimEqualities(DimEqualityFn unify) {
  // Only a `0` entry copies an input dim; the others are fixed or inferred
  // from the element count.
  for (auto [i, s] : llvm::enumerate(getShape()))
    if (s == 0)
      unify(getInput(), i, getResult(), i);
}

void SliceOp::getDimEqualities(DimEqualityFn unify) {
  // A dim taken whole ([0:end:1] with an end past any size) is unchanged.
  for (auto [d, start, end, step] :
       llvm::enumerate(getStarts(), getEnds(), getSteps()))
    if (start == 0 && step == 1 && end >= std::numeric_limits<int32_t>::max())
      unify(getInput(), d, getResult(), d);
}

void GatherOp::getDimEqualities(DimEqualityFn unify) {
  Value data = getData(), idx = getIndices(), r = getResult();
  int64_t axis = *shape::normalizeAxis(getAxis(), rankOf(data));
  int64_t q = rankOf(idx);
  for (int64_t d = 0; d < axis; ++d)
    unify(data, d, r, d);
  for (int64_t d = 0; d < q; ++d)
    unify(idx, d, r, axis + d);
  for (int64_t d = axis + 1, e = rankOf(data); d < e; ++d)
    unify(data, d, r, d - 1 + q);
}

void MatmulOp::getDimEqualities(DimEqualityFn unify) {
  Value a = getLhs(), b = getRhs(), r = getResult();
  int64_t ra = rankOf(a), rb = rankOf(b), rr = rankOf(r);
  bool tl = getTransposeLhs(), tr = getTransposeRhs();
  unify(a, tl ? ra - 2 : ra - 1, b, tr ? rb - 1 : rb - 2); // K
  unify(a, tl ? ra - 1 : ra - 2, r, rr - 2);               // M
  unify(b, tr ? rb - 2 : rb - 1, r, rr - 1);               // N
  // Batch dims broadcast.
  for (auto [v, rank] : {std::pair{a, ra}, std::pair{b, rb}})
    for (int64_t d = 0; d < rank - 2; ++d)
      if (sizeOf(v, d) != 1)
        unify(v, d, r, d + (rr - rank));
}

void MatmulOp::getBroadcastDims(BroadcastDimsFn broadcast) {
  int64_t ra = rankOf(getLhs()), rb = rankOf(getRhs());
  int64_t rr = rankOf(getResult());
  for (int64_t d = 0; d < rr - 2; ++d) {
    SmallVector<std::pair<unsigned, int64_t>> dims;
    for (auto [i, rank] : {std::pair{0u, ra}, std::pair{1u, rb}}) {
      int64_t od = d - (rr - rank);
      if (od >= 0 && sizeOf(getOperand(i), od) != 1)
        dims.push_back({i, od});
    }
    if (!dims.empty())
      broadcast(d, dims);
  }
}

void LinearOp::getDimEqualities(DimEqualityFn unify) {
  Value x = getInput(), w = getWeight(), r = getResult();
  unify(x, rankOf(x) - 1, w, 1);
  unify(w, 0, r, rankOf(r) - 1);
  for (int64_t d = 0; d + 1 < rankOf(x); ++d)
    unify(x, d, r, d);
  if (Value b = getBias())
    unify(b, 0, w, 0);
}

void MatmulIntegerOp::getDimEqualities(DimEqualityFn unify) {
  Value a = getLhs(), b = getRhs(), r = getResult();
  int64_t ra = rankOf(a);
  bool tr = getTransposeRhs();
  unify(a, ra - 1, b, tr ? 1 : 0); // K
  unify(b, tr ? 0 : 1, r, ra - 1); // N
  for (int64_t d = 0; d + 1 < ra; ++d)
    unify(a, d, r, d);
  if (Value zp = getRhsZeroPoint(); zp && rankOf(zp) == 1)
    unify(zp, 0, r, ra - 1);
}

void OuterOp::getDimEqualities(DimEqualityFn unify) {
  unify(getLhs(), 0, getResult(), 0);
  unify(getRhs(), 0, getResult(), 1);
}

void Conv2DOp::getDimEqualities(DimEqualityFn unify) {
  ImageDims image = getImageDims(getLayout());
  FilterDims filter = getFilterDims(getLayout());
  Value r = getResult();
  unify(getInput(), image.batch, r, image.batch);
  unify(getFilter(), filter.output, r, image.channel);
  // With groups, the filter holds C/groups input channels.
  if (getGroups() == 1)
    unify(getInput(), image.channel, getFilter(), filter.input);
  if (Value b = getBias())
    unify(b, 0, r, image.channel);
}

/// Pooling keeps the batch and channel dims of its input.
static void poolDimEqualities(Value input, Value result, Layout layout,
                              DimEqualityFn unify) {
  ImageDims image = getImageDims(layout);
  unify(input, image.batch, result, image.batch);
  unify(input, image.channel, result, image.channel);
}

void Pool2DOp::getDimEqualities(DimEqualityFn unify) {
  poolDimEqualities(getInput(), getResult(), getLayout(), unify);
}

void GlobalAvgPoolOp::getDimEqualities(DimEqualityFn unify) {
  poolDimEqualities(getInput(), getResult(), getLayout(), unify);
}

void BatchNormOp::getDimEqualities(DimEqualityFn unify) {
  Value r = getResult();
  unifyAllDims(getInput(), r, unify);
  int64_t axis = *shape::normalizeAxis(getAxis(), rankOf(r));
  for (Value p : {getScale(), getBias(), getMean(), getVariance()})
    unify(p, 0, r, axis);
}

void LayerNormOp::getDimEqualities(DimEqualityFn unify) {
  Value r = getResult();
  unifyAllDims(getInput(), r, unify);
  int64_t axis = *shape::normalizeAxis(getAxis(), rankOf(r));
  for (Value p : {getScale(), getBias()})
    if (p)
      for (int64_t d = 0, e = rankOf(p); d < e; ++d)
        unify(p, d, r, axis + d);
}

/// The kept dims of a reduction equal the result dims they land on.
template <typename ReduceOpTy>
static void reduceDimEqualities(ReduceOpTy op, DimEqualityFn unify) {
  Value input = op.getInput();
  int64_t rank = rankOf(input);
  llvm::SmallBitVector reduced(rank, op.getAxes().empty());
  for (int64_t a : op.getAxes())
    reduced.set(*shape::normalizeAxis(a, rank));
  for (int64_t d = 0, out = 0; d < rank; ++d) {
    if (!reduced.test(d))
      unify(input, d, op.getResult(), out);
    if (!reduced.test(d) || op.getKeepdims())
      ++out;
  }
}

void ReduceSumOp::getDimEqualities(DimEqualityFn unify) {
  reduceDimEqualities(*this, unify);
}
void ReduceMeanOp::getDimEqualities(DimEqualityFn unify) {
  reduceDimEqualities(*this, unify);
}
void ReduceMaxOp::getDimEqualities(DimEqualityFn unify) {
  reduceDimEqualities(*this, unify);
}
void ReduceMinOp::getDimEqualities(DimEqualityFn unify) {
  reduceDimEqualities(*this, unify);
}
void ReduceProdOp::getDimEqualities(DimEqualityFn unify) {
  reduceDimEqualities(*this, unify);
}

void AttentionOp::getDimEqualities(DimEqualityFn unify) {
  Value q = getQuery(), k = getKey(), v = getValue(), r = getResult();
  int64_t rank = rankOf(q);
  for (int64_t d = 0; d < rank - 2; ++d) {
    unify(q, d, k, d);
    unify(q, d, v, d);
    unify(q, d, r, d);
  }
  unify(q, rank - 1, k, rank - 1); // D
  unify(k, rank - 2, v, rank - 2); // Lk
  unify(q, rank - 2, r, rank - 2); // Lq
  unify(v, rank - 1, r, rank - 1); // Dv
  // The mask broadcasts to [..., Lq, Lk].
  if (Value m = getMask()) {
    int64_t offset = rank - rankOf(m);
    for (int64_t d = 0, e = rankOf(m); d < e; ++d) {
      if (sizeOf(m, d) == 1)
        continue;
      int64_t sd = d + offset;
      if (sd < rank - 2)
        unify(m, d, q, sd);
      else if (sd == rank - 2)
        unify(m, d, q, rank - 2);
      else
        unify(m, d, k, rank - 2);
    }
  }
}

//===----------------------------------------------------------------------===//
// FlopCountOpInterface
//===----------------------------------------------------------------------===//

namespace {
/// Multiplies sizes, any of which may be dynamic; std::nullopt when one is
/// dynamic or the product overflows.
std::optional<int64_t>
product(std::initializer_list<std::optional<int64_t>> xs) {
  std::optional<int64_t> result = 1;
  for (std::optional<int64_t> x : xs) {
    if (!x || shape::isDynamic(*x))
      return std::nullopt;
    result = llvm::checkedMul(*result, *x);
    if (!result)
      return std::nullopt;
  }
  return result;
}

/// The element count of `v`, or std::nullopt when a dim is dynamic.
std::optional<int64_t> numElements(Value v) {
  std::optional<int64_t> result = 1;
  for (int64_t size : cast<RankedTensorType>(v.getType()).getShape())
    if (!(result = product({result, size})))
      return std::nullopt;
  return result;
}

/// Dim `i` of `a` if static, else dim `j` of `b`: a contracted dim may be
/// known on only one side.
int64_t eitherDim(Value a, int64_t i, Value b, int64_t j) {
  int64_t size = sizeOf(a, i);
  return shape::isDynamic(size) ? sizeOf(b, j) : size;
}
} // namespace

std::optional<int64_t> MatmulOp::getFlopCount() {
  Value a = getLhs(), b = getRhs();
  int64_t ra = rankOf(a), rb = rankOf(b);
  int64_t k = eitherDim(a, getTransposeLhs() ? ra - 2 : ra - 1, b,
                        getTransposeRhs() ? rb - 1 : rb - 2);
  // One multiply-add per result element and step of K.
  return product({2, numElements(getResult()), k});
}

std::optional<int64_t> LinearOp::getFlopCount() {
  Value x = getInput();
  int64_t k = eitherDim(getWeight(), 1, x, rankOf(x) - 1);
  // The bias add is not counted, as in the usual figures for GEMMs.
  return product({2, numElements(getResult()), k});
}

std::optional<int64_t> MatmulIntegerOp::getFlopCount() {
  Value a = getLhs();
  int64_t k = eitherDim(a, rankOf(a) - 1, getRhs(), getTransposeRhs() ? 1 : 0);
  // One multiply-add per result element and step of K (integer ops).
  return product({2, numElements(getResult()), k});
}

std::optional<int64_t> OuterOp::getFlopCount() {
  return numElements(getResult());
}

std::optional<int64_t> Conv2DOp::getFlopCount() {
  // Each output element is a dot product over C/groups * KH * KW taps.
  FilterDims filter = getFilterDims(getLayout());
  Value f = getFilter();
  return product({2, numElements(getResult()), sizeOf(f, filter.input),
                  sizeOf(f, filter.height), sizeOf(f, filter.width)});
}

std::optional<int64_t> Pool2DOp::getFlopCount() {
  // One comparison or addition per window tap; average pooling also divides
  // each output once.
  ArrayRef<int64_t> kernel = getKernel();
  std::optional<int64_t> outputs = numElements(getResult());
  std::optional<int64_t> taps = product({outputs, kernel[0], kernel[1]});
  if (getKind() == PoolKind::Max || !taps)
    return taps;
  return llvm::checkedAdd(*taps, *outputs);
}

std::optional<int64_t> GlobalAvgPoolOp::getFlopCount() {
  // One addition per input element, one division per output.
  std::optional<int64_t> inputs = numElements(getInput());
  std::optional<int64_t> outputs = numElements(getResult());
  if (!inputs || !outputs)
    return std::nullopt;
  return llvm::checkedAdd(*inputs, *outputs);
}

std::optional<int64_t> AttentionOp::getFlopCount() {
  // The two contractions q·kᵀ ([..., Lq, Lk] over D) and p·v ([..., Lq, Dv]
  // over Lk); the scaling, masking and softmax are not counted, which keeps
  // the figure comparable with the decomposed matmul-softmax-matmul form.
  Value q = getQuery(), k = getKey(), v = getValue(), r = getResult();
  int64_t rank = rankOf(q);
  std::optional<int64_t> batch = 1;
  for (int64_t d = 0; d + 2 < rank && batch; ++d)
    batch = product({batch, eitherDim(r, d, q, d)});
  int64_t lq = eitherDim(r, rank - 2, q, rank - 2);
  int64_t lk = eitherDim(k, rank - 2, v, rank - 2);
  int64_t dk = eitherDim(q, rank - 1, k, rank - 1);
  int64_t dv = eitherDim(r, rank - 1, v, rank - 1);
  std::optional<int64_t> scores = product({2, batch, lq, lk, dk});
  std::optional<int64_t> weighted = product({2, batch, lq, lk, dv});
  if (!scores || !weighted)
    return std::nullopt;
  return llvm::checkedAdd(*scores, *weighted);
}

std::optional<double> mlir::kiln::estimateFlops(Operation *root) {
  double total = 0;
  WalkResult walk = root->walk([&](FlopCountOpInterface op) {
    std::optional<int64_t> count = op.getFlopCount();
    if (!count)
      return WalkResult::interrupt();
    total += static_cast<double>(*count);
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return std::nullopt;
  return total;
}
