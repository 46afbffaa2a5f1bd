// Sizes that cannot be allocated, NULL pointers and out-of-range indices at
// run time: a status and a message from the C ABI, never a crash.
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-compile %s -o %t/model.o --emit-header=%t/model.h
// RUN: cp %inputs/runtime_errors.c %t/
// RUN: %cc -Wall -Werror -I%t %t/runtime_errors.c %t/model.o -lm -lomp -o %t/run
// RUN: %t/run | FileCheck %s

// CHECK: relu 2^46: 3 relu: out of memory allocating a buffer of type memref<?xf32> (for {{.*}}aot-runtime-errors.mlir:[[@LINE+15]]:8)
// CHECK: relu 2^62: 1 relu: input x has more bytes than fit in 64 bits (or a negative dim)
// CHECK: relu max: 1 relu: input x has more bytes than fit in 64 bits
// CHECK: relu -1: 1 relu: input x dim 0 is -1, expected >= 0
// CHECK: outer 2^32: 3 outer: a buffer of type memref<?x?xf32> {{.*}}has a negative size or more bytes than fit in 64 bits
// CHECK: relu NULL in: 1 relu: input x is NULL but its dims give 32 bytes
// CHECK: relu NULL out: 1 relu: output result0 is NULL but its dims give 32 bytes
// CHECK: relu NULL empty: 0
// CHECK: take 150: 3 take: {{.*}}aot-runtime-errors.mlir:[[@LINE+17]]:8: an index is out of range for dim 0 of the gathered tensor
// CHECK: take 10^12: 3 take: {{.*}}an index is out of range
// CHECK: take -5: 3 take: {{.*}}an index is out of range
// CHECK: take -4 -1: 0 0 1 30 31
// CHECK: twice: 0 2 2 8
// CHECK: relu ok: 0 0 2 0 4
func.func @relu(%x: tensor<?xf32> {kiln.name = "x"}) -> tensor<?xf32> {
  %0 = kiln.relu %x : (tensor<?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

func.func @outer(%x: tensor<?x1xf32> {kiln.name = "x"}, %y: tensor<1x?xf32> {kiln.name = "y"}) -> tensor<?x?xf32> {
  %0 = kiln.add %x, %y : (tensor<?x1xf32>, tensor<1x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

func.func @take(%t: tensor<4x2xf32> {kiln.name = "t"}, %i: tensor<?xi64> {kiln.name = "i"}) -> tensor<?x2xf32> {
  %0 = kiln.gather %t, %i {axis = 0 : i64} : (tensor<4x2xf32>, tensor<?xi64>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// Results that share a buffer (the same value twice, and a view of it)
// are separate allocations, freed once each.
func.func @twice(%x: tensor<?xf32> {kiln.name = "x"}) -> (tensor<?xf32>, tensor<?xf32>, tensor<?x2xf32>) {
  %0 = kiln.relu %x : (tensor<?xf32>) -> tensor<?xf32>
  %1 = kiln.reshape %0 [-1, 2] : (tensor<?xf32>) -> tensor<?x2xf32>
  return %0, %0, %1 : tensor<?xf32>, tensor<?xf32>, tensor<?x2xf32>
}
