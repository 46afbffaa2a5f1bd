// kiln-smith repro (bug 'dynamic_dim_joined_static', fixed by de4aa7a): NHWC conv2d of a tensor<?x2x5x3xf32> whose batch an add with a static tensor makes static.
// Seen: 'tensor.collapse_shape' op expected dimension 0 of collapsed type to be static value of 20 (at the conv2d).
// Inputs and the numpy reference's outputs: dynamic-joined-static-conv2d-nhwc.npz; run dynamic-joined-static-conv2d-nhwc.py.
func.func @model(%a0: tensor<?x2x5x3xf32>, %a1: tensor<2x2x5x4xf32>) -> (tensor<2x2x5x4xf32>) {
  %v0 = kiln.constant dense<"0xEED0A7BE920E33BFF368CBBDD1B7173F44E909BF775D65BF537A43BE805C1ABFD18851BF4E85243E9A22CEBE6D1FB03E"> : tensor<1x1x3x4xf32>
  %v1 = kiln.conv2d %a0, %v0 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, layout = #kiln.layout<nhwc>} : (tensor<?x2x5x3xf32>, tensor<1x1x3x4xf32>) -> tensor<?x2x5x4xf32>
  %v2 = kiln.add %v1, %a1 : (tensor<?x2x5x4xf32>, tensor<2x2x5x4xf32>) -> tensor<2x2x5x4xf32>
  return %v2 : tensor<2x2x5x4xf32>
}
