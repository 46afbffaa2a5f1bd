// The bundled model is reproducible from its generator, and the graph
// pipeline folds all of its batch norms into the convolutions.
//
// RUN: /usr/bin/python3 %kiln_src_root/examples/models/gen_small_cnn.py > %t.mlir
// RUN: diff %t.mlir %kiln_src_root/examples/models/small_cnn.mlir
// RUN: kiln-opt %kiln_src_root/examples/models/small_cnn.mlir --kiln-graph-pipeline | FileCheck %s

// CHECK-LABEL: func.func @forward
// CHECK-SAME: (%[[X:[a-zA-Z0-9]+]]: tensor<?x3x32x32xf32>) -> tensor<?x10xf32>
// CHECK-NOT: kiln.batch_norm
// CHECK: %[[C1:.+]] = kiln.conv2d %[[X]], %{{.*}}, %{{.*}} {pads = array<i64: 1, 1, 1, 1>}
// CHECK: %[[R1:.+]] = kiln.relu %[[C1]]
// CHECK: %[[C2:.+]] = kiln.conv2d %[[R1]], %{{.*}}, %{{.*}} {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
// CHECK: %[[R2:.+]] = kiln.relu %[[C2]]
// CHECK: %[[C3:.+]] = kiln.conv2d %[[R2]], %{{.*}}, %{{.*}} {groups = 32 : i64
// CHECK: kiln.clamp %[[C3]]
// CHECK-NOT: kiln.batch_norm
// CHECK: return
