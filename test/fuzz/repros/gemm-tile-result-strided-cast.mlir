// mismatch: mismatch
// config jit-o2; inputs and numpy outputs in seed1001-g278-jit-o2.npz; run seed1001-g278-jit-o2.py
func.func @model(%a0: tensor<1x?xf32>) -> (tensor<2x?xf32>) {
  %v0 = kiln.constant dense<0.7712916731834412> : tensor<1xf32>
  %v1 = kiln.constant dense<0.2509968876838684> : tensor<1xf32>
  %v2 = kiln.constant dense<0.9516474008560181> : tensor<1xf32>
  %v3 = kiln.constant dense<1.063088297843933> : tensor<1xf32>
  %v4 = kiln.batch_norm %a0, %v0, %v1, %v2, %v3 {epsilon = 0.001 : f64, axis = -1 : i64} : (tensor<1x?xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x?xf32>
  %v5 = kiln.constant dense<"0xC24EAD3DB6496B3D"> : tensor<2x1xf32>
  %v6 = kiln.matmul %v5, %v4 : (tensor<2x1xf32>, tensor<1x?xf32>) -> tensor<2x?xf32>
  return %v6 : tensor<2x?xf32>
}
