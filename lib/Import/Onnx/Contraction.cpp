//===- Contraction.cpp - MatMul and Gemm ----------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Gemm (kiln.linear for nn.Linear as exported, else matmul plus scaling),
// MatMul with numpy's 1-D operand rules, and Einsum as reductions,
// transposes, reshapes and batched kiln.matmul.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;
using llvm::StringRef;
using llvm::Twine;

LogicalResult Importer::importGemm(const onnx::NodeProto &n) {
  FailureOr<Value> a = input(n, 0), w = input(n, 1);
  if (failed(a) || failed(w))
    return failure();
  double alpha = attrFloat(n, "alpha", 1.0), beta = attrFloat(n, "beta", 1.0);
  bool transA = attrInt(n, "transA", 0), transB = attrInt(n, "transB", 0);
  FailureOr<Value> cv = optionalInput(n, 2);
  if (failed(cv))
    return failure();
  Value c = *cv;
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

//===----------------------------------------------------------------------===//
// Einsum
//===----------------------------------------------------------------------===//

namespace {
/// One operand of an einsum: its value and one label per dim.
struct Term {
  Value value;
  std::string labels;
};
} // namespace

/// Parses `equation` for operands of `ranks`: each "..." becomes labels
/// '0', '1', ... aligned to the right (so ellipsis dims broadcast as in
/// numpy), and an implicit output is the ellipsis dims then the labels that
/// appear once, sorted.
static FailureOr<std::pair<SmallVector<std::string>, std::string>>
parseEinsum(StringRef equation, ArrayRef<int64_t> ranks, std::string &err) {
  std::string eq;
  for (char c : equation)
    if (c != ' ')
      eq += c;
  size_t arrow = eq.find("->");
  StringRef lhs = StringRef(eq).substr(0, arrow);
  SmallVector<StringRef> parts;
  lhs.split(parts, ',');
  if (parts.size() != ranks.size()) {
    err = "has " + std::to_string(parts.size()) + " operand terms for " +
          std::to_string(ranks.size()) + " inputs";
    return failure();
  }
  // The ellipsis covers as many dims as the widest operand gives it.
  int64_t ellipsisRank = 0;
  SmallVector<int64_t> extras;
  for (auto [part, rank] : llvm::zip(parts, ranks)) {
    size_t dots = part.find("...");
    int64_t letters = static_cast<int64_t>(part.size()) -
                      (dots == StringRef::npos ? 0 : 3);
    int64_t extra = rank - letters;
    if (extra < 0 || (dots == StringRef::npos && extra != 0)) {
      err = "term '" + part.str() + "' does not fit an operand of rank " +
            std::to_string(rank);
      return failure();
    }
    extras.push_back(extra);
    ellipsisRank = std::max(ellipsisRank, extra);
  }
  SmallVector<std::string> terms;
  for (auto [part, extra] : llvm::zip(parts, extras)) {
    size_t dots = part.find("...");
    std::string labels;
    for (size_t i = 0; i < part.size(); ++i) {
      if (i == dots) {
        for (int64_t k = 0; k < extra; ++k)
          labels += static_cast<char>('0' + (ellipsisRank - extra + k));
        i += 2;
        continue;
      }
      if (!std::isalpha(static_cast<unsigned char>(part[i]))) {
        err = "has the label '" + std::string(1, part[i]) +
              "', which is not a letter";
        return failure();
      }
      labels += part[i];
    }
    terms.push_back(labels);
  }
  std::string out;
  if (arrow != std::string::npos) {
    StringRef rhs = StringRef(eq).substr(arrow + 2);
    size_t dots = rhs.find("...");
    for (size_t i = 0; i < rhs.size(); ++i) {
      if (i == dots) {
        for (int64_t k = 0; k < ellipsisRank; ++k)
          out += static_cast<char>('0' + k);
        i += 2;
        continue;
      }
      out += rhs[i];
    }
  } else {
    for (int64_t k = 0; k < ellipsisRank; ++k)
      out += static_cast<char>('0' + k);
    std::map<char, int> counts;
    for (const std::string &t : terms)
      for (char c : t)
        if (std::isalpha(static_cast<unsigned char>(c)))
          ++counts[c];
    for (auto [c, count] : counts)
      if (count == 1)
        out += c;
  }
  return std::make_pair(terms, out);
}

FailureOr<Value> Importer::transposeTo(Value v, StringRef from, StringRef to) {
  SmallVector<int64_t> perm;
  for (char c : to)
    perm.push_back(static_cast<int64_t>(from.find(c)));
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return v;
  return make<TransposeOp>(v, b.getDenseI64ArrayAttr(perm));
}

FailureOr<Value> Importer::sumOutLabels(Value v, std::string &labels,
                                        StringRef keep) {
  SmallVector<int64_t> axes;
  std::string kept;
  for (auto [i, c] : llvm::enumerate(labels)) {
    if (keep.contains(c))
      kept += c;
    else
      axes.push_back(static_cast<int64_t>(i));
  }
  if (axes.empty())
    return v;
  labels = kept;
  return make<ReduceSumOp>(v, b.getDenseI64ArrayAttr(axes),
                           b.getBoolAttr(false));
}

FailureOr<Value> Importer::takeDiagonals(Value v, std::string &labels) {
  while (true) {
    size_t p = 0, q = std::string::npos;
    for (; p < labels.size() && q == std::string::npos; ++p)
      q = labels.find(labels[p], p + 1);
    if (q == std::string::npos)
      return v;
    --p;
    RankedTensorType t = typeOf(v);
    int64_t n = t.getDimSize(p);
    if (ShapedType::isDynamic(n) || t.getDimSize(q) != n) {
      error("Einsum's repeated label '" + std::string(1, labels[p]) +
            "' needs equal static dims");
      return failure();
    }
    // The two dims last, merged, and every (n + 1)-th element taken.
    std::string others;
    for (size_t i = 0; i < labels.size(); ++i)
      if (i != p && i != q)
        others += labels[i];
    std::string moved = others + labels[p];
    moved += labels[q];
    SmallVector<int64_t> perm;
    for (size_t i = 0; i < labels.size(); ++i)
      if (i != p && i != q)
        perm.push_back(static_cast<int64_t>(i));
    perm.append({static_cast<int64_t>(p), static_cast<int64_t>(q)});
    FailureOr<Value> r = make<TransposeOp>(v, b.getDenseI64ArrayAttr(perm));
    if (failed(r))
      return failure();
    SmallVector<SymInt> merged = dimsOf(*r);
    merged.pop_back();
    merged.back() = SymInt(n * n);
    r = reshapeTo(*r, merged);
    SmallVector<int64_t> diagonal(n);
    for (int64_t i = 0; i < n; ++i)
      diagonal[i] = i * (n + 1);
    if (succeeded(r))
      r = make<GatherOp>(
          *r,
          constant(RankedTensorType::get({n}, b.getI64Type()),
                   ArrayRef<int64_t>(diagonal)),
          b.getI64IntegerAttr(static_cast<int64_t>(merged.size()) - 1));
    if (failed(r))
      return failure();
    v = *r;
    labels = others + labels[p];
  }
}

LogicalResult Importer::importEinsum(const onnx::NodeProto &n) {
  SmallVector<Term> terms;
  SmallVector<int64_t> ranks;
  for (int i = 0; i < n.input_size(); ++i) {
    FailureOr<Value> v = input(n, i);
    if (failed(v))
      return failure();
    terms.push_back({*v, ""});
    ranks.push_back(typeOf(*v).getRank());
  }
  std::string equation = attrString(n, "equation", "");
  std::string err;
  auto parsed = parseEinsum(equation, ranks, err);
  if (failed(parsed))
    return error("Einsum equation '" + equation + "' " + err);
  std::string out = parsed->second;
  for (auto [t, labels] : llvm::zip(terms, parsed->first)) {
    t.labels = labels;
    FailureOr<Value> v = takeDiagonals(t.value, t.labels);
    if (failed(v))
      return failure();
    t.value = *v;
  }
  // Labels that a later operand or the output still needs.
  auto neededAfter = [&](size_t i) {
    std::string need = out;
    for (size_t j = i + 1; j < terms.size(); ++j)
      need += terms[j].labels;
    return need;
  };
  // Fold the operands left to right; each step contracts two terms.
  Term acc = terms[0];
  FailureOr<Value> v = sumOutLabels(acc.value, acc.labels,
                                    terms.size() > 1 ? neededAfter(0) +
                                                           terms[1].labels
                                                     : out);
  if (failed(v))
    return failure();
  acc.value = *v;
  for (size_t i = 1; i < terms.size(); ++i) {
    Term rhs = terms[i];
    std::string need = neededAfter(i);
    v = sumOutLabels(rhs.value, rhs.labels, need + acc.labels);
    if (failed(v))
      return failure();
    rhs.value = *v;
    v = sumOutLabels(acc.value, acc.labels, need + rhs.labels);
    if (failed(v))
      return failure();
    acc.value = *v;
    // batch: in both and needed; contracted: in both, not needed; free:
    // in one only.
    std::string batch, contract, freeL, freeR;
    for (char c : acc.labels) {
      bool inR = rhs.labels.find(c) != std::string::npos;
      bool needed = need.find(c) != std::string::npos;
      (inR ? (needed ? batch : contract) : freeL) += c;
    }
    for (char c : rhs.labels)
      if (acc.labels.find(c) == std::string::npos)
        freeR += c;
    FailureOr<Value> l = transposeTo(acc.value, acc.labels,
                                     batch + freeL + contract);
    FailureOr<Value> r = transposeTo(rhs.value, rhs.labels,
                                     batch + contract + freeR);
    if (failed(l) || failed(r))
      return failure();
    // [batch..., M, K] x [batch..., K, N] with M, K, N the merged groups.
    auto merged = [&](Value x, int64_t from, int64_t count) -> SymInt {
      if (count == 1)
        return dimOf(x, from);
      int64_t size = 1;
      for (int64_t d = from; d < from + count; ++d) {
        if (typeOf(x).isDynamicDim(d))
          return SymInt(-1); // inferred by the reshape
        size *= typeOf(x).getDimSize(d);
      }
      return SymInt(size);
    };
    int64_t nb = batch.size(), nl = freeL.size(), nk = contract.size(),
            nr = freeR.size();
    SmallVector<SymInt> lShape, rShape;
    for (int64_t d = 0; d < nb; ++d) {
      lShape.push_back(dimOf(*l, d));
      rShape.push_back(dimOf(*r, d));
    }
    lShape.append({merged(*l, nb, nl), merged(*l, nb + nl, nk)});
    rShape.append({merged(*r, nb, nk), merged(*r, nb + nk, nr)});
    FailureOr<Value> lm = reshapeTo(*l, lShape), rm = reshapeTo(*r, rShape);
    if (failed(lm) || failed(rm))
      return failure();
    FailureOr<Value> prod = make<MatmulOp>(*lm, *rm, b.getBoolAttr(false),
                                           b.getBoolAttr(false));
    if (failed(prod))
      return failure();
    // Split M and N back into their labels.
    SmallVector<SymInt> split;
    for (int64_t d = 0; d < nb; ++d)
      split.push_back(dimOf(*prod, d));
    for (int64_t d = 0; d < nl; ++d)
      split.push_back(dimOf(*l, nb + d));
    for (int64_t d = 0; d < nr; ++d)
      split.push_back(dimOf(*r, nb + nk + d));
    v = reshapeTo(*prod, split);
    if (failed(v))
      return failure();
    acc = {*v, batch + freeL + freeR};
  }
  for (char c : out)
    if (acc.labels.find(c) == std::string::npos)
      return error("Einsum's output label '" + std::string(1, c) +
                   "' is in no operand");
  v = sumOutLabels(acc.value, acc.labels, out);
  if (succeeded(v))
    v = transposeTo(*v, acc.labels, out);
  return setResult(n, v);
}

//===----------------------------------------------------------------------===//
// Handler table rows
//===----------------------------------------------------------------------===//

void onnx_import::registerContractionHandlers(HandlerTable &table) {
  const HandlerRow rows[] = {
      {"Gemm", {&Importer::importGemm, ""}},
      {"Einsum",
       {&Importer::importEinsum,
        "a label repeated within an operand (a diagonal) needs static dims"}},
      {"MatMul", {&Importer::importMatMul, ""}},
  };
  addHandlers(table, rows);
}
