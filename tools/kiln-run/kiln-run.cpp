//===- kiln-run.cpp - Kiln JIT runner -------------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Compiles a model (.onnx or .mlir) with a compiler session, JIT-runs one
// entry point on .npy inputs (or seeded random data), writes the outputs as
// .npy, compares them with expected files, and benchmarks:
//
//   kiln-run model.mlir -i x.npy -o y.npy --expect ref.npy --atol 1e-5
//   kiln-run model.mlir --input-shape 1x3x224x224 --bench 20
//
//===----------------------------------------------------------------------===//

#include "kiln/Compiler/Compiler.h"
#include "kiln/Runtime/Jit.h"
#include "kiln/Runtime/Npy.h"
#include "kiln/Tools/Driver.h"

#include "Kiln/IR/KilnOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Format.h"
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <random>

using namespace mlir;
using namespace mlir::kiln;
namespace cl = llvm::cl;

namespace {
cl::OptionCategory &kilnCat = getKilnOptionCategory();
cl::opt<std::string> inputFilename(cl::Positional,
                                   cl::desc("<model .onnx or .mlir>"),
                                   cl::Required, cl::cat(kilnCat));
cl::list<std::string> inputs("i", cl::desc("Input .npy, one per argument"),
                             cl::value_desc("file"), cl::cat(kilnCat));
cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("Shape of a random input, e.g. 1x3x224x224 (one per argument; "
             "needed for dynamic dims)"),
    cl::cat(kilnCat));
cl::opt<unsigned> seed("seed", cl::desc("Seed of random inputs"), cl::init(0),
                       cl::cat(kilnCat));
cl::list<std::string> outputs("o", cl::desc("Output .npy, one per result"),
                              cl::value_desc("file"), cl::cat(kilnCat));
cl::list<std::string> expected("expect",
                               cl::desc("Expected .npy, one per result"),
                               cl::value_desc("file"), cl::cat(kilnCat));
cl::opt<double> rtol("rtol", cl::desc("Relative tolerance"), cl::init(1e-5),
                     cl::cat(kilnCat));
cl::opt<double> atol("atol", cl::desc("Absolute tolerance"), cl::init(1e-6),
                     cl::cat(kilnCat));
cl::opt<unsigned> bench("bench",
                        cl::desc("Time N runs after warm-up; print median, "
                                 "min and GFLOP/s"),
                        cl::init(0), cl::cat(kilnCat));

int fail(const llvm::Twine &message) {
  llvm::errs() << "kiln-run: error: " << message << "\n";
  return 1;
}

HostArray randomArray(const TensorSpec &spec, ArrayRef<int64_t> shape,
                      std::mt19937 &rng) {
  HostArray a;
  a.elementType = spec.elementType;
  a.shape.assign(shape.begin(), shape.end());
  int64_t n = a.numElements();
  a.data.resize(n * HostArray::elementBytes(a.elementType));
  std::uniform_real_distribution<double> real(-1.0, 1.0);
  std::uniform_int_distribution<int64_t> small(0, 3);
  for (int64_t i = 0; i < n; ++i) {
    char *p = a.data.data() + i * HostArray::elementBytes(a.elementType);
    if (a.elementType == "f32") {
      float v = real(rng);
      std::memcpy(p, &v, 4);
    } else if (a.elementType == "f64") {
      double v = real(rng);
      std::memcpy(p, &v, 8);
    } else {
      int64_t v = small(rng);
      std::memcpy(p, &v, HostArray::elementBytes(a.elementType));
    }
  }
  return a;
}

