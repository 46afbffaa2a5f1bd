// kiln-smith repro (bug 'dynamic_dim_joined_static', fixed by de4aa7a): min of tensor<1x2x2x?xf32> and a static tensor<2x1x2x2xf32>.
// Seen: 'memref.expand_shape' op invalid output shape provided at pos 3.
// Inputs and the numpy reference's outputs: dynamic-joined-static-elementwise.npz; run dynamic-joined-static-elementwise.py.
func.func @model(%a0: tensor<1x2x2x?xf32>) -> (tensor<2x2x2x2xf32>) {
  %v0 = kiln.constant dense<"0x2EF8C03E2A7D63BEA2D43ABFD7CDE23EDEB34F3DF44FC2BED012E8BCF36A473F"> : tensor<2x1x2x2xf32>
  %v1 = kiln.min %a0, %v0 : (tensor<1x2x2x?xf32>, tensor<2x1x2x2xf32>) -> tensor<2x2x2x2xf32>
  return %v1 : tensor<2x2x2x2xf32>
}
