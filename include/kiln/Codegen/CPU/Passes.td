//===- Passes.td - Kiln CPU codegen passes -----------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_PASSES_TD
#define KILN_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// On tensors
//===----------------------------------------------------------------------===//

def KilnCPUIm2ColPass : Pass<"kiln-cpu-im2col", "::mlir::func::FuncOp"> {
  let summary = "Rewrite regular f32 2-D convolutions as im2col and a matmul";
  let description = [{
    Rewrites each f32 `linalg.conv_2d_nchw_fchw` and `linalg.conv_2d_nhwc_hwcf`
    (static filter, channels and spatial dims; the batch may be dynamic)
    into a gather of the input windows into a column matrix and one
    `linalg.matmul`, which `kiln-cpu-select-strategy` then gives the
    packed-GEMM strategy. The filter is only reshaped, never transposed:

    - NCHW: `[F, C*KH*KW] x [C*KH*KW, N*OH*OW]`; with a batch other than a
      static 1, the product is added to the accumulator while transposing
      it back to `[N, F, OH, OW]`;
    - NHWC: `[N*OH*OW, KH*KW*C] x [KH*KW*C, F]`, already in the output's
      layout.

    The gather is a `linalg.generic` copy whose input map does the window
    arithmetic (strides, dilations). A 1x1 stride-1 convolution needs no
    gather: its input is already the column matrix (NCHW only at batch 1).
    The filter's reshape of a constant (frozen weights, `dense_resource`
    blobs included) folds to a constant, so that packing the filter folds
    at compile time too. A grouped NCHW convolution at batch 1
    (`linalg.conv_2d_ngchw_gfchw`) becomes one `linalg.batch_matmul` over
    the groups, `[G, F, C*KH*KW] x [G, C*KH*KW, OH*OW]`. Rows and columns
    of the input past the last window are cut off first. Depthwise
    convolutions, grouped ones in NHWC or at another batch, other element
    types, and convolutions a `--kiln-schedule` schedule tiled into loops
    are left as they are.

    ```mlir
    // conv_2d_nchw_fchw 1x64x58x58 * 64x64x3x3 -> 1x64x56x56 becomes
    %col = linalg.generic ... ins(%in : tensor<1x64x58x58xf32>)
        outs(%e : tensor<64x3x3x1x56x56xf32>)
    %c = tensor.collapse_shape %col [[0, 1, 2], [3, 4, 5]]
        : tensor<64x3x3x1x56x56xf32> into tensor<576x3136xf32>
    %r = linalg.matmul ins(%filter, %c : tensor<64x576xf32>,
        tensor<576x3136xf32>) outs(%acc : tensor<64x3136xf32>)
    ```
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect",
  ];
}

