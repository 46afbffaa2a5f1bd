//===- Quantization.h - int8 quantization shared by pass and session -*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// What kiln-quantize rewrites and how it quantizes, shared with the
// compiler session's calibration (which observes the same ops and measures
// each one's error with the same arithmetic).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRANSFORMS_QUANTIZATION_H
#define KILN_TRANSFORMS_QUANTIZATION_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include <optional>

namespace mlir::kiln {

/// The range calibration records on an op: `array<f64: lo, hi>`.
inline constexpr StringLiteral kCalibratedRangeAttrName =
    "kiln.calibrated_range";
/// `false` keeps an op in float (the error budget sets it).
inline constexpr StringLiteral kQuantizeAttrName = "kiln.quantize";

/// A contraction with frozen f32 weights that kiln-quantize rewrites: `x`
/// ([..., K], f32) by `weight`, `[N, K]` when `transposed` (kiln.linear's
/// layout) else `[K, N]`, plus an optional bias.
struct QuantizationCandidate {
  Operation *op = nullptr;
  Value x;
  ElementsAttr weight;
  RankedTensorType weightType;
  bool transposed = false;
  Value bias;

  int64_t numChannels() const {
    return weightType.getDimSize(transposed ? 0 : 1);
  }
  int64_t reductionSize() const {
    return weightType.getDimSize(transposed ? 1 : 0);
  }
  /// The flat index of weight (channel, k).
  int64_t weightIndex(int64_t channel, int64_t k) const {
    return transposed ? channel * reductionSize() + k
                      : k * numChannels() + channel;
  }
};

/// `op` as a candidate, unless it is not one (or `kiln.quantize = false`).
std::optional<QuantizationCandidate> matchQuantizationCandidate(Operation *op);

/// Weights quantized symmetrically per output channel: `q = clamp(round(w /
/// scale[n]), -127, 127)`, `scale[n] = max |w[n, :]| / 127`, in the
/// weights' own layout.
struct QuantizedWeights {
  SmallVector<int8_t> values;
  SmallVector<double> scales;
};
/// Fails on weights that are not finite or cannot be read.
std::optional<QuantizedWeights>
quantizeWeights(const QuantizationCandidate &candidate);

/// Activations as `ui8`: `q = clamp(round(x / scale) + zeroPoint, 0, 255)`.
struct ActivationQuantization {
  double scale = 1;
  double zeroPoint = 0;

  /// The range [lo, hi], widened to hold 0 (which quantizes exactly), in
  /// 255 steps.
  static ActivationQuantization fromRange(double lo, double hi);
  uint8_t quantize(float x) const;
};

} // namespace mlir::kiln

#endif // KILN_TRANSFORMS_QUANTIZATION_H
