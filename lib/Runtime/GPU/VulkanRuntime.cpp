//===- VulkanRuntime.cpp - Kiln's Vulkan compute launcher -----------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The runtime that code compiled with --target=vulkan calls: the `mgpu*`
// interface of MLIR's gpu-to-llvm (in the buffer layout of
// kiln-gpu-pack-launch-arguments) on top of Vulkan compute, loaded with dlopen so that
// nothing links against Vulkan at build time. Upstream's
// mlir/lib/ExecutionEngine/VulkanRuntimeWrappers.cpp is the model.
//
// Buffers live in the host's memory, where Kiln's host code allocates
// them; each launch copies its buffers into host-visible Vulkan buffers,
// dispatches, waits, and copies back the bytes that changed (so that
// read-only inputs, such as weights in an object's read-only data, are
// never written). Kernel launches are synchronous. Failures never abort:
// the launch is skipped, the error is kept for kiln_gpu_last_error(), and
// kiln_gpu_ok() reports it, which compiled entry points turn into their
// status.
//
//===----------------------------------------------------------------------===//

#include "kiln/Runtime/GPURuntime.h"

#include "LaunchABI.h"

#define VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#define KILN_EXPORT extern "C" __attribute__((visibility("default")))

using namespace kiln::gpu;

namespace {

// Vulkan entry points, loaded from libvulkan.so.1.
#define KILN_VK_INSTANCE_FUNCTIONS(X)                                          \
  X(vkDestroyInstance)                                                         \
  X(vkEnumeratePhysicalDevices)                                                \
  X(vkGetPhysicalDeviceProperties)                                             \
  X(vkGetPhysicalDeviceQueueFamilyProperties)                                  \
  X(vkGetPhysicalDeviceMemoryProperties)                                       \
  X(vkGetPhysicalDeviceFeatures2)                                              \
  X(vkCreateDevice)                                                            \
  X(vkGetDeviceProcAddr)
#define KILN_VK_DEVICE_FUNCTIONS(X)                                            \
  X(vkGetDeviceQueue)                                                          \
  X(vkCreateBuffer)                                                            \
  X(vkDestroyBuffer)                                                           \
  X(vkGetBufferMemoryRequirements)                                             \
  X(vkAllocateMemory)                                                          \
  X(vkFreeMemory)                                                              \
  X(vkBindBufferMemory)                                                        \
  X(vkMapMemory)                                                               \
  X(vkUnmapMemory)                                                             \
  X(vkCreateShaderModule)                                                      \
  X(vkDestroyShaderModule)                                                     \
  X(vkCreateDescriptorSetLayout)                                               \
  X(vkDestroyDescriptorSetLayout)                                              \
  X(vkCreatePipelineLayout)                                                    \
  X(vkDestroyPipelineLayout)                                                   \
  X(vkCreateComputePipelines)                                                  \
  X(vkDestroyPipeline)                                                         \
  X(vkCreateDescriptorPool)                                                    \
  X(vkDestroyDescriptorPool)                                                   \
  X(vkAllocateDescriptorSets)                                                  \
  X(vkUpdateDescriptorSets)                                                    \
  X(vkCreateCommandPool)                                                       \
  X(vkAllocateCommandBuffers)                                                  \
  X(vkFreeCommandBuffers)                                                      \
  X(vkBeginCommandBuffer)                                                      \
  X(vkEndCommandBuffer)                                                        \
  X(vkCmdBindPipeline)                                                         \
  X(vkCmdBindDescriptorSets)                                                   \
  X(vkCmdDispatch)                                                             \
  X(vkCreateFence)                                                             \
  X(vkDestroyFence)                                                            \
  X(vkQueueSubmit)                                                             \
  X(vkWaitForFences)

struct VulkanFunctions {
  PFN_vkGetInstanceProcAddr vkGetInstanceProcAddr = nullptr;
  PFN_vkCreateInstance vkCreateInstance = nullptr;
#define X(name) PFN_##name name = nullptr;
  KILN_VK_INSTANCE_FUNCTIONS(X)
  KILN_VK_DEVICE_FUNCTIONS(X)
#undef X
};

std::string resultName(VkResult result) {
  switch (result) {
  case VK_ERROR_OUT_OF_HOST_MEMORY:
    return "VK_ERROR_OUT_OF_HOST_MEMORY";
  case VK_ERROR_OUT_OF_DEVICE_MEMORY:
    return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
  case VK_ERROR_INITIALIZATION_FAILED:
    return "VK_ERROR_INITIALIZATION_FAILED";
  case VK_ERROR_DEVICE_LOST:
    return "VK_ERROR_DEVICE_LOST";
  case VK_ERROR_INCOMPATIBLE_DRIVER:
    return "VK_ERROR_INCOMPATIBLE_DRIVER";
  case VK_ERROR_FEATURE_NOT_PRESENT:
    return "VK_ERROR_FEATURE_NOT_PRESENT";
  case VK_ERROR_EXTENSION_NOT_PRESENT:
    return "VK_ERROR_EXTENSION_NOT_PRESENT";
  case VK_ERROR_INVALID_SHADER_NV:
    return "VK_ERROR_INVALID_SHADER_NV";
  case VK_TIMEOUT:
    return "VK_TIMEOUT";
  default:
    return "VkResult " + std::to_string(static_cast<int>(result));
  }
}

struct Module;

/// What mgpuModuleGetFunction returns: an entry point of a module, and its
/// pipeline once the first launch created it.
struct Function {
  Module *module;
  std::string name;
  uint32_t bindings = 0;
  VkDescriptorSetLayout setLayout = VK_NULL_HANDLE;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  VkPipeline pipeline = VK_NULL_HANDLE;
};

/// What mgpuModuleLoad returns: a copy of the SPIR-V binary, its shader
/// module once created, and the functions handed out.
struct Module {
  std::vector<uint32_t> code;
  VkShaderModule shader = VK_NULL_HANDLE;
  std::vector<std::unique_ptr<Function>> functions;
};

/// A host-visible buffer and its mapping.
struct Buffer {
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  void *mapped = nullptr;
};

class Runtime {
public:
  static Runtime &get() {
    static Runtime *runtime = new Runtime(); // never destroyed: see atExit
    return *runtime;
  }

