// kiln-smith repro (bug 'reshape_dynamic_to_static', fixed by a84ef94): reshape of a tensor<3x?x40xf32> to [3480], then to [1740, 2].
// Seen: 'tensor.expand_shape' op expected dimension 0 of collapsed type to be static value of 3480.
// Inputs and the numpy reference's outputs: reshape-dynamic-to-static-twice.npz; run reshape-dynamic-to-static-twice.py.
func.func @model(%a0: tensor<3x?x40xf32>) -> (tensor<1740x2xf32>) {
  %v0 = kiln.reshape %a0 [3480] : (tensor<3x?x40xf32>) -> tensor<3480xf32>
  %v1 = kiln.reshape %v0 [1740, 2] : (tensor<3480xf32>) -> tensor<1740x2xf32>
  return %v1 : tensor<1740x2xf32>
}
