//===- Jit.cpp - In-process compilation and execution ---------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Runtime/Jit.h"

#include "JitMemory.h"

#include "kiln/Runtime/Threads.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include <cstdlib>
#include <dlfcn.h>
#include <mutex>

using namespace mlir;
using namespace mlir::kiln;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Where the GPU runtime libraries may be, best first.
static std::vector<std::string> getGPURuntimeCandidates(StringRef file) {
  std::vector<std::string> candidates;
  // Next to the binary holding this code: build/bin/kiln-run and
  // <prefix>/bin/kiln-run use ../lib; the Python extension uses its own
  // directory's lib/.
  Dl_info info;
  if (dladdr(reinterpret_cast<void *>(&getGPURuntimeCandidates), &info) &&
      info.dli_fname) {
    llvm::SmallString<256> dir(info.dli_fname);
    llvm::sys::path::remove_filename(dir);
    for (StringRef relative : {"../lib", "lib", "."}) {
      llvm::SmallString<256> path(dir);
      llvm::sys::path::append(path, relative, file);
      candidates.push_back(path.str().str());
    }
  }
#ifdef KILN_BUILD_LIB_DIR
  candidates.push_back((KILN_BUILD_LIB_DIR "/" + file).str());
#endif
#ifdef KILN_INSTALL_LIB_DIR
  candidates.push_back((KILN_INSTALL_LIB_DIR "/" + file).str());
#endif
  return candidates;
}

llvm::Expected<void *> mlir::kiln::loadGPURuntime(StringRef gpuTarget) {
  if (gpuTarget != "vulkan" && gpuTarget != "cuda")
    return makeError("no runtime for GPU target '" + gpuTarget + "'");
  // Each runtime is loaded privately (both define the mgpu* interface);
  // JIT-compiled code is linked to it explicitly.
  static std::mutex lock;
  static llvm::StringMap<void *> loaded;
  std::lock_guard<std::mutex> guard(lock);
  if (void *handle = loaded.lookup(gpuTarget))
    return handle;
  std::string file = ("libkiln_" + gpuTarget + "_runtime.so").str();
  std::string variable = gpuTarget == "vulkan" ? "KILN_VULKAN_RUNTIME"
                                               : "KILN_CUDA_RUNTIME";
  std::string what = gpuTarget == "vulkan" ? "Vulkan" : "CUDA";
  std::vector<std::string> candidates;
  if (const char *path = std::getenv(variable.c_str()))
    candidates.push_back(path);
  else
    candidates = getGPURuntimeCandidates(file);
  for (const std::string &path : candidates) {
    if (!llvm::sys::fs::exists(path))
      continue;
    void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle)
      return makeError("cannot load the " + what + " runtime '" + path +
                       "': " + dlerror());
    loaded[gpuTarget] = handle;
    return handle;
  }
  std::string tried;
  for (const std::string &path : candidates)
    tried += "\n  " + path;
  return makeError("the " + what + " runtime (" + file +
                   ") is not installed; looked for:" + tried + "\n(set " +
                   variable + " to its path)");
}

/// Calls the runtime of `gpuTarget`'s `const char *symbol(void)`.
static std::string callGPURuntime(StringRef gpuTarget, const char *symbol) {
  llvm::Expected<void *> handle = loadGPURuntime(gpuTarget);
  if (!handle) {
    llvm::consumeError(handle.takeError());
    return "";
  }
  auto *fn = reinterpret_cast<const char *(*)()>(dlsym(*handle, symbol));
  const char *text = fn ? fn() : nullptr;
  return text ? text : "";
}

std::string mlir::kiln::getGPURuntimeError(StringRef gpuTarget) {
  return callGPURuntime(gpuTarget, "kiln_gpu_last_error");
}

std::string mlir::kiln::getGPUDeviceName(StringRef gpuTarget) {
  return callGPURuntime(gpuTarget, "kiln_gpu_device_name");
}

