// RUN: kiln-opt %s --split-input-file --verify-diagnostics --kiln-convert-gpu-to-spirv

module attributes {gpu.container_module} {
  gpu.module @kiln_kernels [#spirv.target_env<#spirv.vce<v1.3, [Shader], []>, #spirv.resource_limits<>>] {
    // expected-error @below {{kiln-convert-gpu-to-spirv: kernel 'scalar' takes 'f32' as argument #0, but Vulkan kernels take buffers only}}
    gpu.func @scalar(%x: f32) kernel attributes {known_block_size = array<i32: 64, 1, 1>} {
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @kiln_kernels [#spirv.target_env<#spirv.vce<v1.3, [Shader], []>, #spirv.resource_limits<>>] {
    // expected-error @below {{kiln-convert-gpu-to-spirv: kernel 'two_dynamic' takes 'memref<?x?xf32>' as argument #0; Vulkan kernels take contiguous buffers with a static shape or one dynamic dim}}
    gpu.func @two_dynamic(%a: memref<?x?xf32>) kernel attributes {known_block_size = array<i32: 64, 1, 1>} {
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @kiln_kernels [#spirv.target_env<#spirv.vce<v1.3, [Shader], []>, #spirv.resource_limits<>>] {
    // expected-error @below {{kiln-convert-gpu-to-spirv: kernel 'no_block' has no known block size}}
    gpu.func @no_block(%a: memref<4xf32>) kernel {
      gpu.return
    }
  }
}
