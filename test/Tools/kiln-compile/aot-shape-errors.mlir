// Mismatched shapes at run time: a nonzero status and a message.
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-compile %s -o %t/model.o --emit-header=%t/model.h
// RUN: cp %inputs/shape_errors.c %t/
// RUN: %cc -Wall -Werror -I%t %t/shape_errors.c %t/model.o -lm -lomp -o %t/run
// RUN: %t/run | FileCheck %s

// CHECK: static: 1 model: input y dim 0 is 8, expected 7
// CHECK: bound: 1 model: input x dim 1 is 8, but the model needs 7 (or 1, to broadcast)
// CHECK: output: 2 model: output result0 dim 0 is 5, but the buffer passed has 4
// CHECK: ok: 0 []
// CHECK: broadcast: 0 [] 0 21 64
func.func @model(%x: tensor<?x?xf32> {kiln.name = "x"}, %y: tensor<7xf32> {kiln.name = "y"}) -> tensor<?x?xf32> {
  %0 = kiln.add %x, %y : (tensor<?x?xf32>, tensor<7xf32>) -> tensor<?x7xf32>
  %1 = kiln.relu %0 : (tensor<?x7xf32>) -> tensor<?x?xf32>
  return %1 : tensor<?x?xf32>
}
