/* SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 * Results computed straight into the caller's buffers. With
 * KILN_COUNT_ALLOCATIONS (not in sanitizer builds, whose runtime owns
 * malloc), it counts the program's allocations: after a warm-up call (which
 * allocates the cached workspace) a call allocates nothing at all, so no
 * result is allocated and copied. An output buffer that overlaps an input,
 * or is misaligned, still gets the right result (the model computes it in
 * its own buffer, which the header copies and frees).
 */
#include "model.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

static int allocations;
#ifdef KILN_COUNT_ALLOCATIONS
/* Counts the program's allocations (glibc lets a program interpose them). */
extern void *__libc_malloc(size_t);
extern void *__libc_memalign(size_t, size_t);
void *malloc(size_t n) {
  ++allocations;
  return __libc_malloc(n);
}
void *aligned_alloc(size_t a, size_t n) {
  ++allocations;
  return __libc_memalign(a, n);
}
#endif

/* Prints the end of a line: the counts, when they are kept. */
static void end_line(const char *counts, int a, int b) {
#ifdef KILN_COUNT_ALLOCATIONS
  printf(counts, a, b);
#else
  (void)counts, (void)a, (void)b;
#endif
  printf("\n");
}

static float x[8 * 37], w[37 * 11], want[8 * 11];

#ifdef KILN_COUNT_ALLOCATIONS
static char spare[88 * sizeof(float) + 1];
/* A float buffer one byte into a char array. */
static float *misaligned(void) { return (float *)(spare + 1); }
#else
static int direct;
#endif

static int close_to(const float *a, const float *b, int n) {
  for (int i = 0; i < n; ++i)
    if (fabsf(a[i] - b[i]) > 1e-4f * (1.0f + fabsf(b[i])))
      return 0;
  return 1;
}

int main(void) {
  for (int i = 0; i < 8 * 37; ++i)
    x[i] = sinf(0.37f * (float)i);
  for (int i = 0; i < 37 * 11; ++i)
    w[i] = cosf(0.11f * (float)i);
  for (int r = 0; r < 8; ++r)
    for (int c = 0; c < 11; ++c) {
      float s = 0;
      for (int k = 0; k < 37; ++k)
        s += x[r * 37 + k] * w[k * 11 + c];
      want[r * 11 + c] = s > 0 ? s : 0;
    }

  float y[8 * 11];
  int status = model_fixed(x, 8, 37, w, 37, 11, y, 8, 11);
  printf("warm-up: status %d, correct %d\n", status, close_to(y, want, 88));
  memset(y, 0, sizeof(y));
  allocations = 0;
  status = model_fixed(x, 8, 37, w, 37, 11, y, 8, 11);
  printf("fixed: status %d, correct %d", status, close_to(y, want, 88));
  end_line(", allocations %d", allocations, 0);

  /* Dynamic rows: temporaries of dynamic size are allocated per call, but
     the result is still computed in the caller's buffer: one allocation
     fewer than with a buffer the model cannot use (misaligned). */
  model_mlp(x, 8, 37, w, 37, 11, y, 8, 11);
  memset(y, 0, sizeof(y));
  allocations = 0;
  status = model_mlp(x, 8, 37, w, 37, 11, y, 8, 11);
  printf("dynamic: status %d, correct %d", status, close_to(y, want, 88));
#ifdef KILN_COUNT_ALLOCATIONS
  int direct = allocations;
  allocations = 0;
  status |= model_mlp(x, 8, 37, w, 37, 11, misaligned(), 8, 11);
#endif
  end_line(", result allocated %d (with a misaligned buffer %d)",
           direct - (allocations - 1), allocations - direct);

  /* In place: the output is the input's own buffer. */
  float v[8 * 11], r[8 * 11];
  for (int i = 0; i < 88; ++i)
    v[i] = want[i] - 1.0f;
  for (int i = 0; i < 88; ++i)
    r[i] = v[i] > 0 ? v[i] : 0;
  allocations = 0;
  status = model_relu(v, 8, 11, v, 8, 11);
  printf("in place: status %d, correct %d", status, close_to(v, r, 88));
  end_line(", copied %d", allocations > 0, 0);

  /* Overlapping: the output starts one row into the input. */
  float big[9 * 11];
  for (int i = 0; i < 88; ++i)
    big[i] = want[i] - 1.0f;
  status = model_relu(big, 8, 11, big + 11, 8, 11);
  printf("overlapping: status %d, correct %d\n", status,
         close_to(big + 11, r, 88));

#ifdef KILN_COUNT_ALLOCATIONS
  /* Misaligned: a float buffer one byte into a char array (not in
     sanitizer builds, which rightly call the pointer itself undefined). */
  for (int i = 0; i < 88; ++i)
    v[i] = want[i] - 1.0f;
  allocations = 0;
  status = model_relu(v, 8, 11, misaligned(), 8, 11);
  float back[88];
  memcpy(back, spare + 1, sizeof(back));
  printf("misaligned: status %d, correct %d", status, close_to(back, r, 88));
  end_line(", copied %d", allocations > 0, 0);
#endif

  /* A buffer of the wrong dims: status 2, as before. */
  status = model_relu(v, 8, 11, y, 11, 8);
  printf("wrong dims: status %d: %s\n", status, model_last_error());
  return 0;
}
