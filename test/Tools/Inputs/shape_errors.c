/* Calls a Kiln entry point with mismatched shapes; each call must fail with
   a status and a message, never touch memory out of bounds. */
#include "model.h"

int main(void) {
  float x[40] = {0}, y[40] = {0}, out[40];
  /* Static dim wrong: y is [8] but the model wants [7]. */
  int s = kiln_model(x, 5, 7, y, 8, out, 5, 7);
  printf("static: %d %s\n", s, kiln_last_error());
  /* x's dynamic dim 1 must equal y's static 7 (broadcast). */
  s = kiln_model(x, 5, 8, y, 7, out, 5, 8);
  printf("bound: %d %s\n", s, kiln_last_error());
  /* The output buffer has the wrong shape. */
  s = kiln_model(x, 5, 7, y, 7, out, 4, 7);
  printf("output: %d %s\n", s, kiln_last_error());
  /* Correct call. */
  s = kiln_model(x, 5, 7, y, 7, out, 5, 7);
  printf("ok: %d [%s]\n", s, kiln_last_error());
  return 0;
}
