// kiln-smith repro (bug 'dynamic_dim_joined_static', fixed by 28364ff): batch_norm of a tensor<?x?x2x2xf32> (channels `?`) with tensor<2xf32> parameters.
// Seen: 'memref.expand_shape' op invalid output shape provided at pos 1.
// Inputs and the numpy reference's outputs: dynamic-joined-static-batch-norm.npz; run dynamic-joined-static-batch-norm.py.
func.func @model(%a0: tensor<?x?x2x2xf32>, %a1: tensor<1xf32>) -> (tensor<?x?x2x2xf32>) {
  %v0 = kiln.min %a1, %a0 : (tensor<1xf32>, tensor<?x?x2x2xf32>) -> tensor<?x?x2x2xf32>
  %v1 = kiln.constant dense<"0xFCBE103F00427B3F"> : tensor<2xf32>
  %v2 = kiln.constant dense<"0x482B523F2A1BF8BC"> : tensor<2xf32>
  %v3 = kiln.constant dense<"0x2C0CEA3EC312AE3E"> : tensor<2xf32>
  %v4 = kiln.constant dense<"0xADF7A33F6422A93F"> : tensor<2xf32>
  %v5 = kiln.batch_norm %v0, %v1, %v2, %v3, %v4 {epsilon = 1.0e-05 : f64} : (tensor<?x?x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x?x2x2xf32>
  return %v5 : tensor<?x?x2x2xf32>
}
