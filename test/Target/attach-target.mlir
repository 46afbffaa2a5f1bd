// kiln-attach-target describes the target from its options, or the host's.
// RUN: kiln-opt %s --kiln-attach-target="cpu=znver3" | FileCheck %s --check-prefix=ZEN3
// RUN: kiln-opt %s --kiln-attach-target="cpu=sapphirerapids" | FileCheck %s --check-prefix=SPR
// RUN: kiln-opt %s --kiln-attach-target="cpu=znver3 features=+avx512f" | FileCheck %s --check-prefix=FEAT
// RUN: kiln-opt %s --kiln-attach-target="cpu=x86-64" | FileCheck %s --check-prefix=SSE
// RUN: kiln-opt %s --kiln-attach-target="triple=aarch64-linux-gnu" | FileCheck %s --check-prefix=NEON
// RUN: kiln-opt %s --kiln-attach-target | FileCheck %s --check-prefix=HOST
// An existing description stays unless the options name a target.
// RUN: kiln-opt %s --kiln-attach-target="cpu=znver3" | kiln-opt --kiln-attach-target | FileCheck %s --check-prefix=ZEN3
// RUN: kiln-opt %s --kiln-attach-target="cpu=znver3" | kiln-opt --kiln-attach-target="cpu=sapphirerapids" | FileCheck %s --check-prefix=SPR

// ZEN3: module attributes {kiln.target = #kiln.target<triple = "x86_64-{{.*}}linux-gnu", cpu = "znver3", features = "", vector_bits = 256, vector_registers = 16, l1d_cache = 32768, l2_cache = 524288, l3_cache = 33554432>}
// SPR: #kiln.target<{{.*}}cpu = "sapphirerapids", features = "", vector_bits = 512, vector_registers = 32, l1d_cache = 49152, l2_cache = 2097152>
// FEAT: #kiln.target<{{.*}}cpu = "znver3", features = "+avx512f", vector_bits = 512, vector_registers = 32
// SSE: #kiln.target<{{.*}}cpu = "x86-64", features = "", vector_bits = 128, vector_registers = 16>
// NEON: #kiln.target<triple = "aarch64-unknown-linux-gnu", cpu = "generic", features = "", vector_bits = 128, vector_registers = 32>
// HOST: module attributes {kiln.target = #kiln.target<triple = "{{.+}}", cpu = "{{.+}}", features = "{{.*}}", vector_bits = {{128|256|512}}, vector_registers = {{16|32}}

// ZEN3-LABEL: func.func @f
// SPR-LABEL: func.func @f
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
