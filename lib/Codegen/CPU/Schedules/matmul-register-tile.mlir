// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// A starting point for --kiln-schedule: register-tile every f32 matmul
// (M x N x K tiles of 4 x 16 x 1; edge tiles are padded with zeros to a
// full tile) and vectorize it, without packing. Kiln lowers the resulting vector.contract like its own
// (kiln-cpu-lower-vectors: accumulators hoisted, outer products, FMAs).
// Copy it and change the tile sizes, or the match, to experiment:
//
//   kiln-compile model.mlir --kiln-schedule=matmul-register-tile.mlir
//
// The ops the schedule tiles sit inside loops afterwards, and the built-in
// strategy (kiln-cpu-select-strategy) leaves them alone.
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(
      %root: !transform.any_op {transform.readonly}) {
    %matmuls = transform.structured.match ops{["linalg.matmul"]} in %root
        : (!transform.any_op) -> !transform.any_op
    %tiled, %loops:3 = transform.structured.tile_using_for %matmuls
        tile_sizes [4, 16, 1]
        : (!transform.any_op)
        -> (!transform.any_op, !transform.any_op, !transform.any_op,
            !transform.any_op)
    %padded, %pad, %copy = transform.structured.pad %tiled
        pad_to_multiple_of [4, 16, 1] {
          padding_values = [0.0 : f32, 0.0 : f32, 0.0 : f32],
          padding_dimensions = [0, 1, 2],
          copy_back_op = "linalg.copy"
        } : (!transform.any_op)
        -> (!transform.any_op, !transform.any_op, !transform.any_op)
    transform.structured.vectorize %padded : !transform.any_op
    %funcs = transform.structured.match ops{["func.func"]} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %funcs {
      transform.apply_patterns.vector.reduction_to_contract
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.yield
  }
}
