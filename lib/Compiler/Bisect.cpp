//===- Bisect.cpp - Finding the pass that changes a program's output ------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Compiler/Bisect.h"

#include "kiln/Runtime/Compare.h"
#include "kiln/Runtime/Jit.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::kiln;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

StringRef PipelineStep::name() const {
  return StringRef(pass).take_until([](char c) { return c == '{'; }).trim();
}

/// Kiln passes that lower rather than optimize: the reference keeps them.
static bool isRequiredKilnPass(StringRef name) {
  static const llvm::StringSet<> required = {
      "kiln-attach-target",   "kiln-cpu-lower-vectors",
      "kiln-lower-memref-copy", "kiln-expand-float-conversions",
      "kiln-runtime-checks",  "kiln-cache-workspace",
      // The GPU targets' lowering (kiln-gpu-tile-matmuls is an
      // optimization: the generic mapping runs a matmul too).
      "kiln-gpu-map-parallel-loops", "kiln-gpu-merge-kernel-modules",
      "kiln-gpu-pack-launch-arguments", "kiln-convert-gpu-to-spirv",
      "kiln-gpu-check-launches"};
  return required.contains(name);
}

/// Splits `text` at the commas outside (), {} and [].
static SmallVector<StringRef> splitTopLevel(StringRef text) {
  SmallVector<StringRef> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '(' || c == '{' || c == '[')
      ++depth;
    else if (c == ')' || c == '}' || c == ']')
      --depth;
    else if (c == ',' && depth == 0) {
      parts.push_back(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (start < text.size())
    parts.push_back(text.drop_front(start).trim());
  return parts;
}

/// Flattens `anchor(element, ...)` into steps; an element that is itself
/// `op(...)` (not `pass{...}`) is a nested pipeline.
static void flatten(StringRef anchor, StringRef body,
                    std::vector<PipelineStep> &steps) {
  for (StringRef element : splitTopLevel(body)) {
    size_t paren = element.find('('), brace = element.find('{');
    if (paren != StringRef::npos && paren < brace && element.ends_with(")")) {
      // Nested anchors keep their path: gpu.module,spirv.module.
      std::string nested = element.take_front(paren).trim().str();
      if (anchor != ModuleOp::getOperationName())
        nested = (anchor + "," + nested).str();
      flatten(nested, element.drop_front(paren + 1).drop_back(), steps);
      continue;
    }
    PipelineStep step;
    step.anchor = anchor.str();
    step.pass = element.str();
    StringRef name = step.name();
    // Inside GPU kernels every pass lowers: SPIR-V and PTX have no erf, for
    // one, so the polynomial approximation is required there.
    step.optional = name.starts_with("kiln-") && !isRequiredKilnPass(name) &&
                    !anchor.starts_with("gpu.module");
    steps.push_back(std::move(step));
  }
}

llvm::Expected<std::vector<PipelineStep>>
mlir::kiln::getLoweringSteps(const CompilerSession &session) {
  OpPassManager pm(ModuleOp::getOperationName());
  for (Stage s :
       {Stage::Linalg, Stage::Bufferized, Stage::GPU, Stage::LLVMDialect})
    if (s != Stage::GPU || session.getOptions().gpu.isGPU())
      session.buildLoweringPipeline(s, pm);
  std::string text;
  llvm::raw_string_ostream os(text);
  pm.printAsTextualPipeline(os);
  StringRef body = StringRef(text).trim();
  StringRef prefix = ModuleOp::getOperationName();
  if (!body.consume_front(prefix) || !body.consume_front("(") ||
      !body.consume_back(")"))
    return makeError("unexpected textual pipeline: " + text);
  std::vector<PipelineStep> steps;
  flatten(prefix, body, steps);
  return steps;
}

namespace {

/// Runs trials: the Kiln-stage module lowered with some steps left out.
class Bisector {
public:
  Bisector(CompilerSession &session, std::vector<PipelineStep> steps,
           const EntryPoint &entry, ArrayRef<HostArray> inputs)
      : session(session), steps(std::move(steps)), entry(entry),
        inputs(inputs) {}

  /// Lowers a clone with the steps in `enabled` and runs it; the IR right
  /// before step `first` and right after step `last` goes to `before` and
  /// `after`. A step that fails is a compile error (llvm::Error with
  /// `failedStep` set), not a run.
  llvm::Expected<std::vector<HostArray>>
  run(const std::vector<bool> &enabled, std::optional<size_t> first,
      std::optional<size_t> last, std::string *before, std::string *after,
      std::optional<size_t> *failedStep = nullptr);

  const std::vector<PipelineStep> &getSteps() const { return steps; }

private:
  llvm::Expected<PassManager *> passManager(size_t step);

  CompilerSession &session;
  std::vector<PipelineStep> steps;
  std::vector<std::unique_ptr<PassManager>> managers;
  const EntryPoint &entry;
  ArrayRef<HostArray> inputs;
};

llvm::Expected<PassManager *> Bisector::passManager(size_t step) {
  managers.resize(steps.size());
  if (!managers[step]) {
    const PipelineStep &s = steps[step];
    std::string text = s.pass;
    if (s.anchor != ModuleOp::getOperationName()) {
      SmallVector<StringRef> path;
      StringRef(s.anchor).split(path, ',');
      for (StringRef op : llvm::reverse(path))
        text = (op + "(" + text + ")").str();
    }
    auto pm = std::make_unique<PassManager>(session.getModule().getContext());
    std::string error;
    llvm::raw_string_ostream errorStream(error);
    if (failed(parsePassPipeline(text, *pm, errorStream)))
      return makeError("cannot rebuild step '" + text + "': " + error);
    managers[step] = std::move(pm);
  }
  return managers[step].get();
}

llvm::Expected<std::vector<HostArray>>
Bisector::run(const std::vector<bool> &enabled, std::optional<size_t> first,
              std::optional<size_t> last, std::string *before,
              std::string *after, std::optional<size_t> *failedStep) {
  OwningOpRef<ModuleOp> module(session.getModule().clone());
  // A combination that does not lower is reported by the caller, with the
  // first error, not printed.
  std::string firstError;
  ScopedDiagnosticHandler quiet(module->getContext(), [&](Diagnostic &d) {
    if (d.getSeverity() == DiagnosticSeverity::Error && firstError.empty())
      firstError = d.str();
    return success();
  });
  auto print = [&](std::string *out) {
    llvm::raw_string_ostream os(*out);
    module->print(os);
  };
  for (size_t i = 0; i < steps.size(); ++i) {
    if (!enabled[i])
      continue;
    if (first == i)
      print(before);
    llvm::Expected<PassManager *> pm = passManager(i);
    if (!pm)
      return pm.takeError();
    if (failed((*pm)->run(*module))) {
      if (failedStep)
        *failedStep = i;
      return makeError("step " + llvm::Twine(i) + " (" + steps[i].name() +
                       ") failed: " + firstError);
    }
    if (last == i)
      print(after);
  }
  auto jit = JitModule::create(*module, session.getEntryPoints(),
                               session.getJitOptions());
  if (!jit)
    return jit.takeError();
  const EntryPoint *compiled = (*jit)->lookup(entry.name);
  if (!compiled)
    return makeError("the compiled module lost entry '" + entry.name + "'");
  return (*jit)->run(*compiled, inputs);
}

/// "" when every result matches, else the first difference.
std::string compareAll(ArrayRef<HostArray> got, ArrayRef<HostArray> want,
                       const EntryPoint &entry, const BisectOptions &options) {
  if (got.size() != want.size())
    return "the run gave " + std::to_string(got.size()) + " results, the "
           "reference " + std::to_string(want.size());
  for (auto [i, pair] : llvm::enumerate(llvm::zip_equal(got, want))) {
    std::string name =
        i < entry.results.size() ? entry.results[i].name : std::to_string(i);
    std::string mismatch = compareArrays(std::get<0>(pair), std::get<1>(pair),
                                         options.rtol, options.atol, name);
    if (!mismatch.empty())
      return mismatch;
  }
  return "";
}

llvm::Error writeFile(StringRef dir, StringRef name, StringRef text) {
  SmallString<256> path(dir);
  llvm::sys::path::append(path, name);
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return makeError("cannot write '" + path + "': " + ec.message());
  os << text;
  return llvm::Error::success();
}

} // namespace

llvm::Expected<BisectResult>
mlir::kiln::bisectLowering(CompilerSession &session, StringRef entryName,
                           ArrayRef<HostArray> inputs,
                           const BisectOptions &options,
                           llvm::raw_ostream &log) {
  if (llvm::Error err = session.runTo(Stage::Kiln))
    return std::move(err);
  if (session.getStage() != Stage::Kiln)
    return makeError("bisection starts from the Kiln stage");
  const EntryPoint *entry = nullptr;
  for (const EntryPoint &e : session.getEntryPoints())
    if (e.name == entryName)
      entry = &e;
  if (!entry)
    return makeError("no public function named '" + entryName + "'");
  auto steps = getLoweringSteps(session);
  if (!steps)
    return steps.takeError();
  Bisector bisector(session, std::move(*steps), *entry, inputs);
  const std::vector<PipelineStep> &all = bisector.getSteps();

  BisectResult result;
  result.steps = all;
  std::vector<bool> enabled;
  for (const PipelineStep &s : all)
    enabled.push_back(!s.optional);
  size_t optional = llvm::count(enabled, false);
  log << "reference lowering: " << all.size() - optional << " of "
      << all.size() << " passes (" << optional << " optimizations left out)\n";
  auto reference =
      bisector.run(enabled, std::nullopt, std::nullopt, nullptr, nullptr);
  if (!reference)
    return makeError("the reference lowering does not run: " +
                     llvm::toString(reference.takeError()));
  std::vector<HostArray> want =
      options.expected.empty() ? *reference : options.expected;
  if (!options.expected.empty()) {
    std::string mismatch = compareAll(*reference, want, *entry, options);
    log << "reference lowering vs the expected results: "
        << (mismatch.empty() ? "match" : mismatch) << "\n";
    if (!mismatch.empty()) {
      result.mismatch = "the reference lowering itself differs: " + mismatch;
      return result;
    }
  }

  // Some optimizations only lower together with a later one (packing
  // leaves linalg.pack for tile-and-vectorize): a step whose run does not
  // compile is kept and tested with the next, as one group.
  std::optional<size_t> groupStart;
  for (size_t i = 0; i < all.size(); ++i) {
    if (!all[i].optional)
      continue;
    enabled[i] = true;
    if (!groupStart)
      groupStart = i;
    std::string before, after;
    std::optional<size_t> failedStep;
    auto got = bisector.run(enabled, groupStart, i, &before, &after,
                            &failedStep);
    std::string label = "step " + std::to_string(i) + " " + all[i].anchor +
                        "(" + all[i].name().str() + ")";
    if (!got && failedStep) {
      log << label << ": does not lower without a later optimization ("
          << llvm::toString(got.takeError()) << "); tested with the next\n";
      continue;
    }
    if (!got)
      return makeError("with " + label + " enabled: " +
                       llvm::toString(got.takeError()));
    std::string mismatch = compareAll(*got, want, *entry, options);
    if (*groupStart != i)
      label += " with steps from " + std::to_string(*groupStart);
    log << label << ": "
        << (mismatch.empty() ? "match" : "MISMATCH " + mismatch) << "\n";
    if (mismatch.empty()) {
      groupStart.reset();
      continue;
    }
    result.firstOfGroup = *groupStart;
    result.culprit = i;
    result.mismatch = mismatch;
    result.irBefore = std::move(before);
    result.irAfter = std::move(after);
    if (!options.dumpDir.empty()) {
      if (std::error_code ec =
              llvm::sys::fs::create_directories(options.dumpDir))
        return makeError("cannot create '" + options.dumpDir +
                         "': " + ec.message());
      if (llvm::Error err =
              writeFile(options.dumpDir, "before.mlir", result.irBefore))
        return std::move(err);
      if (llvm::Error err =
              writeFile(options.dumpDir, "after.mlir", result.irAfter))
        return std::move(err);
    }
    return result;
  }
  if (groupStart)
    return makeError("step " + llvm::Twine(*groupStart) + " (" +
                     all[*groupStart].name() +
                     ") and the optimizations after it do not lower");
  return result;
}
