//===- Calibration.h - Calibrated int8 post-training quantization -*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef KILN_LIB_COMPILER_CALIBRATION_H
#define KILN_LIB_COMPILER_CALIBRATION_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

namespace mlir::kiln {
struct CompilerOptions;
struct CompileReport;

/// Runs `module` (graph-optimized, f32) on `options.quantization`'s
/// calibration batches, records each quantizable layer's activation range
/// (by the calibration method) and its SQNR in `report`, keeps the layers
/// below the error budget in float, and quantizes the rest
/// (kiln-quantize{mode=int8}). Bad batches (count or shape of arrays) are
/// errors naming the batch.
llvm::Error calibrateAndQuantize(ModuleOp module,
                                 const CompilerOptions &options,
                                 CompileReport &report);

} // namespace mlir::kiln

#endif // KILN_LIB_COMPILER_CALIBRATION_H
