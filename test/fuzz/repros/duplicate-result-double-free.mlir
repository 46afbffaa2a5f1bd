// kiln-smith repro (bug 'duplicate_result', fixed by 6f310c0): returning one value twice frees its buffer twice.
// Seen: abort: free(): double free detected in tcache 2 (on the second run, JIT, opt_level 2).
// Inputs and the numpy reference's outputs: duplicate-result-double-free.npz; run duplicate-result-double-free.py.
func.func @model(%a0: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %v0 = kiln.relu %a0 : (tensor<4xf32>) -> tensor<4xf32>
  return %v0, %v0 : tensor<4xf32>, tensor<4xf32>
}
