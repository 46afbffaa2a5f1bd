// The second model of two-models.mlir; it has an entry point `forward` too.

// y = relu(x - c), with c = [0.5, 1, -2].
func.func @forward(%x: tensor<2x3xf32> {kiln.name = "x"})
    -> (tensor<2x3xf32> {kiln.name = "y"}) {
  %c = kiln.constant dense<[0.5, 1.0, -2.0]> : tensor<3xf32>
  %0 = kiln.sub %x, %c : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = kiln.relu %0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// w = v + v.
func.func @twice(%v: tensor<?xf32> {kiln.name = "v"})
    -> (tensor<?xf32> {kiln.name = "w"}) {
  %0 = kiln.add %v, %v : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}
