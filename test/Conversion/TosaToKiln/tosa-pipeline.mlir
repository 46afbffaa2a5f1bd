// TOSA input through the whole CPU pipeline: the graph stage converts it to
// kiln ops (so BN-style folding and the contraction codegen apply), the
// rest lowers with upstream's TOSA-to-linalg, and it runs.
// RUN: kiln-compile %s --emit=kiln --layout=keep | FileCheck %s --check-prefix=KILN
// RUN: kiln-compile %s --emit=linalg | FileCheck %s --check-prefix=LINALG
// RUN: kiln-run %s --seed=1 | FileCheck %s --check-prefix=JIT
// RUN: kiln-compile %s -o %t.o --emit-header=%t.h --prefix=tosa_cnn && test -s %t.o && grep -q tosa_cnn_forward %t.h

// KILN-LABEL: func.func @forward
// KILN: kiln.conv2d {{.*}}layout = #kiln.layout<nhwc>
// KILN: kiln.clamp
// KILN: tosa.reverse
// KILN-NOT: tosa.conv2d

// LINALG-LABEL: func.func @forward
// LINALG-NOT: tosa.
// LINALG: return

// JIT: result0: f32[1x4x4x8]
func.func @forward(%x: tensor<1x4x4x3xf32>) -> tensor<1x4x4x8xf32> {
  %w = "tosa.const"() {values = dense<0.25> : tensor<8x3x3x3xf32>} : () -> tensor<8x3x3x3xf32>
  %b = "tosa.const"() {values = dense<0.5> : tensor<8xf32>} : () -> tensor<8xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x3xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x8xf32>
  %r = tosa.clamp %c {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  %v = tosa.reverse %r {axis = 2 : i32} : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  return %v : tensor<1x4x4x8xf32>
}
