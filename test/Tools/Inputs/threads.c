/* Calls one model from several threads at once, with different inputs and
   some failing calls; every result and every thread's message is checked. */
#include "model.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>

enum { THREADS = 4, CALLS = 60, M = 13, K = 37, N = 11 };

static float W[K * N];

static void *work(void *arg) {
  intptr_t id = (intptr_t)arg;
  float x[M * K], y[M * N];
  long bad = 0;
  for (int call = 0; call < CALLS; ++call) {
    int rows = 1 + (int)((id * 7 + call) % M);
    for (int i = 0; i < rows * K; ++i)
      x[i] = (float)((i * 31 + id * 17 + call) % 19) / 19.0f - 0.5f;
    if (call % 5 == 4) {
      /* A wrong static dim: status 1 and this thread's own message. */
      if (kiln_mlp(x, rows, K + 1, W, K, N, y, rows, N) != 1 ||
          !strstr(kiln_last_error(), "dim 1 is 38"))
        ++bad;
      continue;
    }
    /* Rows of 8 go through the static entry point (cached workspace). */
    int status = rows == 8 ? kiln_fixed(x, 8, K, W, K, N, y, 8, N)
                           : kiln_mlp(x, rows, K, W, K, N, y, rows, N);
    if (status != 0 || kiln_last_error()[0] != 0) {
      ++bad;
      continue;
    }
    for (int r = 0; r < rows; ++r)
      for (int j = 0; j < N; ++j) {
        double acc = 0;
        for (int k = 0; k < K; ++k)
          acc += (double)x[r * K + k] * W[k * N + j];
        double want = acc > 0 ? acc : 0;
        if (fabs(y[r * N + j] - want) > 1e-4 + 1e-4 * fabs(want))
          ++bad;
      }
  }
  return (void *)bad;
}

int main(void) {
  for (int i = 0; i < K * N; ++i)
    W[i] = (float)((i * 13) % 23) / 23.0f - 0.5f;
  pthread_t threads[THREADS];
  for (intptr_t t = 0; t < THREADS; ++t)
    pthread_create(&threads[t], NULL, work, (void *)t);
  long bad = 0;
  for (int t = 0; t < THREADS; ++t) {
    void *r;
    pthread_join(threads[t], &r);
    bad += (long)r;
  }
  printf("threads: %d x %d calls, %ld wrong\n", THREADS, CALLS, bad);
  return bad != 0;
}
