//===- TargetDescriptionTest.cpp - Target resolution and #kiln.target -----===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/TargetDescription.h"

#include "Kiln/IR/KilnOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::kiln;
using ::testing::HasSubstr;

namespace {
constexpr const char *kX86 = "x86_64-unknown-linux-gnu";

/// Resolves a target that must be valid.
TargetDescription resolve(std::string triple, std::string cpu,
                          std::string features = "") {
  llvm::Expected<TargetDescription> t =
      resolveTarget({std::move(triple), std::move(cpu), std::move(features)});
  if (!t) {
    ADD_FAILURE() << llvm::toString(t.takeError());
    return {};
  }
  return std::move(*t);
}

/// The message of a resolution that must fail.
std::string errorOf(std::string triple, std::string cpu,
                    std::string features = "") {
  llvm::Expected<TargetDescription> t =
      resolveTarget({std::move(triple), std::move(cpu), std::move(features)});
  if (t) {
    ADD_FAILURE() << "resolved to " << t->triple << " " << t->cpu;
    return "";
  }
  return llvm::toString(t.takeError());
}

TEST(TargetDescription, Znver3) {
  TargetDescription t = resolve(kX86, "znver3");
  EXPECT_EQ(t.triple, kX86);
  EXPECT_EQ(t.cpu, "znver3");
  EXPECT_EQ(t.features, "");
  EXPECT_EQ(t.vectorBits, 256u);
  EXPECT_EQ(t.vectorRegisters, 16u);
  EXPECT_EQ(t.l1dCache, 32 << 10);
  EXPECT_EQ(t.l2Cache, 512 << 10);
  EXPECT_EQ(t.l3Cache, 32 << 20);
  EXPECT_FALSE(t.isHost);
}

TEST(TargetDescription, SapphireRapidsHasAvx512) {
  TargetDescription t = resolve(kX86, "sapphirerapids");
  EXPECT_EQ(t.vectorBits, 512u);
  EXPECT_EQ(t.vectorRegisters, 32u);
  EXPECT_EQ(t.l1dCache, 48 << 10);
  EXPECT_EQ(t.l2Cache, 2 << 20);
  EXPECT_EQ(t.l3Cache, std::nullopt); // shared L3 varies by SKU
}

TEST(TargetDescription, BaselineX86IsSSE) {
  TargetDescription t = resolve(kX86, "x86-64");
  EXPECT_EQ(t.vectorBits, 128u);
  EXPECT_EQ(t.vectorRegisters, 16u);
  EXPECT_EQ(t.l1dCache, std::nullopt);
}

TEST(TargetDescription, AArch64DefaultsToGenericNeon) {
  TargetDescription t = resolve("aarch64-linux-gnu", "");
  EXPECT_EQ(t.triple, "aarch64-unknown-linux-gnu");
  EXPECT_EQ(t.cpu, "generic");
  EXPECT_EQ(t.vectorBits, 128u);
  EXPECT_EQ(t.vectorRegisters, 32u);
  EXPECT_FALSE(t.isHost);
}

TEST(TargetDescription, FeaturesWidenVectors) {
  TargetDescription t = resolve(kX86, "znver3", "+avx512f");
  EXPECT_EQ(t.features, "+avx512f");
  EXPECT_EQ(t.vectorBits, 512u);
  EXPECT_EQ(t.vectorRegisters, 32u);
  EXPECT_TRUE(t.hasFeature("avx512f"));
}

TEST(TargetDescription, HasFeature) {
  EXPECT_TRUE(resolve(kX86, "znver3").hasFeature("f16c"));
  EXPECT_FALSE(resolve(kX86, "x86-64").hasFeature("f16c"));
  EXPECT_FALSE(resolve(kX86, "znver3", "-f16c").hasFeature("f16c"));
}

TEST(TargetDescription, UnknownCpuNamesClosestMatches) {
  std::string message = errorOf(kX86, "znver9");
  EXPECT_THAT(message, HasSubstr("unknown CPU 'znver9'"));
  EXPECT_THAT(message, HasSubstr(kX86));
  EXPECT_THAT(message, HasSubstr("closest known:"));
  EXPECT_THAT(message, HasSubstr("znver3"));
  EXPECT_THAT(message, HasSubstr("known CPUs)"));
  // Only the closest names, not the whole list.
  EXPECT_THAT(message, ::testing::Not(HasSubstr("sapphirerapids")));
}

TEST(TargetDescription, UnknownFeature) {
  EXPECT_THAT(errorOf(kX86, "znver3", "+avx9000"),
              HasSubstr("unknown feature 'avx9000'"));
}

TEST(TargetDescription, FeatureWithoutSign) {
  EXPECT_THAT(errorOf(kX86, "znver3", "avx2"),
              HasSubstr("feature 'avx2' must start with '+' or '-'"));
}

TEST(TargetDescription, UnknownTriple) {
  EXPECT_THAT(errorOf("bogus-unknown-none", ""),
              HasSubstr("unknown target triple 'bogus-unknown-none'"));
}

TEST(TargetDescription, ThirtyTwoBitCpuOnX86_64) {
  EXPECT_THAT(errorOf(kX86, "i686"),
              HasSubstr("CPU 'i686' cannot run 64-bit code"));
}

TEST(TargetDescription, AttrRoundTrip) {
  MLIRContext context;
  context.loadDialect<KilnDialect>();
  TargetDescription t = resolve(kX86, "znver3", "+avx512f,-f16c");
  TargetAttr attr = t.toAttr(&context);
  EXPECT_EQ(attr.getTriple(), kX86);
  EXPECT_EQ(attr.getCpu(), "znver3");
  TargetDescription back = TargetDescription::fromAttr(attr);
  EXPECT_EQ(back.triple, t.triple);
  EXPECT_EQ(back.cpu, t.cpu);
  EXPECT_EQ(back.features, t.features);
  EXPECT_EQ(back.vectorBits, t.vectorBits);
  EXPECT_EQ(back.vectorRegisters, t.vectorRegisters);
  EXPECT_EQ(back.l1dCache, t.l1dCache);
  EXPECT_EQ(back.l2Cache, t.l2Cache);
  EXPECT_EQ(back.l3Cache, t.l3Cache);
  EXPECT_EQ(back.toAttr(&context), attr);

  // Absent cache sizes stay absent.
  TargetDescription baseline = resolve(kX86, "x86-64");
  TargetDescription baselineBack =
      TargetDescription::fromAttr(baseline.toAttr(&context));
  EXPECT_EQ(baselineBack.l1dCache, std::nullopt);
  EXPECT_EQ(baselineBack.l3Cache, std::nullopt);
}

TEST(TargetDescription, Host) {
  TargetDescription host = resolve("", "");
  EXPECT_TRUE(host.isHost);
  EXPECT_EQ(host.triple, llvm::sys::getDefaultTargetTriple());
  EXPECT_EQ(host.cpu, llvm::sys::getHostCPUName());
  EXPECT_GE(host.vectorBits, 128u);

  // Read back from the IR, the host target is still recognized as the host.
  MLIRContext context;
  context.loadDialect<KilnDialect>();
  EXPECT_TRUE(TargetDescription::fromAttr(host.toAttr(&context)).isHost);
}

TEST(TargetDescription, TargetMachine) {
  auto tm = createTargetMachine(resolve(kX86, "znver3"), 3);
  ASSERT_TRUE(static_cast<bool>(tm)) << llvm::toString(tm.takeError());
  EXPECT_TRUE(*tm != nullptr);
}
} // namespace
