//===- Calibration.cpp - Calibrated int8 post-training quantization ------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Static int8 quantization needs each layer's activation range. The f32
// model, already graph-optimized, is copied with the input of every layer
// kiln-quantize would rewrite added to its entry point's results, compiled
// for the host in a context of its own (as kiln-evaluate-constants' JIT is)
// and run on the calibration batches. The ranges chosen from what it
// observed are recorded on the layers (`kiln.calibrated_range`), each
// layer's own quantization error is measured on the observed inputs with
// the arithmetic of the int8 kernels, layers below the error budget are
// marked to stay f32, and kiln-quantize{mode=int8} rewrites the rest.
//
//===----------------------------------------------------------------------===//

#include "Calibration.h"
#include "IsolatedJit.h"

#include "Kiln/IR/ElementsUtils.h"
#include "Kiln/IR/KilnOps.h"
#include "Kiln/IR/LayoutUtils.h"
#include "Kiln/Transforms/Passes.h"
#include "Kiln/Transforms/Quantization.h"
#include "kiln/Compiler/Compiler.h"
#include "kiln/Runtime/Jit.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace mlir::kiln;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::make_error<llvm::StringError>(message,
                                             llvm::inconvertibleErrorCode());
}

/// Values kept per layer for the percentile and mse methods and the error
/// measurement: a strided sample of each observed input.
static constexpr int64_t kMaxSamples = 1 << 20;
/// Rows of observed inputs each layer's error is measured on: at most 64,
/// fewer for large layers (each row costs K x N multiply-adds, twice), at
/// least 8.
static constexpr int64_t kMaxErrorRows = 64;
static constexpr int64_t kErrorWorkPerLayer = 20'000'000;

namespace {
/// What calibration saw of one layer's input.
struct Observation {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  std::vector<float> samples;
  /// Whole rows ([K] each) for the error measurement.
  std::vector<float> rows;
  int64_t rowCount = 0;
  bool finite = true;

  void observe(const float *data, int64_t count) {
    for (int64_t i = 0; i < count; ++i) {
      float v = data[i];
      if (!std::isfinite(v)) {
        finite = false;
        continue;
      }
      lo = std::min<double>(lo, v);
      hi = std::max<double>(hi, v);
    }
    int64_t stride = std::max<int64_t>(1, count / (kMaxSamples / 8));
    for (int64_t i = 0;
         i < count && static_cast<int64_t>(samples.size()) < kMaxSamples;
         i += stride)
      if (std::isfinite(data[i]))
        samples.push_back(data[i]);
  }

  /// Rows of the layer's contraction from one observed input `x`: its
  /// leading rows, or for a convolution the windows (K ordered kh, kw, c,
  /// zero padding) of output positions spread over the image.
  void addRows(const QuantizationCandidate &c, const HostArray &x) {
    const float *data = reinterpret_cast<const float *>(x.data.data());
    int64_t k = c.reductionSize();
    if (!c.isConv) {
      for (int64_t r = 0; (r + 1) * k <= x.numElements() &&
                          rowCount < kMaxErrorRows;
           ++r, ++rowCount)
        rows.insert(rows.end(), data + r * k, data + (r + 1) * k);
      return;
    }
    auto conv = cast<Conv2DOp>(c.op);
    ImageDims dims = getImageDims(conv.getLayout());
    FilterDims f = getFilterDims(conv.getLayout());
    auto outType = cast<RankedTensorType>(conv.getResult().getType());
    int64_t n = x.shape[dims.batch], channels = x.shape[dims.channel],
            h = x.shape[dims.height], w = x.shape[dims.width];
    int64_t oh = outType.getDimSize(dims.height),
            ow = outType.getDimSize(dims.width);
    int64_t kh = c.filterType.getDimSize(f.height),
            kw = c.filterType.getDimSize(f.width);
    ArrayRef<int64_t> strides = conv.getStrides(),
                      dilations = conv.getDilations(), pads = conv.getPads();
    int64_t positions = n * oh * ow;
    int64_t want = std::min(kMaxErrorRows - rowCount, positions);
    SmallVector<int64_t, 4> at(4);
    auto offset = [&]() {
      int64_t o = 0;
      for (int64_t d = 0; d < 4; ++d)
        o = o * x.shape[d] + at[d];
      return o;
    };
    for (int64_t r = 0; r < want; ++r, ++rowCount) {
      int64_t p = r * positions / want;
      int64_t b = p / (oh * ow), oy = p / ow % oh, ox = p % ow;
      for (int64_t i = 0; i < kh; ++i)
        for (int64_t j = 0; j < kw; ++j)
          for (int64_t ci = 0; ci < channels; ++ci) {
            int64_t y = oy * strides[0] - pads[0] + i * dilations[0];
            int64_t xx = ox * strides[1] - pads[1] + j * dilations[1];
            float v = 0;
            if (y >= 0 && y < h && xx >= 0 && xx < w) {
              at[dims.batch] = b;
              at[dims.channel] = ci;
              at[dims.height] = y;
              at[dims.width] = xx;
              v = data[offset()];
            }
            rows.push_back(v);
          }
    }
  }
};
} // namespace

