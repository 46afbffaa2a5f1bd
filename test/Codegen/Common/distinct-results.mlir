// RUN: kiln-opt %s --pass-pipeline="builtin.module(func.func(kiln-distinct-results))" --split-input-file | FileCheck %s

// A buffer returned twice: the second result is a copy of its own.
// CHECK-LABEL: func.func @twice(
// CHECK: %[[A:.+]] = memref.alloc(%{{.+}}) : memref<?x4xf32>
// CHECK: %[[C0:.+]] = arith.constant 0 : index
// CHECK: %[[D:.+]] = memref.dim %[[A]], %[[C0]]
// CHECK: %[[COPY:.+]] = memref.alloc(%[[D]]) {alignment = 64 : i64} : memref<?x4xf32>
// CHECK: memref.copy %[[A]], %[[COPY]]
// CHECK: return %[[A]], %[[COPY]]
func.func @twice(%n: index) -> (memref<?x4xf32>, memref<?x4xf32>) {
  %a = memref.alloc(%n) : memref<?x4xf32>
  return %a, %a : memref<?x4xf32>, memref<?x4xf32>
}

// -----

// A buffer and a view of it: the view is copied.
// CHECK-LABEL: func.func @view(
// CHECK: %[[A:.+]] = memref.alloc() : memref<3x4xf32>
// CHECK: %[[V:.+]] = memref.collapse_shape %[[A]]
// CHECK: %[[COPY:.+]] = memref.alloc() {alignment = 64 : i64} : memref<12xf32>
// CHECK: memref.copy %[[V]], %[[COPY]]
// CHECK: return %[[A]], %[[COPY]]
func.func @view() -> (memref<3x4xf32>, memref<12xf32>) {
  %a = memref.alloc() : memref<3x4xf32>
  %v = memref.collapse_shape %a [[0, 1]] : memref<3x4xf32> into memref<12xf32>
  return %a, %v : memref<3x4xf32>, memref<12xf32>
}

// -----

// Distinct buffers, and a private function, are left alone.
// CHECK-LABEL: func.func @distinct(
// CHECK-NOT: memref.copy
// CHECK: return
func.func @distinct() -> (memref<4xf32>, memref<4xf32>) {
  %a = memref.alloc() : memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  return %a, %b : memref<4xf32>, memref<4xf32>
}

// CHECK-LABEL: func.func private @helper(
// CHECK-NOT: memref.copy
// CHECK: return
func.func private @helper() -> (memref<4xf32>, memref<4xf32>) {
  %a = memref.alloc() : memref<4xf32>
  return %a, %a : memref<4xf32>, memref<4xf32>
}
