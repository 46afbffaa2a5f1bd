// RUN: kiln-opt %s | kiln-opt | FileCheck %s

// CHECK: module attributes {kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver3", features = "+avx2", vector_bits = 256, vector_registers = 16, l1d_cache = 32768>}
// Cache sizes are optional.
module attributes {kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver3", features = "+avx2", vector_bits = 256, vector_registers = 16, l1d_cache = 32768>} {
  // CHECK-LABEL: func.func @f
  func.func @f() {
    return
  }
}
