// RUN: kiln-opt %s --split-input-file --kiln-gpu-pack-launch-arguments --canonicalize --cse | FileCheck %s

// A strided view, a static buffer, an index and a float: the launch passes
// the descriptor [K = 7, n = 2, bytes of each buffer, the view's dynamic
// stride, the index, the float's bits] and two flat buffers; the kernel
// reads its stride and scalars from the descriptor and indexes the flat
// buffers (the static offset 1 and unit strides stay constants).
// CHECK-LABEL: func.func @mixed(
// CHECK-SAME: %[[A:[a-z0-9]+]]: memref<4x?xf32>, %[[B:[a-z0-9]+]]: memref<6xi8>, %[[N:[a-z0-9]+]]: index, %[[S:[a-z0-9]+]]: f32
// CHECK-DAG: %[[C7:.+]] = arith.constant 7 : i64
// CHECK-DAG: %[[C2W:.+]] = arith.constant 2 : i64
// CHECK-DAG: %[[C6B:.+]] = arith.constant 6 : i64
// CHECK: %[[D:.+]] = memref.alloca() : memref<7xi64>
// CHECK: %[[VIEW:.+]] = memref.subview %[[A]]
// CHECK: memref.store %[[C7]], %[[D]][%{{.+}}] : memref<7xi64>
// CHECK: memref.store %[[C2W]], %[[D]][%{{.+}}] : memref<7xi64>
// CHECK: %{{.+}}, %{{.+}}, %{{.+}}:2, %[[STRIDES:.+]]:2 = memref.extract_strided_metadata %[[VIEW]]
// CHECK: %[[STRIDE:.+]] = arith.index_cast %[[STRIDES]]#0 : index to i64
// CHECK: memref.store %[[STRIDE]], %[[D]][%{{.+}}]
// CHECK: %[[SPAN:.+]] = arith.addi
// CHECK: %[[BYTES:.+]] = arith.muli %[[SPAN]], %{{.+}} : index
// CHECK: %[[BYTES64:.+]] = arith.index_cast %[[BYTES]] : index to i64
// CHECK: memref.store %[[BYTES64]], %[[D]][%{{.+}}]
// CHECK: %[[FLATA:.+]] = memref.reinterpret_cast %[[VIEW]] to offset: [0], sizes: [%[[SPAN]]], strides: [1] : {{.+}} to memref<?xf32>
// CHECK: memref.store %[[C6B]], %[[D]][%{{.+}}]
// CHECK: %[[FLATB:.+]] = memref.cast %[[B]] : memref<6xi8> to memref<?xi8>
// CHECK: %[[N64:.+]] = arith.index_cast %[[N]] : index to i64
// CHECK: memref.store %[[N64]], %[[D]]
// CHECK: %[[SBITS:.+]] = arith.bitcast %[[S]] : f32 to i32
// CHECK: %[[S64:.+]] = arith.extui %[[SBITS]] : i32 to i64
// CHECK: memref.store %[[S64]], %[[D]]
// CHECK: gpu.launch_func @kiln_kernels::@k blocks in ({{.+}}) threads in ({{.+}}) args(%[[D]] : memref<7xi64>, %[[FLATA]] : memref<?xf32>, %[[FLATB]] : memref<?xi8>)
// CHECK: gpu.func @k(%[[KD:.+]]: memref<7xi64>, %[[KA:.+]]: memref<?xf32>, %[[KB:.+]]: memref<?xi8>) kernel
// CHECK-DAG: %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG: %[[C4:.+]] = arith.constant 4 : index
// CHECK-DAG: %[[C5:.+]] = arith.constant 5 : index
// CHECK-DAG: %[[C6:.+]] = arith.constant 6 : index
// CHECK: %[[SW:.+]] = memref.load %[[KD]][%[[C6]]] : memref<7xi64>
// CHECK: %[[ST:.+]] = arith.trunci %[[SW]] : i64 to i32
// CHECK: %[[SF:.+]] = arith.bitcast %[[ST]] : i32 to f32
// CHECK: %[[NW:.+]] = memref.load %[[KD]][%[[C5]]] : memref<7xi64>
// CHECK: %[[NI:.+]] = arith.index_cast %[[NW]] : i64 to index
// CHECK: %[[RW:.+]] = memref.load %[[KD]][%[[C4]]] : memref<7xi64>
// CHECK: %[[ROW:.+]] = arith.index_cast %[[RW]] : i64 to index
// CHECK: %[[OFF:.+]] = arith.muli %[[NI]], %[[ROW]] : index
// CHECK: %[[IDX:.+]] = arith.addi %[[OFF]], %[[C2]] : index
// CHECK: %[[X:.+]] = memref.load %[[KA]][%[[IDX]]] : memref<?xf32>
// CHECK: arith.addf %[[X]], %[[SF]] : f32
// CHECK: memref.store {{.+}}, %[[KB]][%{{.+}}] : memref<?xi8>
module attributes {gpu.container_module} {
  func.func @mixed(%a: memref<4x?xf32>, %b: memref<6xi8>, %n: index, %s: f32) {
    %c1 = arith.constant 1 : index
    %view = memref.subview %a[0, 1] [4, 2] [1, 1] : memref<4x?xf32> to memref<4x2xf32, strided<[?, 1], offset: 1>>
    gpu.launch_func @kiln_kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%view : memref<4x2xf32, strided<[?, 1], offset: 1>>, %b : memref<6xi8>, %n : index, %s : f32)
    return
  }
  gpu.module @kiln_kernels {
    gpu.func @k(%v: memref<4x2xf32, strided<[?, 1], offset: 1>>, %b: memref<6xi8>, %n: index, %s: f32) kernel {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %x = memref.load %v[%n, %c1] : memref<4x2xf32, strided<[?, 1], offset: 1>>
      %y = arith.addf %x, %s : f32
      memref.store %y, %v[%c0, %c0] : memref<4x2xf32, strided<[?, 1], offset: 1>>
      %d = memref.dim %b, %c0 : memref<6xi8>
      %i = arith.index_cast %d : index to i8
      memref.store %i, %b[%c1] : memref<6xi8>
      gpu.return
    }
  }
}

