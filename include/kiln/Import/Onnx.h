//===- Onnx.h - ONNX model importer -----------------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Imports an ONNX ModelProto into a module holding one `func.func` in the
// kiln dialect. The model is read with onnx's own protobuf classes, checked
// with onnx's checker and run through onnx's shape inference first.
//
//   * Graph inputs become function arguments (named by `kiln.name`), graph
//     outputs become results; `dim_param` and unnamed dims are dynamic.
//   * Initializers become `kiln.constant`s (`dense_resource` blobs when
//     large), so the graph passes can fold them as frozen weights.
//   * Shape computations (Shape, Gather, Concat, ... on shapes) are
//     evaluated at import time; dims unknown until run time stay symbolic and
//     turn into `0`/`-1` entries of `kiln.reshape`.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IMPORT_ONNX_H
#define KILN_IMPORT_ONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include <map>
#include <string>
#include <vector>

namespace mlir::kiln {

/// The default-domain ("ai.onnx") opsets Kiln imports.
constexpr int64_t kMinOnnxOpset = 11;
constexpr int64_t kMaxOnnxOpset = 17;
/// Models from this opset up to kMinOnnxOpset are first upgraded to
/// kMinOnnxOpset by onnx's version converter.
constexpr int64_t kMinConvertedOnnxOpset = 1;

/// Data for a graph input that is frozen into a constant.
struct FrozenTensor {
  int onnxElementType = 1; ///< onnx TensorProto::DataType (1 = FLOAT)
  std::vector<int64_t> shape;
  std::string bytes; ///< dense row-major little-endian data
};

struct OnnxImportOptions {
  /// Name of the generated function (the C entry point is `<prefix>_<name>`).
  std::string entryName = "forward";
  /// Run onnx::checker::check_model before importing.
  bool check = true;
  /// Graph inputs to freeze: they become constants with this data (which
  /// must match the input's declared type and shape) and leave the
  /// signature. Kiln evaluates shape computations at compile time, so a
  /// shape, axes or pads tensor fed as a graph input must be frozen.
  std::map<std::string, FrozenTensor> frozenInputs;
};

/// Imports a serialized ModelProto. `sourceName` names the model in
/// diagnostics and is the directory base for external tensor data. Returns
/// null after emitting diagnostics on the context when the model is corrupt,
/// fails onnx's checker, uses an opset outside [11, 17], uses ops Kiln does
/// not support (all listed in one error), or has inconsistent shapes.
OwningOpRef<ModuleOp> importOnnxModel(llvm::StringRef bytes,
                                      llvm::StringRef sourceName,
                                      MLIRContext &context,
                                      const OnnxImportOptions &options = {});

/// Reads and imports `path`; a missing file is reported as a diagnostic.
OwningOpRef<ModuleOp> importOnnxFile(llvm::StringRef path,
                                     MLIRContext &context,
                                     const OnnxImportOptions &options = {});

/// Whether `bytes` look like a serialized ONNX model rather than MLIR text or
/// bytecode (used to pick the importer for files without a .onnx suffix).
bool looksLikeOnnx(llvm::StringRef bytes);

/// One supported ONNX operator and what of it is supported.
struct OnnxOpSupport {
  std::string opType;
  std::string notes; ///< limits, e.g. "2-D only"; empty when complete
};

/// The default-domain operators the importer handles, sorted by name.
std::vector<OnnxOpSupport> getSupportedOnnxOps();

/// The default-domain operators the importer rejects by design, sorted by
/// name, each with the reason (`notes`) that its error gives.
std::vector<OnnxOpSupport> getRejectedOnnxOps();

} // namespace mlir::kiln

#endif // KILN_IMPORT_ONNX_H
