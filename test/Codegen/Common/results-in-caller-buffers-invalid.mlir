// RUN: kiln-opt %s --kiln-results-in-caller-buffers --split-input-file --verify-diagnostics

// expected-error @below {{kiln-results-in-caller-buffers: a public function must return its buffers from one func.return}}
func.func @two_returns(%n: index, %c: i1) -> memref<?xf32> {
  cf.cond_br %c, ^bb1, ^bb2
^bb1:
  %a = memref.alloc(%n) : memref<?xf32>
  return %a : memref<?xf32>
^bb2:
  %b = memref.alloc(%n) : memref<?xf32>
  return %b : memref<?xf32>
}
