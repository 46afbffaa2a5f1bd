// On hosts with AVX2 but without AVX-512 (AMD Zen 3, for one), code
// compiled for the host uses ymm registers and never a zmm one, and runs.
// REQUIRES: avx2
// UNSUPPORTED: avx512f
// RUN: kiln-compile %s --emit=asm | FileCheck %s --implicit-check-not=zmm
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-compile %s -o %t/model.o --emit-header=%t/model.h
// RUN: %cc -Wall -Werror -I%t %S/Inputs/add_check.c %t/model.o -lm -lomp -o %t/run
// RUN: %t/run | FileCheck %s --check-prefix=RESULT

// CHECK: {{%ymm[0-9]+}}
// RESULT: ok
func.func @model(%x: tensor<1000xf32>, %y: tensor<1000xf32>) -> tensor<1000xf32> {
  %0 = kiln.mul %x, %y : (tensor<1000xf32>, tensor<1000xf32>) -> tensor<1000xf32>
  %1 = kiln.add %0, %x : (tensor<1000xf32>, tensor<1000xf32>) -> tensor<1000xf32>
  return %1 : tensor<1000xf32>
}
