/* Calls the entry point of c-header-names.mlir through its mangled names. */
#include "names.h"

int main(void) {
  float in[8][2], x[2], freed[2];
  for (int k = 0; k < 8; ++k) {
    in[k][0] = (float)(k + 1);
    in[k][1] = (float)(10 * (k + 1));
  }
  int status = kiln_names(in[0], 2, in[1], 2, in[2], 2, in[3], 2, in[4], 2,
                          in[5], 2, in[6], 2, in[7], 2, x, 2, freed, 2);
  printf("status %d%s\n", status, kiln_last_error());
  /* x = the sum of all inputs; free = x_in - kiln_res_in. */
  printf("x %g %g\n", x[0], x[1]);
  printf("free %g %g\n", freed[0], freed[1]);
  return status;
}
