// The bundled model is reproducible from its generator, and the graph
// pipeline folds all of its batch norms into the convolutions.
//
// RUN: /usr/bin/python3 %kiln_src_root/examples/models/gen_small_cnn.py > %t.mlir
// RUN: diff %t.mlir %kiln_src_root/examples/models/small_cnn.mlir
// RUN: kiln-opt %kiln_src_root/examples/models/small_cnn.mlir --kiln-graph-pipeline="layout=nhwc" | FileCheck %s

// CHECK-LABEL: func.func @forward
// CHECK-SAME: (%[[X:[a-zA-Z0-9]+]]: tensor<?x3x32x32xf32>) -> tensor<?x10xf32>
// CHECK-NOT: kiln.batch_norm
// With layout=nhwc (auto would keep NCHW for so few channels):
// one transpose where the graph takes its input, none in between; the
// filters were re-laid out at compile time.
// CHECK: %[[T:.+]] = kiln.transpose %[[X]] [0, 2, 3, 1]
// CHECK: %[[C1:.+]] = kiln.conv2d %[[T]], %{{.*}}, %{{.*}} {layout = #kiln.layout<nhwc>, pads = array<i64: 1, 1, 1, 1>}
// CHECK: %[[R1:.+]] = kiln.relu %[[C1]]
// CHECK: %[[C2:.+]] = kiln.conv2d %[[R1]], %{{.*}}, %{{.*}} {layout = #kiln.layout<nhwc>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
// CHECK: %[[R2:.+]] = kiln.relu %[[C2]]
// CHECK: %[[C3:.+]] = kiln.conv2d %[[R2]], %{{.*}}, %{{.*}} {groups = 32 : i64, layout = #kiln.layout<nhwc>
// CHECK: %[[CL:.+]] = kiln.clamp %[[C3]]
// CHECK: %[[P:.+]] = kiln.pool2d max %[[CL]] {{.*}}layout = #kiln.layout<nhwc>
// CHECK: %[[G:.+]] = kiln.global_avg_pool %[[P]] {layout = #kiln.layout<nhwc>}
// CHECK: %[[F:.+]] = kiln.reshape %[[G]] [0, -1] : (tensor<?x1x1x32xf32>) -> tensor<?x32xf32>
// CHECK: kiln.linear %[[F]]
// CHECK-NOT: kiln.batch_norm
// CHECK-NOT: kiln.transpose
// CHECK: return
