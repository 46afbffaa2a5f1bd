//===- PackLaunchArguments.cpp - Kiln's kernel launch ABI -----------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Vulkan kernels take buffers only, and MLIR's launch lowering passes a
// memref either as a whole descriptor (which no runtime can interpret
// without its type) or as a bare pointer (static shapes only). Kiln's ABI
// makes every launch a list of plain buffers that any runtime can copy:
//
//   binding 0: the launch descriptor, memref<K x i64>:
//     [0] K, [1] n (the buffers after it), [2 .. 2+n) their sizes in bytes
//     (bit 62 set where the kernel only reads the buffer),
//     then the kernel's words: each buffer's dynamic offset, sizes and
//     strides, and each scalar argument (index, integer or float bits);
//   bindings 1..n: each memref argument's underlying buffer, as a 1-D
//     memref<? x T> from its base pointer over the elements it spans.
//
// The kernel reads its shapes and scalars from the descriptor and indexes
// the flat buffers with the strides (static ones stay constants).
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/GPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNGPUPACKLAUNCHARGUMENTSPASS
#include "kiln/Codegen/GPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// Marks the size word of a buffer the kernel does not write.
constexpr int64_t kReadOnlyBit = int64_t(1) << 62;

/// Where one kernel argument lives in the new ABI.
struct ArgumentPlan {
  /// Memref arguments: the buffer's index among the bindings after the
  /// descriptor, and the descriptor words of the dynamic offset, sizes and
  /// strides (-1 where the type has them static).
  int64_t buffer = -1;
  /// Whether the kernel stores to the buffer; runtimes copy back only such.
  bool written = false;
  int64_t offsetWord = -1;
  SmallVector<int64_t> sizeWords, strideWords;
  /// The memref type's offset and strides (dynamic ones as kDynamic).
  int64_t staticOffset = 0;
  SmallVector<int64_t> staticStrides;
  /// Scalar arguments: their word.
  int64_t scalarWord = -1;
};

struct KernelPlan {
  SmallVector<ArgumentPlan> args;
  int64_t numBuffers = 0;
  int64_t numWords = 0;
};

/// The element size of `type` in bytes, as the host stores it.
int64_t byteWidth(Type type) {
  return (static_cast<int64_t>(type.getIntOrFloatBitWidth()) + 7) / 8;
}

bool isScalar(Type type) {
  return type.isIndex() ||
         (type.isIntOrFloat() && type.getIntOrFloatBitWidth() <= 64);
}

/// The kernel's arguments, without its workgroup and private attributions
/// (which follow them in the entry block).
ArrayRef<BlockArgument> kernelArguments(gpu::GPUFuncOp kernel) {
  return kernel.getBody().getArguments().take_front(kernel.getNumArguments());
}

FailureOr<KernelPlan> planKernel(gpu::GPUFuncOp kernel) {
  KernelPlan plan;
  ArrayRef<BlockArgument> args = kernelArguments(kernel);
  plan.numBuffers = llvm::count_if(
      args, [](BlockArgument arg) { return isa<MemRefType>(arg.getType()); });
  // The descriptor's header, then the kernel's words in argument order.
  int64_t word = 2 + plan.numBuffers;
  int64_t buffer = 0;
  for (BlockArgument arg : args) {
    ArgumentPlan &argPlan = plan.args.emplace_back();
    Type type = arg.getType();
    auto memref = dyn_cast<MemRefType>(type);
    if (!memref) {
      if (!isScalar(type))
        return kernel.emitError("kiln-gpu-pack-launch-arguments: kernel '")
               << kernel.getName() << "' takes " << type
               << "; kernels take buffers, indices, integers and floats";
      argPlan.scalarWord = word++;
      continue;
    }
    if (!memref.getElementType().isIntOrFloat())
      return kernel.emitError("kiln-gpu-pack-launch-arguments: kernel '")
             << kernel.getName() << "' takes " << type
             << "; buffers of integers or floats only";
    if (failed(memref.getStridesAndOffset(argPlan.staticStrides,
                                          argPlan.staticOffset)))
      return kernel.emitError("kiln-gpu-pack-launch-arguments: kernel '")
             << kernel.getName() << "' takes " << type
             << ", which has no strided layout";
    argPlan.buffer = buffer++;
    argPlan.written = llvm::any_of(arg.getUses(), [](OpOperand &use) {
      auto store = dyn_cast<memref::StoreOp>(use.getOwner());
      return store && use.get() == store.getMemref();
    });
    if (ShapedType::isDynamic(argPlan.staticOffset))
      argPlan.offsetWord = word++;
    for (int64_t size : memref.getShape())
      argPlan.sizeWords.push_back(ShapedType::isDynamic(size) ? word++ : -1);
    for (int64_t stride : argPlan.staticStrides)
      argPlan.strideWords.push_back(ShapedType::isDynamic(stride) ? word++
                                                                  : -1);
  }
  plan.numWords = word;
  return plan;
}

