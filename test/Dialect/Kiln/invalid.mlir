// RUN: kiln-opt %s --split-input-file --verify-diagnostics

// One case per verifier message of the kiln dialect.

func.func @constant_not_tensor() {
  // expected-error @+1 {{'kiln.constant' op value must have a ranked tensor type, got 'vector<4xf32>'}}
  %0 = kiln.constant dense<1.0> : vector<4xf32>
  return
}

// -----

func.func @result_contradicts_inference(%x: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.relu' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<5xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.relu %x : (tensor<4xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @reshape_two_infers(%x: tensor<12xf32>) {
  // expected-error @+2 {{'kiln.reshape' op shape has more than one -1 entry (at 0 and 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reshape %x [-1, -1] : (tensor<12xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @reshape_copy_out_of_range(%x: tensor<3x4xf32>) {
  // expected-error @+2 {{'kiln.reshape' op shape entry 2 is 0 (copy the input dim) but the input has rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reshape %x [2, 6, 0] : (tensor<3x4xf32>) -> tensor<2x6x1xf32>
  return
}

// -----

func.func @reshape_negative(%x: tensor<3x4xf32>) {
  // expected-error @+2 {{'kiln.reshape' op shape entry 0 is -2; entries must be positive, 0 (copy) or -1 (infer)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reshape %x [-2, 6] : (tensor<3x4xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @reshape_cannot_infer(%x: tensor<3x4xf32>) {
  // expected-error @+2 {{'kiln.reshape' op cannot infer the -1 entry: 12 elements do not divide into the other dims (product 5)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reshape %x [5, -1] : (tensor<3x4xf32>) -> tensor<5x?xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<3x4xf32>) {
  // expected-error @+2 {{'kiln.reshape' op input has 12 elements but shape 5x2 has 10}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reshape %x [5, 2] : (tensor<3x4xf32>) -> tensor<5x2xf32>
  return
}

// -----

func.func @transpose_size(%x: tensor<3x4xf32>) {
  // expected-error @+2 {{'kiln.transpose' op 'perm' has 1 entries but the input has rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.transpose %x [0] : (tensor<3x4xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @transpose_range(%x: tensor<3x4xf32>) {
  // expected-error @+2 {{'kiln.transpose' op 'perm' entry 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.transpose %x [2, 0] : (tensor<3x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @transpose_repeat(%x: tensor<3x4xf32>) {
  // expected-error @+2 {{'kiln.transpose' op 'perm' is not a permutation: 0 appears more than once}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.transpose %x [0, 0] : (tensor<3x4xf32>) -> tensor<3x3xf32>
  return
}

// -----

func.func @concat_empty() {
  // expected-error @+1 {{'kiln.concat' op expected 1 or more operands, but found 0}}
  %0 = kiln.concat {axis = 0 : i64} : () -> tensor<1xf32>
  return
}

// -----

func.func @concat_scalar(%x: tensor<f32>) {
  // expected-error @+2 {{'kiln.concat' op cannot concatenate rank-0 tensors}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.concat %x, %x {axis = 0 : i64} : (tensor<f32>, tensor<f32>) -> tensor<2xf32>
  return
}

// -----

