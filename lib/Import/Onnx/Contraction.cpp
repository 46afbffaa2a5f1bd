//===- Contraction.cpp - MatMul and Gemm ----------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Gemm (kiln.linear for nn.Linear as exported, else matmul plus scaling)
// and MatMul with numpy's 1-D operand rules.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

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
// Handler table rows
//===----------------------------------------------------------------------===//

void onnx_import::registerContractionHandlers(HandlerTable &table) {
  const HandlerRow rows[] = {
      {"Gemm", {&Importer::importGemm, ""}},
      {"MatMul", {&Importer::importMatMul, ""}},
  };
  addHandlers(table, rows);
}
