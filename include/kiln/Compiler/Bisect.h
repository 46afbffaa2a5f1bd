//===- Bisect.h - Finding the pass that changes a program's output -*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// `kiln-run --verify-each=reference`: runs a model once through the
// reference lowering (every optimization of the lowering left out: naive
// loops) and then again with the optimizations enabled one more at a time,
// in pipeline order, and reports the first whose output differs, with the
// IR before and after it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_BISECT_H
#define KILN_COMPILER_BISECT_H

#include "kiln/Compiler/Compiler.h"
#include "kiln/Runtime/Npy.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::kiln {

/// One pass of the lowering, as its textual pipeline spells it.
struct PipelineStep {
  /// "builtin.module", or the nested op ("func.func"), or the path of
  /// nested ops, comma-separated ("gpu.module,spirv.module").
  std::string anchor;
  std::string pass;   ///< the pass with its options, e.g. "canonicalize{...}"
  /// An optimization: the reference lowering leaves it out. Kiln's own
  /// passes are, except those that lower (attach-target, lower-vectors,
  /// lower-memref-copy, expand-float-conversions, runtime-checks,
  /// cache-workspace); upstream passes are always run.
  bool optional = false;

  /// The pass name without its options.
  StringRef name() const;
};

/// The lowering after the Kiln stage (to Linalg, Bufferized and the LLVM
/// dialect) of `session`, one step per pass, in order.
llvm::Expected<std::vector<PipelineStep>>
getLoweringSteps(const CompilerSession &session);

struct BisectOptions {
  double rtol = 1e-4, atol = 1e-5;
  /// Where the IR before and after the culprit is written ("" = nowhere).
  std::string dumpDir;
  /// Reference results to compare against instead of the reference
  /// lowering's (for example numpy's).
  std::vector<HostArray> expected;
};

struct BisectResult {
  /// The step whose enabling changed the output; none when every run
  /// matched.
  std::optional<size_t> culprit;
  /// The first step of the culprit's group: optimizations that only lower
  /// together (the same as `culprit` for one that lowers on its own).
  size_t firstOfGroup = 0;
  std::vector<PipelineStep> steps;
  /// What differed, and the IR right before and after the culprit.
  std::string mismatch, irBefore, irAfter;
};

/// Runs `entryName` of `session`'s module (at the Kiln stage) on `inputs`
/// as described above, logging one line per run to `log`. The IR is that
/// before the culprit's group and after the culprit.
llvm::Expected<BisectResult> bisectLowering(CompilerSession &session,
                                            StringRef entryName,
                                            ArrayRef<HostArray> inputs,
                                            const BisectOptions &options,
                                            llvm::raw_ostream &log);

} // namespace mlir::kiln

#endif // KILN_COMPILER_BISECT_H
