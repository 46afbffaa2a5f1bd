// kiln-smith repro (bug 'reshape_dynamic_to_static', fixed by a84ef94): reshape of a tensor<1x?x1x1xf32> to [] (a scalar).
// Seen: 'memref.collapse_shape' op rank 0 memrefs can only be extended/collapsed with/from ones.
// Inputs and the numpy reference's outputs: reshape-dynamic-to-scalar.npz; run reshape-dynamic-to-scalar.py.
func.func @model(%a0: tensor<1x?x1x1xf32>) -> (tensor<f32>) {
  %v0 = kiln.reshape %a0 [] : (tensor<1x?x1x1xf32>) -> tensor<f32>
  return %v0 : tensor<f32>
}
