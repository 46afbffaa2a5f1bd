// Unsigned tensors through the AOT path: the header takes uint8_t and
// uint16_t pointers, and the code reads them unsigned.
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-compile %s -o %t/model.o --emit-header=%t/model.h --prefix=model --parallel=none
// RUN: FileCheck %s --check-prefix=HDR < %t/model.h
// RUN: %cc -Wall -Werror -I%t %inputs/unsigned_main.c %t/model.o -lm -o %t/run
// RUN: %t/run | FileCheck %s

// HDR: static inline int model_forward(const uint8_t *a, int64_t a_d0, const uint16_t *b, int64_t b_d0, float *result0, int64_t result0_d0, uint8_t *result1, int64_t result1_d0)

// CHECK: status 0
// CHECK-NEXT: 65535 200
// CHECK-NEXT: 40001 200
// CHECK-NEXT: 203 200
// CHECK-NEXT: 255 255
func.func @forward(%a: tensor<?xui8> {kiln.name = "a"}, %b: tensor<?xui16> {kiln.name = "b"}) -> (tensor<?xf32>, tensor<?xui8>) {
  %0 = kiln.cast %a : (tensor<?xui8>) -> tensor<?xf32>
  %1 = kiln.cast %b : (tensor<?xui16>) -> tensor<?xf32>
  %2 = kiln.add %0, %1 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %3 = kiln.clamp %a {min = 200.0 : f64, max = 255.0 : f64} : (tensor<?xui8>) -> tensor<?xui8>
  return %2, %3 : tensor<?xf32>, tensor<?xui8>
}
