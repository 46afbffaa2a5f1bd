// A model whose work is all host code (a reshape): no kernels.
func.func @main(%a: tensor<2x6xf32>) -> tensor<3x4xf32> {
  %0 = kiln.reshape %a [3, 4] : (tensor<2x6xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}
