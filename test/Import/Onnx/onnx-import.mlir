// RUN: %python %S/Inputs/make_onnx.py cnn %t.cnn.onnx
// RUN: kiln-import %t.cnn.onnx | FileCheck %s --check-prefix=CNN
// RUN: kiln-compile %t.cnn.onnx --emit=kiln | FileCheck %s --check-prefix=CNN-OPT
// RUN: %python %S/Inputs/make_onnx.py shape_arith %t.shape.onnx
// RUN: kiln-import %t.shape.onnx --entry=flatten | FileCheck %s --check-prefix=SHAPE
// RUN: kiln-run %t.shape.onnx --input-shape 3x4x5 | FileCheck %s --check-prefix=JIT
// RUN: %python %S/Inputs/make_onnx.py runtime_shapes %t.rts.onnx
// RUN: kiln-import %t.rts.onnx | FileCheck %s --check-prefix=RTS
// RUN: kiln-run %t.rts.onnx --input-shape 2x3x8 | FileCheck %s --check-prefix=RTS-JIT
// RUN: %python %S/Inputs/make_onnx.py recurrent %t.rec.onnx
// RUN: kiln-import %t.rec.onnx | FileCheck %s --check-prefix=REC
// RUN: kiln-run %t.rec.onnx --input-shape 5x2x3 | FileCheck %s --check-prefix=REC-JIT
// RUN: %python %S/Inputs/make_onnx.py math_ops %t.math.onnx
// RUN: kiln-import %t.math.onnx | FileCheck %s --check-prefix=MATH
// RUN: %python %S/Inputs/make_onnx.py compositions %t.comp.onnx
// RUN: kiln-import %t.comp.onnx | FileCheck %s --check-prefix=COMP

// Graph inputs become arguments named by (sanitized) ONNX names; dim_params
// are dynamic; large weights are dense_resource blobs.
// CNN-LABEL: func.func @forward
// CNN-SAME: (%[[X:.+]]: tensor<?x3x8x8xf32> {kiln.name = "input_1"}) -> (tensor<?x10xf32> {kiln.name = "logits"})
// CNN: %[[W:.+]] = kiln.constant dense_resource<w> : tensor<64x3x3x3xf32>
// CNN: %[[C:.+]] = kiln.conv2d %[[X]], %[[W]] {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x3x8x8xf32>, tensor<64x3x3x3xf32>) -> tensor<?x64x4x4xf32>
// CNN: kiln.batch_norm %[[C]], {{.*}} {epsilon = 0.00100000{{[0-9]*}} : f64}
// CNN: kiln.relu
// CNN: kiln.pool2d max {{.*}}kernel = array<i64: 2, 2>
// CNN: kiln.global_avg_pool
// CNN: %[[F:.+]] = kiln.reshape %{{.+}} [0, 64] : (tensor<?x64x1x1xf32>) -> tensor<?x64xf32>
// CNN: kiln.linear %[[F]], %{{.+}}, %{{.+}} : (tensor<?x64xf32>, tensor<10x64xf32>, tensor<10xf32>) -> tensor<?x10xf32>

// After the graph pipeline the batch norm is folded into the convolution.
// CNN-OPT-LABEL: func.func @forward
// CNN-OPT-NOT: kiln.batch_norm
// CNN-OPT: kiln.conv2d

// Shape arithmetic on a run-time dim becomes a reshape that copies it.
// SHAPE-LABEL: func.func @flatten
// SHAPE-SAME: (%[[X:.+]]: tensor<?x4x5xf32> {kiln.name = "x"})
// SHAPE-NEXT: %[[R:.+]] = kiln.reshape %[[X]] [0, -1] : (tensor<?x4x5xf32>) -> tensor<?x20xf32>
// SHAPE-NEXT: return %[[R]]

// JIT: y: f32[3x20]

