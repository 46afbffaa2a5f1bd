// RUN: kiln-opt %s --split-input-file --verify-diagnostics --kiln-gpu-merge-kernel-modules

module attributes {gpu.container_module} {
  gpu.module @a {
    gpu.func @k() kernel {
      gpu.return
    }
  }
  // expected-error @below {{kiln-gpu-merge-kernel-modules: the module already has a gpu.module named 'kiln_kernels'}}
  gpu.module @kiln_kernels {
    gpu.func @k() kernel {
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  // expected-error @below {{kiln-gpu-merge-kernel-modules: expects outlined kernel modules that hold only gpu.func ops}}
  gpu.module @a {
    gpu.func @k() kernel {
      gpu.return
    }
    llvm.func @helper()
  }
}
