// kiln-smith repro (bug 'broadcast_of_strided_view', fixed by dabf586): tensor<3x1xf32>[::2] added to a tensor<2x7xf32>.
// Seen: LLVM Translation failed for operation: builtin.unrealized_conversion_cast.
// Inputs and the numpy reference's outputs: strided-slice-broadcast.npz; run strided-slice-broadcast.py.
func.func @model(%a0: tensor<3x1xf32>, %a1: tensor<2x7xf32>) -> (tensor<2x7xf32>) {
  %v0 = kiln.slice %a0 {starts = array<i64: 0, 0>, ends = array<i64: 3, 1>, steps = array<i64: 2, 1>} : (tensor<3x1xf32>) -> tensor<2x1xf32>
  %v1 = kiln.add %v0, %a1 : (tensor<2x1xf32>, tensor<2x7xf32>) -> tensor<2x7xf32>
  return %v1 : tensor<2x7xf32>
}
