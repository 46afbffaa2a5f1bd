// The compile report counts the epilogues that code generation computes in
// their contraction's task loop (kiln-cpu-tile-and-vectorize), with the
// bytes of the products that are no longer written whole: here one
// 128x512 f32 product (256 KiB). -O0, and -O2 with --fuse-epilogues=false,
// fuse none; a report that stops before code generation has no such line.
// RUN: kiln-compile %s --emit=bufferized -o /dev/null --report 2>&1 | FileCheck %s
// RUN: kiln-compile %s --emit=bufferized -o /dev/null --report=json 2>&1 | FileCheck %s --check-prefix=JSON
// RUN: kiln-compile %s -O0 --emit=bufferized -o /dev/null --report 2>&1 | FileCheck %s --check-prefix=NONE
// RUN: kiln-compile %s --fuse-epilogues=false --emit=bufferized -o /dev/null --report 2>&1 | FileCheck %s --check-prefix=NONE
// RUN: kiln-compile %s --emit=linalg -o /dev/null --report 2>&1 | FileCheck %s --check-prefix=NONE

// CHECK: Code generation (bytes: intermediate tensors no longer written whole):
// CHECK-NEXT: epilogue-fused (kiln-cpu-tile-and-vectorize) 1 256.0 KiB

// JSON: "codegen_rewrites": [
// JSON-NEXT: {
// JSON-NEXT: "bytes": 262144,
// JSON-NEXT: "count": 1,
// JSON-NEXT: "pass": "kiln-cpu-tile-and-vectorize",
// JSON-NEXT: "rewrite": "epilogue-fused"

// NONE: Kernels (linalg on tensors):
// NONE-NOT: epilogue-fused
func.func @f(%x: tensor<128x256xf32>, %w: tensor<512x256xf32>, %b: tensor<512xf32>) -> tensor<128x512xf32> {
  %0 = kiln.linear %x, %w, %b : (tensor<128x256xf32>, tensor<512x256xf32>, tensor<512xf32>) -> tensor<128x512xf32>
  %1 = kiln.relu %0 : (tensor<128x512xf32>) -> tensor<128x512xf32>
  return %1 : tensor<128x512xf32>
}
