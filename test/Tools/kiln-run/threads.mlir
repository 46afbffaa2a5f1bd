// Results do not depend on the thread count: each thread computes whole
// output tiles.
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-run %s --input-shape 67x129 --input-shape 129x95 --threads 1 -o %t/one.npy | FileCheck %s
// RUN: kiln-run %s --input-shape 67x129 --input-shape 129x95 --threads 2 -o %t/two.npy | FileCheck %s
// RUN: KILN_NUM_THREADS=2 kiln-run %s --input-shape 67x129 --input-shape 129x95 -o %t/env.npy | FileCheck %s
// RUN: cmp %t/one.npy %t/two.npy
// RUN: cmp %t/one.npy %t/env.npy
// RUN: not kiln-run %s --input-shape 67x129 --input-shape 129x95 --threads -1 2>&1 | FileCheck %s --check-prefix=BAD
// The parallel tile loop becomes an OpenMP worksharing loop.
// RUN: kiln-compile %s --emit=llvm-dialect | FileCheck %s --check-prefix=OMP

// CHECK: result0: f32[67x95]
// BAD: kiln-run: error: --threads must be positive
// OMP: omp.parallel
// OMP: omp.wsloop
func.func @mm(%a: tensor<?x129xf32>, %b: tensor<129x95xf32>) -> tensor<?x95xf32> {
  %0 = kiln.matmul %a, %b : (tensor<?x129xf32>, tensor<129x95xf32>) -> tensor<?x95xf32>
  return %0 : tensor<?x95xf32>
}
