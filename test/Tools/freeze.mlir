// Every tool takes .onnx input, and --freeze NAME=FILE.npy turns a graph
// input into a constant, as `freeze=` does in Python.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %inputs/make_models.py reshape_input %t/m.onnx
// RUN: %python -c "import numpy as np; np.save('%t/shape.npy', np.array([3, 4], np.int64)); np.save('%t/bad.npy', np.array([5, 5], np.int64)); np.save('%t/f.npy', np.zeros(2, np.float32))"
// RUN: kiln-run %t/m.onnx --freeze shape=%t/shape.npy --input-shape 2x6 | FileCheck %s --check-prefix=JIT
// RUN: kiln-compile %t/m.onnx --freeze shape=%t/shape.npy --emit=kiln | FileCheck %s --check-prefix=KILN
// RUN: kiln-import %t/m.onnx --freeze shape=%t/shape.npy | FileCheck %s --check-prefix=KILN
// RUN: kiln-opt %t/m.onnx --freeze shape=%t/shape.npy --kiln-graph-pipeline | FileCheck %s --check-prefix=KILN
// RUN: kiln-compile %t/m.onnx --emit=kiln | FileCheck %s --check-prefix=UNFROZEN
// RUN: not kiln-compile %t/m.onnx --freeze shape --emit=kiln 2>&1 | FileCheck %s --check-prefix=SYNTAX
// RUN: not kiln-run %t/m.onnx --freeze shape=%t/missing.npy 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not kiln-compile %t/m.onnx --freeze shape=%t/shape.npy --freeze shape=%t/shape.npy --emit=kiln 2>&1 | FileCheck %s --check-prefix=TWICE
// RUN: not kiln-compile %t/m.onnx --freeze shape=%t/bad.npy --emit=kiln 2>&1 | FileCheck %s --check-prefix=BADSHAPE
// RUN: not kiln-compile %t/m.onnx --freeze shape=%t/f.npy --emit=kiln 2>&1 | FileCheck %s --check-prefix=BADTYPE
// RUN: not kiln-compile %s --freeze shape=%t/shape.npy --emit=kiln 2>&1 | FileCheck %s --check-prefix=MLIR
// RUN: not kiln-opt %s --freeze shape=%t/shape.npy 2>&1 | FileCheck %s --check-prefix=OPTMLIR

// JIT: y: f32[3x4]
// KILN-LABEL: func.func @forward
// KILN-SAME: tensor<2x6xf32>
// KILN-NOT: tensor<2xi64>
// KILN: kiln.reshape %{{.*}} [3, 4]
// Unfrozen, the shape is an input read at run time.
// UNFROZEN-LABEL: func.func @forward
// UNFROZEN-SAME: %[[X:[a-zA-Z0-9]+]]: tensor<2x6xf32> {kiln.name = "x"}, %[[S:[a-zA-Z0-9]+]]: tensor<2xi64> {kiln.name = "shape"}
// UNFROZEN: tensor.extract %[[S]]
// UNFROZEN: tensor.expand_shape
// SYNTAX: kiln-compile: error: --freeze expects NAME=FILE.npy, got 'shape'
// MISSING: kiln-run: error: --freeze shape: {{.*}}missing.npy
// TWICE: kiln-compile: error: --freeze names input 'shape' twice
// BADSHAPE: error: {{.*}}reshape
// BADTYPE: error: {{.*}}shape
// MLIR: kiln-compile: error: '{{.*}}freeze.mlir' is not an ONNX model; frozen inputs apply to ONNX graph inputs only
// OPTMLIR: kiln-opt: error: --freeze applies to ONNX input only
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