/// The range of `o` that `method` picks.
static std::pair<double, double> chooseRange(Observation &o,
                                             StringRef method) {
  if (method == "minmax" || o.samples.empty())
    return {o.lo, o.hi};
  std::vector<float> &s = o.samples;
  if (method == "percentile") {
    std::sort(s.begin(), s.end());
    auto at = [&](double q) {
      return static_cast<double>(
          s[std::min<size_t>(s.size() - 1,
                             static_cast<size_t>(q * (s.size() - 1)))]);
    };
    return {at(1e-4), at(1 - 1e-4)};
  }
  // mse: the clipping of [lo, hi] whose quantization error on the samples
  // is smallest.
  double bestError = std::numeric_limits<double>::infinity();
  std::pair<double, double> best = {o.lo, o.hi};
  for (int step = 0; step <= 70; ++step) {
    double alpha = 1.0 - step * 0.01;
    double lo = o.lo * alpha, hi = o.hi * alpha;
    ActivationQuantization q = ActivationQuantization::fromRange(lo, hi);
    double error = 0;
    for (float v : s) {
      double back = (q.quantize(v) - q.zeroPoint) * q.scale;
      error += (back - v) * (back - v);
    }
    if (error < bestError) {
      bestError = error;
      best = {lo, hi};
    }
  }
  return best;
}

/// The layer's signal-to-quantization-noise ratio (dB) on the observed
/// rows: its f32 product (plus bias) against the int8 kernel's arithmetic
/// on the same inputs.
static double measureSqnr(const QuantizationCandidate &c,
                          const Observation &o,
                          const QuantizedWeights &weights,
                          const ActivationQuantization &aq,
                          ArrayRef<double> w, ArrayRef<double> bias) {
  int64_t n = c.numChannels(), k = c.reductionSize();
  double signal = 0, noise = 0;
  std::vector<int32_t> qx(k);
  int64_t rows = std::min<int64_t>(
      o.rowCount, std::max<int64_t>(8, kErrorWorkPerLayer / (n * k)));
  for (int64_t r = 0; r < rows; ++r) {
    const float *x = o.rows.data() + r * k;
    for (int64_t i = 0; i < k; ++i)
      qx[i] = static_cast<int32_t>(aq.quantize(x[i])) -
              static_cast<int32_t>(aq.zeroPoint);
    for (int64_t ch = 0; ch < n; ++ch) {
      double exact = 0;
      int64_t acc = 0;
      for (int64_t i = 0; i < k; ++i) {
        int64_t at = c.weightIndex(ch, i);
        exact += static_cast<double>(x[i]) * w[c.sourceIndex(ch, i)];
        acc += static_cast<int64_t>(qx[i]) * weights.values[at];
      }
      double b = bias.empty() ? 0.0 : bias[ch];
      double ref = exact + b;
      double quantized = acc * aq.scale * weights.scales[ch] + b;
      signal += ref * ref;
      noise += (ref - quantized) * (ref - quantized);
    }
  }
  if (noise == 0)
    return std::numeric_limits<double>::infinity();
  return 10 * std::log10(signal / noise);
}

/// A name for a layer in the report: its location's name, else the op's
/// name and position.
static std::string layerName(Operation *op, size_t index) {
  std::string name;
  if (auto loc = dyn_cast<NameLoc>(op->getLoc()))
    name = loc.getName().str();
  else if (auto fused = dyn_cast<FusedLoc>(op->getLoc()))
    for (Location inner : fused.getLocations())
      if (auto named = dyn_cast<NameLoc>(inner)) {
        name = named.getName().str();
        break;
      }
  if (name.empty())
    name = op->getName().getStringRef().str() + " #" + std::to_string(index);
  return name;
}

