//===- CudaRuntime.cpp - Kiln's CUDA driver launcher ----------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The runtime that code compiled with --target=cuda calls: the `mgpu*`
// interface of MLIR's gpu-to-llvm (in the buffer layout of
// kiln-gpu-pack-launch-arguments) on the CUDA driver API, which it loads
// with dlopen (libcuda.so.1), so that nothing links against CUDA at build
// time. Upstream's mlir/lib/ExecutionEngine/CudaRuntimeWrappers.cpp is the
// model.
//
// Buffers live in the host's memory, where Kiln's host code allocates
// them; each launch copies its buffers to device memory, runs the kernel
// on the primary context of the device (KILN_CUDA_DEVICE, else 0), waits,
// and copies back the bytes that changed (read-only inputs are never
// written). The PTX in the object is compiled by the driver for the GPU at
// hand. Failures never abort: the launch is skipped, and kiln_gpu_ok()
// reports the driver's error, which compiled entry points turn into their
// status.
//
//===----------------------------------------------------------------------===//

#include "kiln/Runtime/GPURuntime.h"

#include "LaunchABI.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#define KILN_EXPORT extern "C" __attribute__((visibility("default")))

using namespace kiln::gpu;

namespace {

// The few driver API types and entry points used, as cuda.h declares them
// (the driver's ABI is stable; no CUDA headers are needed to build this).
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
constexpr CUresult CUDA_SUCCESS = 0;
constexpr int CU_JIT_OPTIMIZATION_LEVEL = 7;

#define KILN_CUDA_FUNCTIONS(X)                                                 \
  X(cuInit, CUresult (*)(unsigned))                                            \
  X(cuDeviceGetCount, CUresult (*)(int *))                                     \
  X(cuDeviceGet, CUresult (*)(CUdevice *, int))                                \
  X(cuDeviceGetName, CUresult (*)(char *, int, CUdevice))                      \
  X(cuDevicePrimaryCtxRetain, CUresult (*)(CUcontext *, CUdevice))             \
  X(cuCtxSetCurrent, CUresult (*)(CUcontext))                                  \
  X(cuCtxSynchronize, CUresult (*)())                                          \
  X(cuModuleLoadData, CUresult (*)(CUmodule *, const void *))                  \
  X(cuModuleLoadDataEx, CUresult (*)(CUmodule *, const void *, unsigned,      \
                                     int *, void **))                          \
  X(cuModuleUnload, CUresult (*)(CUmodule))                                    \
  X(cuModuleGetFunction, CUresult (*)(CUfunction *, CUmodule, const char *))   \
  X(cuMemAlloc_v2, CUresult (*)(CUdeviceptr *, size_t))                        \
  X(cuMemFree_v2, CUresult (*)(CUdeviceptr))                                   \
  X(cuMemcpyHtoD_v2, CUresult (*)(CUdeviceptr, const void *, size_t))          \
  X(cuMemcpyDtoH_v2, CUresult (*)(void *, CUdeviceptr, size_t))                \
  X(cuLaunchKernel,                                                            \
    CUresult (*)(CUfunction, unsigned, unsigned, unsigned, unsigned,           \
                 unsigned, unsigned, unsigned, CUstream, void **, void **))    \
  X(cuGetErrorName, CUresult (*)(CUresult, const char **))

struct CudaFunctions {
#define X(name, type)                                                          \
  using name##_t = type;                                                       \
  name##_t name = nullptr;
  KILN_CUDA_FUNCTIONS(X)
#undef X
};

/// What mgpuModuleLoad returns: the code until a launch needs it loaded
/// (the driver may be missing; loading then would fail at program start,
/// in a global constructor), and the module once loaded.
struct Module {
  std::vector<char> code;
  bool ptx = false;
  int optLevel = 2;
  CUmodule module = nullptr;
};

struct Function {
  Module *module;
  std::string name;
  CUfunction function = nullptr;
};

class Runtime {
public:
  static Runtime &get() {
    static Runtime *runtime = new Runtime(); // never destroyed
    return *runtime;
  }

  bool initialize();
  void launch(Function *function, const unsigned grid[3],
              const unsigned block[3], unsigned sharedMemory, void **params,
              size_t paramsCount);
  std::string errorName(CUresult result) {
    const char *name = nullptr;
    if (cu.cuGetErrorName)
      cu.cuGetErrorName(result, &name);
    return name ? name : "CUresult " + std::to_string(result);
  }
  bool check(CUresult result, const std::string &what) {
    if (result == CUDA_SUCCESS)
      return true;
    errors.fail("CUDA: " + what + " failed: " + errorName(result));
    return false;
  }

