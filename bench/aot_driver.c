// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Times one entry point of a Kiln AOT object (docs/aot-abi.md). bench/run.py
// writes a small glue header for each object, which includes the header
// that kiln-compile emitted and defines
//
//   BENCH_NIN, BENCH_NOUT                 number of inputs and outputs
//   bench_in_bytes[], bench_out_bytes[]   their sizes in bytes
//   int bench_call(void **in, void **out) calls <prefix>_<entry>(...)
//   void bench_set_threads(int n)         the header's thread-count call,
//                                         where it has one (else nothing)
//
// and builds this file with
//
//   clang-22 -O2 -DBENCH_GLUE='"glue.h"' aot_driver.c model.o -lm [-lomp]
//
// Usage:
//
//   aot_driver THREADS MIN_RUNS MAX_RUNS MIN_S MAX_S in0.bin ... out0.bin ...
//
// It reads the raw little-endian inputs, runs the entry once (a warm-up,
// whose outputs it writes for run.py's correctness check), warms up until
// 3 runs or 0.1 s, then times runs until MAX_RUNS, or MIN_RUNS and MIN_S
// seconds, or MAX_S seconds (at least one timed run). It prints
//
//   aot: N runs, median X ms, min Y ms, max Z ms
//   times_ms: t1 t2 ...

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include BENCH_GLUE

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void *load(const char *path, size_t bytes) {
  // One spare byte so that a zero-size tensor still gets a valid pointer.
  void *p = aligned_alloc(64, ((bytes + 64) / 64) * 64);
  FILE *f = fopen(path, "rb");
  if (!p || !f || fread(p, 1, bytes, f) != bytes) {
    fprintf(stderr, "aot_driver: cannot read %zu bytes from %s\n", bytes, path);
    exit(3);
  }
  fclose(f);
  return p;
}

int main(int argc, char **argv) {
  if (argc != 6 + BENCH_NIN + BENCH_NOUT) {
    fprintf(stderr, "usage: %s THREADS MIN_RUNS MAX_RUNS MIN_S MAX_S "
                    "<%d inputs> <%d outputs>\n",
            argv[0], BENCH_NIN, BENCH_NOUT);
    return 3;
  }
  int threads = atoi(argv[1]);
  long minRuns = atol(argv[2]), maxRuns = atol(argv[3]);
  double minS = atof(argv[4]), maxS = atof(argv[5]);
  if (maxRuns < 1)
    maxRuns = 1;
  bench_set_threads(threads);

  void *in[BENCH_NIN + 1], *out[BENCH_NOUT + 1];
  for (int i = 0; i < BENCH_NIN; ++i)
    in[i] = load(argv[6 + i], bench_in_bytes[i]);
  for (int i = 0; i < BENCH_NOUT; ++i) {
    out[i] = aligned_alloc(64, ((bench_out_bytes[i] + 64) / 64) * 64);
    memset(out[i], 0, bench_out_bytes[i]);
  }

  int rc = bench_call(in, out);
  if (rc != 0) {
    fprintf(stderr, "aot_driver: entry returned %d\n", rc);
    return 4;
  }
  for (int i = 0; i < BENCH_NOUT; ++i) {
    const char *path = argv[6 + BENCH_NIN + i];
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(out[i], 1, bench_out_bytes[i], f) != bench_out_bytes[i]) {
      fprintf(stderr, "aot_driver: cannot write %s\n", path);
      return 3;
    }
    fclose(f);
  }

  double w0 = now();
  for (int w = 1; w < 3 && now() - w0 < 0.1; ++w)
    bench_call(in, out);

  double *ms = malloc(sizeof(double) * maxRuns);
  long n = 0;
  double t0 = now();
  while (n < maxRuns) {
    double s = now();
    bench_call(in, out);
    double e = now();
    ms[n++] = (e - s) * 1e3;
    double elapsed = e - t0;
    if ((n >= minRuns && elapsed >= minS) || elapsed >= maxS)
      break;
  }
  printf("times_ms:");
  for (long i = 0; i < n; ++i)
    printf(" %.6f", ms[i]);
  printf("\n");
  qsort(ms, n, sizeof(double), cmp);
  double median = n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
  printf("aot: %ld runs, median %.3f ms, min %.3f ms, max %.3f ms\n", n,
         median, ms[0], ms[n - 1]);
  return 0;
}