/// The functions of the GPU runtime that compiled host code calls.
static constexpr const char *kGPURuntimeSymbols[] = {
    "mgpuModuleLoad",        "mgpuModuleLoadJIT",     "mgpuModuleUnload",
    "mgpuModuleGetFunction", "mgpuStreamCreate",      "mgpuStreamDestroy",
    "mgpuStreamSynchronize", "mgpuLaunchKernel",      "kiln_gpu_ok"};

llvm::Expected<std::unique_ptr<JitModule>>
JitModule::create(ModuleOp module, std::vector<EntryPoint> entries,
                  const JitOptions &options) {
  if (options.optLevel > 3)
    return makeError("optimization level " + llvm::Twine(options.optLevel) +
                     " is not 0-3");
  static bool initialized = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)initialized;
  // One target machine generates the code, another tells the LLVM
  // optimizer the target's costs (vector widths) as kiln-compile does.
  auto tm = createTargetMachine(options.target, options.optLevel);
  if (!tm)
    return tm.takeError();
  auto optimizerTm = createTargetMachine(options.target, options.optLevel);
  if (!optimizerTm)
    return optimizerTm.takeError();

  if (llvm::Error err = setUpOpenMP(options.numThreads))
    return std::move(err);

  void *gpuRuntime = nullptr;
  if (!options.gpuTarget.empty()) {
    llvm::Expected<void *> handle = loadGPURuntime(options.gpuTarget);
    if (!handle)
      return handle.takeError();
    gpuRuntime = *handle;
  }

  std::unique_ptr<JitModule> jit(new JitModule());
  jit->gpuTarget = options.gpuTarget;
  jit->optimizerTargetMachine = std::move(*optimizerTm);
  // The engine keeps a reference to the transformer; the module owns it.
  jit->transformer = makeOptimizingTransformer(
      options.optLevel, 0, jit->optimizerTargetMachine.get());
  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = jit->transformer;
  engineOptions.enableObjectDump = options.keepObject;
  // Code and data within 2 GiB of each other, as the small code model
  // needs: one reserved range per module (address space only; 4 GiB
  // covers code and the largest constants a module embeds).
  jit->memory = std::make_unique<NearbyMemoryMapper>(size_t(4) << 30);
  engineOptions.sectionMemoryMapper = jit->memory.get();
  engineOptions.jitCodeGenOptLevel =
      options.optLevel == 0 ? llvm::CodeGenOptLevel::None
                            : llvm::CodeGenOptLevel::Aggressive;
  auto engine = ExecutionEngine::create(module, engineOptions, std::move(*tm));
  if (!engine)
    return makeError("JIT compilation failed: " +
                     llvm::toString(engine.takeError()));
  jit->engine = std::move(*engine);
  if (gpuRuntime)
    jit->engine->registerSymbols([&](llvm::orc::MangleAndInterner interner) {
      llvm::orc::SymbolMap symbols;
      for (const char *name : kGPURuntimeSymbols)
        if (void *address = dlsym(gpuRuntime, name))
          symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                                     llvm::JITSymbolFlags::Exported};
      return symbols;
    });
  jit->entries = std::move(entries);
  // Materialize the code now rather than on the first call, so that
  // compilation errors and compile time belong to `create`.
  for (const EntryPoint &e : jit->entries) {
    auto fn = jit->engine->lookupPacked("_mlir_ciface_" + e.name);
    if (!fn)
      return makeError("JIT compilation of " + e.name +
                       " failed: " + llvm::toString(fn.takeError()));
  }
  return jit;
}

JitModule::~JitModule() = default;

llvm::Expected<std::string> JitModule::getObject() const {
  // ExecutionEngine hands its object cache out only as a file.
  llvm::SmallString<128> path;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("kiln-jit", "o", path))
    return makeError("cannot create a temporary object file: " + ec.message());
  llvm::FileRemover remover(path);
  engine->dumpToObjectFile(path);
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer || (*buffer)->getBufferSize() == 0)
    return makeError("the JIT kept no object (create it with keepObject)");
  return (*buffer)->getBuffer().str();
}

