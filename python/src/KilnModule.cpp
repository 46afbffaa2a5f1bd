//===- KilnModule.cpp - pybind11 bindings of Kiln -------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The `kiln._kiln` extension: compile kiln MLIR or ONNX models, run them on
// numpy arrays through the JIT, and write objects plus C headers. The
// user-facing API is in kiln/__init__.py.
//
//===----------------------------------------------------------------------===//

#include "Kiln/IR/KilnOps.h"
#include "kiln/Compiler/Compiler.h"
#include "kiln/Import/Onnx.h"
#include "kiln/Runtime/Jit.h"
#include "kiln/Target/Symbols.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <map>

namespace py = pybind11;
using namespace mlir;
using namespace mlir::kiln;

namespace {

/// Raised for everything that goes wrong while importing or compiling; the
/// message holds the diagnostics.
PyObject *compileErrorType = nullptr;

[[noreturn]] void throwCompileError(const std::string &message) {
  PyErr_SetString(compileErrorType, message.c_str());
  throw py::error_already_set();
}

[[noreturn]] void throwOSError(const std::string &message) {
  PyErr_SetString(PyExc_OSError, message.c_str());
  throw py::error_already_set();
}

/// Collects the context's diagnostics as text, to raise them in Python.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(MLIRContext &ctx)
      : handler(&ctx, [this](Diagnostic &d) {
          append(d);
          for (Diagnostic &note : d.getNotes())
            append(note);
          return success();
        }) {}
  std::string take(StringRef fallback) {
    std::string s = text.empty() ? fallback.str() : text;
    text.clear();
    return s;
  }

private:
  void append(Diagnostic &d) {
    if (!text.empty())
      text += "\n";
    std::string loc;
    llvm::raw_string_ostream os(loc);
    d.getLocation().print(os);
    const char *severity = d.getSeverity() == DiagnosticSeverity::Error ? "error"
                           : d.getSeverity() == DiagnosticSeverity::Warning
                               ? "warning"
                               : d.getSeverity() == DiagnosticSeverity::Note
                                     ? "note"
                                     : "remark";
    text += loc + ": " + severity + ": " + d.str();
  }
  std::string text;
  ScopedDiagnosticHandler handler;
};

std::unique_ptr<MLIRContext> makeContext() {
  DialectRegistry registry;
  registerCompilerDialects(registry);
  auto ctx = std::make_unique<MLIRContext>(registry);
  ctx->loadAllAvailableDialects();
  return ctx;
}

std::string numpyKind(StringRef elementType) {
  return llvm::StringSwitch<std::string>(elementType)
      .Case("f32", "float32")
      .Case("f64", "float64")
      .Case("f16", "float16")
      .Case("bf16", "bfloat16 (as uint16)")
      .Case("i64", "int64")
      .Case("i32", "int32")
      .Case("i16", "int16")
      .Case("i8", "int8")
      .Case("u64", "uint64")
      .Case("u32", "uint32")
      .Case("u16", "uint16")
      .Case("u8", "uint8")
      .Case("i1", "bool")
      .Default(elementType.str());
}

py::dtype numpyDtype(StringRef elementType) {
  if (elementType == "bf16")
    return py::dtype("uint16");
  return py::dtype(numpyKind(elementType));
}

/// Kiln's element type name for a numpy dtype, or "" when Kiln has none.
std::string kilnElementType(const py::dtype &dt) {
  char kind = dt.kind();
  size_t size = dt.itemsize();
  if (kind == 'f')
    return size == 4 ? "f32" : size == 8 ? "f64" : size == 2 ? "f16" : "";
  if (kind == 'i')
    return size == 8 ? "i64" : size == 4 ? "i32" : size == 2 ? "i16" : "i8";
  if (kind == 'u')
    return size == 8 ? "u64" : size == 4 ? "u32" : size == 2 ? "u16" : "u8";
  if (kind == 'b')
    return "i1";
  return "";
}

py::object specShape(const TensorSpec &s) {
  py::list dims;
  for (int64_t d : s.shape) {
    if (ShapedType::isDynamic(d))
      dims.append(py::none());
    else
      dims.append(d);
  }
  return py::tuple(dims);
}

