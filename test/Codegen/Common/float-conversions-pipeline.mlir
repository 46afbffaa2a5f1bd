// The CPU pipeline hands LLVM no f16/bf16 arithmetic and no conversion that
// the target may lack, so no object needs a compiler-rt builtin
// (__truncdfhf2, __truncsfhf2, __extendhfsf2, __truncsfbf2, ...), whatever
// the CPU: x86-64 has no F16C, znver3 has F16C but no AVX-512.
// RUN: kiln-compile %s --cpu=x86-64 --emit=llvm-dialect | FileCheck %s
// RUN: kiln-compile %s --cpu=x86-64 --emit=llvm-dialect | FileCheck %s --check-prefix=F32
// With F16C, f32 <-> f16 stay single instructions.
// RUN: kiln-compile %s --cpu=znver3 --emit=llvm-dialect | FileCheck %s --check-prefix=F16C
// RUN: kiln-compile %s --cpu=x86-64 -o %t.x86-64.o
// RUN: llvm-nm -u %t.x86-64.o | FileCheck %s --check-prefix=NM --implicit-check-not=__trunc --implicit-check-not=__extend
// RUN: kiln-compile %s --cpu=znver3 -o %t.znver3.o
// RUN: llvm-nm -u %t.znver3.o | FileCheck %s --check-prefix=NM --implicit-check-not=__trunc --implicit-check-not=__extend

// CHECK-LABEL: llvm.func @model(
// CHECK-NOT: {{llvm\.(fptrunc|fpext|fadd|fmul|fcmp|select|intr).*f16}}

// F16C-LABEL: llvm.func @model(
// F16C: llvm.fptrunc %{{.+}} : f32 to f16
// F16C-NOT: llvm.fptrunc %{{.+}} : f64 to f16

// F32-DAG: llvm.fadd %{{.+}}, %{{.+}} : f32
// F32-DAG: llvm.fmul %{{.+}}, %{{.+}} : f32
// F32-DAG: llvm.fcmp "ugt" %{{.+}}, %{{.+}} : f32
// F32-DAG: llvm.fptrunc %{{.+}} : f64 to f32

// NM: U malloc
func.func @model(%h: tensor<16xf16>, %b: tensor<16xbf16>, %d: tensor<16xf64>)
    -> (tensor<16xf16>, tensor<16xbf16>, tensor<16xf64>, tensor<16xbf16>,
        tensor<16xf16>) {
  %0 = kiln.add %h, %h : (tensor<16xf16>, tensor<16xf16>) -> tensor<16xf16>
  %1 = kiln.mul %b, %b : (tensor<16xbf16>, tensor<16xbf16>) -> tensor<16xbf16>
  %2 = kiln.cast %0 : (tensor<16xf16>) -> tensor<16xf64>
  %3 = kiln.cast %d : (tensor<16xf64>) -> tensor<16xbf16>
  %4 = kiln.relu %h : (tensor<16xf16>) -> tensor<16xf16>
  %5 = kiln.cast %d : (tensor<16xf64>) -> tensor<16xf16>
  %6 = kiln.max %5, %4 : (tensor<16xf16>, tensor<16xf16>) -> tensor<16xf16>
  return %0, %1, %2, %3, %6 : tensor<16xf16>, tensor<16xbf16>,
      tensor<16xf64>, tensor<16xbf16>, tensor<16xf16>
}
