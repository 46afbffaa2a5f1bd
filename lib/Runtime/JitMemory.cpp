//===- JitMemory.cpp - JIT sections in one address range ------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "JitMemory.h"

#include "llvm/Support/MathExtras.h"
#include "llvm/Support/Process.h"

#include <sys/mman.h>

using namespace mlir::kiln;
using llvm::sys::Memory;
using llvm::sys::MemoryBlock;

static int protection(unsigned flags) {
  int prot = 0;
  if (flags & Memory::MF_READ)
    prot |= PROT_READ;
  if (flags & Memory::MF_WRITE)
    prot |= PROT_WRITE;
  if (flags & Memory::MF_EXEC)
    prot |= PROT_EXEC;
  return prot;
}

NearbyMemoryMapper::NearbyMemoryMapper(size_t bytes) {
  void *p = mmap(nullptr, bytes, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p != MAP_FAILED) {
    base = static_cast<char *>(p);
    size = bytes;
  }
}

NearbyMemoryMapper::~NearbyMemoryMapper() {
  if (base)
    munmap(base, size);
}

bool NearbyMemoryMapper::owns(const MemoryBlock &block) const {
  auto *p = static_cast<char *>(block.base());
  return base && p >= base && p < base + size;
}

MemoryBlock NearbyMemoryMapper::allocateMappedMemory(
    llvm::SectionMemoryManager::AllocationPurpose purpose, size_t numBytes,
    const MemoryBlock *const nearBlock, unsigned flags, std::error_code &ec) {
  size_t page = llvm::sys::Process::getPageSizeEstimate();
  size_t bytes = llvm::alignTo(numBytes, page);
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (base && bytes <= size - used) {
      char *p = base + used;
      if (mprotect(p, bytes, protection(flags)) == 0) {
        used += bytes;
        ec = std::error_code();
        return MemoryBlock(p, bytes);
      }
    }
  }
  // Out of the reserved range (or none could be reserved): the operating
  // system's choice, near the previous block if it can.
  return Memory::allocateMappedMemory(numBytes, nearBlock, flags, ec);
}

std::error_code
NearbyMemoryMapper::protectMappedMemory(const MemoryBlock &block,
                                        unsigned flags) {
  return Memory::protectMappedMemory(block, flags);
}

std::error_code NearbyMemoryMapper::releaseMappedMemory(MemoryBlock &block) {
  if (!owns(block))
    return Memory::releaseMappedMemory(block);
  // The range is returned to the kernel whole when the mapper goes; the
  // pages are dropped now.
  madvise(block.base(), block.allocatedSize(), MADV_DONTNEED);
  mprotect(block.base(), block.allocatedSize(), PROT_NONE);
  block = MemoryBlock();
  return std::error_code();
}
