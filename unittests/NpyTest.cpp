//===- NpyTest.cpp - .npy reading and writing -----------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Runtime/Npy.h"

#include "llvm/Support/FileSystem.h"
#include <gtest/gtest.h>

using namespace mlir::kiln;

namespace {
std::string header(const std::string &dict) {
  std::string h = "\x93NUMPY";
  h += '\x01';
  h += '\x00';
  h += static_cast<char>(dict.size() & 0xff);
  h += static_cast<char>(dict.size() >> 8);
  return h + dict;
}

std::string errorOf(llvm::Expected<HostArray> result) {
  if (result)
    return "";
  return llvm::toString(result.takeError());
}

TEST(Npy, ParsesHeaderAndData) {
  std::string bytes = header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n");
  bytes.append(24, '\0');
  auto array = parseNpy(bytes, "a.npy");
  ASSERT_TRUE(static_cast<bool>(array));
  EXPECT_EQ(array->elementType, "f32");
  EXPECT_EQ(array->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(array->data.size(), 24u);
}

TEST(Npy, ScalarAndBool) {
  std::string bytes = header("{'descr': '|b1', 'fortran_order': False, 'shape': (), }\n");
  bytes += '\x01';
  auto array = parseNpy(bytes, "s.npy");
  ASSERT_TRUE(static_cast<bool>(array));
  EXPECT_EQ(array->elementType, "i1");
  EXPECT_TRUE(array->shape.empty());
  EXPECT_EQ(array->numElements(), 1);
}

TEST(Npy, RejectsMalformedFiles) {
  EXPECT_NE(errorOf(parseNpy("hello", "x.npy")).find("bad magic"), std::string::npos);
  std::string big = header("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }\n") + "abcd";
  EXPECT_NE(errorOf(parseNpy(big, "x.npy")).find("big-endian"), std::string::npos);
  std::string fortran = header("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }\n") + "abcd";
  EXPECT_NE(errorOf(parseNpy(fortran, "x.npy")).find("Fortran"), std::string::npos);
  std::string complex = header("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }\n") + "abcdefgh";
  EXPECT_NE(errorOf(parseNpy(complex, "x.npy")).find("unsupported dtype"), std::string::npos);
  std::string shortData = header("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n") + "abc";
  EXPECT_NE(errorOf(parseNpy(shortData, "x.npy")).find("truncated data"), std::string::npos);
  std::string badShape = header("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }\n");
  EXPECT_NE(errorOf(parseNpy(badShape, "x.npy")).find("malformed shape"), std::string::npos);
  std::string noShape = header("{'descr': '<f4', 'fortran_order': False}\n");
  EXPECT_NE(errorOf(parseNpy(noShape, "x.npy")).find("lacks"), std::string::npos);
  std::string cut = header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n");
  EXPECT_NE(errorOf(parseNpy(cut.substr(0, 20), "x.npy")).find("truncated header"), std::string::npos);
}

TEST(Npy, WriteReadRoundTrip) {
  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("kiln", "npy", path));
  HostArray a{"i64", {3}, std::vector<char>(24)};
  for (int i = 0; i < 3; ++i)
    a.data[i * 8] = static_cast<char>(i + 1);
  ASSERT_FALSE(static_cast<bool>(writeNpy(path, a)));
  auto b = readNpy(path);
  ASSERT_TRUE(static_cast<bool>(b));
  EXPECT_EQ(b->elementType, "i64");
  EXPECT_EQ(b->shape, a.shape);
  EXPECT_EQ(b->data, a.data);
  llvm::sys::fs::remove(path);
}
} // namespace
