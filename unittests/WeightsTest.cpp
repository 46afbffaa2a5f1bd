//===- WeightsTest.cpp - External weights and JIT objects -----------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/Weights.h"

#include "kiln/Target/Emission.h"
#include "kiln/Target/Symbols.h"
#include "kiln/Target/TargetDescription.h"
#include "llvm/AsmParser/Parser.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Target/TargetMachine.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace mlir;
using namespace mlir::kiln;

namespace {

std::string errorText(llvm::Error error) {
  return error ? llvm::toString(std::move(error)) : "";
}

TEST(WeightsChecksumTest, SeesEveryByteAndTheLength) {
  std::vector<uint8_t> data(256);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<uint8_t>(i * 7);
  uint64_t base = computeWeightsChecksum(data);
  EXPECT_EQ(base, computeWeightsChecksum(data));
  for (size_t i : {0, 1, 63, 64, 200, 255}) {
    std::vector<uint8_t> flipped = data;
    flipped[i] ^= 1;
    EXPECT_NE(computeWeightsChecksum(flipped), base) << "byte " << i;
  }
  std::vector<uint8_t> longer = data;
  longer.resize(264, 0);
  EXPECT_NE(computeWeightsChecksum(longer), base);
  // Words swapped between lanes change it too.
  std::vector<uint8_t> swapped = data;
  std::swap_ranges(swapped.begin(), swapped.begin() + 8, swapped.begin() + 8);
  EXPECT_NE(computeWeightsChecksum(swapped), base);
}

class ExternalizeWeightsTest : public ::testing::Test {
protected:
  std::unique_ptr<llvm::Module> parse(llvm::StringRef ir) {
    llvm::SMDiagnostic diag;
    auto module = llvm::parseAssemblyString(ir, diag, context);
    EXPECT_TRUE(module) << diag.getMessage().str();
    return module;
  }
  llvm::LLVMContext context;
};

constexpr const char *kModel = R"(
target datalayout = "e-m:e-i64:64-n8:16:32:64-S128"
@__constant_4x4xf32 = private constant [4 x [4 x float]] [
  [4 x float] [float 1.0, float 2.0, float 3.0, float 4.0],
  [4 x float] zeroinitializer,
  [4 x float] [float -1.0, float 0.5, float 0.25, float 8.0],
  [4 x float] [float 9.0, float 9.0, float 9.0, float 9.0]], align 64
@__constant_20xi8 = private constant [80 x i8] c"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzab", align 64
@__constant_2xf32 = private constant [2 x float] [float 5.0, float 6.0]
@__kiln_check_0 = internal constant [80 x i8] c"forward: out of memory allocating a buffer of a type with a long enough name\00\00\00\00"
define float @_mlir_ciface_m_forward(i64 %i) {
  %p = getelementptr [4 x [4 x float]], ptr @__constant_4x4xf32, i64 0, i64 %i, i64 1
  %a = load float, ptr %p
  %q = getelementptr [2 x float], ptr @__constant_2xf32, i64 0, i64 %i
  %b = load float, ptr %q
  %c = load i8, ptr @__constant_20xi8
  %d = load i8, ptr @__kiln_check_0
  %s = fadd float %a, %b
  ret float %s
}
)";

TEST_F(ExternalizeWeightsTest, MovesTheWeightsOut) {
  auto module = parse(kModel);
  ASSERT_TRUE(module);
  std::string file;
  llvm::raw_string_ostream os(file);
  llvm::Expected<WeightsFileInfo> info = externalizeWeights(*module, "m", os);
  ASSERT_TRUE(bool(info)) << llvm::toString(info.takeError());
  // The 64-byte and the 80-byte constants, each at a 64-byte boundary.
  EXPECT_EQ(info->tensors, 2u);
  EXPECT_EQ(info->fileBytes, 64u + 64u + 128u);
  ASSERT_EQ(file.size(), info->fileBytes);
  const auto *bytes = reinterpret_cast<const uint8_t *>(file.data());
  EXPECT_EQ(std::memcmp(bytes, "KILNWTS\0", 8), 0);
  EXPECT_EQ(llvm::support::endian::read32le(bytes + 8), kWeightsFormatVersion);
  EXPECT_EQ(llvm::support::endian::read32le(bytes + 12), 64u);
  EXPECT_EQ(llvm::support::endian::read64le(bytes + 16), info->fileBytes);
  EXPECT_EQ(llvm::support::endian::read64le(bytes + 24), info->checksum);
  EXPECT_EQ(llvm::support::endian::read64le(bytes + 32), 2u);
  EXPECT_EQ(info->checksum,
            computeWeightsChecksum(llvm::ArrayRef<uint8_t>(bytes + 64,
                                                           file.size() - 64)));
  float weights[16];
  std::memcpy(weights, bytes + 64, sizeof(weights));
  EXPECT_EQ(weights[0], 1.0f);
  EXPECT_EQ(weights[3], 4.0f);
  EXPECT_EQ(weights[4], 0.0f);
  EXPECT_EQ(weights[9], 0.5f);
  EXPECT_EQ(weights[15], 9.0f);
  EXPECT_EQ(std::memcmp(bytes + 128, "abcdefghijklmnopqrstuvwxyzab", 28), 0);

  // The weights are gone; small constants and messages stay.
  EXPECT_FALSE(module->getNamedGlobal("__constant_4x4xf32"));
  EXPECT_FALSE(module->getNamedGlobal("__constant_20xi8"));
  EXPECT_TRUE(module->getNamedGlobal("__constant_2xf32"));
  EXPECT_TRUE(module->getNamedGlobal("__kiln_check_0"));
  llvm::GlobalVariable *base = module->getNamedGlobal("_kiln_m_weights");
  ASSERT_TRUE(base);
  EXPECT_FALSE(base->hasLocalLinkage());
  EXPECT_FALSE(base->isConstant());
  llvm::GlobalVariable *infoGlobal =
      module->getNamedGlobal("_kiln_m_weights_info");
  ASSERT_TRUE(infoGlobal);
  llvm::Constant *values = infoGlobal->getInitializer();
  auto element = [&](unsigned i) {
    auto *c = llvm::dyn_cast_or_null<llvm::ConstantInt>(
        values->getAggregateElement(i));
    return c ? c->getZExtValue() : ~uint64_t(0);
  };
  EXPECT_EQ(element(0), kWeightsFormatVersion);
  EXPECT_EQ(element(1), info->fileBytes);
  EXPECT_EQ(element(2), info->checksum);
  EXPECT_EQ(element(3), 2u);
  // Each use reads the pointer and adds its offset.
  std::string ir;
  llvm::raw_string_ostream irOs(ir);
  module->print(irOs, nullptr);
  EXPECT_NE(ir.find("load ptr, ptr @_kiln_m_weights"), std::string::npos);
  EXPECT_NE(ir.find("i64 128"), std::string::npos) << ir;
  EXPECT_FALSE(llvm::verifyModule(*module, &llvm::errs()));
}

