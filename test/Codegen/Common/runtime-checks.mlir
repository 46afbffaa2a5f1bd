// RUN: kiln-opt %s --kiln-runtime-checks --split-input-file | FileCheck %s

// Every check of a public function is a branch to a return of the status
// message; buffers allocated before a failing check are freed there.
// CHECK-DAG: llvm.mlir.global internal constant @[[ASSERT:__kiln_check_[0-9]+]]("checks: {{.*}}:[[@LINE+53]]:3: bad input\00")
// CHECK-DAG: llvm.mlir.global internal constant @[[NULL_DYN:__kiln_check_[0-9]+]]("checks: out of memory allocating a buffer of type memref<?x4xf32> (for {{.*}}:[[@LINE+51]]:8)\00")
// CHECK-DAG: llvm.mlir.global internal constant @[[SIZE:__kiln_check_[0-9]+]]("checks: a buffer of type memref<?x4xf32> (for {{.*}}) has a negative size or more bytes than fit in 64 bits; an input dim is too large\00")
// CHECK-DAG: llvm.mlir.global internal constant @[[NULL_STATIC:__kiln_check_[0-9]+]]("checks: out of memory allocating a buffer of type memref<16xf32> (for {{.*}})\00")
// CHECK-LABEL: func.func @checks(
// CHECK-SAME: %[[N:.+]]: index, %[[OK:.+]]: i1) -> (memref<?x4xf32>, !llvm.ptr)
// CHECK: %[[A:.+]] = memref.alloc() : memref<16xf32>
// CHECK: %[[PA:.+]] = memref.extract_aligned_pointer_as_index %[[A]]
// CHECK: %[[ANULL:.+]] = arith.cmpi ne, %[[PA]], %{{.+}} : index
// CHECK: cf.cond_br %[[ANULL]], ^[[B1:.+]], ^[[F0:[a-z0-9]+]]
// CHECK: ^[[B1]]:
// CHECK-DAG: %[[C16:.+]] = arith.constant 16 : i64
// CHECK-DAG: %[[NI:.+]] = arith.index_cast %[[N]] : index to i64
// CHECK: %[[NONNEG:.+]] = arith.cmpi sge, %[[NI]]
// CHECK: %[[LOW:.+]], %[[HIGH:.+]] = arith.mului_extended %[[C16]], %[[NI]] : i64
// CHECK: %[[NOCARRY:.+]] = arith.cmpi eq, %[[HIGH]]
// CHECK: %[[FITS:.+]] = arith.cmpi sge, %[[LOW]]
// CHECK: %[[SIZEOK:.+]] = arith.andi %{{.+}}, %[[FITS]] : i1
// CHECK: cf.cond_br %[[SIZEOK]], ^[[B2:.+]], ^[[F1:[a-z0-9]+]]
// CHECK: ^[[B2]]:
// CHECK: %[[B:.+]] = memref.alloc(%[[N]]) {alignment = 64 : i64} : memref<?x4xf32>
// CHECK: %[[PB:.+]] = memref.extract_aligned_pointer_as_index %[[B]]
// CHECK: %[[BNULL:.+]] = arith.cmpi ne, %[[PB]]
// CHECK: %[[EMPTY:.+]] = arith.cmpi eq, %[[LOW]]
// CHECK: %[[BOK:.+]] = arith.ori %[[BNULL]], %[[EMPTY]] : i1
// CHECK: cf.cond_br %[[BOK]], ^[[B3:.+]], ^[[F2:[a-z0-9]+]]
// CHECK: ^[[B3]]:
// CHECK-NEXT: cf.cond_br %[[OK]], ^[[B4:.+]], ^[[F3:[a-z0-9]+]]
// CHECK: ^[[B4]]:
// CHECK-NEXT: memref.dealloc %[[A]]
// CHECK-NEXT: %[[NULLPTR:.+]] = llvm.mlir.zero : !llvm.ptr
// CHECK-NEXT: return %[[B]], %[[NULLPTR]] : memref<?x4xf32>, !llvm.ptr
// CHECK: ^[[F0]]:
// CHECK-NEXT: %[[P0:.+]] = ub.poison : memref<?x4xf32>
// CHECK-NEXT: %[[M0:.+]] = llvm.mlir.addressof @[[NULL_STATIC]]
// CHECK-NEXT: %[[G0:.+]] = llvm.getelementptr %[[M0]][0, 0]
// CHECK-NEXT: return %[[P0]], %[[G0]]
// CHECK: ^[[F1]]:
// CHECK-NEXT: memref.dealloc %[[A]]
// CHECK-NEXT: ub.poison
// CHECK-NEXT: llvm.mlir.addressof @[[SIZE]]
// CHECK: ^[[F2]]:
// CHECK-NEXT: memref.dealloc %[[A]]
// CHECK-NEXT: ub.poison
// CHECK-NEXT: llvm.mlir.addressof @[[NULL_DYN]]
// CHECK: ^[[F3]]:
// CHECK-NEXT: memref.dealloc %[[A]]
// CHECK-NEXT: memref.dealloc %[[B]]
// CHECK-NEXT: ub.poison
// CHECK-NEXT: llvm.mlir.addressof @[[ASSERT]]
func.func @checks(%n: index, %ok: i1) -> memref<?x4xf32> {
  %a = memref.alloc() : memref<16xf32>
  %b = memref.alloc(%n) {alignment = 64 : i64} : memref<?x4xf32>
  cf.assert %ok, "bad input"
  memref.dealloc %a : memref<16xf32>
  return %b : memref<?x4xf32>
}

