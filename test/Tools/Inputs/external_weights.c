/* SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 * The bundled CNN with its weights in a file (kiln-compile
 * --weights=external), against the same model with embedded weights, and
 * every way loading a weights file can fail:
 *
 *   external_weights <good> <truncated> <corrupt> <magic> <version>
 *                    <other-checksum> <other-model's weights>
 */
#include "cnn.h"
#include "cnnx.h"

#include <math.h>

#define BATCH 3

static float images[BATCH][3][32][32];

static int same(const float *a, const float *b, int n) {
  for (int i = 0; i < n; ++i)
    if (fabsf(a[i] - b[i]) > 1e-5f * (1.0f + fabsf(b[i])))
      return 0;
  return 1;
}

static int forward(float *out) {
  return cnnx_forward(&images[0][0][0][0], BATCH, 3, 32, 32, out, BATCH, 10);
}

int main(int argc, char **argv) {
  if (argc != 8) {
    fprintf(stderr, "usage: %s good truncated corrupt magic version "
                    "other-checksum other-model\n", argv[0]);
    return 2;
  }
  for (int n = 0; n < BATCH; ++n)
    for (int c = 0; c < 3; ++c)
      for (int h = 0; h < 32; ++h)
        for (int w = 0; w < 32; ++w)
          images[n][c][h][w] = sinf(0.05f * (float)(h * 32 + w) + (float)c -
                                    (float)n);
  float ref[BATCH * 10], out[BATCH * 10];
  if (cnn_forward(&images[0][0][0][0], BATCH, 3, 32, 32, ref, BATCH, 10)) {
    printf("embedded model failed: %s\n", cnn_last_error());
    return 1;
  }

  int status = forward(out);
  printf("before loading: status %d: %s\n", status, cnnx_last_error());
  status = cnnx_load_weights(NULL);
  printf("NULL path: status %d: %s\n", status, cnnx_last_error());
  status = cnnx_load_weights("/nonexistent/cnn.weights");
  printf("missing: status %d: %s\n", status, cnnx_last_error());
  const char *names[] = {"truncated", "corrupt", "magic", "version",
                         "other checksum", "other model"};
  for (int i = 0; i < 6; ++i) {
    status = cnnx_load_weights(argv[2 + i]);
    printf("%s: status %d: %s\n", names[i], status, cnnx_last_error());
  }
  status = forward(out);
  printf("after failed loads: status %d\n", status);

  status = cnnx_load_weights(argv[1]);
  printf("good: status %d\n", status);
  status = forward(out);
  printf("run: status %d, matches embedded: %d\n", status,
         same(out, ref, BATCH * 10));

  /* A failed load keeps the weights loaded before. */
  status = cnnx_load_weights(argv[3]);
  printf("corrupt again: status %d\n", status);
  status = forward(out);
  printf("run: status %d, matches embedded: %d\n", status,
         same(out, ref, BATCH * 10));
  /* Loading again replaces the mapping. */
  status = cnnx_load_weights(argv[1]);
  status |= forward(out);
  printf("reload: status %d, matches embedded: %d\n", status,
         same(out, ref, BATCH * 10));

  cnnx_unload_weights();
  status = forward(out);
  printf("unloaded: status %d: %s\n", status, cnnx_last_error());
  return 0;
}
