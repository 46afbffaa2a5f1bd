// Unknown triples, CPUs and features are errors naming them; none reaches
// LLVM (which would only warn, then abort).
// RUN: not kiln-opt %s --kiln-attach-target="cpu=znver9" 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: not kiln-opt %s --kiln-attach-target="cpu=i686" 2>&1 | FileCheck %s --check-prefix=BITS
// RUN: not kiln-opt %s --kiln-attach-target="features=+notafeature" 2>&1 | FileCheck %s --check-prefix=FEAT
// RUN: not kiln-opt %s --kiln-attach-target="features=avx2" 2>&1 | FileCheck %s --check-prefix=SIGN
// RUN: not kiln-opt %s --kiln-attach-target="triple=nonsense-unknown-none" 2>&1 | FileCheck %s --check-prefix=TRIPLE

// CPU: error: unknown CPU 'znver9' for target '{{.*}}'; closest known: znver1, znver2, znver3, znver4, znver5 (of {{[0-9]+}} known CPUs)
// BITS: error: CPU 'i686' cannot run 64-bit code
// FEAT: error: unknown feature 'notafeature' for target
// SIGN: error: feature 'avx2' must start with '+' or '-', e.g. +avx2
// TRIPLE: error: unknown target triple 'nonsense-unknown-none'
// CPU-NOT: LLVM ERROR
// BITS-NOT: LLVM ERROR
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
