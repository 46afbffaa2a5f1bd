// kiln-smith repro (bug 'dynamic_dim_joined_static', fixed by de4aa7a): attention with a static i1 mask tensor<1x2xi1> and a key length `?`.
// Seen: 'linalg.generic' op expected type of operand #3 ('tensor<1x2xf32>') to match type of corresponding result ('tensor<1x?xf32>').
// Inputs and the numpy reference's outputs: dynamic-joined-static-attention-mask.npz; run dynamic-joined-static-attention-mask.py.
func.func @model(%a0: tensor<?x1xf32>) -> (tensor<1x1xf32>) {
  %v0 = kiln.constant dense<0.9527615904808044> : tensor<1x1xf32>
  %v1 = kiln.constant dense<"0x8767A23E5A30673E"> : tensor<2x1xf32>
  %v2 = kiln.constant dense<[[true, false]]> : tensor<1x2xi1>
  %v3 = kiln.attention %v0, %a0, %v1, %v2 : (tensor<1x1xf32>, tensor<?x1xf32>, tensor<2x1xf32>, tensor<1x2xi1>) -> tensor<1x1xf32>
  return %v3 : tensor<1x1xf32>
}
