//===- Weights.h - Weights in a file of their own -------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// `kiln-compile --weights=external` moves a model's weights out of the
// object into a weights file, which the program maps read-only at run time
// through the header's `<prefix>_load_weights(path)` (docs/aot-abi.md).
//
// The file is a 64-byte header followed by the weights, each at an offset
// aligned to 64 bytes (or to the weight's own larger alignment):
//
//   offset  0  "KILNWTS\0"           magic
//           8  u32 version            kWeightsFormatVersion
//          12  u32 header bytes       64
//          16  u64 file bytes         header and data
//          24  u64 checksum           weightsChecksum of bytes [64, file bytes)
//          32  u64 tensor count
//          40  24 bytes of zeros
//
// all little-endian. The object keeps what it expects of its file, so a
// truncated, corrupt or other model's file is refused before any use.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TARGET_WEIGHTS_H
#define KILN_TARGET_WEIGHTS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <string>

namespace llvm {
class Module;
class raw_ostream;
} // namespace llvm

namespace mlir::kiln {

/// Where a model's weights live in an AOT object.
enum class WeightsMode { Embedded, External };

inline constexpr uint32_t kWeightsFormatVersion = 1;
inline constexpr uint64_t kWeightsHeaderBytes = 64;
/// Constants smaller than this stay in the object: scalars and short
/// vectors the code folds into instructions.
inline constexpr uint64_t kMinExternalWeightBytes = 64;

/// What an object with external weights expects of its weights file.
struct WeightsFileInfo {
  uint64_t fileBytes = 0;
  uint64_t checksum = 0;
  uint64_t tensors = 0;
};

/// `_kiln_<prefix>_weights`: the pointer an object with external weights
/// reads its weights through, set by the header's `<prefix>_load_weights`.
std::string getWeightsSymbolName(llvm::StringRef prefix);
/// `_kiln_<prefix>_weights_info`: four u64s in the object, {version, file
/// bytes, checksum, tensor count}, which `<prefix>_load_weights` checks.
std::string getWeightsInfoSymbolName(llvm::StringRef prefix);

/// The checksum of a weights file's data (a multiple of 8 bytes): four
/// interleaved lanes of 64-bit FNV-style multiply-xor over little-endian
/// words, then folded with the length. The generated header computes the
/// same in C.
uint64_t computeWeightsChecksum(llvm::ArrayRef<uint8_t> data);

/// Moves every weight of `module` (LLVM IR of an AOT object whose symbols
/// prefixAndInternalizeSymbols already prefixed) into a weights file
/// written to `os`. The weights are the constant globals that one-shot
/// bufferization made of tensor constants (`__constant_*`) with at least
/// kMinExternalWeightBytes bytes; every use of one becomes a load of the
/// exported pointer getWeightsSymbolName(prefix) plus its offset. Also
/// defines the exported getWeightsInfoSymbolName(prefix). Run it before
/// optimization. Fails, changing nothing, on a big-endian target or a
/// weight whose initializer it cannot serialize.
llvm::Expected<WeightsFileInfo> externalizeWeights(llvm::Module &module,
                                                   llvm::StringRef prefix,
                                                   llvm::raw_ostream &os);

} // namespace mlir::kiln

#endif // KILN_TARGET_WEIGHTS_H