  /// Initializes the instance and device once; false (with the error set)
  /// when there is no usable Vulkan device.
  bool initialize();
  void launch(Function *function, const uint32_t grid[3], void **params,
              size_t paramsCount);
  void destroy(Module *module);

  void fail(const std::string &message) { errors.fail(message); }
  bool check(VkResult result, const char *what) {
    if (result == VK_SUCCESS)
      return true;
    fail(std::string(what) + " failed: " + resultName(result));
    return false;
  }

  std::mutex lock;
  ErrorState errors;
  std::string deviceName;
  /// Set at exit, before the driver's own destructors may run: Vulkan
  /// objects are left to the process's end from then on.
  static inline bool exiting = false;

private:
  bool createPipeline(Function *function);
  bool createBuffer(VkDeviceSize size, Buffer &buffer);
  void destroyBuffer(Buffer &buffer);

  bool initialized = false;
  bool usable = false;
  std::string initError;
  void *library = nullptr;
  VulkanFunctions vk;
  VkInstance instance = VK_NULL_HANDLE;
  VkPhysicalDevice physical = VK_NULL_HANDLE;
  VkDevice device = VK_NULL_HANDLE;
  VkQueue queue = VK_NULL_HANDLE;
  uint32_t queueFamily = 0;
  uint32_t memoryType = 0;
  VkCommandPool commandPool = VK_NULL_HANDLE;
};

bool Runtime::initialize() {
  if (initialized) {
    if (!usable)
      fail(initError);
    return usable;
  }
  initialized = true;
  auto giveUp = [&](const std::string &message) {
    initError = "Vulkan: " + message;
    fail(initError);
    return false;
  };
  const char *path = std::getenv("KILN_VULKAN_LOADER");
  library = dlopen(path ? path : "libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!library)
    return giveUp(std::string("cannot load the Vulkan loader: ") + dlerror());
  vk.vkGetInstanceProcAddr = reinterpret_cast<PFN_vkGetInstanceProcAddr>(
      dlsym(library, "vkGetInstanceProcAddr"));
  if (!vk.vkGetInstanceProcAddr)
    return giveUp("the loader has no vkGetInstanceProcAddr");
  vk.vkCreateInstance = reinterpret_cast<PFN_vkCreateInstance>(
      vk.vkGetInstanceProcAddr(nullptr, "vkCreateInstance"));
  if (!vk.vkCreateInstance)
    return giveUp("the loader has no vkCreateInstance");

  VkApplicationInfo app{};
  app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
  app.pApplicationName = "kiln";
  app.pEngineName = "kiln";
  // 1.1 is what Kiln needs; 1.2 devices also report and take f16/i8
  // arithmetic (below).
  app.apiVersion = VK_API_VERSION_1_2;
  VkInstanceCreateInfo instanceInfo{};
  instanceInfo.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
  instanceInfo.pApplicationInfo = &app;
  VkResult result = vk.vkCreateInstance(&instanceInfo, nullptr, &instance);
  if (result != VK_SUCCESS)
    return giveUp("vkCreateInstance failed: " + resultName(result) +
                  " (is a Vulkan driver, e.g. mesa-vulkan-drivers, "
                  "installed?)");
#define X(name)                                                                \
  vk.name = reinterpret_cast<PFN_##name>(                                      \
      vk.vkGetInstanceProcAddr(instance, #name));                              \
  if (!vk.name)                                                                \
    return giveUp("no " #name);
  KILN_VK_INSTANCE_FUNCTIONS(X)
#undef X

  uint32_t count = 0;
  vk.vkEnumeratePhysicalDevices(instance, &count, nullptr);
  std::vector<VkPhysicalDevice> devices(count);
  if (count)
    vk.vkEnumeratePhysicalDevices(instance, &count, devices.data());
  if (devices.empty())
    return giveUp("no Vulkan device");
  // KILN_VULKAN_DEVICE picks a device by index; the first otherwise.
  size_t index = 0;
  if (const char *pick = std::getenv("KILN_VULKAN_DEVICE")) {
    index = std::strtoul(pick, nullptr, 10);
    if (index >= devices.size())
      return giveUp("KILN_VULKAN_DEVICE=" + std::string(pick) + " but there " +
                    (devices.size() == 1 ? "is 1 device"
                                         : "are " +
                                               std::to_string(devices.size()) +
                                               " devices"));
  }
  physical = devices[index];
  VkPhysicalDeviceProperties properties;
  vk.vkGetPhysicalDeviceProperties(physical, &properties);
  deviceName = properties.deviceName;

  uint32_t families = 0;
  vk.vkGetPhysicalDeviceQueueFamilyProperties(physical, &families, nullptr);
  std::vector<VkQueueFamilyProperties> familyProperties(families);
  vk.vkGetPhysicalDeviceQueueFamilyProperties(physical, &families,
                                              familyProperties.data());
  bool found = false;
  for (uint32_t i = 0; i < families && !found; ++i)
    if (familyProperties[i].queueFlags & VK_QUEUE_COMPUTE_BIT) {
      queueFamily = i;
      found = true;
    }
  if (!found)
    return giveUp(deviceName + " has no compute queue");

  VkPhysicalDeviceMemoryProperties memory;
  vk.vkGetPhysicalDeviceMemoryProperties(physical, &memory);
  found = false;
  const VkMemoryPropertyFlags wanted = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                       VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  for (uint32_t i = 0; i < memory.memoryTypeCount && !found; ++i)
    if ((memory.memoryTypes[i].propertyFlags & wanted) == wanted) {
      memoryType = i;
      found = true;
    }
  if (!found)
    return giveUp(deviceName + " has no host-visible coherent memory");

  // The widths Kiln's kernels use: 8- and 16-bit storage, 64-bit ints and
  // floats, 16-bit ints, as its target environment declares.
  VkPhysicalDeviceShaderFloat16Int8Features narrow{};
  narrow.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES;
  bool vulkan12 = properties.apiVersion >= VK_API_VERSION_1_2;
  VkPhysicalDevice8BitStorageFeatures storage8{};
  storage8.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_8BIT_STORAGE_FEATURES;
  storage8.pNext = vulkan12 ? &narrow : nullptr;
  VkPhysicalDevice16BitStorageFeatures storage16{};
  storage16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES;
  storage16.pNext = &storage8;
  VkPhysicalDeviceFeatures2 features{};
  features.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
  features.pNext = &storage16;
  vk.vkGetPhysicalDeviceFeatures2(physical, &features);
  if (!storage8.storageBuffer8BitAccess ||
      !storage16.storageBuffer16BitAccess || !features.features.shaderInt64 ||
      !features.features.shaderInt16 || !features.features.shaderFloat64)
    return giveUp(deviceName + " lacks a feature Kiln's kernels need "
                               "(8/16-bit storage buffers, Int16, Int64, "
                               "Float64)");
  // Enable only what is needed. f16 and i8 arithmetic are enabled where
  // the device has them; a kernel that needs them elsewhere fails to
  // build its pipeline, which the launch reports.
  VkPhysicalDeviceShaderFloat16Int8Features enableNarrow{};
  enableNarrow.sType =
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES;
  enableNarrow.shaderFloat16 = narrow.shaderFloat16;
  enableNarrow.shaderInt8 = narrow.shaderInt8;
  VkPhysicalDevice8BitStorageFeatures enable8{};
  enable8.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_8BIT_STORAGE_FEATURES;
  enable8.storageBuffer8BitAccess = VK_TRUE;
  enable8.pNext = vulkan12 ? &enableNarrow : nullptr;
  VkPhysicalDevice16BitStorageFeatures enable16{};
  enable16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES;
  enable16.storageBuffer16BitAccess = VK_TRUE;
  enable16.pNext = &enable8;
  VkPhysicalDeviceFeatures2 enable{};
  enable.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
  enable.pNext = &enable16;
  enable.features.shaderInt64 = VK_TRUE;
  enable.features.shaderInt16 = VK_TRUE;
  enable.features.shaderFloat64 = VK_TRUE;

  float priority = 1.0f;
  VkDeviceQueueCreateInfo queueInfo{};
  queueInfo.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
  queueInfo.queueFamilyIndex = queueFamily;
  queueInfo.queueCount = 1;
  queueInfo.pQueuePriorities = &priority;
  VkDeviceCreateInfo deviceInfo{};
  deviceInfo.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
  deviceInfo.pNext = &enable;
  deviceInfo.queueCreateInfoCount = 1;
  deviceInfo.pQueueCreateInfos = &queueInfo;
  result = vk.vkCreateDevice(physical, &deviceInfo, nullptr, &device);
  if (result != VK_SUCCESS)
    return giveUp("vkCreateDevice on " + deviceName +
                  " failed: " + resultName(result));
#define X(name)                                                                \
  vk.name =                                                                    \
      reinterpret_cast<PFN_##name>(vk.vkGetDeviceProcAddr(device, #name));     \
  if (!vk.name)                                                                \
    return giveUp("no " #name);
  KILN_VK_DEVICE_FUNCTIONS(X)
#undef X
  vk.vkGetDeviceQueue(device, queueFamily, 0, &queue);

  VkCommandPoolCreateInfo poolInfo{};
  poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
  poolInfo.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  poolInfo.queueFamilyIndex = queueFamily;
  result = vk.vkCreateCommandPool(device, &poolInfo, nullptr, &commandPool);
  if (result != VK_SUCCESS)
    return giveUp("vkCreateCommandPool failed: " + resultName(result));
  // Registered after the driver loaded, so it runs before the driver's
  // own teardown at exit.
  std::atexit([] { Runtime::exiting = true; });
  usable = true;
  return true;
}

bool Runtime::createPipeline(Function *function) {
  Module *module = function->module;
  if (!module->shader) {
    VkShaderModuleCreateInfo shaderInfo{};
    shaderInfo.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
    shaderInfo.codeSize = module->code.size() * sizeof(uint32_t);
    shaderInfo.pCode = module->code.data();
    if (!check(vk.vkCreateShaderModule(device, &shaderInfo, nullptr,
                                       &module->shader),
               "vkCreateShaderModule"))
      return false;
  }
  std::vector<VkDescriptorSetLayoutBinding> bindings(function->bindings);
  for (uint32_t i = 0; i < function->bindings; ++i) {
    bindings[i].binding = i;
    bindings[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    bindings[i].descriptorCount = 1;
    bindings[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
  }
  VkDescriptorSetLayoutCreateInfo setInfo{};
  setInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
  setInfo.bindingCount = function->bindings;
  setInfo.pBindings = bindings.data();
  if (!check(vk.vkCreateDescriptorSetLayout(device, &setInfo, nullptr,
                                            &function->setLayout),
             "vkCreateDescriptorSetLayout"))
    return false;
  VkPipelineLayoutCreateInfo layoutInfo{};
  layoutInfo.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
  layoutInfo.setLayoutCount = 1;
  layoutInfo.pSetLayouts = &function->setLayout;
  if (!check(vk.vkCreatePipelineLayout(device, &layoutInfo, nullptr,
                                       &function->layout),
             "vkCreatePipelineLayout"))
    return false;
  VkComputePipelineCreateInfo pipelineInfo{};
  pipelineInfo.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
  pipelineInfo.stage.sType =
      VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
  pipelineInfo.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  pipelineInfo.stage.module = module->shader;
  pipelineInfo.stage.pName = function->name.c_str();
  pipelineInfo.layout = function->layout;
  return check(vk.vkCreateComputePipelines(device, VK_NULL_HANDLE, 1,
                                           &pipelineInfo, nullptr,
                                           &function->pipeline),
               ("vkCreateComputePipelines for kernel '" + function->name + "'")
                   .c_str());
}

bool Runtime::createBuffer(VkDeviceSize size, Buffer &buffer) {
  VkBufferCreateInfo info{};
  info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
  info.size = size;
  info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  if (!check(vk.vkCreateBuffer(device, &info, nullptr, &buffer.buffer),
             "vkCreateBuffer"))
    return false;
  VkMemoryRequirements requirements;
  vk.vkGetBufferMemoryRequirements(device, buffer.buffer, &requirements);
  if (!(requirements.memoryTypeBits & (1u << memoryType))) {
    fail("Vulkan: buffers cannot live in host-visible memory on " +
         deviceName);
    return false;
  }
  VkMemoryAllocateInfo allocation{};
  allocation.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
  allocation.allocationSize = requirements.size;
  allocation.memoryTypeIndex = memoryType;
  return check(vk.vkAllocateMemory(device, &allocation, nullptr,
                                   &buffer.memory),
               "vkAllocateMemory") &&
         check(vk.vkBindBufferMemory(device, buffer.buffer, buffer.memory, 0),
               "vkBindBufferMemory") &&
         check(vk.vkMapMemory(device, buffer.memory, 0, VK_WHOLE_SIZE, 0,
                              &buffer.mapped),
               "vkMapMemory");
}

void Runtime::destroyBuffer(Buffer &buffer) {
  if (buffer.mapped)
    vk.vkUnmapMemory(device, buffer.memory);
  if (buffer.buffer)
    vk.vkDestroyBuffer(device, buffer.buffer, nullptr);
  if (buffer.memory)
    vk.vkFreeMemory(device, buffer.memory, nullptr);
}

void Runtime::launch(Function *function, const uint32_t grid[3],
                     void **params, size_t paramsCount) {
  if (!errors.ok || !initialize())
    return; // an earlier failure is reported first
  LaunchBuffers launchBuffers;
  if (std::string error =
          readLaunch(function->name, params, paramsCount, launchBuffers);
      !error.empty()) {
    fail(error);
    return;
  }
  uint32_t count = static_cast<uint32_t>(paramsCount / kFields);
  if (!function->pipeline) {
    function->bindings = count;
    if (!createPipeline(function))
      return;
  } else if (function->bindings != count) {
    fail("kernel '" + function->name + "' was launched with " +
         std::to_string(count) + " buffers, then with " +
         std::to_string(function->bindings));
    return;
  }

  const std::vector<void *> &hosts = launchBuffers.hosts;
  const std::vector<size_t> &sizes = launchBuffers.sizes;
  std::vector<Buffer> buffers(count);
  VkDescriptorPool pool = VK_NULL_HANDLE;
  VkCommandBuffer commands = VK_NULL_HANDLE;
  VkFence fence = VK_NULL_HANDLE;
  auto release = [&] {
    if (fence)
      vk.vkDestroyFence(device, fence, nullptr);
    if (commands)
      vk.vkFreeCommandBuffers(device, commandPool, 1, &commands);
    if (pool)
      vk.vkDestroyDescriptorPool(device, pool, nullptr);
    for (Buffer &buffer : buffers)
      destroyBuffer(buffer);
  };

  std::vector<VkDescriptorBufferInfo> bufferInfos(count);
  for (uint32_t i = 0; i < count; ++i) {
    // Whole 32-bit words, so that kernels that access narrow types
    // through wider words stay in bounds.
    VkDeviceSize size = (std::max<size_t>(sizes[i], 1) + 3) & ~size_t(3);
    if (!createBuffer(size, buffers[i]))
      return release();
    if (sizes[i])
      std::memcpy(buffers[i].mapped, hosts[i], sizes[i]);
    bufferInfos[i] = {buffers[i].buffer, 0, VK_WHOLE_SIZE};
  }

  VkDescriptorPoolSize poolSize{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                std::max(count, 1u)};
  VkDescriptorPoolCreateInfo poolInfo{};
  poolInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
  poolInfo.maxSets = 1;
  poolInfo.poolSizeCount = 1;
  poolInfo.pPoolSizes = &poolSize;
  if (!check(vk.vkCreateDescriptorPool(device, &poolInfo, nullptr, &pool),
             "vkCreateDescriptorPool"))
    return release();
  VkDescriptorSet set;
  VkDescriptorSetAllocateInfo setInfo{};
  setInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
  setInfo.descriptorPool = pool;
  setInfo.descriptorSetCount = 1;
  setInfo.pSetLayouts = &function->setLayout;
  if (!check(vk.vkAllocateDescriptorSets(device, &setInfo, &set),
             "vkAllocateDescriptorSets"))
    return release();
  std::vector<VkWriteDescriptorSet> writes(count);
  for (uint32_t i = 0; i < count; ++i) {
    writes[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
    writes[i].dstSet = set;
    writes[i].dstBinding = i;
    writes[i].descriptorCount = 1;
    writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    writes[i].pBufferInfo = &bufferInfos[i];
  }
  vk.vkUpdateDescriptorSets(device, count, writes.data(), 0, nullptr);

  VkCommandBufferAllocateInfo commandInfo{};
  commandInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
  commandInfo.commandPool = commandPool;
  commandInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  commandInfo.commandBufferCount = 1;
  if (!check(vk.vkAllocateCommandBuffers(device, &commandInfo, &commands),
             "vkAllocateCommandBuffers"))
    return release();
  VkCommandBufferBeginInfo begin{};
  begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  if (!check(vk.vkBeginCommandBuffer(commands, &begin),
             "vkBeginCommandBuffer"))
    return release();
  vk.vkCmdBindPipeline(commands, VK_PIPELINE_BIND_POINT_COMPUTE,
                       function->pipeline);
  vk.vkCmdBindDescriptorSets(commands, VK_PIPELINE_BIND_POINT_COMPUTE,
                             function->layout, 0, 1, &set, 0, nullptr);
  vk.vkCmdDispatch(commands, grid[0], grid[1], grid[2]);
  if (!check(vk.vkEndCommandBuffer(commands), "vkEndCommandBuffer"))
    return release();

  VkFenceCreateInfo fenceInfo{};
  fenceInfo.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
  if (!check(vk.vkCreateFence(device, &fenceInfo, nullptr, &fence),
             "vkCreateFence"))
    return release();
  VkSubmitInfo submit{};
  submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &commands;
  if (!check(vk.vkQueueSubmit(queue, 1, &submit, fence), "vkQueueSubmit") ||
      !check(vk.vkWaitForFences(device, 1, &fence, VK_TRUE, UINT64_MAX),
             ("kernel '" + function->name + "'").c_str()))
    return release();

  for (uint32_t i = 0; i < count; ++i)
    if (!launchBuffers.readOnly[i])
      copyBackIfChanged(hosts[i], buffers[i].mapped, sizes[i]);
  release();
}

void Runtime::destroy(Module *module) {
  if (device && !exiting) {
    for (auto &function : module->functions) {
      if (function->pipeline)
        vk.vkDestroyPipeline(device, function->pipeline, nullptr);
      if (function->layout)
        vk.vkDestroyPipelineLayout(device, function->layout, nullptr);
      if (function->setLayout)
        vk.vkDestroyDescriptorSetLayout(device, function->setLayout, nullptr);
    }
    if (module->shader)
      vk.vkDestroyShaderModule(device, module->shader, nullptr);
  }
  delete module;
}

} // namespace

//===----------------------------------------------------------------------===//
// The mgpu* interface of gpu-to-llvm
//===----------------------------------------------------------------------===//

KILN_EXPORT void *mgpuModuleLoad(const void *data, size_t size) {
  Runtime &runtime = Runtime::get();
  std::lock_guard<std::mutex> guard(runtime.lock);
  if (!data || size == 0 || size % 4 != 0 ||
      *static_cast<const uint32_t *>(data) != 0x07230203) {
    runtime.fail("Vulkan: the kernel module is not a SPIR-V binary");
    return nullptr;
  }
  auto *module = new Module();
  module->code.resize(size / 4);
  std::memcpy(module->code.data(), data, size);
  return module;
}

KILN_EXPORT void *mgpuModuleLoadJIT(void *, int) {
  Runtime &runtime = Runtime::get();
  std::lock_guard<std::mutex> guard(runtime.lock);
  runtime.fail("Vulkan: the kernels are PTX, which is for --target=cuda");
  return nullptr;
}

KILN_EXPORT void mgpuModuleUnload(void *module) {
  if (!module)
    return;
  Runtime &runtime = Runtime::get();
  std::lock_guard<std::mutex> guard(runtime.lock);
  runtime.destroy(static_cast<Module *>(module));
}

KILN_EXPORT void *mgpuModuleGetFunction(void *module, const char *name) {
  if (!module)
    return nullptr; // mgpuModuleLoad already failed and said why
  Runtime &runtime = Runtime::get();
  std::lock_guard<std::mutex> guard(runtime.lock);
  auto *m = static_cast<Module *>(module);
  m->functions.push_back(std::make_unique<Function>());
  m->functions.back()->module = m;
  m->functions.back()->name = name ? name : "";
  return m->functions.back().get();
}


KILN_EXPORT void mgpuLaunchKernel(void *function, intptr_t gridX,
                                  intptr_t gridY, intptr_t gridZ, intptr_t,
                                  intptr_t, intptr_t, int32_t, void *,
                                  void **params, void **, size_t paramsCount) {
  Runtime &runtime = Runtime::get();
  std::lock_guard<std::mutex> guard(runtime.lock);
  if (!function) {
    runtime.fail("Vulkan: a kernel of a module that failed to load was "
                 "launched");
    return;
  }
  uint32_t grid[3] = {static_cast<uint32_t>(gridX),
                      static_cast<uint32_t>(gridY),
                      static_cast<uint32_t>(gridZ)};
  runtime.launch(static_cast<Function *>(function), grid, params,
                 paramsCount);
}

//===----------------------------------------------------------------------===//
// Kiln's status interface and the streams
//===----------------------------------------------------------------------===//

KILN_GPU_RUNTIME_COMMON_INTERFACE(Runtime)
