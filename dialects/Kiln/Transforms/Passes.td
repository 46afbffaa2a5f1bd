//===- Passes.td - Kiln graph-level passes -----------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRANSFORMS_PASSES_TD
#define KILN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Graph optimizations
//===----------------------------------------------------------------------===//

def KilnFoldConstantsPass : Pass<"kiln-fold-constants"> {
  let summary = "Evaluate data movement and casts on constant tensors";
  let description = [{
    Replaces `kiln.transpose`, `kiln.reshape`, `kiln.broadcast_to`,
    `kiln.slice` and `kiln.pad` of a constant by the constant they compute,
    moving the elements' bytes (any integer or float type of whole bytes),
    and `kiln.cast` of an f32, f64 or 8- to 32-bit integer constant to a
    float type by the converted constant. Unlike the ops' folders, which
    evaluate small `dense` constants, it reads `dense_resource` blobs (frozen
    weights), and writes results above 1024 elements as blobs again. So a
    weight that the exporter transposes, slices (a recurrent layer's gates)
    or converts costs nothing at run time.

    Results with more than `max-elements` elements are left alone (the
    size guard: a folded constant is stored in the object).

    ```mlir
    // Before
    %w = kiln.constant dense_resource<w> : tensor<768x3072xf32>
    %t = kiln.transpose %w [1, 0] : (tensor<768x3072xf32>) -> tensor<3072x768xf32>
    // After
    %t = kiln.constant dense_resource<kiln_folded> : tensor<3072x768xf32>
    ```
  }];
  let options = [
    Option<"maxElements", "max-elements", "int64_t", /*default=*/"1 << 26",
           "Largest result, in elements, to fold">,
  ];
  let dependentDialects = ["::mlir::kiln::KilnDialect"];
}

def KilnEvaluateConstantsPass
    : Pass<"kiln-evaluate-constants", "::mlir::ModuleOp"> {
  let summary = "Compute any kiln op whose operands are all constant at "
                "compile time";
  let description = [{
    Finds the kiln ops whose operands are all constants (or results of such
    ops), whatever the op: elementwise math, matmuls and convolutions of
    weights, dequantize and quantize, reductions, the data movement
    `kiln-fold-constants` does without running code. It gathers them into
    one function of a separate module, which the registered constant
    evaluator compiles with Kiln's own CPU pipeline and JIT and runs once;
    each value the rest of the graph uses then becomes a `kiln.constant`
    (a `dense_resource` blob above 1024 elements). The results are the
    model's own numerics: the same lowering computes them.

    `kiln-compile`, `kiln-run`, Python and `kiln-opt` register the JIT
    evaluator; without one (a tool that links no JIT) the pass changes
    nothing. When the computation fails (a constant index out of range,
    say), each value is computed on its own instead; for those that still
    fail, a warning says why and their subgraphs stay, to fail at run time
    if they run at all. Results above `max-bytes` are not computed (their operands
    may be), and `kiln.broadcast_to` never is: a broadcast constant costs
    memory in the object and saves no work.

    ```mlir
    // Before: a weight fake-quantized by quantization-aware training
    %w = kiln.constant dense_resource<w> : tensor<768x768xf32>
    %q = kiln.quantize %w : (tensor<768x768xf32>) -> tensor<768x768x!quant.uniform<i8:f32, 0.02>>
    %d = kiln.dequantize %q : (tensor<768x768x!quant.uniform<i8:f32, 0.02>>) -> tensor<768x768xf32>
    %y = kiln.matmul %x, %d : (tensor<1x768xf32>, tensor<768x768xf32>) -> tensor<1x768xf32>
    // After
    %d = kiln.constant dense_resource<kiln_evaluated> : tensor<768x768xf32>
    %y = kiln.matmul %x, %d : (tensor<1x768xf32>, tensor<768x768xf32>) -> tensor<1x768xf32>
    ```

    Each computed value is reported as an `evaluated-<op>` remark with its
    bytes (the compile report's folded bytes).
  }];
  let options = [
    Option<"maxBytes", "max-bytes", "int64_t", /*default=*/"int64_t(1) << 28",
           "Largest result, in bytes, to compute at compile time">,
  ];
  let dependentDialects = ["::mlir::kiln::KilnDialect"];
}

def KilnConvertLayoutPass
    : Pass<"kiln-convert-layout", "::mlir::ModuleOp"> {
  let summary = "Put convolutions and pooling in one image layout and cancel "
                "the transposes";
  let description = [{
    Converts every `kiln.conv2d`, `kiln.pool2d` and `kiln.global_avg_pool`
    to `layout` (`nhwc` or `nchw`): its image is transposed in, its result
    back, and a convolution's filter is transposed too (a constant filter
    is re-laid out at compile time by the `kiln-fold-constants` that
    follows in the graph pipeline). Then the transposes back sink through
    what lies between image ops, so that they meet the next op's transpose
    in and cancel:

    - elementwise ops (unary and broadcasting binary ones, compare, select,
      clamp, gelu, cast): a constant operand is transposed the other way
      instead (at compile time), a single value stays;
    - `kiln.batch_norm`, `kiln.softmax`, `kiln.log_softmax`, reductions
      that keep their dims and `kiln.concat`, with the axes renumbered;
    - `kiln.pad`, with the pads permuted;
    - `kiln.gather` by a 1-D index list, with the axis renumbered: a resize,
      as the ONNX importer writes one (a gather per tap along each resized
      axis, weighted by constants along it).

    A transpose that moves only size-1 dims becomes a reshape (the `[N,1,1,C]`
    after a global pooling). Transposes remain only at the function's
    inputs and results, or before an op that reads the old layout and that
    the pass cannot renumber (a reshape of a real image, a slice). With
    `image-interface`, an entry point (a public, single-block function no
    other one calls) takes the images it only transposes, and returns those
    it transposed back, in the chosen layout instead: its signature
    changes, and no transpose is left at all.

    `auto` chooses with a cost model of the module's `kiln.target`: NHWC,
    where Kiln's convolutions are GEMMs over `[N*OH*OW, KH*KW*C]` (1x1
    ones with no im2col at all) and depthwise convolutions and pooling
    vectorize along the channels, unless most convolutions have fewer
    output channels than a vector register holds f32 lanes. The choice is
    reported as a `chose-nhwc` or `chose-nchw` remark, each converted op as
    `to-nhwc` or `to-nchw`.

    ```mlir
    // Before: two NCHW convolutions with a relu between
    %a = kiln.conv2d %x, %w1 : (...) -> tensor<1x64x56x56xf32>
    %r = kiln.relu %a : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
    %b = kiln.conv2d %r, %w2 : (...) -> tensor<1x64x56x56xf32>
    // After layout=nhwc
    %t = kiln.transpose %x [0, 2, 3, 1] : (...) -> tensor<1x56x56x3xf32>
    %a = kiln.conv2d %t, %w1_hwcf {layout = #kiln.layout<nhwc>} : (...) -> tensor<1x56x56x64xf32>
    %r = kiln.relu %a : (tensor<1x56x56x64xf32>) -> tensor<1x56x56x64xf32>
    %b = kiln.conv2d %r, %w2_hwcf {layout = #kiln.layout<nhwc>} : (...) -> tensor<1x56x56x64xf32>
    %y = kiln.transpose %b [0, 3, 1, 2] : (...) -> tensor<1x64x56x56xf32>
    ```
  }];
  let options = [
    Option<"layout", "layout", "std::string", /*default=*/"\"auto\"",
           "The layout of image ops: nhwc, nchw or auto">,
    Option<"imageInterface", "image-interface", "bool", /*default=*/"false",
           "Take and return images in the chosen layout: no transposes at "
           "the function's boundary either (its signature changes)">,
  ];
  let dependentDialects = ["::mlir::kiln::KilnDialect"];
}

