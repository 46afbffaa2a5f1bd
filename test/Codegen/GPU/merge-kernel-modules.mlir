// RUN: kiln-opt %s --split-input-file --kiln-gpu-merge-kernel-modules | FileCheck %s

// Two outlined modules become one: each kernel takes its module's name and
// the launches follow.
// CHECK-LABEL: func.func @two_kernels(
// CHECK: gpu.launch_func @kiln_kernels::@f_kernel blocks
// CHECK: gpu.launch_func @kiln_kernels::@f_kernel_0 blocks
// CHECK: gpu.module @kiln_kernels {
// CHECK: gpu.func @f_kernel(%{{.+}}: memref<4xf32>) kernel
// CHECK: gpu.func @f_kernel_0(%{{.+}}: memref<4xf32>) kernel
// CHECK-NOT: gpu.module
module attributes {gpu.container_module} {
  func.func @two_kernels(%a: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @f_kernel::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    gpu.launch_func @f_kernel_0::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    return
  }
  gpu.module @f_kernel {
    gpu.func @f_kernel(%arg0: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @f_kernel_0 {
    gpu.func @f_kernel(%arg0: memref<4xf32>) kernel {
      gpu.return
    }
  }
}

// -----

// A module of several kernels prefixes their names with the module's.
// CHECK-LABEL: func.func @several(
// CHECK: gpu.launch_func @kiln_kernels::@m_a blocks
// CHECK: gpu.launch_func @kiln_kernels::@m_b blocks
// CHECK: gpu.module @kiln_kernels {
// CHECK: gpu.func @m_a() kernel
// CHECK: gpu.func @m_b() kernel
module attributes {gpu.container_module} {
  func.func @several() {
    %c1 = arith.constant 1 : index
    gpu.launch_func @m::@a blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    gpu.launch_func @m::@b blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    return
  }
  gpu.module @m {
    gpu.func @a() kernel {
      gpu.return
    }
    gpu.func @b() kernel {
      gpu.return
    }
  }
}

// -----

// Already merged: nothing changes.
// CHECK-LABEL: func.func @merged(
// CHECK: gpu.launch_func @kiln_kernels::@k blocks
// CHECK: gpu.module @kiln_kernels {
// CHECK: gpu.func @k() kernel
module attributes {gpu.container_module} {
  func.func @merged() {
    %c1 = arith.constant 1 : index
    gpu.launch_func @kiln_kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    return
  }
  gpu.module @kiln_kernels {
    gpu.func @k() kernel {
      gpu.return
    }
  }
}