llvm::Error mlir::kiln::calibrateAndQuantize(ModuleOp module,
                                             const CompilerOptions &options,
                                             CompileReport &report) {
  // The entry point calibration runs.
  SmallVector<func::FuncOp> publics;
  for (auto func : module.getOps<func::FuncOp>())
    if (func.isPublic() && !func.isExternal())
      publics.push_back(func);
  if (publics.size() != 1)
    return makeError("int8 calibration runs one entry point, but the model "
                     "has " +
                     llvm::Twine(publics.size()) + " public functions");
  func::FuncOp entry = publics.front();
  SmallVector<QuantizationCandidate> layers;
  entry.walk([&](Operation *op) {
    if (auto c = matchQuantizationCandidate(op))
      layers.push_back(*c);
  });

  // The copy that returns each layer's input too.
  OwningOpRef<ModuleOp> observed = module.clone();
  func::FuncOp observedEntry =
      observed->lookupSymbol<func::FuncOp>(entry.getSymName());
  SmallVector<Value> extra;
  observedEntry.walk([&](Operation *op) {
    if (auto c = matchQuantizationCandidate(op))
      extra.push_back(c->x);
  });
  if (extra.size() != layers.size())
    return makeError("calibration: the copy of the model differs");
  unsigned modelResults = entry.getNumResults();
  auto ret = cast<func::ReturnOp>(observedEntry.getBody().back().getTerminator());
  SmallVector<Value> results(ret.getOperands());
  results.append(extra.begin(), extra.end());
  ret->setOperands(results);
  observedEntry.setFunctionType(FunctionType::get(
      module.getContext(), observedEntry.getArgumentTypes(),
      ValueRange(results).getTypes()));
  if (ArrayAttr resultAttrs = observedEntry.getResAttrsAttr()) {
    SmallVector<Attribute> attrs(resultAttrs.getValue());
    attrs.append(extra.size(), DictionaryAttr::get(module.getContext()));
    observedEntry.setResAttrsAttr(ArrayAttr::get(module.getContext(), attrs));
  }

  // The graph is optimized already; it runs on the host whatever the
  // target.
  CompilerOptions calibrationOptions;
  calibrationOptions.graph = options.graph;
  calibrationOptions.graph.quantize = "none";
  calibrationOptions.graph.evaluateConstants = false;
  calibrationOptions.graph.layout = "keep";
  calibrationOptions.graph.imageInterface = false;
  calibrationOptions.graph.canonicalizeListener = nullptr;
  calibrationOptions.codegen = options.codegen;
  calibrationOptions.numThreads = options.numThreads;
  auto isolated =
      IsolatedJit::create(*observed, calibrationOptions, "<calibration>");
  if (!isolated)
    return makeError("calibration: " + llvm::toString(isolated.takeError()));
  JitModule &jit = (*isolated)->getJit();
  const EntryPoint *jitEntry = jit.lookup(entry.getSymName());
  if (!jitEntry)
    return makeError("calibration: no entry point @" + entry.getSymName());

  std::vector<Observation> observations(layers.size());
  for (auto [b, batch] : llvm::enumerate(options.quantization.calibration)) {
    if (batch.size() != jitEntry->inputs.size())
      return makeError("calibration batch " + llvm::Twine(b) + " has " +
                       llvm::Twine(batch.size()) + " arrays, but @" +
                       entry.getSymName() + " takes " +
                       llvm::Twine(jitEntry->inputs.size()) + " inputs");
    auto outputs = jit.run(*jitEntry, batch);
    if (!outputs)
      return makeError("calibration batch " + llvm::Twine(b) + ": " +
                       llvm::toString(outputs.takeError()));
    for (auto [i, layer] : llvm::enumerate(layers)) {
      const HostArray &x = (*outputs)[modelResults + i];
      observations[i].observe(reinterpret_cast<const float *>(x.data.data()),
                              x.numElements());
      if (observations[i].rowCount < kMaxErrorRows)
        observations[i].addRows(layer, x);
    }
  }

  // Ranges, errors, and the budget's decisions.
  Builder b(module.getContext());
  for (auto [i, layer] : llvm::enumerate(layers)) {
    Observation &o = observations[i];
    QuantizedLayer entryReport;
    entryReport.name = layerName(layer.op, i);
    entryReport.op = layer.op->getName().getStringRef().str();
    if (!o.finite || !(o.lo <= o.hi)) {
      entryReport.reason = !o.finite ? "inputs not finite in calibration"
                                     : "no calibration values";
      layer.op->setAttr(kQuantizeAttrName, b.getBoolAttr(false));
      report.quantizedLayers.push_back(std::move(entryReport));
      continue;
    }
    auto [lo, hi] = chooseRange(o, options.quantization.method);
    entryReport.lo = lo;
    entryReport.hi = hi;
    std::optional<QuantizedWeights> weights = quantizeWeights(layer);
    std::optional<SmallVector<double>> w = readFloatElements(layer.weight);
    SmallVector<double> bias;
    ElementsAttr biasAttr;
    if (layer.bias && matchPattern(layer.bias, m_Constant(&biasAttr)))
      if (auto values = readFloatElements(biasAttr))
        bias = std::move(*values);
    if (!weights || !w) {
      entryReport.reason = "weights not finite";
      layer.op->setAttr(kQuantizeAttrName, b.getBoolAttr(false));
      report.quantizedLayers.push_back(std::move(entryReport));
      continue;
    }
    entryReport.sqnrDb =
        measureSqnr(layer, o, *weights, ActivationQuantization::fromRange(lo, hi),
                    *w, bias);
    double budget = options.quantization.errorBudgetDb;
    if (budget > 0 && entryReport.sqnrDb < budget) {
      entryReport.reason = "SQNR below the error budget";
      layer.op->setAttr(kQuantizeAttrName, b.getBoolAttr(false));
    } else {
      entryReport.quantized = true;
      layer.op->setAttr(kCalibratedRangeAttrName,
                        b.getDenseF64ArrayAttr({lo, hi}));
    }
    report.quantizedLayers.push_back(std::move(entryReport));
  }

  PassManager pm(module.getContext());
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  funcPm.addPass(createKilnQuantizePass(KilnQuantizePassOptions{"int8"}));
  funcPm.addPass(createCanonicalizerPass());
  funcPm.addPass(createCSEPass());
  if (failed(pm.run(module)))
    return makeError("int8 quantization failed");
  return llvm::Error::success();
}
