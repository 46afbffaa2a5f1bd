//===- JitMemory.h - JIT sections in one address range ----------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// MLIR's ExecutionEngine links JIT code with RuntimeDyld, whose default
// memory manager maps code, read-only data and data separately. The x86-64
// small code model reaches data with 32-bit PC-relative offsets, so the
// sections must lie within 2 GiB of each other; the operating system does
// not promise that, and under AddressSanitizer they landed 4 TiB apart
// (silently wrapped addresses, crashes). This mapper hands out every
// section of one module from a single reserved range.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_LIB_RUNTIME_JITMEMORY_H
#define KILN_LIB_RUNTIME_JITMEMORY_H

#include "llvm/ExecutionEngine/SectionMemoryManager.h"
#include "llvm/Support/Memory.h"

#include <mutex>

namespace mlir::kiln {

class NearbyMemoryMapper final
    : public llvm::SectionMemoryManager::MemoryMapper {
public:
  /// Reserves `bytes` of address space (inaccessible until allocated).
  explicit NearbyMemoryMapper(size_t bytes);
  ~NearbyMemoryMapper() override;

  llvm::sys::MemoryBlock
  allocateMappedMemory(llvm::SectionMemoryManager::AllocationPurpose purpose,
                       size_t numBytes,
                       const llvm::sys::MemoryBlock *const nearBlock,
                       unsigned flags, std::error_code &ec) override;
  std::error_code protectMappedMemory(const llvm::sys::MemoryBlock &block,
                                      unsigned flags) override;
  std::error_code releaseMappedMemory(llvm::sys::MemoryBlock &block) override;

private:
  bool owns(const llvm::sys::MemoryBlock &block) const;

  std::mutex mutex;
  char *base = nullptr;
  size_t size = 0, used = 0;
};

} // namespace mlir::kiln

#endif // KILN_LIB_RUNTIME_JITMEMORY_H
