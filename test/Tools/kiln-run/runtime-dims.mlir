// Dynamic dims at run time: a 1 broadcasts (numpy), sizes that do not
// broadcast are an error naming the op and location, and so are computed
// dims an op needs equal. Inputs that meet directly are checked on entry.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/a.npy', np.arange(8, dtype=np.float32).reshape(2, 4)); np.save('%t/row.npy', np.full((1, 4), 10, np.float32)); np.save('%t/b3.npy', np.ones((3, 4), np.float32)); np.save('%t/w4.npy', np.ones((4, 3), np.float32)); np.save('%t/w5.npy', np.ones((5, 3), np.float32)); np.save('%t/want.npy', (np.arange(8, dtype=np.float32).reshape(2, 4) + 10) @ np.ones((4, 3), np.float32))"
// RUN: kiln-run %s -i %t/a.npy -i %t/row.npy -i %t/w4.npy --expect %t/want.npy | FileCheck %s --check-prefix=OK
// RUN: kiln-run %s -i %t/row.npy -i %t/a.npy -i %t/w4.npy --expect %t/want.npy | FileCheck %s --check-prefix=OK
// RUN: not kiln-run %s -i %t/a.npy -i %t/b3.npy -i %t/w4.npy 2>&1 | FileCheck %s --check-prefix=ENTRY
// RUN: not kiln-run %s -i %t/a.npy -i %t/row.npy -i %t/w5.npy 2>&1 | FileCheck %s --check-prefix=K
// RUN: not kiln-run %s --entry=chain -i %t/a.npy -i %t/row.npy -i %t/b3.npy 2>&1 | FileCheck %s --check-prefix=CHAIN

// OK: result0: f32[2x3]
// ENTRY: kiln-run: error: project: input arg1 dim 0 is 3 but input arg0 dim 0 is 2; the model broadcasts them, so they must be equal or 1
// K: kiln-run: error: invocation failed: project: {{.*}}runtime-dims.mlir:[[# @LINE + 4]]:8: kiln.matmul: dim 1 of operand 0 must equal dim 0 of operand 1
// CHAIN: kiln-run: error: invocation failed: chain: {{.*}}runtime-dims.mlir:[[# @LINE + 8]]:8: kiln.add: the operands' sizes in dim 0 do not broadcast (each must be 1 or the same size)
func.func @project(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>, %w: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = kiln.add %a, %b : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %1 = kiln.matmul %0, %w : (tensor<?x?xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  return %1 : tensor<?x3xf32>
}
func.func @chain(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>, %c: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = kiln.add %a, %b : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %1 = kiln.add %0, %c : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}
