//===- Npy.h - Reading and writing numpy .npy files -------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_NPY_H
#define KILN_RUNTIME_NPY_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <string>
#include <vector>

namespace mlir::kiln {

/// A dense row-major array with a Kiln element type name ("f32", "f64",
/// "i1", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f16",
/// "bf16").
struct HostArray {
  std::string elementType;
  std::vector<int64_t> shape;
  std::vector<char> data;

  int64_t numElements() const;
  static unsigned elementBytes(llvm::StringRef elementType);
};

/// Reads a little-endian, C-order .npy file (format versions 1-3). Every
/// malformed, truncated or unsupported file is an error naming the file and
/// the problem.
llvm::Expected<HostArray> readNpy(llvm::StringRef path);
llvm::Expected<HostArray> parseNpy(llvm::StringRef bytes, llvm::StringRef name);

/// Writes `array` as a version 1.0 .npy file.
llvm::Error writeNpy(llvm::StringRef path, const HostArray &array);

} // namespace mlir::kiln

#endif // KILN_RUNTIME_NPY_H
