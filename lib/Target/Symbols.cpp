//===- Symbols.cpp - C names and linker symbols of AOT objects ------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/Symbols.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/IR/Module.h"
#include "llvm/ObjCopy/ConfigManager.h"
#include "llvm/ObjCopy/ObjCopy.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Transforms/IPO/Internalize.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

// C11 and C23 keywords, and those of C++ up to C++20 (alternative operator
// spellings included: `and` is not an identifier in C++).
constexpr llvm::StringLiteral kKeywords[] = {
    // C11
    "auto", "break", "case", "char", "const", "continue", "default", "do",
    "double", "else", "enum", "extern", "float", "for", "goto", "if", "inline",
    "int", "long", "register", "restrict", "return", "short", "signed",
    "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned",
    "void", "volatile", "while", "_Alignas", "_Alignof", "_Atomic", "_Bool",
    "_Complex", "_Generic", "_Imaginary", "_Noreturn", "_Static_assert",
    "_Thread_local",
    // C23
    "alignas", "alignof", "bool", "constexpr", "false", "nullptr",
    "static_assert", "thread_local", "true", "typeof", "typeof_unqual",
    "_BitInt", "_Decimal128", "_Decimal32", "_Decimal64",
    // C++
    "and", "and_eq", "asm", "bitand", "bitor", "catch", "char8_t", "char16_t",
    "char32_t", "class", "co_await", "co_return", "co_yield", "compl",
    "concept", "const_cast", "consteval", "constinit", "decltype", "delete",
    "dynamic_cast", "explicit", "export", "friend", "mutable", "namespace",
    "new", "noexcept", "not", "not_eq", "operator", "or", "or_eq", "private",
    "protected", "public", "reinterpret_cast", "requires", "static_cast",
    "template", "this", "throw", "try", "typeid", "typename", "using",
    "virtual", "wchar_t", "xor", "xor_eq"};

// Identifiers a generated header refers to inside its functions; a
// parameter of that name would hide them.
constexpr llvm::StringLiteral kHeaderNames[] = {
    "free",    "memcpy",  "snprintf", "size_t",  "int8_t",
    "int16_t", "int32_t", "int64_t",  "uint8_t", "uint16_t", "uint32_t", "uint64_t", "uintptr_t"};

// Object-like macros that <stdint.h>, <stdio.h>, <stdlib.h> and <string.h>
// (glibc, C and C++) and the compiler predefine outside the reserved
// namespace; a parameter of that name would be macro-expanded.
constexpr llvm::StringLiteral kMacros[] = {
    // <stdio.h>
    "BUFSIZ", "EOF", "FILENAME_MAX", "FOPEN_MAX", "L_ctermid", "L_cuserid",
    "L_tmpnam", "P_tmpdir", "RENAME_EXCHANGE", "RENAME_NOREPLACE",
    "RENAME_WHITEOUT", "SEEK_CUR", "SEEK_DATA", "SEEK_END", "SEEK_HOLE",
    "SEEK_SET", "TMP_MAX", "stderr", "stdin", "stdout",
    // <stdlib.h> and the <sys/types.h>, <endian.h>, <sys/wait.h> it includes
    "BIG_ENDIAN", "BYTE_ORDER", "EXIT_FAILURE", "EXIT_SUCCESS", "FD_SETSIZE",
    "LITTLE_ENDIAN", "MB_CUR_MAX", "NFDBITS", "PDP_ENDIAN", "RAND_MAX",
    "WCONTINUED", "WEXITED", "WNOHANG", "WNOWAIT", "WSTOPPED", "WUNTRACED",
    // <stddef.h> and <stdint.h> (the INTn_MAX family: isStdintLimit)
    "NULL", "PTRDIFF_MAX", "PTRDIFF_MIN", "PTRDIFF_WIDTH", "SIG_ATOMIC_MAX",
    "SIG_ATOMIC_MIN", "SIG_ATOMIC_WIDTH", "SIZE_MAX", "SIZE_WIDTH", "WCHAR_MAX",
    "WCHAR_MIN", "WCHAR_WIDTH", "WINT_MAX", "WINT_MIN", "WINT_WIDTH",
    // predefined by the compiler in GNU modes
    "linux", "unix"};

