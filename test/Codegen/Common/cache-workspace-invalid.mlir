// RUN: kiln-opt %s --kiln-cache-workspace --split-input-file --verify-diagnostics

func.func @not_bytes() {
  // expected-error @below {{kiln-cache-workspace: a kiln.workspace must be a static 1-D i8 memref allocated in a function's entry block}}
  %ws = memref.alloc() {kiln.workspace} : memref<16xf32>
  memref.dealloc %ws : memref<16xf32>
  return
}

// -----

func.func @other_use(%x: memref<64xi8>) {
  %ws = memref.alloc() {kiln.workspace} : memref<64xi8>
  // expected-error @below {{kiln-cache-workspace: a kiln.workspace may only be viewed, freed and null-checked, not used by memref.copy}}
  memref.copy %x, %ws : memref<64xi8> to memref<64xi8>
  memref.dealloc %ws : memref<64xi8>
  return
}
