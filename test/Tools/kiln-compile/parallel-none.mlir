// --parallel=none: the threads' loops become sequential loops, so the
// object needs no OpenMP runtime; the default runs them on OpenMP.
// RUN: kiln-compile %s --emit=llvm-dialect -o - | FileCheck %s --check-prefix=OMP
// RUN: kiln-compile %s --emit=llvm-dialect --parallel=none -o - | FileCheck %s --check-prefix=NONE
// RUN: kiln-compile %s --parallel=none -o %t.o
// RUN: llvm-nm --undefined-only %t.o | FileCheck %s --check-prefix=NM
// RUN: kiln-opt %s --kiln-cpu-pipeline="parallel=false" | FileCheck %s --check-prefix=NONE
// RUN: not kiln-compile %s --parallel=posix -o %t2.o 2>&1 | FileCheck %s --check-prefix=BAD

// OMP-LABEL: llvm.func @matmul(
// OMP: omp.parallel
// OMP: omp.wsloop

// NONE-LABEL: llvm.func @matmul(
// NONE-NOT: omp.
// NONE: llvm.return

// NM-NOT: __kmpc
// NM-NOT: omp_

// BAD: kiln-compile: error: --parallel takes openmp or none, not 'posix'
func.func @matmul(%a: tensor<256x256xf32>, %b: tensor<256x256xf32>) -> tensor<256x256xf32> {
  %0 = kiln.matmul %a, %b : (tensor<256x256xf32>, tensor<256x256xf32>) -> tensor<256x256xf32>
  return %0 : tensor<256x256xf32>
}
