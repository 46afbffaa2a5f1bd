// The report counts the bytes of the constants folded at compile time:
// those canonicalization folded (the small dense transpose), and per
// rewrite those kiln-fold-constants evaluated (the transpose of a
// dense_resource weight, which the ops' folders do not read).
// RUN: kiln-compile %s --emit=kiln -o /dev/null --report 2>&1 | FileCheck %s --check-prefix=TEXT
// RUN: kiln-compile %s --emit=kiln -o /dev/null --report=json 2>&1 | FileCheck %s --check-prefix=JSON
// RUN: kiln-compile %s -O0 --emit=kiln -o /dev/null --report 2>&1 | FileCheck %s --check-prefix=NONE

// TEXT: constants folded (canonicalize) 1
// TEXT: transpose-folded (kiln-fold-constants) 1 24 B of constants
// TEXT: constants folded, in bytes 48 B

// JSON: "constant_bytes_folded": 24,
// JSON: "rewrites": [
// JSON-NEXT: {
// JSON-NEXT: "bytes": 24,
// JSON-NEXT: "count": 1,
// JSON-NEXT: "pass": "kiln-fold-constants",

// NONE: constants folded (canonicalize) 0
// NONE-NOT: kiln-fold-constants
// NONE: constants folded, in bytes 0 B
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %t = kiln.transpose %w [1, 0] : (tensor<3x2xf32>) -> tensor<2x3xf32>
  %r = kiln.constant dense_resource<r> : tensor<3x2xf32>
  %rt = kiln.transpose %r [1, 0] : (tensor<3x2xf32>) -> tensor<2x3xf32>
  %0 = kiln.add %x, %t : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = kiln.add %0, %rt : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

{-#
  dialect_resources: {
    builtin: {
      r: "0x040000000000803F0000004000004040000080400000A0400000C040"
    }
  }
#-}
