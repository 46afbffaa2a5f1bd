//===- Passes.td - Kiln GPU codegen passes -----------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_GPU_PASSES_TD
#define KILN_CODEGEN_GPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnGPUMapParallelLoopsPass
    : Pass<"kiln-gpu-map-parallel-loops", "func::FuncOp"> {
  let summary = "Map each outermost scf.parallel to a grid of thread blocks";
  let description = [{
    Every outermost `scf.parallel` (as `convert-linalg-to-parallel-loops`
    leaves each linalg op: its parallel dims, with the reduction dims as
    `scf.for` inside) becomes a two-level nest that
    `convert-parallel-loops-to-gpu` turns into one `gpu.launch`:

    - its dims are collapsed into one linear iteration space of `N`
      points (any rank, static or dynamic bounds);
    - an outer `scf.parallel` over `min(ceil(N / block-size), max-blocks)`
      blocks is mapped to `block_x`, an inner one over `block-size` threads
      to `thread_x`;
    - each thread walks the points `b * block-size + t`, then strides by
      the whole grid (`blocks * block-size`), so that a grid capped at
      `max-blocks` (Vulkan's guaranteed 65535) still covers every point.

    Loops nested in a mapped loop run sequentially inside each thread,
    parallel ones (which linalg's lowering nests under reduction loops)
    included.
  }];
  let dependentDialects = ["arith::ArithDialect", "gpu::GPUDialect",
                           "scf::SCFDialect"];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"128",
           "Threads per block">,
    Option<"maxBlocks", "max-blocks", "int64_t", /*default=*/"65535",
           "The most blocks one launch's grid has">,
  ];
}

def KilnGPUTileMatmulsPass
    : Pass<"kiln-gpu-tile-matmuls", "func::FuncOp"> {
  let summary = "Lower matmuls to kernels tiled through shared memory";
  let description = [{
    Each `linalg.matmul` and `linalg.batch_matmul` on buffers of floats,
    with the default indexing maps, becomes one `gpu.launch`: a block of
    `tile-size` x `tile-size` threads per tile of the result (grid z: the
    batch), a thread per element. Each step over K stages a tile of each
    operand in workgroup memory (attributions in memory space 3, which the
    NVVM and Vulkan conversions map to shared memory), one element per thread with out-of-range elements read
    as zero, between `gpu.barrier`s; each thread then accumulates its row
    times its column from the tiles. So each element of A and B is read
    from global memory once per block rather than once per thread. The
    accumulation starts from the output's value, as linalg's does, and
    mixed precisions (f16 operands, f32 result) extend before multiplying.

    Other contractions (transposed maps, integers) are left to the generic
    mapping of kiln-gpu-map-parallel-loops.
  }];
  let dependentDialects = ["arith::ArithDialect", "gpu::GPUDialect",
                           "memref::MemRefDialect", "scf::SCFDialect"];
  let options = [
    Option<"tileSize", "tile-size", "int64_t", /*default=*/"16",
           "Rows and columns of the result per block">,
  ];
}

def KilnGPUMergeKernelModulesPass
    : Pass<"kiln-gpu-merge-kernel-modules", "ModuleOp"> {
  let summary = "Put every outlined kernel into one gpu.module";
  let description = [{
    `gpu-kernel-outlining` creates one `gpu.module` per kernel. This pass
    moves every `gpu.func` into a single `gpu.module @kiln_kernels` (each
    kernel named after its old module, which is unique), retargets the
    `gpu.launch_func` ops and erases the old modules, so that a model's
    device code is one SPIR-V module or one PTX file.
  }];
  let dependentDialects = ["gpu::GPUDialect"];
}

def KilnGPUPackLaunchArgumentsPass
    : Pass<"kiln-gpu-pack-launch-arguments", "ModuleOp"> {
  let summary = "Make every kernel launch a list of plain buffers";
  let description = [{
    Kiln's kernel ABI, which its Vulkan and CUDA runtimes read: a launch
    passes a descriptor buffer, `memref<K x i64>`, then one 1-D buffer per
    memref argument, `memref<? x T>`, from the memref's base pointer over
    the elements it spans. The descriptor holds `K`, the number of buffers
    `n` and their sizes in bytes (words 0, 1 and 2..2+n; bit 62 of a size
    word is set when the kernel never stores to that buffer, so runtimes
    need not copy it back), then the kernel's
    words: each memref's dynamic offset, sizes and strides, and each scalar
    argument (an index, an integer or a float's bits, widened to 64 bits).

    Each kernel is rewritten to read those words and to index its flat
    buffers with the strides (static offsets, sizes and strides stay
    constants); each launch fills the descriptor, which lives in one
    `memref.alloca` per host function. So kernels take dynamic shapes,
    strided views and scalars on Vulkan, whose kernels take buffers only,
    and every runtime knows how many bytes each buffer has.

    Kernels may only load from, store to and take dims of their memref
    arguments (as the GPU codegen pipeline leaves them); other uses, and
    arguments that are neither memrefs of integers or floats nor scalars,
    are errors that name the kernel.
  }];
  let dependentDialects = ["arith::ArithDialect", "memref::MemRefDialect"];
}

def KilnGPUCheckLaunchesPass
    : Pass<"kiln-gpu-check-launches", "ModuleOp"> {
  let summary = "A failed kernel launch becomes the entry point's status";
  let description = [{
    The launch calls that `gpu-to-llvm` emits return nothing. After each
    `gpu.launch_func` in a function's body this pass asks the runtime
    whether it succeeded (`kiln_gpu_ok`, declared here) and asserts the
    answer, so that `kiln-runtime-checks` turns a failure into the entry
    point's status, which names the kernel; the runtime's
    `kiln_gpu_last_error` says what the driver reported.
  }];
  let dependentDialects = ["arith::ArithDialect", "cf::ControlFlowDialect",
                           "LLVM::LLVMDialect"];
}

def KilnConvertGPUToSPIRVPass
    : Pass<"kiln-convert-gpu-to-spirv", "ModuleOp"> {
  let summary = "Convert the kernels of each gpu.module to a SPIR-V module";
  let description = [{
    For each `gpu.module` with a `#spirv.target_env` (from
    `spirv-attach-target`), converts a copy of its kernels to a
    `spirv.module` for the Vulkan shader environment (math ops with
    `convert-math-to-spirv`, then GPU, SCF, arith, memref and func ops with
    `convert-gpu-to-spirv`) and puts it inside the `gpu.module`, where
    `gpu-module-to-binary` serializes it. Each kernel's workgroup size is
    its `known_block_size`; its workgroup attributions become
    `memref.alloc`s in workgroup memory, which become Workgroup variables. Kernels take buffers only (Vulkan has no scalar
    kernel arguments): any other argument, or a memref whose shape is not
    static, is an error that names the kernel.
  }];
  let dependentDialects = ["func::FuncDialect", "memref::MemRefDialect",
                           "spirv::SPIRVDialect"];
}

#endif // KILN_CODEGEN_GPU_PASSES_TD
