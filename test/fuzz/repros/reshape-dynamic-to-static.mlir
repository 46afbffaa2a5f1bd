// kiln-smith repro (bug 'reshape_dynamic_to_static', fixed by a84ef94): reshape of a tensor<?x4xf32> to [2, 6].
// Seen: 'tensor.expand_shape' op expected dimension 0 of collapsed type to be static value of 12.
// Inputs and the numpy reference's outputs: reshape-dynamic-to-static.npz; run reshape-dynamic-to-static.py.
func.func @model(%a0: tensor<?x4xf32>) -> (tensor<2x6xf32>) {
  %v0 = kiln.reshape %a0 [2, 6] : (tensor<?x4xf32>) -> tensor<2x6xf32>
  return %v0 : tensor<2x6xf32>
}
