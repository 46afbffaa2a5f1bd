/* Links two Kiln models, compiled with --prefix=a and --prefix=b, into one
   program and checks their results against values computed by hand (see
   two-models.mlir and model_b.mlir). */
#include "a.h"
#include "b.h"

#include <math.h>

static int failures = 0;

static void check(const char *what, int status, const float *got,
                  const float *want, int n) {
  printf("%s: %d", what, status);
  for (int i = 0; i < n; ++i) {
    printf(" %g", got[i]);
    if (fabsf(got[i] - want[i]) > 1e-5f)
      ++failures;
  }
  printf("\n");
  if (status)
    ++failures;
}

int main(void) {
  const float x[2][3] = {{1, 0, -1}, {2, 1, 0}};

  /* a: x @ [[1, 2], [3, 4], [5, 6]] + [0.5, -1]. */
  float y[2][2];
  const float wantA[4] = {-3.5f, -5.0f, 5.5f, 7.0f};
  check("a_forward", a_forward(&x[0][0], 2, 3, &y[0][0], 2, 2), &y[0][0],
        wantA, 4);

  /* b: relu(x - [0.5, 1, -2]). */
  float z[2][3];
  const float wantB[6] = {0.5f, 0.0f, 1.0f, 1.5f, 0.0f, 2.0f};
  check("b_forward", b_forward(&x[0][0], 2, 3, &z[0][0], 2, 3), &z[0][0],
        wantB, 6);

  /* b: v + v. */
  const float v[2] = {1.5f, -2.0f};
  float w[2];
  const float wantTwice[2] = {3.0f, -4.0f};
  check("b_twice", b_twice(v, 2, w, 2), w, wantTwice, 2);

  /* Each model keeps its own error message. */
  int status = a_forward(&x[0][0], 1, 4, &y[0][0], 1, 2);
  printf("a wrong shape: %d %s\n", status, a_last_error());
  printf("b still clean: [%s]\n", b_last_error());
  if (status != 1)
    ++failures;

  if (failures)
    printf("%d mismatches\n", failures);
  else
    printf("all match\n");
  return failures != 0;
}
