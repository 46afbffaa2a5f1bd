// kiln-smith repro (bug 'reshape_two_dynamic_dims', fixed by a84ef94): reshape of a tensor<?x?xf32> by [-1, 0]: segfault while compiling.
// Seen: SIGSEGV while compiling.
// Inputs and the numpy reference's outputs: reshape-two-dynamic-dims-segfault.npz; run reshape-two-dynamic-dims-segfault.py.
func.func @model(%a0: tensor<?x?xf32>) -> (tensor<?x?xf32>) {
  %v0 = kiln.reshape %a0 [-1, 0] : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return %v0 : tensor<?x?xf32>
}
