//===- LaunchABI.h - What Kiln's GPU runtimes share -------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The launch ABI of kiln-gpu-pack-launch-arguments as a runtime reads it,
// and the error state behind kiln_gpu_ok()/kiln_gpu_last_error(), shared
// by the Vulkan and CUDA runtimes (each its own small shared library).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_LIB_RUNTIME_GPU_LAUNCHABI_H
#define KILN_LIB_RUNTIME_GPU_LAUNCHABI_H

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

namespace kiln::gpu {

/// A 1-D memref's descriptor fields, as gpu-to-llvm passes each kernel
/// argument: allocated, aligned, offset, size, stride.
constexpr size_t kFields = 5, kAllocated = 0, kAligned = 1, kOffset = 2;

/// The buffers of one launch: the descriptor first, then the N buffers it
/// counts, each with its host pointer and size in bytes.
struct LaunchBuffers {
  std::vector<void *> hosts;
  std::vector<size_t> sizes;
  /// Buffers the kernel does not write: nothing to copy back.
  std::vector<bool> readOnly;
};

/// Bit 62 of a buffer's size word: the kernel only reads the buffer.
constexpr int64_t kReadOnlyBit = int64_t(1) << 62;

/// Reads the buffers of a launch of `kernel` from gpu-to-llvm's `params`;
/// an empty string on success, else what is wrong.
inline std::string readLaunch(const std::string &kernel, void **params,
                              size_t count, LaunchBuffers &buffers) {
  const int64_t *descriptor =
      count >= kFields
          ? *static_cast<const int64_t *const *>(params[kAligned])
          : nullptr;
  if (!descriptor || count % kFields != 0 || descriptor[0] < 2 ||
      descriptor[1] < 0 || descriptor[0] < 2 + descriptor[1] ||
      static_cast<size_t>(descriptor[1]) + 1 != count / kFields)
    return "kernel '" + kernel + "' was launched with " +
           std::to_string(count) +
           " parameters that do not follow Kiln's launch ABI (a descriptor "
           "buffer, then the buffers it counts)";
  size_t n = count / kFields;
  buffers.hosts.resize(n);
  buffers.sizes.resize(n);
  buffers.readOnly.assign(n, true);
  for (size_t i = 0; i < n; ++i) {
    if (*static_cast<int64_t *>(params[kFields * i + kOffset]) != 0)
      return "kernel '" + kernel + "': buffer #" + std::to_string(i) +
             " has an offset; Kiln's launch ABI passes base pointers";
    buffers.hosts[i] = *static_cast<void **>(params[kFields * i + kAligned]);
    if (i == 0) {
      buffers.sizes[i] = static_cast<size_t>(descriptor[0]) * 8;
    } else {
      int64_t word = descriptor[1 + i];
      buffers.readOnly[i] = (word & kReadOnlyBit) != 0;
      buffers.sizes[i] = static_cast<size_t>(word & ~kReadOnlyBit);
    }
    if (!buffers.hosts[i] && buffers.sizes[i])
      return "kernel '" + kernel + "': buffer #" + std::to_string(i) +
             " is NULL";
  }
  return "";
}

/// Copies a kernel's view of a buffer back to the host, only if it changed:
/// inputs may be read-only (weights in an object's read-only data).
inline void copyBackIfChanged(void *host, const void *device, size_t size) {
  if (size && std::memcmp(host, device, size) != 0)
    std::memcpy(host, device, size);
}

/// The first failure since kiln_gpu_ok() last looked, and the last one it
/// collected. Callers hold their runtime's lock.
struct ErrorState {
  bool ok = true;
  std::string error, lastError;

  void fail(const std::string &message) {
    if (ok)
      error = message;
    ok = false;
  }
  /// kiln_gpu_ok(): whether nothing failed; clears the failure.
  int collect() {
    bool wasOk = ok;
    if (!ok) {
      lastError = error;
      error.clear();
      ok = true;
    }
    return wasOk;
  }
  /// kiln_gpu_last_error(): a failure not yet collected counts too.
  const char *last() const { return ok ? lastError.c_str() : error.c_str(); }
};

} // namespace kiln::gpu

/// Defines the exported status interface of GPURuntime.h and the streams of
/// the mgpu* interface (launches are synchronous: a stream is a token) for
/// a runtime class with `get()`, `lock`, `errors`, `initialize()` and
/// `deviceName`.
#define KILN_GPU_RUNTIME_COMMON_INTERFACE(Runtime)                             \
  namespace {                                                                  \
  int streamToken;                                                             \
  }                                                                            \
  extern "C" __attribute__((visibility("default"))) void *mgpuStreamCreate() { \
    return &streamToken;                                                       \
  }                                                                            \
  extern "C" __attribute__((visibility("default"))) void mgpuStreamDestroy(    \
      void *) {}                                                               \
  extern "C" __attribute__((visibility("default"))) void                       \
  mgpuStreamSynchronize(void *) {}                                             \
  extern "C" __attribute__((visibility("default"))) int kiln_gpu_ok(void) {    \
    Runtime &runtime = Runtime::get();                                         \
    std::lock_guard<std::mutex> guard(runtime.lock);                           \
    return runtime.errors.collect();                                           \
  }                                                                            \
  extern "C" __attribute__((visibility("default"))) const char *               \
  kiln_gpu_last_error(void) {                                                  \
    Runtime &runtime = Runtime::get();                                         \
    std::lock_guard<std::mutex> guard(runtime.lock);                           \
    return runtime.errors.last();                                              \
  }                                                                            \
  /* Asking is not a launch: a failure here is reported by                     \
     kiln_gpu_last_error(), not by the next kiln_gpu_ok(). */                  \
  extern "C" __attribute__((visibility("default"))) const char *               \
  kiln_gpu_device_name(void) {                                                 \
    Runtime &runtime = Runtime::get();                                         \
    std::lock_guard<std::mutex> guard(runtime.lock);                           \
    bool wasOk = runtime.errors.ok;                                            \
    if (!runtime.initialize()) {                                               \
      if (wasOk)                                                               \
        runtime.errors.collect();                                              \
      return nullptr;                                                          \
    }                                                                          \
    return runtime.deviceName.c_str();                                         \
  }

#endif // KILN_LIB_RUNTIME_GPU_LAUNCHABI_H