llvm::Error JitModule::setNumThreads(int numThreads) {
  return setUpOpenMP(numThreads);
}

const EntryPoint *JitModule::lookup(StringRef name) const {
  if (name.empty())
    return entries.empty() ? nullptr : &entries.front();
  for (const EntryPoint &e : entries)
    if (e.name == name)
      return &e;
  return nullptr;
}

/// Views of host arrays, read in place.
static SmallVector<ArrayView> viewsOf(ArrayRef<HostArray> arrays) {
  return llvm::map_to_vector(arrays, ArrayView::of);
}

std::string mlir::kiln::checkInputs(const EntryPoint &entry,
                                    ArrayRef<HostArray> inputs) {
  return checkInputs(entry, viewsOf(inputs));
}

std::string mlir::kiln::checkInputs(const EntryPoint &entry,
                                    ArrayRef<ArrayView> inputs) {
  if (inputs.size() != entry.inputs.size())
    return entry.name + " takes " + std::to_string(entry.inputs.size()) +
           " inputs but " + std::to_string(inputs.size()) + " were given";
  SmallVector<SmallVector<int64_t>> shapes;
  for (auto [i, spec] : llvm::enumerate(entry.inputs)) {
    if (inputs[i].elementType != spec.elementType)
      return entry.name + ": input " + spec.name + " has element type " +
             inputs[i].elementType.str() + ", expected " + spec.elementType;
    uint64_t bytes = HostArray::elementBytes(spec.elementType);
    bool overflow = false;
    for (int64_t d : inputs[i].shape)
      overflow |= __builtin_mul_overflow(
          bytes, static_cast<uint64_t>(std::max<int64_t>(d, 0)), &bytes);
    if (llvm::is_contained(inputs[i].shape, 0))
      bytes = 0, overflow = false;
    if (overflow || bytes > static_cast<uint64_t>(INT64_MAX))
      return entry.name + ": input " + spec.name +
             " has more bytes than fit in 64 bits";
    if (inputs[i].bytes < bytes || (bytes && !inputs[i].data))
      return entry.name + ": input " + spec.name + " holds " +
             std::to_string(inputs[i].data ? inputs[i].bytes : 0) +
             " bytes, fewer than its shape needs";
    shapes.emplace_back(inputs[i].shape.begin(), inputs[i].shape.end());
  }
  return checkInputShapes(entry, shapes);
}

/// Word layout of an MLIR memref descriptor: allocated, aligned, offset,
/// sizes[rank], strides[rank].
static std::vector<int64_t> makeDescriptor(const void *data,
                                           ArrayRef<int64_t> shape) {
  std::vector<int64_t> d = {reinterpret_cast<int64_t>(data),
                            reinterpret_cast<int64_t>(data), 0};
  d.insert(d.end(), shape.begin(), shape.end());
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  d.insert(d.end(), strides.begin(), strides.end());
  return d;
}

