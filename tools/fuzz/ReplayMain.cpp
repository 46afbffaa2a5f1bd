//===- ReplayMain.cpp - Run fuzz inputs through a harness without libFuzzer
//===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The main of the `*-fuzzer-replay` tools that builds without
// KILN_ENABLE_FUZZERS link with a harness: every file named on the command
// line, and every file in a folder named there, is read and passed to
// LLVMFuzzerTestOneInput once. A crash ends the process (under ASan/UBSan
// with their report); otherwise it prints how many inputs ran and exits 0.
// Files whose names start with '.' or end in ".md" are skipped.
//
//===----------------------------------------------------------------------===//

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {
bool skipped(llvm::StringRef path) {
  llvm::StringRef name = llvm::sys::path::filename(path);
  return name.starts_with(".") || name.ends_with(".md");
}
} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg(argv[i]);
    if (!llvm::sys::fs::is_directory(arg)) {
      files.push_back(arg.str());
      continue;
    }
    std::error_code ec;
    std::vector<std::string> inDir;
    for (llvm::sys::fs::directory_iterator it(arg, ec), end; it != end && !ec;
         it.increment(ec))
      if (!llvm::sys::fs::is_directory(it->path()) && !skipped(it->path()))
        inDir.push_back(it->path());
    if (ec) {
      llvm::errs() << argv[0] << ": " << arg << ": " << ec.message() << "\n";
      return 2;
    }
    llvm::sort(inDir);
    llvm::append_range(files, inDir);
  }
  for (const std::string &file : files) {
    auto buffer = llvm::MemoryBuffer::getFile(file, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
    if (!buffer) {
      llvm::errs() << argv[0] << ": " << file << ": "
                   << buffer.getError().message() << "\n";
      return 2;
    }
    llvm::outs() << "Running: " << file << "\n";
    llvm::outs().flush();
    // An exact-size heap copy, as libFuzzer passes it.
    llvm::StringRef bytes = (*buffer)->getBuffer();
    std::vector<uint8_t> copy(bytes.begin(), bytes.end());
    LLVMFuzzerTestOneInput(copy.data(), copy.size());
  }
  llvm::outs() << "Executed " << files.size() << " inputs\n";
  return 0;
}
