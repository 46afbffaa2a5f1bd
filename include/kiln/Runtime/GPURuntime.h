/*===- GPURuntime.h - Kiln's GPU runtime, seen from C ---------------------===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*
 *
 * Code compiled with --target=vulkan calls Kiln's small GPU runtime
 * (libkiln_vulkan_runtime.so): the `mgpu*` launch interface that MLIR's
 * gpu-to-llvm emits, with each kernel buffer passed as a pointer and its
 * size in bytes. Applications link it next to the model's object; it loads
 * the Vulkan loader (libvulkan.so.1) itself, so nothing links against
 * Vulkan at build time. docs/codegen-gpu.md describes it.
 *
 *===----------------------------------------------------------------------===*/

#ifndef KILN_RUNTIME_GPURUNTIME_H
#define KILN_RUNTIME_GPURUNTIME_H

#ifdef __cplusplus
extern "C" {
#endif

/* Whether every kernel launch since the last call succeeded (1) or one
 * failed (0). Calling it clears the failure; compiled entry points call it
 * after each launch and return a status naming the kernel. */
int kiln_gpu_ok(void);

/* What went wrong in the last failed launch (the driver's result and the
 * step that failed), or "" if nothing did. Valid until the next launch. */
const char *kiln_gpu_last_error(void);

/* The name of the device kernels run on ("llvmpipe (LLVM 15.0.6, 256
 * bits)"), initializing the runtime; NULL, with kiln_gpu_last_error()
 * saying why, when there is no usable device. */
const char *kiln_gpu_device_name(void);

#ifdef __cplusplus
}
#endif

#endif /* KILN_RUNTIME_GPURUNTIME_H */
