//===- Reduction.cpp - ONNX Reduce* ops -----------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// ReduceSum/Mean/Max/Min/Prod and the composite L1, L2, SumSquare, LogSum
// and LogSumExp reductions.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

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
  else if (op == "ReduceMax")
    r = make<ReduceMaxOp>(*x, axesAttr, b.getBoolAttr(keep));
  else if (op == "ReduceMin")
    r = make<ReduceMinOp>(*x, axesAttr, b.getBoolAttr(keep));
  else
    r = make<ReduceProdOp>(*x, axesAttr, b.getBoolAttr(keep));
  return setResult(n, r);
}

//===----------------------------------------------------------------------===//
// Handler table rows
//===----------------------------------------------------------------------===//

void onnx_import::registerReductionHandlers(HandlerTable &table) {
  const HandlerRow rows[] = {
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
  };
  addHandlers(table, rows);
}
