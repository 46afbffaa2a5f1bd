// kiln-smith repro (known bug 'strided_dynamic_slice_to_one_element'): tensor<?x1xf32>[::2] (a `?` dim sliced with step 2) reshaped to [1].
// Seen: LLVM ERROR: out of memory (abort) or SIGSEGV while compiling, at once (found as seed 1003 graph 103).
// Inputs and the numpy reference's outputs: strided-dynamic-slice-reshape-one-element.npz; run strided-dynamic-slice-reshape-one-element.py.
func.func @model(%a0: tensor<?x1xf32>) -> (tensor<1xf32>) {
  %v0 = kiln.slice %a0 {starts = array<i64: 0, 0>, ends = array<i64: 1, 1>, steps = array<i64: 2, 1>} : (tensor<?x1xf32>) -> tensor<?x1xf32>
  %v1 = kiln.reshape %v0 [1] : (tensor<?x1xf32>) -> tensor<1xf32>
  return %v1 : tensor<1xf32>
}
