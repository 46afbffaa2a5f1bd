//===- Symbols.h - C names and linker symbols of AOT objects ----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The names an AOT object and its header give to things: the symbol prefix
// that lets several models link into one program, the C identifiers made
// from arbitrary (ONNX) names, and the only symbols an object exports,
// `_mlir_ciface_<prefix>_<entry>`. The rules are in docs/aot-abi.md.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TARGET_SYMBOLS_H
#define KILN_TARGET_SYMBOLS_H

#include "kiln/Target/EntryPoints.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <string>
#include <vector>

namespace llvm {
class Module;
} // namespace llvm

namespace mlir::kiln {

/// The symbol prefix kiln-compile and the Python API use by default.
inline constexpr llvm::StringLiteral kDefaultSymbolPrefix = "kiln";

/// True for a keyword of C11, C23 or C++ (`double`, `_Bool`, `class`,
/// `and`, `char8_t`, ...).
bool isCOrCxxKeyword(llvm::StringRef name);

/// True for a name a generated header cannot give a parameter: a keyword,
/// a name the header itself uses (`free`, `memcpy`, `int64_t`, ...), or an
/// object-like macro of the standard headers it includes (`NULL`, `EOF`,
/// `stdin`, `unix`, ...).
bool isReservedCName(llvm::StringRef name);

/// Makes `name` a C identifier, without de-duplication: every byte outside
/// [A-Za-z0-9_] becomes `_`; a reserved name (see isReservedCName) gets a
/// trailing `_`; an empty name, one that starts with a digit, and one that
/// is an implementation-reserved identifier (`__x`, `_X`) get a `v_` prefix.
std::string mangleCIdentifier(llvm::StringRef name);

/// Appends `_2`, `_3`, ... to `base` until `taken` returns false for it;
/// returns `base` itself when it is free.
std::string uniquifyCName(llvm::StringRef base,
                          llvm::function_ref<bool(llvm::StringRef)> taken);

/// Checks that `prefix` can prefix C functions and linker symbols: a C
/// identifier ([A-Za-z_][A-Za-z0-9_]*), not a C or C++ keyword, not starting
/// with `_mlir`. The error names the prefix and the rule it breaks.
llvm::Error validateSymbolPrefix(llvm::StringRef prefix);

/// The C names of `entries`' functions, in order: the function name with
/// every byte outside [A-Za-z0-9_] made `_`, then `_2`, `_3`, ... against
/// earlier entries and the names a header declares next to them
/// (`last_error`, `error_message`, `memref<N>_t`, `<entry>_results_t`).
std::vector<std::string> getCEntryNames(llvm::ArrayRef<EntryPoint> entries);

/// `_mlir_ciface_<prefix>_<cEntryName>`: the symbol an object exports for
/// an entry point and its header calls.
std::string getCifaceSymbolName(llvm::StringRef prefix,
                                llvm::StringRef cEntryName);

/// Renames each entry's `_mlir_ciface_<name>` in `module` (LLVM IR as
/// translated from the LLVM dialect) to getCifaceSymbolName(prefix, C entry
/// name) and gives every other definition internal linkage, so that the
/// object defines no other external symbol and several models link into
/// one program. Run it before optimization, which can then drop what the
/// entry points do not reach. `prefix` must pass validateSymbolPrefix.
/// Fails when an entry point has no C interface function in `module`.
llvm::Error prefixAndInternalizeSymbols(llvm::Module &module,
                                        llvm::ArrayRef<EntryPoint> entries,
                                        llvm::StringRef prefix);

/// The same as prefixAndInternalizeSymbols, on a relocatable object
/// compiled from the module as it was (a JIT's): renames each entry's
/// `_mlir_ciface_<name>` to getCifaceSymbolName(prefix, C entry name) and
/// makes every other defined symbol local. Returns the new object. Fails
/// when an entry point's symbol is missing or `prefix` is invalid.
llvm::Expected<std::string>
prefixAndLocalizeObjectSymbols(llvm::StringRef object,
                               llvm::ArrayRef<EntryPoint> entries,
                               llvm::StringRef prefix);

} // namespace mlir::kiln

#endif // KILN_TARGET_SYMBOLS_H
