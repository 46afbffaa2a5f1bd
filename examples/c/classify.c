/* SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 * Links the bundled CNN compiled ahead of time by kiln-compile:
 *
 *   kiln-compile examples/models/small_cnn.mlir -o small_cnn.o \
 *       --emit-header=small_cnn.h
 *   cc -I. examples/c/classify.c small_cnn.o -lm -lomp -o classify
 *
 * and classifies a batch of synthetic 32x32 RGB images. No runtime beyond
 * libc and libm.
 */
#include "small_cnn.h"

#include <math.h>
#include <stdio.h>

#define BATCH 3
#define CLASSES 10

int main(void) {
  static float images[BATCH][3][32][32];
  for (int n = 0; n < BATCH; ++n)
    for (int c = 0; c < 3; ++c)
      for (int h = 0; h < 32; ++h)
        for (int w = 0; w < 32; ++w)
          images[n][c][h][w] = sinf(0.1f * (float)(h * 32 + w) + (float)c +
                                    (float)n);

  float probs[BATCH][CLASSES];
  int status = kiln_forward(&images[0][0][0][0], BATCH, 3, 32, 32,
                            &probs[0][0], BATCH, CLASSES);
  if (status != 0) {
    fprintf(stderr, "classify: %s\n", kiln_last_error());
    return 1;
  }
  for (int n = 0; n < BATCH; ++n) {
    int best = 0;
    for (int k = 0; k < CLASSES; ++k)
      if (probs[n][k] > probs[n][best])
        best = k;
    printf("image %d: class %d (p=%.4f) probs", n, best, probs[n][best]);
    for (int k = 0; k < CLASSES; ++k)
      printf(" %.6f", probs[n][k]);
    printf("\n");
  }

  /* A wrong input shape is a status and a message, not a crash. */
  status = kiln_forward(&images[0][0][0][0], BATCH, 3, 28, 28, &probs[0][0],
                        BATCH, CLASSES);
  printf("wrong shape: status %d: %s\n", status, kiln_last_error());
  return 0;
}
