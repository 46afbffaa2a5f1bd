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

#include "kiln/Compiler/Bisect.h"
#include "kiln/Compiler/Compiler.h"
#include "kiln/Runtime/Compare.h"
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
cl::opt<double> rtolOpt("rtol", cl::desc("Relative tolerance"), cl::init(1e-5),
                     cl::cat(kilnCat));
cl::opt<double> atolOpt("atol", cl::desc("Absolute tolerance"), cl::init(1e-6),
                     cl::cat(kilnCat));
cl::opt<unsigned> bench("bench",
                        cl::desc("Time N runs after warm-up; print median, "
                                 "min and GFLOP/s"),
                        cl::init(0), cl::cat(kilnCat));

cl::opt<std::string> verifyEach(
    "verify-each",
    cl::desc("'reference': run the model after each optimization of the "
             "lowering (added one at a time to the reference lowering) and "
             "report the first pass whose output differs, with the IR "
             "before and after it"),
    cl::value_desc("reference"), cl::cat(kilnCat));
cl::opt<std::string> bisectDir(
    "bisect-dir",
    cl::desc("With --verify-each: where to write before.mlir and after.mlir "
             "of the first differing pass"),
    cl::cat(kilnCat));

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

  if (!verifyEach.empty()) {
    if (verifyEach != "reference")
      return fail("--verify-each takes 'reference', not '" + verifyEach + "'");
    BisectOptions bisect;
    bisect.rtol = rtolOpt;
    bisect.atol = atolOpt;
    bisect.dumpDir = bisectDir;
    for (const std::string &path : expected) {
      auto want = readNpy(path);
      if (!want)
        return fail(llvm::toString(want.takeError()));
      bisect.expected.push_back(std::move(*want));
    }
    auto result =
        bisectLowering(compiler, entry->name, args, bisect, llvm::outs());
    if (!result)
      return fail(llvm::toString(result.takeError()));
    if (!result->culprit) {
      if (!result->mismatch.empty()) {
        llvm::outs() << "verify-each: " << result->mismatch << "\n";
        return 1;
      }
      llvm::outs() << "verify-each: every pass matches the reference\n";
      return 0;
    }
    const PipelineStep &step = result->steps[*result->culprit];
    llvm::outs() << "verify-each: first differing pass: step "
                 << *result->culprit << ", " << step.anchor << "("
                 << step.pass << ")";
    if (result->firstOfGroup != *result->culprit)
      llvm::outs() << ", enabled together with steps from "
                   << result->firstOfGroup;
    llvm::outs() << "\n  " << result->mismatch << "\n";
    if (!bisectDir.empty())
      llvm::outs() << "  IR before and after: " << bisectDir
                   << "/before.mlir, " << bisectDir << "/after.mlir\n";
    return 1;
  }

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
      std::string mismatch =
          compareArrays(r, *want, rtolOpt, atolOpt, entry->results[i].name);
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
