// RUN: kiln-opt %s --kiln-cpu-schedule-threads="schedule=fastest" --verify-diagnostics

// expected-error @below {{kiln-cpu-schedule-threads: unknown schedule 'fastest' (expected dynamic, guided or static)}}
func.func @bad_schedule() {
  return
}
