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

// -----

// A strided view (an unpacked GEMM tile, row stride 32) cast to an
// identity-layout result type: callers read results as contiguous arrays,
// so it is copied (found by kiln-smith: a 2x? result read row 1 from the
// wrong place).
// CHECK-LABEL: func.func @strided_view_cast(
// CHECK: %[[T:.+]] = memref.alloc() : memref<8x32xf32>
// CHECK: %[[V:.+]] = memref.subview %[[T]]
// CHECK: %[[C:.+]] = memref.cast %[[V]]
// CHECK: %[[COPY:.+]] = memref.alloc(%{{.+}}) {alignment = 64 : i64} : memref<2x?xf32>
// CHECK: memref.copy %[[C]], %[[COPY]]
// CHECK: return %[[COPY]]
func.func @strided_view_cast() -> memref<2x?xf32> {
  %t = memref.alloc() : memref<8x32xf32>
  %v = memref.subview %t[0, 0] [2, 1] [1, 1] : memref<8x32xf32> to memref<2x1xf32, strided<[32, 1]>>
  %c = memref.cast %v : memref<2x1xf32, strided<[32, 1]>> to memref<2x?xf32>
  return %c : memref<2x?xf32>
}

// -----

// A whole allocation, cast and reshaped with the identity layout, is left
// alone.
// CHECK-LABEL: func.func @contiguous_reshape(
// CHECK-NOT: memref.copy
// CHECK: return
func.func @contiguous_reshape() -> memref<?xf32> {
  %t = memref.alloc() : memref<4x8xf32>
  %r = memref.collapse_shape %t [[0, 1]] : memref<4x8xf32> into memref<32xf32>
  %c = memref.cast %r : memref<32xf32> to memref<?xf32>
  return %c : memref<?xf32>
}

// -----

// Results that come out of a branch are copied; their buffer is freed
// after the copy unless a returned result, or one freed before, has its
// address: here both results are one buffer, which is freed once.
// CHECK-LABEL: func.func @branch_results(
// CHECK-SAME: %[[C:[a-zA-Z0-9]+]]: i1
// CHECK: %[[R:.+]]:2 = scf.if %[[C]]
// CHECK: %[[COPY0:.+]] = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
// CHECK: memref.copy %[[R]]#0, %[[COPY0]]
// CHECK: %[[COPY1:.+]] = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
// CHECK: memref.copy %[[R]]#1, %[[COPY1]]
// CHECK: %[[BASE0:.+]], %{{.+}}, %{{.+}}, %{{.+}} = memref.extract_strided_metadata %[[R]]#0
// CHECK: %[[P0:.+]] = memref.extract_aligned_pointer_as_index %[[BASE0]]
// CHECK: arith.cmpi ne, %[[P0]]
// CHECK: scf.if
// CHECK-NEXT: memref.dealloc %[[BASE0]]
// CHECK: %[[BASE1:.+]], %{{.+}}, %{{.+}}, %{{.+}} = memref.extract_strided_metadata %[[R]]#1
// CHECK: %[[P1:.+]] = memref.extract_aligned_pointer_as_index %[[BASE1]]
// CHECK: arith.cmpi ne, %[[P1]], %[[P0]]
// CHECK: scf.if
// CHECK-NEXT: memref.dealloc %[[BASE1]]
// CHECK: return %[[COPY0]], %[[COPY1]]
func.func @branch_results(%c: i1) -> (memref<4xf32>, memref<4xf32>) {
  %r:2 = scf.if %c -> (memref<4xf32>, memref<4xf32>) {
    %a = memref.alloc() : memref<4xf32>
    scf.yield %a, %a : memref<4xf32>, memref<4xf32>
  } else {
    %b = memref.alloc() : memref<4xf32>
    %d = memref.alloc() : memref<4xf32>
    scf.yield %b, %d : memref<4xf32>, memref<4xf32>
  }
  return %r#0, %r#1 : memref<4xf32>, memref<4xf32>
}
