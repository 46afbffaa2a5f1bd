//===- Npy.cpp - Reading and writing numpy .npy files ---------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Runtime/Npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include <cstring>

using namespace mlir::kiln;
using llvm::StringRef;

int64_t HostArray::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

unsigned HostArray::elementBytes(StringRef t) {
  return llvm::StringSwitch<unsigned>(t)
      .Cases({"f64", "i64", "u64"}, 8)
      .Cases({"f32", "i32", "u32"}, 4)
      .Cases({"f16", "i16", "u16", "bf16"}, 2)
      .Default(1);
}

static llvm::Error npyError(StringRef name, const llvm::Twine &what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 name + ": " + what);
}

/// Extracts the value of `'key':` from the header dict.
static std::optional<StringRef> dictValue(StringRef dict, StringRef key) {
  std::string quoted = ("'" + key + "'").str();
  size_t pos = dict.find(quoted);
  if (pos == StringRef::npos)
    return std::nullopt;
  StringRef rest = dict.drop_front(pos + quoted.size()).ltrim();
  if (!rest.consume_front(":"))
    return std::nullopt;
  return rest.ltrim();
}

llvm::Expected<HostArray> mlir::kiln::parseNpy(StringRef bytes,
                                               StringRef name) {
  if (bytes.size() < 10 || !bytes.starts_with("\x93NUMPY"))
    return npyError(name, "not a .npy file (bad magic)");
  unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t headerLen, offset;
  if (major == 1) {
    headerLen = static_cast<unsigned char>(bytes[8]) |
                (static_cast<unsigned char>(bytes[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return npyError(name, "truncated header");
    headerLen = 0;
    for (int i = 0; i < 4; ++i)
      headerLen |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + i]))
                   << (8 * i);
    offset = 12;
  } else {
    return npyError(name, "unsupported .npy version " + llvm::Twine(major));
  }
  if (bytes.size() < offset + headerLen)
    return npyError(name, "truncated header");
  StringRef dict = bytes.substr(offset, headerLen);

  std::optional<StringRef> descr = dictValue(dict, "descr");
  std::optional<StringRef> fortran = dictValue(dict, "fortran_order");
  std::optional<StringRef> shapeText = dictValue(dict, "shape");
  if (!descr || !fortran || !shapeText)
    return npyError(name, "header lacks descr, fortran_order or shape");
  if (fortran->starts_with("True"))
    return npyError(name, "Fortran-order arrays are not supported");
  if (descr->size() < 5 || (*descr)[0] != '\'')
    return npyError(name, "malformed descr");
  StringRef code = descr->substr(1, descr->find('\'', 1) - 1);
  if (code.size() < 3)
    return npyError(name, "malformed descr '" + code + "'");
  if (code[0] == '>')
    return npyError(name, "big-endian data is not supported");
  StringRef kind = code.drop_front();
  HostArray array;
  array.elementType = llvm::StringSwitch<std::string>(kind)
                          .Case("f4", "f32")
                          .Case("f8", "f64")
                          .Case("f2", "f16")
                          .Case("i1", "i8")
                          .Case("i2", "i16")
                          .Case("i4", "i32")
                          .Case("i8", "i64")
                          .Case("u1", "u8")
                          .Case("u2", "u16")
                          .Case("u4", "u32")
                          .Case("u8", "u64")
                          .Case("b1", "i1")
                          .Default("");
  if (array.elementType.empty())
    return npyError(name, "unsupported dtype '" + code + "'");

  StringRef s = *shapeText;
  if (!s.consume_front("("))
    return npyError(name, "malformed shape");
  s = s.take_until([](char c) { return c == ')'; });
  llvm::SmallVector<StringRef> parts;
  s.split(parts, ',', -1, /*KeepEmpty=*/false);
  for (StringRef part : parts) {
    part = part.trim();
    if (part.empty())
      continue;
    int64_t d;
    if (part.getAsInteger(10, d) || d < 0)
      return npyError(name, "malformed shape entry '" + part + "'");
    array.shape.push_back(d);
  }
  // The shape is untrusted: neither the element count (which numElements()
  // multiplies left to right) nor the byte size may overflow.
  int64_t n = 1, expectedBytes = 0;
  bool overflow = false;
  for (int64_t d : array.shape)
    overflow = overflow || llvm::MulOverflow(n, d, n);
  overflow =
      overflow ||
      llvm::MulOverflow(
          n, static_cast<int64_t>(HostArray::elementBytes(array.elementType)),
          expectedBytes);
  if (overflow) {
    std::string dims;
    for (int64_t d : array.shape)
      dims += (dims.empty() ? "" : ", ") + std::to_string(d);
    return npyError(name, "shape (" + dims + ") is too large");
  }
  size_t expected = static_cast<size_t>(expectedBytes);
  StringRef payload = bytes.drop_front(offset + headerLen);
  if (payload.size() < expected)
    return npyError(name, "truncated data: " + llvm::Twine(payload.size()) +
                              " bytes for " + llvm::Twine(expected));
  array.data.assign(payload.begin(), payload.begin() + expected);
  return array;
}

llvm::Expected<HostArray> mlir::kiln::readNpy(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return npyError(path, buffer.getError().message());
  return parseNpy((*buffer)->getBuffer(), path);
}

llvm::Error mlir::kiln::writeNpy(StringRef path, const HostArray &array) {
  std::string descr = llvm::StringSwitch<std::string>(array.elementType)
                          .Case("f32", "<f4")
                          .Case("f64", "<f8")
                          .Case("f16", "<f2")
                          .Case("i8", "|i1")
                          .Case("i16", "<i2")
                          .Case("i32", "<i4")
                          .Case("i64", "<i8")
                          .Case("u8", "|u1")
                          .Case("u16", "<u2")
                          .Case("u32", "<u4")
                          .Case("u64", "<u8")
                          .Case("i1", "|b1")
                          .Default("");
  if (descr.empty())
    return npyError(path, "cannot write element type " + array.elementType);
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (";
  for (int64_t d : array.shape)
    dict += std::to_string(d) + ", ";
  if (array.shape.size() > 1)
    dict.resize(dict.size() - 1); // numpy writes "(2, 3)" but "(4,)"
  if (array.shape.size() > 1 && dict.back() == ',')
    dict.pop_back();
  dict += "), }";
  // Pad so that the data starts on a 64-byte boundary; end with a newline.
  size_t total = 10 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return npyError(path, ec.message());
  os << "\x93NUMPY" << '\x01' << '\x00';
  os << static_cast<char>(dict.size() & 0xff)
     << static_cast<char>((dict.size() >> 8) & 0xff);
  os << dict;
  os.write(array.data.data(), array.data.size());
  return llvm::Error::success();
}