def KilnCPUDecomposeWindowsPass
    : Pass<"kiln-cpu-decompose-windows", "::mlir::func::FuncOp"> {
  let summary = "Rewrite depthwise convolutions and pooling as sums of taps";
  let description = [{
    A depthwise convolution or a pooling window has no reduction across
    channels, so it is no GEMM; as loops it runs one scalar multiply-add at
    a time. This pass rewrites it into one elementwise `linalg.generic` over
    the output, whose inputs are the KH x KW strided windows of the input
    (one `tensor.extract_slice` per tap: offset `(kh * dh, kw * dw)`,
    stride `(sh, sw)`) and, for a convolution, the tap's filter column over
    the channels. The body applies the op's own body once per tap, in
    `(kh, kw)` order, to a running accumulator that starts from the output
    operand, so results round as the op's loops do. The generic then takes
    the `vectorize` strategy: vectors along the output's innermost dim (the
    output width in NCHW, the channels in NHWC), with the filter values
    broadcast.

    Handled: `linalg.depthwise_conv_2d_nchw_chw`,
    `linalg.depthwise_conv_2d_nhwc_hwc`, `linalg.pooling_nchw_max`,
    `linalg.pooling_nhwc_max`, `linalg.pooling_nchw_sum` and
    `linalg.pooling_nhwc_sum`, on tensors, with a static window of at most
    `max-taps` taps. Larger windows (a global pooling) and ops a
    `--kiln-schedule` schedule tiled into loops are left alone.

    ```mlir
    // depthwise_conv_2d_nchw_chw {strides = 2} 1x32x113x113 * 32x3x3
    %t0 = tensor.extract_slice %in[0, 0, 0, 0] [1, 32, 56, 56] [1, 1, 2, 2]
    %w0 = tensor.extract_slice %filter[0, 0, 0] [32, 1, 1] [1, 1, 1]
        : tensor<32x3x3xf32> to tensor<32xf32>
    ...
    %r = linalg.generic ins(%t0, ..., %t8, %w0, ..., %w8) outs(%acc)
    ```
  }];
  let options = [
    Option<"maxTaps", "max-taps", "int64_t", /*default=*/"64",
           "Largest window (KH * KW) to decompose">,
  ];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def KilnCPUCollapseContractionDimsPass
    : Pass<"kiln-cpu-collapse-contraction-dims", "::mlir::func::FuncOp"> {
  let summary = "Make each of a contraction's M, N and K one loop";
  let description = [{
    A contraction whose M, N or K spans several loops that are contiguous
    in every operand (attention's output projection reduces over heads x
    head size, `[s, h, d] x [n, h, d]`) is rewritten with those loops
    collapsed into one, with reshapes of its operands, so that it becomes a
    plain matmul the packed GEMM path takes. Contractions whose dims are
    not contiguous, and ops that are not contractions, are left alone.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def KilnCPUSelectStrategyPass
    : Pass<"kiln-cpu-select-strategy", "::mlir::func::FuncOp"> {
  let summary = "Choose and record a CPU codegen strategy for each heavy op";
  let description = [{
    Reads the module's `#kiln.target` and records on each f32 contraction
    (`linalg.matmul`, `linalg.batch_matmul`, and generic contractions such
    as the transposed-weight matmul of `kiln.linear`) the strategy the CPU
    passes after it implement, as a `kiln.strategy` dictionary:

    - `kind = "mmt4d"`: pack the operands into tiled layouts
      (`[M/m0][K/k0][m0][k0]` and `[N/n0][K/k0][n0][k0]`), then multiply
      register tile by register tile;
    - `m0`, `n0`, `k0`: the register tile. `n0` is two vectors of the
      target's width, and `m0` as many rows as leave registers for one
      broadcast and the two loaded vectors: 6x16 on AVX2 (16 ymm), 8x32 on
      AVX-512 (32 zmm), 8x8 on NEON.
    - `kc`: the K block whose `kc x n0` slice of the packed right operand
      fits in half of the L1 data cache.
    - `mc`: the M block (a multiple of `m0`) whose `mc x kc` block of the
      packed left operand fits in half of L2. Optional when read back: a
      dictionary without it blocks no M.

    Elementwise generics and reductions (f32 or 8- to 32-bit integers, a
    body of arith/math ops, each operand read along the innermost loop or
    not at all) get `{kind = "vectorize", vector_size = N}`, N the target's
    f32 lanes, which `kiln-cpu-vectorize-elementwise` implements.

    The recorded choice is what `kiln-compile --emit=linalg` shows, and
    what a transform-dialect schedule given with `--kiln-schedule` replaces.
    Ops that already carry a `kiln.strategy` keep it, and so do ops that a
    schedule tiled into loops. The model's own loops, marked
    `kiln.graph_loop` (a recurrent layer's time steps, flash attention's
    key blocks), are not a schedule's: the ops inside them get strategies.

    ```mlir
    %0 = linalg.matmul {kiln.strategy = {k0 = 1 : i64, kc = 256 : i64,
        kind = "mmt4d", m0 = 6 : i64, mc = 252 : i64, n0 = 16 : i64}}
        ins(...) outs(...)
    ```
  }];
}

def KilnCPUPackContractionsPass
    : Pass<"kiln-cpu-pack-contractions", "::mlir::func::FuncOp"> {
  let summary = "Pack the operands of mmt4d-strategy contractions";
  let description = [{
    Rewrites each contraction whose `kiln.strategy` is `mmt4d` into a
    contraction on packed operands (`linalg.pack` of both inputs and the
    accumulator, the packed contraction, `linalg.unpack` of the result),
    padding M, N and K to multiples of the register tile. A pack of a
    constant (frozen weights) is folded at compile time by permuting the raw
    bytes, so packed weights are read-only data in the object and nothing is
    packed per call.

    An accumulator that starts as a broadcast (a convolution's bias along M
    after im2col, a linear layer's along N) is not broadcast and then
    packed: the broadcast operand is packed by that dim's register tile
    (folded when constant) and broadcast straight into the packed layout,
    and the unpack's destination, which it overwrites whole, becomes
    `tensor.empty`.

    An i8 contraction with `k0 = 2` (the `vpmaddwd` strategy) has its left
    operand (the activations) widened to i16 first, as its body widens it,
    by a vectorized elementwise op: the register tile then broadcasts a
    row's two i16 as one i32 from memory. The right operand (frozen
    weights) stays i8.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect",
  ];
}

def KilnCPUTileAndVectorizePass
    : Pass<"kiln-cpu-tile-and-vectorize", "::mlir::func::FuncOp"> {
  let summary = "Tile packed contractions to register tiles and vectorize";
  let description = [{
    Tiles each packed contraction (marked by `kiln-cpu-pack-contractions`)
    into loops over N tiles (outermost, so one packed right-hand panel stays
    in cache), K blocks of `kc`, M tiles and K steps, and vectorizes the
    `m0 x n0 x k0` register tile into a `vector.contract`. The N-tile loop
    is an `scf.forall` (the threads' loop) for contractions of at least
    2e7 FLOPs; with fewer than 16 N tiles, chunks of M tiles join it. When
    M has more rows than the strategy's `mc` (an L2-sized block of the
    packed left operand), each task takes a chunk of N tiles and, within a
    K block, walks M in `mc` blocks reused across the chunk's N tiles.

    Lowers the remaining `linalg.pack`/`linalg.unpack` ops into pads,
    reshapes and transposes:

    - an unpack without padding becomes one transpose into its destination;
    - a transpose that moves rows contiguous on both sides (the right
      operand's n0-wide rows, an unpack's) becomes an elementwise generic
      without unit dims, marked `vectorize` for
      `kiln-cpu-vectorize-elementwise`;
    - a pack that gathers across rows (the left operand's) becomes such a
      generic too, but scalar, shared between threads when large;
    - a transpose that moves only unit dims (K = 1) stays a transpose, and
      so do the accumulator's packs: a copy of either would leave views of
      the packed buffers that later folding mishandles.

    With `fuse-epilogues` (the default), a contraction whose result is only
    unpacked, and whose unpacked result only feeds one elementwise op (its
    epilogue: bias, activation, residual add, dequantization; through an
    `expand_shape`, such as a convolution's NHWC or NCHW view, the epilogue
    is collapsed to the unpacked shape first), is computed inside the
    epilogue's task loop: the epilogue (or the unpack alone) is tiled by
    whole tasks of the contraction's distribution, and the unpack, the
    contraction and its accumulator's initialization (a bias broadcast or a
    fill) are fused into each task. A task finishes the columns it has just
    computed while they are in cache, on its own thread, and one column of
    tiles unpacks by a reshape (and a slice, less padding rows or columns,
    or in a ragged last task), not a copy. It is not done where the
    product has a dynamic shape: that keeps the separate unpack.

    The register tile's read and write in each K step are hoisted out of the
    K loop on tensors, so that the loop carries the tile in registers.
  }];
  let options = [
    Option<"fuseEpilogues", "fuse-epilogues", "bool", /*default=*/"true",
           "Compute each contraction inside its epilogue's task loop">,
  ];
  let dependentDialects = [
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def KilnCPUVectorizeElementwisePass
    : Pass<"kiln-cpu-vectorize-elementwise", "::mlir::func::FuncOp"> {
  let summary = "Tile elementwise ops and reductions to vectors and vectorize";
  let description = [{
    Implements the `vectorize` strategy that `kiln-cpu-select-strategy`
    records on elementwise `linalg.generic` ops and reductions on f32 and
    8- to 32-bit integers (`{kind = "vectorize", vector_size = N}`, N the
    target's f32 lanes: 8 on AVX2, 16 on AVX-512, 4 on NEON):

    - the innermost loops of one iterator type that every operand reads
      contiguously are merged into one (an NCHW epilogue, a reduction over
      H and W), unless the body reads loop indices;
    - the outer loops are tiled by 1 and the innermost loop by N, so that
      each tile is one vector, and the remainder that no vector fills is
      peeled off: a static remainder is one shorter vector, a dynamic one a
      masked vector;
    - a reduction over the innermost loop keeps a vector accumulator of N
      lanes in a register, combined lane by lane in the loop and reduced
      to a scalar once after it (one horizontal reduction per row, and N
      partial sums, which round less than one running sum). A static tail
      is reduced into that scalar; a dynamic one updates the accumulator
      under a mask, so its idle lanes keep the neutral value;
    - reads that do not change along the vector loop (a broadcast bias, a
      softmax row's max) are hoisted out of it.

    Ops with at least 2^19 units of work (iterations times body ops) get
    an `scf.forall` over their outermost parallel loop (the threads' loop),
    in at most 32 chunks; a single merged loop is split into chunks of whole
    cache lines. Ops marked `kiln.accumulator` (they write a packed
    contraction's accumulator) are neither merged nor shared: a merged or
    per-thread view of the accumulator defeats its hoisting. Windows of a
    decomposed depthwise convolution (strided `tensor.extract_slice`
    operands) are not merged either, which would copy them.

    Ops whose tiles cannot be vectorized stay scalar loops.

    ```mlir
    // The row sums of %x: tensor<8x100xf32>, vector_size = 16: six vectors
    // into a register accumulator, one horizontal add, the tail of 4.
    scf.for %i = %c0 to %c8 step %c1 iter_args(%out = %init) -> (tensor<8xf32>) {
      %acc = scf.for %j = %c0 to %c96 step %c16 iter_args(%a = %zeros) -> (vector<16xf32>) {
        %v = vector.transfer_read %x[%i, %j], %pad {in_bounds = [true]} : tensor<8x100xf32>, vector<16xf32>
        %s = arith.addf %v, %a : vector<16xf32>
        scf.yield %s : vector<16xf32>
      }
      %old = tensor.extract %out[%i] : tensor<8xf32>
      %r = vector.reduction <add>, %acc, %old : vector<16xf32> into f32
      %tail = vector.transfer_read %x[%i, %c96], %pad {in_bounds = [true]} : tensor<8x100xf32>, vector<4xf32>
      %sum = vector.reduction <add>, %tail, %r : vector<4xf32> into f32
      ...
    }
    ```
  }];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

//===----------------------------------------------------------------------===//
// On memrefs
//===----------------------------------------------------------------------===//

def KilnCPUScheduleThreadsPass
    : Pass<"kiln-cpu-schedule-threads", "::mlir::func::FuncOp"> {
  let summary = "Hand out the iterations of OpenMP loops as threads ask";
  let description = [{
    Sets the schedule of every `omp.wsloop` (the threads' loops, from
    `scf.forall` through `convert-scf-to-openmp`) that has none.

    Idle workers sleep at once (`kmp_set_blocktime(0)`, see
    docs/codegen-cpu.md), so a worker joins a parallel loop tens of
    microseconds after the thread that starts it. With the static default,
    its share waits for it and the starting thread then sleeps at the join;
    a model with dozens of parallel loops ran slower on two threads than on
    one. With `dynamic`, the starting thread takes chunks until the worker
    arrives, and no share waits for a late thread. Each iteration is a whole
    output tile either way, so results do not depend on the schedule.

    A loop that is the last op of its `omp.parallel` region also gets
    `nowait`: the region's end is a barrier already, and each barrier costs
    sleeping threads a wake-up.
  }];
  let options = [
    Option<"schedule", "schedule", "std::string", /*default=*/"\"dynamic\"",
           "'dynamic' (chunks of one iteration as threads ask), 'guided' "
           "or 'static'">,
  ];
  let dependentDialects = ["::mlir::omp::OpenMPDialect"];
}

def KilnCPULowerVectorsPass
    : Pass<"kiln-cpu-lower-vectors", "::mlir::func::FuncOp"> {
  let summary = "Hoist accumulators and lower contractions to FMAs";
  let description = [{
    After bufferization: folds subview chains into the vector transfers,
    hoists the accumulator tile's read and write out of the K loop (so it
    lives in registers), lowers `vector.contract` to outer products and
    `vector.fma`, and lowers transfers to plain vector loads and stores.

    The register tile of an i8 contraction (`ext(vector<m0 x k0 x i8>)` by
    `ext(vector<n0 x k0 x i8>)` into `vector<m0 x n0 x i32>`) becomes the
    target's x86 dot product instead, as `llvm.call_intrinsic`: MLIR 22's
    own int8 lowering emits `vpdpbssd`, which the Kiln hosts lack, and the
    generic one multiplies i32 lanes. Which one comes from `#kiln.target`:

    - k0 = 4, a zero-extended (`ui8`) left and a sign-extended right
      operand, AVX-512 VNNI: `vpdpbusd` (`llvm.x86.avx512.vpdpbusd.512`, or
      `.256` on a 256-bit target with VNNI);
    - k0 = 2, any signedness: both operands widened to i16 and
      `vpmaddwd` (`llvm.x86.avx512.pmaddw.d.512` with AVX-512 BW,
      `llvm.x86.avx2.pmadd.wd` with AVX2, `llvm.x86.sse2.pmadd.wd`). 8-bit
      values never saturate its i16 x i16 pair sums, unlike `vpmaddubsw`'s;
    - anything else: the generic lowering (the portable path).

    Each row of the left tile is broadcast (its k0 bytes as one i32) to
    every lane, and the packed right panel's contiguous `n0 x k0` bytes are
    read as one flat vector.

    ```mlir
    %r = vector.contract ... %lw, %rw, %acc
        : vector<8x4xi32>, vector<32x4xi32> into vector<8x32xi32>
    // becomes, per row i and half c of the columns:
    %s = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%acc_i_c,
        %row_i_broadcast, %panel_c)
        : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
    ```
  }];
  let dependentDialects = [
    "::mlir::vector::VectorDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::LLVM::LLVMDialect",
  ];
}

#endif // KILN_CODEGEN_CPU_PASSES_TD
