//===- TargetDescription.h - What Kiln generates code for ------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The compilation target, resolved and validated once, before any work:
// triple, CPU and features as LLVM understands them, plus what codegen needs
// to size tiles (vector width, vector register count, cache sizes). It is
// written into the IR as `#kiln.target` and read back by codegen passes and
// by the LLVM emission, so both always agree.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TARGET_TARGETDESCRIPTION_H
#define KILN_TARGET_TARGETDESCRIPTION_H

#include "mlir/Support/LLVM.h"
#include "llvm/Support/Error.h"
#include <memory>
#include <optional>
#include <string>

namespace llvm {
class TargetMachine;
} // namespace llvm

namespace mlir {
class MLIRContext;
namespace kiln {
class TargetAttr;

/// What the user asked for; empty fields mean "the host" (for the triple),
/// "the host CPU or generic" (for the CPU) and "the CPU's own" (features).
struct TargetOptions {
  std::string triple;
  std::string cpu;
  std::string features; ///< comma-separated, each `+name` or `-name`
};

/// A resolved, validated target.
struct TargetDescription {
  std::string triple;
  std::string cpu;
  /// Features that differ from the CPU's defaults, `+a,-b`.
  std::string features;
  unsigned vectorBits = 128;
  unsigned vectorRegisters = 16;
  std::optional<int64_t> l1dCache, l2Cache, l3Cache;
  bool isHost = false;

  /// Whether the CPU plus `features` has LLVM feature `name` (e.g. "f16c").
  bool hasFeature(StringRef name) const;

  /// The `#kiln.target` attribute describing this target.
  TargetAttr toAttr(MLIRContext *context) const;
  /// Reads a `#kiln.target` attribute back.
  static TargetDescription fromAttr(TargetAttr attr);
};

/// Resolves `options` against LLVM's target registry and the host: unknown
/// triples, CPUs (or CPUs that cannot run the triple's code) and unknown
/// features are errors that name the offending value, never an LLVM fatal
/// error later.
llvm::Expected<TargetDescription> resolveTarget(const TargetOptions &options);

/// The LLVM target machine for a resolved target at `optLevel` (0-3).
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetDescription &target, unsigned optLevel);

} // namespace kiln
} // namespace mlir

#endif // KILN_TARGET_TARGETDESCRIPTION_H
