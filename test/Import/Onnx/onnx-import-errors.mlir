// Bad ONNX input: clear errors, never a crash.

// RUN: %python %S/Inputs/make_onnx.py corrupt %t.corrupt.onnx
// RUN: not kiln-import %t.corrupt.onnx 2>&1 | FileCheck %s --check-prefix=CORRUPT
// RUN: not kiln-compile %t.corrupt.onnx 2>&1 | FileCheck %s --check-prefix=CORRUPT
// CORRUPT: error: '{{.*}}corrupt.onnx' is not a valid ONNX model: the protobuf ModelProto does not parse (corrupt or truncated file?)

// RUN: %python %S/Inputs/make_onnx.py unsupported %t.unsupported.onnx
// RUN: not kiln-import %t.unsupported.onnx 2>&1 | FileCheck %s --check-prefix=UNSUP
// UNSUP: error: the model uses 2 unsupported ONNX op types (3 nodes):
// UNSUP-NEXT: Det x1: det_b
// UNSUP-NEXT: LpNormalization x2: lp_a, lp_c

// Older opsets are upgraded by onnx's version converter; newer ones than
// onnx 1.12 knows are refused.
// RUN: %python %S/Inputs/make_onnx.py old_opset %t.old.onnx
// RUN: kiln-import %t.old.onnx | FileCheck %s --check-prefix=OLD
// OLD-LABEL: func.func @forward(
// OLD: kiln.relu
// RUN: %python %S/Inputs/make_onnx.py new_opset %t.new.onnx
// RUN: not kiln-import %t.new.onnx 2>&1 | FileCheck %s --check-prefix=OPSET
// OPSET: error: the ONNX model uses opset 18 of the default domain; Kiln supports opsets 1 to 17 (17 is the highest that Debian's onnx knows)
// RUN: %python %S/Inputs/make_onnx.py old_unknown_op %t.old-unknown.onnx
// RUN: not kiln-import %t.old-unknown.onnx 2>&1 | FileCheck %s --check-prefix=UPGRADE
// UPGRADE: error: '{{.*}}old-unknown.onnx' cannot be upgraded from opset 9 to opset 11 by onnx's version converter: {{.*}}NoSuchOp

// RUN: not kiln-import %t.does-not-exist.onnx 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: kiln-import: error: {{.*}}does-not-exist.onnx{{.*}}

// RUN: kiln-import --list-ops | FileCheck %s --check-prefix=LIST
// LIST: # opsets 11-17 (1-10 upgraded by onnx's version converter)
// LIST: Conv{{[[:space:]]}}1-D, 2-D and 3-D
// LIST: LayerNormalization
