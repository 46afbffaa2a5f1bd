// RUN: kiln-opt %s --split-input-file --kiln-cpu-schedule-threads | FileCheck %s
// RUN: kiln-opt %s --split-input-file --kiln-cpu-schedule-threads="schedule=static" | FileCheck %s --check-prefix=STATIC

// The threads' loop hands out iterations as threads ask, and needs no
// barrier of its own before the end of its parallel region.
// CHECK-LABEL: func.func @last_in_region
// CHECK: omp.parallel
// CHECK: omp.wsloop nowait schedule(dynamic)
// STATIC-LABEL: func.func @last_in_region
// STATIC: omp.wsloop nowait schedule(static)
func.func @last_in_region(%n: index, %m: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %f = arith.constant 1.0 : f32
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%n) step (%c1) {
        memref.store %f, %m[%i] : memref<?xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  return
}

// -----

// Must not fire: a loop followed by more work in its region keeps its
// barrier, and a schedule chosen before is kept.
// CHECK-LABEL: func.func @not_last
// CHECK: omp.wsloop schedule(dynamic) {
// CHECK: omp.wsloop nowait schedule(guided)
func.func @not_last(%n: index, %m: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %f = arith.constant 1.0 : f32
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%n) step (%c1) {
        memref.store %f, %m[%i] : memref<?xf32>
        omp.yield
      }
    }
    omp.wsloop schedule(guided) {
      omp.loop_nest (%i) : index = (%c0) to (%n) step (%c1) {
        memref.store %f, %m[%i] : memref<?xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  return
}
