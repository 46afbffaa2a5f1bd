// kiln-smith repro (bug 'matmul_two_dynamic_dims', fixed by a84ef94): matmul of tensor<?x?x2xf32> by a tensor<2x3xf32>: segfault while compiling.
// Seen: SIGSEGV in kiln-compile/kiln.compile: expand-strided-metadata, memref::ReinterpretCastOp::build <- dispatchIndexOpFoldResult.
// Inputs and the numpy reference's outputs: matmul-two-dynamic-dims-segfault.npz; run matmul-two-dynamic-dims-segfault.py.
func.func @model(%a0: tensor<?x?x2xf32>, %a1: tensor<2x3xf32>) -> (tensor<?x?x3xf32>) {
  %v0 = kiln.matmul %a0, %a1 : (tensor<?x?x2xf32>, tensor<2x3xf32>) -> tensor<?x?x3xf32>
  return %v0 : tensor<?x?x3xf32>
}
