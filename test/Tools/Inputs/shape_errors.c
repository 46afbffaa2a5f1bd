/* Calls a Kiln entry point with mismatched shapes; each call must fail with
   a status and a message, never touch memory out of bounds. */
#include "model.h"

int main(void) {
  float x[40] = {0}, y[40] = {0}, out[40];
  /* Static dim wrong: y is [8] but the model wants [7]. */
  int s = kiln_model(x, 5, 7, y, 8, out, 5, 7);
  printf("static: %d %s\n", s, kiln_last_error());
  /* x's dynamic dim 1 must be y's static 7, or 1 to broadcast. */
  s = kiln_model(x, 5, 8, y, 7, out, 5, 8);
  printf("bound: %d %s\n", s, kiln_last_error());
  /* The output buffer has the wrong shape. */
  s = kiln_model(x, 5, 7, y, 7, out, 4, 7);
  printf("output: %d %s\n", s, kiln_last_error());
  /* Correct call. */
  s = kiln_model(x, 5, 7, y, 7, out, 5, 7);
  printf("ok: %d [%s]\n", s, kiln_last_error());
  /* x's dim 1 is 1 at run time and broadcasts against y: out = x + y. */
  for (int i = 0; i < 5; ++i)
    x[i] = (float)i;
  for (int j = 0; j < 7; ++j)
    y[j] = 10.0f * (float)j;
  s = kiln_model(x, 5, 1, y, 7, out, 5, 7);
  printf("broadcast: %d [%s] %g %g %g\n", s, kiln_last_error(), out[0],
         out[1 * 7 + 2], out[4 * 7 + 6]);
  return 0;
}
