// Entry points compute their results straight into the caller's output
// buffers: a warm call allocates nothing (no result buffer, no copy).
// Outputs that overlap an input still get the right result, through a
// buffer of the model's own that the header copies (misaligned ones too:
// aot-results-no-allocation.mlir, since a sanitizer build calls them
// undefined).
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-compile %s -o %t/model.o --emit-header=%t/model.h --prefix=model --parallel=none
// RUN: %cc -Wall -Werror -Wno-cast-align -I%t %inputs/results_in_place.c %t/model.o -lm -o %t/run
// RUN: %t/run | FileCheck %s
// RUN: FileCheck %s --check-prefix=HDR < %t/model.h
// The allocations are counted in aot-results-no-allocation.mlir.

// CHECK: warm-up: status 0, correct 1
// CHECK-NEXT: fixed: status 0, correct 1
// CHECK-NEXT: dynamic: status 0, correct 1
// CHECK-NEXT: in place: status 0, correct 1
// CHECK-NEXT: overlapping: status 0, correct 1
// CHECK-NEXT: wrong dims: status 2: relu: output result0 dim 0 is 8, but the buffer passed has 11

// HDR-LABEL: static inline int model_relu(
// HDR: kiln_memref1_t kiln_o0_ = {(void *)result0, (void *)result0, 0, {(int64_t)(sizeof(float) * (size_t)result0_d0 * (size_t)result0_d1)}, {1}};
// HDR-NEXT: if ((uintptr_t)result0 % sizeof(float) != 0 ||
// HDR-NEXT: kiln_overlaps_(result0, (size_t)kiln_o0_.sizes[0], v, kiln_i0_))
// HDR-NEXT: kiln_o0_.sizes[0] = 0;
// HDR: _mlir_ciface_model_relu(&kiln_res_, &v_m, &kiln_o0_);
// HDR: if (kiln_r0_->allocated != kiln_o0_.allocated) {
// HDR: memcpy(result0,
// HDR: free(kiln_r0_->allocated);

func.func @fixed(%x: tensor<8x37xf32> {kiln.name = "x"}, %w: tensor<37x11xf32> {kiln.name = "w"}) -> tensor<8x11xf32> {
  %0 = kiln.matmul %x, %w : (tensor<8x37xf32>, tensor<37x11xf32>) -> tensor<8x11xf32>
  %1 = kiln.relu %0 : (tensor<8x11xf32>) -> tensor<8x11xf32>
  return %1 : tensor<8x11xf32>
}

func.func @mlp(%x: tensor<?x37xf32> {kiln.name = "x"}, %w: tensor<37x11xf32> {kiln.name = "w"}) -> tensor<?x11xf32> {
  %0 = kiln.matmul %x, %w : (tensor<?x37xf32>, tensor<37x11xf32>) -> tensor<?x11xf32>
  %1 = kiln.relu %0 : (tensor<?x11xf32>) -> tensor<?x11xf32>
  return %1 : tensor<?x11xf32>
}

func.func @relu(%v: tensor<?x11xf32> {kiln.name = "v"}) -> tensor<?x11xf32> {
  %0 = kiln.relu %v : (tensor<?x11xf32>) -> tensor<?x11xf32>
  return %0 : tensor<?x11xf32>
}
