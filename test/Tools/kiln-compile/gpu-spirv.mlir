// REQUIRES: spirv-tools
// --emit=spirv writes one SPIR-V module of every kernel, valid for Vulkan
// 1.1, with a GLCompute entry point per kernel, its workgroup size, and
// one storage buffer binding per argument (the launch descriptor first).
// RUN: kiln-compile %s --target=vulkan --emit=spirv -o %t.spv
// RUN: spirv-val --target-env vulkan1.1 %t.spv
// RUN: spirv-dis %t.spv | FileCheck %s

// CHECK-DAG: OpCapability Shader
// CHECK-DAG: OpCapability Int64
// CHECK: OpEntryPoint GLCompute %[[K0:.+]] "main_kernel"
// CHECK: OpEntryPoint GLCompute %[[K1:.+]] "main_kernel_0"
// CHECK-DAG: OpExecutionMode %[[K0]] LocalSize 128 1 1
// CHECK-DAG: OpExecutionMode %[[K1]] LocalSize 16 16 1
// The matmul's tiles: Workgroup variables, and barriers.
// CHECK-DAG: %{{.+}} = OpVariable %{{.+}} Workgroup
// CHECK-DAG: OpControlBarrier
// CHECK-DAG: OpDecorate %main_kernel_0_arg_0 Binding 0
// CHECK-DAG: OpDecorate %main_kernel_0_arg_1 Binding 1
// CHECK-DAG: OpDecorate %main_kernel_0_arg_2 Binding 2
// CHECK-DAG: OpDecorate %main_kernel_0_arg_3 Binding 3
func.func @main(%a: tensor<?x17xf32>, %b: tensor<17x9xf32>) -> tensor<?x9xf32> {
  %0 = kiln.matmul %a, %b : (tensor<?x17xf32>, tensor<17x9xf32>) -> tensor<?x9xf32>
  %1 = kiln.gelu %0 : (tensor<?x9xf32>) -> tensor<?x9xf32>
  return %1 : tensor<?x9xf32>
}
