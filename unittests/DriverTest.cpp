//===- DriverTest.cpp - The tools' shared command line --------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Tools/Driver.h"

#include "kiln/Runtime/Npy.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::kiln;
using ::testing::HasSubstr;

namespace {
/// A temporary directory, removed with everything in it.
class TemporaryDirectoryTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("kiln-driver", dir));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }

  /// `a` (and `b` in it) in the directory.
  std::string path(StringRef a, StringRef b = "") {
    llvm::SmallString<128> p(dir);
    llvm::sys::path::append(p, a);
    if (!b.empty())
      llvm::sys::path::append(p, b);
    return p.str().str();
  }

  llvm::SmallString<128> dir;
};

/// The message of the error that reading `input` must have given.
template <typename T>
std::string errorMessage(llvm::Expected<T> result, StringRef input) {
  if (result) {
    ADD_FAILURE() << "'" << input.str() << "' was accepted";
    return "";
  }
  return llvm::toString(result.takeError());
}

class FreezeArgumentTest : public TemporaryDirectoryTest {
protected:
  std::string errorOf(StringRef argument) {
    return errorMessage(parseFreezeArgument(argument), argument);
  }
};

TEST_F(FreezeArgumentTest, ReadsNpy) {
  std::string file = path("shape.npy");
  HostArray shape{"i64", {2}, std::vector<char>(16, 0)};
  shape.data[0] = 3;
  shape.data[8] = 5;
  ASSERT_FALSE(static_cast<bool>(writeNpy(file, shape)));

  auto frozen = parseFreezeArgument("target_shape=" + file);
  ASSERT_TRUE(static_cast<bool>(frozen)) << llvm::toString(frozen.takeError());
  EXPECT_EQ(frozen->first, "target_shape");
  EXPECT_EQ(frozen->second.onnxElementType, 7); // TensorProto::INT64
  EXPECT_EQ(frozen->second.shape, (std::vector<int64_t>{2}));
  EXPECT_EQ(frozen->second.bytes,
            std::string(shape.data.begin(), shape.data.end()));
}

TEST_F(FreezeArgumentTest, ElementTypes) {
  std::string file = path("values.npy");
  std::pair<const char *, int> types[] = {
      {"f32", 1}, {"f16", 10}, {"f64", 11}, {"i1", 9}};
  for (auto [type, onnx] : types) {
    HostArray array{type, {1, 2}, {}};
    array.data.resize(2 * HostArray::elementBytes(type));
    ASSERT_FALSE(static_cast<bool>(writeNpy(file, array)));
    auto frozen = parseFreezeArgument("x=" + file);
    ASSERT_TRUE(static_cast<bool>(frozen))
        << llvm::toString(frozen.takeError());
    EXPECT_EQ(frozen->second.onnxElementType, onnx) << type;
    EXPECT_EQ(frozen->second.shape, (std::vector<int64_t>{1, 2})) << type;
  }
}

TEST_F(FreezeArgumentTest, MissingEquals) {
  EXPECT_EQ(errorOf("shape.npy"),
            "--freeze expects NAME=FILE.npy, got 'shape.npy'");
  EXPECT_EQ(errorOf("=shape.npy"),
            "--freeze expects NAME=FILE.npy, got '=shape.npy'");
  EXPECT_EQ(errorOf("x="), "--freeze expects NAME=FILE.npy, got 'x='");
}

TEST_F(FreezeArgumentTest, MissingFile) {
  std::string file = path("absent.npy");
  std::string message = errorOf("x=" + file);
  EXPECT_THAT(message, HasSubstr("--freeze x: "));
  EXPECT_THAT(message, HasSubstr(file));
  EXPECT_THAT(message, HasSubstr("No such file"));
}

TEST_F(FreezeArgumentTest, UnsupportedDtype) {
  // numpy's complex64: an element type neither .npy reading nor ONNX import
  // supports.
  std::string file = path("complex.npy");
  std::string dict =
      "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }";
  // The data starts on a 64-byte boundary after the 10-byte preamble.
  dict.append(128 - 10 - dict.size() - 1, ' ');
  dict += '\n';
  std::string bytes = "\x93NUMPY\x01";
  bytes += '\0';
  bytes += static_cast<char>(dict.size());
  bytes += '\0';
  bytes += dict;
  bytes.append(8, '\0');
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(file, ec);
    ASSERT_FALSE(ec) << ec.message();
    os << bytes;
  }
  std::string message = errorOf("x=" + file);
  EXPECT_THAT(message, HasSubstr("--freeze x: "));
  EXPECT_THAT(message, HasSubstr("unsupported dtype '<c8'"));
}
} // namespace

namespace {
/// `--calibration`'s directories: batches as .npy files or as directories
/// of them, read in name order; everything else is an error naming it.
class CalibrationDirectoryTest : public TemporaryDirectoryTest {
protected:
  void writeBatch(StringRef file, float value) {
    HostArray array{"f32", {2}, std::vector<char>(8, 0)};
    std::memcpy(array.data.data(), &value, 4);
    ASSERT_FALSE(static_cast<bool>(writeNpy(file, array)));
  }
  std::string errorOf(StringRef directory) {
    return errorMessage(readCalibrationDirectory(directory), directory);
  }
};

TEST_F(CalibrationDirectoryTest, FilesAreBatchesInNameOrder) {
  writeBatch(path("b.npy"), 2);
  writeBatch(path("a.npy"), 1);
  auto batches = readCalibrationDirectory(dir);
  ASSERT_TRUE(static_cast<bool>(batches)) << llvm::toString(batches.takeError());
  ASSERT_EQ(batches->size(), 2u);
  float first;
  std::memcpy(&first, (*batches)[0][0].data.data(), 4);
  EXPECT_EQ(first, 1.0f);
  EXPECT_EQ((*batches)[0].size(), 1u);
}

TEST_F(CalibrationDirectoryTest, DirectoriesAreBatchesOfInputs) {
  ASSERT_FALSE(llvm::sys::fs::create_directory(path("0")));
  writeBatch(path("0", "x0.npy"), 1);
  writeBatch(path("0", "x1.npy"), 2);
  auto batches = readCalibrationDirectory(dir);
  ASSERT_TRUE(static_cast<bool>(batches)) << llvm::toString(batches.takeError());
  ASSERT_EQ(batches->size(), 1u);
  EXPECT_EQ((*batches)[0].size(), 2u);
}

TEST_F(CalibrationDirectoryTest, Errors) {
  EXPECT_THAT(errorOf(path("missing")),
              HasSubstr("does not exist or is not a directory"));
  EXPECT_THAT(errorOf(dir), HasSubstr("has no batches"));
  ASSERT_FALSE(llvm::sys::fs::create_directory(path("empty")));
  EXPECT_THAT(errorOf(dir), HasSubstr("has no .npy files"));
  llvm::sys::fs::remove(path("empty"));
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path("notes.txt"), ec);
    os << "x";
  }
  EXPECT_THAT(errorOf(dir),
              HasSubstr("is neither a .npy file nor a directory of them"));
  llvm::sys::fs::remove(path("notes.txt"));
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path("bad.npy"), ec);
    os << "not numpy";
  }
  EXPECT_THAT(errorOf(dir), HasSubstr("bad.npy"));
}
} // namespace