func.func @concat_axis(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.concat' op axis 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.concat %x, %x {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_rank(%x: tensor<2x3xf32>, %y: tensor<3xf32>) {
  // expected-error @+2 {{'kiln.concat' op input #1 has rank 1 but input #0 has rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.concat %x, %y {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_dims(%x: tensor<2x3xf32>, %y: tensor<3x3xf32>) {
  // expected-error @+2 {{'kiln.concat' op input #1 has dim 0 of size 3 but earlier inputs have 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.concat %x, %y {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_element_types(%x: tensor<2x3xf32>, %y: tensor<2x3xi32>) {
  // expected-error @+1 {{'kiln.concat' op requires the same element type for all operands and results}}
  %0 = kiln.concat %x, %y {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xi32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @slice_size(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.slice' op 'starts' must have 2 entries, got 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.slice %x {starts = array<i64: 0>, ends = array<i64: 1, 1>, steps = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<1x1xf32>
  return
}

// -----

func.func @slice_step(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.slice' op 'steps' entries must be positive, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 1, 1>, steps = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<1x1xf32>
  return
}

// -----

func.func @pad_negative(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.pad' op 'low' entries must be non-negative, got -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.pad %x {low = array<i64: 0, -1>, high = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @pad_value(%x: tensor<2x3xi32>) {
  // expected-error @+2 {{'kiln.pad' op padding value 5.000000e-01 is not integral but the tensor holds integers}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.pad %x {low = array<i64: 0, 1>, high = array<i64: 0, 0>, value = 0.5 : f64} : (tensor<2x3xi32>) -> tensor<2x4xi32>
  return
}

// -----

func.func @gather_scalar(%x: tensor<f32>, %i: tensor<2xi64>) {
  // expected-error @+2 {{'kiln.gather' op data must have rank >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.gather %x, %i : (tensor<f32>, tensor<2xi64>) -> tensor<2xf32>
  return
}

// -----

func.func @gather_axis(%x: tensor<4x8xf32>, %i: tensor<2xi64>) {
  // expected-error @+2 {{'kiln.gather' op axis -3 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.gather %x, %i {axis = -3 : i64} : (tensor<4x8xf32>, tensor<2xi64>) -> tensor<2x8xf32>
  return
}

// -----

func.func @gather_float_indices(%x: tensor<4x8xf32>, %i: tensor<2xf32>) {
  // expected-error @+1 {{'kiln.gather' op operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = kiln.gather %x, %i : (tensor<4x8xf32>, tensor<2xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @broadcast_nonpositive(%x: tensor<3xf32>) {
  // expected-error @+2 {{'kiln.broadcast_to' op 'shape' entries must be positive, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.broadcast_to %x [0, 3] : (tensor<3xf32>) -> tensor<0x3xf32>
  return
}

// -----

func.func @broadcast_incompatible(%x: tensor<3xf32>) {
  // expected-error @+2 {{'kiln.broadcast_to' op cannot broadcast 3 to 2x4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.broadcast_to %x [2, 4] : (tensor<3xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @cast_rank(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.cast' op result rank 2 differs from input rank 1}}
  %0 = kiln.cast %x : (tensor<4xf32>) -> tensor<4x1xi32>
  return
}

// -----

func.func @cast_dim(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.cast' op result dim 0 is 5 but the input's is 4}}
  %0 = kiln.cast %x : (tensor<4xf32>) -> tensor<5xi32>
  return
}

// -----

func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.add' op operands are not broadcast-compatible: 2x3 vs 4 (operand #1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @add_element_types(%a: tensor<4xf32>, %b: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.add' op requires the same element type for all operands and results}}
  %0 = kiln.add %a, %b : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  return
}

// -----

func.func @pow_integer(%a: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.pow' op operand #0 must be ranked tensor of floating-point values}}
  %0 = kiln.pow %a, %a : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return
}

// -----

func.func @exp_integer(%a: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.exp' op operand #0 must be ranked tensor of floating-point values}}
  %0 = kiln.exp %a : (tensor<4xi32>) -> tensor<4xi32>
  return
}

// -----

