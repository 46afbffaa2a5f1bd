// Code for a CPU with AVX-512 uses zmm registers, and runs on hosts that
// have AVX-512 (x86-64-v3 is given explicitly because Intel CPUs, and
// x86-64-v4, prefer 256-bit vectors).
// REQUIRES: avx512f
// RUN: kiln-compile %s --emit=asm --cpu=x86-64-v3 --features=+avx512f | FileCheck %s
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-compile %s --cpu=x86-64-v3 --features=+avx512f -o %t/model.o --emit-header=%t/model.h
// RUN: %cc -Wall -Werror -I%t %S/Inputs/add_check.c %t/model.o -lm -lomp -o %t/run
// RUN: %t/run | FileCheck %s --check-prefix=RESULT

// CHECK: {{%zmm[0-9]+}}
// RESULT: ok
func.func @model(%x: tensor<1000xf32>, %y: tensor<1000xf32>) -> tensor<1000xf32> {
  %0 = kiln.mul %x, %y : (tensor<1000xf32>, tensor<1000xf32>) -> tensor<1000xf32>
  %1 = kiln.add %0, %x : (tensor<1000xf32>, tensor<1000xf32>) -> tensor<1000xf32>
  return %1 : tensor<1000xf32>
}
