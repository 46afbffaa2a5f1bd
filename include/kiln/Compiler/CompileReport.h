//===- CompileReport.h - What the graph passes did --------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Debian's LLVM is built without statistics, so `--mlir-pass-statistics`
// reports nothing. Kiln's passes instead emit MLIR optimization remarks
// (`remark::passed`, category = the pass argument) for each rewrite, and the
// canonicalizations of the graph pipeline are observed through a rewrite
// listener. The compiler session collects both into this report, together
// with op counts per kind before and after the graph pipeline, and, from the
// linalg stage, the kernels before and after fusion and the fusion groups
// (read from the kernels' locations, kiln/IR/Origins.h).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_COMPILEREPORT_H
#define KILN_COMPILER_COMPILEREPORT_H

#include "mlir/Support/LLVM.h"
#include <cstdint>
#include <map>
#include <optional>
#include <vector>
#include <string>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace mlir {
class MLIRContext;
class Operation;
class RewriterBase;
class Type;
namespace kiln {

/// The kernels of linalg on tensors (linalg ops not inside another) and the
/// tensors they write that stay inside the function: neither returned nor
/// only the destination another kernel updates in place.
struct KernelStats {
  int64_t kernels = 0;
  /// Bytes of the statically shaped intermediate tensors.
  int64_t intermediateBytes = 0;
  /// Intermediate tensors of a dynamic shape (not in intermediateBytes).
  int64_t dynamicIntermediates = 0;
  KernelStats &operator+=(const KernelStats &other);
};

/// One kernel that fusion made of several kiln ops.
struct FusionGroup {
  std::string function;
  /// "kiln.add (node 'Add_3' (Add))", in the order fusion met them.
  std::vector<std::string> ops;
};

/// One layer that int8 quantization considered.
struct QuantizedLayer {
  std::string name; ///< the op's location name, else op and index
  std::string op;   ///< kiln.linear or kiln.matmul
  /// The calibrated activation range.
  double lo = 0, hi = 0;
  /// The layer's own signal-to-quantization-noise ratio on the calibration
  /// inputs, in dB (infinite when exact).
  double sqnrDb = 0;
  bool quantized = false;
  /// Why it stayed in float.
  std::string reason;
};

struct CompileReport {
  /// Op counts by op name inside functions, when the model was loaded and
  /// after the graph pipeline.
  std::map<std::string, int64_t> opsBefore, opsAfter;
  /// Rewrites by (pass argument, remark name), e.g.
  /// ("kiln-fold-batchnorm", "batchnorm-folded") -> 3.
  std::map<std::pair<std::string, std::string>, int64_t> rewrites;
  /// Ops that canonicalization replaced by constants (folded), and dead ops
  /// it erased, in the graph pipeline.
  int64_t constantsFolded = 0;
  int64_t deadOpsErased = 0;
  /// Bytes of the constants canonicalization folded to; kiln passes report
  /// theirs per rewrite.
  int64_t constantBytesFolded = 0;
  std::map<std::pair<std::string, std::string>, int64_t> rewriteBytes;

  /// From the linalg stage: the kernels right after lowering (before
  /// kiln-fuse-elementwise) and at the end of the stage, and the kernels
  /// fusion made of several kiln ops.
  std::optional<KernelStats> kernelsBeforeFusion, kernelsAfterFusion;
  std::vector<FusionGroup> fusionGroups;
  /// From the bufferized stage: what CPU code generation fused, by (pass
  /// argument, remark name), e.g. ("kiln-cpu-tile-and-vectorize",
  /// "epilogue-fused") -> 6, and the bytes of intermediate tensors that no
  /// longer go to memory whole (a fused epilogue's: the raw product).
  std::map<std::pair<std::string, std::string>, int64_t> codegenRewrites;
  std::map<std::pair<std::string, std::string>, int64_t> codegenBytes;
  /// The layers int8 calibration measured (--quantize=int8).
  std::vector<QuantizedLayer> quantizedLayers;

  /// A human-readable summary.
  void print(llvm::raw_ostream &os) const;
  /// The same as one JSON object.
  void printJSON(llvm::raw_ostream &os) const;
};

/// Counts the ops inside the functions of `root` by name.
std::map<std::string, int64_t> countOpsByName(Operation *root);

/// The kernels of linalg on tensors in `root` (a function or a module).
KernelStats computeKernelStats(Operation *root);

/// The kernels in `root` whose locations name more than one kiln op.
std::vector<FusionGroup> collectFusionGroups(Operation *root);

/// The bytes of `type` if it is a statically shaped tensor or memref.
std::optional<int64_t> getStaticBytes(Type type);

} // namespace kiln
} // namespace mlir

#endif // KILN_COMPILER_COMPILEREPORT_H
