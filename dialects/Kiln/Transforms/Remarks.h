//===- Remarks.h - Optimization remarks of the kiln passes ------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Debian's LLVM is built without statistics, so a pass's `Statistic`s count
// nothing. Each kiln rewrite therefore also emits an MLIR optimization remark
// (category: the pass argument, name: what it did), which the compiler
// session counts into its compile report. Without a remark engine on the
// context this costs a pointer test.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRANSFORMS_REMARKS_H
#define KILN_TRANSFORMS_REMARKS_H

#include "mlir/IR/Remarks.h"

namespace mlir::kiln {

/// Records one rewrite named `rewrite` (e.g. "batchnorm-folded") by `pass`
/// (e.g. "kiln-fold-batchnorm") at `loc`.
inline void remarkRewrite(Location loc, StringRef pass, StringRef rewrite) {
  remark::passed(loc, remark::RemarkOpts::name(rewrite).category(pass));
}

/// The same for a rewrite that made a constant of `bytes` bytes at compile
/// time (the report sums them as "bytes").
inline void remarkConstantFolded(Location loc, StringRef pass,
                                 StringRef rewrite, int64_t bytes) {
  remark::passed(loc, remark::RemarkOpts::name(rewrite).category(pass))
      << remark::detail::Remark::Arg("bytes", bytes);
}

} // namespace mlir::kiln

#endif // KILN_TRANSFORMS_REMARKS_H
