//===- ScheduleThreads.cpp - Schedules of the threads' loops --------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUSCHEDULETHREADSPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {
struct KilnCPUScheduleThreadsPass final
    : kiln::impl::KilnCPUScheduleThreadsPassBase<KilnCPUScheduleThreadsPass> {
  using Base::Base;

  void runOnOperation() override {
    std::optional<omp::ClauseScheduleKind> kind =
        llvm::StringSwitch<std::optional<omp::ClauseScheduleKind>>(schedule)
            .Case("dynamic", omp::ClauseScheduleKind::Dynamic)
            .Case("guided", omp::ClauseScheduleKind::Guided)
            .Case("static", omp::ClauseScheduleKind::Static)
            .Default(std::nullopt);
    if (!kind) {
      getOperation().emitError("kiln-cpu-schedule-threads: unknown schedule '")
          << schedule << "' (expected dynamic, guided or static)";
      return signalPassFailure();
    }
    getOperation().walk([&](omp::WsloopOp loop) {
      if (!loop.getScheduleKind())
        loop.setScheduleKind(*kind);
      // A loop that ends its parallel region needs no barrier of its own:
      // the region's end is one. (Each barrier puts sleeping threads to
      // sleep and wakes them again.)
      Operation *next = loop->getNextNode();
      if (next && isa<omp::TerminatorOp>(next) &&
          isa<omp::ParallelOp>(loop->getParentOp()))
        loop.setNowait(true);
    });
  }
};
} // namespace