def KilnFoldBatchNormPass : Pass<"kiln-fold-batchnorm"> {
  let summary = "Fold batch norms and per-channel scales and shifts into "
                "convolutions";
  let description = [{
    Rewrites `kiln.batch_norm(kiln.conv2d(x, W, b))`, where the batch norm
    normalizes the convolution's output channels and `W`, `b` and the four
    batch-norm parameters are constants (frozen weights), into one
    `kiln.conv2d(x, W', b')` with

    ```
    a  = scale / sqrt(variance + epsilon)
    W' = W * a          (per output channel)
    b' = (b - mean) * a + bias
    ```

    The same goes for a scale or shift by a constant after a convolution:
    `conv * c` and `conv / c` scale `W` and `b`, `conv + c` and `conv - c`
    shift `b`, where `c` holds one value per output channel (every other
    dim 1, in either layout) or one value. A batch norm *before* a
    convolution folds too, into the weights of each input channel, when the
    convolution has no padding (zero padding would pad the normalized input
    with zeros, which the folded convolution cannot express):

    ```
    a = scale / sqrt(variance + epsilon),  s = bias - mean * a
    W'[o, i, ...] = W[o, i, ...] * a[i]
    b'[o]         = b[o] + sum over i and the window of W[o, i, ...] * s[i]
    ```

    The folded weights are computed at compile time in double precision and
    stored as `dense` elements, or as `dense_resource` blobs when large. The
    convolution must have no other users. Works for both layouts and for
    grouped and depthwise convolutions. Remarks: `batchnorm-folded`,
    `scale-folded`, `shift-folded`, `batchnorm-into-next-conv`.

    ```mlir
    // Before
    %y = kiln.conv2d %x, %w : (...) -> tensor<1x8x14x14xf32>
    %z = kiln.batch_norm %y, %s, %b, %m, %v : (...) -> tensor<1x8x14x14xf32>
    // After
    %z = kiln.conv2d %x, %w_folded, %b_folded : (...) -> tensor<1x8x14x14xf32>
    ```
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect"];
  let statistics = [
    Statistic<"numFolded", "num-folded", "Number of batch norms folded">
  ];
}

def KilnSimplifyPass : Pass<"kiln-simplify"> {
  let summary = "Algebraic simplification of the kiln graph";
  let description = [{
    Rewrites that canonicalization does not do, because each trades one
    form for another rather than removing an op outright:

    - **A transpose into a matmul**: `matmul(transpose(x), y)`, the
      transpose swapping the last two dims only, becomes `matmul(x, y)`
      with `transpose_lhs` flipped (and the same for the right operand);
      the contraction reads `x` transposed instead of a copy being made.
    - **A product with a reciprocal into a division**: `x * (1 / y)`
      becomes `x / y` for floats (when the 1 does not broadcast `y` to a
      larger shape).
    - **Constant chains**: `(x + c1) + c2` becomes `x + (c1 + c2)` and
      `(x * c1) * c2` becomes `x * (c1 * c2)` for constants `c1`, `c2`
      (the inner op with no other use); canonicalization then folds the
      constants into one.
    - **A pad into a convolution**: `conv2d(pad(x, 0), w)` whose pad adds
      zeros to the spatial dims only becomes `conv2d(x, w)` with the
      padding added to the convolution's `pads`.
    - **A pad into a pool**: `pool2d(pad(x, v))` whose pad pads the
      spatial dims only becomes `pool2d(x)` with the padding added to the
      pool's `pads` where the pool's own padding means the same: `v` is
      -inf for a max pool, or at most 0 when `x` is a ReLU's result; `v` is
      0 for an average pool, which then counts its padding
      (`count_include_pad`; one that pads without counting it keeps the
      pad). Not with `ceil_mode`, nor where the padding would reach the
      kernel's size.

    Float reassociation may change results in the last bits, as any
    compiler's does. Each rewrite emits an optimization remark, which the
    compile report counts.

    ```mlir
    // Before
    %t = kiln.transpose %k [0, 2, 1] : (tensor<2x8x5xf32>) -> tensor<2x5x8xf32>
    %s = kiln.matmul %q, %t : (tensor<2x4x5xf32>, tensor<2x5x8xf32>) -> tensor<2x4x8xf32>
    // After
    %s = kiln.matmul %q, %k {transpose_rhs = true}
        : (tensor<2x4x5xf32>, tensor<2x8x5xf32>) -> tensor<2x4x8xf32>
    ```
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect"];
}

def KilnRecomposePass : Pass<"kiln-recompose", "::mlir::func::FuncOp"> {
  let summary = "Recompose decomposed LayerNorm, GELU and attention";
  let description = [{
    Exporters (torch.onnx at opsets below 17, TF converters) spell fused
    operators as chains of elementwise ops. This pass finds those chains and
    rewrites them into the single kiln op, so that the lowering can emit one
    fused kernel:

    * **LayerNorm**: `d = x - mean(x)`, `d / sqrt(mean(d^2) + eps)` (the
      square as `pow(d, 2)` or `d * d`, the reductions over the same
      trailing axes, with keepdims) becomes `kiln.layer_norm`; a following
      `* gamma` and `+ beta` of the normalized shape are absorbed as its
      scale and bias.
    * **GELU**: `x * 0.5 * (1 + erf(x / sqrt(2)))` in any association and
      operand order (also `x * (1/sqrt(2))`) becomes `kiln.gelu`.
    * **Attention**: `matmul(softmax(scores [+ mask]), v)` with
      `scores = matmul(q, transpose(k))`, optionally scaled by a constant on
      either the scores or `q`, becomes `kiln.attention` with that scale and
      the mask.

    Only single-use intermediates are absorbed, and constants must be
    scalars (splats), so the rewrite never duplicates work.

    ```mlir
    // Before
    %m = kiln.reduce_mean %x {axes = array<i64: -1>} : ...
    %d = kiln.sub %x, %m : ...
    %p = kiln.pow %d, %two : ...
    %v = kiln.reduce_mean %p {axes = array<i64: -1>} : ...
    %e = kiln.add %v, %eps : ...
    %s = kiln.sqrt %e : ...
    %y = kiln.div %d, %s : ...
    // After
    %y = kiln.layer_norm %x {axis = -1 : i64, epsilon = 9.9999997e-06 : f64} : ...
    ```
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect"];
  let statistics = [
    Statistic<"numLayerNorms", "num-layer-norms", "LayerNorms recomposed">,
    Statistic<"numGelus", "num-gelus", "GELUs recomposed">,
    Statistic<"numAttentions", "num-attentions", "Attentions recomposed">
  ];
}

def KilnFoldQDQPass : Pass<"kiln-fold-qdq", "::mlir::func::FuncOp"> {
  let summary = "Run quantize/dequantize-wrapped layers as int8 kernels";
  let description = [{
    A model that arrives quantized as QDQ (PyTorch's QAT export,
    onnxruntime's quantizer) computes each layer in float between fake
    quantizations: its weights are `kiln.dequantize(kiln.quantize(w))` and
    its input values lie on the grid of a `kiln.dequantize` (seen through
    relu, max pooling and data movement, which keep them on it). This pass
    rewrites such a `kiln.linear`, `kiln.matmul` or `kiln.conv2d` into the
    int8 contraction of kiln-quantize, with the model's own quantization:
    the weights' scales (symmetric int8, per tensor or per output channel)
    and the activations' scale and zero point (u8 or i8, per tensor; an i8
    grid is the u8 one shifted by 128). Quantizing values that are on the
    grid already is exact, so the result is the float computation's up to
    the rounding of the sums. The fake quantizations of the layers' outputs
    stay: they are the model's requantization.

    Layers whose weights or input are not quantized so (asymmetric weights,
    per-axis activations, another axis) keep their float computation.

    ```mlir
    // Before
    %q = kiln.quantize %x : (...) -> tensor<?x64x!quant.uniform<u8:f32, 0.02:3>>
    %d = kiln.dequantize %q : (...) -> tensor<?x64xf32>
    %wq = kiln.quantize %w : (...) -> tensor<10x64x!quant.uniform<i8:f32:0, {...}>>
    %wd = kiln.dequantize %wq : (...) -> tensor<10x64xf32>
    %y = kiln.linear %d, %wd, %b : (...) -> tensor<?x10xf32>
    // After: %d quantized again (exactly) to ui8, zero point 3
    %acc = kiln.matmul_integer %dq, %wi8 lhs_zero_point(%zp)
        {transpose_rhs = true} : (...) -> tensor<?x10xi32>
    ```
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect"];
}

def KilnQuantizePass : Pass<"kiln-quantize", "::mlir::func::FuncOp"> {
  let summary = "Quantize linear layers and matmuls with frozen weights to "
                "int8";
  let description = [{
    Rewrites each `kiln.linear` and `kiln.matmul` (rank-2 right operand,
    not `transpose_lhs`) and each `kiln.conv2d` (one group, static spatial
    sizes) whose weights are an f32 constant into a `kiln.matmul_integer`
    on int8 operands and a float epilogue. A convolution's input is padded
    in float (so that the padding quantizes to the zero point exactly),
    quantized, and cut into one strided slice per kernel tap, concatenated
    along the channels: the im2col matrix, in bytes, times the filter
    viewed as `[KH*KW*C, F]`; NCHW goes through NHWC and back.

    - weights: int8, symmetric, one scale per output channel (`max |w| /
      127`), quantized here, at compile time; their column sums (for the
      activations' zero point) are folded by the lowering;
    - activations: `ui8` with a zero point, one scale per tensor, so that
      the kernel is the `u8 x s8` dot product of AVX-512 VNNI. Where the
      scale comes from is the mode:
      - `int8-dynamic`: from the tensor's min and max at run time (two
        reductions and one quantizing pass over the input per call), as
        torch's `quantize_dynamic`;
      - `int8-weights`: none; only the weights are stored as int8 (4x
        smaller objects), dequantized when the op runs, which keeps its
        float computation (and accuracy) and costs a pass over the
        weights per call;
      - `int8`: from a range recorded on the op by calibration,
        `kiln.calibrated_range = array<f64: lo, hi>` (Kiln's compiler
        session runs the f32 model on calibration batches to find it; a
        test or a user may write it). An op without one stays f32.
    - the result: `float(acc) * (scale_x * scale_w[n]) + bias[n]`, which
      kiln-fuse-elementwise fuses into one pass over the accumulator.

    Ops of other element types, with non-constant weights, or with
    `kiln.quantize = false` stay as they are. Each rewrite is reported as a
    remark (`quantized-int8-dynamic`, `quantized-int8`).

    ```mlir
    // Before
    %y = kiln.linear %x, %w, %b : (tensor<128x768xf32>,
        tensor<3072x768xf32>, tensor<3072xf32>) -> tensor<128x3072xf32>
    // After (int8-dynamic; the scale and zero point ops elided)
    %xq = kiln.cast %xr : (tensor<128x768xf32>) -> tensor<128x768xui8>
    %acc = kiln.matmul_integer %xq, %wq lhs_zero_point(%zp)
        {transpose_rhs = true} : (tensor<128x768xui8>, tensor<3072x768xi8>,
        tensor<ui8>) -> tensor<128x3072xi32>
    %f = kiln.cast %acc : (tensor<128x3072xi32>) -> tensor<128x3072xf32>
    %s = kiln.mul %f, %scales : (tensor<128x3072xf32>, tensor<3072xf32>)
        -> tensor<128x3072xf32>
    %y = kiln.add %s, %b : (tensor<128x3072xf32>, tensor<3072xf32>)
        -> tensor<128x3072xf32>
    ```
  }];
  let options = [
    Option<"mode", "mode", "std::string", /*default=*/"\"int8-dynamic\"",
           "int8-dynamic (activation scales at run time), int8 (scales "
           "from kiln.calibrated_range) or int8-weights (weights only)">,
  ];
  let dependentDialects = ["::mlir::kiln::KilnDialect"];
}

def KilnInferShapesPass : Pass<"kiln-infer-shapes", "::mlir::func::FuncOp"> {
  let summary = "Refine dynamic dims of kiln results from their operands";
  let description = [{
    Re-runs each kiln op's result-type inference in program order and makes
    result dims static where the operands now determine them (after an
    importer specialized an input, say, or a constant replaced a dynamic
    value). Users outside the kiln dialect keep their old type through a
    `tensor.cast`; with `refine-signature`, a function's result types are
    refined too, so `func.return` sees the new types directly.

    ```mlir
    // Before
    %0 = kiln.relu %arg0 : (tensor<4x8xf32>) -> tensor<?x8xf32>
    // After
    %0 = kiln.relu %arg0 : (tensor<4x8xf32>) -> tensor<4x8xf32>
    ```
  }];
  let options = [
    Option<"refineSignature", "refine-signature", "bool", /*default=*/"true",
           "Also refine the function's result types">
  ];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
  let statistics = [
    Statistic<"numRefined", "num-refined", "Number of results refined">
  ];
}

#endif // KILN_TRANSFORMS_PASSES_TD
