//===- cpu-features.c - The host CPU features that tests gate on ----------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Prints the host's CPU features, one per line, spelled as lit features
// (`REQUIRES: avx512f`) and as the Python tests' `requires_cpu` marker:
//
//   avx avx2 fma f16c avxvnni avx512f avx512dq avx512bw avx512vl avx512vnni
//   avx512bf16 avx512fp16 amx-tile amx-int8 amx-bf16 amx
//
// A feature is listed only when code can use it: CPUID reports it, the OS
// saves its registers (XCR0, read with xgetbv), and for AMX Linux grants
// this process the tile data state (`amx` means all three AMX features).
//
//   kiln-cpu-features            print the features
//   kiln-cpu-features NAME...    exit 0 when all are present, else name the
//                                missing ones on stderr and exit 1
//
// On hosts other than x86-64 nothing is printed.
//
//===----------------------------------------------------------------------===//

#include <stdio.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif
#if defined(__x86_64__) && defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

enum { kMaxFeatures = 32 };

struct Features {
  const char *names[kMaxFeatures];
  int count;
};

static void add(struct Features *features, int present, const char *name) {
  if (present && features->count < kMaxFeatures)
    features->names[features->count++] = name;
}

#if defined(__x86_64__)
static unsigned long long readXCR0(void) {
  unsigned eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((unsigned long long)edx << 32) | eax;
}

/// Linux (5.16 and later) enables AMX tile data per process, on request.
static int amxPermitted(void) {
#if defined(__linux__)
  enum { kGetPerm = 0x1022, kRequestPerm = 0x1023, kTileData = 18 };
  unsigned long permitted = 0;
  if (syscall(SYS_arch_prctl, kRequestPerm, kTileData) != 0)
    return 0;
  if (syscall(SYS_arch_prctl, kGetPerm, &permitted) != 0)
    return 0;
  return (permitted >> kTileData) & 1;
#else
  return 0;
#endif
}

static void probe(struct Features *features) {
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
    return;
  unsigned ecx1 = ecx;
  // Without OSXSAVE, xgetbv faults and no AVX state is enabled.
  if (!(ecx1 & (1u << 27)))
    return;
  unsigned long long xcr0 = readXCR0();
  int avxState = (xcr0 & 0x6) == 0x6;                  // XMM and YMM
  int avx512State = avxState && (xcr0 & 0xe0) == 0xe0; // opmask, ZMM
  int amxState = (xcr0 & 0x60000) == 0x60000;          // TILECFG, TILEDATA

  unsigned ebx7 = 0, ecx7 = 0, edx7 = 0, eax71 = 0;
  if (__get_cpuid_max(0, 0) >= 7) {
    unsigned maxSubleaf;
    __cpuid_count(7, 0, maxSubleaf, ebx7, ecx7, edx7);
    if (maxSubleaf >= 1)
      __cpuid_count(7, 1, eax71, ebx, ecx, edx);
  }

  add(features, avxState && (ecx1 & (1u << 28)), "avx");
  add(features, avxState && (ebx7 & (1u << 5)), "avx2");
  add(features, avxState && (ecx1 & (1u << 12)), "fma");
  add(features, avxState && (ecx1 & (1u << 29)), "f16c");
  add(features, avxState && (eax71 & (1u << 4)), "avxvnni");
  add(features, avx512State && (ebx7 & (1u << 16)), "avx512f");
  add(features, avx512State && (ebx7 & (1u << 17)), "avx512dq");
  add(features, avx512State && (ebx7 & (1u << 30)), "avx512bw");
  add(features, avx512State && (ebx7 & (1u << 31)), "avx512vl");
  add(features, avx512State && (ecx7 & (1u << 11)), "avx512vnni");
  add(features, avx512State && (eax71 & (1u << 5)), "avx512bf16");
  add(features, avx512State && (edx7 & (1u << 23)), "avx512fp16");

  int tile = edx7 & (1u << 24), int8 = edx7 & (1u << 25),
      bf16 = edx7 & (1u << 22);
  if (amxState && tile && amxPermitted()) {
    add(features, 1, "amx-tile");
    add(features, int8 != 0, "amx-int8");
    add(features, bf16 != 0, "amx-bf16");
    add(features, int8 && bf16, "amx");
  }
}
#else
static void probe(struct Features *features) { (void)features; }
#endif

static int has(const struct Features *features, const char *name) {
  for (int i = 0; i < features->count; ++i)
    if (strcmp(features->names[i], name) == 0)
      return 1;
  return 0;
}

int main(int argc, char **argv) {
  struct Features features = {{0}, 0};
  probe(&features);
  if (argc == 1) {
    for (int i = 0; i < features.count; ++i)
      puts(features.names[i]);
    return 0;
  }
  int missing = 0;
  for (int i = 1; i < argc; ++i) {
    if (!has(&features, argv[i])) {
      fprintf(stderr, "kiln-cpu-features: the host lacks %s\n", argv[i]);
      missing = 1;
    }
  }
  return missing;
}
