// kiln-smith repro (known bug 'matmul_rhs_zero_padded_k'): tensor<1x5xf32> times a tensor<3x3xf32> padded with zeros to 5x3 (the pad at the high end of K).
// Seen: error: expected 'tensor<1x3x32x1xf32>' for the packed domain value, got 'tensor<1x5x32x1xf32>' (a linalg.pack that folded the pad; found as seed 1012 graph 220).
// Inputs and the numpy reference's outputs: matmul-rhs-zero-padded-k.npz; run check_repros.py --one matmul-rhs-zero-padded-k.
func.func @model(%a0: tensor<3x3xf32>) -> (tensor<1x3xf32>) {
  %v0 = kiln.constant dense<"0x4C2E9ABEB1AAE03E549C0E3E4798213C2F08203F"> : tensor<1x5xf32>
  %v1 = kiln.pad %a0 {low = array<i64: 0, 0>, high = array<i64: 2, 0>, value = 0.0 : f64} : (tensor<3x3xf32>) -> tensor<5x3xf32>
  %v2 = kiln.matmul %v0, %v1 : (tensor<1x5xf32>, tensor<5x3xf32>) -> tensor<1x3xf32>
  return %v2 : tensor<1x3xf32>
}
