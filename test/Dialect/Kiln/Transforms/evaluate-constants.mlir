// RUN: kiln-opt %s --kiln-evaluate-constants --split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-evaluate-constants=max-bytes=8 --split-input-file | FileCheck %s --check-prefix=GUARD

// Any op on constants is computed by running it: a matmul of two constants
// and an exp of that (values by numpy: exp([[1,2],[3,4]] @ [[0,1],[1,0]])).
// The constants only the subgraph read go too.
// CHECK-LABEL: func.func @matmul_exp
// CHECK-SAME: (%[[X:.+]]: tensor<2x2xf32>)
// CHECK: %[[C:.+]] = kiln.constant dense<{{\[}}[7.3890562, 2.71828175], [54.5981522, 20.085537]]> : tensor<2x2xf32>
// CHECK-NOT: kiln.constant
// CHECK-NOT: kiln.matmul
// CHECK: %[[R:.+]] = kiln.add %[[X]], %[[C]]
// CHECK: return %[[R]]
// GUARD-LABEL: func.func @matmul_exp
// GUARD: kiln.matmul
// GUARD: kiln.exp
func.func @matmul_exp(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %a = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = kiln.constant dense<[[0.0, 1.0], [1.0, 0.0]]> : tensor<2x2xf32>
  %m = kiln.matmul %a, %b : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %e = kiln.exp %m : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %0 = kiln.add %x, %e : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// A weight fake-quantized by quantization-aware training: quantize then
// dequantize (scale 0.1, round half to even) becomes the rounded weight.
// The quantized tensor in between is never a result, so its type (which a
// constant cannot hold) does not matter; max-bytes=8 (GUARD) still allows
// a 2-element result.
// CHECK-LABEL: func.func @fake_quant
// CHECK: %[[W:.+]] = kiln.constant dense<[1.000000e-01, 2.000000e-01]> : tensor<2xf32>
// CHECK: kiln.mul %{{.+}}, %[[W]]
// GUARD-LABEL: func.func @fake_quant
// GUARD-NOT: kiln.quantize
func.func @fake_quant(%x: tensor<2xf32>) -> tensor<2xf32> {
  %w = kiln.constant dense<[0.12, 0.25]> : tensor<2xf32>
  %q = kiln.quantize %w : (tensor<2xf32>) -> tensor<2x!quant.uniform<i8:f32, 0.1>>
  %d = kiln.dequantize %q : (tensor<2x!quant.uniform<i8:f32, 0.1>>) -> tensor<2xf32>
  %0 = kiln.mul %x, %d : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Every function's subgraphs are computed in one run; a value returned
// directly is computed too, and an integer result keeps its type.
// CHECK-LABEL: func.func @first
// CHECK: %[[S:.+]] = kiln.constant dense<10> : tensor<i32>
// CHECK: return %[[S]]
// CHECK-LABEL: func.func @second
// CHECK: %[[N:.+]] = kiln.constant dense<[-1.000000e+00, -2.000000e+00]> : tensor<2xf32>
// CHECK: return %[[N]]
func.func @first() -> tensor<i32> {
  %c = kiln.constant dense<[1, 2, 3, 4]> : tensor<4xi32>
  %s = kiln.reduce_sum %c {axes = array<i64: 0>, keepdims = false} : (tensor<4xi32>) -> tensor<i32>
  return %s : tensor<i32>
}
func.func @second() -> tensor<2xf32> {
  %c = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %n = kiln.neg %c : (tensor<2xf32>) -> tensor<2xf32>
  return %n : tensor<2xf32>
}

// -----

// Not computed: an op with a run-time operand; a broadcast of a constant
// (memory in the object, no work saved); a boolean result, which is then
// left with the compare that makes it.
// CHECK-LABEL: func.func @stays
// CHECK: kiln.add %{{.+}}, %{{.+}} : (tensor<2xf32>, tensor<2xf32>)
// CHECK: kiln.broadcast_to
// CHECK: kiln.compare
// CHECK: kiln.select
func.func @stays(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<4x2xf32>, tensor<2xf32>) {
  %c = kiln.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %a = kiln.add %x, %c : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %b = kiln.broadcast_to %c [4, 2] : (tensor<2xf32>) -> tensor<4x2xf32>
  %z = kiln.constant dense<0.0> : tensor<2xf32>
  %p = kiln.compare gt, %c, %z : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xi1>
  %s = kiln.select %p, %x, %z : (tensor<2xi1>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %a, %b, %s : tensor<2xf32>, tensor<4x2xf32>, tensor<2xf32>
}
