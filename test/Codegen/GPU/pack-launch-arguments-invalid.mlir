// RUN: kiln-opt %s --split-input-file --verify-diagnostics --kiln-gpu-pack-launch-arguments

module attributes {gpu.container_module} {
  func.func @vector_argument(%v: vector<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @kiln_kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%v : vector<4xf32>)
    return
  }
  gpu.module @kiln_kernels {
    // expected-error @below {{kiln-gpu-pack-launch-arguments: kernel 'k' takes 'vector<4xf32>'; kernels take buffers, indices, integers and floats}}
    gpu.func @k(%v: vector<4xf32>) kernel {
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  func.func @copy_in_kernel(%a: memref<4xf32>, %b: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @kiln_kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>, %b : memref<4xf32>)
    return
  }
  gpu.module @kiln_kernels {
    gpu.func @k(%a: memref<4xf32>, %b: memref<4xf32>) kernel {
      // expected-error @below {{kiln-gpu-pack-launch-arguments: kernel 'k' uses a buffer argument in 'memref.copy'; kernels may only load, store and take dims}}
      memref.copy %a, %b : memref<4xf32> to memref<4xf32>
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  func.func @complex_buffer(%a: memref<4xcomplex<f32>>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @kiln_kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xcomplex<f32>>)
    return
  }
  gpu.module @kiln_kernels {
    // expected-error @below {{kiln-gpu-pack-launch-arguments: kernel 'k' takes 'memref<4xcomplex<f32>>'; buffers of integers or floats only}}
    gpu.func @k(%a: memref<4xcomplex<f32>>) kernel {
      gpu.return
    }
  }
}
