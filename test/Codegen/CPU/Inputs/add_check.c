/* Runs the `model` of the tests in test/Codegen/CPU (z = x * y + x on 1000
   floats) and prints "ok" when every element is right. */
#include "model.h"

int main(void) {
  enum { n = 1000 };
  static float x[n], y[n], z[n];
  for (int i = 0; i < n; ++i) {
    x[i] = (float)i;
    y[i] = 0.5f * (float)(i % 7);
  }
  int status = kiln_model(x, n, y, n, z, n);
  if (status) {
    printf("status %d: %s\n", status, kiln_last_error());
    return 1;
  }
  for (int i = 0; i < n; ++i) {
    float want = x[i] * y[i] + x[i];
    if (z[i] != want) {
      printf("z[%d] = %g, want %g\n", i, z[i], want);
      return 1;
    }
  }
  puts("ok");
  return 0;
}
