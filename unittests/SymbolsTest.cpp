//===- SymbolsTest.cpp - C names, symbol prefixes and header names --------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/Symbols.h"

#include "kiln/Target/CHeader.h"
#include "llvm/AsmParser/Parser.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/SourceMgr.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::kiln;

namespace {

TensorSpec tensor(std::string name, std::vector<int64_t> shape = {4}) {
  TensorSpec spec;
  spec.name = std::move(name);
  spec.elementType = "f32";
  spec.shape = std::move(shape);
  return spec;
}

EntryPoint entry(std::string name, std::vector<TensorSpec> inputs,
                 std::vector<TensorSpec> results) {
  EntryPoint e;
  e.name = std::move(name);
  e.inputs = std::move(inputs);
  e.results = std::move(results);
  return e;
}

std::string errorText(llvm::Error error) {
  return error ? llvm::toString(std::move(error)) : "";
}

//===----------------------------------------------------------------------===//
// mangleCIdentifier
//===----------------------------------------------------------------------===//

TEST(MangleCIdentifierTest, KeepsPlainIdentifiers) {
  EXPECT_EQ(mangleCIdentifier("x"), "x");
  EXPECT_EQ(mangleCIdentifier("input_1"), "input_1");
  EXPECT_EQ(mangleCIdentifier("_x"), "_x");
  EXPECT_EQ(mangleCIdentifier("X"), "X");
}

TEST(MangleCIdentifierTest, ReplacesBytesOutsideIdentifiers) {
  EXPECT_EQ(mangleCIdentifier("a.b"), "a_b");
  EXPECT_EQ(mangleCIdentifier("input:0"), "input_0");
  EXPECT_EQ(mangleCIdentifier("a b/c-d"), "a_b_c_d");
  // Every byte of a UTF-8 sequence becomes one underscore: é is 2 bytes.
  EXPECT_EQ(mangleCIdentifier("h\xc3\xa9llo"), "h__llo");
  // "___" would be reserved to the implementation.
  EXPECT_EQ(mangleCIdentifier("\xe2\x82\xac"), "v____");
}

TEST(MangleCIdentifierTest, EmptyAndLeadingDigit) {
  EXPECT_EQ(mangleCIdentifier(""), "v_");
  EXPECT_EQ(mangleCIdentifier("1x"), "v_1x");
  EXPECT_EQ(mangleCIdentifier("0"), "v_0");
  EXPECT_EQ(mangleCIdentifier(".5"), "_5");
}

TEST(MangleCIdentifierTest, KeywordsGetATrailingUnderscore) {
  for (const char *keyword :
       {"double", "int", "class", "new", "default", "bool", "true", "false",
        "restrict", "_Bool", "_Atomic", "typeof", "nullptr", "and", "this",
        "char8_t", "co_await", "static_assert", "register"})
    EXPECT_EQ(mangleCIdentifier(keyword), std::string(keyword) + "_")
        << keyword;
  // Not keywords, in either language.
  EXPECT_EQ(mangleCIdentifier("Double"), "Double");
  EXPECT_EQ(mangleCIdentifier("final"), "final");
}

TEST(MangleCIdentifierTest, NamesTheHeaderNeeds) {
  // Used by the header itself.
  EXPECT_EQ(mangleCIdentifier("free"), "free_");
  EXPECT_EQ(mangleCIdentifier("int64_t"), "int64_t_");
  EXPECT_EQ(mangleCIdentifier("size_t"), "size_t_");
  // Object-like macros of the standard headers the header includes.
  EXPECT_EQ(mangleCIdentifier("NULL"), "NULL_");
  EXPECT_EQ(mangleCIdentifier("EOF"), "EOF_");
  EXPECT_EQ(mangleCIdentifier("unix"), "unix_");
  EXPECT_EQ(mangleCIdentifier("INT8_MAX"), "INT8_MAX_");
  EXPECT_EQ(mangleCIdentifier("UINT_FAST32_MAX"), "UINT_FAST32_MAX_");
  EXPECT_EQ(mangleCIdentifier("INTPTR_WIDTH"), "INTPTR_WIDTH_");
  EXPECT_EQ(mangleCIdentifier("INT_MAX"), "INT_MAX");
  EXPECT_EQ(mangleCIdentifier("INT8"), "INT8");
}

TEST(MangleCIdentifierTest, ImplementationReservedIdentifiers) {
  EXPECT_EQ(mangleCIdentifier("__x"), "v___x");
  EXPECT_EQ(mangleCIdentifier("_X"), "v__X");
  EXPECT_EQ(mangleCIdentifier("::a"), "v___a");
}

//===----------------------------------------------------------------------===//
// validateSymbolPrefix
//===----------------------------------------------------------------------===//

TEST(ValidateSymbolPrefixTest, AcceptsCIdentifiers) {
  for (const char *prefix : {"kiln", "a", "my_model", "_x", "Model2", "_"})
    EXPECT_EQ(errorText(validateSymbolPrefix(prefix)), "") << prefix;
}

TEST(ValidateSymbolPrefixTest, RejectsWithTheRule) {
  EXPECT_EQ(errorText(validateSymbolPrefix("")),
            "invalid symbol prefix '': it must not be empty");
  EXPECT_EQ(errorText(validateSymbolPrefix("my.model")),
            "invalid symbol prefix 'my.model': it must be a C identifier "
            "([A-Za-z_][A-Za-z0-9_]*)");
  EXPECT_NE(errorText(validateSymbolPrefix("1model")).find("C identifier"),
            std::string::npos);
  EXPECT_NE(errorText(validateSymbolPrefix("h\xc3\xa9")).find("C identifier"),
            std::string::npos);
  EXPECT_EQ(errorText(validateSymbolPrefix("double")),
            "invalid symbol prefix 'double': it must not be a C or C++ "
            "keyword");
  EXPECT_NE(errorText(validateSymbolPrefix("class")).find("keyword"),
            std::string::npos);
  EXPECT_NE(errorText(validateSymbolPrefix("_Bool")).find("keyword"),
            std::string::npos);
  EXPECT_EQ(errorText(validateSymbolPrefix("_mlir_x")),
            "invalid symbol prefix '_mlir_x': it must not start with "
            "'_mlir', which MLIR reserves");
}

//===----------------------------------------------------------------------===//
// Entry and tensor names of a header
//===----------------------------------------------------------------------===//

TEST(CEntryNamesTest, MangledAndUnique) {
  std::vector<EntryPoint> entries = {
      entry("forward", {}, {}),   entry("a.b", {}, {}),
      entry("a_b", {}, {}),       entry("last_error", {}, {}),
      entry("memref2_t", {}, {}), entry("x_results_t", {}, {}),
      entry("x", {}, {}),         entry("double", {}, {}),
      entry("load_weights", {}, {}), entry("set_num_threads", {}, {})};
  EXPECT_EQ(getCEntryNames(entries),
            (std::vector<std::string>{"forward", "a_b", "a_b_2", "last_error_2",
                                      "memref2_t_2", "x_results_t", "x_2",
                                      "double", "load_weights_2",
                                      "set_num_threads_2"}));
  EXPECT_EQ(getCifaceSymbolName("m", "forward"), "_mlir_ciface_m_forward");
}

TEST(CHeaderNamesTest, DuplicatesInOrder) {
  // The lit test's names: keyword, leading digit, '.', a clash after
  // mangling, non-ASCII and a plain duplicate.
  std::vector<EntryPoint> entries = {
      entry("f",
            {tensor("double"), tensor("1x"), tensor("a.b"), tensor("a_b"),
             tensor("h\xc3\xa9llo"), tensor("x")},
            {tensor("x"), tensor("")})};
  std::vector<CEntryNames> names = getCHeaderNames(entries, "kiln");
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(names[0].entry, "f");
  EXPECT_EQ(names[0].inputs,
            (std::vector<std::string>{"double_", "v_1x", "a_b", "a_b_2",
                                      "h__llo", "x"}));
  EXPECT_EQ(names[0].results, (std::vector<std::string>{"x_2", "v_"}));
}

TEST(CHeaderNamesTest, ClashesWithHelperNames) {
  // `x` (rank 2) brings x_d0, x_d1 and x_m.
  std::vector<EntryPoint> entries = {
      entry("f", {tensor("x", {2, 3}), tensor("x_d1"), tensor("x_m")},
            {tensor("x_d0"), tensor("y", {3})}),
      // In the other order, the later tensor moves instead.
      entry("g", {tensor("y_d0"), tensor("y")}, {tensor("y_m")})};
  std::vector<CEntryNames> names = getCHeaderNames(entries, "kiln");
  EXPECT_EQ(names[0].inputs,
            (std::vector<std::string>{"x", "x_d1_2", "x_m_2"}));
  EXPECT_EQ(names[0].results, (std::vector<std::string>{"x_d0_2", "y"}));
  // y (rank 1) would bring y_d0, which the first input holds.
  EXPECT_EQ(names[1].inputs, (std::vector<std::string>{"y_d0", "y_2"}));
  // An output has no descriptor local, so y_m is free.
  EXPECT_EQ(names[1].results, (std::vector<std::string>{"y_m"}));
}

TEST(CHeaderNamesTest, ClashesWithTheHeadersOwnNames) {
  std::vector<EntryPoint> entries = {entry(
      "f",
      {tensor("kiln_res_"), tensor("kiln_status_"),
       tensor("kiln_error_message"), tensor("KILN_H"), tensor("kiln_memref1_t"),
       tensor("KILN_MEMREF1_DEFINED"), tensor("_mlir_ciface_kiln_f"),
       tensor("kiln_bad_"), tensor("kiln_mul_size_"), tensor("kiln_i0_"),
       tensor("kiln_overlaps_"), tensor("_kiln_kiln_weights"),
       tensor("kiln_load_weights")},
      {tensor("kiln_r0_"), tensor("kiln_r1_"), tensor("kiln_n_"),
       tensor("kiln_o2_")})};
  std::vector<CEntryNames> names = getCHeaderNames(entries, "kiln");
  EXPECT_EQ(names[0].inputs,
            (std::vector<std::string>{
                "kiln_res__2", "kiln_status__2", "kiln_error_message_2",
                "KILN_H_2", "kiln_memref1_t_2", "KILN_MEMREF1_DEFINED_2",
                "_mlir_ciface_kiln_f_2", "kiln_bad__2", "kiln_mul_size__2",
                "kiln_i0__2", "kiln_overlaps__2", "_kiln_kiln_weights_2",
                "kiln_load_weights_2"}));
  EXPECT_EQ(names[0].results,
            (std::vector<std::string>{"kiln_r0__2", "kiln_r1__2", "kiln_n__2",
                                      "kiln_o2__2"}));
  // Another prefix has other names of its own.
  names = getCHeaderNames(entries, "m");
  EXPECT_EQ(names[0].inputs[2], "kiln_error_message");
  EXPECT_EQ(names[0].inputs[3], "KILN_H");
}

TEST(CHeaderNamesTest, HeaderUsesTheNames) {
  std::vector<EntryPoint> entries = {
      entry("my.fn", {tensor("double"), tensor("x")}, {tensor("x")})};
  std::string text;
  llvm::raw_string_ostream os(text);
  emitCHeader(entries, "m", os);
  EXPECT_NE(text.find("#ifndef M_H"), std::string::npos);
  EXPECT_NE(text.find("typedef struct { kiln_memref1_t r0; const char "
                      "*status; } m_my_fn_results_t;"),
            std::string::npos);
  EXPECT_NE(text.find("void _mlir_ciface_m_my_fn(m_my_fn_results_t *, "
                      "kiln_memref1_t *, kiln_memref1_t *, kiln_memref1_t *);"),
            std::string::npos);
  EXPECT_NE(text.find("/** my_fn (\"my.fn\"): double_ (\"double\") f32[4] x "
                      "f32[4] -> x_2 (\"x\") f32[4] */"),
            std::string::npos);
  EXPECT_NE(text.find("static inline int m_my_fn(const float *double_, "
                      "int64_t double__d0, const float *x, int64_t x_d0, "
                      "float *x_2, int64_t x_2_d0)"),
            std::string::npos);
  EXPECT_NE(text.find("_mlir_ciface_m_my_fn(&kiln_res_, &double__m, &x_m, "
                      "&kiln_o0_);"),
            std::string::npos);
  EXPECT_NE(text.find("\"my_fn: input double_ dim 0 is %lld, expected 4\""),
            std::string::npos);
  // NULL pointers, byte counts and the kernel's status are checked.
  EXPECT_NE(text.find("if (double_ == NULL && kiln_n_ != 0)"),
            std::string::npos);
  EXPECT_NE(text.find("kiln_n_ = kiln_mul_size_(kiln_n_, x_2_d0, &kiln_bad_);"),
            std::string::npos);
  EXPECT_NE(text.find("if (kiln_res_.status) {"), std::string::npos);
}

//===----------------------------------------------------------------------===//
// prefixAndInternalizeSymbols
//===----------------------------------------------------------------------===//

class PrefixSymbolsTest : public ::testing::Test {
protected:
  std::unique_ptr<llvm::Module> parse(StringRef ir) {
    llvm::SMDiagnostic diag;
    auto module = llvm::parseAssemblyString(ir, diag, context);
    EXPECT_TRUE(module) << diag.getMessage().str();
    return module;
  }