// Shapes computed from run-time dims: index arithmetic on tensor.dim. A
// reshape with one computed size infers it and checks it at run time; one
// that splits a run-time dim collapses and expands; fills and Expand to
// run-time dims are splats; the shape as data is tensor.from_elements.
// RTS-LABEL: func.func @forward
// RTS-SAME: (%[[X:.+]]: tensor<?x?x8xf32> {kiln.name = "x"})
// RTS: %[[B:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x?x8xf32>
// RTS: %[[S:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x?x8xf32>
// RTS: %[[BS:.+]] = arith.muli %[[B]], %[[S]] : index
// RTS: %[[FLAT:.+]] = kiln.reshape %[[X]] [-1, 8] : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
// RTS: %[[N:.+]] = tensor.dim %[[FLAT]], %{{.+}} : tensor<?x8xf32>
// RTS: %[[OK:.+]] = arith.cmpi eq, %[[N]], %[[BS]] : index
// RTS: cf.assert %[[OK]], "the shape computed at run time has a different element count than the input"
// RTS: %[[R:.+]] = kiln.relu %[[FLAT]]
// RTS: cf.assert
// RTS: %[[C:.+]] = tensor.collapse_shape %[[R]] {{\[\[}}0, 1]] : tensor<?x8xf32> into tensor<?xf32>
// RTS: %[[SPLIT:.+]] = tensor.expand_shape %[[C]] {{\[\[}}0, 1, 2]] output_shape [%{{.+}}, %{{.+}}, 8] : tensor<?xf32> into tensor<?x?x8xf32>
// RTS: %[[FILL:.+]] = tensor.splat %{{.+}}[%{{.+}}, %{{.+}}] : tensor<?x?x8xf32>
// RTS: %[[Y:.+]] = kiln.mul %[[SPLIT]], %[[FILL]]
// RTS: %[[ONES:.+]] = tensor.splat %{{.+}}[%{{.+}}, %{{.+}}] : tensor<?x?x8xf32>
// RTS: %[[E:.+]] = kiln.mul %{{.+}}, %[[ONES]] : (tensor<8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
// RTS: %[[S2:.+]] = tensor.from_elements %{{.+}}, %{{.+}}, %{{.+}} : tensor<3xi64>
// RTS: return %[[Y]], %[[S2]], %[[E]]

// RTS-JIT: y: f32[2x3x8]
// RTS-JIT: s2: i64[3]
// RTS-JIT: e: f32[2x3x8]

// LSTM: one kiln.linear projects every step's input (bias Wb + Rb), then an
// scf.for over the run-time sequence carries h, c and the output sequence;
// each step is a recurrent linear, the gates (i, o, f, c) and an
// insert_slice of h.
// REC-LABEL: func.func @forward
// REC-SAME: (%[[X:.+]]: tensor<?x2x3xf32> {kiln.name = "x"})
// REC: %[[S:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x2x3xf32>
// REC: %[[XW:.+]] = kiln.linear %[[X]], %{{.+}}, %{{.+}} : (tensor<?x2x3xf32>, tensor<16x3xf32>, tensor<16xf32>) -> tensor<?x2x16xf32>
// REC: %[[LOOP:.+]]:3 = scf.for %[[T:.+]] = %{{.+}} to %[[S]] step %{{.+}} iter_args(%[[H:.+]] = %{{.+}}, %[[C:.+]] = %{{.+}}, %[[Y:.+]] = %{{.+}}) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<?x2x4xf32>)
// REC: %[[XT:.+]] = tensor.extract_slice %[[XW]][%[[T]], 0, 0] [1, 2, 16] [1, 1, 1] : tensor<?x2x16xf32> to tensor<2x16xf32>
// REC: %[[HR:.+]] = kiln.linear %[[H]], %{{.+}} : (tensor<2x4xf32>, tensor<16x4xf32>) -> tensor<2x16xf32>
// REC: %[[PRE:.+]] = kiln.add %[[XT]], %[[HR]]
// REC-COUNT-3: kiln.sigmoid
// REC: %[[HN:.+]] = kiln.mul %{{.+}}, %{{.+}} : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
// REC: %[[YN:.+]] = tensor.insert_slice %[[HN]] into %[[Y]][%[[T]], 0, 0] [1, 2, 4] [1, 1, 1]
// REC: scf.yield %[[HN]], %{{.+}}, %[[YN]]
// REC-NEXT: } {kiln.graph_loop}
// REC: kiln.reshape %[[LOOP]]#2 [0, 1, 2, 4] : (tensor<?x2x4xf32>) -> tensor<?x1x2x4xf32>

// REC-JIT: y: f32[5x1x2x4]
// REC-JIT: yh: f32[1x2x4]

