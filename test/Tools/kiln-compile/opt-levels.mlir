// Optimization levels: -O0 runs no graph optimization or fusion, -O1 graph
// optimization, -O2 (the default) also fusion; a pass toggle overrides the
// level either way. Numerics are the same at every level.
// RUN: kiln-compile %s -O0 --emit=kiln -o - | FileCheck %s --check-prefix=O0
// RUN: kiln-compile %s -O1 --emit=kiln -o - | FileCheck %s --check-prefix=O1
// RUN: kiln-compile %s -O0 --emit=linalg -o /dev/null --report 2>&1 | FileCheck %s --check-prefix=NOFUSE
// RUN: kiln-compile %s -O1 --emit=linalg -o /dev/null --report 2>&1 | FileCheck %s --check-prefix=NOFUSE
// RUN: kiln-compile %s -O2 --fuse-elementwise=false --emit=linalg -o /dev/null --report 2>&1 | FileCheck %s --check-prefix=NOFUSE
// RUN: kiln-compile %s --emit=linalg -o /dev/null --report 2>&1 | FileCheck %s --check-prefixes=O2,K2
// RUN: kiln-compile %s -O0 --fuse-elementwise --emit=linalg -o /dev/null --report 2>&1 | FileCheck %s --check-prefixes=O2,K0
// RUN: kiln-compile %s -O0 --simplify --emit=kiln -o - | FileCheck %s --check-prefix=O1
// RUN: kiln-compile %s --emit=linalg -o /dev/null --report=json 2>&1 | FileCheck %s --check-prefix=JSON
// RUN: not kiln-compile %s --llvm-opt-level=4 -o /dev/null 2>&1 | FileCheck %s --check-prefix=BADLLVM
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-run %s -O2 --input-shape 3x5 --input-shape 4x5 --input-shape 4 -o %t/o2.npy
// RUN: kiln-run %s -O0 --input-shape 3x5 --input-shape 4x5 --input-shape 4 --expect %t/o2.npy | FileCheck %s --check-prefix=SAME
// RUN: kiln-run %s -O1 --input-shape 3x5 --input-shape 4x5 --input-shape 4 --expect %t/o2.npy | FileCheck %s --check-prefix=SAME
// RUN: kiln-run %s -O0 --llvm-opt-level=2 --input-shape 3x5 --input-shape 4x5 --input-shape 4 --expect %t/o2.npy | FileCheck %s --check-prefix=SAME

// O0-LABEL: func.func @f
// O0: kiln.transpose
// O0: kiln.matmul
// O0-NOT: transpose_rhs

// O1-LABEL: func.func @f
// O1-NOT: kiln.transpose
// O1: kiln.matmul {{.*}}transpose_rhs = true

// NOFUSE: Kernels (linalg on tensors):
// NOFUSE-NEXT: before fusion after fusion
// NOFUSE-NEXT: kernels [[N:[0-9]+]] [[N]]
// NOFUSE: Fusion groups: 0

// O2: Kernels (linalg on tensors):
// O2-NEXT: before fusion after fusion
// With the transpose in the matmul's flag (-O1 and up), the matmul reads w
// transposed; -O0 keeps kiln.transpose, one more kernel.
// K2-NEXT: kernels 5 3
// K0-NEXT: kernels 6 4
// O2: Fusion groups: 1
// O2-NEXT: @f: kiln.add ({{.*}}opt-levels.mlir:{{[0-9]+}}:{{[0-9]+}}) + kiln.relu ({{.*}}) + kiln.mul ({{.*}})

// JSON: "fusion_groups": [
// JSON-NEXT: {
// JSON-NEXT: "function": "f",
// JSON-NEXT: "ops": [
// JSON-NEXT: "kiln.add
// JSON-NEXT: "kiln.relu
// JSON-NEXT: "kiln.mul
// JSON: "kernels_after_fusion": {
// JSON-NEXT: "dynamic_intermediates": 0,
// JSON-NEXT: "intermediate_bytes": 48,
// JSON-NEXT: "kernels": 3
// JSON: "kernels_before_fusion": {
// JSON-NEXT: "dynamic_intermediates": 0,
// JSON-NEXT: "intermediate_bytes": 144,
// JSON-NEXT: "kernels": 5

// BADLLVM: error: LLVM optimization level 4 is not 0-3

// kiln-run's random inputs are the same at every level.
// SAME: result0: matches
func.func @f(%x: tensor<3x5xf32>, %w: tensor<4x5xf32>, %b: tensor<4xf32>) -> tensor<3x4xf32> {
  %wt = kiln.transpose %w [1, 0] : (tensor<4x5xf32>) -> tensor<5x4xf32>
  %0 = kiln.matmul %x, %wt : (tensor<3x5xf32>, tensor<5x4xf32>) -> tensor<3x4xf32>
  %1 = kiln.add %0, %b : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %2 = kiln.relu %1 : (tensor<3x4xf32>) -> tensor<3x4xf32>
  %3 = kiln.mul %2, %2 : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %3 : tensor<3x4xf32>
}
