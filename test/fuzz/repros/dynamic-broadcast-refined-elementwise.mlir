// kiln-smith repro (bug 'broadcast_dynamic_dim_refined', fixed by 28364ff): tensor<2x?x2xf32> + tensor<1xf32> (a size-1 broadcast), then + a static tensor<2x2xf32> that makes the `?` static.
// Seen: 'memref.expand_shape' op invalid output shape provided at pos 1 (at the fused adds).
// Inputs and the numpy reference's outputs: dynamic-broadcast-refined-elementwise.npz; run dynamic-broadcast-refined-elementwise.py.
func.func @model(%a0: tensor<2x?x2xf32>, %a1: tensor<1xf32>) -> (tensor<2x2x2xf32>) {
  %v0 = kiln.add %a0, %a1 : (tensor<2x?x2xf32>, tensor<1xf32>) -> tensor<2x?x2xf32>
  %v1 = kiln.constant dense<"0xFFCF71BF56201DBF5787C83E2E605F3E"> : tensor<2x2xf32>
  %v2 = kiln.add %v0, %v1 : (tensor<2x?x2xf32>, tensor<2x2xf32>) -> tensor<2x2x2xf32>
  return %v2 : tensor<2x2x2xf32>
}
