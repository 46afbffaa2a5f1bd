// RUN: kiln-opt %s --split-input-file --kiln-convert-gpu-to-spirv | FileCheck %s

// The kernels become a spirv.module inside their gpu.module (where
// gpu-module-to-binary serializes it), with math ops converted and the
// workgroup size of the known block size.
// CHECK-LABEL: gpu.module @kiln_kernels
// CHECK-NEXT: spirv.module @__spv__kiln_kernels Logical GLSL450
// CHECK: spirv.func @exp_kernel(
// CHECK-SAME: spirv.interface_var_abi = #spirv.interface_var_abi<(0, 0)>
// CHECK-SAME: spirv.interface_var_abi = #spirv.interface_var_abi<(0, 1)>
// CHECK-SAME: spirv.entry_point_abi = #spirv.entry_point_abi<workgroup_size = [64, 1, 1]>
// CHECK: %[[X:.+]] = spirv.Load "StorageBuffer" %{{.+}} : f32
// CHECK: spirv.GL.Exp %[[X]] : f32
// CHECK: gpu.func @exp_kernel(
// CHECK-SAME: spirv.entry_point_abi = #spirv.entry_point_abi<workgroup_size = [64, 1, 1]>
module attributes {gpu.container_module} {
  gpu.module @kiln_kernels [#spirv.target_env<#spirv.vce<v1.3, [Shader, Int64], [SPV_KHR_storage_buffer_storage_class]>, #spirv.resource_limits<>>] {
    gpu.func @exp_kernel(%d: memref<3xi64>, %a: memref<?xf32>) kernel attributes {known_block_size = array<i32: 64, 1, 1>} {
      %c0 = arith.constant 0 : index
      %x = memref.load %a[%c0] : memref<?xf32>
      %e = math.exp %x : f32
      memref.store %e, %a[%c0] : memref<?xf32>
      gpu.return
    }
  }
}

// -----

// A gpu.module without a SPIR-V target (NVVM's, say) is left alone.
// CHECK-LABEL: gpu.module @cuda_kernels
// CHECK-NOT: spirv.module
// CHECK: gpu.func @k(
// CHECK-NOT: spirv.entry_point_abi
module attributes {gpu.container_module} {
  gpu.module @cuda_kernels [#nvvm.target<chip = "sm_80">] {
    gpu.func @k(%a: memref<4xf32>) kernel attributes {known_block_size = array<i32: 64, 1, 1>} {
      gpu.return
    }
  }
}

// -----

// Workgroup attributions become Workgroup variables.
// CHECK-LABEL: gpu.module @tiles
// CHECK: spirv.module @__spv__tiles
// CHECK: spirv.GlobalVariable @{{.+}} : !spirv.ptr<!spirv.struct<(!spirv.array<64 x f32>)>, Workgroup>
// CHECK: spirv.func @tiled(
// CHECK: spirv.mlir.addressof
// CHECK: spirv.Store "Workgroup"
// CHECK: spirv.ControlBarrier
module attributes {gpu.container_module} {
  gpu.module @tiles [#spirv.target_env<#spirv.vce<v1.3, [Shader, Int64], [SPV_KHR_storage_buffer_storage_class]>, #spirv.resource_limits<>>] {
    gpu.func @tiled(%a: memref<8xf32>) workgroup(%tile : memref<8x8xf32, 3>) kernel attributes {known_block_size = array<i32: 8, 8, 1>} {
      %c0 = arith.constant 0 : index
      %x = memref.load %a[%c0] : memref<8xf32>
      memref.store %x, %tile[%c0, %c0] : memref<8x8xf32, 3>
      gpu.barrier
      gpu.return
    }
  }
}