//===----------------------------------------------------------------------===//
// The kernel side
//===----------------------------------------------------------------------===//

/// Rewrites the uses of memref argument `arg` into accesses of `flat`.
LogicalResult rewriteBufferUses(OpBuilder &b, BlockArgument arg, Value flat,
                                Value offset, ArrayRef<Value> sizes,
                                ArrayRef<Value> strides, StringRef kernel) {
  auto linearize = [&](Location loc, ValueRange indices) {
    Value index = offset;
    for (auto [i, stride] : llvm::zip(indices, strides))
      index = arith::AddIOp::create(b, loc, index,
                                    arith::MulIOp::create(b, loc, i, stride));
    return index;
  };
  for (OpOperand &use : llvm::make_early_inc_range(arg.getUses())) {
    Operation *user = use.getOwner();
    b.setInsertionPoint(user);
    if (auto load = dyn_cast<memref::LoadOp>(user)) {
      Value index = linearize(load.getLoc(), load.getIndices());
      load.getMemrefMutable().assign(flat);
      load.getIndicesMutable().assign(index);
      continue;
    }
    if (auto store = dyn_cast<memref::StoreOp>(user);
        store && use.getOperandNumber() == 1) {
      Value index = linearize(store.getLoc(), store.getIndices());
      store.getMemrefMutable().assign(flat);
      store.getIndicesMutable().assign(index);
      continue;
    }
    if (auto metadata = dyn_cast<memref::ExtractStridedMetadataOp>(user);
        metadata && metadata.getBaseBuffer().use_empty()) {
      metadata.getOffset().replaceAllUsesWith(offset);
      for (auto [result, value] : llvm::zip(metadata.getSizes(), sizes))
        result.replaceAllUsesWith(value);
      for (auto [result, value] : llvm::zip(metadata.getStrides(), strides))
        result.replaceAllUsesWith(value);
      metadata.erase();
      continue;
    }
    if (auto dim = dyn_cast<memref::DimOp>(user)) {
      std::optional<int64_t> d = dim.getConstantIndex();
      if (d && *d >= 0 && *d < static_cast<int64_t>(sizes.size())) {
        dim.replaceAllUsesWith(sizes[*d]);
        dim.erase();
        continue;
      }
    }
    return user->emitError("kiln-gpu-pack-launch-arguments: kernel '")
           << kernel << "' uses a buffer argument in '" << user->getName()
           << "'; kernels may only load, store and take dims";
  }
  return success();
}

