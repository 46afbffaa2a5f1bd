// Bad ONNX input: clear errors, never a crash.

// RUN: %python %S/Inputs/make_onnx.py corrupt %t.corrupt.onnx
// RUN: not kiln-import %t.corrupt.onnx 2>&1 | FileCheck %s --check-prefix=CORRUPT
// RUN: not kiln-compile %t.corrupt.onnx 2>&1 | FileCheck %s --check-prefix=CORRUPT
// CORRUPT: error: '{{.*}}corrupt.onnx' is not a valid ONNX model: the protobuf ModelProto does not parse (corrupt or truncated file?)

// RUN: %python %S/Inputs/make_onnx.py unsupported %t.unsupported.onnx
// RUN: not kiln-import %t.unsupported.onnx 2>&1 | FileCheck %s --check-prefix=UNSUP
// UNSUP: error: the model uses 2 unsupported ONNX op types (3 nodes):
// UNSUP-NEXT: Cos x2: cos_a, cos_c
// UNSUP-NEXT: Sin x1: sin_b

// RUN: %python %S/Inputs/make_onnx.py old_opset %t.old.onnx
// RUN: not kiln-import %t.old.onnx 2>&1 | FileCheck %s --check-prefix=OPSET
// OPSET: error: the ONNX model uses opset 9 of the default domain; Kiln supports opsets 11 to 17

// RUN: not kiln-import %t.does-not-exist.onnx 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: kiln-import: error: {{.*}}does-not-exist.onnx{{.*}}

// RUN: kiln-import --list-ops | FileCheck %s --check-prefix=LIST
// LIST: # opsets 11-17
// LIST: Conv{{[[:space:]]}}2-D
// LIST: LayerNormalization