/// INT8_MIN, UINT_FAST32_MAX, INTPTR_WIDTH, ...: the <stdint.h> limits.
bool isStdintLimit(llvm::StringRef name) {
  llvm::StringRef rest = name;
  rest.consume_front("U");
  if (!rest.consume_front("INT"))
    return false;
  if (!rest.consume_front("MAX") && !rest.consume_front("PTR")) {
    // INT8_, INT_LEAST8_, INT_FAST8_, ...
    if (!rest.consume_front("_LEAST"))
      rest.consume_front("_FAST");
    size_t digits = rest.find_first_not_of("0123456789");
    if (digits == 0 || digits == llvm::StringRef::npos)
      return false;
    rest = rest.drop_front(digits);
  }
  return rest == "_MIN" || rest == "_MAX" || rest == "_WIDTH";
}

bool isIdentifierChar(char c) { return llvm::isAlnum(c) || c == '_'; }

} // namespace

bool mlir::kiln::isCOrCxxKeyword(llvm::StringRef name) {
  return llvm::is_contained(kKeywords, name);
}

bool mlir::kiln::isReservedCName(llvm::StringRef name) {
  return isCOrCxxKeyword(name) || llvm::is_contained(kHeaderNames, name) ||
         llvm::is_contained(kMacros, name) || isStdintLimit(name);
}

std::string mlir::kiln::mangleCIdentifier(llvm::StringRef name) {
  std::string out;
  out.reserve(name.size() + 2);
  for (char c : name)
    out.push_back(isIdentifierChar(c) ? c : '_');
  if (isReservedCName(out))
    return out + "_";
  bool implementationReserved = out.size() >= 2 && out[0] == '_' &&
                                (out[1] == '_' || llvm::isUpper(out[1]));
  if (out.empty() || llvm::isDigit(out[0]) || implementationReserved)
    return "v_" + out;
  return out;
}

std::string
mlir::kiln::uniquifyCName(llvm::StringRef base,
                          llvm::function_ref<bool(llvm::StringRef)> taken) {
  if (!taken(base))
    return base.str();
  for (unsigned i = 2;; ++i) {
    std::string candidate = (base + "_" + llvm::Twine(i)).str();
    if (!taken(candidate))
      return candidate;
  }
}

llvm::Error mlir::kiln::validateSymbolPrefix(llvm::StringRef prefix) {
  auto invalid = [&](const llvm::Twine &rule) {
    return llvm::createStringError("invalid symbol prefix '" + prefix +
                                   "': " + rule);
  };
  if (prefix.empty())
    return invalid("it must not be empty");
  if (!llvm::all_of(prefix, isIdentifierChar) || llvm::isDigit(prefix[0]))
    return invalid("it must be a C identifier ([A-Za-z_][A-Za-z0-9_]*)");
  if (isCOrCxxKeyword(prefix))
    return invalid("it must not be a C or C++ keyword");
  if (prefix.starts_with("_mlir"))
    return invalid("it must not start with '_mlir', which MLIR reserves");
  return llvm::Error::success();
}

std::vector<std::string>
mlir::kiln::getCEntryNames(llvm::ArrayRef<EntryPoint> entries) {
  // What a header declares as `<prefix>_<name>` besides the entry points.
  llvm::StringSet<> taken = {"last_error",      "error_message",
                             "set_num_threads", "init_threads",
                             "load_weights",    "unload_weights"};
  auto isMemrefType = [](llvm::StringRef name) {
    return name.consume_front("memref") && name.consume_back("_t") &&
           !name.empty() && llvm::all_of(name, llvm::isDigit);
  };
  std::vector<std::string> names;
  for (const EntryPoint &e : entries) {
    std::string base;
    for (char c : e.name)
      base.push_back(isIdentifierChar(c) ? c : '_');
    if (base.empty())
      base = "v_";
    std::string name = uniquifyCName(base, [&](llvm::StringRef n) {
      return taken.contains(n) || taken.contains((n + "_results_t").str()) ||
             isMemrefType(n);
    });
    taken.insert(name);
    taken.insert(name + "_results_t");
    names.push_back(std::move(name));
  }
  return names;
}

std::string mlir::kiln::getCifaceSymbolName(llvm::StringRef prefix,
                                            llvm::StringRef cEntryName) {
  return ("_mlir_ciface_" + prefix + "_" + cEntryName).str();
}

