// One model called from several threads at once: results and each
// thread's error message are correct (the workspace, the message buffer
// and the thread settings are not shared between concurrent calls).
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-compile %s -o %t/model.o --emit-header=%t/model.h
// RUN: cp %inputs/threads.c %t/
// RUN: %cc -Wall -Werror -I%t %t/threads.c %t/model.o -lm -lomp -lpthread -o %t/run
// RUN: %t/run | FileCheck %s
// RUN: KILN_NUM_THREADS=2 %t/run | FileCheck %s

// CHECK: threads: 4 x 60 calls, 0 wrong
func.func @mlp(%x: tensor<?x37xf32> {kiln.name = "x"}, %w: tensor<37x11xf32> {kiln.name = "w"}) -> tensor<?x11xf32> {
  %0 = kiln.matmul %x, %w : (tensor<?x37xf32>, tensor<37x11xf32>) -> tensor<?x11xf32>
  %1 = kiln.relu %0 : (tensor<?x11xf32>) -> tensor<?x11xf32>
  return %1 : tensor<?x11xf32>
}

// Static shapes: the temporaries live in the cached workspace, which a
// concurrent call must not share.
func.func @fixed(%x: tensor<8x37xf32> {kiln.name = "x"}, %w: tensor<37x11xf32> {kiln.name = "w"}) -> tensor<8x11xf32> {
  %0 = kiln.matmul %x, %w : (tensor<8x37xf32>, tensor<37x11xf32>) -> tensor<8x11xf32>
  %1 = kiln.relu %0 : (tensor<8x11xf32>) -> tensor<8x11xf32>
  return %1 : tensor<8x11xf32>
}