double elementAsDouble(const HostArray &a, int64_t i) {
  const char *p = a.data.data() + i * HostArray::elementBytes(a.elementType);
  if (a.elementType == "f32") {
    float v;
    std::memcpy(&v, p, 4);
    return v;
  }
  if (a.elementType == "f64") {
    double v;
    std::memcpy(&v, p, 8);
    return v;
  }
  if (a.elementType == "i64") {
    int64_t v;
    std::memcpy(&v, p, 8);
    return static_cast<double>(v);
  }
  if (a.elementType == "i32") {
    int32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  if (a.elementType == "i16") {
    int16_t v;
    std::memcpy(&v, p, 2);
    return v;
  }
  if (a.elementType == "i8")
    return static_cast<int8_t>(*p);
  return static_cast<uint8_t>(*p); // i1
}

/// Compares with numpy.allclose semantics; returns a message on mismatch.
std::string compare(const HostArray &got, const HostArray &want,
                    StringRef name) {
  if (got.shape != want.shape)
    return (name + ": shape differs from the expected array").str();
  int64_t bad = 0, worst = -1;
  double maxErr = 0;
  for (int64_t i = 0, n = got.numElements(); i < n; ++i) {
    double g = elementAsDouble(got, i), w = elementAsDouble(want, i);
    double err = std::fabs(g - w);
    bool ok = err <= atol + rtol * std::fabs(w) ||
              (std::isnan(g) && std::isnan(w)) || g == w;
    if (!ok) {
      ++bad;
      if (err > maxErr || std::isnan(err)) {
        maxErr = err;
        worst = i;
      }
    }
  }
  if (!bad)
    return "";
  std::string s;
  llvm::raw_string_ostream os(s);
  os << name << ": " << bad << " of " << got.numElements()
     << " elements differ; worst at flat index " << worst << ": got "
     << elementAsDouble(got, worst) << ", expected "
     << elementAsDouble(want, worst) << " (rtol " << rtol << ", atol " << atol
     << ")";
  return s;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerCompilerCLOptions();
  // libLLVM registers a --threads of its own that does nothing here; Kiln's
  // replaces it.
  if (auto it = cl::getRegisteredOptions().find("threads");
      it != cl::getRegisteredOptions().end())
    it->second->removeArgument();
  static cl::opt<int> threads(
      "threads",
      cl::desc("Threads of parallel loops (default: KILN_NUM_THREADS, else "
               "OMP_NUM_THREADS, else one per core)"),
      cl::init(0), cl::cat(kilnCat));
  parseToolCommandLine(argc, argv, "Kiln JIT runner\n");

  llvm::Expected<CompilerOptions> options = getCompilerOptionsFromCL();
  if (!options)
    return fail(llvm::toString(options.takeError()));
  // --entry picks the function to run; an ONNX graph keeps its default name.
  std::string entryName = options->entryName;
  if (!StringRef(inputFilename).ends_with(".onnx"))
    options->entryName.clear();
  if (threads < 0)
    return fail("--threads must be positive");
  options->numThreads = threads;

  auto session = ToolSession::create(std::move(*options), inputFilename);
  if (!session)
    return fail(llvm::toString(session.takeError()));
  CompilerSession &compiler = **(*session);
  if (llvm::Error err = compiler.runTo(Stage::Kiln))
    return fail(llvm::toString(std::move(err)));

  ArrayRef<EntryPoint> entries = compiler.getEntryPoints();
  if (entries.empty())
    return fail("the module has no public function to run");
  const EntryPoint *entry = &entries.front();
  if (!entryName.empty()) {
    auto it = llvm::find_if(
        entries, [&](const EntryPoint &e) { return e.name == entryName; });
    if (it == entries.end())
      return fail("no public function named '" + entryName + "'");
    entry = &*it;
  }
  double flops = 0;
  if (auto func =
          compiler.getModule().lookupSymbol<func::FuncOp>(entry->name))
    flops = estimateFlops(func).value_or(0);

  // Inputs: .npy files, or seeded random data.
  std::vector<HostArray> args;
  std::mt19937 rng(seed);
  if (!inputs.empty() && inputs.size() != entry->inputs.size())
    return fail(entry->name + " takes " + llvm::Twine(entry->inputs.size()) +
                " inputs but " + llvm::Twine(inputs.size()) + " were given");
  for (auto [i, spec] : llvm::enumerate(entry->inputs)) {
    if (!inputs.empty()) {
      auto array = readNpy(inputs[i]);
      if (!array)
        return fail(llvm::toString(array.takeError()));
      if (array->elementType != spec.elementType)
        return fail("input " + spec.name + " (" + inputs[i] + ") holds " +
                    array->elementType + " but " + entry->name + " takes " +
                    spec.elementType);
      args.push_back(std::move(*array));
      continue;
    }
    SmallVector<int64_t> shape;
    if (i < inputShapes.size()) {
      SmallVector<StringRef> parts;
      StringRef(inputShapes[i]).split(parts, 'x', -1, false);
      for (StringRef p : parts) {
        int64_t d;
        if (p.getAsInteger(10, d) || d < 0)
          return fail("bad --input-shape '" + inputShapes[i] + "'");
        shape.push_back(d);
      }
    } else {
      for (int64_t d : spec.shape) {
        if (ShapedType::isDynamic(d))
          return fail("input " + spec.name +
                      " has dynamic dims; give --input-shape or -i");
        shape.push_back(d);
      }
    }
    args.push_back(randomArray(spec, shape, rng));
  }
  std::string shapeError = checkInputs(*entry, args);
  if (!shapeError.empty())
    return fail(shapeError);

  // Lower and JIT.
  EntryPoint chosen = *entry;
  auto jit = compiler.jit();
  if (!jit)
    return fail(llvm::toString(jit.takeError()));
  entry = (*jit)->lookup(chosen.name);
  auto ran = (*jit)->run(*entry, args);
  if (!ran)
    return fail("invocation failed: " + llvm::toString(ran.takeError()));
  std::vector<HostArray> results = std::move(*ran);

  int status = 0;
  for (auto [i, r] : llvm::enumerate(results)) {
    llvm::outs() << entry->results[i].name << ": " << r.elementType << "[";
    llvm::interleave(r.shape, llvm::outs(), "x");
    llvm::outs() << "]\n";
    if (i < outputs.size())
      if (llvm::Error err = writeNpy(outputs[i], r))
        return fail(llvm::toString(std::move(err)));
    if (i < expected.size()) {
      auto want = readNpy(expected[i]);
      if (!want)
        return fail(llvm::toString(want.takeError()));
      std::string mismatch = compare(r, *want, entry->results[i].name);
      if (!mismatch.empty()) {
        llvm::errs() << "kiln-run: MISMATCH " << mismatch << "\n";
        status = 1;
      } else {
        llvm::outs() << entry->results[i].name << ": matches " << expected[i]
                     << "\n";
      }
    }
  }

  if (bench > 0) {
    for (int w = 0; w < 3; ++w) {
      if (llvm::Error err = (*jit)->runUnchecked(*entry, args))
        return fail(llvm::toString(std::move(err)));
    }
    std::vector<double> ms;
    for (unsigned r = 0; r < bench; ++r) {
      auto start = std::chrono::steady_clock::now();
      if (llvm::Error err = (*jit)->runUnchecked(*entry, args))
        return fail(llvm::toString(std::move(err)));
      auto end = std::chrono::steady_clock::now();
      ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    }
    std::sort(ms.begin(), ms.end());
    double median = ms[ms.size() / 2];
    llvm::outs() << llvm::format("bench: %u runs, median %.3f ms, min %.3f ms",
                                 bench.getValue(), median, ms.front());
    if (flops > 0)
      llvm::outs() << llvm::format(", %.2f GFLOP/s (median)",
                                   flops / (median * 1e6));
    llvm::outs() << "\n";
  }
  return status;
}