  /// The names of the module's definitions that other objects can see.
  static std::vector<std::string> exported(llvm::Module &module) {
    std::vector<std::string> names;
    for (llvm::GlobalValue &gv : module.global_values())
      if (!gv.isDeclaration() && !gv.hasLocalLinkage())
        names.push_back(gv.getName().str());
    std::sort(names.begin(), names.end());
    return names;
  }

  llvm::LLVMContext context;
};

constexpr const char *kTwoEntries = R"(
@__constant_4xf32 = private constant [4 x float] zeroinitializer
@weights = constant [2 x float] zeroinitializer
declare ptr @malloc(i64)
define void @helper() {
  ret void
}
define void @forward(ptr %a) {
  call void @helper()
  ret void
}
define void @_mlir_ciface_forward(ptr %a) {
  call void @forward(ptr %a)
  ret void
}
define void @kiln_forward(ptr %a) {
  ret void
}
define void @_mlir_ciface_kiln_forward(ptr %a) {
  call void @kiln_forward(ptr %a)
  ret void
}
)";

TEST_F(PrefixSymbolsTest, ExportsOnlyThePrefixedCInterfaces) {
  auto module = parse(kTwoEntries);
  ASSERT_TRUE(module);
  // Entry `forward` becomes _mlir_ciface_kiln_forward, the name entry
  // `kiln_forward` had: the renaming must not depend on the order.
  std::vector<EntryPoint> entries = {entry("forward", {}, {}),
                                     entry("kiln_forward", {}, {})};
  ASSERT_EQ(errorText(prefixAndInternalizeSymbols(*module, entries, "kiln")),
            "");
  EXPECT_EQ(exported(*module),
            (std::vector<std::string>{"_mlir_ciface_kiln_forward",
                                      "_mlir_ciface_kiln_kiln_forward"}));
  // The right functions carry the names.
  llvm::Function *f = module->getFunction("_mlir_ciface_kiln_forward");
  ASSERT_TRUE(f);
  auto *call = llvm::cast<llvm::CallInst>(&f->getEntryBlock().front());
  EXPECT_EQ(call->getCalledFunction()->getName(), "forward");
  EXPECT_TRUE(call->getCalledFunction()->hasLocalLinkage());
  EXPECT_TRUE(module->getNamedGlobal("weights")->hasLocalLinkage());
  // Declarations stay external.
  EXPECT_FALSE(module->getFunction("malloc")->hasLocalLinkage());
}

