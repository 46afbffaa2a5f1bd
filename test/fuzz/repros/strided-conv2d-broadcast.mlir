// kiln-smith repro (bug 'broadcast_of_strided_view', fixed by dabf586): an NHWC conv2d with stride 3 (and padding) whose tensor<1x4x2x1xf32> result a mul broadcasts.
// Seen: LLVM Translation failed for operation: builtin.unrealized_conversion_cast.
// Inputs and the numpy reference's outputs: strided-conv2d-broadcast.npz; run strided-conv2d-broadcast.py.
func.func @model(%a0: tensor<1x10x1x1xf32>) -> (tensor<1x4x2x2xf32>) {
  %v0 = kiln.constant dense<"0x84DC0ABFA7AB0B3F"> : tensor<1x2x1x1xf32>
  %v1 = kiln.conv2d %a0, %v0 {strides = array<i64: 3, 1>, pads = array<i64: 0, 0, 0, 2>, dilations = array<i64: 1, 1>, groups = 1 : i64, layout = #kiln.layout<nhwc>} : (tensor<1x10x1x1xf32>, tensor<1x2x1x1xf32>) -> tensor<1x4x2x1xf32>
  %v2 = kiln.constant dense<"0x8B68053FC7E3A73E"> : tensor<1x1x1x2xf32>
  %v3 = kiln.mul %v1, %v2 : (tensor<1x4x2x1xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x2x2xf32>
  return %v3 : tensor<1x4x2x2xf32>
}
