// RUN: kiln-opt %s --kiln-plan-buffers="alignment=48" --split-input-file --verify-diagnostics

// expected-error @below {{kiln-plan-buffers: alignment must be a power of two, got 48}}
func.func @bad_alignment() {
  %a = memref.alloc() : memref<8xf32>
  memref.dealloc %a : memref<8xf32>
  return
}
