// Tensor names that are not C identifiers become predictable, unique C names
// in the header (docs/aot-abi.md), which C and C++ compile cleanly, and the
// object exports only the prefixed C interface.
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-compile %s -o %t/names.o --emit-header=%t/names.h
// RUN: FileCheck %s < %t/names.h
// RUN: %cc -fsyntax-only -std=c11 -Wall -Wextra -Wshadow -Werror -x c -include %t/names.h /dev/null
// RUN: %cc -fsyntax-only -std=c++17 -Wall -Wextra -Wshadow -Werror -x c++ -include %t/names.h /dev/null
// RUN: llvm-nm-22 --defined-only --extern-only --just-symbol-name %t/names.o > %t/names.syms
// RUN: echo _mlir_ciface_kiln_names | diff - %t/names.syms
// RUN: %cc -Wall -Werror -I%t %S/Inputs/names_main.c %t/names.o -lm -lomp -o %t/run
// RUN: %t/run | FileCheck %s --check-prefix=EXEC

// CHECK: typedef struct { kiln_memref1_t r0; kiln_memref1_t r1; const char *status; } kiln_names_results_t;
// CHECK-NEXT: void _mlir_ciface_kiln_names(kiln_names_results_t *, kiln_memref1_t *, kiln_memref1_t *, kiln_memref1_t *, kiln_memref1_t *, kiln_memref1_t *, kiln_memref1_t *, kiln_memref1_t *, kiln_memref1_t *, kiln_memref1_t *, kiln_memref1_t *);
// CHECK: /** names: double_ ("double") f32[2] v_1x ("1x") f32[2] a_b ("a.b") f32[2] a_b_2 ("a_b") f32[2] h__llo ("h\xc3\xa9llo") f32[2] x f32[2] NULL_ ("NULL") f32[2] kiln_res__2 ("kiln_res_") f32[2] -> x_2 ("x") f32[2] free_ ("free") f32[2] */
// CHECK-NEXT: static inline int kiln_names(const float *double_, int64_t double__d0, const float *v_1x, int64_t v_1x_d0, const float *a_b, int64_t a_b_d0, const float *a_b_2, int64_t a_b_2_d0, const float *h__llo, int64_t h__llo_d0, const float *x, int64_t x_d0, const float *NULL_, int64_t NULL__d0, const float *kiln_res__2, int64_t kiln_res__2_d0, float *x_2, int64_t x_2_d0, float *free_, int64_t free__d0) {
// CHECK: "names: input double_ dim 0 is %lld, expected 2"
// CHECK: kiln_res_.r0;
// CHECK: _mlir_ciface_kiln_names(&kiln_res_, &double__m, &v_1x_m, &a_b_m, &a_b_2_m, &h__llo_m, &x_m, &NULL__m, &kiln_res__2_m, &kiln_o0_, &kiln_o1_);
// CHECK: "names: output x_2 dim 0 is %lld, but the buffer passed has %lld"
// CHECK: memcpy(x_2,
// CHECK: memcpy(free_,

// EXEC: status 0
// EXEC-NEXT: x 36 360
// EXEC-NEXT: free -2 -20
func.func @names(%a: tensor<2xf32> {kiln.name = "double"},
                 %b: tensor<2xf32> {kiln.name = "1x"},
                 %c: tensor<2xf32> {kiln.name = "a.b"},
                 %d: tensor<2xf32> {kiln.name = "a_b"},
                 %e: tensor<2xf32> {kiln.name = "héllo"},
                 %f: tensor<2xf32> {kiln.name = "x"},
                 %g: tensor<2xf32> {kiln.name = "NULL"},
                 %h: tensor<2xf32> {kiln.name = "kiln_res_"})
    -> (tensor<2xf32> {kiln.name = "x"}, tensor<2xf32> {kiln.name = "free"}) {
  %0 = kiln.add %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %1 = kiln.add %0, %c : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %2 = kiln.add %1, %d : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %3 = kiln.add %2, %e : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %4 = kiln.add %3, %f : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %5 = kiln.add %4, %g : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %6 = kiln.add %5, %h : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %7 = kiln.sub %f, %h : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %6, %7 : tensor<2xf32>, tensor<2xf32>
}
