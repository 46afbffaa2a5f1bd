// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The f32 FMA peak of this host, measured: independent chains of vector
// FMAs (enough accumulators to cover the FMA latency on both FMA pipes),
// on 1 thread and on N threads at once. bench/run.py compiles it with
//
//   clang-22 -O3 -march=native -ffp-contract=fast -pthread fma_peak.c
//
// and reads the one JSON line it prints:
//
//   fma_peak [seconds per trial] [threads...]
//   {"isa": "avx512", "vector_bits": 512, "accumulators": 24,
//    "gflops": {"1": 118.2, "2": 236.0}}
//
// The vector width follows what -march=native enables: AVX-512 (32 zmm
// registers, 24 accumulators), else AVX/AVX2 (16 ymm, 12 accumulators),
// else 128-bit SSE/NEON (12). Each trial is the best of several, so the
// figure is a peak, not a typical value.

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__AVX512F__)
#define VBYTES 64
#define NACC 24
#define ISA "avx512"
#elif defined(__AVX__)
#define VBYTES 32
#define NACC 12
#if defined(__FMA__)
#define ISA "avx2+fma"
#else
#define ISA "avx"
#endif
#else
#define VBYTES 16
#define NACC 12
#if defined(__aarch64__)
#define ISA "neon"
#else
#define ISA "sse"
#endif
#endif

#define VW (VBYTES / 4)
typedef float vf __attribute__((vector_size(VBYTES)));

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

// acc = acc * m + a on NACC independent accumulators. With m slightly
// below 1 the values converge and never overflow or go denormal.
static float __attribute__((noinline)) chains(long iters, float seed) {
  vf acc[NACC];
  vf m, a;
  for (int j = 0; j < VW; ++j) {
    m[j] = 0.99999f;
    a[j] = 1e-6f * seed;
  }
  for (int i = 0; i < NACC; ++i)
    for (int j = 0; j < VW; ++j)
      acc[i][j] = seed + i + j;
  for (long it = 0; it < iters; ++it) {
#pragma clang loop unroll(full)
    for (int i = 0; i < NACC; ++i)
      acc[i] = acc[i] * m + a;
#if defined(__x86_64__)
    // Keep the compiler from reasoning about the loop as a whole.
    __asm__ volatile("" : "+v"(m));
#endif
  }
  float s = 0;
  for (int i = 0; i < NACC; ++i)
    for (int j = 0; j < VW; ++j)
      s += acc[i][j];
  return s;
}

typedef struct {
  long iters;
  pthread_barrier_t *start;
  float sink;
} job_t;

static void *worker(void *p) {
  job_t *job = p;
  pthread_barrier_wait(job->start);
  job->sink = chains(job->iters, 1.0f);
  return NULL;
}

// GFLOP/s of `threads` threads, each running `iters` iterations.
static double trial(int threads, long iters) {
  pthread_t tid[256];
  job_t jobs[256];
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, threads + 1);
  for (int t = 0; t < threads; ++t) {
    jobs[t].iters = iters;
    jobs[t].start = &start;
    pthread_create(&tid[t], NULL, worker, &jobs[t]);
  }
  pthread_barrier_wait(&start);
  double t0 = now();
  float sink = 0;
  for (int t = 0; t < threads; ++t) {
    pthread_join(tid[t], NULL);
    sink += jobs[t].sink;
  }
  double dt = now() - t0;
  pthread_barrier_destroy(&start);
  if (sink == 12345.0f)  // never; keeps the results live
    fprintf(stderr, "%f\n", sink);
  return 2.0 * NACC * VW * (double)iters * threads / dt * 1e-9;
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 0.2;
  int counts[64];
  int ncounts = 0;
  for (int i = 2; i < argc && ncounts < 64; ++i) {
    int t = atoi(argv[i]);
    if (t < 1 || t > 256) {
      fprintf(stderr, "fma_peak: bad thread count '%s'\n", argv[i]);
      return 1;
    }
    counts[ncounts++] = t;
  }
  if (ncounts == 0)
    counts[ncounts++] = 1;

  // Calibrate: iterations that take about `seconds` on one thread.
  long iters = 1 << 16;
  for (;;) {
    double t0 = now();
    chains(iters, 1.0f);
    double dt = now() - t0;
    if (dt > 0.02 || iters > (1L << 40)) {
      iters = (long)(iters * (seconds / dt)) + 1;
      break;
    }
    iters *= 4;
  }

  printf("{\"isa\": \"%s\", \"vector_bits\": %d, \"accumulators\": %d, "
         "\"gflops\": {", ISA, VBYTES * 8, NACC);
  for (int c = 0; c < ncounts; ++c) {
    double best = 0;
    for (int r = 0; r < 5; ++r) {
      double g = trial(counts[c], iters);
      if (g > best)
        best = g;
    }
    printf("%s\"%d\": %.2f", c ? ", " : "", counts[c], best);
  }
  printf("}}\n");
  return 0;
}
