// REQUIRES: cuda-toolkit
// Where the CUDA toolkit is, a --target=cuda object embeds a fatbin (a cubin
// for the chip plus the PTX, for other GPUs), loaded with mgpuModuleLoad;
// without it, the PTX alone, which the driver compiles (mgpuModuleLoadJIT).
// --emit=ptx gives PTX either way.
// RUN: kiln-compile %s --target=cuda --gpu-chip=sm_90 -o %t.o
// RUN: llvm-nm %t.o | FileCheck %s --check-prefix=FATBIN
// RUN: env CUDA_HOME=%t.nowhere kiln-compile %s --target=cuda -o %t-ptx.o
// RUN: llvm-nm %t-ptx.o | FileCheck %s --check-prefix=PTX
// RUN: kiln-compile %s --target=cuda --gpu-chip=sm_90 --emit=ptx -o - | FileCheck %s --check-prefix=TEXT
// RUN: kiln-compile %s --target=cuda --gpu-chip=sm_90 --emit=llvm-dialect -o - | FileCheck %s --check-prefix=OBJECT

// FATBIN: U mgpuModuleLoad{{$}}
// FATBIN-NOT: mgpuModuleLoadJIT
// PTX: U mgpuModuleLoadJIT
// TEXT: .target sm_90
// TEXT: .visible .entry main_kernel(
// The fatbin's magic number, 0xba55ed50, little-endian.
// OBJECT: gpu.binary @kiln_kernels {{.*}}#nvvm.target<chip = "sm_90", features = "+ptx78">, properties = {{.*}}, "P\EDU\BA
func.func @main(%x: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %0 = kiln.exp %x : (tensor<3x5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}