LogicalResult rewriteKernel(gpu::GPUFuncOp kernel, const KernelPlan &plan) {
  MLIRContext *context = kernel.getContext();
  Block &entry = kernel.getBody().front();
  unsigned oldCount = kernel.getNumArguments();
  auto i64 = IntegerType::get(context, 64);
  Location loc = kernel.getLoc();

  // New arguments, before the attributions: the descriptor, then one flat
  // buffer per memref.
  SmallVector<Type> newTypes{MemRefType::get({plan.numWords}, i64)};
  for (BlockArgument arg : kernelArguments(kernel))
    if (auto memref = dyn_cast<MemRefType>(arg.getType()))
      newTypes.push_back(
          MemRefType::get({ShapedType::kDynamic}, memref.getElementType()));
  for (auto [i, type] : llvm::enumerate(newTypes))
    entry.insertArgument(oldCount + i, type, loc);
  Value descriptor = entry.getArgument(oldCount);

  OpBuilder b(context);
  b.setInsertionPointToStart(&entry);
  auto word = [&](int64_t index) -> Value {
    Value i = arith::ConstantIndexOp::create(b, loc, index);
    return memref::LoadOp::create(b, loc, descriptor, i);
  };
  auto indexWord = [&](int64_t index, int64_t staticValue) -> Value {
    if (index < 0)
      return arith::ConstantIndexOp::create(b, loc, staticValue);
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), word(index));
  };

  for (auto [i, argPlan] : llvm::enumerate(plan.args)) {
    BlockArgument arg = entry.getArgument(i);
    b.setInsertionPointToStart(&entry);
    if (auto memref = dyn_cast<MemRefType>(arg.getType())) {
      Value offsetValue = indexWord(argPlan.offsetWord, argPlan.staticOffset);
      SmallVector<Value> sizes, strides;
      for (auto [w, s] : llvm::zip(argPlan.sizeWords, memref.getShape()))
        sizes.push_back(indexWord(w, s));
      for (auto [w, s] : llvm::zip(argPlan.strideWords, argPlan.staticStrides))
        strides.push_back(indexWord(w, s));
      Value flat = entry.getArgument(oldCount + 1 + argPlan.buffer);
      if (failed(rewriteBufferUses(b, arg, flat, offsetValue, sizes, strides,
                                   kernel.getName())))
        return failure();
      continue;
    }
    Type type = arg.getType();
    Value bits = word(argPlan.scalarWord);
    Value value;
    if (type.isIndex()) {
      value = arith::IndexCastOp::create(b, loc, type, bits);
    } else {
      unsigned width = type.getIntOrFloatBitWidth();
      Type intType = IntegerType::get(context, width);
      Value narrow = width == 64 ? bits
                                 : arith::TruncIOp::create(b, loc, intType,
                                                           bits)
                                       .getResult();
      value = isa<FloatType>(type)
                  ? arith::BitcastOp::create(b, loc, type, narrow).getResult()
                  : narrow;
    }
    arg.replaceAllUsesWith(value);
  }

  entry.eraseArguments(0, oldCount);
  kernel.setFunctionType(FunctionType::get(context, newTypes, {}));
  // The per-argument attributes described the old arguments.
  kernel.removeArgAttrsAttr();
  return success();
}

//===----------------------------------------------------------------------===//
// The host side
//===----------------------------------------------------------------------===//

/// Fills `descriptor` before `launch` as `plan` lays it out and makes the
/// launch pass it and the flat views of its buffers.
void rewriteLaunch(gpu::LaunchFuncOp launch, const KernelPlan &plan,
                   Value descriptor) {
  OpBuilder b(launch);
  Location loc = launch.getLoc();
  auto i64 = b.getI64Type();
  auto store = [&](Value value, int64_t index) {
    memref::StoreOp::create(b, loc, value, descriptor,
                            arith::ConstantIndexOp::create(b, loc, index)
                                .getResult());
  };
  auto storeIndex = [&](Value value, int64_t index) {
    store(arith::IndexCastOp::create(b, loc, i64, value), index);
  };
  store(arith::ConstantIntOp::create(b, loc, i64, plan.numWords), 0);
  store(arith::ConstantIntOp::create(b, loc, i64, plan.numBuffers), 1);

  SmallVector<Value> buffers;
  for (auto [operand, argPlan] :
       llvm::zip(launch.getKernelOperands(), plan.args)) {
    Type type = operand.getType();
    auto memref = dyn_cast<MemRefType>(type);
    if (!memref) {
      Value bits;
      if (type.isIndex()) {
        bits = arith::IndexCastOp::create(b, loc, i64, operand);
      } else {
        unsigned width = type.getIntOrFloatBitWidth();
        Value asInt = isa<FloatType>(type)
                          ? arith::BitcastOp::create(
                                b, loc, b.getIntegerType(width), operand)
                                .getResult()
                          : operand;
        bits = width == 64 ? asInt
                           : arith::ExtUIOp::create(b, loc, i64, asInt)
                                 .getResult();
      }
      store(bits, argPlan.scalarWord);
      continue;
    }
    auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, operand);
    Value offset = metadata.getOffset();
    if (argPlan.offsetWord >= 0)
      storeIndex(offset, argPlan.offsetWord);
    for (auto [w, size] : llvm::zip(argPlan.sizeWords, metadata.getSizes()))
      if (w >= 0)
        storeIndex(size, w);
    for (auto [w, stride] :
         llvm::zip(argPlan.strideWords, metadata.getStrides()))
      if (w >= 0)
        storeIndex(stride, w);
    // The elements the view spans from its base: offset + sum((size - 1) *
    // stride) + 1, or none when a size is 0.
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value span = arith::AddIOp::create(b, loc, offset, one);
    Value empty = arith::ConstantIntOp::create(b, loc, b.getI1Type(), 0);
    for (auto [size, stride] :
         llvm::zip(metadata.getSizes(), metadata.getStrides())) {
      Value last = arith::SubIOp::create(b, loc, size, one);
      span = arith::AddIOp::create(
          b, loc, span, arith::MulIOp::create(b, loc, last, stride));
      empty = arith::OrIOp::create(
          b, loc, empty,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, size, zero));
    }
    span = arith::SelectOp::create(b, loc, empty, zero, span);
    Type element = memref.getElementType();
    Value bytes = arith::MulIOp::create(
        b, loc, span,
        arith::ConstantIndexOp::create(b, loc, byteWidth(element)));
    // Bit 62 of a size word: the kernel only reads the buffer.
    Value sizeWord = arith::IndexCastOp::create(b, loc, i64, bytes);
    if (!argPlan.written)
      sizeWord = arith::OrIOp::create(
          b, loc, sizeWord,
          arith::ConstantIntOp::create(b, loc, i64, kReadOnlyBit));
    store(sizeWord, 2 + argPlan.buffer);
    auto flatType = MemRefType::get({ShapedType::kDynamic}, element);
    buffers.push_back(memref::ReinterpretCastOp::create(
        b, loc, flatType, metadata.getBaseBuffer(), OpFoldResult(b.getIndexAttr(0)),
        ArrayRef<OpFoldResult>{span}, ArrayRef<OpFoldResult>{b.getIndexAttr(1)}));
  }
  SmallVector<Value> operands{descriptor};
  operands.append(buffers);
  launch.getKernelOperandsMutable().assign(operands);
}