// Rounding and trigonometry map to kiln ops; Sign is two selects (zeros and
// NaN stay), Mod is kiln.mod (fmod = 0) or kiln.fmod (fmod = 1); And and Or
// are selects, Xor is a comparison; ArgMax reduces an iota.
// MATH-LABEL: func.func @forward
// MATH-SAME: (%[[X:.+]]: tensor<?x4xf32> {kiln.name = "x"}, %[[N:.+]]: tensor<4xi32> {kiln.name = "n"}, %[[M:.+]]: tensor<4xi32> {kiln.name = "m"})
// MATH: %[[R:.+]] = kiln.round %[[X]]
// MATH: %[[A:.+]] = kiln.atanh %[[R]]
// MATH-DAG: %[[LT:.+]] = kiln.compare lt, %[[A]], %{{.+}}
// MATH-DAG: %[[GT:.+]] = kiln.compare gt, %[[A]], %{{.+}}
// MATH: %[[NEG:.+]] = kiln.select %[[LT]], %{{.+}}, %[[A]]
// MATH: %[[S:.+]] = kiln.select %[[GT]], %{{.+}}, %[[NEG]]
// MATH: kiln.mod %[[N]], %[[M]] : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
// MATH: kiln.fmod %[[N]], %[[M]] : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
// MATH: %[[P:.+]] = kiln.compare gt, %[[X]], %[[S]]
// MATH: %[[Q:.+]] = kiln.compare lt, %[[X]], %[[S]]
// MATH: kiln.select %[[P]], %[[Q]], %{{.+}} : (tensor<?x4xi1>, tensor<?x4xi1>, tensor<i1>) -> tensor<?x4xi1>
// MATH: kiln.select %[[P]], %{{.+}}, %[[Q]] : (tensor<?x4xi1>, tensor<i1>, tensor<?x4xi1>) -> tensor<?x4xi1>
// MATH: kiln.compare ne, %[[P]], %[[Q]]
// ArgMax: the first index where x equals its maximum.
// MATH: %[[MAX:.+]] = kiln.reduce_max %[[X]] {axes = array<i64: 1>} : (tensor<?x4xf32>) -> tensor<?x1xf32>
// MATH: %[[HIT:.+]] = kiln.compare eq, %[[X]], %[[MAX]]
// MATH: %[[IOTA:.+]] = kiln.constant dense<{{\[\[}}0, 1, 2, 3]]> : tensor<1x4xi64>
// MATH: %[[FILL:.+]] = kiln.constant dense<4> : tensor<i64>
// MATH: %[[CAND:.+]] = kiln.select %[[HIT]], %[[IOTA]], %[[FILL]]
// MATH: kiln.reduce_min %[[CAND]] {axes = array<i64: 1>, keepdims = false} : (tensor<?x4xi64>) -> tensor<?xi64>

// DepthToSpace is reshape-transpose-reshape (the batch stays dynamic);
// Trilu selects with a constant mask; InstanceNormalization is a layer
// norm over H, W with the per-channel affine after; Hardmax compares the
// iota with the first maximum's index.
// COMP-LABEL: func.func @forward
// COMP-SAME: (%[[X:.+]]: tensor<?x8x2x3xf32>
// COMP: %[[S:.+]] = kiln.reshape %[[X]] [0, 2, 2, 2, 2, 3] : (tensor<?x8x2x3xf32>) -> tensor<?x2x2x2x2x3xf32>
// COMP: %[[T:.+]] = kiln.transpose %[[S]] [0, 3, 4, 1, 5, 2]
// COMP: %[[D:.+]] = kiln.reshape %[[T]] [0, 2, 4, 6] : (tensor<?x2x2x2x3x2xf32>) -> tensor<?x2x4x6xf32>
// COMP: %[[MASK:.+]] = kiln.constant dense<{{.*}}> : tensor<4x6xi1>
// COMP: %[[TRI:.+]] = kiln.select %[[MASK]], %[[D]], %{{.+}} : (tensor<4x6xi1>, tensor<?x2x4x6xf32>, tensor<f32>) -> tensor<?x2x4x6xf32>
// COMP: %[[LN:.+]] = kiln.layer_norm %[[TRI]] {axis = 2 : i64
// COMP: kiln.mul %[[LN]], %{{.+}} : (tensor<?x2x4x6xf32>, tensor<2x1x1xf32>)
// COMP: kiln.add
// COMP: kiln.reduce_max
// COMP: kiln.compare eq
// COMP: kiln.reduce_min
// COMP: kiln.compare eq
// COMP: kiln.select
