//===- Driver.h - Shared command line of the Kiln tools ---------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// What every Kiln tool's command line has in common: Kiln's option category
// (so `--help` shows Kiln's options and the few MLIR options users need,
// with LLVM's backend options behind `--help-hidden`), `--version`, the
// compiler options kiln-compile and kiln-run share, and `--freeze`.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_DRIVER_H
#define KILN_TOOLS_DRIVER_H

#include "kiln/Compiler/Compiler.h"
#include "kiln/Runtime/Npy.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"
#include <optional>

namespace mlir {
namespace kiln {

/// The category of every Kiln command-line option.
llvm::cl::OptionCategory &getKilnOptionCategory();

/// Registers the compiler options shared by kiln-compile and kiln-run
/// (optimization level, target, graph and codegen switches, --freeze,
/// --entry), plus MLIR's pass-manager, context, printing and timing options.
void registerCompilerCLOptions();

/// The options registered by `registerCompilerCLOptions`, as given on the
/// command line. Reads `--freeze NAME=FILE.npy` files; a bad one is an error
/// naming it.
llvm::Expected<CompilerOptions> getCompilerOptionsFromCL();

/// Parses the command line of `tool`: sets up `--version`, and hides every
/// option outside Kiln's category except the MLIR options users need
/// (timing, IR printing, threading), which `--help-hidden` still lists.
void parseToolCommandLine(int argc, char **argv, StringRef overview);

/// A compiler session as a command-line tool runs it: its own context,
/// diagnostics printed with the offending source lines, and the MLIR
/// command-line options (IR printing, crash reproducers, `--mlir-timing`,
/// whose report prints when this is destroyed) on every pass manager.
class ToolSession {
public:
  /// Creates the session for `options` and loads `inputFilename`.
  static llvm::Expected<std::unique_ptr<ToolSession>>
  create(CompilerOptions options, StringRef inputFilename);

  CompilerSession &operator*() { return *session; }
  CompilerSession *operator->() { return session.get(); }

private:
  ToolSession();

  // Destroyed bottom-up: the timing scope before its manager, the
  // diagnostic handler before the session whose sources it shows.
  MLIRContext context;
  std::unique_ptr<CompilerSession> session;
  std::unique_ptr<SourceMgrDiagnosticHandler> diagnostics;
  DefaultTimingManager timingManager;
  std::optional<TimingScope> timing;
};

/// Parses `NAME=FILE.npy` into a frozen ONNX input.
llvm::Expected<std::pair<std::string, FrozenTensor>>
parseFreezeArgument(StringRef argument);

/// Reads `--calibration`'s directory: each `.npy` file in it (by name) is a
/// batch of a one-input model, or each subdirectory (by name) is a batch
/// whose `.npy` files (by name) are the inputs in order. Anything else in
/// it, an empty directory, or a file that is not a valid .npy is an error
/// naming the path.
llvm::Expected<std::vector<std::vector<HostArray>>>
readCalibrationDirectory(StringRef directory);

} // namespace kiln
} // namespace mlir

#endif // KILN_TOOLS_DRIVER_H