// -----

// Two launches of one kernel fill the descriptor each; two kernels of
// different sizes share one descriptor buffer, the smaller seeing a prefix.
// A buffer the kernel does not write has bit 62 of its size word set
// (32 bytes: 0x4000000000000020), so runtimes copy nothing back.
// CHECK-LABEL: func.func @shared_descriptor(
// CHECK-DAG: %[[RO32:.+]] = arith.constant 4611686018427387936 : i64
// CHECK: %[[D:.+]] = memref.alloca() : memref<4xi64>
// CHECK: %[[BYTES:.+]] = arith.muli %{{.+}}, %{{.+}} : index
// CHECK: %[[BYTES64:.+]] = arith.index_cast %[[BYTES]] : index to i64
// CHECK: memref.store %[[BYTES64]], %[[D]]
// CHECK: gpu.launch_func @kiln_kernels::@one {{.+}} args(%[[D]] : memref<4xi64>, %{{.+}} : memref<?xf32>)
// CHECK: %[[PREFIX:.+]] = memref.reinterpret_cast %[[D]] to offset: [0], sizes: [3], strides: [1] : memref<4xi64> to memref<3xi64>
// CHECK: memref.store %[[RO32]], %[[PREFIX]]
// CHECK: gpu.launch_func @kiln_kernels::@two {{.+}} args(%[[PREFIX]] : memref<3xi64>, %{{.+}} : memref<?xf32>)
// CHECK: gpu.launch_func @kiln_kernels::@one {{.+}} args(%[[D]] : memref<4xi64>, %{{.+}} : memref<?xf32>)
// CHECK: gpu.func @one(%{{.+}}: memref<4xi64>, %{{.+}}: memref<?xf32>) kernel
// CHECK: gpu.func @two(%{{.+}}: memref<3xi64>, %{{.+}}: memref<?xf32>) kernel
module attributes {gpu.container_module} {
  func.func @shared_descriptor(%a: memref<?xf32>, %b: memref<8xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @kiln_kernels::@one blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<?xf32>)
    gpu.launch_func @kiln_kernels::@two blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%b : memref<8xf32>)
    gpu.launch_func @kiln_kernels::@one blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<?xf32>)
    return
  }
  gpu.module @kiln_kernels {
    gpu.func @one(%a: memref<?xf32>) kernel {
      %c0 = arith.constant 0 : index
      %d = memref.dim %a, %c0 : memref<?xf32>
      %f = arith.index_cast %d : index to i32
      %x = arith.sitofp %f : i32 to f32
      memref.store %x, %a[%c0] : memref<?xf32>
      gpu.return
    }
    gpu.func @two(%b: memref<8xf32>) kernel {
      gpu.return
    }
  }
}
