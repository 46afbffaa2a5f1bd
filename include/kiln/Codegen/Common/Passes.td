//===- Passes.td - Kiln target-independent codegen passes --*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_COMMON_PASSES_TD
#define KILN_CODEGEN_COMMON_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Float conversions
//===----------------------------------------------------------------------===//

def KilnExpandFloatConversionsPass : Pass<"kiln-expand-float-conversions"> {
  let summary = "Expand f16/bf16 conversions that would need compiler-rt";
  let description = [{
    LLVM lowers an `fptrunc`/`fpext` that the target has no instruction for
    to a compiler-rt builtin (`__truncdfhf2`, `__truncsfhf2`,
    `__extendhfsf2`, `__truncsfbf2`, `__truncdfbf2`). Kiln's code links with
    nothing but libc and libm, and the JIT resolves no such symbol, so this
    pass rewrites those conversions, on scalars and vectors, into arith ops
    that every target has:

    - `arith.truncf` f64 -> f16/bf16 becomes f64 -> f32 rounded to odd (the
      hardware's round-to-nearest-even result, stepped toward zero when it
      overshot and with its lowest mantissa bit set when inexact; NaN is left
      alone), then f32 -> f16/bf16. Since f32 keeps at least two more
      mantissa bits than either, the second rounding gives exactly the
      correctly rounded (nearest-even) result, including overflow to
      infinity and subnormal results.
    - `arith.extf` f16/bf16 -> f64 becomes an extension to f32 (exact) and
      then to f64.
    - f32 -> bf16 rounds to nearest even on the integer bits (NaN stays a
      quiet NaN with its sign); bf16 -> f32 is a 16-bit shift.
    - f32 <-> f16 is rewritten the same way (round to nearest even,
      subnormals, infinities, NaN) only when the target lacks the
      instructions: by default the module's `kiln.target` decides (x86 has
      them with F16C, AArch64 always; without a `kiln.target` they are taken
      to exist), and `f16-conversions=native|expand` overrides it.

    A `truncf` with a rounding mode other than to-nearest-even is left
    alone. Arithmetic on f16/bf16 must have been moved to f32 before
    (`arith-emulate-unsupported-floats`, `math-extend-to-supported-types`),
    since LLVM promotes it with the same conversions.

    ```mlir
    // kiln-opt --kiln-expand-float-conversions
    %h = arith.truncf %x : vector<8xf64> to vector<8xf16>
    // becomes: truncf f64 -> f32, extf back, cmpf, bit adjustments,
    // then arith.truncf ... : vector<8xf32> to vector<8xf16>
    ```
  }];
  let options = [
    Option<"f16Conversions", "f16-conversions", "std::string",
           /*default=*/"\"target\"",
           "f32 <-> f16: 'target' (the module's kiln.target decides), "
           "'native' (hardware instructions) or 'expand' (integer ops)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def KilnFuseElementwisePass : Pass<"kiln-fuse-elementwise"> {
  let summary = "Fuse elementwise linalg ops, keeping contractions pure";
  let description = [{
    Upstream's elementwise fusion on tensors (producer into consumer), with
    one exception: nothing is fused into an op with reduction loops. Fusing a
    bias add or a GELU into the operand of a matmul would turn the matmul
    into a generic contraction whose body the packed, vectorized GEMM path
    cannot take, and recompute the producer once per use (K times per
    element). Epilogues after a contraction are fused later, into its
    register tiles.

    Operands of a generic whose dims are `?` where another operand makes
    the loop static (a fused broadcast of a `?` dim against a static one)
    are cast to that size, so that later passes see operands that agree
    with the loop sizes; the lowering asserted the equality at run time.

    Sibling reductions, two generics that reduce the same inputs (same
    maps) over the same loops (a tensor's min and max, which int8-dynamic
    quantization takes, or a sum and a sum of squares), become one generic
    with two results: one pass over the inputs instead of two.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}


//===----------------------------------------------------------------------===//
// Buffers
//===----------------------------------------------------------------------===//

def KilnPlanBuffersPass : Pass<"kiln-plan-buffers", "::mlir::func::FuncOp"> {
  let summary = "Place a function's temporary buffers in one planned workspace";
  let description = [{
    After bufferization and deallocation, a model's entry function allocates
    and frees every intermediate tensor on every call. Large blocks come
    from `mmap` and go back to the kernel, so each call pays page faults
    for all of them (a third of resnet18's time at batch 1).

    This pass plans them at compile time. Every `memref.alloc` in the
    function's entry block with a static shape, an identity layout, the
    default memory space and an integer or float element type, which is
    freed by exactly one `memref.dealloc` of the same value in the same
    block, lives from its `alloc` to the last op of the block that uses it
    or an alias of it (deallocation itself frees at the end of the block).
    Every memref result of an op that uses the buffer counts as an alias,
    as does the result of an op whose region yields it; a buffer that is
    returned or passed to a branch is left alone. Buffers whose lifetimes
    overlap get disjoint byte ranges of one workspace: the largest buffer is
    placed first, each at the lowest offset (a multiple of `alignment`)
    that overlaps no placed buffer alive at the same time. Each `alloc`
    becomes a `memref.view` of the workspace, its `dealloc` disappears, and
    the workspace is one `memref.alloc {kiln.workspace}` at the top of the
    function, freed before its return. Buffers that are returned, freed
    elsewhere, dynamically shaped or allocated inside loops are left alone.

    The workspace is a plain allocation; `kiln-cache-workspace` then keeps
    it across calls.

    ```mlir
    // kiln-opt --kiln-plan-buffers
    %a = memref.alloc() : memref<1024xf32>
    "test.use"(%a) : (memref<1024xf32>) -> ()  // last use of %a
    %b = memref.alloc() : memref<1024xf32>     // reuses %a's bytes
    "test.use"(%b) : (memref<1024xf32>) -> ()
    memref.dealloc %a : memref<1024xf32>
    memref.dealloc %b : memref<1024xf32>
    // becomes
    %ws = memref.alloc() {alignment = 64 : i64, kiln.workspace} : memref<4096xi8>
    %a = memref.view %ws[%c0][] : memref<4096xi8> to memref<1024xf32>
    %b = memref.view %ws[%c0][] : memref<4096xi8> to memref<1024xf32>
    ```
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"64",
           "Byte alignment of the workspace and of every buffer in it">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

def KilnCacheWorkspacePass : Pass<"kiln-cache-workspace", "::mlir::ModuleOp"> {
  let summary = "Keep each function's workspace allocated across calls";
  let description = [{
    Lowers the workspace of `kiln-plan-buffers` (`memref.alloc` marked
    `kiln.workspace`, and its `memref.dealloc`) to LLVM calls that reuse
    one block per function across calls, so that its pages are faulted in
    once, not on every call.

    Each function gets an internal pointer-sized slot. On entry the function
    atomically takes the block from its slot (`atomicrmw xchg` with null),
    and calls `aligned_alloc` only when the slot was empty: on the first
    call, or while another thread runs the same function. On return it puts
    the block back with a `cmpxchg` from null, or frees it when the slot
    has been refilled meanwhile. Concurrent calls therefore never share a
    workspace. A module destructor (`llvm.mlir.global_dtors`) frees what
    the slots hold when the object is unloaded or the program exits.

    The memref is rebuilt from the pointer with an
    `unrealized_conversion_cast` of its LLVM descriptor, which the LLVM
    conversion folds away, so this runs just before `convert-to-llvm`.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def KilnResultsInCallerBuffersPass
    : Pass<"kiln-results-in-caller-buffers", "::mlir::ModuleOp"> {
  let summary = "Let entry points compute their results in the caller's buffers";
  let description = [{
    Gives every public function one more argument per returned buffer, a
    `memref<?xi8>`: a buffer of the caller's, possibly empty, into which the
    result may be computed directly. Each returned buffer whose root (after
    casts and reshapes) is a `memref.alloc` of the function becomes

    ```mlir
    %fits = ... caller's byte size >= the result's byte size > 0
    %r = scf.if %fits -> memref<...> {
      %v = memref.view %out[%c0][...] : memref<?xi8> to memref<...>
      scf.yield %v
    } else {
      %a = memref.alloc(...) {alignment = 64} : memref<...>
      scf.yield %a
    }
    ```

    so that the kernel writes the result where the caller wants it, and the
    caller, seeing its own pointer in the returned descriptor, neither
    copies nor frees it. Otherwise (an empty or too small buffer, as the JIT
    passes) the result is allocated as before and the caller owns it. The
    failure paths of `kiln-runtime-checks` free the allocation only: their
    `memref.dealloc`s of such a result are made conditional.

    Runs after `kiln-runtime-checks` (whose status result stays last) and
    `kiln-distinct-results` (so that no two results share an allocation).
    A result that is not rooted in an allocation of the function is left
    as it is, and the new argument unused. The results are those of the one
    `func.return` that returns buffers (the failure paths of
    `kiln-runtime-checks` return poison); a function with several is an
    error.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def KilnRuntimeChecksPass : Pass<"kiln-runtime-checks", "::mlir::ModuleOp"> {
  let summary = "Give entry points a status result; failed run-time checks return it";
  let description = [{
    Makes run-time failures a status instead of a crash. Every public
    function gets one more result, an `!llvm.ptr`: null on success, else a
    constant, NUL-terminated message that names what failed and where. The
    C header (`kiln_last_error()`), the JIT and the Python package report it.

    The checks, each in the function's entry block (top level):

    - `cf.assert %ok, "msg"`, as the lowering of data-dependent ops emits
      them (the bounds of `kiln.gather`'s indices);
    - every `memref.alloc`: a dynamic size must be non-negative and its
      byte count must not overflow 64 bits, checked before the allocation;
      a non-empty allocation must not return null, checked after it.

    A failed check returns at once: the buffers allocated so far in the
    entry block (and not yet freed there) are freed, the other results are
    `ub.poison`, and the status points at the message. Callers must not read
    the results of a failed call. Asserts and allocations nested in loops
    are left alone (asserts then abort, as upstream lowers them), so the
    lowering of checkable ops keeps its checks at the top level.

    Runs on bufferized, structured IR (before `scf` is lowered to
    branches), after the buffer planning, so that the planned workspace's
    allocation is checked too.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::cf::ControlFlowDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::ub::UBDialect",
  ];
}

def KilnDistinctResultsPass : Pass<"kiln-distinct-results", "::mlir::func::FuncOp"> {
  let summary = "Give every returned buffer its own contiguous allocation";
  let description = [{
    Callers own, and free, every buffer a public function returns. A
    function that returns one buffer twice (`return %v, %v`), or a buffer
    and a view of it (a tensor and its reshape), would hand the same
    allocation out twice, and the caller would free it twice. This pass
    follows each returned memref through view-like ops to its root, and
    replaces a result whose root an earlier result already returns with a
    fresh allocation and a copy.

    Callers also read every result as one contiguous row-major array. A
    result that is not a whole allocation with the identity layout all
    along (a subview, say an unpacked GEMM tile with row stride 32, cast to
    an identity-layout type whose descriptor still holds stride 32) is
    copied too.

    A copied result's buffer (a view's, or one that comes out of a loop or
    a branch) is freed after the copy unless a returned result or an
    earlier freed buffer has its address, compared at run time, since two
    results of one `scf.if` may be one buffer. Everything a public function
    returns is owned after the deallocation pipeline, so nothing else
    would free it.

    Runs on bufferized IR, after the deallocation pipeline (which clones
    returned arguments and globals already).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def KilnStridedViewsToReinterpretCastPass
    : Pass<"kiln-strided-views-to-reinterpret-cast", "::mlir::func::FuncOp"> {
  let summary = "Lower the strided views that MLIR 22's expand-strided-metadata crashes on";
  let description = [{
    MLIR 22's `expand-strided-metadata` crashes on two kinds of views that
    Kiln's lowering produces; this pass, run just before it, rewrites
    exactly those into a `memref.reinterpret_cast` of the source's base
    buffer (every other view is left to upstream):

    - a `memref.expand_shape` with more than one dynamic dim in one
      reassociation group (a `?` batch times sequence dim split back into
      `?x?`, from a matmul with a rank-3 operand of two dynamic dims;
      llvm-project#186830, fixed in LLVM 23): sizes from `output_shape`,
      strides built from the source's, innermost dim of each group first;
    - a rank-reducing `memref.subview` whose result strides match no
      choice of dropped unit dims (a step of 2 over dims of size 1, which
      canonicalization builds from a strided slice reshaped to one
      element; `SubViewOp::getDroppedDims` crashes): the offset from every
      dim, the non-unit dims kept, strides from the result type or the
      source stride times the step.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

#endif // KILN_CODEGEN_COMMON_PASSES_TD
