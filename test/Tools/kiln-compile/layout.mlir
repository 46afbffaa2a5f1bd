// --layout picks the layout of convolutions and pooling (default auto from
// -O1, keep at -O0); the report says what was chosen and converted, and
// the ops by kind show the transposes left. A bad value is an error before
// any work. Numerics are the same in every layout.
// RUN: kiln-compile %s --layout=nhwc --emit=kiln -o /dev/null --report 2>&1 | FileCheck %s --check-prefix=NHWC
// RUN: kiln-compile %s --layout=nchw --emit=kiln -o /dev/null --report 2>&1 | FileCheck %s --check-prefix=NCHW
// RUN: kiln-compile %s -O0 --emit=kiln -o /dev/null --report 2>&1 | FileCheck %s --check-prefix=KEEP
// RUN: not kiln-compile %s --layout=nchwc -o /dev/null 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: kiln-compile %s --layout=nhwc --image-interface --emit=kiln -o - | FileCheck %s --check-prefix=IFACE
// RUN: not kiln-compile %s --image-interface -o /dev/null 2>&1 | FileCheck %s --check-prefix=BADIFACE
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-run %s --layout=keep --input-shape 1x16x9x7 -o %t/keep.npy
// RUN: kiln-run %s --layout=nhwc --input-shape 1x16x9x7 --expect %t/keep.npy | FileCheck %s --check-prefix=SAME

// NHWC: chose-nhwc (kiln-convert-layout) 1
// NHWC: to-nhwc (kiln-convert-layout) 3
// NHWC: kiln.transpose 0 1

// NCHW: chose-nchw (kiln-convert-layout) 1
// NCHW-NOT: to-nchw
// NCHW-NOT: kiln.transpose

// KEEP-NOT: kiln-convert-layout

// BAD: error: layout 'nchwc' is not keep, nchw, nhwc or auto

// SAME: result0: matches

// IFACE: func.func @f(%{{.+}}: tensor<1x9x7x16xf32>) -> tensor<1x16xf32>
// IFACE-NOT: kiln.transpose

// BADIFACE: error: an image interface needs the layout nhwc or nchw, not 'auto' (the signature must not depend on the host)
func.func @f(%x: tensor<1x16x9x7xf32>) -> tensor<1x16xf32> {
  %w = kiln.constant dense<0.01> : tensor<16x16x3x3xf32>
  %a = kiln.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x16x9x7xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x9x7xf32>
  %r = kiln.relu %a : (tensor<1x16x9x7xf32>) -> tensor<1x16x9x7xf32>
  %p = kiln.pool2d max %r {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x16x9x7xf32>) -> tensor<1x16x4x3xf32>
  %g = kiln.global_avg_pool %p : (tensor<1x16x4x3xf32>) -> tensor<1x16x1x1xf32>
  %f = kiln.reshape %g [1, 16] : (tensor<1x16x1x1xf32>) -> tensor<1x16xf32>
  return %f : tensor<1x16xf32>
}