  std::mutex lock;
  ErrorState errors;
  std::string deviceName;
  CudaFunctions cu;
  /// Modules and functions live as long as the process: the driver may
  /// already be torn down when global destructors unload them.
  std::vector<std::unique_ptr<Module>> modules;
  std::vector<std::unique_ptr<Function>> functions;

private:
  bool initialized = false, usable = false;
  std::string initError;
  CUcontext context = nullptr;
};

bool Runtime::initialize() {
  if (initialized) {
    if (!usable)
      errors.fail(initError);
    return usable;
  }
  initialized = true;
  auto giveUp = [&](const std::string &message) {
    initError = "CUDA: " + message;
    errors.fail(initError);
    return false;
  };
  const char *path = std::getenv("KILN_CUDA_DRIVER");
  void *library = dlopen(path ? path : "libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!library)
    return giveUp(std::string("cannot load the CUDA driver (no NVIDIA "
                              "driver installed?): ") +
                  dlerror());
#define X(name, type)                                                          \
  cu.name = reinterpret_cast<CudaFunctions::name##_t>(dlsym(library, #name)); \
  if (!cu.name)                                                                \
    return giveUp("the driver has no " #name);
  KILN_CUDA_FUNCTIONS(X)
#undef X
  if (CUresult result = cu.cuInit(0); result != CUDA_SUCCESS)
    return giveUp("cuInit failed: " + errorName(result) + " (no NVIDIA GPU?)");
  int count = 0;
  if (cu.cuDeviceGetCount(&count) != CUDA_SUCCESS || count == 0)
    return giveUp("no CUDA device");
  int index = 0;
  if (const char *pick = std::getenv("KILN_CUDA_DEVICE")) {
    index = std::atoi(pick);
    if (index < 0 || index >= count)
      return giveUp("KILN_CUDA_DEVICE=" + std::string(pick) + " but there " +
                    (count == 1 ? "is 1 device"
                                : "are " + std::to_string(count) +
                                      " devices"));
  }
  CUdevice device;
  char name[256] = {0};
  if (CUresult result = cu.cuDeviceGet(&device, index); result != CUDA_SUCCESS)
    return giveUp("cuDeviceGet failed: " + errorName(result));
  if (CUresult result = cu.cuDeviceGetName(name, sizeof(name) - 1, device);
      result != CUDA_SUCCESS)
    return giveUp("cuDeviceGetName failed: " + errorName(result));
  if (CUresult result = cu.cuDevicePrimaryCtxRetain(&context, device);
      result != CUDA_SUCCESS)
    return giveUp("cuDevicePrimaryCtxRetain on " + std::string(name) +
                  " failed: " + errorName(result));
  deviceName = name;
  usable = true;
  return true;
}

void Runtime::launch(Function *function, const unsigned grid[3],
                     const unsigned block[3], unsigned sharedMemory,
                     void **params, size_t paramsCount) {
  if (!errors.ok || !initialize())
    return; // an earlier failure is reported first
  if (!check(cu.cuCtxSetCurrent(context), "cuCtxSetCurrent"))
    return;
  Module *module = function->module;
  if (!module->module) {
    CUresult result;
    if (module->ptx) {
      int options[] = {CU_JIT_OPTIMIZATION_LEVEL};
      void *values[] = {reinterpret_cast<void *>(
          static_cast<intptr_t>(module->optLevel))};
      result = cu.cuModuleLoadDataEx(&module->module, module->code.data(), 1,
                                     options, values);
    } else {
      result = cu.cuModuleLoadData(&module->module, module->code.data());
    }
    if (!check(result, "loading the kernels (cuModuleLoadData) on " +
                           deviceName))
      return;
  }
  if (!function->function &&
      !check(cu.cuModuleGetFunction(&function->function, module->module,
                                    function->name.c_str()),
             "cuModuleGetFunction for kernel '" + function->name + "'"))
    return;

  LaunchBuffers buffers;
  if (std::string error =
          readLaunch(function->name, params, paramsCount, buffers);
      !error.empty()) {
    errors.fail(error);
    return;
  }
  size_t count = buffers.hosts.size();
  std::vector<CUdeviceptr> device(count, 0);
  auto release = [&] {
    for (CUdeviceptr p : device)
      if (p)
        cu.cuMemFree_v2(p);
  };
  for (size_t i = 0; i < count; ++i) {
    if (!check(cu.cuMemAlloc_v2(&device[i], std::max<size_t>(
                                                buffers.sizes[i], 4)),
               "cuMemAlloc of " + std::to_string(buffers.sizes[i]) +
                   " bytes for kernel '" + function->name + "'"))
      return release();
    if (buffers.sizes[i] &&
        !check(cu.cuMemcpyHtoD_v2(device[i], buffers.hosts[i],
                                  buffers.sizes[i]),
               "cuMemcpyHtoD"))
      return release();
  }
  // The kernel's parameters: each buffer's five descriptor fields, with
  // its device pointer for the allocated and aligned ones.
  std::vector<uint64_t> values(paramsCount);
  std::vector<void *> pointers(paramsCount);
  for (size_t j = 0; j < paramsCount; ++j) {
    size_t field = j % kFields;
    values[j] = field == kAllocated || field == kAligned
                    ? static_cast<uint64_t>(device[j / kFields])
                    : *static_cast<uint64_t *>(params[j]);
    pointers[j] = &values[j];
  }
  if (!check(cu.cuLaunchKernel(function->function, grid[0], grid[1], grid[2],
                               block[0], block[1], block[2], sharedMemory,
                               nullptr, pointers.data(), nullptr),
             "cuLaunchKernel of kernel '" + function->name + "'") ||
      !check(cu.cuCtxSynchronize(), "kernel '" + function->name + "'"))
    return release();
  std::vector<char> staging;
  for (size_t i = 0; i < count; ++i) {
    if (buffers.readOnly[i])
      continue; // inputs and weights: nothing comes back
    staging.resize(buffers.sizes[i]);
    if (buffers.sizes[i] &&
        !check(cu.cuMemcpyDtoH_v2(staging.data(), device[i],
                                  buffers.sizes[i]),
               "cuMemcpyDtoH"))
      return release();
    copyBackIfChanged(buffers.hosts[i], staging.data(), buffers.sizes[i]);
  }
  release();
}

} // namespace

//===----------------------------------------------------------------------===//
// The mgpu* interface of gpu-to-llvm
//===----------------------------------------------------------------------===//

/// A fatbin (a cubin for the chip and the PTX) or a cubin.
KILN_EXPORT void *mgpuModuleLoad(const void *data, size_t size) {
  Runtime &runtime = Runtime::get();
  std::lock_guard<std::mutex> guard(runtime.lock);
  auto module = std::make_unique<Module>();
  module->code.assign(static_cast<const char *>(data),
                      static_cast<const char *>(data) + size);
  runtime.modules.push_back(std::move(module));
  return runtime.modules.back().get();
}

/// PTX, NUL-terminated, which the driver compiles at `optLevel`.
KILN_EXPORT void *mgpuModuleLoadJIT(void *data, int optLevel) {
  Runtime &runtime = Runtime::get();
  std::lock_guard<std::mutex> guard(runtime.lock);
  auto module = std::make_unique<Module>();
  const char *text = static_cast<const char *>(data);
  module->code.assign(text, text + std::strlen(text) + 1);
  module->ptx = true;
  module->optLevel = optLevel;
  runtime.modules.push_back(std::move(module));
  return runtime.modules.back().get();
}

KILN_EXPORT void mgpuModuleUnload(void *) {
  // Modules live as long as the process (Runtime::modules).
}

KILN_EXPORT void *mgpuModuleGetFunction(void *module, const char *name) {
  if (!module)
    return nullptr;
  Runtime &runtime = Runtime::get();
  std::lock_guard<std::mutex> guard(runtime.lock);
  auto &function = runtime.functions.emplace_back(std::make_unique<Function>());
  function->module = static_cast<Module *>(module);
  function->name = name ? name : "";
  return function.get();
}


KILN_EXPORT void mgpuLaunchKernel(void *function, intptr_t gridX,
                                  intptr_t gridY, intptr_t gridZ,
                                  intptr_t blockX, intptr_t blockY,
                                  intptr_t blockZ, int32_t sharedMemory,
                                  void *, void **params, void **,
                                  size_t paramsCount) {
  Runtime &runtime = Runtime::get();
  std::lock_guard<std::mutex> guard(runtime.lock);
  if (!function) {
    runtime.errors.fail("CUDA: a kernel of a module that failed to load "
                        "was launched");
    return;
  }
  unsigned grid[3] = {static_cast<unsigned>(gridX),
                      static_cast<unsigned>(gridY),
                      static_cast<unsigned>(gridZ)};
  unsigned block[3] = {static_cast<unsigned>(blockX),
                       static_cast<unsigned>(blockY),
                       static_cast<unsigned>(blockZ)};
  runtime.launch(static_cast<Function *>(function), grid, block,
                 static_cast<unsigned>(sharedMemory), params, paramsCount);
}

//===----------------------------------------------------------------------===//
// Kiln's status interface and the streams
//===----------------------------------------------------------------------===//

KILN_GPU_RUNTIME_COMMON_INTERFACE(Runtime)
