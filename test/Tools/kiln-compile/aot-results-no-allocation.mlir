// Entry points compute their results straight into the caller's output
// buffers: with the program's allocations counted, a warm call allocates
// nothing (no result buffer, no copy), a dynamic model's result is not
// allocated, and in-place and misaligned outputs fall back to a buffer of
// the model's own. Sanitizer runtimes own malloc, so this needs a plain
// build; aot-results-in-place.mlir checks the same calls' results.
// UNSUPPORTED: sanitizers
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-compile %S/aot-results-in-place.mlir -o %t/model.o --emit-header=%t/model.h --prefix=model --parallel=none
// RUN: %cc -DKILN_COUNT_ALLOCATIONS -Wall -Werror -Wno-cast-align -I%t %inputs/results_in_place.c %t/model.o -lm -o %t/run
// RUN: %t/run | FileCheck %s

// CHECK: warm-up: status 0, correct 1
// CHECK-NEXT: fixed: status 0, correct 1, allocations 0
// CHECK-NEXT: dynamic: status 0, correct 1, result allocated 0 (with a misaligned buffer 1)
// CHECK-NEXT: in place: status 0, correct 1, copied 1
// CHECK-NEXT: overlapping: status 0, correct 1
// CHECK-NEXT: misaligned: status 0, correct 1, copied 1
// CHECK-NEXT: wrong dims: status 2: relu: output result0 dim 0 is 8, but the buffer passed has 11
