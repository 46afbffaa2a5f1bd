// kiln-smith repro (bug 'concat_unit_dim_computed', fixed by 503564f): concat of relu(tensor<2x1xf32>) and a tensor<2x7xf32> along the last axis: the compiler loops, eating memory.
// Seen: kiln-cpu-vectorize-elementwise does not end: 2.3 GB in 30 s, then abort/SIGSEGV at the memory limit.
// Inputs and the numpy reference's outputs: concat-unit-dim-blowup.npz; run concat-unit-dim-blowup.py.
func.func @model(%a0: tensor<2x1xf32>, %a1: tensor<2x7xf32>) -> (tensor<2x8xf32>) {
  %v0 = kiln.relu %a0 : (tensor<2x1xf32>) -> tensor<2x1xf32>
  %v1 = kiln.concat %a1, %v0 {axis = -1 : i64} : (tensor<2x7xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
  return %v1 : tensor<2x8xf32>
}
