// RUN: kiln-opt %s --kiln-cpu-lower-vectors --canonicalize | FileCheck %s

// The accumulator tile is read once before the K loop and written once
// after it (it lives in registers); the contraction becomes one FMA per row
// of the tile with a broadcast left element, on contiguous loads.
// CHECK-LABEL: func.func @register_tile
// CHECK-SAME: (%[[A:.+]]: memref<2x8x2x1xf32>, %[[B:.+]]: memref<2x8x16x1xf32>, %[[C:.+]]: memref<2x2x2x16xf32>)
// CHECK: %[[ACC0:.+]] = vector.load %[[C]][{{.*}}] : memref<2x2x2x16xf32>, vector<16xf32>
// CHECK: %[[ACC1:.+]] = vector.load %[[C]][{{.*}}] : memref<2x2x2x16xf32>, vector<16xf32>
// CHECK: %[[R:.+]] = scf.for {{.*}} iter_args(%[[ACC:.+]] = %{{.+}}) -> (vector<2x16xf32>)
// CHECK-NOT: memref<2x2x2x16xf32>
// CHECK: %[[ROW:.+]] = vector.load %{{.+}} : memref<2x8x16xf32{{.*}}>, vector<16xf32>
// CHECK: %[[X0:.+]] = vector.broadcast %{{.+}} : f32 to vector<16xf32>
// CHECK: vector.fma %[[X0]], %[[ROW]], %{{.+}} : vector<16xf32>
// CHECK: %[[X1:.+]] = vector.broadcast %{{.+}} : f32 to vector<16xf32>
// CHECK: vector.fma %[[X1]], %[[ROW]], %{{.+}} : vector<16xf32>
// CHECK-NOT: vector.contract
// CHECK: scf.yield
// CHECK: vector.store %{{.+}}, %[[C]]
// CHECK: vector.store %{{.+}}, %[[C]]
#lhs = affine_map<(d0, d1, d2) -> (d0, d2)>
#rhs = affine_map<(d0, d1, d2) -> (d1, d2)>
#acc = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @register_tile(%a: memref<2x8x2x1xf32>, %b: memref<2x8x16x1xf32>, %c: memref<2x2x2x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %pad = ub.poison : f32
  scf.for %k = %c0 to %c8 step %c1 {
    %sub = memref.subview %c[1, 1, 0, 0] [1, 1, 2, 16] [1, 1, 1, 1] : memref<2x2x2x16xf32> to memref<2x16xf32, strided<[16, 1], offset: 96>>
    %l = vector.transfer_read %a[%c1, %k, %c0, %c0], %pad {in_bounds = [true, true]} : memref<2x8x2x1xf32>, vector<2x1xf32>
    %r = vector.transfer_read %b[%c1, %k, %c0, %c0], %pad {in_bounds = [true, true]} : memref<2x8x16x1xf32>, vector<16x1xf32>
    %acc = vector.transfer_read %sub[%c0, %c0], %pad {in_bounds = [true, true]} : memref<2x16xf32, strided<[16, 1], offset: 96>>, vector<2x16xf32>
    %res = vector.contract {indexing_maps = [#lhs, #rhs, #acc], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %l, %r, %acc : vector<2x1xf32>, vector<16x1xf32> into vector<2x16xf32>
    vector.transfer_write %res, %sub[%c0, %c0] {in_bounds = [true, true]} : vector<2x16xf32>, memref<2x16xf32, strided<[16, 1], offset: 96>>
  }
  return
}

// 0-d transfers of a strided memref (a strided slice broadcast along a
// row; found by kiln-smith) are a load and a store, not left for an LLVM
// conversion that cannot take them.
// CHECK-LABEL: func.func @zero_dim_strided
// CHECK-SAME: %[[SRC:[a-z0-9]+]]: memref<2xf32, strided<[2]>>, %[[DST:[a-z0-9]+]]: memref<2xf32, strided<[3]>>, %[[I:[a-z0-9]+]]: index
// CHECK: %[[X:.+]] = memref.load %[[SRC]][%[[I]]] : memref<2xf32, strided<[2]>>
// CHECK-NOT: vector.transfer
// CHECK: memref.store %[[X]], %[[DST]][%[[I]]] : memref<2xf32, strided<[3]>>
func.func @zero_dim_strided(%src: memref<2xf32, strided<[2]>>, %dst: memref<2xf32, strided<[3]>>, %i: index) {
  %pad = ub.poison : f32
  %v = vector.transfer_read %src[%i], %pad : memref<2xf32, strided<[2]>>, vector<f32>
  vector.transfer_write %v, %dst[%i] : vector<f32>, memref<2xf32, strided<[3]>>
  return
}
