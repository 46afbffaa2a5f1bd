//===- npy-fuzzer.cpp - libFuzzer harness for the .npy reader -------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Each input is a .npy file's bytes, read with parseNpy (what kiln-run's
// `-i`/`--expect`, --freeze and the Python package read). Rejecting a file
// is fine; crashing is a bug, and so is an accepted array whose shape's
// element count or byte size overflows int64_t or whose data does not match
// its element type and shape.
//
//===----------------------------------------------------------------------===//

#include "kiln/Runtime/Npy.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdlib>
#include <string>

using namespace mlir::kiln;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // An exact-size heap copy, so that ASan sees reads past the end.
  std::string bytes(reinterpret_cast<const char *>(data), size);
  llvm::Expected<HostArray> array = parseNpy(bytes, "fuzz.npy");
  if (!array) {
    llvm::consumeError(array.takeError());
    return 0;
  }
  // The element count and byte size, free of overflow (HostArray's users
  // compute them with plain int64_t arithmetic).
  int64_t elements = 1, byteSize = 0;
  bool overflow = false;
  for (int64_t d : array->shape)
    overflow |= d < 0 || __builtin_mul_overflow(elements, d, &elements);
  overflow |= __builtin_mul_overflow(
      elements,
      static_cast<int64_t>(HostArray::elementBytes(array->elementType)),
      &byteSize);
  if (overflow || array->data.size() != static_cast<uint64_t>(byteSize) ||
      array->data.size() > size) {
    llvm::errs() << "npy-fuzzer: accepted " << array->data.size()
                 << " bytes of data for shape (";
    for (int64_t d : array->shape)
      llvm::errs() << d << ",";
    llvm::errs() << ") of " << array->elementType << "\n";
    std::abort();
  }
  return 0;
}