/// A compiled model: its compiler session (the module, lowered as far as
/// it was needed), the kiln-level IR for inspection and, for the host
/// target, its JIT-compiled code.
class CompiledModule {
public:
  CompiledModule(std::unique_ptr<MLIRContext> ctx,
                 std::unique_ptr<CompilerSession> session)
      : ctx(std::move(ctx)), session(std::move(session)),
        kilnModule(this->session->getModule().clone()),
        entries(this->session->getEntryPoints()) {}

  /// JIT-compiles for the host; returns the diagnostics on failure. Runs
  /// without the GIL.
  std::string jitCompile() {
    DiagnosticCollector diags(*ctx);
    // The JIT keeps its object, which save_object writes out.
    auto jitOrErr = session->jit(/*keepObject=*/true);
    if (!jitOrErr)
      return diags.take(llvm::toString(jitOrErr.takeError()));
    jit = std::move(*jitOrErr);
    return "";
  }

  const EntryPoint &entry(const std::string &name) const {
    for (const EntryPoint &e : entries)
      if (name.empty() || e.name == name)
        return e;
    throw py::key_error("the model has no entry point named '" + name + "'");
  }

  py::list run(const std::string &entryName, py::args arrays) {
    if (!jit)
      throw py::value_error(
          "this module was compiled for target '" +
          session->getTarget().triple +
          "' and cannot run in this process; use save_object()");
    const EntryPoint &e = entry(entryName);
    if (arrays.size() != e.inputs.size())
      throw py::type_error(e.name + " takes " +
                           std::to_string(e.inputs.size()) + " inputs (" +
                           inputNames(e) + ") but " +
                           std::to_string(arrays.size()) + " were given");
    // The inputs are read in place (kept alive here), and the results are
    // handed to numpy in the buffers Kiln allocated: no copies.
    std::vector<py::array> keep;
    std::vector<std::vector<int64_t>> shapes;
    for (auto [i, spec] : llvm::enumerate(e.inputs)) {
      py::array a = py::array::ensure(arrays[i]);
      if (!a)
        throw py::type_error("input '" + spec.name + "' (argument " +
                             std::to_string(i) + ") is not an array");
      // Kiln reads native byte order; a byte-swapped array ('>f4' on a
      // little-endian host) is converted, not misread.
      if (!a.dtype().attr("isnative").cast<bool>())
        a = py::array::ensure(
            a.attr("astype")(a.dtype().attr("newbyteorder")("=")));
      std::string got = kilnElementType(a.dtype());
      if (spec.elementType == "bf16" && a.dtype().kind() == 'u' &&
          a.dtype().itemsize() == 2)
        got = "bf16"; // bfloat16 bits, as numpy has no bfloat16
      if (got != spec.elementType)
        throw py::type_error(
            "input '" + spec.name + "' (argument " + std::to_string(i) +
            ") must be " + numpyKind(spec.elementType) + ", got " +
            py::str(a.dtype()).cast<std::string>());
      a = py::array::ensure(a, py::array::c_style);
      std::vector<int64_t> shape;
      for (py::ssize_t d = 0; d < a.ndim(); ++d)
        shape.push_back(a.shape(d));
      shapes.push_back(std::move(shape));
      keep.push_back(std::move(a));
    }
    std::vector<ArrayView> inputs;
    for (auto [i, spec] : llvm::enumerate(e.inputs))
      inputs.push_back({spec.elementType, shapes[i], keep[i].data(),
                        static_cast<uint64_t>(keep[i].nbytes())});
    std::string problem = checkInputs(e, inputs);
    if (!problem.empty())
      throw py::value_error(problem);
    llvm::Expected<std::vector<ResultBuffer>> results =
        std::vector<ResultBuffer>();
    {
      py::gil_scoped_release release;
      results = jit->runInPlace(e, inputs);
    }
    if (!results)
      throw std::runtime_error(llvm::toString(results.takeError()));
    py::list out;
    for (ResultBuffer &r : *results) {
      std::vector<py::ssize_t> shape(r.shape.begin(), r.shape.end());
      // The array owns Kiln's buffer and frees it with itself.
      py::capsule owner(r.allocated, [](void *p) { free(p); });
      out.append(py::array(numpyDtype(r.elementType), shape, r.data, owner));
    }
    return out;
  }

