// RUN: kiln-opt %s --split-input-file --kiln-plan-buffers --allow-unregistered-dialect | FileCheck %s
// RUN: kiln-opt %s --split-input-file --kiln-plan-buffers="alignment=256" --allow-unregistered-dialect | FileCheck %s --check-prefix=ALIGN

// Deallocation frees at the end of the block; a buffer is dead after its
// last use, so %b reuses %a's bytes while %c, alive with %b, does not.
// CHECK-LABEL: func.func @reuse
// CHECK-SAME: (%[[X:.+]]: memref<1024xf32>)
// CHECK: %[[WS:.+]] = memref.alloc() {alignment = 64 : i64, kiln.workspace} : memref<5120xi8>
// CHECK: %[[OA:.+]] = arith.constant 0 : index
// CHECK: %[[A:.+]] = memref.view %[[WS]][%[[OA]]][] : memref<5120xi8> to memref<1024xf32>
// CHECK: memref.copy %[[X]], %[[A]]
// CHECK: %[[OB:.+]] = arith.constant 0 : index
// CHECK: %[[B:.+]] = memref.view %[[WS]][%[[OB]]][] : memref<5120xi8> to memref<1024xf32>
// CHECK: %[[OC:.+]] = arith.constant 4096 : index
// CHECK: %[[C:.+]] = memref.view %[[WS]][%[[OC]]][] : memref<5120xi8> to memref<256xi32>
// CHECK: memref.copy %[[B]], %[[X]]
// CHECK-NOT: memref.dealloc %[[A]]
// CHECK: memref.dealloc %[[WS]] : memref<5120xi8>
// CHECK-NEXT: return
// ALIGN-LABEL: func.func @reuse
// ALIGN: memref.alloc() {alignment = 256 : i64, kiln.workspace} : memref<5120xi8>
func.func @reuse(%x: memref<1024xf32>) {
  %a = memref.alloc() : memref<1024xf32>
  memref.copy %x, %a : memref<1024xf32> to memref<1024xf32>
  %b = memref.alloc() : memref<1024xf32>
  %c = memref.alloc() : memref<256xi32>
  "test.use"(%b, %c) : (memref<1024xf32>, memref<256xi32>) -> ()
  memref.copy %b, %x : memref<1024xf32> to memref<1024xf32>
  memref.dealloc %a : memref<1024xf32>
  memref.dealloc %b : memref<1024xf32>
  memref.dealloc %c : memref<256xi32>
  return
}

// -----

// A use through an alias, inside a loop, keeps the buffer alive: %b may
// not take %a's bytes. Offsets are aligned (100 bytes -> 128).
// CHECK-LABEL: func.func @alias_in_loop
// CHECK: %[[WS:.+]] = memref.alloc() {alignment = 64 : i64, kiln.workspace} : memref<256xi8>
// CHECK: memref.view %[[WS]][%{{.+}}][] : memref<256xi8> to memref<25xf32>
// CHECK: %[[OB:.+]] = arith.constant 128 : index
// CHECK: memref.view %[[WS]][%[[OB]]][] : memref<256xi8> to memref<25xf32>
func.func @alias_in_loop(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %a = memref.alloc() : memref<25xf32>
  %s = memref.subview %a[0] [5] [1] : memref<25xf32> to memref<5xf32, strided<[1]>>
  %b = memref.alloc() : memref<25xf32>
  "test.use"(%b) : (memref<25xf32>) -> ()
  scf.for %i = %c0 to %n step %c1 {
    "test.use"(%s) : (memref<5xf32, strided<[1]>>) -> ()
  }
  memref.dealloc %a : memref<25xf32>
  memref.dealloc %b : memref<25xf32>
  return
}

// -----

// A buffer yielded out of a region lives as long as the region's result.
// CHECK-LABEL: func.func @yielded
// CHECK: memref.alloc() {alignment = 64 : i64, kiln.workspace} : memref<128xi8>
// CHECK: %[[OB:.+]] = arith.constant 64 : index
func.func @yielded(%cond: i1) {
  %a = memref.alloc() : memref<16xf32>
  %r = scf.if %cond -> memref<16xf32> {
    scf.yield %a : memref<16xf32>
  } else {
    scf.yield %a : memref<16xf32>
  }
  %b = memref.alloc() : memref<16xf32>
  "test.use"(%r, %b) : (memref<16xf32>, memref<16xf32>) -> ()
  memref.dealloc %a : memref<16xf32>
  memref.dealloc %b : memref<16xf32>
  return
}

// -----

// Not planned: a returned buffer, a dynamic shape, a buffer allocated in a
// loop, one without a dealloc of its own value, one with an alignment above
// the workspace's, and i1 elements (no byte size).
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: kiln.workspace
// CHECK-NOT: memref.view
// CHECK: return
func.func @left_alone(%n: index) -> memref<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %ret = memref.alloc() : memref<8xf32>
  %dyn = memref.alloc(%n) : memref<?xf32>
  memref.dealloc %dyn : memref<?xf32>
  scf.for %i = %c0 to %n step %c1 {
    %in = memref.alloc() : memref<8xf32>
    "test.use"(%in) : (memref<8xf32>) -> ()
    memref.dealloc %in : memref<8xf32>
  }
  %aliased = memref.alloc() : memref<8xf32>
  %cast = memref.cast %aliased : memref<8xf32> to memref<?xf32>
  memref.dealloc %cast : memref<?xf32>
  %big = memref.alloc() {alignment = 128 : i64} : memref<8xf32>
  memref.dealloc %big : memref<8xf32>
  %bits = memref.alloc() : memref<8xi1>
  memref.dealloc %bits : memref<8xi1>
  return %ret : memref<8xf32>
}

// -----

// Not planned: a function with several blocks.
// CHECK-LABEL: func.func @blocks
// CHECK-NOT: kiln.workspace
func.func @blocks(%cond: i1) {
  %a = memref.alloc() : memref<8xf32>
  cf.cond_br %cond, ^bb1, ^bb2
^bb1:
  memref.dealloc %a : memref<8xf32>
  return
^bb2:
  memref.dealloc %a : memref<8xf32>
  return
}
