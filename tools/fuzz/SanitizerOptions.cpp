//===- SanitizerOptions.cpp - ASan defaults of the fuzz harnesses ---------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// LLVM's BumpPtrAllocator poisons its free slab space under ASan, and its
// inline code runs both in Kiln's instrumented objects and in Debian's
// uninstrumented libMLIR: a slab that Kiln's code poisoned and libMLIR's code
// then allocates from (an MLIRContext's attribute storage, say) is reported
// as use-after-poison. allow_user_poisoning=0 turns that poisoning off; the
// ASAN_OPTIONS environment variable still overrides it.
//
//===----------------------------------------------------------------------===//

extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}
