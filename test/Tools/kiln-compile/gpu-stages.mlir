// The GPU stages of kiln-compile: --emit=gpu shows the host code launching
// the outlined kernels of one gpu.module; --emit=ptx the kernels' PTX for
// the chip, with the PTX ISA that chip needs.
// RUN: kiln-compile %s --target=vulkan --emit=gpu -o - | FileCheck %s --check-prefix=GPU
// RUN: kiln-compile %s --target=cuda --emit=ptx -o - | FileCheck %s --check-prefix=PTX80
// RUN: kiln-compile %s --target=cuda --gpu-chip=sm_90 --emit=ptx -o - | FileCheck %s --check-prefix=PTX90
// RUN: kiln-compile %s --target=cuda --emit=llvm-dialect -o - | FileCheck %s --check-prefix=HOST

// GPU-LABEL: func.func @main(
// GPU-SAME: %[[A:.+]]: memref<?x17xf32>, %[[B:.+]]: memref<17x9xf32>) -> memref<?x9xf32>
// GPU: %[[D:.+]] = memref.alloca() : memref<7xi64>
// GPU: %[[C:.+]] = memref.alloc(%{{.+}}) {{.+}} : memref<?x9xf32>
// GPU: %[[GRID:.+]] = arith.minsi %{{.+}}, %{{.+}} : index
// GPU: gpu.launch_func @kiln_kernels::@main_kernel blocks in (%[[GRID]], %{{.+}}, %{{.+}}) threads in (%{{.+}}, %{{.+}}, %{{.+}}) args(%{{.+}} : memref<6xi64>, %{{.+}} : memref<?xf32>)
// GPU: %[[ROWTILES:.+]] = arith.ceildivsi %{{.+}}, %{{.+}} : index
// GPU: %[[FLATA:.+]] = memref.reinterpret_cast %[[A]] to offset: [0], sizes: [%{{.+}}], strides: [1] : memref<?x17xf32> to memref<?xf32>
// GPU: gpu.launch_func @kiln_kernels::@main_kernel_0 blocks in (%{{.+}}, %[[ROWTILES]], %{{.+}}) threads in (%[[T:.+]], %[[T]], %{{.+}}) args(%[[D]] : memref<7xi64>, %[[FLATA]] : memref<?xf32>, %{{.+}} : memref<?xf32>, %{{.+}} : memref<?xf32>)
// GPU: gpu.launch_func @kiln_kernels::@main_kernel_1
// GPU: return %[[C]] : memref<?x9xf32>
// GPU: gpu.module @kiln_kernels {
// GPU: gpu.func @main_kernel(%{{.+}}: memref<6xi64>, %{{.+}}: memref<?xf32>) kernel attributes {known_block_size = array<i32: 128, 1, 1>}
// GPU: %[[TID:.+]] = gpu.thread_id x
// GPU: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} {
// The matmul: 16 x 16 tiles of each operand in workgroup memory.
// GPU: gpu.func @main_kernel_0(%{{.+}}: memref<7xi64>, %{{.+}}: memref<?xf32>, %{{.+}}: memref<?xf32>, %{{.+}}: memref<?xf32>) workgroup(%[[AS:.+]] : memref<16x16xf32, 3>, %[[BS:.+]] : memref<16x16xf32, 3>) kernel attributes {known_block_size = array<i32: 16, 16, 1>}
// GPU: memref.store %{{.+}}, %[[AS]]
// GPU: memref.store %{{.+}}, %[[BS]]
// GPU: gpu.barrier
// GPU: arith.mulf
// GPU: gpu.barrier
// GPU: gpu.func @main_kernel_1(

// PTX80: .version 7.0
// PTX80: .target sm_80
// PTX80: .visible .entry main_kernel(
// PTX80: .visible .entry main_kernel_0(
// PTX80: .visible .entry main_kernel_1(
// PTX90: .version 7.8
// PTX90: .target sm_90

// The host calls the runtime's mgpu* interface and checks each launch.
// HOST: llvm.mlir.global internal constant @{{.+}}("main: {{.+}}GPU kernel 'main_kernel' failed
// HOST-LABEL: llvm.func @main(
// HOST: gpu.launch_func @kiln_kernels::@main_kernel
// HOST: llvm.call @kiln_gpu_ok() : () -> i32
// HOST: gpu.binary @kiln_kernels {{.*}}#nvvm.target<chip = "sm_80", features = "+ptx70">
func.func @main(%a: tensor<?x17xf32>, %b: tensor<17x9xf32>) -> tensor<?x9xf32> {
  %0 = kiln.matmul %a, %b : (tensor<?x17xf32>, tensor<17x9xf32>) -> tensor<?x9xf32>
  %1 = kiln.gelu %0 : (tensor<?x9xf32>) -> tensor<?x9xf32>
  return %1 : tensor<?x9xf32>
}
