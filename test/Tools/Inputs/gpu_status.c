// Calls a GPU model's `main` twice and prints each status with the
// entry point's message and the GPU runtime's.
#include "kiln/Runtime/GPURuntime.h"
#include "model.h"

int main(void) {
  float x[15] = {0}, y[15];
  int status = kiln_main(x, 3, 5, y, 3, 5);
  printf("status %d: %s\n", status, kiln_last_error());
  printf("gpu: %s\n", kiln_gpu_last_error());
  status = kiln_main(x, 3, 5, y, 3, 5);
  printf("again: status %d\n", status);
  printf("gpu: %s\n", kiln_gpu_last_error());
  return status ? 1 : 0;
}
