// RUN: kiln-opt %s --kiln-approximate-math --split-input-file | FileCheck %s --check-prefix=MATH
// RUN: kiln-opt %s --kiln-lower-memref-copy --split-input-file | FileCheck %s --check-prefix=COPY

// MATH-LABEL: func.func @transcendentals
// MATH-NOT: math.exp
// MATH-NOT: math.tanh
// MATH-NOT: math.erf
// MATH: math.fma
// MATH: return
// COPY-LABEL: func.func @transcendentals
// COPY: math.exp
func.func @transcendentals(%x: f32) -> (f32, f32, f32) {
  %0 = math.exp %x : f32
  %1 = math.tanh %x : f32
  %2 = math.erf %x : f32
  return %0, %1, %2 : f32, f32, f32
}

// -----

// Non-transcendental ops are left alone.
// MATH-LABEL: func.func @keep_sqrt
// MATH: math.sqrt
func.func @keep_sqrt(%x: f32) -> f32 {
  %0 = math.sqrt %x : f32
  return %0 : f32
}

// -----

// COPY-LABEL: func.func @strided_copy
// COPY-SAME: %[[A:[a-zA-Z0-9]+]]: memref<4x8xf32, strided<[16, 2]>>, %[[B:[a-zA-Z0-9]+]]: memref<4x8xf32>
// COPY-NOT: memref.copy
// COPY: linalg.copy ins(%[[A]] : memref<4x8xf32, strided<[16, 2]>>) outs(%[[B]] : memref<4x8xf32>)
func.func @strided_copy(%a: memref<4x8xf32, strided<[16, 2]>>, %b: memref<4x8xf32>) {
  memref.copy %a, %b : memref<4x8xf32, strided<[16, 2]>> to memref<4x8xf32>
  return
}
