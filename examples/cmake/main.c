/* SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 * Runs two models that kiln_add_model compiled: the bundled CNN (weights in
 * a file, given as the first argument) on synthetic images, and an ONNX MLP
 * on a batch of feature vectors. Prints every output, one row per line.
 */
#include "cnn.h"
#include "mlp.h"

#include <math.h>
#include <stdio.h>

#define IMAGES 3
#define CLASSES 10
#define ROWS 5

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s cnn.weights\n", argv[0]);
    return 2;
  }
  if (cnn_load_weights(argv[1]) != 0) {
    fprintf(stderr, "%s\n", cnn_last_error());
    return 1;
  }

  static float images[IMAGES][3][32][32];
  for (int n = 0; n < IMAGES; ++n)
    for (int c = 0; c < 3; ++c)
      for (int h = 0; h < 32; ++h)
        for (int w = 0; w < 32; ++w)
          images[n][c][h][w] = sinf(0.1f * (float)(h * 32 + w) + (float)c +
                                    (float)n);
  float probs[IMAGES][CLASSES];
  if (cnn_forward(&images[0][0][0][0], IMAGES, 3, 32, 32, &probs[0][0], IMAGES,
                  CLASSES) != 0) {
    fprintf(stderr, "cnn: %s\n", cnn_last_error());
    return 1;
  }
  for (int n = 0; n < IMAGES; ++n) {
    printf("cnn");
    for (int k = 0; k < CLASSES; ++k)
      printf(" %.7g", probs[n][k]);
    printf("\n");
  }

  float x[ROWS][8], scores[ROWS][4];
  for (int r = 0; r < ROWS; ++r)
    for (int i = 0; i < 8; ++i)
      x[r][i] = cosf(0.3f * (float)(r * 8 + i));
  if (mlp_forward(&x[0][0], ROWS, 8, &scores[0][0], ROWS, 4) != 0) {
    fprintf(stderr, "mlp: %s\n", mlp_last_error());
    return 1;
  }
  for (int r = 0; r < ROWS; ++r) {
    printf("mlp");
    for (int k = 0; k < 4; ++k)
      printf(" %.7g", scores[r][k]);
    printf("\n");
  }
  cnn_unload_weights();
  return 0;
}
