// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// Calls aot-unsigned.mlir's entry point with uint8 and uint16 inputs whose
// top bits are set (where a signed reading would differ).
#include "model.h"

#include <stdio.h>

int main(void) {
  uint8_t a[4] = {0, 1, 200, 255};
  uint16_t b[4] = {65535, 40000, 3, 0};
  float sum[4];
  uint8_t top[4];
  int status = model_forward(a, 4, b, 4, sum, 4, top, 4);
  printf("status %d\n", status);
  for (int i = 0; i < 4; ++i)
    printf("%g %u\n", sum[i], (unsigned)top[i]);
  return status;
}
