// kiln-smith repro (bug 'reshape_rank1_to_scalar', fixed by a84ef94): reshape of a tensor<1xf32> to [].
// Seen: 'tensor.expand_shape' op expected the expanded type, 'tensor<f32>' to have a higher (or same) rank than the collapsed type, 'tensor<1xf32>'.
// Inputs and the numpy reference's outputs: reshape-rank1-to-scalar.npz; run reshape-rank1-to-scalar.py.
func.func @model(%a0: tensor<1xf32>) -> (tensor<f32>) {
  %v0 = kiln.reshape %a0 [] : (tensor<1xf32>) -> tensor<f32>
  return %v0 : tensor<f32>
}