  /// Writes the object (and the header) through temporary files in the
  /// same directories, renamed into place only when everything succeeded:
  /// a failure leaves neither a partial file nor an object without its
  /// header.
  void saveObject(const std::string &path, const std::string &header,
                  const std::string &prefix, const std::string &weights) {
    if (llvm::Error err = validateSymbolPrefix(prefix))
      throw py::value_error(llvm::toString(std::move(err)));
    std::vector<std::string> temps;
    llvm::scope_exit removeTemps([&] {
      for (const std::string &t : temps)
        llvm::sys::fs::remove(t);
    });
    auto openTemp = [&](const std::string &final,
                        llvm::sys::fs::OpenFlags flags) {
      SmallString<256> model(final);
      llvm::sys::path::remove_filename(model);
      llvm::sys::path::append(model, "." + llvm::sys::path::filename(final) +
                                         ".tmp-%%%%%%");
      int fd;
      SmallString<256> temp;
      if (std::error_code ec =
              llvm::sys::fs::createUniqueFile(model, fd, temp, flags))
        throwOSError("cannot write '" + final + "': " + ec.message());
      temps.push_back(temp.str().str());
      return std::make_unique<llvm::raw_fd_ostream>(fd, /*shouldClose=*/true);
    };
    auto close = [&](llvm::raw_fd_ostream &os, const std::string &final) {
      os.close();
      if (os.has_error()) {
        std::string message = os.error().message();
        os.clear_error();
        throwOSError("cannot write '" + final + "': " + message);
      }
    };
    // Open both first: a bad path fails before the long compilation.
    std::unique_ptr<llvm::raw_fd_ostream> os =
        openTemp(path, llvm::sys::fs::OF_None);
    std::unique_ptr<llvm::raw_fd_ostream> hos;
    if (!header.empty())
      hos = openTemp(header, llvm::sys::fs::OF_Text);
    std::unique_ptr<llvm::raw_fd_ostream> wos;
    if (!weights.empty())
      wos = openTemp(weights, llvm::sys::fs::OF_None);

    DiagnosticCollector diags(*ctx);
    if (llvm::Error err = session->setSymbolPrefix(prefix))
      throw py::value_error(llvm::toString(std::move(err)));
    session->setWeightsMode(wos ? WeightsMode::External
                                : WeightsMode::Embedded);
    llvm::Error err = llvm::Error::success();
    {
      py::gil_scoped_release release;
      // The JIT's code, unless the weights move out of it.
      if (jit && !wos)
        err = session->saveJitObject(*jit, *os);
      else
        err = session->emit(Stage::Obj, *os, wos.get());
    }
    if (err)
      throwCompileError(diags.take(llvm::toString(std::move(err))));
    close(*os, path);
    if (hos) {
      if (llvm::Error err = session->emitHeader(*hos))
        throwCompileError(diags.take(llvm::toString(std::move(err))));
      close(*hos, header);
    }
    if (wos)
      close(*wos, weights);

    // All are complete; move them into place.
    std::vector<std::string> finals = {path};
    if (hos)
      finals.push_back(header);
    if (wos)
      finals.push_back(weights);
    for (size_t i = 0; i < finals.size(); ++i) {
      if (std::error_code ec = llvm::sys::fs::rename(temps[i], finals[i])) {
        // Do not leave an object without its header.
        for (size_t j = 0; j < i; ++j)
          llvm::sys::fs::remove(finals[j]);
        throwOSError("cannot write '" + finals[i] + "': " + ec.message());
      }
    }
    temps.clear();
  }

  std::string mlir() const {
    std::string s;
    llvm::raw_string_ostream os(s);
    OpPrintingFlags flags;
    flags.elideLargeElementsAttrs(16);
    flags.elideLargeResourceString(64);
    ModuleOp module = kilnModule.get();
    module->print(os, flags);
    return s;
  }

