// kiln-smith repro (bug 'attention_dynamic_head_dim', fixed by de4aa7a): attention without `scale` of a query and key tensor<1x4x?xf32>.
// Seen: failed to legalize operation 'kiln.attention' that was explicitly marked illegal.
// Inputs and the numpy reference's outputs: attention-dynamic-head-dim.npz; run attention-dynamic-head-dim.py.
func.func @model(%a0: tensor<1x4x?xf32>, %a1: tensor<1x4x?xf32>, %a2: tensor<1x4x6xf32>) -> (tensor<1x4x6xf32>) {
  %v0 = kiln.attention %a0, %a1, %a2 : (tensor<1x4x?xf32>, tensor<1x4x?xf32>, tensor<1x4x6xf32>) -> tensor<1x4x6xf32>
  return %v0 : tensor<1x4x6xf32>
}
