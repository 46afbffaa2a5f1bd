// Cross-compiling to aarch64 gives a valid aarch64 object.
// RUN: kiln-compile %s --target-triple=aarch64-linux-gnu -o %t.o
// RUN: llvm-objdump -f %t.o | FileCheck %s
// RUN: llvm-objdump -d %t.o | FileCheck %s --check-prefix=DIS
// RUN: not kiln-compile %s --target-triple=nonsense-unknown-none -o %t2.o 2>&1 | FileCheck %s --check-prefix=BAD

// CHECK: file format elf64-littleaarch64
// CHECK: architecture: aarch64
// DIS: <_mlir_ciface_kiln_relu>:
// DIS: ret
// BAD: kiln-compile: error:
func.func @relu(%x: tensor<?xf32>) -> tensor<?xf32> {
  %0 = kiln.relu %x : (tensor<?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}