llvm::Error JitModule::invoke(const EntryPoint &entry,
                              ArrayRef<ArrayView> inputs,
                              std::vector<int64_t> &resultWords) {
  std::vector<std::vector<int64_t>> descriptors;
  for (const ArrayView &a : inputs)
    descriptors.push_back(makeDescriptor(a.data, a.shape));
  // The results' descriptors, then the status word (kiln-runtime-checks):
  // null, or a message naming the check that failed.
  size_t words = 1;
  for (const TensorSpec &r : entry.results)
    words += 3 + 2 * r.shape.size();
  resultWords.assign(words, 0);
  void *resultPtr = resultWords.data();
  // No buffer of the caller's for any result (kiln-results-in-caller-
  // buffers): the kernel allocates each, and the caller owns it.
  for (size_t i = 0; i < entry.results.size(); ++i)
    descriptors.push_back({0, 0, 0, 0, 1});
  std::vector<void *> descPtrs;
  for (auto &d : descriptors)
    descPtrs.push_back(d.data());
  // With tensor results the C interface returns a struct through its first
  // argument; with only the status it returns the pointer by value, which
  // invokePacked stores through its last argument.
  SmallVector<void *> packed;
  if (!entry.results.empty())
    packed.push_back(&resultPtr);
  for (void *&p : descPtrs)
    packed.push_back(&p);
  if (entry.results.empty())
    packed.push_back(resultPtr);
  if (llvm::Error err =
          engine->invokePacked("_mlir_ciface_" + entry.name, packed))
    return err;
  if (const char *status = reinterpret_cast<const char *>(resultWords.back())) {
    std::string message = status;
    if (!gpuTarget.empty())
      if (std::string gpuError = getGPURuntimeError(gpuTarget);
          !gpuError.empty())
        message += ": " + gpuError;
    return makeError(message);
  }
  return llvm::Error::success();
}

/// Reads the results out of their descriptors; the caller owns the
/// buffers.
static std::vector<ResultBuffer> resultBuffers(const EntryPoint &entry,
                                               ArrayRef<int64_t> words) {
  std::vector<ResultBuffer> results;
  size_t w = 0;
  for (const TensorSpec &spec : entry.results) {
    size_t rank = spec.shape.size();
    ResultBuffer r;
    r.elementType = spec.elementType;
    r.shape.assign(words.begin() + w + 3, words.begin() + w + 3 + rank);
    r.allocated = reinterpret_cast<void *>(words[w]);
    unsigned width = HostArray::elementBytes(spec.elementType);
    r.data = reinterpret_cast<const char *>(words[w + 1]) + words[w + 2] * width;
    results.push_back(std::move(r));
    w += 3 + 2 * rank;
  }
  return results;
}

/// Reads the results out of their descriptors and frees Kiln's buffers;
/// copies the data when `keep`.
static std::vector<HostArray> collectResults(const EntryPoint &entry,
                                             ArrayRef<int64_t> words,
                                             bool keep) {
  std::vector<HostArray> results;
  for (ResultBuffer &r : resultBuffers(entry, words)) {
    HostArray a;
    a.elementType = r.elementType;
    a.shape = r.shape;
    if (keep)
      a.data.assign(r.data, r.data + a.numElements() *
                                         HostArray::elementBytes(r.elementType));
    free(r.allocated);
    results.push_back(std::move(a));
  }
  return results;
}

llvm::Expected<std::vector<HostArray>>
JitModule::run(const EntryPoint &entry, ArrayRef<HostArray> inputs) {
  SmallVector<ArrayView> views = viewsOf(inputs);
  std::string problem = checkInputs(entry, views);
  if (!problem.empty())
    return makeError(problem);
  std::vector<int64_t> words;
  if (llvm::Error err = invoke(entry, views, words))
    return std::move(err);
  return collectResults(entry, words, /*keep=*/true);
}

llvm::Expected<std::vector<ResultBuffer>>
JitModule::runInPlace(const EntryPoint &entry, ArrayRef<ArrayView> inputs) {
  std::string problem = checkInputs(entry, inputs);
  if (!problem.empty())
    return makeError(problem);
  std::vector<int64_t> words;
  if (llvm::Error err = invoke(entry, inputs, words))
    return std::move(err);
  return resultBuffers(entry, words);
}

llvm::Error JitModule::runUnchecked(const EntryPoint &entry,
                                    ArrayRef<HostArray> inputs) {
  SmallVector<ArrayView> views = viewsOf(inputs);
  std::vector<int64_t> words;
  if (llvm::Error err = invoke(entry, views, words))
    return err;
  collectResults(entry, words, /*keep=*/false);
  return llvm::Error::success();
}
