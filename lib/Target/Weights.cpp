//===- Weights.cpp - Weights in a file of their own -----------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/Weights.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/ReplaceConstant.h"
#include "llvm/Support/Alignment.h"
#include "llvm/Support/EndianStream.h"
#include "llvm/Support/SwapByteOrder.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::kiln;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

std::string mlir::kiln::getWeightsSymbolName(llvm::StringRef prefix) {
  return ("_kiln_" + prefix + "_weights").str();
}

std::string mlir::kiln::getWeightsInfoSymbolName(llvm::StringRef prefix) {
  return ("_kiln_" + prefix + "_weights_info").str();
}

uint64_t mlir::kiln::computeWeightsChecksum(llvm::ArrayRef<uint8_t> data) {
  constexpr uint64_t prime = 0x100000001b3ULL;
  uint64_t lanes[4] = {0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL,
                       0x9ce484222325cbf2ULL, 0x2325cbf29ce48422ULL};
  size_t words = data.size() / 8;
  for (size_t i = 0; i < words; ++i) {
    uint64_t w = llvm::support::endian::read64le(data.data() + 8 * i);
    lanes[i & 3] = (lanes[i & 3] ^ w) * prime;
  }
  uint64_t h = data.size();
  for (uint64_t lane : lanes)
    h = (h ^ lane) * prime;
  return h ^ (h >> 29);
}

/// Appends the bytes of `c` as the target lays it out in memory (little
/// endian), padded to its alloc size. False for a constant it cannot lay
/// out (a struct, an expression).
static bool appendBytes(const llvm::Constant *c, const llvm::DataLayout &dl,
                        llvm::SmallVectorImpl<uint8_t> &out) {
  uint64_t size = dl.getTypeAllocSize(c->getType());
  size_t start = out.size();
  auto appendInt = [&](const llvm::APInt &value) {
    if (value.getBitWidth() % 8)
      return false;
    for (unsigned byte = 0; byte < value.getBitWidth() / 8; ++byte)
      out.push_back(value.extractBitsAsZExtValue(8, 8 * byte));
    return true;
  };
  if (llvm::isa<llvm::ConstantAggregateZero, llvm::UndefValue>(c)) {
    out.append(size, 0);
  } else if (auto *data = llvm::dyn_cast<llvm::ConstantDataSequential>(c)) {
    uint64_t elementBytes = data->getElementByteSize();
    if (dl.getTypeAllocSize(data->getElementType()) != elementBytes)
      return false;
    llvm::StringRef raw = data->getRawDataValues();
    if (llvm::sys::IsLittleEndianHost || elementBytes == 1) {
      out.append(raw.bytes_begin(), raw.bytes_end());
    } else {
      for (uint64_t i = 0, e = data->getNumElements(); i < e; ++i) {
        llvm::StringRef element = raw.substr(i * elementBytes, elementBytes);
        out.append(element.rbegin(), element.rend());
      }
    }
  } else if (auto *array = llvm::dyn_cast<llvm::ConstantArray>(c)) {
    for (const llvm::Use &element : array->operands())
      if (!appendBytes(llvm::cast<llvm::Constant>(element.get()), dl, out))
        return false;
  } else if (auto *integer = llvm::dyn_cast<llvm::ConstantInt>(c)) {
    if (!appendInt(integer->getValue()))
      return false;
  } else if (auto *fp = llvm::dyn_cast<llvm::ConstantFP>(c)) {
    if (!appendInt(fp->getValueAPF().bitcastToAPInt()))
      return false;
  } else {
    return false;
  }
  if (out.size() - start > size)
    return false;
  out.resize(start + size, 0);
  return true;
}

/// The weights: constant globals of tensor constants, which one-shot
/// bufferization names `__constant_<shape>...`, of at least
/// kMinExternalWeightBytes. Others (Kiln's messages, OpenMP's idents,
/// small constants) stay in the object.
static bool isWeight(const llvm::GlobalVariable &gv,
                     const llvm::DataLayout &dl) {
  return gv.isConstant() && gv.hasInitializer() && gv.hasLocalLinkage() &&
         gv.getName().starts_with("__constant_") &&
         dl.getTypeAllocSize(gv.getValueType()) >= kMinExternalWeightBytes;
}

