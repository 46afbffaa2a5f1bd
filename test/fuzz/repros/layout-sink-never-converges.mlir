// kiln-smith seed 2026, graph 19, reduced by hand: kiln-convert-layout
// (auto: NCHW for so few channels) failed without a message, "compilation
// failed in the kiln stage", because its sinking pattern built a reshape
// and transpose of the select's rank-1 constant before finding that no
// operand of the 4-D select was a transpose, so the rewrite never
// converged.
func.func @model(%a0: tensor<1x4x4x2xf32>, %a1: tensor<3x3x4x8xf32>, %a2: tensor<1xf32>) -> (tensor<1x4x4x5xf32>, tensor<3x3x4x8xf32>) {
  %w = kiln.constant dense<[[[[0.5, -1.0, 2.0, 0.25, 1.5], [1.0, 0.5, -0.5, 2.0, -1.0]]]]> : tensor<1x1x2x5xf32>
  %y = kiln.conv2d %a0, %w {layout = #kiln.layout<nhwc>} : (tensor<1x4x4x2xf32>, tensor<1x1x2x5xf32>) -> tensor<1x4x4x5xf32>
  %c = kiln.constant dense<[true, false, true, false, true, false, true, false]> : tensor<8xi1>
  %s = kiln.select %c, %a1, %a2 : (tensor<8xi1>, tensor<3x3x4x8xf32>, tensor<1xf32>) -> tensor<3x3x4x8xf32>
  return %y, %s : tensor<1x4x4x5xf32>, tensor<3x3x4x8xf32>
}