  py::list describe(const std::string &entryName, bool inputs) const {
    const EntryPoint &e = entry(entryName);
    py::list out;
    for (const TensorSpec &s : inputs ? e.inputs : e.results)
      out.append(py::make_tuple(s.name, numpyDtype(s.elementType),
                                specShape(s)));
    return out;
  }

  std::vector<std::string> entryNames() const {
    std::vector<std::string> names;
    for (const EntryPoint &e : entries)
      names.push_back(e.name);
    return names;
  }

  bool canRun() const { return static_cast<bool>(jit); }

  void setNumThreads(int n) {
    if (n < 1)
      throw py::value_error("threads must be positive, got " +
                            std::to_string(n));
    if (!jit)
      throw py::value_error("this module does not run in this process");
    if (llvm::Error err = jit->setNumThreads(n))
      throw std::runtime_error(llvm::toString(std::move(err)));
  }

  std::string report(bool json) const {
    std::string s;
    llvm::raw_string_ostream os(s);
    if (json)
      session->getReport().printJSON(os);
    else
      session->getReport().print(os);
    return s;
  }

  std::string target() const {
    std::string s;
    llvm::raw_string_ostream os(s);
    Attribute(session->getTarget().toAttr(ctx.get())).print(os);
    return s;
  }

private:
  static std::string inputNames(const EntryPoint &e) {
    std::string s;
    for (const TensorSpec &t : e.inputs)
      s += (s.empty() ? "" : ", ") + t.name;
    return s;
  }

  // The context outlives everything that points into it.
  std::unique_ptr<MLIRContext> ctx;
  std::unique_ptr<CompilerSession> session;
  OwningOpRef<ModuleOp> kilnModule;
  std::vector<EntryPoint> entries;
  std::unique_ptr<JitModule> jit;
};

/// The onnx TensorProto::DataType of a numpy dtype, or 0.
int onnxElementType(const py::dtype &dt) {
  char kind = dt.kind();
  size_t size = dt.itemsize();
  if (kind == 'f')
    return size == 4 ? 1 : size == 8 ? 11 : size == 2 ? 10 : 0;
  if (kind == 'i')
    return size == 1 ? 3 : size == 2 ? 5 : size == 4 ? 6 : 7;
  if (kind == 'u')
    return size == 1 ? 2 : size == 2 ? 4 : size == 4 ? 12 : 13;
  if (kind == 'b')
    return 9;
  return 0;
}

using FrozenMap = std::map<std::string, FrozenTensor>;

/// Calibration batches: each a sequence of arrays (one per input).
std::vector<std::vector<HostArray>>
toCalibration(const std::vector<std::vector<py::array>> &batches) {
  std::vector<std::vector<HostArray>> out;
  for (auto [b, batch] : llvm::enumerate(batches)) {
    std::vector<HostArray> arrays;
    for (auto [i, array] : llvm::enumerate(batch)) {
      py::array a = py::array::ensure(array, py::array::c_style);
      if (!a.dtype().attr("isnative").cast<bool>())
        a = py::array::ensure(
            a.attr("astype")(a.dtype().attr("newbyteorder")("=")),
            py::array::c_style);
      HostArray h;
      h.elementType = kilnElementType(a.dtype());
      if (h.elementType.empty())
        throw py::type_error("calibration batch " + std::to_string(b) +
                             ", array " + std::to_string(i) +
                             ": unsupported dtype " +
                             py::str(a.dtype()).cast<std::string>());
      for (py::ssize_t d = 0; d < a.ndim(); ++d)
        h.shape.push_back(a.shape(d));
      h.data.assign(static_cast<const char *>(a.data()),
                    static_cast<const char *>(a.data()) + a.nbytes());
      arrays.push_back(std::move(h));
    }
    out.push_back(std::move(arrays));
  }
  return out;
}

FrozenMap toFrozen(const std::map<std::string, py::array> &arrays) {
  FrozenMap out;
  for (const auto &[name, array] : arrays) {
    py::array a = py::array::ensure(array, py::array::c_style);
    FrozenTensor t;
    t.onnxElementType = onnxElementType(a.dtype());
    if (!t.onnxElementType)
      throw py::type_error("cannot freeze '" + name + "': unsupported dtype " +
                           py::str(a.dtype()).cast<std::string>());
    for (py::ssize_t d = 0; d < a.ndim(); ++d)
      t.shape.push_back(a.shape(d));
    t.bytes.assign(static_cast<const char *>(a.data()), a.nbytes());
    out[name] = std::move(t);
  }
  return out;
}

