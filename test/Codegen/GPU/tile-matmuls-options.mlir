// RUN: not kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-gpu-tile-matmuls{tile-size=64}))' 2>&1 | FileCheck %s

// 64 x 64 = 4096 threads per block is more than any GPU has.
// CHECK: kiln-gpu-tile-matmuls: tile-size must be positive and its square at most 1024 threads
func.func @f() {
  return
}
