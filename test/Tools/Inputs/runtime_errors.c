/* Calls Kiln entry points with sizes that cannot be allocated, NULL
   pointers and out-of-range indices; each call must return a status and a
   message, never crash, and leave the model working. */
#include "model.h"

#include <stdint.h>

static void report(const char *what, int status) {
  printf("%s: %d %s\n", what, status, kiln_last_error());
}

int main(void) {
  float x[8] = {-1, 2, -3, 4, -5, 6, -7, 8}, y[8] = {0}, out[64];
  /* relu(x) over a dynamic dim. 2^46 floats (256 TiB) fit in 64 bits but
     no address space: the kernel's allocation fails before it reads x. */
  report("relu 2^46", kiln_relu(x, (int64_t)1 << 46, out, (int64_t)1 << 46));
  /* 2^62 floats: the byte count overflows; the header rejects it. */
  report("relu 2^62", kiln_relu(x, (int64_t)1 << 62, out, (int64_t)1 << 62));
  report("relu max", kiln_relu(x, INT64_MAX, out, INT64_MAX));
  report("relu -1", kiln_relu(x, -1, out, -1));
  /* Broadcasting [2^32, 1] + [1, 2^32]: inputs that fit, a result of 2^64
     elements (the output buffer passed is too small, but the kernel fails
     first)
     elements whose size overflows inside the kernel. */
  int64_t big = (int64_t)1 << 32;
  report("outer 2^32", kiln_outer(x, big, 1, y, 1, big, out, 1, 1));
  /* NULL with a nonzero size is rejected; with a zero size it is fine. */
  report("relu NULL in", kiln_relu(NULL, 8, out, 8));
  report("relu NULL out", kiln_relu(x, 8, NULL, 8));
  report("relu NULL empty", kiln_relu(NULL, 0, NULL, 0));
  /* Gather with ids out of range of a 4-row table. */
  float table[8] = {0, 1, 10, 11, 20, 21, 30, 31};
  int64_t bad[3] = {1, 150, 3}, huge[1] = {(int64_t)1000000000000};
  int64_t neg[2] = {-4, -1}, below[1] = {-5};
  report("take 150", kiln_take(table, 4, 2, bad, 3, out, 3, 2));
  report("take 10^12", kiln_take(table, 4, 2, huge, 1, out, 1, 2));
  report("take -5", kiln_take(table, 4, 2, below, 1, out, 1, 2));
  int s = kiln_take(table, 4, 2, neg, 2, out, 2, 2);
  printf("take -4 -1: %d %g %g %g %g\n", s, out[0], out[1], out[2], out[3]);
  /* Three results from one buffer: each is its own copy. */
  float o1[8], o2[8], o3[8];
  s = kiln_twice(x, 8, o1, 8, o2, 8, o3, 4, 2);
  printf("twice: %d %g %g %g\n", s, o1[1], o2[1], o3[7]);
  /* Still correct after the failures. */
  s = kiln_relu(x, 8, out, 8);
  printf("relu ok: %d %g %g %g %g\n", s, out[0], out[1], out[2], out[3]);
  return 0;
}
