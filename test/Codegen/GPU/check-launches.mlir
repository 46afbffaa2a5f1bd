// RUN: kiln-opt %s --split-input-file --kiln-gpu-check-launches | FileCheck %s

// Each launch in the function's body is followed by the runtime's verdict,
// asserted with a message that names the kernel (kiln-runtime-checks makes
// it the entry point's status).
// CHECK: llvm.func @kiln_gpu_ok() -> i32
// CHECK-LABEL: func.func @two_launches(
// CHECK: gpu.launch_func @kiln_kernels::@a
// CHECK: %[[S1:.+]] = llvm.call @kiln_gpu_ok() : () -> i32
// CHECK: %[[OK1:.+]] = arith.cmpi ne, %[[S1]], %{{.+}} : i32
// CHECK: cf.assert %[[OK1]], "GPU kernel 'a' failed (kiln_gpu_last_error() has the driver's message)"
// CHECK: gpu.launch_func @kiln_kernels::@b
// CHECK: %[[S2:.+]] = llvm.call @kiln_gpu_ok() : () -> i32
// CHECK: %[[OK2:.+]] = arith.cmpi ne, %[[S2]], %{{.+}} : i32
// CHECK: cf.assert %[[OK2]], "GPU kernel 'b' failed
// CHECK: return
module attributes {gpu.container_module} {
  func.func @two_launches() {
    %c1 = arith.constant 1 : index
    gpu.launch_func @kiln_kernels::@a blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    gpu.launch_func @kiln_kernels::@b blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    return
  }
  gpu.module @kiln_kernels {
    gpu.func @a() kernel {
      gpu.return
    }
    gpu.func @b() kernel {
      gpu.return
    }
  }
}

// -----

// A launch inside a loop is not checked where it is (a failure is sticky
// in the runtime; the next check in the body reports it), and a module
// without launches gets no declaration.
// CHECK-LABEL: func.func @in_loop(
// CHECK: scf.for
// CHECK-NEXT: gpu.launch_func
// CHECK-NEXT: }
// CHECK-NOT: kiln_gpu_ok
module attributes {gpu.container_module} {
  func.func @in_loop(%n: index) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    scf.for %i = %c0 to %n step %c1 {
      gpu.launch_func @kiln_kernels::@a blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    }
    return
  }
  gpu.module @kiln_kernels {
    gpu.func @a() kernel {
      gpu.return
    }
  }
}
