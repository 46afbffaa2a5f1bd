// RUN: kiln-opt %s --split-input-file --verify-diagnostics --kiln-gpu-check-launches

module attributes {gpu.container_module} {
  // expected-error @below {{kiln-gpu-check-launches: 'kiln_gpu_ok' is the GPU runtime's; the module defines it}}
  func.func @kiln_gpu_ok() {
    return
  }
  func.func @launch() {
    %c1 = arith.constant 1 : index
    gpu.launch_func @kiln_kernels::@a blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    return
  }
  gpu.module @kiln_kernels {
    gpu.func @a() kernel {
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  // expected-error @below {{kiln-gpu-check-launches: 'kiln_gpu_ok' must have type '!llvm.func<i32 ()>'}}
  llvm.func @kiln_gpu_ok() -> i64
  func.func @launch() {
    %c1 = arith.constant 1 : index
    gpu.launch_func @kiln_kernels::@a blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    return
  }
  gpu.module @kiln_kernels {
    gpu.func @a() kernel {
      gpu.return
    }
  }
}
