// RUN: kiln-opt %s --pass-pipeline="builtin.module(func.func(kiln-strided-views-to-reinterpret-cast))" --split-input-file | FileCheck %s

// Two `?` dims in one group: a reinterpret_cast of the base buffer, sizes
// from output_shape, strides built from the innermost one outward.
// CHECK-LABEL: func.func @two_dynamic(
// CHECK-SAME: %[[SRC:[a-z0-9]+]]: memref<?x8xf32>, %[[D0:[a-z0-9]+]]: index, %[[D1:[a-z0-9]+]]: index
// CHECK: %[[C8:.+]] = arith.constant 8 : index
// CHECK: %[[BASE:.+]], %{{.+}}, %{{.+}}:2, %{{.+}}:2 = memref.extract_strided_metadata %[[SRC]]
// CHECK: %[[S0:.+]] = arith.muli %[[D1]], %[[C8]] : index
// CHECK: %[[CAST:.+]] = memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [%[[D0]], %[[D1]], 8], strides: [%[[S0]], 8, 1] : memref<f32> to memref<?x?x8xf32>
// CHECK: return %[[CAST]]
func.func @two_dynamic(%a: memref<?x8xf32>, %d0: index, %d1: index) -> memref<?x?x8xf32> {
  %e = memref.expand_shape %a [[0, 1], [2]] output_shape [%d0, %d1, 8] : memref<?x8xf32> into memref<?x?x8xf32>
  return %e : memref<?x?x8xf32>
}

// -----

// A strided source: the innermost stride of a group is the source dim's.
// CHECK-LABEL: func.func @strided_source(
// CHECK-SAME: %[[SRC:[a-z0-9]+]]: memref<?x4xf32, strided<[?, 1], offset: ?>>, %[[D0:[a-z0-9]+]]: index, %[[D1:[a-z0-9]+]]: index
// CHECK: %[[BASE:.+]], %[[OFF:.+]], %{{.+}}:2, %[[STRIDES:.+]]:2 = memref.extract_strided_metadata %[[SRC]]
// CHECK: %[[S0:.+]] = arith.muli %[[STRIDES]]#0, %[[D1]] : index
// CHECK: memref.reinterpret_cast %[[BASE]] to offset: [%[[OFF]]], sizes: [%[[D0]], %[[D1]], 4], strides: [%[[S0]], %[[STRIDES]]#0, 1]
func.func @strided_source(%a: memref<?x4xf32, strided<[?, 1], offset: ?>>, %d0: index, %d1: index) -> memref<?x?x4xf32, strided<[?, ?, 1], offset: ?>> {
  %e = memref.expand_shape %a [[0, 1], [2]] output_shape [%d0, %d1, 4] : memref<?x4xf32, strided<[?, 1], offset: ?>> into memref<?x?x4xf32, strided<[?, ?, 1], offset: ?>>
  return %e : memref<?x?x4xf32, strided<[?, ?, 1], offset: ?>>
}

// -----

// One `?` per group is left to expand-strided-metadata.
// CHECK-LABEL: func.func @one_dynamic(
// CHECK-NOT: memref.reinterpret_cast
// CHECK: memref.expand_shape
func.func @one_dynamic(%a: memref<?x8xf32>, %d0: index) -> memref<?x2x8xf32> {
  %e = memref.expand_shape %a [[0, 1], [2]] output_shape [%d0, 2, 8] : memref<?x8xf32> into memref<?x2x8xf32>
  return %e : memref<?x2x8xf32>
}

// -----

// A rank-reducing subview whose stride (a step of 2 over unit dims) matches
// no dropped dim: the offset from every dim, the stride from the result
// type.
// CHECK-LABEL: func.func @ambiguous_rank_reducing_subview(
// CHECK-SAME: %[[SRC:[a-z0-9]+]]: memref<?x1xf32>, %[[I:[a-z0-9]+]]: index
// CHECK: %[[BASE:.+]], %{{.+}}, %{{.+}}:2, %{{.+}}:2 = memref.extract_strided_metadata %[[SRC]]
// CHECK: memref.reinterpret_cast %[[BASE]] to offset: [%[[I]]], sizes: [1], strides: [2] : memref<f32> to memref<1xf32, strided<[2], offset: ?>>
func.func @ambiguous_rank_reducing_subview(%a: memref<?x1xf32>, %i: index) -> memref<1xf32, strided<[2], offset: ?>> {
  %s = memref.subview %a[%i, 0] [1, 1] [2, 1] : memref<?x1xf32> to memref<1xf32, strided<[2], offset: ?>>
  return %s : memref<1xf32, strided<[2], offset: ?>>
}

// -----

// Unit steps leave the drop unambiguous: upstream's.
// CHECK-LABEL: func.func @plain_rank_reducing_subview(
// CHECK-NOT: memref.reinterpret_cast
// CHECK: memref.subview
func.func @plain_rank_reducing_subview(%a: memref<?x1xf32>, %i: index) -> memref<1xf32, strided<[1], offset: ?>> {
  %s = memref.subview %a[%i, 0] [1, 1] [1, 1] : memref<?x1xf32> to memref<1xf32, strided<[1], offset: ?>>
  return %s : memref<1xf32, strided<[1], offset: ?>>
}