TEST_F(ExternalizeWeightsTest, Errors) {
  auto module = parse(std::string(kModel).replace(
      std::string(kModel).find("\"e-"), 3, "\"E-"));
  ASSERT_TRUE(module);
  std::string file;
  llvm::raw_string_ostream os(file);
  EXPECT_EQ(errorText(externalizeWeights(*module, "m", os).takeError()),
            "external weights need a little-endian target, not ''");
  auto clash = parse(std::string(kModel) +
                     "@_kiln_m_weights = global i32 0\n");
  ASSERT_TRUE(clash);
  EXPECT_EQ(errorText(externalizeWeights(*clash, "m", os).takeError()),
            "the weights symbol _kiln_m_weights clashes with a symbol of the "
            "module");
  EXPECT_TRUE(file.empty());
}

//===----------------------------------------------------------------------===//
// prefixAndLocalizeObjectSymbols
//===----------------------------------------------------------------------===//

TEST_F(ExternalizeWeightsTest, PrefixesAndLocalizesAnObject) {
  auto module = parse(R"(
@table = constant [4 x i32] [i32 1, i32 2, i32 3, i32 4]
declare ptr @malloc(i64)
define i32 @forward(i64 %i) {
  %p = getelementptr [4 x i32], ptr @table, i64 0, i64 %i
  %v = load i32, ptr %p
  %m = call ptr @malloc(i64 4)
  ret i32 %v
}
define i32 @"_mlir_ciface_my.fn"(i64 %i) {
  %v = call i32 @forward(i64 %i)
  ret i32 %v
}
)");
  ASSERT_TRUE(module);
  llvm::Expected<TargetDescription> target =
      resolveTarget({"x86_64-unknown-linux-gnu", "x86-64", ""});
  ASSERT_TRUE(bool(target)) << llvm::toString(target.takeError());
  auto tm = createTargetMachine(*target, 2);
  ASSERT_TRUE(bool(tm)) << llvm::toString(tm.takeError());
  module->setDataLayout((*tm)->createDataLayout());
  std::string object;
  {
    llvm::raw_string_ostream raw(object);
    llvm::buffer_ostream os(raw);
    std::string error;
    ASSERT_TRUE(succeeded(
        emitCode(*module, **tm, CodeKind::Object, os, error)))
        << error;
  }
  EntryPoint e;
  e.name = "my.fn";
  llvm::Expected<std::string> prefixed =
      prefixAndLocalizeObjectSymbols(object, {e}, "m");
  ASSERT_TRUE(bool(prefixed)) << llvm::toString(prefixed.takeError());
  auto file = llvm::object::ObjectFile::createObjectFile(
      llvm::MemoryBufferRef(*prefixed, "m.o"));
  ASSERT_TRUE(bool(file)) << llvm::toString(file.takeError());
  std::vector<std::string> global, local;
  bool mallocUndefined = false;
  for (const llvm::object::SymbolRef &symbol : (*file)->symbols()) {
    std::string name = cantFail(symbol.getName()).str();
    uint32_t flags = cantFail(symbol.getFlags());
    if (flags & llvm::object::SymbolRef::SF_Undefined) {
      mallocUndefined |= name == "malloc";
      continue;
    }
    if (name.empty() || name.find('.') == 0)
      continue;
    (flags & llvm::object::SymbolRef::SF_Global ? global : local)
        .push_back(name);
  }
  EXPECT_EQ(global, std::vector<std::string>{"_mlir_ciface_m_my_fn"});
  EXPECT_NE(std::find(local.begin(), local.end(), "forward"), local.end());
  EXPECT_NE(std::find(local.begin(), local.end(), "table"), local.end());
  EXPECT_TRUE(mallocUndefined);

  e.name = "missing";
  EXPECT_EQ(errorText(prefixAndLocalizeObjectSymbols(object, {e}, "m")
                          .takeError()),
            "entry point 'missing' has no C interface function "
            "_mlir_ciface_missing in the object");
  e.name = "my.fn";
  EXPECT_NE(errorText(prefixAndLocalizeObjectSymbols(object, {e}, "1m")
                          .takeError())
                .find("invalid symbol prefix '1m'"),
            std::string::npos);
  EXPECT_FALSE(
      bool(prefixAndLocalizeObjectSymbols("not an object", {e}, "m")));
}

} // namespace
