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
// with op counts per kind before and after the graph pipeline.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_COMPILEREPORT_H
#define KILN_COMPILER_COMPILEREPORT_H

#include "mlir/Support/LLVM.h"
#include <cstdint>
#include <map>
#include <string>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace mlir {
class MLIRContext;
class Operation;
class RewriterBase;
namespace kiln {

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

  /// A human-readable summary.
  void print(llvm::raw_ostream &os) const;
  /// The same as one JSON object.
  void printJSON(llvm::raw_ostream &os) const;
};

/// Counts the ops inside the functions of `root` by name.
std::map<std::string, int64_t> countOpsByName(Operation *root);

} // namespace kiln
} // namespace mlir

#endif // KILN_COMPILER_COMPILEREPORT_H