std::unique_ptr<CompiledModule>
compileModule(const std::string &bytes, const std::string &name, bool isOnnx,
        const std::string &triple, const std::string &cpu,
        const std::string &features, unsigned optLevel,
        std::optional<unsigned> llvmOptLevel, bool approximateMath,
        const std::map<std::string, bool> &toggles,
        std::optional<std::string> layout, bool imageInterface, int threads,
        const std::string &schedule, std::optional<int64_t> attentionKeyBlock,
        const std::string &entryName, bool check,
        const std::map<std::string, py::array> &freeze,
        const std::string &quantize,
        const std::vector<std::vector<py::array>> &calibration,
        const std::string &calibrationMethod, double quantErrorBudget,
        const std::string &gpuTarget, const std::string &gpuChip) {
  CompilerOptions options;
  options.gpu.target = gpuTarget;
  options.gpu.chip = gpuChip;
  options.graph.quantize = quantize;
  options.quantization.calibration = toCalibration(calibration);
  options.quantization.method = calibrationMethod;
  options.quantization.errorBudgetDb = quantErrorBudget;
  options.target = TargetOptions{triple, cpu, features};
  setOptimizationLevel(options, optLevel);
  options.llvmOptLevel = llvmOptLevel;
  options.codegen.approximateMath = approximateMath;
  if (attentionKeyBlock)
    options.codegen.attentionKeyBlock = *attentionKeyBlock;
  if (layout)
    options.graph.layout = *layout;
  options.graph.imageInterface = imageInterface;
  for (const auto &[name, on] : toggles)
    if (llvm::Error err = setPassToggle(options, name, on))
      throw py::value_error(llvm::toString(std::move(err)));
  if (threads < 0)
    throw py::value_error("threads must be positive (0: the default), got " +
                          std::to_string(threads));
  options.numThreads = threads;
  options.codegen.schedule = schedule;
  options.entryName = entryName;
  options.checkOnnx = check;
  options.frozenInputs = toFrozen(freeze);
  if (!options.frozenInputs.empty() && !isOnnx)
    throw py::value_error("freeze= applies to ONNX models only");

  std::unique_ptr<MLIRContext> ctx = makeContext();
  // Bad options (an unknown CPU, say) are the caller's mistake, found
  // before any work.
  auto session = CompilerSession::create(*ctx, std::move(options));
  if (!session)
    throw py::value_error(llvm::toString(session.takeError()));
  // Kernels that cannot run here: a clear error before any work.
  if (!gpuTarget.empty() && triple.empty()) {
    if (llvm::Expected<void *> runtime = loadGPURuntime(gpuTarget); !runtime)
      throw std::runtime_error(llvm::toString(runtime.takeError()));
    if (getGPUDeviceName(gpuTarget).empty())
      throw std::runtime_error("no " + gpuTarget +
                               " device: " + getGPURuntimeError(gpuTarget));
  }
  {
    DiagnosticCollector diags(*ctx);
    llvm::Error err = llvm::Error::success();
    {
      py::gil_scoped_release release;
      err = (*session)->loadBuffer(bytes, name, isOnnx);
      if (!err)
        err = (*session)->runTo(Stage::Kiln);
    }
    if (err)
      throwCompileError(diags.take(llvm::toString(std::move(err))));
    if ((*session)->getEntryPoints().empty())
      throwCompileError("'" + name + "' has no public function to compile");
  }
  bool host = triple.empty();
  auto m = std::make_unique<CompiledModule>(std::move(ctx),
                                            std::move(*session));
  if (host) {
    std::string error;
    {
      py::gil_scoped_release release;
      error = m->jitCompile();
    }
    if (!error.empty())
      throwCompileError(error);
  }
  return m;
}

