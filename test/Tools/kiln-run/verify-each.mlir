// --verify-each=reference: the model runs through the reference lowering
// (naive loops), then with the optimizations added one at a time; the first
// that changes the output is reported with the IR before and after it.
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-run %s --verify-each=reference --rtol 1e-4 --atol 1e-5 | FileCheck %s --check-prefix=SAME
// RUN: not kiln-run %s --verify-each=reference --rtol 0 --atol 0 --bisect-dir %t/bisect | FileCheck %s --check-prefix=EXACT
// RUN: FileCheck %s --check-prefix=BEFORE < %t/bisect/before.mlir
// RUN: FileCheck %s --check-prefix=AFTER < %t/bisect/after.mlir
// RUN: %python -c "import numpy as np; np.save('%t/zeros.npy', np.zeros((37, 29), np.float32))"
// RUN: not kiln-run %s --verify-each=reference --expect %t/zeros.npy | FileCheck %s --check-prefix=EXPECT
// RUN: not kiln-run %s --verify-each=all 2>&1 | FileCheck %s --check-prefix=BAD

// Packing only lowers together with tile-and-vectorize, so the two are
// tested as a group.
// SAME: reference lowering: [[REQ:[0-9]+]] of [[ALL:[0-9]+]] passes ([[OPT:[0-9]+]] optimizations left out)
// SAME: step [[FUSE:[0-9]+]] func.func(kiln-fuse-elementwise): match
// SAME: step [[PACK:[0-9]+]] func.func(kiln-cpu-pack-contractions): does not lower without a later optimization
// SAME-NEXT: step {{[0-9]+}} func.func(kiln-cpu-tile-and-vectorize) with steps from [[PACK]]: match
// SAME: func.func(kiln-plan-buffers): match
// SAME: verify-each: every pass matches the reference

// With no tolerance, the polynomial exp of kiln-approximate-math is the
// first difference from libm's.
// EXACT: step {{[0-9]+}} func.func(kiln-fuse-elementwise): match
// EXACT-NEXT: step [[STEP:[0-9]+]] func.func(kiln-approximate-math): MISMATCH result0: {{[0-9]+}} of 1073 elements differ
// EXACT: verify-each: first differing pass: step [[STEP]], func.func(kiln-approximate-math)
// EXACT: IR before and after: {{.*}}bisect/before.mlir, {{.*}}bisect/after.mlir
// BEFORE: math.exp
// AFTER-NOT: math.exp
// AFTER: arith.bitcast

// EXPECT: verify-each: the reference lowering itself differs: result0: 1073 of 1073 elements differ

// BAD: kiln-run: error: --verify-each takes 'reference', not 'all'
func.func @forward(%a: tensor<37x61xf32>, %w: tensor<61x29xf32>) -> tensor<37x29xf32> {
  %0 = kiln.matmul %a, %w : (tensor<37x61xf32>, tensor<61x29xf32>) -> tensor<37x29xf32>
  %1 = kiln.relu %0 : (tensor<37x29xf32>) -> tensor<37x29xf32>
  %2 = kiln.softmax %1 {axis = 1 : i64} : (tensor<37x29xf32>) -> tensor<37x29xf32>
  return %2 : tensor<37x29xf32>
}
