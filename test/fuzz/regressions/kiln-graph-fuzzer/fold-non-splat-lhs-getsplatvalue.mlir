func.func @f() -> tensor<2xi32> {
  %a = kiln.constant dense<[7, -7]> : tensor<2xi32>
  %b = kiln.constant dense<2> : tensor<2xi32>
  %0 = kiln.div %a, %b : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}
