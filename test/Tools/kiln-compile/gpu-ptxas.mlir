// REQUIRES: ptxas
// The PTX of each chip assembles with CUDA's ptxas.
// RUN: kiln-compile %s --target=cuda --gpu-chip=sm_80 --emit=ptx -o %t80.ptx
// RUN: %ptxas -arch=sm_80 %t80.ptx -o %t80.cubin
// RUN: kiln-compile %s --target=cuda --gpu-chip=sm_90 --emit=ptx -o %t90.ptx
// RUN: %ptxas -arch=sm_90 %t90.ptx -o %t90.cubin
func.func @main(%a: tensor<?x17xf32>, %b: tensor<17x9xf32>) -> tensor<?x9xf32> {
  %0 = kiln.matmul %a, %b : (tensor<?x17xf32>, tensor<17x9xf32>) -> tensor<?x9xf32>
  %1 = kiln.gelu %0 : (tensor<?x9xf32>) -> tensor<?x9xf32>
  %2 = kiln.softmax %1 : (tensor<?x9xf32>) -> tensor<?x9xf32>
  return %2 : tensor<?x9xf32>
}
