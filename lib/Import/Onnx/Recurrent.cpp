//===- Recurrent.cpp - RNN, GRU and LSTM ----------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// ONNX's recurrent layers as loops over time steps. The input projection
// of every step is one kiln.linear over the whole sequence, outside the
// loop; each step of the `scf.for` does the recurrent projection and the
// gate math in kiln ops on [batch, hidden] tensors, carries the state
// (h, and c for LSTM) and writes h into the output sequence with
// tensor.insert_slice. Bidirectional layers run one loop per direction.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;
using llvm::StringRef;
using llvm::Twine;

using Activation = RecurrentActivation;

/// The activations of `n`, one list per direction, with ONNX's defaults and
/// onnxruntime's rule that activation_alpha/beta are consumed in order by
/// the activations that take them.
static FailureOr<SmallVector<Activation>>
recurrentActivations(const onnx::NodeProto &n, int64_t perDirection,
                     int64_t numDirections,
                     llvm::function_ref<InFlightDiagnostic(const Twine &)> err) {
  SmallVector<std::string> names;
  SmallVector<float> alphas, betas;
  for (const auto &a : n.attribute()) {
    if (a.name() == "activations")
      names.assign(a.strings().begin(), a.strings().end());
    else if (a.name() == "activation_alpha")
      alphas.assign(a.floats().begin(), a.floats().end());
    else if (a.name() == "activation_beta")
      betas.assign(a.floats().begin(), a.floats().end());
  }
  if (names.empty()) {
    static const char *defaults[] = {"Sigmoid", "Tanh", "Tanh"};
    for (int64_t d = 0; d < numDirections; ++d)
      for (int64_t i = 0; i < perDirection; ++i)
        names.push_back(perDirection == 1 ? "Tanh" : defaults[i]);
  }
  if (static_cast<int64_t>(names.size()) != perDirection * numDirections) {
    (void)err(n.op_type() + " needs " + Twine(perDirection * numDirections) +
              " activations (" + Twine(perDirection) + " per direction), got " +
              Twine(names.size()));
    return failure();
  }
  SmallVector<Activation> out;
  size_t nextAlpha = 0, nextBeta = 0;
  for (const std::string &name : names) {
    Activation act{name};
    auto param = [&](SmallVector<float> &values, size_t &next, double dflt) {
      return next < values.size() ? static_cast<double>(values[next++]) : dflt;
    };
    if (name == "LeakyRelu") {
      act.alpha = param(alphas, nextAlpha, 0.01);
    } else if (name == "HardSigmoid") {
      act.alpha = param(alphas, nextAlpha, 0.2);
      act.beta = param(betas, nextBeta, 0.5);
    } else if (name == "Affine" || name == "ScaledTanh") {
      act.alpha = param(alphas, nextAlpha, 1.0);
      act.beta = param(betas, nextBeta, name == "Affine" ? 0.0 : 1.0);
    } else if (name != "Sigmoid" && name != "Tanh" && name != "Relu") {
      (void)err(n.op_type() + " activation '" + name +
                "' is not supported (Sigmoid, Tanh, Relu, LeakyRelu, "
                "HardSigmoid, Affine and ScaledTanh are)");
      return failure();
    }
    out.push_back(act);
  }
  return out;
}

FailureOr<Value> Importer::applyActivation(const Activation &act, Value x) {
  Type elem = typeOf(x).getElementType();
  if (act.name == "Sigmoid")
    return make<SigmoidOp>(x);
  if (act.name == "Tanh")
    return make<TanhOp>(x);
  if (act.name == "Relu")
    return make<ReluOp>(x);
  if (act.name == "LeakyRelu") {
    FailureOr<Value> scaled = make<MulOp>(x, scalar(act.alpha, elem));
    if (failed(scaled))
      return failure();
    return make<MaxOp>(x, *scaled);
  }
  if (act.name == "ScaledTanh") {
    FailureOr<Value> v = make<MulOp>(x, scalar(act.beta, elem));
    if (succeeded(v))
      v = make<TanhOp>(*v);
    if (succeeded(v))
      v = make<MulOp>(*v, scalar(act.alpha, elem));
    return v;
  }
  // Affine and HardSigmoid: alpha * x + beta (clamped to [0, 1]).
  FailureOr<Value> v = make<MulOp>(x, scalar(act.alpha, elem));
  if (succeeded(v))
    v = make<AddOp>(*v, scalar(act.beta, elem));
  if (succeeded(v) && act.name == "HardSigmoid")
    v = make<ClampOp>(*v, b.getF64FloatAttr(0.0), b.getF64FloatAttr(1.0));
  return v;
}