std::string importOnnx(const std::string &bytes, const std::string &name,
                       const std::string &entryName, bool check,
                       const std::map<std::string, py::array> &freeze) {
  FrozenMap frozen = toFrozen(freeze);
  std::unique_ptr<MLIRContext> ctx = makeContext();
  DiagnosticCollector diags(*ctx);
  OnnxImportOptions options;
  if (!entryName.empty())
    options.entryName = entryName;
  options.check = check;
  options.frozenInputs = std::move(frozen);
  OwningOpRef<ModuleOp> module = importOnnxModel(bytes, name, *ctx, options);
  if (!module)
    throwCompileError(diags.take("cannot import '" + name + "'"));
  std::string s;
  llvm::raw_string_ostream os(s);
  module->print(os);
  return s;
}

} // namespace

PYBIND11_MODULE(_kiln, m) {
  m.doc() = "Kiln compiler bindings (use the `kiln` package)";
  static py::exception<std::runtime_error> compileError(m, "CompileError");
  compileErrorType = compileError.ptr();

  m.def("compile", &compileModule, py::arg("source"), py::arg("name"),
        py::arg("is_onnx"), py::arg("triple"), py::arg("cpu"),
        py::arg("features"), py::arg("opt_level"), py::arg("llvm_opt_level"),
        py::arg("approximate_math"), py::arg("toggles"), py::arg("layout"), py::arg("image_interface"),
        py::arg("threads"),
        py::arg("schedule"),
        py::arg("attention_key_block"), py::arg("entry"), py::arg("check"),
        py::arg("freeze"), py::arg("quantize"), py::arg("calibration"),
        py::arg("calibration_method"), py::arg("quant_error_budget"),
        py::arg("gpu_target"), py::arg("gpu_chip"));
  m.def(
      "gpu_error",
      [](const std::string &target) { return getGPURuntimeError(target); },
      py::arg("target"));
  m.def(
      "gpu_device",
      [](const std::string &target) -> std::string {
        if (llvm::Expected<void *> handle = loadGPURuntime(target); !handle)
          throw py::value_error(llvm::toString(handle.takeError()));
        return getGPUDeviceName(target);
      },
      py::arg("target"));
  m.def("import_onnx", &importOnnx, py::arg("source"), py::arg("name"),
        py::arg("entry"), py::arg("check"), py::arg("freeze"));
  m.def("is_onnx_model", [](const std::string &name, const py::bytes &bytes) {
    return isOnnxModel(name, std::string(bytes));
  });
  m.def("pass_toggles", [] {
    py::list out;
    for (const PassToggle &toggle : getPassToggles())
      out.append(py::make_tuple(toggle.name.str(),
                                toggle.level, toggle.description.str()));
    return out;
  });
  m.def("supported_onnx_ops", [] {
    py::list out;
    for (const OnnxOpSupport &op : getSupportedOnnxOps())
      out.append(py::make_tuple(op.opType, op.notes));
    return out;
  });
  m.def("rejected_onnx_ops", [] {
    py::list out;
    for (const OnnxOpSupport &op : getRejectedOnnxOps())
      out.append(py::make_tuple(op.opType, op.notes));
    return out;
  });
  m.attr("VERSION") = getKilnVersion().str();
  m.attr("MIN_OPSET") = kMinOnnxOpset;
  m.attr("MAX_OPSET") = kMaxOnnxOpset;
  m.attr("MIN_CONVERTED_OPSET") = kMinConvertedOnnxOpset;

  py::class_<CompiledModule>(m, "CompiledModule")
      .def("run", &CompiledModule::run)
      .def("save_object", &CompiledModule::saveObject, py::arg("path"),
           py::arg("header"), py::arg("prefix"), py::arg("weights"))
      .def("mlir", &CompiledModule::mlir)
      .def("inputs", &CompiledModule::describe, py::arg("entry"),
           py::arg("inputs") = true)
      .def("entry_names", &CompiledModule::entryNames)
      .def("can_run", &CompiledModule::canRun)
      .def("set_num_threads", &CompiledModule::setNumThreads)
      .def("report", &CompiledModule::report, py::arg("json"))
      .def("target", &CompiledModule::target);
}
