// RUN: not kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-gpu-map-parallel-loops{block-size=0}))' 2>&1 | FileCheck %s

// CHECK: kiln-gpu-map-parallel-loops: block-size and max-blocks must be positive
func.func @f() {
  return
}
