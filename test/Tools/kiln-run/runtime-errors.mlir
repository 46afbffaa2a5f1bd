// A failed run-time check inside the kernel is an error naming the op.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/t.npy', np.ones((4, 2), np.float32)); np.save('%t/ok.npy', np.array([3, -4], np.int64)); np.save('%t/bad.npy', np.array([0, 4], np.int64))"
// RUN: kiln-run %s -i %t/t.npy -i %t/ok.npy | FileCheck %s --check-prefix=OK
// RUN: not kiln-run %s -i %t/t.npy -i %t/bad.npy 2>&1 | FileCheck %s --check-prefix=BAD

// OK: result0: f32[2x2]
// BAD: kiln-run: error: invocation failed: take: {{.*}}runtime-errors.mlir:[[@LINE+2]]:8: an index is out of range for dim 0 of the gathered tensor (valid: -n to n-1)
func.func @take(%t: tensor<4x2xf32>, %i: tensor<?xi64>) -> tensor<?x2xf32> {
  %0 = kiln.gather %t, %i {axis = 0 : i64} : (tensor<4x2xf32>, tensor<?xi64>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}
