//===- CHeader.h - The C header of an AOT object ----------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The plain C header of the Kiln AOT ABI (docs/aot-abi.md): one inline
// function per entry point that checks shapes and calls the object's
// `_mlir_ciface_<prefix>_<entry>`.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TARGET_CHEADER_H
#define KILN_TARGET_CHEADER_H

#include "kiln/Target/EntryPoints.h"
#include "kiln/Target/Weights.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"
#include <string>
#include <vector>

namespace mlir::kiln {

/// The C identifiers a header gives one entry point.
struct CEntryNames {
  std::string entry;                ///< the C entry name (getCEntryNames)
  std::vector<std::string> inputs;  ///< one per input, in order
  std::vector<std::string> results; ///< one per result, in order
};

/// The C names of `entries`' functions and tensors in a header for
/// `prefix`. A tensor's name is mangleCIdentifier of its name, then made
/// unique within its entry point by `_2`, `_3`, ... in order (inputs, then
/// results) against the earlier tensors, the `<name>_dN` and `<name>_m`
/// helpers each tensor brings, and the header's own names in the function
/// (`kiln_res_`, `kiln_status_`, `<prefix>_error_message`, ...).
std::vector<CEntryNames> getCHeaderNames(ArrayRef<EntryPoint> entries,
                                         llvm::StringRef prefix);

/// Writes the plain C header of the Kiln AOT ABI for `entries`. The object
/// file must come from the same module with its symbols prefixed by
/// prefixAndInternalizeSymbols(`prefix`), which must pass
/// validateSymbolPrefix. `prefix` also names the error-message accessor
/// `<prefix>_last_error` and the include guard `<PREFIX>_H`. With external
/// weights, the header also has `<prefix>_load_weights(path)` and
/// `<prefix>_unload_weights()`, and its entry points return status 4 until
/// the weights are loaded.
void emitCHeader(ArrayRef<EntryPoint> entries, llvm::StringRef prefix,
                 llvm::raw_ostream &os,
                 WeightsMode weights = WeightsMode::Embedded);

} // namespace mlir::kiln

#endif // KILN_TARGET_CHEADER_H
