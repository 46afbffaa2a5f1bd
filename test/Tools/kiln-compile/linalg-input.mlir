// kiln-compile also takes linalg on tensors directly (the kiln passes then
// have nothing to do), and the result runs.
// RUN: kiln-compile %s --emit=llvm-dialect -o - | FileCheck %s
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; a = np.arange(6, dtype=np.float32).reshape(2, 3); b = np.ones((3, 2), np.float32); np.save('%t/a.npy', a); np.save('%t/b.npy', b); np.save('%t/want.npy', a @ b)"
// RUN: kiln-run %s -i %t/a.npy -i %t/b.npy --expect %t/want.npy | FileCheck %s --check-prefix=EXEC

// CHECK: llvm.func @_mlir_ciface_mm
// EXEC: result0: matches
func.func @mm(%a: tensor<2x3xf32>, %b: tensor<3x2xf32>) -> tensor<2x2xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %r = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %r : tensor<2x2xf32>
}