// -----

// Private functions are not entry points: no status, no checks.
// CHECK-LABEL: func.func private @helper(
// CHECK-SAME: -> memref<?xf32> {
// CHECK-NEXT: memref.alloc
// CHECK-NEXT: return
func.func private @helper(%n: index) -> memref<?xf32> {
  %b = memref.alloc(%n) : memref<?xf32>
  return %b : memref<?xf32>
}

// -----

// Nested allocations and asserts are left alone, as is an empty buffer;
// a function without results returns only the status.
// CHECK-LABEL: func.func @nested(
// CHECK-SAME: -> !llvm.ptr {
// CHECK-NOT: cf.cond_br
// CHECK: memref.alloc() : memref<0xf32>
// CHECK-NEXT: scf.for
// CHECK-NEXT: memref.alloc
// CHECK-NEXT: cf.assert %{{.+}}, "nested"
// CHECK: %[[Z:.+]] = llvm.mlir.zero : !llvm.ptr
// CHECK-NEXT: return %[[Z]] : !llvm.ptr
func.func @nested(%n: index, %ok: i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %e = memref.alloc() : memref<0xf32>
  scf.for %i = %c0 to %n step %c1 {
    %t = memref.alloc(%n) : memref<?xf32>
    cf.assert %ok, "nested"
    memref.dealloc %t : memref<?xf32>
  }
  memref.dealloc %e : memref<0xf32>
  return
}

// -----

// A buffer freed inside a loop may or may not be live at a later check: it
// is not freed on the failure path (a leak there beats a double free).
// CHECK-LABEL: func.func @freed_in_loop(
// CHECK: %[[T:.+]] = memref.alloc() : memref<8xf32>
// CHECK: cf.cond_br %{{.+}}, ^[[OK:.+]], ^[[FAIL:[a-z0-9]+]]
// CHECK: ^[[OK]]:
// CHECK-NEXT: scf.if
// CHECK: cf.cond_br %{{.+}}, ^{{.+}}, ^[[FAIL2:[a-z0-9]+]]
// CHECK: ^[[FAIL2]]:
// CHECK-NOT: memref.dealloc
// CHECK: llvm.mlir.addressof
func.func @freed_in_loop(%c: i1, %ok: i1) {
  %t = memref.alloc() : memref<8xf32>
  scf.if %c {
    memref.dealloc %t : memref<8xf32>
  }
  cf.assert %ok, "after"
  return
}
