// RUN: kiln-opt %s --kiln-quantize="mode=int4" --verify-diagnostics

// expected-error @+1 {{kiln-quantize: unknown mode 'int4' (expected int8-dynamic, int8 or int8-weights)}}
func.func @f(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  return %x : tensor<2x2xf32>
}