FailureOr<Value> Importer::sliceAlong(Value v, int64_t axis, int64_t begin,
                                      int64_t end) {
  int64_t rank = typeOf(v).getRank();
  SmallVector<int64_t> starts(rank, 0), ends(rank, INT64_MAX), steps(rank, 1);
  starts[axis] = begin;
  ends[axis] = end;
  return make<SliceOp>(v, b.getDenseI64ArrayAttr(starts),
                       b.getDenseI64ArrayAttr(ends),
                       b.getDenseI64ArrayAttr(steps));
}

FailureOr<Value> Importer::directionSlice(Value v, int64_t d) {
  FailureOr<Value> s = sliceAlong(v, 0, d, d + 1);
  if (failed(s))
    return failure();
  SmallVector<SymInt> dims = dimsOf(*s);
  return reshapeTo(*s, ArrayRef(dims).drop_front());
}

LogicalResult Importer::importRecurrent(const onnx::NodeProto &n) {
  StringRef op = n.op_type();
  bool isLstm = op == "LSTM", isGru = op == "GRU";
  int64_t numGates = isLstm ? 4 : isGru ? 3 : 1;
  int64_t perDirection = isLstm ? 3 : isGru ? 2 : 1;
  std::string direction = attrString(n, "direction", "forward");
  if (direction != "forward" && direction != "reverse" &&
      direction != "bidirectional")
    return error(op + " direction '" + direction +
                 "' is not one of forward, reverse, bidirectional");
  int64_t numDirections = direction == "bidirectional" ? 2 : 1;
  int64_t hidden = attrInt(n, "hidden_size", 0);
  int64_t layout = attrInt(n, "layout", 0);
  bool linearBeforeReset = isGru && attrInt(n, "linear_before_reset", 0);
  if (isLstm && attrInt(n, "input_forget", 0))
    return error("LSTM with input_forget=1 (coupled input and forget gates) "
                 "is not supported");
  std::optional<double> clip;
  if (attr(n, "clip"))
    clip = attrFloat(n, "clip", 0);
  FailureOr<SmallVector<Activation>> acts = recurrentActivations(
      n, perDirection, numDirections,
      [&](const Twine &m) { return error(m); });
  if (failed(acts))
    return failure();

  FailureOr<Value> x = input(n, 0), w = input(n, 1), r = input(n, 2);
  FailureOr<Value> bias = optionalInput(n, 3), lens = optionalInput(n, 4),
                   h0 = optionalInput(n, 5);
  FailureOr<Value> c0 = isLstm ? optionalInput(n, 6) : FailureOr<Value>(Value());
  FailureOr<Value> peep = isLstm ? optionalInput(n, 7) : FailureOr<Value>(Value());
  if (failed(x) || failed(w) || failed(r) || failed(bias) || failed(lens) ||
      failed(h0) || failed(c0) || failed(peep))
    return failure();

  // Shapes: X [seq, batch, input] ([batch, seq, input] with layout=1),
  // W [dirs, gates*hidden, input], R [dirs, gates*hidden, hidden].
  RankedTensorType xt = typeOf(*x), wt = typeOf(*w), rt = typeOf(*r);
  Type elem = xt.getElementType();
  if (!isa<FloatType>(elem))
    return error(op + " needs a float input");
  if (xt.getRank() != 3 || wt.getRank() != 3 || rt.getRank() != 3)
    return error(op + " needs X, W and R of rank 3");
  if (hidden <= 0)
    hidden = rt.getDimSize(2);
  if (ShapedType::isDynamic(hidden) || hidden <= 0)
    return error(op + " needs hidden_size, or R with a static last dim");
  int64_t gh = numGates * hidden;
  auto expect = [&](RankedTensorType t, ArrayRef<int64_t> shape,
                    StringRef what) -> LogicalResult {
    for (auto [i, s] : llvm::enumerate(shape))
      if (!t.isDynamicDim(i) && !ShapedType::isDynamic(s) &&
          t.getDimSize(i) != s)
        return error(op + "'s " + what + " has dim " + Twine(i) + " = " +
                     Twine(t.getDimSize(i)) + ", expected " + Twine(s) +
                     " (hidden_size " + Twine(hidden) + ", " +
                     Twine(numDirections) + " direction(s))");
    return success();
  };
  if (layout == 1) {
    FailureOr<Value> tx = make<TransposeOp>(*x, b.getDenseI64ArrayAttr({1, 0, 2}));
    if (failed(tx))
      return failure();
    x = tx;
    xt = typeOf(*x);
  } else if (layout != 0) {
    return error(op + " layout must be 0 or 1, got " + Twine(layout));
  }
  int64_t inputSize = xt.getDimSize(2);
  if (failed(expect(wt, {numDirections, gh, inputSize}, "W")) ||
      failed(expect(rt, {numDirections, gh, hidden}, "R")))
    return failure();
  if (*bias && failed(expect(typeOf(*bias), {numDirections, 2 * gh}, "B")))
    return failure();
  if (*peep &&
      failed(expect(typeOf(*peep), {numDirections, 3 * hidden}, "P")))
    return failure();
  // Initial states come as [dirs, batch, hidden] ([batch, dirs, hidden]).
  for (FailureOr<Value> *state : {&h0, &c0}) {
    if (!**state)
      continue;
    if (typeOf(**state).getRank() != 3)
      return error(op + "'s initial state must have rank 3");
    RankedTensorType st = typeOf(**state);
    int64_t dirsAt = layout == 1 ? 1 : 0;
    if (failed(expect(st,
                      {dirsAt == 0 ? numDirections : ShapedType::kDynamic,
                       dirsAt == 1 ? numDirections : ShapedType::kDynamic,
                       hidden},
                      "initial state")))
      return failure();
    if (layout == 1) {
      FailureOr<Value> t =
          make<TransposeOp>(**state, b.getDenseI64ArrayAttr({1, 0, 2}));
      if (failed(t))
        return failure();
      *state = t;
    }
  }
  // sequence_lens: steps at or past a batch entry's length keep its state
  // and output zeros. The reverse direction visits the steps from the last
  // one, so an entry keeps its initial state until its own last step, and
  // then runs back from there, as ONNX has it.
  if (*lens) {
    if (const HostTensor *h = host(n, 4); h && h->allStatic() &&
        !xt.isDynamicDim(0) &&
        llvm::all_of(h->ints, [&](const SymInt &s) {
          return s.value == xt.getDimSize(0);
        }))
      lens = Value();
  }
  if (*lens) {
    FailureOr<Value> l = castTo(*lens, b.getI64Type());
    if (succeeded(l))
      l = reshapeTo(*l, {dimOf(*l, 0), SymInt(1)});
    if (failed(l))
      return failure();
    lens = l;
  }

  SymInt seqDim = dimOf(*x, 0), batchDim = dimOf(*x, 1);
  Value zero = scalar(0, elem);
  Value seqLen = indexValue(seqDim), batch = indexValue(batchDim);
  Value c0Index = arith::ConstantIndexOp::create(b, loc, 0);
  Value c1Index = arith::ConstantIndexOp::create(b, loc, 1);
  auto stateType = RankedTensorType::get({xt.getDimSize(1), hidden}, elem);
  auto seqType = RankedTensorType::get(
      {xt.getDimSize(0), xt.getDimSize(1), hidden}, elem);
  // Shape-only casts (static <-> run-time dims) between loop and body.
  auto refineTo = [&](Value v, RankedTensorType type) -> Value {
    return v.getType() == type
               ? v
               : tensor::CastOp::create(b, loc, type, v).getResult();
  };

  SmallVector<Value> sequences, finalH, finalC;
  for (int64_t d = 0; d < numDirections; ++d) {
    bool reverse = direction == "reverse" || d == 1;
    ArrayRef<Activation> act = ArrayRef(*acts).slice(d * perDirection,
                                                      perDirection);
    FailureOr<Value> wd = directionSlice(*w, d), rd = directionSlice(*r, d);
    if (failed(wd) || failed(rd))
      return failure();
    // The input-side bias is Wb + Rb, except for GRU's hidden gate with
    // linear_before_reset, whose Rb stays inside the reset product.
    Value xBias, hBias;
    if (*bias) {
      FailureOr<Value> bd = directionSlice(*bias, d);
      FailureOr<Value> wb = failed(bd) ? failedValue() : sliceAlong(*bd, 0, 0, gh);
      FailureOr<Value> rb =
          failed(bd) ? failedValue() : sliceAlong(*bd, 0, gh, 2 * gh);
      if (failed(wb) || failed(rb))
        return failure();
      if (linearBeforeReset) {
        FailureOr<Value> rbZr = sliceAlong(*rb, 0, 0, 2 * hidden);
        FailureOr<Value> rbH = sliceAlong(*rb, 0, 2 * hidden, gh);
        if (failed(rbZr) || failed(rbH))
          return failure();
        SmallVector<double> zeros(hidden, 0.0);
        FailureOr<Value> pad = broadcastAlong(zeros, elem, 1, 0);
        FailureOr<Value> rbPadded =
            failed(pad) ? failedValue()
                        : make<ConcatOp>(ValueRange{*rbZr, *pad},
                                         b.getI64IntegerAttr(0));
        if (failed(rbPadded))
          return failure();
        rb = rbPadded;
        hBias = *rbH;
      }
      FailureOr<Value> sum = make<AddOp>(*wb, *rb);
      if (failed(sum))
        return failure();
      xBias = *sum;
    }
    FailureOr<Value> xw = make<LinearOp>(*x, *wd, xBias);
    FailureOr<Value> pd = *peep ? directionSlice(*peep, d) : FailureOr<Value>(Value());
    if (failed(xw) || failed(pd))
      return failure();
    // GRU's hidden gate multiplies its own slice of R after the reset.
    FailureOr<Value> rZr = *rd, rH = Value();
    if (isGru) {
      rZr = sliceAlong(*rd, 0, 0, 2 * hidden);
      rH = sliceAlong(*rd, 0, 2 * hidden, gh);
      if (failed(rZr) || failed(rH))
        return failure();
    }

    // Initial states.
    auto initial = [&](Value states) -> FailureOr<Value> {
      if (states)
        return directionSlice(states, d);
      return splatTo(zero, {batchDim, SymInt(hidden)});
    };
    FailureOr<Value> hInit = initial(*h0);
    FailureOr<Value> cInit = isLstm ? initial(*c0) : FailureOr<Value>(Value());
    FailureOr<Value> yInit = splatTo(zero, {seqDim, batchDim, SymInt(hidden)});
    if (failed(hInit) || failed(cInit) || failed(yInit))
      return failure();
    SmallVector<Value> inits{*hInit};
    if (isLstm)
      inits.push_back(*cInit);
    inits.push_back(*yInit);
    // The loop carries the general types (a run-time batch stays dynamic).
    for (auto [i, v] : llvm::enumerate(inits))
      v = refineTo(v, i + 1 == inits.size() ? seqType : stateType);
    auto loop = scf::ForOp::create(b, loc, c0Index, seqLen, c1Index, inits);
    // The time steps are the model's loop: the CPU strategy applies inside.
    loop->setAttr(kGraphLoopAttrName, b.getUnitAttr());
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value t = loop.getInductionVar();
      Value step = t;
      if (reverse)
        step = arith::SubIOp::create(
            b, loc, arith::SubIOp::create(b, loc, seqLen, c1Index), t);
      Value hPrev = loop.getRegionIterArgs()[0];
      Value cPrev = isLstm ? loop.getRegionIterArgs()[1] : Value();
      Value yAcc = loop.getRegionIterArgs().back();
      SmallVector<OpFoldResult> offsets{step, b.getIndexAttr(0),
                                        b.getIndexAttr(0)};
      SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
      SmallVector<OpFoldResult> xSizes{b.getIndexAttr(1),
                                       xt.isDynamicDim(1) ? OpFoldResult(batch)
                                                          : b.getIndexAttr(xt.getDimSize(1)),
                                       b.getIndexAttr(gh)};
      Value xStep = tensor::ExtractSliceOp::create(
          b, loc, RankedTensorType::get({xt.getDimSize(1), gh}, elem), *xw,
          offsets, xSizes, strides);

      FailureOr<Value> hNew = failure(), cNew = Value();
      auto clipped = [&](FailureOr<Value> v) -> FailureOr<Value> {
        if (failed(v) || !clip)
          return v;
        return make<ClampOp>(*v, b.getF64FloatAttr(-*clip),
                             b.getF64FloatAttr(*clip));
      };
      auto gate = [&](Value pre, int64_t k) {
        return sliceAlong(pre, typeOf(pre).getRank() - 1, k * hidden,
                          (k + 1) * hidden);
      };
      auto peephole = [&](FailureOr<Value> g, int64_t k,
                          Value c) -> FailureOr<Value> {
        if (failed(g) || !*peep)
          return g;
        FailureOr<Value> pk = gate(*pd, k);
        FailureOr<Value> prod = failed(pk) ? failedValue() : make<MulOp>(*pk, c);
        return failed(prod) ? failedValue() : make<AddOp>(*g, *prod);
      };
      auto apply = [&](const Activation &a,
                       FailureOr<Value> v) -> FailureOr<Value> {
        v = clipped(v);
        return failed(v) ? failedValue() : applyActivation(a, *v);
      };
      if (isLstm) {
        // Gates i, o, f, c.
        FailureOr<Value> hr = make<LinearOp>(hPrev, *rd, Value());
        FailureOr<Value> pre = failed(hr) ? failedValue() : make<AddOp>(xStep, *hr);
        if (failed(pre))
          return failure();
        FailureOr<Value> i = apply(act[0], peephole(gate(*pre, 0), 0, cPrev));
        FailureOr<Value> f = apply(act[0], peephole(gate(*pre, 2), 2, cPrev));
        FailureOr<Value> cc = apply(act[1], gate(*pre, 3));
        if (failed(i) || failed(f) || failed(cc))
          return failure();
        FailureOr<Value> fc = make<MulOp>(*f, cPrev), ic = make<MulOp>(*i, *cc);
        if (failed(fc) || failed(ic))
          return failure();
        cNew = make<AddOp>(*fc, *ic);
        if (failed(cNew))
          return failure();
        FailureOr<Value> o = apply(act[0], peephole(gate(*pre, 1), 1, *cNew));
        FailureOr<Value> hc = apply(act[2], FailureOr<Value>(*cNew));
        if (failed(o) || failed(hc))
          return failure();
        hNew = make<MulOp>(*o, *hc);
      } else if (isGru) {
        // Gates z, r, h.
        FailureOr<Value> hr = make<LinearOp>(hPrev, *rZr, Value());
        FailureOr<Value> xzr = sliceAlong(xStep, 1, 0, 2 * hidden);
        FailureOr<Value> xh = sliceAlong(xStep, 1, 2 * hidden, gh);
        FailureOr<Value> pre = failed(hr) || failed(xzr)
                                   ? failedValue()
                                   : make<AddOp>(*xzr, *hr);
        if (failed(pre) || failed(xh))
          return failure();
        FailureOr<Value> z = apply(act[0], gate(*pre, 0));
        FailureOr<Value> rg = apply(act[0], gate(*pre, 1));
        if (failed(z) || failed(rg))
          return failure();
        FailureOr<Value> hh = failure();
        if (linearBeforeReset) {
          FailureOr<Value> lin = make<LinearOp>(hPrev, *rH, hBias);
          hh = failed(lin) ? failedValue() : make<MulOp>(*rg, *lin);
        } else {
          FailureOr<Value> reset = make<MulOp>(*rg, hPrev);
          hh = failed(reset) ? failedValue() : make<LinearOp>(*reset, *rH, Value());
        }
        if (succeeded(hh))
          hh = make<AddOp>(*xh, *hh);
        hh = apply(act[1], hh);
        if (failed(hh))
          return failure();
        // (1 - z) * hh + z * h
        FailureOr<Value> oneMinus = make<SubOp>(scalar(1, elem), *z);
        FailureOr<Value> keep = make<MulOp>(*z, hPrev);
        FailureOr<Value> take =
            failed(oneMinus) ? failedValue() : make<MulOp>(*oneMinus, *hh);
        if (failed(keep) || failed(take))
          return failure();
        hNew = make<AddOp>(*take, *keep);
      } else {
        FailureOr<Value> hr = make<LinearOp>(hPrev, *rd, Value());
        FailureOr<Value> pre = failed(hr) ? failedValue() : make<AddOp>(xStep, *hr);
        hNew = apply(act[0], pre);
      }
      if (failed(hNew))
        return failure();
      Value yStep = *hNew;
      if (*lens) {
        // Past a batch entry's length: the state stays, the output is 0.
        Value tI64 = tensor::FromElementsOp::create(
            b, loc, RankedTensorType::get({}, b.getI64Type()),
            ValueRange{arith::IndexCastOp::create(b, loc, b.getI64Type(), step)});
        FailureOr<Value> live = compare(ComparePredicate::GT, *lens, tI64);
        if (failed(live))
          return failure();
        FailureOr<Value> h = make<SelectOp>(*live, *hNew, hPrev);
        FailureOr<Value> y = make<SelectOp>(*live, *hNew, zero);
        FailureOr<Value> c =
            isLstm ? make<SelectOp>(*live, *cNew, cPrev) : FailureOr<Value>(Value());
        if (failed(h) || failed(y) || failed(c))
          return failure();
        hNew = h;
        yStep = *y;
        cNew = c;
      }
      auto toState = [&](Value v) { return refineTo(v, stateType); };
      SmallVector<OpFoldResult> ySizes{b.getIndexAttr(1), xSizes[1],
                                       b.getIndexAttr(hidden)};
      Value yNext = tensor::InsertSliceOp::create(b, loc, toState(yStep), yAcc,
                                                  offsets, ySizes, strides);
      SmallVector<Value> yields{toState(*hNew)};
      if (isLstm)
        yields.push_back(toState(*cNew));
      yields.push_back(yNext);
      scf::YieldOp::create(b, loc, yields);
    }
    sequences.push_back(loop.getResults().back());
    finalH.push_back(loop.getResult(0));
    if (isLstm)
      finalC.push_back(loop.getResult(1));
  }

  // Y [seq, dirs, batch, hidden], Y_h and Y_c [dirs, batch, hidden]; with
  // layout=1, [batch, seq, dirs, hidden] and [batch, dirs, hidden].
  auto stack = [&](ArrayRef<Value> parts, int64_t axis) -> FailureOr<Value> {
    SmallVector<Value> expanded;
    for (Value v : parts) {
      SmallVector<SymInt> dims = dimsOf(v);
      dims.insert(dims.begin() + axis, SymInt(1));
      FailureOr<Value> e = reshapeTo(v, dims);
      if (failed(e))
        return failure();
      expanded.push_back(*e);
    }
    if (expanded.size() == 1)
      return expanded[0];
    return make<ConcatOp>(ValueRange(expanded), b.getI64IntegerAttr(axis));
  };
  FailureOr<Value> y = stack(sequences, 1), yh = stack(finalH, 0);
  FailureOr<Value> yc = isLstm ? stack(finalC, 0) : FailureOr<Value>(Value());
  if (failed(y) || failed(yh) || failed(yc))
    return failure();
  if (layout == 1) {
    y = make<TransposeOp>(*y, b.getDenseI64ArrayAttr({2, 0, 1, 3}));
    yh = make<TransposeOp>(*yh, b.getDenseI64ArrayAttr({1, 0, 2}));
    if (isLstm)
      yc = make<TransposeOp>(*yc, b.getDenseI64ArrayAttr({1, 0, 2}));
    if (failed(y) || failed(yh) || failed(yc))
      return failure();
  }
  setOutput(n, 0, *y);
  setOutput(n, 1, *yh);
  if (isLstm)
    setOutput(n, 2, *yc);
  return success();
}

//===----------------------------------------------------------------------===//
// Handler table rows
//===----------------------------------------------------------------------===//

void onnx_import::registerRecurrentHandlers(HandlerTable &table) {
  const HandlerRow rows[] = {
      {"GRU", {&Importer::importRecurrent, "loops over time steps"}},
      {"LSTM",
       {&Importer::importRecurrent, "loops over time steps; no input_forget"}},
      {"RNN", {&Importer::importRecurrent, "loops over time steps"}},
  };
  addHandlers(table, rows);
}
