// kiln-smith repro (bug 'dynamic_dim_joined_static', fixed by de4aa7a): attention of a query tensor<?x2x1xf32> with a static key and value of batch 1.
// Seen: 'memref.expand_shape' op invalid output shape provided at pos 0.
// Inputs and the numpy reference's outputs: dynamic-joined-static-attention.npz; run dynamic-joined-static-attention.py.
func.func @model(%a0: tensor<?x2x1xf32>) -> (tensor<1x2x2xf32>) {
  %v0 = kiln.constant dense<"0xB8C26C3F0C005BBF"> : tensor<1x2x1xf32>
  %v1 = kiln.constant dense<"0xC0F863B8B1F4F93E894225BF453D65BE"> : tensor<1x2x2xf32>
  %v2 = kiln.attention %a0, %v0, %v1 : (tensor<?x2x1xf32>, tensor<1x2x1xf32>, tensor<1x2x2xf32>) -> tensor<1x2x2xf32>
  return %v2 : tensor<1x2x2xf32>
}
