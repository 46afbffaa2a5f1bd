//===- Compare.h - Comparing host arrays with tolerances --------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_COMPARE_H
#define KILN_RUNTIME_COMPARE_H

#include "kiln/Runtime/Npy.h"

#include <string>

namespace mlir::kiln {

/// Element `i` of `a` as a double (integers and i1 included).
double elementAsDouble(const HostArray &a, int64_t i);

/// Compares `got` with `want` with numpy.allclose's rule (|g - w| <= atol +
/// rtol * |w|; NaN equals NaN); returns "" when they match, else a message
/// starting with `name` that counts the differing elements and gives the
/// worst one.
std::string compareArrays(const HostArray &got, const HostArray &want,
                          double rtol, double atol, llvm::StringRef name);

} // namespace mlir::kiln

#endif // KILN_RUNTIME_COMPARE_H
