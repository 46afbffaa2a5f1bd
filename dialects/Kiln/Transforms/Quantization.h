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
#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include <optional>

namespace mlir::kiln {

/// The range calibration records on an op: `array<f64: lo, hi>`.
inline constexpr StringLiteral kCalibratedRangeAttrName =
    "kiln.calibrated_range";
/// `false` keeps an op in float (the error budget sets it).
inline constexpr StringLiteral kQuantizeAttrName = "kiln.quantize";

/// A contraction with frozen f32 weights that kiln-quantize rewrites: `x`
/// ([..., K], f32) by `weight`, `[N, K]` when `transposed` (kiln.linear's
/// layout) else `[K, N]`, plus an optional bias. A 2-D convolution (one
/// group) is the product of its input's windows (im2col, K ordered kh, kw,
/// c) and its filter viewed as `[K, F]`.
struct QuantizationCandidate {
  Operation *op = nullptr;
  Value x;
  ElementsAttr weight;
  /// The weights as the integer contraction takes them.
  RankedTensorType weightType;
  bool transposed = false;
  Value bias;
  /// For a convolution: its filter's type and layout (NHWC filters are
  /// [KH, KW, C, F], NCHW ones [F, C, KH, KW]).
  RankedTensorType filterType;
  bool isConv = false, nhwc = false;

  int64_t numChannels() const {
    return weightType.getDimSize(transposed ? 0 : 1);
  }
  int64_t reductionSize() const {
    return weightType.getDimSize(transposed ? 1 : 0);
  }
  /// The dim of `weight` that runs over the output channels.
  int64_t outputChannelAxis() const {
    if (isConv)
      return nhwc ? 3 : 0;
    return transposed ? 0 : 1;
  }
  /// The flat index of weight (channel, k) in the contraction's layout.
  int64_t weightIndex(int64_t channel, int64_t k) const {
    return transposed ? channel * reductionSize() + k
                      : k * numChannels() + channel;
  }
  /// The flat index of weight (channel, k) in `weight`'s own data.
  int64_t sourceIndex(int64_t channel, int64_t k) const {
    if (!isConv || nhwc)
      return weightIndex(channel, k);
    // [F, C, KH, KW] with k = (kh * KW + kw) * C + c.
    int64_t c = filterType.getDimSize(1), kh = filterType.getDimSize(2),
            kw = filterType.getDimSize(3);
    int64_t ci = k % c, tap = k / c;
    return ((channel * c + ci) * kh + tap / kw) * kw + tap % kw;
  }
};

/// The frozen weights a value holds, or null; the default takes constants.
using WeightResolver = llvm::function_ref<ElementsAttr(Value)>;

/// `op` as a candidate, unless it is not one (or `kiln.quantize = false`).
std::optional<QuantizationCandidate>
matchQuantizationCandidate(Operation *op, WeightResolver resolveWeight = {});

/// Weights quantized symmetrically per output channel: `q = clamp(round(w /
/// scale[n]), -127, 127)`, `scale[n] = max |w[n, :]| / 127`, in the
/// weights' own layout.
struct QuantizedWeights {
  SmallVector<int8_t> values;
  SmallVector<double> scales;
};
/// With `scales` (one per channel; a QDQ model's), those scales and the
/// full range [-128, 127] instead. Fails on weights that are not finite or
/// cannot be read.
std::optional<QuantizedWeights>
quantizeWeights(const QuantizationCandidate &candidate,
                ArrayRef<double> scales = {});

/// Activations as `ui8`: `q = clamp(round(x / scale) + zeroPoint, 0, 255)`.
struct ActivationQuantization {
  double scale = 1;
  double zeroPoint = 0;

  /// The range [lo, hi], widened to hold 0 (which quantizes exactly), in
  /// 255 steps.
  static ActivationQuantization fromRange(double lo, double hi);
  uint8_t quantize(float x) const;
};

/// Replaces the candidate's op by the int8 contraction (`kiln.matmul_integer`
/// on the quantized input, im2col'd for a convolution) and its float
/// epilogue, with the activations quantized as `activations` says.
void rewriteQuantized(OpBuilder &b, const QuantizationCandidate &candidate,
                      const QuantizedWeights &weights,
                      const ActivationQuantization &activations);

} // namespace mlir::kiln

#endif // KILN_TRANSFORMS_QUANTIZATION_H
