// RUN: kiln-opt %s --split-input-file --kiln-infer-shapes | FileCheck %s
// RUN: kiln-opt %s --split-input-file --kiln-infer-shapes=refine-signature=false | FileCheck %s --check-prefix=KEEP

// CHECK-LABEL: func.func @refine_chain
// CHECK-SAME: -> tensor<4x8xf32>
// KEEP-LABEL: func.func @refine_chain
// KEEP-SAME: -> tensor<?x8xf32>
func.func @refine_chain(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<?x8xf32> {
  // CHECK: %[[R:.+]] = kiln.relu %{{.*}} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %0 = kiln.relu %x : (tensor<4x8xf32>) -> tensor<?x8xf32>
  // CHECK: %[[A:.+]] = kiln.add %[[R]], %{{.*}} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %1 = kiln.add %0, %b : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  // CHECK: return %[[A]] : tensor<4x8xf32>
  // KEEP: %[[A:.+]] = kiln.add
  // KEEP: %[[C:.+]] = tensor.cast %[[A]] : tensor<4x8xf32> to tensor<?x8xf32>
  // KEEP: return %[[C]] : tensor<?x8xf32>
  return %1 : tensor<?x8xf32>
}

// -----

func.func private @consume(tensor<?x8xf32>)

// Users outside the kiln dialect keep the type they were written for.
// CHECK-LABEL: func.func @foreign_user
func.func @foreign_user(%x: tensor<4x8xf32>) {
  // CHECK: %[[R:.+]] = kiln.relu %{{.*}} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: %[[C:.+]] = tensor.cast %[[R]] : tensor<4x8xf32> to tensor<?x8xf32>
  // CHECK: call @consume(%[[C]])
  %0 = kiln.relu %x : (tensor<4x8xf32>) -> tensor<?x8xf32>
  call @consume(%0) : (tensor<?x8xf32>) -> ()
  return
}

// -----

// Shape-changing ops refine through their own rules.
// CHECK-LABEL: func.func @structural
func.func @structural(%x: tensor<2x3x4xf32>) -> tensor<?x?xf32> {
  // CHECK: kiln.transpose %{{.*}} [2, 0, 1] : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  %0 = kiln.transpose %x [2, 0, 1] : (tensor<2x3x4xf32>) -> tensor<?x?x?xf32>
  // CHECK: kiln.reshape %{{.*}} [0, -1] : (tensor<4x2x3xf32>) -> tensor<4x6xf32>
  %1 = kiln.reshape %0 [0, -1] : (tensor<?x?x?xf32>) -> tensor<?x?xf32>
  return %1 : tensor<?x?xf32>
}

// -----

// Nothing to refine: dims that stay dynamic are left alone.
// CHECK-LABEL: func.func @still_dynamic
// CHECK-SAME: -> tensor<?x8xf32>
func.func @still_dynamic(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // CHECK: kiln.relu %{{.*}} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  %0 = kiln.relu %x : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}
