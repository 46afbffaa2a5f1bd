//===- Origins.h - Which kiln ops a lowered op came from --------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// convert-kiln-to-linalg marks each kiln op's location with the op's name,
// `loc(fused<"kiln.conv2d">[<where>])`, before lowering it, so every op the
// lowering makes carries it. Fusion keeps the locations of everything it
// fuses (a fused location of both), so a kernel's location lists the kiln
// ops it computes: the compile report's fusion groups, and what a reader of
// `--emit=linalg --mlir-print-debuginfo` sees. Diagnostics still point at
// the original place (the marked location wraps it).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_ORIGINS_H
#define KILN_IR_ORIGINS_H

#include "mlir/IR/Location.h"
#include <string>

namespace mlir {
class Operation;
namespace kiln {

/// The location of `op` marked with its name: a fused location whose
/// metadata is the op name. An already marked location is kept.
Location markOrigin(Operation *op);

/// One kiln op a location came from: its name and where it was.
struct Origin {
  StringRef opName;
  Location loc;
  /// "kiln.add (node 'Add_3' (Add))", "kiln.add (model.mlir:4:10)".
  std::string describe() const;
};

/// The kiln ops `loc` came from, in order, without repeats.
SmallVector<Origin> getOrigins(Location loc);

} // namespace kiln
} // namespace mlir

#endif // KILN_IR_ORIGINS_H