llvm::Error
mlir::kiln::prefixAndInternalizeSymbols(llvm::Module &module,
                                        llvm::ArrayRef<EntryPoint> entries,
                                        llvm::StringRef prefix) {
  if (llvm::Error error = validateSymbolPrefix(prefix))
    return error;
  std::vector<std::string> symbols;
  for (const std::string &name : getCEntryNames(entries))
    symbols.push_back(getCifaceSymbolName(prefix, name));
  // Check everything before changing anything.
  SmallVector<llvm::Function *> ciface;
  for (const EntryPoint &e : entries) {
    llvm::Function *f = module.getFunction("_mlir_ciface_" + e.name);
    if (!f || f->isDeclaration())
      return llvm::createStringError(
          "entry point '" + e.name +
          "' has no C interface function _mlir_ciface_" + e.name +
          " in the LLVM module");
    ciface.push_back(f);
  }
  for (const std::string &symbol : symbols) {
    llvm::GlobalValue *other = module.getNamedValue(symbol);
    if (other && other->isDeclaration())
      return llvm::createStringError("the exported symbol " + symbol +
                                     " clashes with an external symbol that "
                                     "the module uses");
  }

  // Take the final names off whatever holds them (the name of a symbol that
  // becomes internal does not matter), then rename the entry points.
  for (llvm::Function *f : ciface)
    f->setName("");
  for (const std::string &symbol : symbols)
    if (llvm::GlobalValue *other = module.getNamedValue(symbol))
      other->setName(symbol + ".kiln.renamed");
  for (auto [f, symbol] : llvm::zip_equal(ciface, symbols)) {
    f->setName(symbol);
    f->setLinkage(llvm::GlobalValue::ExternalLinkage);
    f->setVisibility(llvm::GlobalValue::DefaultVisibility);
  }

  llvm::StringSet<> keep;
  for (const std::string &symbol : symbols)
    keep.insert(symbol);
  llvm::internalizeModule(module, [&](const llvm::GlobalValue &gv) {
    return keep.contains(gv.getName());
  });
  return llvm::Error::success();
}

llvm::Expected<std::string>
mlir::kiln::prefixAndLocalizeObjectSymbols(llvm::StringRef object,
                                           llvm::ArrayRef<EntryPoint> entries,
                                           llvm::StringRef prefix) {
  if (llvm::Error error = validateSymbolPrefix(prefix))
    return std::move(error);
  auto binary = llvm::object::ObjectFile::createObjectFile(
      llvm::MemoryBufferRef(object, "model.o"));
  if (!binary)
    return binary.takeError();
  llvm::StringSet<> defined;
  for (const llvm::object::SymbolRef &symbol : (*binary)->symbols()) {
    llvm::Expected<llvm::StringRef> name = symbol.getName();
    llvm::Expected<uint32_t> flags = symbol.getFlags();
    if (name && flags && !(*flags & llvm::object::SymbolRef::SF_Undefined))
      defined.insert(*name);
    else if (!name)
      llvm::consumeError(name.takeError());
    if (!flags)
      llvm::consumeError(flags.takeError());
  }

  llvm::objcopy::ConfigManager config;
  llvm::objcopy::CommonConfig &common = config.Common;
  // The renaming map holds references: the names live here.
  std::vector<std::string> from, to;
  for (auto [e, name] : llvm::zip_equal(entries, getCEntryNames(entries))) {
    from.push_back("_mlir_ciface_" + e.name);
    to.push_back(getCifaceSymbolName(prefix, name));
    if (!defined.contains(from.back()))
      return llvm::createStringError("entry point '" + e.name +
                                     "' has no C interface function " +
                                     from.back() + " in the object");
  }
  for (auto [f, t] : llvm::zip_equal(from, to)) {
    if (llvm::Error error = common.SymbolsToKeepGlobal.addMatcher(
            llvm::objcopy::NameOrPattern::create(
                f, llvm::objcopy::MatchStyle::Literal,
                [](llvm::Error e) { return e; })))
      return std::move(error);
    common.SymbolsToRename[f] = t;
  }
  std::string out;
  llvm::raw_string_ostream os(out);
  if (llvm::Error error =
          llvm::objcopy::executeObjcopyOnBinary(config, **binary, os))
    return std::move(error);
  return out;
}
