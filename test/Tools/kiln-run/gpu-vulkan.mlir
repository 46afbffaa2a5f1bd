// REQUIRES: vulkan
// kiln-run with --target=vulkan: the JIT loads Kiln's Vulkan runtime and the
// kernels run on the Vulkan device (lavapipe in CI) against the expected
// values, dynamic dims included; a missing loader or runtime is an error
// that says what is missing, and the entry point's status names the kernel
// that failed.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; x = np.linspace(-2, 2, 15, dtype=np.float32).reshape(3, 5); np.save('%t/x.npy', x); np.save('%t/want.npy', np.maximum(x * 2, 0))"
// RUN: kiln-run %s --target=vulkan -i %t/x.npy --expect %t/want.npy | FileCheck %s --check-prefix=OK
// RUN: kiln-run %s --target=vulkan -i %t/x.npy --verify-each=reference 2>&1 | FileCheck %s --check-prefix=VERIFY
// RUN: env KILN_VULKAN_LOADER=/nonexistent/libvulkan.so.1 not kiln-run %s --target=vulkan -i %t/x.npy 2>&1 | FileCheck %s --check-prefix=LOADER
// RUN: env KILN_VULKAN_RUNTIME=/nonexistent/libkiln_vulkan_runtime.so not kiln-run %s --target=vulkan -i %t/x.npy 2>&1 | FileCheck %s --check-prefix=RUNTIME

// OK: result0: f32[3x5]
// OK: match
// The GPU lowering steps (in kernels, all of them) stay in the reference.
// VERIFY: reference lowering: {{[0-9]+}} of {{[0-9]+}} passes
// VERIFY: verify-each: every pass matches the reference
// LOADER: kiln-run: error: invocation failed: main: {{.*}}gpu-vulkan.mlir:[[# @LINE + 5]]:8: GPU kernel 'main_kernel' failed (kiln_gpu_last_error() has the driver's message): Vulkan: cannot load the Vulkan loader: /nonexistent/libvulkan.so.1
// RUNTIME: kiln-run: error: the Vulkan runtime (libkiln_vulkan_runtime.so) is not installed; looked for:
// RUNTIME-NEXT: /nonexistent/libkiln_vulkan_runtime.so
// RUNTIME-NEXT: (set KILN_VULKAN_RUNTIME to its path)
func.func @main(%x: tensor<?x5xf32>) -> tensor<?x5xf32> {
  %0 = kiln.add %x, %x : (tensor<?x5xf32>, tensor<?x5xf32>) -> tensor<?x5xf32>
  %1 = kiln.relu %0 : (tensor<?x5xf32>) -> tensor<?x5xf32>
  return %1 : tensor<?x5xf32>
}
