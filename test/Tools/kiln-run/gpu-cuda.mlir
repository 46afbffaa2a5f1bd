// Without an NVIDIA driver (forced here with KILN_CUDA_DRIVER, so that the
// test means the same on a GPU machine) --target=cuda code compiles, and
// running it is an error that names the kernel and says what is missing:
// from kiln-run, and as the status of an AOT entry point, whose
// kiln_gpu_last_error() has the driver's message.
// RUN: rm -rf %t && mkdir -p %t
// RUN: env KILN_CUDA_DRIVER=/nonexistent/libcuda.so.1 not kiln-run %s --target=cuda 2>&1 | FileCheck %s --check-prefix=JIT
// RUN: kiln-compile %s --target=cuda -o %t/model.o --emit-header=%t/model.h
// RUN: %cc -I%t -I%S/../../../include %S/../Inputs/gpu_status.c %t/model.o -L%kiln_lib_dir -lkiln_cuda_runtime -Wl,-rpath,%kiln_lib_dir -lm -o %t/run
// RUN: env KILN_CUDA_DRIVER=/nonexistent/libcuda.so.1 not %t/run | FileCheck %s --check-prefix=AOT

// JIT: kiln-run: error: invocation failed: main: {{.*}}gpu-cuda.mlir:[[# @LINE + 6]]:8: GPU kernel 'main_kernel' failed (kiln_gpu_last_error() has the driver's message): CUDA: cannot load the CUDA driver (no NVIDIA driver installed?): /nonexistent/libcuda.so.1
// AOT: status 3: main: {{.*}}gpu-cuda.mlir:[[# @LINE + 5]]:8: GPU kernel 'main_kernel' failed
// AOT-NEXT: gpu: CUDA: cannot load the CUDA driver (no NVIDIA driver installed?): /nonexistent/libcuda.so.1
// AOT-NEXT: again: status 3
// AOT-NEXT: gpu: CUDA: cannot load the CUDA driver
func.func @main(%x: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %0 = kiln.add %x, %x : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}
