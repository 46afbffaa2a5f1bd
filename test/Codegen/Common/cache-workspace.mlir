// RUN: kiln-opt %s --kiln-cache-workspace | FileCheck %s

// The workspace comes from the function's slot, goes back before the
// return, and the module frees what the slots hold when it is unloaded.
// CHECK-LABEL: func.func @forward
// CHECK: %[[SLOT:.+]] = llvm.mlir.addressof @__kiln_workspace_forward : !llvm.ptr
// CHECK: %[[SIZE:.+]] = llvm.mlir.constant(4096 : i64) : i64
// CHECK: %[[ALIGN:.+]] = llvm.mlir.constant(64 : i64) : i64
// CHECK: %[[P:.+]] = llvm.call @__kiln_workspace_acquire(%[[SLOT]], %[[SIZE]], %[[ALIGN]])
// CHECK: %[[WS:.+]] = builtin.unrealized_conversion_cast %{{.+}} : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)> to memref<4096xi8>
// CHECK: memref.view %[[WS]]
// CHECK-NOT: memref.dealloc
// CHECK: %[[SLOT2:.+]] = llvm.mlir.addressof @__kiln_workspace_forward : !llvm.ptr
// CHECK: llvm.call @__kiln_workspace_release(%[[SLOT2]], %[[P]])
// CHECK-NEXT: return
func.func @forward(%x: memref<1024xf32>) {
  %c0 = arith.constant 0 : index
  %ws = memref.alloc() {alignment = 64 : i64, kiln.workspace} : memref<4096xi8>
  %a = memref.view %ws[%c0][] : memref<4096xi8> to memref<1024xf32>
  memref.copy %x, %a : memref<1024xf32> to memref<1024xf32>
  memref.dealloc %ws : memref<4096xi8>
  return
}

// Each function has its own slot.
// CHECK-LABEL: func.func @other
// CHECK: llvm.mlir.addressof @__kiln_workspace_other
func.func @other() {
  %ws = memref.alloc() {alignment = 64 : i64, kiln.workspace} : memref<64xi8>
  memref.dealloc %ws : memref<64xi8>
  return
}

// An allocation without the marker is left to the LLVM conversion.
// CHECK-LABEL: func.func @plain
// CHECK: memref.alloc() : memref<64xi8>
func.func @plain() {
  %a = memref.alloc() : memref<64xi8>
  memref.dealloc %a : memref<64xi8>
  return
}

// Acquire: take the slot's block, else aligned_alloc.
// CHECK-LABEL: llvm.func internal @__kiln_workspace_acquire
// CHECK-SAME: (%[[S:.+]]: !llvm.ptr, %[[N:.+]]: i64, %[[A:.+]]: i64) -> !llvm.ptr
// CHECK: %[[NULL:.+]] = llvm.mlir.zero : !llvm.ptr
// CHECK: %[[OLD:.+]] = llvm.atomicrmw xchg %[[S]], %[[NULL]] acq_rel
// CHECK: %[[EMPTY:.+]] = llvm.icmp "eq" %[[OLD]], %[[NULL]]
// CHECK: llvm.cond_br %[[EMPTY]], ^[[ALLOC:.+]], ^[[DONE:.+]](%[[OLD]] : !llvm.ptr)
// CHECK: ^[[ALLOC]]:
// CHECK: llvm.call @aligned_alloc(%[[A]], %[[N]])

// Release: put the block back into an empty slot, else free it.
// CHECK-LABEL: llvm.func internal @__kiln_workspace_release
// CHECK: llvm.cmpxchg %{{.+}}, %{{.+}}, %{{.+}} acq_rel monotonic
// CHECK: llvm.call @free

// CHECK: llvm.mlir.global internal @__kiln_workspace_forward()
// CHECK: llvm.mlir.global internal @__kiln_workspace_other()
// CHECK-LABEL: llvm.func internal @__kiln_workspace_free_all
// CHECK: llvm.mlir.global_dtors dtors = [@__kiln_workspace_free_all]