llvm::Expected<WeightsFileInfo>
mlir::kiln::externalizeWeights(llvm::Module &module, llvm::StringRef prefix,
                               llvm::raw_ostream &os) {
  const llvm::DataLayout &dl = module.getDataLayout();
  if (dl.isBigEndian())
    return makeError("external weights need a little-endian target, not '" +
                     module.getTargetTriple().str() + "'");
  std::string baseName = getWeightsSymbolName(prefix);
  std::string infoName = getWeightsInfoSymbolName(prefix);
  for (const std::string &name : {baseName, infoName})
    if (module.getNamedValue(name))
      return makeError("the weights symbol " + name +
                       " clashes with a symbol of the module");

  // Lay every weight out first: a failure leaves the module as it was.
  llvm::SmallVector<uint8_t> data(kWeightsHeaderBytes, 0);
  llvm::SmallVector<std::pair<llvm::GlobalVariable *, uint64_t>> weights;
  for (llvm::GlobalVariable &gv : module.globals()) {
    if (!isWeight(gv, dl))
      continue;
    uint64_t align = std::max<uint64_t>(64, gv.getAlign().valueOrOne().value());
    data.resize(llvm::alignTo(data.size(), align), 0);
    uint64_t offset = data.size();
    if (!appendBytes(gv.getInitializer(), dl, data))
      return makeError("cannot write the weight @" + gv.getName() +
                       " to a weights file: its initializer is not an array "
                       "of numbers");
    weights.emplace_back(&gv, offset);
  }
  data.resize(llvm::alignTo(data.size(), 64), 0);

  WeightsFileInfo info;
  info.fileBytes = data.size();
  info.tensors = weights.size();
  info.checksum = computeWeightsChecksum(
      llvm::ArrayRef<uint8_t>(data).drop_front(kWeightsHeaderBytes));
  uint8_t *header = data.data();
  memcpy(header, "KILNWTS\0", 8);
  llvm::support::endian::write32le(header + 8, kWeightsFormatVersion);
  llvm::support::endian::write32le(header + 12, kWeightsHeaderBytes);
  llvm::support::endian::write64le(header + 16, info.fileBytes);
  llvm::support::endian::write64le(header + 24, info.checksum);
  llvm::support::endian::write64le(header + 32, info.tensors);

  // The object reads each weight at its offset from the pointer that
  // <prefix>_load_weights sets, and keeps what it expects of the file.
  llvm::LLVMContext &ctx = module.getContext();
  auto *ptrType = llvm::PointerType::get(ctx, 0);
  auto *base = new llvm::GlobalVariable(
      module, ptrType, /*isConstant=*/false,
      llvm::GlobalValue::ExternalLinkage,
      llvm::ConstantPointerNull::get(ptrType), baseName);
  base->setAlignment(llvm::Align(8));
  auto *i64 = llvm::Type::getInt64Ty(ctx);
  auto *infoType = llvm::ArrayType::get(i64, 4);
  auto *infoGlobal = new llvm::GlobalVariable(
      module, infoType, /*isConstant=*/true,
      llvm::GlobalValue::ExternalLinkage,
      llvm::ConstantArray::get(
          infoType, {llvm::ConstantInt::get(i64, kWeightsFormatVersion),
                     llvm::ConstantInt::get(i64, info.fileBytes),
                     llvm::ConstantInt::get(i64, info.checksum),
                     llvm::ConstantInt::get(i64, info.tensors)}),
      infoName);
  // The x86-64 ABI aligns global arrays of 16 bytes or more to 16, and C
  // code declaring this one may rely on it.
  infoGlobal->setAlignment(llvm::Align(16));

  auto *i8 = llvm::Type::getInt8Ty(ctx);
  for (auto [gv, offset] : weights) {
    llvm::convertUsersOfConstantsToInstructions({gv});
    for (llvm::Use &use : llvm::make_early_inc_range(gv->uses())) {
      auto *user = llvm::dyn_cast<llvm::Instruction>(use.getUser());
      if (!user)
        return makeError("the weight @" + gv->getName() +
                         " is used outside a function");
      llvm::Instruction *insertBefore = user;
      if (auto *phi = llvm::dyn_cast<llvm::PHINode>(user))
        insertBefore = phi->getIncomingBlock(use)->getTerminator();
      llvm::IRBuilder<> builder(insertBefore);
      llvm::Value *weightsBase =
          builder.CreateLoad(ptrType, base, "kiln.weights");
      use.set(builder.CreateInBoundsGEP(i8, weightsBase,
                                        builder.getInt64(offset),
                                        gv->getName()));
    }
    gv->eraseFromParent();
  }

  os.write(reinterpret_cast<const char *>(data.data()), data.size());
  return info;
}
