// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-gpu-tile-matmuls{tile-size=8}))' | FileCheck %s

// One launch per matmul: a block of 8 x 8 threads per 8 x 8 tile of the
// result, two tiles in workgroup memory refilled each step over K between
// barriers, out-of-range elements read as zero, and the sum stored only
// inside the result.
// CHECK-LABEL: func.func @dynamic_matmul(
// CHECK-SAME: %[[A:.+]]: memref<?x?xf32>, %[[B:.+]]: memref<?x?xf32>, %[[C:.+]]: memref<?x?xf32>
// CHECK-DAG: %[[C8:.+]] = arith.constant 8 : index
// CHECK-DAG: %[[ONE:.+]] = arith.constant 1 : index
// CHECK: %[[M:.+]] = memref.dim %[[C]], %{{.+}} : memref<?x?xf32>
// CHECK: %[[N:.+]] = memref.dim %[[C]], %{{.+}} : memref<?x?xf32>
// CHECK: %[[K:.+]] = memref.dim %[[A]], %{{.+}} : memref<?x?xf32>
// CHECK: %[[GX:.+]] = arith.ceildivsi %[[N]], %[[C8]] : index
// CHECK: %[[GY:.+]] = arith.ceildivsi %[[M]], %[[C8]] : index
// CHECK: gpu.launch blocks(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}) in (%{{[a-z0-9_]+}} = %[[GX]], %{{[a-z0-9_]+}} = %[[GY]], %{{[a-z0-9_]+}} = %[[ONE]]) threads(%[[TX:[a-z0-9_]+]], %[[TY:[a-z0-9_]+]], %{{[a-z0-9_]+}}) in (%{{[a-z0-9_]+}} = %[[C8]], %{{[a-z0-9_]+}} = %[[C8]], %{{[a-z0-9_]+}} = %[[ONE]])
// CHECK-SAME: workgroup(%[[AS:[a-z0-9_]+]] : memref<8x8xf32, 3>, %[[BS:[a-z0-9_]+]] : memref<8x8xf32, 3>)
// CHECK: %[[ACC0:.+]] = scf.if %{{.+}} -> (f32) {
// CHECK: memref.load %[[C]]
// CHECK: %[[SUM:.+]] = scf.for %[[K0:.+]] = %{{.+}} to %[[K]] step %{{.+}} iter_args(%[[ACC:.+]] = %[[ACC0]]) -> (f32) {
// CHECK: memref.store %{{.+}}, %[[AS]][%[[TY]], %[[TX]]]
// CHECK: memref.store %{{.+}}, %[[BS]][%[[TY]], %[[TX]]]
// CHECK: gpu.barrier
// CHECK: scf.for %[[KK:.+]] = {{.+}} iter_args(
// CHECK: memref.load %[[AS]][%[[TY]], %[[KK]]]
// CHECK: memref.load %[[BS]][%[[KK]], %[[TX]]]
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: gpu.barrier
// CHECK: scf.if
// CHECK: memref.store %[[SUM]], %[[C]]
// CHECK: gpu.terminator
// CHECK-NOT: linalg.matmul
func.func @dynamic_matmul(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  linalg.matmul ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
  return
}

// -----

// A batch runs on grid z, indexing every operand by the block's z; f16
// operands extend to the f32 result before multiplying.
// CHECK-LABEL: func.func @batched_mixed(
// CHECK-SAME: %[[A:.+]]: memref<3x5x7xf16>, %[[B:.+]]: memref<3x7x4xf16>, %[[C:.+]]: memref<3x5x4xf32>
// CHECK: gpu.launch blocks(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %[[BZ:[a-z0-9_]+]]) in
// CHECK-SAME: workgroup(%{{.+}} : memref<8x8xf16, 3>, %{{.+}} : memref<8x8xf16, 3>)
// CHECK: memref.load %[[C]][%[[BZ]], %{{.+}}, %{{.+}}] : memref<3x5x4xf32>
// CHECK: memref.load %[[A]][%[[BZ]], %{{.+}}, %{{.+}}] : memref<3x5x7xf16>
// CHECK: %[[X:.+]] = arith.extf %{{.+}} : f16 to f32
// CHECK: %[[Y:.+]] = arith.extf %{{.+}} : f16 to f32
// CHECK: arith.mulf %[[X]], %[[Y]] : f32
func.func @batched_mixed(%a: memref<3x5x7xf16>, %b: memref<3x7x4xf16>, %c: memref<3x5x4xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<3x5x7xf16>, memref<3x7x4xf16>) outs(%c : memref<3x5x4xf32>)
  return
}

// -----

// Not this lowering's: integers, a transposed operand, tensors.
// CHECK-LABEL: func.func @left_alone(
// CHECK-NOT: gpu.launch
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : memref<4x6xi8>, memref<6x5xi8>)
// CHECK: linalg.matmul indexing_maps
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<4x6xf32>, tensor<6x5xf32>)
func.func @left_alone(%a: memref<4x6xi8>, %b: memref<6x5xi8>, %c: memref<4x5xi32>,
                      %x: memref<4x6xf32>, %y: memref<5x6xf32>, %z: memref<4x5xf32>,
                      %t: tensor<4x6xf32>, %u: tensor<6x5xf32>, %v: tensor<4x5xf32>) -> tensor<4x5xf32> {
  linalg.matmul ins(%a, %b : memref<4x6xi8>, memref<6x5xi8>) outs(%c : memref<4x5xi32>)
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
    ins(%x, %y : memref<4x6xf32>, memref<5x6xf32>) outs(%z : memref<4x5xf32>)
  %r = linalg.matmul ins(%t, %u : tensor<4x6xf32>, tensor<6x5xf32>) outs(%v : tensor<4x5xf32>) -> tensor<4x5xf32>
  return %r : tensor<4x5xf32>
}