struct KilnGPUPackLaunchArgumentsPass
    : kiln::impl::KilnGPUPackLaunchArgumentsPassBase<
          KilnGPUPackLaunchArgumentsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Each kernel's launches.
    llvm::MapVector<gpu::GPUFuncOp, SmallVector<gpu::LaunchFuncOp>> launches;
    WalkResult result = module.walk([&](gpu::LaunchFuncOp launch) {
      auto kernel = SymbolTable::lookupNearestSymbolFrom<gpu::GPUFuncOp>(
          launch, launch.getKernel());
      if (!kernel) {
        launch.emitError("kiln-gpu-pack-launch-arguments: no kernel ")
            << launch.getKernel();
        return WalkResult::interrupt();
      }
      launches[kernel].push_back(launch);
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();

    // One descriptor buffer per host function, as large as its largest
    // launch needs.
    DenseMap<Operation *, Value> descriptors;
    DenseMap<Operation *, int64_t> largest;
    // One plan per kernel, in the order of `launches`.
    std::vector<KernelPlan> plans;
    plans.reserve(launches.size());
    for (auto &[kernel, kernelLaunches] : launches) {
      FailureOr<KernelPlan> plan = planKernel(kernel);
      if (failed(plan))
        return signalPassFailure();
      for (gpu::LaunchFuncOp launch : kernelLaunches) {
        int64_t &size = largest[launch->getParentOfType<FunctionOpInterface>()];
        size = std::max(size, plan->numWords);
      }
      if (failed(rewriteKernel(kernel, *plan)))
        return signalPassFailure();
      plans.push_back(std::move(*plan));
    }
    for (auto &[func, size] : largest) {
      auto f = cast<FunctionOpInterface>(func);
      OpBuilder b(&f.getFunctionBody().front(),
                  f.getFunctionBody().front().begin());
      descriptors[func] = memref::AllocaOp::create(
          b, f.getLoc(), MemRefType::get({size}, b.getI64Type()));
    }
    for (auto [kernelAndLaunches, plan] : llvm::zip(launches, plans)) {
      // A launch whose kernel needs fewer words sees a prefix of it.
      auto type = MemRefType::get({plan.numWords},
                                  IntegerType::get(&getContext(), 64));
      for (gpu::LaunchFuncOp launch : kernelAndLaunches.second) {
        Value descriptor =
            descriptors[launch->getParentOfType<FunctionOpInterface>()];
        if (cast<MemRefType>(descriptor.getType()) != type) {
          OpBuilder b(launch);
          descriptor = memref::ReinterpretCastOp::create(
              b, launch.getLoc(), type, descriptor, 0,
              ArrayRef<int64_t>{plan.numWords}, ArrayRef<int64_t>{1});
        }
        rewriteLaunch(launch, plan, descriptor);
      }
    }
  }
};

} // namespace
