// Two models compiled with different prefixes link into one C program: each
// object exports only its prefixed C interface, so their `forward` entry
// points, helpers and weights do not clash.
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-compile %s --prefix=a -o %t/a.o --emit-header=%t/a.h
// RUN: kiln-compile %S/Inputs/model_b.mlir --prefix=b -o %t/b.o --emit-header=%t/b.h
// RUN: llvm-nm-22 --defined-only --extern-only --just-symbol-name %t/a.o > %t/a.syms
// RUN: echo _mlir_ciface_a_forward | diff - %t/a.syms
// RUN: llvm-nm-22 --defined-only --extern-only --just-symbol-name %t/b.o > %t/b.syms
// RUN: printf '_mlir_ciface_b_forward\n_mlir_ciface_b_twice\n' | diff - %t/b.syms
// RUN: %cc -Wall -Werror -I%t %S/Inputs/two_models.c %t/a.o %t/b.o -lm -lomp -o %t/run
// RUN: %t/run | FileCheck %s

// CHECK: a_forward: 0 -3.5 -5 5.5 7
// CHECK: b_forward: 0 0.5 0 1 1.5 0 2
// CHECK: b_twice: 0 3 -4
// CHECK: a wrong shape: 1 forward: input x dim 1 is 4, expected 3
// CHECK: b still clean: []
// CHECK: all match

// y = x @ W + b, with W = [[1, 2], [3, 4], [5, 6]] and b = [0.5, -1].
func.func @forward(%x: tensor<?x3xf32> {kiln.name = "x"})
    -> (tensor<?x2xf32> {kiln.name = "y"}) {
  %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %b = kiln.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %0 = kiln.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %1 = kiln.add %0, %b : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}
