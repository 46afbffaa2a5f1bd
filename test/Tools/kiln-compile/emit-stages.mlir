// Every --emit stage stops where it says.
// RUN: kiln-compile %s --emit=kiln -o - | FileCheck %s --check-prefix=KILN
// RUN: kiln-compile %s --emit=linalg -o - | FileCheck %s --check-prefix=LINALG
// RUN: kiln-compile %s --emit=bufferized -o - | FileCheck %s --check-prefix=BUF
// RUN: kiln-compile %s --emit=llvm-dialect -o - | FileCheck %s --check-prefix=LLVMD
// RUN: kiln-compile %s --emit=llvm-ir -O2 -o - | FileCheck %s --check-prefix=IR
// RUN: kiln-compile %s --emit=asm -O0 -o - | FileCheck %s --check-prefix=ASM
// RUN: kiln-compile %s --emit=obj -o %t.o --emit-header=%t.h
// RUN: llvm-objdump -t %t.o | FileCheck %s --check-prefix=OBJ
// RUN: kiln-compile %s --emit=llvm-ir -O0 --prefix=m -o - | FileCheck %s --check-prefix=IR0
// RUN: FileCheck %s --check-prefix=HDR < %t.h
// RUN: not kiln-compile %s -O7 -o - 2>&1 | FileCheck %s --check-prefix=BADOPT

// KILN-LABEL: func.func @scale
// KILN: kiln.mul
// LINALG-LABEL: func.func @scale
// LINALG: linalg.generic
// LINALG-NOT: kiln.mul
// BUF-LABEL: func.func @scale
// BUF-SAME: memref<?x4xf32>
// BUF: memref.alloc
// LLVMD: llvm.func @scale
// LLVMD: llvm.func @_mlir_ciface_scale
// IR-NOT: define {{.*}}@_mlir_ciface_scale(
// IR: define {{.*}}void @_mlir_ciface_kiln_scale(ptr
// ASM: _mlir_ciface_kiln_scale:
// OBJ: _mlir_ciface_kiln_scale
// IR0-DAG: define internal {{.*}} @scale(
// IR0-DAG: define void @_mlir_ciface_m_scale(
// HDR: typedef struct { kiln_memref2_t r0; const char *status; } kiln_scale_results_t;
// HDR: void _mlir_ciface_kiln_scale(kiln_scale_results_t *, kiln_memref2_t *, kiln_memref1_t *);
// HDR: static inline int kiln_scale(const float *x, int64_t x_d0, int64_t x_d1, float *result0, int64_t result0_d0, int64_t result0_d1)
// HDR: if (x_d1 != 4)
// BADOPT: kiln-compile: error: optimization level 7 is not 0-3
func.func @scale(%x: tensor<?x4xf32> {kiln.name = "x"}) -> tensor<?x4xf32> {
  %c = kiln.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %0 = kiln.mul %x, %c : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