TEST_F(PrefixSymbolsTest, MangledEntryNames) {
  auto module = parse(R"(
define void @"_mlir_ciface_my.fn"() { ret void }
)");
  ASSERT_TRUE(module);
  ASSERT_EQ(errorText(prefixAndInternalizeSymbols(
                *module, {entry("my.fn", {}, {})}, "m")),
            "");
  EXPECT_EQ(exported(*module),
            (std::vector<std::string>{"_mlir_ciface_m_my_fn"}));
}

TEST_F(PrefixSymbolsTest, Errors) {
  auto module = parse(kTwoEntries);
  ASSERT_TRUE(module);
  EXPECT_EQ(errorText(prefixAndInternalizeSymbols(
                *module, {entry("missing", {}, {})}, "kiln")),
            "entry point 'missing' has no C interface function "
            "_mlir_ciface_missing in the LLVM module");
  EXPECT_NE(errorText(prefixAndInternalizeSymbols(
                          *module, {entry("forward", {}, {})}, "a.b"))
                .find("invalid symbol prefix 'a.b'"),
            std::string::npos);
  // Nothing changed.
  EXPECT_TRUE(module->getFunction("_mlir_ciface_forward"));
  EXPECT_FALSE(module->getFunction("helper")->hasLocalLinkage());
}

} // namespace
