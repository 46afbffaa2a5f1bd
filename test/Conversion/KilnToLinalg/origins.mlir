// RUN: kiln-opt %s --convert-kiln-to-linalg --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s

// Every op the lowering makes carries the kiln op it came from, wrapped
// around the op's own location, so diagnostics still point at the source.
// CHECK-LABEL: func.func @marks
// CHECK: linalg.generic
// CHECK: } -> tensor<4xf32> loc(fused<"kiln.add">["node 'Add_1' (Add)"("m.onnx":0:0)])
// CHECK: math.exp
// CHECK: } -> tensor<4xf32> loc(fused<"kiln.softmax">["model.mlir":7:3])
func.func @marks(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.add %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> loc("node 'Add_1' (Add)"("m.onnx":0:0))
  %1 = kiln.softmax %0 {axis = 0 : i64} : (tensor<4xf32>) -> tensor<4xf32> loc("model.mlir":7:3)
  return %1 : tensor<4xf32>
}

// An op already marked (IR a previous lowering printed) is not marked twice.
// CHECK-LABEL: func.func @marked_once
// CHECK: } -> tensor<4xf32> loc(fused<"kiln.neg">["model.mlir":9:9])
func.func @marked_once(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.neg %x : (tensor<4xf32>) -> tensor<4xf32> loc(fused<"kiln.neg">["model.mlir":9:9])
  return %0 : tensor<4xf32>
}
