// RUN: kiln-opt %s --kiln-results-in-caller-buffers --split-input-file | FileCheck %s

// A returned allocation is computed in the caller's buffer when it fits.
// CHECK-LABEL: func.func @static(
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: memref<4x8xf32>,
// CHECK-SAME: %[[OUT:[a-zA-Z0-9]+]]: memref<?xi8> {kiln.result_buffer = 0 : i64})
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[BYTES:.+]] = arith.constant 128 : index
// CHECK: %[[CAP:.+]] = memref.dim %[[OUT]], %[[C0]]
// CHECK: %[[FITS:.+]] = arith.cmpi uge, %[[CAP]], %[[BYTES]]
// CHECK: %[[R:.+]] = scf.if %[[FITS]] -> (memref<4x8xf32>) {
// CHECK-NEXT: %[[V:.+]] = memref.view %[[OUT]][%[[C0]]][] : memref<?xi8> to memref<4x8xf32>
// CHECK-NEXT: scf.yield %[[V]]
// CHECK-NEXT: } else {
// CHECK-NEXT: %[[A:.+]] = memref.alloc() {alignment = 64 : i64} : memref<4x8xf32>
// CHECK-NEXT: scf.yield %[[A]]
// CHECK: memref.copy %[[X]], %[[R]]
// CHECK: return %[[R]]
func.func @static(%x: memref<4x8xf32>) -> memref<4x8xf32> {
  %a = memref.alloc() {alignment = 64 : i64} : memref<4x8xf32>
  memref.copy %x, %a : memref<4x8xf32> to memref<4x8xf32>
  return %a : memref<4x8xf32>
}

// -----

// Dynamic sizes, through a reshape; an empty result never uses the buffer.
// CHECK-LABEL: func.func @dynamic(
// CHECK-SAME: %[[N:[a-zA-Z0-9]+]]: index,
// CHECK-SAME: %[[OUT:[a-zA-Z0-9]+]]: memref<?xi8> {kiln.result_buffer = 0 : i64})
// CHECK: %[[ROW:.+]] = arith.constant 12 : index
// CHECK: %[[BYTES:.+]] = arith.muli %[[ROW]], %[[N]]
// CHECK: %[[C0:.+]] = arith.constant 0 : index
// CHECK: %[[CAP:.+]] = memref.dim %[[OUT]], %[[C0]]
// CHECK: %[[ENOUGH:.+]] = arith.cmpi uge, %[[CAP]], %[[BYTES]]
// CHECK: %[[NONEMPTY:.+]] = arith.cmpi ugt, %[[BYTES]], %[[C0]]
// CHECK: %[[FITS:.+]] = arith.andi %[[NONEMPTY]], %[[ENOUGH]]
// CHECK: %[[R:.+]] = scf.if %[[FITS]] -> (memref<?x6xi16>) {
// CHECK: memref.view %[[OUT]][%{{.+}}][%[[N]]] : memref<?xi8> to memref<?x6xi16>
// CHECK: } else {
// CHECK: memref.alloc(%[[N]])
// CHECK: %[[FLAT:.+]] = memref.collapse_shape %[[R]]
// CHECK: return %[[FLAT]]
func.func @dynamic(%n: index) -> memref<?xi16> {
  %a = memref.alloc(%n) : memref<?x6xi16>
  %flat = memref.collapse_shape %a [[0, 1]] : memref<?x6xi16> into memref<?xi16>
  return %flat : memref<?xi16>
}

// -----

// The failure paths of kiln-runtime-checks free only an allocation.
// CHECK-LABEL: func.func @failure_path(
// CHECK: %[[FITS:.+]] = arith.andi
// CHECK: %[[R:.+]] = scf.if %[[FITS]]
// CHECK: cf.cond_br %{{.+}}, ^[[OK:.+]], ^[[FAIL:.+]]
// CHECK: ^[[FAIL]]:
// CHECK: %[[TRUE:.+]] = arith.constant true
// CHECK: %[[OWNED:.+]] = arith.xori %[[FITS]], %[[TRUE]]
// CHECK: scf.if %[[OWNED]] {
// CHECK-NEXT: memref.dealloc %[[R]]
// CHECK: return %{{.+}}, %{{.+}} : memref<?xf32>, !llvm.ptr
func.func @failure_path(%n: index, %ok: i1) -> (memref<?xf32>, !llvm.ptr) {
  %a = memref.alloc(%n) : memref<?xf32>
  cf.cond_br %ok, ^bb1, ^bb2
^bb1:
  %null = llvm.mlir.zero : !llvm.ptr
  return %a, %null : memref<?xf32>, !llvm.ptr
^bb2:
  memref.dealloc %a : memref<?xf32>
  %p = ub.poison : memref<?xf32>
  %msg = llvm.mlir.zero : !llvm.ptr
  return %p, %msg : memref<?xf32>, !llvm.ptr
}

// -----

// Not rewritten: a result that is not an allocation of the function (a
// view with strides, an argument), an element type without a fixed size,
// an empty result, and private functions. Public ones still get their
// argument.
// CHECK-LABEL: func.func @strided(
// CHECK-SAME: %{{.+}}: memref<?xi8> {kiln.result_buffer = 0 : i64})
// CHECK-NOT: scf.if
// CHECK: return
func.func @strided(%x: memref<8x8xf32>) -> memref<4x4xf32, strided<[8, 1]>> {
  %v = memref.subview %x[0, 0] [4, 4] [1, 1] : memref<8x8xf32> to memref<4x4xf32, strided<[8, 1]>>
  return %v : memref<4x4xf32, strided<[8, 1]>>
}
// CHECK-LABEL: func.func @argument(
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: memref<3xf32>, %{{.+}}: memref<?xi8> {kiln.result_buffer = 0 : i64})
// CHECK-NEXT: return %[[X]]
func.func @argument(%x: memref<3xf32>) -> memref<3xf32> {
  return %x : memref<3xf32>
}
// CHECK-LABEL: func.func @index_elements(
// CHECK-NOT: scf.if
// CHECK: memref.alloc
func.func @index_elements(%n: index) -> memref<?xindex> {
  %a = memref.alloc(%n) : memref<?xindex>
  return %a : memref<?xindex>
}
// CHECK-LABEL: func.func @empty(
// CHECK-NOT: scf.if
// CHECK: memref.alloc() : memref<0x4xf32>
func.func @empty() -> memref<0x4xf32> {
  %a = memref.alloc() : memref<0x4xf32>
  return %a : memref<0x4xf32>
}
// CHECK-LABEL: func.func private @helper(
// CHECK-SAME: %{{.+}}: index) -> memref<?xf32>
// CHECK-NOT: scf.if
func.func private @helper(%n: index) -> memref<?xf32> {
  %a = memref.alloc(%n) : memref<?xf32>
  return %a : memref<?xf32>
}
