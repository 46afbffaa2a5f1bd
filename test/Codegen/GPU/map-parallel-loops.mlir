// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-gpu-map-parallel-loops{block-size=64},cse))' | FileCheck %s

// A 2-D loop becomes one linear space of 13 * 9 points: one block of 64
// threads, each walking its points by the whole grid's stride.
// CHECK-LABEL: func.func @static_2d(
// CHECK-SAME: %[[A:.+]]: memref<13x9xf32>
// CHECK-DAG: %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG: %[[C64:.+]] = arith.constant 64 : index
// CHECK-DAG: %[[C117:.+]] = arith.constant 117 : index
// CHECK-DAG: %[[C128:.+]] = arith.constant 128 : index
// CHECK-DAG: %[[C9:.+]] = arith.constant 9 : index
// CHECK: scf.parallel (%[[B:.+]]) = (%{{.+}}) to (%[[C2]]) step
// CHECK: scf.parallel (%[[T:.+]]) = (%{{.+}}) to (%[[C64]]) step
// CHECK: %[[BASE:.+]] = arith.muli %[[B]], %[[C64]] : index
// CHECK: %[[FIRST:.+]] = arith.addi %[[BASE]], %[[T]] : index
// CHECK: scf.for %[[P:.+]] = %[[FIRST]] to %[[C117]] step %[[C128]] {
// CHECK: %[[J:.+]] = arith.remui %[[P]], %[[C9]] : index
// CHECK: %[[I:.+]] = arith.divui %[[P]], %[[C9]] : index
// CHECK: memref.store %{{.+}}, %[[A]][%[[I]], %[[J]]] : memref<13x9xf32>
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = thread_x
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x
func.func @static_2d(%a: memref<13x9xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c13 = arith.constant 13 : index
  %c9 = arith.constant 9 : index
  %cst = arith.constant 0.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c13, %c9) step (%c1, %c1) {
    memref.store %cst, %a[%i, %j] : memref<13x9xf32>
    scf.reduce
  }
  return
}

// -----

// Dynamic bounds, a lower bound and a step: the grid is computed at run
// time and capped at 65535 blocks; each point maps back through lb + i *
// step.
// CHECK-LABEL: func.func @dynamic_strided(
// CHECK-SAME: %[[A:.+]]: memref<?xf32>, %[[N:.+]]: index
// CHECK-DAG: %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.+]] = arith.constant 3 : index
// CHECK: %[[SPAN:.+]] = arith.subi %[[N]], %[[C2]] : index
// CHECK: %[[COUNT:.+]] = arith.ceildivsi %[[SPAN]], %[[C3]] : index
// CHECK: %[[POINTS:.+]] = arith.maxsi %[[COUNT]], %{{.+}} : index
// CHECK: %[[C64:.+]] = arith.constant 64 : index
// CHECK: %[[BLOCKS:.+]] = arith.ceildivsi %[[POINTS]], %[[C64]] : index
// CHECK: %[[CAP:.+]] = arith.constant 65535 : index
// CHECK: %[[GRID:.+]] = arith.minsi %[[BLOCKS]], %[[CAP]] : index
// CHECK: %[[STRIDE:.+]] = arith.muli %[[GRID]], %[[C64]] : index
// CHECK: scf.parallel (%{{.+}}) = (%{{.+}}) to (%[[GRID]])
// CHECK: scf.for %[[P:.+]] = %{{.+}} to %[[POINTS]] step %[[STRIDE]] {
// CHECK: %[[SCALED:.+]] = arith.muli %[[P]], %[[C3]] : index
// CHECK: %[[IV:.+]] = arith.addi %[[SCALED]], %[[C2]] : index
// CHECK: memref.store %{{.+}}, %[[A]][%[[IV]]]
func.func @dynamic_strided(%a: memref<?xf32>, %n: index) {
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %cst = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c2) to (%n) step (%c3) {
    memref.store %cst, %a[%i] : memref<?xf32>
    scf.reduce
  }
  return
}

// -----

// A parallel loop nested under a reduction loop (linalg's lowering of
// reductions over outer dims) runs sequentially inside each thread.
// CHECK-LABEL: func.func @nested_parallel(
// CHECK: scf.parallel
// CHECK: scf.parallel
// CHECK: scf.for
// CHECK: scf.for %[[K:.+]] =
// CHECK-NOT: scf.parallel
// CHECK: scf.for %[[C:.+]] =
// CHECK: memref.load
// CHECK: memref.store
func.func @nested_parallel(%in: memref<2x5x3xf32>, %out: memref<2x3xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c5 = arith.constant 5 : index
  scf.parallel (%n) = (%c0) to (%c2) step (%c1) {
    scf.for %k = %c0 to %c5 step %c1 {
      scf.parallel (%c) = (%c0) to (%c3) step (%c1) {
        %v = memref.load %in[%n, %k, %c] : memref<2x5x3xf32>
        %acc = memref.load %out[%n, %c] : memref<2x3xf32>
        %s = arith.addf %v, %acc : f32
        memref.store %s, %out[%n, %c] : memref<2x3xf32>
        scf.reduce
      }
    }
    scf.reduce
  }
  return
}

// -----

// Sequential loops alone are host code: nothing to map.
// CHECK-LABEL: func.func @no_parallel_loop(
// CHECK-NOT: scf.parallel
// CHECK-NOT: mapping
// CHECK: scf.for
func.func @no_parallel_loop(%a: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %cst = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %cst, %a[%i] : memref<4xf32>
  }
  return
}
