// kiln-smith repro (bug 'dynamic_dim_joined_static', fixed by 28364ff): broadcast_to of a tensor<1x1x2x?xf32> whose `?` (K) a matmul with a static operand makes static.
// Seen: 'memref.expand_shape' op invalid output shape provided at pos 2 (at the broadcast_to).
// Inputs and the numpy reference's outputs: dynamic-joined-static-broadcast-to-matmul.npz; run dynamic-joined-static-broadcast-to-matmul.py.
func.func @model(%a0: tensor<1x1x2x?xf32>) -> (tensor<1x2x2x1xf32>) {
  %v0 = kiln.broadcast_to %a0 [1, 2, 2, 1] : (tensor<1x1x2x?xf32>) -> tensor<1x2x2x?xf32>
  %v1 = kiln.constant dense<"0x00B20BBF8B497C3EF1FB54BF55502A3F"> : tensor<1x2x2x1xf32>
  %v2 = kiln.matmul %v0, %v1 : (tensor<1x2x2x?xf32>, tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  return %v2 : tensor<1x2x2x1xf32>
}
