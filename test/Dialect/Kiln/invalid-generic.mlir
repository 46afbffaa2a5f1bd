// RUN: kiln-opt %s --split-input-file --verify-diagnostics

// Generic-form ops that break structural rules the custom syntax cannot
// express: operand counts, operand segments, missing or mistyped attributes.
// Each must be a diagnostic, never a crash.

func.func @conv_missing_filter(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op expected 2 or more operands, but found 1}}
  %0 = "kiln.conv2d"(%x) : (tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32>
  return
}

// -----

func.func @add_three_operands(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.add' op expected 2 operands, but found 3}}
  %0 = "kiln.add"(%x, %x, %x) : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @relu_two_results(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.relu' op requires one result}}
  %0:2 = "kiln.relu"(%x) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @layer_norm_segments(%x: tensor<2x8xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{'kiln.layer_norm' op operand count (2) does not match with the total size (3) specified in attribute 'operandSegmentSizes'}}
  %0 = "kiln.layer_norm"(%x, %g) <{operandSegmentSizes = array<i32: 1, 1, 1>}> : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @transpose_missing_perm(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.transpose' op requires attribute 'perm'}}
  %0 = "kiln.transpose"(%x) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @transpose_perm_type(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{invalid properties {perm = [1, 0]} for op kiln.transpose: Invalid attribute `perm` in property conversion: [1, 0]}}
  %0 = "kiln.transpose"(%x) <{perm = [1, 0]}> : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @conv_layout_type(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{invalid properties {layout = 1 : i32} for op kiln.conv2d: Invalid attribute `layout` in property conversion: 1 : i32}}
  %0 = "kiln.conv2d"(%x, %w) <{layout = 1 : i32}> : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @constant_missing_value() {
  // expected-error @+1 {{'kiln.constant' op requires attribute 'value'}}
  %0 = "kiln.constant"() : () -> tensor<4xf32>
  return
}

// -----

func.func @reshape_unranked(%x: tensor<*xf32>) {
  // expected-error @+1 {{'kiln.reshape' op operand #0 must be ranked tensor of any type values}}
  %0 = "kiln.reshape"(%x) <{shape = array<i64: 4>}> : (tensor<*xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @pool_kind_type(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{Invalid attribute `kind` in property conversion: "max"}}
  %0 = "kiln.pool2d"(%x) <{kind = "max", kernel = array<i64: 2, 2>}> : (tensor<1x3x8x8xf32>) -> tensor<1x3x7x7xf32>
  return
}

// -----

func.func @attention_unranked_mask(%q: tensor<4x8xf32>, %m: tensor<*xi1>) {
  // expected-error @+1 {{'kiln.attention' op operand #3 must be ranked tensor of any type values, but got 'tensor<*xi1>'}}
  %0 = "kiln.attention"(%q, %q, %q, %m) : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<*xi1>) -> tensor<4x8xf32>
  return
}