func.func @unary_unranked(%a: tensor<*xf32>) {
  // expected-error @+1 {{'kiln.neg' op operand #0 must be ranked tensor of floating-point or signless integer or unsigned integer values}}
  %0 = kiln.neg %a : (tensor<*xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @clamp_order(%a: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.clamp' op 'min' (6.000000e+00) must not exceed 'max' (0.000000e+00)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.clamp %a {min = 6.0 : f64, max = 0.0 : f64} : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @clamp_integral(%a: tensor<4xi8>) {
  // expected-error @+2 {{'kiln.clamp' op bounds must be integral for integer tensors}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.clamp %a {min = 0.5 : f64, max = 6.0 : f64} : (tensor<4xi8>) -> tensor<4xi8>
  return
}

// -----

func.func @compare_result(%a: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.compare' op result #0 must be ranked tensor of 1-bit signless integer values}}
  %0 = kiln.compare eq, %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @compare_broadcast(%a: tensor<4xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'kiln.compare' op operands are not broadcast-compatible: 4 vs 3 (operand #1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.compare eq, %a, %b : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xi1>
  return
}

// -----

func.func @select_types(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xi32>) {
  // expected-error @+2 {{'kiln.select' op 'on_true' has element type 'f32' but 'on_false' has 'i32'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.select %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  return
}

// -----

func.func @select_broadcast(%c: tensor<3xi1>, %a: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.select' op operands are not broadcast-compatible: 3 vs 4 (operand #1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.select %c, %a, %a : (tensor<3xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @matmul_rank(%a: tensor<4xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{'kiln.matmul' op operands must have rank >= 2, got 1 and 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.matmul %a, %b : (tensor<4xf32>, tensor<4x5xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @matmul_k(%a: tensor<3x4xf32>, %b: tensor<5x6xf32>) {
  // expected-error @+2 {{'kiln.matmul' op contraction dims differ: lhs has K = 4 but rhs has K = 5}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.matmul %a, %b : (tensor<3x4xf32>, tensor<5x6xf32>) -> tensor<3x6xf32>
  return
}

// -----

func.func @matmul_k_transposed(%a: tensor<3x4xf32>, %b: tensor<6x5xf32>) {
  // expected-error @+2 {{'kiln.matmul' op contraction dims differ: lhs has K = 3 but rhs has K = 5}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.matmul %a, %b {transpose_lhs = true, transpose_rhs = true} : (tensor<3x4xf32>, tensor<6x5xf32>) -> tensor<4x6xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<3x4x5xf32>) {
  // expected-error @+2 {{'kiln.matmul' op batch dims are not broadcast-compatible: 2 vs 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.matmul %a, %b : (tensor<2x3x4xf32>, tensor<3x4x5xf32>) -> tensor<2x3x5xf32>
  return
}

// -----

func.func @linear_scalar(%x: tensor<f32>, %w: tensor<4x1xf32>) {
  // expected-error @+2 {{'kiln.linear' op input must have rank >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.linear %x, %w : (tensor<f32>, tensor<4x1xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @linear_weight_rank(%x: tensor<2x4xf32>, %w: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.linear' op weight must have rank 2 ([N, K]), got rank 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.linear %x, %w : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @linear_k(%x: tensor<2x4xf32>, %w: tensor<8x5xf32>) {
  // expected-error @+2 {{'kiln.linear' op input has K = 4 but weight [N, K] has K = 5}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.linear %x, %w : (tensor<2x4xf32>, tensor<8x5xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @linear_bias(%x: tensor<2x4xf32>, %w: tensor<8x4xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.linear' op bias must have shape [8], got 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.linear %x, %w, %b : (tensor<2x4xf32>, tensor<8x4xf32>, tensor<4xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @outer_rank(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'kiln.outer' op operands must have rank 1, got 2 and 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.outer %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @conv_input_rank(%x: tensor<3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op input must have rank 4 (nchw), got rank 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w : (tensor<3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_filter_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op filter must have rank 4, got rank 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_strides(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op 'strides' must have 2 entries, got 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {strides = array<i64: 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x3x3xf32>
  return
}

// -----

func.func @conv_dilations(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op 'dilations' entries must be positive, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {dilations = array<i64: 0, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op 'pads' must have 4 entries, got 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {pads = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @conv_groups(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op 'groups' must be positive, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {groups = 0 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_input_groups(%x: tensor<1x3x8x8xf32>, %w: tensor<4x1x3x3xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op input channels (3) are not divisible by groups (2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {groups = 2 : i64} : (tensor<1x3x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_output_groups(%x: tensor<1x4x8x8xf32>, %w: tensor<5x2x3x3xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op output channels (5) are not divisible by groups (2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {groups = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<5x2x3x3xf32>) -> tensor<1x5x6x6xf32>
  return
}

// -----

func.func @conv_filter_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op filter has 2 input channels per group but the input has 3 channels in 1 group(s)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

// The nhwc layout reads channels from the last input dim and the filter as
// [KH, KW, C/groups, F].
func.func @conv_nhwc_filter_channels(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x2x4xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op filter has 2 input channels per group but the input has 3 channels in 1 group(s)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {layout = #kiln.layout<nhwc>} : (tensor<1x8x8x3xf32>, tensor<3x3x2x4xf32>) -> tensor<1x6x6x4xf32>
  return
}

// -----

func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<5xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op bias must have shape [4], got 5}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w, %b : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<5xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_kernel_too_big(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x9x9xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op the dilated kernel (9x9) does not fit the padded input (1x3x8x8)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x9x9xf32>) -> tensor<1x4x1x1xf32>
  return
}

// -----

func.func @pool_rank(%x: tensor<3x8x8xf32>) {
  // expected-error @+2 {{'kiln.pool2d' op input must have rank 4 (nhwc), got rank 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.pool2d max %x {kernel = array<i64: 2, 2>, layout = #kiln.layout<nhwc>} : (tensor<3x8x8xf32>) -> tensor<3x4x4xf32>
  return
}

// -----

func.func @pool_kernel(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+2 {{'kiln.pool2d' op 'kernel' must have 2 entries, got 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.pool2d max %x {kernel = array<i64: 2>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @pool_pad(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+2 {{'kiln.pool2d' op pad 3 must be smaller than the kernel extent 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.pool2d max %x {kernel = array<i64: 3, 3>, pads = array<i64: 0, 0, 3, 0>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x9x6xf32>
  return
}

// -----

func.func @pool_avg_integer(%x: tensor<1x3x8x8xi32>) {
  // expected-error @+2 {{'kiln.pool2d' op average pooling needs a float tensor, got 'i32'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.pool2d avg %x {kernel = array<i64: 2, 2>} : (tensor<1x3x8x8xi32>) -> tensor<1x3x7x7xi32>
  return
}

// -----

func.func @pool_too_big(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+2 {{'kiln.pool2d' op the kernel (5x5) does not fit the padded input (1x3x4x4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.pool2d max %x {kernel = array<i64: 5, 5>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x1x1xf32>
  return
}

// -----

func.func @global_pool_rank(%x: tensor<3x8xf32>) {
  // expected-error @+2 {{'kiln.global_avg_pool' op input must have rank 4 (nchw), got rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.global_avg_pool %x : (tensor<3x8xf32>) -> tensor<3x1xf32>
  return
}

// -----

func.func @batch_norm_rank(%x: tensor<4xf32>, %p: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.batch_norm' op input must have rank >= 2, got rank 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.batch_norm %x, %p, %p, %p, %p : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @batch_norm_axis(%x: tensor<1x4xf32>, %p: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.batch_norm' op axis 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.batch_norm %x, %p, %p, %p, %p {axis = 2 : i64} : (tensor<1x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  return
}

// -----

func.func @batch_norm_param(%x: tensor<1x4x2x2xf32>, %p: tensor<4xf32>, %m: tensor<3xf32>) {
  // expected-error @+2 {{'kiln.batch_norm' op 'mean' must have shape [4] (the channel dim), got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.batch_norm %x, %p, %p, %m, %p : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @batch_norm_epsilon(%x: tensor<1x4xf32>, %p: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.batch_norm' op 'epsilon' must be non-negative}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.batch_norm %x, %p, %p, %p, %p {epsilon = -1.0 : f64} : (tensor<1x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  return
}

// -----

func.func @layer_norm_scalar(%x: tensor<f32>) {
  // expected-error @+2 {{'kiln.layer_norm' op input must have rank >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.layer_norm %x : (tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @layer_norm_axis(%x: tensor<2x8xf32>) {
  // expected-error @+2 {{'kiln.layer_norm' op axis 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.layer_norm %x {axis = 2 : i64} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @layer_norm_scale(%x: tensor<2x8xf32>, %g: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.layer_norm' op 'scale' must have the normalized shape 8, got 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.layer_norm %x scale %g : (tensor<2x8xf32>, tensor<4xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @layer_norm_epsilon(%x: tensor<2x8xf32>) {
  // expected-error @+2 {{'kiln.layer_norm' op 'epsilon' must be non-negative}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.layer_norm %x {epsilon = -1.0e-5 : f64} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @softmax_scalar(%x: tensor<f32>) {
  // expected-error @+2 {{'kiln.softmax' op input must have rank >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.softmax %x : (tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @log_softmax_axis(%x: tensor<2x8xf32>) {
  // expected-error @+2 {{'kiln.log_softmax' op axis -3 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.log_softmax %x {axis = -3 : i64} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @reduce_axis(%x: tensor<2x8xf32>) {
  // expected-error @+2 {{'kiln.reduce_sum' op axis 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reduce_sum %x {axes = array<i64: 2>} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @reduce_repeat(%x: tensor<2x8xf32>) {
  // expected-error @+2 {{'kiln.reduce_max' op axis -1 is reduced more than once}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reduce_max %x {axes = array<i64: 1, -1>} : (tensor<2x8xf32>) -> tensor<2x1xf32>
  return
}

// -----

func.func @reduce_mean_integer(%x: tensor<2x8xi32>) {
  // expected-error @+1 {{'kiln.reduce_mean' op operand #0 must be ranked tensor of floating-point values}}
  %0 = kiln.reduce_mean %x : (tensor<2x8xi32>) -> tensor<1x1xi32>
  return
}

// -----

func.func @quantize_shape(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{'kiln.quantize' op result shape 4x8 differs from input shape 4x4}}
  %0 = kiln.quantize %x : (tensor<4x4xf32>) -> tensor<4x8x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @quantize_expressed(%x: tensor<4xf16>) {
  // expected-error @+1 {{'kiln.quantize' op quantized type expresses 'f32' but the input holds 'f16'}}
  %0 = kiln.quantize %x : (tensor<4xf16>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @quantize_axis(%x: tensor<2x2xf32>) {
  // expected-error @+1 {{'kiln.quantize' op quantized dimension 2 is out of range for rank 2}}
  %0 = kiln.quantize %x : (tensor<2x2xf32>) -> tensor<2x2x!quant.uniform<i8:f32:2, {0.1, 0.2}>>
  return
}

// -----

func.func @quantize_scales(%x: tensor<3x2xf32>) {
  // expected-error @+1 {{'kiln.quantize' op per-axis type has 2 scales but dim 0 has size 3}}
  %0 = kiln.quantize %x : (tensor<3x2xf32>) -> tensor<3x2x!quant.uniform<i8:f32:0, {0.1, 0.2}>>
  return
}

// -----

func.func @quantize_result_float(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.quantize' op result #0 must be ranked tensor of uniform quantized type values}}
  %0 = kiln.quantize %x : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @dequantize_float(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.dequantize' op operand #0 must be ranked tensor of uniform quantized type values}}
  %0 = kiln.dequantize %x : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @attention_rank(%q: tensor<8xf32>) {
  // expected-error @+2 {{'kiln.attention' op query, key and value must have one rank >= 2, got 1, 1 and 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.attention %q, %q, %q : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @attention_types(%q: tensor<4x8xf32>, %k: tensor<4x8xf16>) {
  // expected-error @+2 {{'kiln.attention' op query, key and value must have one element type}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.attention %q, %k, %k : (tensor<4x8xf32>, tensor<4x8xf16>, tensor<4x8xf16>) -> tensor<4x8xf32>
  return
}

// -----

func.func @attention_batch(%q: tensor<2x4x8xf32>, %k: tensor<3x4x8xf32>) {
  // expected-error @+2 {{'kiln.attention' op leading dim 0 differs: query 2, key 3, value 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.attention %q, %k, %k : (tensor<2x4x8xf32>, tensor<3x4x8xf32>, tensor<3x4x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

func.func @attention_head_dim(%q: tensor<4x8xf32>, %k: tensor<4x16xf32>) {
  // expected-error @+2 {{'kiln.attention' op query head dim 8 differs from key head dim 16}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.attention %q, %k, %k : (tensor<4x8xf32>, tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @attention_lengths(%q: tensor<4x8xf32>, %k: tensor<5x8xf32>, %v: tensor<6x8xf32>) {
  // expected-error @+2 {{'kiln.attention' op key length 5 differs from value length 6}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.attention %q, %k, %v : (tensor<4x8xf32>, tensor<5x8xf32>, tensor<6x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @attention_scale(%q: tensor<4x8xf32>) {
  // expected-error @+2 {{'kiln.attention' op 'scale' must be positive}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.attention %q, %q, %q {scale = 0.0 : f64} : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @attention_mask_type(%q: tensor<4x8xf32>, %m: tensor<4x4xi32>) {
  // expected-error @+2 {{'kiln.attention' op mask must hold i1 or 'f32', got 'i32'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.attention %q, %q, %q, %m : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x4xi32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @attention_mask_shape(%q: tensor<2x4x8xf32>, %m: tensor<3x4x4xi1>) {
  // expected-error @+2 {{'kiln.attention' op mask of shape 3x4x4 does not broadcast to the scores' shape 2x4x4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.attention %q, %q, %q, %m : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<3x4x4xi1>) -> tensor<2x4x8xf32>
  return
}

// -----

func.func @sub_broadcast(%a: tensor<2x3xf32>, %b: tensor<2xf32>) {
  // expected-error @+2 {{'kiln.sub' op operands are not broadcast-compatible: 2x3 vs 2 (operand #1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.sub %a, %b : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @mul_broadcast(%a: tensor<2x3xf32>, %b: tensor<2xf32>) {
  // expected-error @+2 {{'kiln.mul' op operands are not broadcast-compatible: 2x3 vs 2 (operand #1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.mul %a, %b : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @div_broadcast(%a: tensor<2x3xf32>, %b: tensor<2xf32>) {
  // expected-error @+2 {{'kiln.div' op operands are not broadcast-compatible: 2x3 vs 2 (operand #1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.div %a, %b : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @max_broadcast(%a: tensor<2x3xf32>, %b: tensor<2xf32>) {
  // expected-error @+2 {{'kiln.max' op operands are not broadcast-compatible: 2x3 vs 2 (operand #1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.max %a, %b : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @min_broadcast(%a: tensor<2x3xf32>, %b: tensor<2xf32>) {
  // expected-error @+2 {{'kiln.min' op operands are not broadcast-compatible: 2x3 vs 2 (operand #1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.min %a, %b : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @log_integer(%a: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.log' op operand #0 must be ranked tensor of floating-point values}}
  %0 = kiln.log %a : (tensor<4xi32>) -> tensor<4xi32>
  return
}

// -----

func.func @sqrt_integer(%a: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.sqrt' op operand #0 must be ranked tensor of floating-point values}}
  %0 = kiln.sqrt %a : (tensor<4xi32>) -> tensor<4xi32>
  return
}

// -----

func.func @rsqrt_integer(%a: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.rsqrt' op operand #0 must be ranked tensor of floating-point values}}
  %0 = kiln.rsqrt %a : (tensor<4xi32>) -> tensor<4xi32>
  return
}

// -----

func.func @tanh_integer(%a: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.tanh' op operand #0 must be ranked tensor of floating-point values}}
  %0 = kiln.tanh %a : (tensor<4xi32>) -> tensor<4xi32>
  return
}

// -----

func.func @sigmoid_integer(%a: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.sigmoid' op operand #0 must be ranked tensor of floating-point values}}
  %0 = kiln.sigmoid %a : (tensor<4xi32>) -> tensor<4xi32>
  return
}

// -----

func.func @erf_integer(%a: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.erf' op operand #0 must be ranked tensor of floating-point values}}
  %0 = kiln.erf %a : (tensor<4xi32>) -> tensor<4xi32>
  return
}

// -----

func.func @gelu_integer(%a: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.gelu' op operand #0 must be ranked tensor of floating-point values}}
  %0 = kiln.gelu %a : (tensor<4xi32>) -> tensor<4xi32>
  return
}

// -----

func.func @abs_element_type(%a: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.abs' op requires the same element type for all operands and results}}
  %0 = kiln.abs %a : (tensor<4xf32>) -> tensor<4xf16>
  return
}

// -----

func.func @relu_element_type(%a: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.relu' op requires the same element type for all operands and results}}
  %0 = kiln.relu %a : (tensor<4xf32>) -> tensor<4xf16>
  return
}

// -----

func.func @reduce_min_axis(%x: tensor<2x8xf32>) {
  // expected-error @+2 {{'kiln.reduce_min' op axis -3 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reduce_min %x {axes = array<i64: -3>} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @reduce_prod_axis(%x: tensor<2x8xf32>) {
  // expected-error @+2 {{'kiln.reduce_prod' op axis -3 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reduce_prod %x {axes = array<i64: -3>} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @floor_of_integers(%n: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @below {{'kiln.floor' op operand #0 must be ranked tensor of floating-point values}}
  %0 = kiln.floor %n : (tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @mod_mismatched_elements(%a: tensor<4xf32>, %n: tensor<4xi32>) -> tensor<4xf32> {
  // expected-error @below {{'kiln.mod' op requires the same element type for all operands and results}}
  %0 = kiln.mod %a, %n : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @shift_of_floats(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @below {{'kiln.shift_left' op operand #0 must be ranked tensor of signless integer or unsigned integer values}}
  %0 = kiln.shift_left %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @matmul_integer_rank(%a: tensor<8xi8>, %b: tensor<8x5xi8>) {
  // expected-error @+2 {{'kiln.matmul_integer' op lhs must have rank >= 2 ([..., M, K]), got rank 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.matmul_integer %a, %b : (tensor<8xi8>, tensor<8x5xi8>) -> tensor<5xi32>
  return
}

// -----

func.func @matmul_integer_batched_rhs(%a: tensor<2x4x8xi8>, %b: tensor<2x8x5xi8>) {
  // expected-error @+2 {{'kiln.matmul_integer' op rhs must have rank 2 ([K, N], or [N, K] with transpose_rhs), got rank 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.matmul_integer %a, %b : (tensor<2x4x8xi8>, tensor<2x8x5xi8>) -> tensor<2x4x5xi32>
  return
}

// -----

func.func @matmul_integer_k(%a: tensor<4x8xi8>, %b: tensor<5x8xi8>) {
  // expected-error @+2 {{'kiln.matmul_integer' op contraction dims differ: lhs has K = 8 but rhs has K = 5}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.matmul_integer %a, %b : (tensor<4x8xi8>, tensor<5x8xi8>) -> tensor<4x8xi32>
  return
}

// -----

func.func @matmul_integer_zero_point_type(%a: tensor<4x8xui8>, %b: tensor<8x5xi8>, %z: tensor<i8>) {
  // expected-error @+2 {{'kiln.matmul_integer' op lhs_zero_point must have its operand's element type 'ui8', got 'i8'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.matmul_integer %a, %b lhs_zero_point(%z) : (tensor<4x8xui8>, tensor<8x5xi8>, tensor<i8>) -> tensor<4x5xi32>
  return
}

// -----

func.func @matmul_integer_zero_point_shape(%a: tensor<4x8xui8>, %b: tensor<8x5xi8>, %z: tensor<4xui8>) {
  // expected-error @+2 {{'kiln.matmul_integer' op lhs_zero_point must be a scalar, got 'tensor<4xui8>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.matmul_integer %a, %b lhs_zero_point(%z) : (tensor<4x8xui8>, tensor<8x5xi8>, tensor<4xui8>) -> tensor<4x5xi32>
  return
}

// -----

func.func @matmul_integer_rhs_zero_point(%a: tensor<4x8xi8>, %b: tensor<8x5xi8>, %z: tensor<4xi8>) {
  // expected-error @+2 {{'kiln.matmul_integer' op rhs_zero_point must be a scalar or have shape [N], got 'tensor<4xi8>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.matmul_integer %a, %b rhs_zero_point(%z) : (tensor<4x8xi8>, tensor<8x5xi8>, tensor<4xi8>) -> tensor<4x5xi32>
  return
}

// -----

func.func @matmul_integer_float(%a: tensor<4x8xf32>, %b: tensor<8x5xi8>) {
  // expected-error @+1 {{'kiln.matmul_integer' op operand #0 must be ranked tensor of 8-bit signless integer or 8-bit unsigned integer values}}
  %0 = kiln.matmul_integer %a, %b : (tensor<4x8xf32>, tensor<8x5xi8>) -> tensor<4x5xi32>
  return
}
