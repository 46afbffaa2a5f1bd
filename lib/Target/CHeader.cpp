//===- CHeader.cpp - The C header of an AOT object ------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/CHeader.h"

#include "kiln/Target/Symbols.h"

#include "mlir/IR/BuiltinTypeInterfaces.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include <set>

using namespace mlir;
using namespace mlir::kiln;

namespace {

std::string cType(const TensorSpec &spec) {
  StringRef t = spec.elementType;
  if (t == "f32")
    return "float";
  if (t == "f64")
    return "double";
  if (t == "i1")
    return "uint8_t"; // one byte per element
  if (t == "f16" || t == "bf16")
    return "uint16_t"; // raw bits
  if (t.starts_with("u"))
    return "uint" + t.drop_front().str() + "_t";
  return "int" + t.drop_front().str() + "_t";
}

std::string descriptorType(size_t rank) {
  return "kiln_memref" + std::to_string(rank) + "_t";
}

std::string descriptorMacro(size_t rank) {
  return "KILN_MEMREF" + std::to_string(rank) + "_DEFINED";
}

std::string includeGuard(StringRef prefix) { return prefix.upper() + "_H"; }

std::string resultStructType(StringRef prefix, StringRef cEntry) {
  return (prefix + "_" + cEntry + "_results_t").str();
}

std::string dimName(StringRef tensor, size_t d) {
  return (tensor + "_d" + Twine(d)).str();
}

/// `r<i>`'s local in the entry function: a pointer to result i's descriptor.
std::string resultLocal(size_t i) { return "kiln_r" + std::to_string(i) + "_"; }
/// The descriptor of output i's buffer, which the kernel may compute into.
std::string outputLocal(size_t i) { return "kiln_o" + std::to_string(i) + "_"; }
/// Input i's byte size.
std::string inputBytesLocal(size_t i) {
  return "kiln_i" + std::to_string(i) + "_";
}

constexpr StringLiteral kResLocal = "kiln_res_";
constexpr StringLiteral kStatusLocal = "kiln_status_";
constexpr StringLiteral kCountLocal = "kiln_n_";
constexpr StringLiteral kBadLocal = "kiln_bad_";
constexpr StringLiteral kMulSize = "kiln_mul_size_";
constexpr StringLiteral kMulSizeMacro = "KILN_MUL_SIZE_DEFINED";
constexpr StringLiteral kOverlaps = "kiln_overlaps_";
constexpr StringLiteral kOverlapsMacro = "KILN_OVERLAPS_DEFINED";

std::set<size_t> ranksOf(ArrayRef<EntryPoint> entries) {
  std::set<size_t> ranks;
  for (const EntryPoint &e : entries) {
    for (const TensorSpec &s : e.inputs)
      ranks.insert(s.shape.size());
    for (const TensorSpec &s : e.results)
      ranks.insert(s.shape.size());
    // The output buffers the kernel may compute into are bytes.
    if (!e.results.empty())
      ranks.insert(1);
  }
  return ranks;
}

/// `name` for a C comment: printable ASCII, other bytes as \xNN, and no
/// `*/` that would end the comment.
std::string forComment(StringRef name) {
  std::string out;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '\\')
      out += "\\x" + llvm::utohexstr(u, /*LowerCase=*/true, /*Width=*/2);
    else if (c == '/' && !out.empty() && out.back() == '*')
      out += "\\x2f";
    else
      out.push_back(c);
  }
  return out;
}

void printShape(const TensorSpec &s, llvm::raw_ostream &os) {
  os << s.elementType << "[";
  llvm::interleave(
      s.shape, os,
      [&](int64_t d) {
        if (ShapedType::isDynamic(d))
          os << "?";
        else
          os << d;
      },
      "x");
  os << "]";
}

} // namespace

std::vector<CEntryNames>
mlir::kiln::getCHeaderNames(ArrayRef<EntryPoint> entries, StringRef prefix) {
  // Names every entry function sees: header-wide declarations and macros.
  llvm::StringSet<> global = {includeGuard(prefix),
                              (prefix + "_error_message").str(),
                              (prefix + "_last_error").str(),
                              (prefix + "_set_num_threads").str(),
                              (prefix + "_init_threads").str(),
                              (prefix + "_load_weights").str(),
                              (prefix + "_unload_weights").str(),
                              getWeightsSymbolName(prefix),
                              getWeightsInfoSymbolName(prefix),
                              kResLocal,
                              kStatusLocal,
                              kCountLocal,
                              kBadLocal,
                              kMulSize,
                              kMulSizeMacro,
                              kOverlaps,
                              kOverlapsMacro,
                              "KILN_THREAD_LOCAL"};
  for (size_t r : ranksOf(entries)) {
    global.insert(descriptorType(r));
    global.insert(descriptorMacro(r));
  }

  std::vector<CEntryNames> out;
  for (auto [e, cEntry] : llvm::zip_equal(entries, getCEntryNames(entries))) {
    CEntryNames names;
    names.entry = cEntry;
    llvm::StringSet<> taken = global;
    taken.insert(getCifaceSymbolName(prefix, cEntry));
    taken.insert(resultStructType(prefix, cEntry));
    for (size_t i = 0; i < e.results.size(); ++i) {
      taken.insert(resultLocal(i));
      taken.insert(outputLocal(i));
    }
    for (size_t i = 0; i < e.inputs.size(); ++i)
      taken.insert(inputBytesLocal(i));
    // A tensor takes its name, its dims' names and, for an input, its
    // descriptor's name; all must be free.
    auto add = [&](const TensorSpec &s, bool input) {
      size_t rank = s.shape.size();
      std::string name =
          uniquifyCName(mangleCIdentifier(s.name), [&](StringRef n) {
            if (taken.contains(n) ||
                (input && taken.contains((n + "_m").str())))
              return true;
            for (size_t d = 0; d < rank; ++d)
              if (taken.contains(dimName(n, d)))
                return true;
            return false;
          });
      taken.insert(name);
      if (input)
        taken.insert(name + "_m");
      for (size_t d = 0; d < rank; ++d)
        taken.insert(dimName(name, d));
      return name;
    };
    for (const TensorSpec &s : e.inputs)
      names.inputs.push_back(add(s, /*input=*/true));
    for (const TensorSpec &s : e.results)
      names.results.push_back(add(s, /*input=*/false));
    out.push_back(std::move(names));
  }
  return out;
}

/// The header's part for external weights that needs POSIX: the checksum
/// and `<prefix>_load_weights`/`_unload_weights`. It comes last, so that
/// the macros of the POSIX headers cannot meet the entry points' names.
static void emitWeightsLoader(StringRef prefix, StringRef errorBuffer,
                              llvm::raw_ostream &os) {
  std::string weights = getWeightsSymbolName(prefix);
  std::string info = getWeightsInfoSymbolName(prefix);
  os << "#include <errno.h>\n#include <fcntl.h>\n#include <sys/mman.h>\n"
        "#include <sys/stat.h>\n#include <unistd.h>\n\n";
  // The same checksum as computeWeightsChecksum.
  os << "#ifndef KILN_WEIGHTS_CHECKSUM_DEFINED\n"
        "#define KILN_WEIGHTS_CHECKSUM_DEFINED\n"
        "static inline uint64_t kiln_weights_checksum_(const unsigned char *p, "
        "uint64_t n) {\n"
        "  const uint64_t prime = 0x100000001b3ULL;\n"
        "  uint64_t lanes[4] = {0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL,\n"
        "                       0x9ce484222325cbf2ULL, 0x2325cbf29ce48422ULL};\n"
        "  for (uint64_t i = 0; i < n / 8; ++i) {\n"
        "    uint64_t w = 0;\n"
        "    for (int b = 7; b >= 0; --b)\n"
        "      w = (w << 8) | p[8 * i + b];\n"
        "    lanes[i & 3] = (lanes[i & 3] ^ w) * prime;\n"
        "  }\n"
        "  uint64_t h = n;\n"
        "  for (int k = 0; k < 4; ++k)\n"
        "    h = (h ^ lanes[k]) * prime;\n"
        "  return h ^ (h >> 29);\n"
        "}\n"
        "static inline uint64_t kiln_weights_u64_(const unsigned char *p) {\n"
        "  uint64_t v = 0;\n"
        "  for (int b = 7; b >= 0; --b)\n"
        "    v = (v << 8) | p[b];\n"
        "  return v;\n"
        "}\n#endif\n\n";
  auto fail = [&](StringRef fmt, StringRef values) {
    os << "    snprintf(" << errorBuffer << ", sizeof(" << errorBuffer
       << "), \"" << prefix << "_load_weights: " << fmt << "\"" << values
       << ");\n";
  };
  os << "/** Maps the weights file `path` (kiln-compile --weights-file) "
        "read-only\n"
        " * and checks that it is this model's: its magic, version and size, "
        "and\n"
        " * a checksum of all its bytes. Returns 0, or 4 with "
     << prefix
     << "_last_error()\n"
        " * saying what is wrong (then the weights loaded before, if any, "
        "stay).\n"
        " * Call it before the entry points, not while one runs. */\n";
  os << "static inline int " << prefix << "_load_weights(const char *path) {\n"
     << "  " << errorBuffer << "[0] = 0;\n"
     << "  if (path == NULL) {\n";
  fail("the path is NULL", "");
  os << "    return 1;\n  }\n"
     << "  const uint64_t bytes = " << info << "[1];\n"
     << "  int fd = open(path, O_RDONLY | O_CLOEXEC);\n"
     << "  if (fd < 0) {\n";
  fail("cannot open '%s': %s", ", path, strerror(errno)");
  os << "    return 4;\n  }\n"
     << "  struct stat st;\n"
     << "  if (fstat(fd, &st) != 0 || (uint64_t)st.st_size != bytes) {\n";
  fail("'%s' has %lld bytes, but this model's weights file has %llu "
       "(truncated, or another model's)",
       ", path, (long long)st.st_size, (unsigned long long)bytes");
  os << "    close(fd);\n    return 4;\n  }\n"
     << "  void *map = mmap(NULL, (size_t)bytes, PROT_READ, MAP_PRIVATE, fd, "
        "0);\n"
     << "  close(fd);\n"
     << "  if (map == MAP_FAILED) {\n";
  fail("cannot map '%s': %s", ", path, strerror(errno)");
  os << "    return 4;\n  }\n"
     << "  const unsigned char *h = (const unsigned char *)map;\n"
     << "  const char *problem = NULL;\n"
     << "  if (memcmp(h, \"KILNWTS\", 8) != 0)\n"
     << "    problem = \"is not a Kiln weights file\";\n"
     << "  else if (kiln_weights_u64_(h + 8) != (" << info
     << "[0] | ((uint64_t)" << kWeightsHeaderBytes << " << 32)))\n"
     << "    problem = \"has another weights-file version\";\n"
     << "  else if (kiln_weights_u64_(h + 16) != bytes || "
        "kiln_weights_u64_(h + 24) != "
     << info << "[2])\n"
     << "    problem = \"holds the weights of another model (or of another "
        "compilation of it)\";\n"
     << "  else if (kiln_weights_checksum_(h + " << kWeightsHeaderBytes
     << ", bytes - " << kWeightsHeaderBytes << ") != " << info << "[2])\n"
     << "    problem = \"is corrupt: its contents do not match its "
        "checksum\";\n"
     << "  if (problem) {\n";
  fail("'%s' %s", ", path, problem");
  os << "    munmap(map, (size_t)bytes);\n    return 4;\n  }\n"
     << "  const void *old = " << weights << ";\n"
     << "  " << weights << " = map;\n"
     << "  if (old)\n    munmap((void *)old, (size_t)bytes);\n"
     << "  return 0;\n}\n";
  os << "/** Unmaps the weights; the entry points return 4 until they are "
        "loaded\n * again. */\n"
     << "static inline void " << prefix << "_unload_weights(void) {\n"
     << "  const void *map = " << weights << ";\n"
     << "  " << weights << " = NULL;\n"
     << "  if (map)\n    munmap((void *)map, (size_t)" << info << "[1]);\n"
     << "}\n\n";
}

void mlir::kiln::emitCHeader(ArrayRef<EntryPoint> entries, StringRef prefix,
                             llvm::raw_ostream &os, WeightsMode weights) {
  bool external = weights == WeightsMode::External;
  std::string macro = includeGuard(prefix);
  std::string errorBuffer = (prefix + "_error_message").str();
  os << "/* Generated by kiln-compile. Do not edit.\n"
        " *\n"
        " * Kiln AOT ABI: each entry point takes a pointer and all dims of\n"
        " * every input (row-major, contiguous), then a caller-allocated\n"
        " * buffer and all dims of every output. The caller owns all of\n"
        " * them; the model reads the inputs, computes each result straight\n"
        " * into its output buffer (or, when that buffer overlaps an input\n"
        " * or is misaligned, into its own and copies it), and keeps no\n"
        " * pointer after the call. It returns 0 on success;\n"
        " * 1 when an argument is rejected before anything runs (a shape,\n"
        " * a NULL pointer with a nonzero size, a size that overflows), 2\n"
        " * when an output buffer's dims differ from the result's, and 3\n"
        " * when a run-time check fails (an index out of range, dims that\n"
        " * do not broadcast, out of memory)"
     << (external ? ", 4 when the weights are not loaded" : "") << "; "
     << prefix
     << "_last_error() then\n"
        " * says which. Entry points are reentrant and thread-safe; the\n"
        " * message and the thread settings are per calling thread.\n"
        " * Link with the object file from the same\n"
        " * kiln-compile run and with libc (malloc/free) and libm, and with\n"
        " * LLVM's OpenMP runtime (-lomp) when the model runs threads.\n"
        " */\n";
  os << "#ifndef " << macro << "\n#define " << macro << "\n\n";
  os << "#include <stdint.h>\n#include <stdio.h>\n#include <stdlib.h>\n"
        "#include <string.h>\n\n";
  os << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";

  // The descriptor types are shared by the headers of several models.
  os << "/* MLIR memref descriptors (internal). */\n";
  for (size_t r : ranksOf(entries)) {
    os << "#ifndef " << descriptorMacro(r) << "\n#define " << descriptorMacro(r)
       << "\n";
    os << "typedef struct { void *allocated; void *aligned; int64_t offset;";
    if (r)
      os << " int64_t sizes[" << r << "]; int64_t strides[" << r << "];";
    os << " } " << descriptorType(r) << ";\n#endif\n";
  }
  os << "\n#ifndef " << kMulSizeMacro << "\n#define " << kMulSizeMacro << "\n"
     << "/* a * d, or *bad = 1 when d < 0 or the product overflows. */\n"
     << "static inline size_t " << kMulSize
     << "(size_t a, int64_t d, int *bad) {\n"
     << "  size_t r;\n"
     << "  if (d < 0 || __builtin_mul_overflow(a, (size_t)d, &r) ||\n"
     << "      r > (size_t)INT64_MAX) {\n"
     << "    *bad = 1;\n    return 0;\n  }\n  return r;\n}\n#endif\n";
  os << "#ifndef " << kOverlapsMacro << "\n#define " << kOverlapsMacro << "\n"
     << "/* Whether the byte ranges [a, a + an) and [b, b + bn) meet. */\n"
     << "static inline int " << kOverlaps
     << "(const void *a, size_t an, const void *b, size_t bn) {\n"
     << "  return an && bn && (uintptr_t)a < (uintptr_t)b + bn &&\n"
     << "         (uintptr_t)b < (uintptr_t)a + an;\n}\n#endif\n";
  // Per-thread state: the message and the OpenMP settings, which the
  // OpenMP runtime keeps per calling thread too.
  os << "\n#ifndef KILN_THREAD_LOCAL\n#ifdef __cplusplus\n"
        "#define KILN_THREAD_LOCAL thread_local\n#else\n"
        "#define KILN_THREAD_LOCAL _Thread_local\n#endif\n#endif\n";
  os << "static KILN_THREAD_LOCAL char " << errorBuffer << "[512];\n";
  os << "/** The message of this thread's last failed call, or \"\". */\n";
  os << "static inline const char *" << prefix << "_last_error(void) {\n"
     << "  return " << errorBuffer << ";\n}\n\n";
  // Threads: the OpenMP runtime is optional (weak), so models without
  // parallel loops still link with libc and libm alone.
  os << "#ifndef KILN_OPENMP_DECLARED\n#define KILN_OPENMP_DECLARED\n"
        "extern void omp_set_num_threads(int) __attribute__((weak));\n"
        "extern void kmp_set_blocktime(int) __attribute__((weak));\n"
        "#endif\n";
  os << "/** Sets the threads the model's parallel loops use (default: "
        "KILN_NUM_THREADS,\n * else OMP_NUM_THREADS, else one per core). */\n";
  os << "static inline void " << prefix
     << "_set_num_threads(int n) {\n"
        "  if (omp_set_num_threads && n > 0)\n"
        "    omp_set_num_threads(n);\n}\n";
  os << "static inline void " << prefix << "_init_threads(void) {\n"
     << "  static KILN_THREAD_LOCAL int done;\n  if (done)\n    return;\n"
     << "  done = 1;\n"
     << "  /* Idle workers sleep instead of spinning (2-vCPU hosts). */\n"
     << "  if (kmp_set_blocktime)\n    kmp_set_blocktime(0);\n"
     << "  const char *n = getenv(\"KILN_NUM_THREADS\");\n"
     << "  if (n)\n    " << prefix << "_set_num_threads(atoi(n));\n}\n\n";
  if (external)
    os << "/* The weights, which " << prefix
       << "_load_weights maps (in the object). */\n"
       << "extern const void *" << getWeightsSymbolName(prefix) << ";\n"
       << "extern const uint64_t " << getWeightsInfoSymbolName(prefix)
       << "[4];\n\n";

  std::vector<CEntryNames> allNames = getCHeaderNames(entries, prefix);
  for (auto [index, e] : llvm::enumerate(entries)) {
    const CEntryNames &names = allNames[index];
    const std::string &entry = names.entry;
    auto inName = [&](size_t i) -> const std::string & {
      return names.inputs[i];
    };
    auto inDim = [&](size_t i, size_t d) { return dimName(inName(i), d); };

    // The C interface the object file exports.
    // The results' descriptors and the status: null, or the message of
    // the run-time check that failed (kiln-runtime-checks).
    std::string resultStruct = resultStructType(prefix, entry);
    if (!e.results.empty()) {
      os << "typedef struct {";
      for (auto [i, r] : llvm::enumerate(e.results))
        os << " " << descriptorType(r.shape.size()) << " r" << i << ";";
      os << " const char *status; } " << resultStruct << ";\n";
    }
    std::string ciface = getCifaceSymbolName(prefix, entry);
    os << (e.results.empty() ? "const char *" : "void ") << ciface << "(";
    SmallVector<std::string> params;
    if (!e.results.empty())
      params.push_back(resultStruct + " *");
    for (const TensorSpec &in : e.inputs)
      params.push_back(descriptorType(in.shape.size()) + " *");
    for (size_t i = 0; i < e.results.size(); ++i)
      params.push_back(descriptorType(1) + " *");
    os << (params.empty() ? "void" : llvm::join(params, ", ")) << ");\n\n";

    // The documented entry point; names that were mangled keep their
    // original spelling in the comment.
    auto describe = [&](const TensorSpec &s, StringRef cName) {
      os << " " << cName;
      if (s.name != cName)
        os << " (\"" << forComment(s.name) << "\")";
      os << " ";
      printShape(s, os);
    };
    os << "/** " << entry;
    if (e.name != entry)
      os << " (\"" << forComment(e.name) << "\")";
    os << ":";
    for (auto [s, cName] : llvm::zip_equal(e.inputs, names.inputs))
      describe(s, cName);
    os << " ->";
    for (auto [s, cName] : llvm::zip_equal(e.results, names.results))
      describe(s, cName);
    os << " */\n";
    os << "static inline int " << prefix << "_" << entry << "(";
    SmallVector<std::string> args;
    for (auto [s, cName] : llvm::zip_equal(e.inputs, names.inputs)) {
      args.push_back("const " + cType(s) + " *" + cName);
      for (size_t d = 0; d < s.shape.size(); ++d)
        args.push_back("int64_t " + dimName(cName, d));
    }
    for (auto [s, cName] : llvm::zip_equal(e.results, names.results)) {
      args.push_back(cType(s) + " *" + cName);
      for (size_t d = 0; d < s.shape.size(); ++d)
        args.push_back("int64_t " + dimName(cName, d));
    }
    os << (args.empty() ? "void" : llvm::join(args, ", ")) << ") {\n";
    // Messages name the entry point and tensors by their C names, which
    // need no escaping in a format string.
    auto fail = [&](StringRef fmt, StringRef values) {
      os << "    snprintf(" << errorBuffer << ", sizeof(" << errorBuffer
         << "), \"" << entry << ": " << fmt << "\"" << values
         << ");\n    return 1;\n";
    };
    os << "  " << errorBuffer << "[0] = 0;\n";
    // Static dims and non-negative dynamic dims.
    for (auto [i, s] : llvm::enumerate(e.inputs)) {
      for (auto [d, size] : llvm::enumerate(s.shape)) {
        std::string var = inDim(i, d);
        std::string what =
            "input " + inName(i) + " dim " + std::to_string(d) + " is %lld";
        if (ShapedType::isDynamic(size)) {
          os << "  if (" << var << " < 0) {\n";
          fail(what + ", expected >= 0", ", (long long)" + var);
        } else {
          os << "  if (" << var << " != " << size << ") {\n";
          fail(what + ", expected " + std::to_string(size),
               ", (long long)" + var);
        }
        os << "  }\n";
      }
    }
    for (const DimConstraint &c : e.constraints) {
      std::string var = inDim(c.input, c.dim);
      std::string what = "input " + inName(c.input) + " dim " +
                         std::to_string(c.dim) + " is %lld";
      if (c.equalsConstant) {
        os << "  if (" << var << " != " << *c.equalsConstant
           << (c.orOne ? " && " + var + " != 1" : std::string()) << ") {\n";
        fail(what + ", but the model needs " +
                 std::to_string(*c.equalsConstant) +
                 (c.orOne ? " (or 1, to broadcast)" : ""),
             ", (long long)" + var);
      } else {
        auto [oi, od] = *c.equalsInputDim;
        std::string other = inDim(oi, od);
        os << "  if (" << var << " != " << other
           << (c.orOne ? " && " + var + " != 1 && " + other + " != 1"
                       : std::string())
           << ") {\n";
        fail(what + " but input " + inName(oi) + " dim " + std::to_string(od) +
                 (c.orOne ? " is %lld; the model broadcasts them, so they "
                            "must be equal or 1"
                          : " is %lld; the model needs them equal"),
             ", (long long)" + var + ", (long long)" + other);
      }
      os << "  }\n";
    }
    // Every tensor's byte size fits in 64 bits, and a NULL pointer is
    // accepted only for a tensor with no elements.
    auto checkBuffer = [&](const TensorSpec &s, StringRef cName, bool input) {
      std::string kind = input ? "input " : "output ";
      os << "  {\n    int " << kBadLocal << " = 0;\n    size_t " << kCountLocal
         << " = sizeof(" << cType(s) << ");\n";
      for (size_t d = 0; d < s.shape.size(); ++d)
        os << "    " << kCountLocal << " = " << kMulSize << "(" << kCountLocal
           << ", " << dimName(cName, d) << ", &" << kBadLocal << ");\n";
      for (size_t d = 0; d < s.shape.size(); ++d)
        os << "    if (" << dimName(cName, d) << " == 0)\n      " << kBadLocal
           << " = 0, " << kCountLocal << " = 0;\n";
      os << "    if (" << kBadLocal << ") {\n  ";
      fail(kind + cName.str() +
               " has more bytes than fit in 64 bits (or a negative dim)",
           "");
      os << "    }\n    if (" << cName << " == NULL && " << kCountLocal
         << " != 0) {\n  ";
      fail(kind + cName.str() + " is NULL but its dims give %zu bytes",
           ", " + kCountLocal.str());
      os << "    }\n  }\n";
    };
    for (auto [s, cName] : llvm::zip_equal(e.inputs, names.inputs))
      checkBuffer(s, cName, /*input=*/true);
    for (auto [s, cName] : llvm::zip_equal(e.results, names.results))
      checkBuffer(s, cName, /*input=*/false);
    // Descriptors for the inputs (contiguous, row-major).
    for (auto [i, s] : llvm::enumerate(e.inputs)) {
      size_t r = s.shape.size();
      const std::string &n = inName(i);
      os << "  " << descriptorType(r) << " " << n << "_m = {(void *)" << n
         << ", (void *)" << n << ", 0";
      if (r) {
        os << ", {";
        for (size_t d = 0; d < r; ++d)
          os << (d ? ", " : "") << inDim(i, d);
        os << "}, {";
        for (size_t d = 0; d < r; ++d) {
          os << (d ? ", " : "");
          if (d + 1 == r)
            os << "1";
          for (size_t k = d + 1; k < r; ++k)
            os << (k > d + 1 ? " * " : "") << inDim(i, k);
        }
        os << "}";
      }
      os << "};\n";
    }
    // The output buffers, which the kernel computes the results into when
    // it can: element-aligned, and meeting no input or earlier output (the
    // kernel reads those while it writes). Else it allocates the result,
    // and it is copied below. The byte sizes were checked above.
    auto byteSize = [&](const TensorSpec &s, StringRef cName) {
      std::string size = "sizeof(" + cType(s) + ")";
      for (size_t d = 0; d < s.shape.size(); ++d)
        size += " * (size_t)" + dimName(cName, d);
      return size;
    };
    if (!e.results.empty())
      for (auto [i, s] : llvm::enumerate(e.inputs))
        os << "  size_t " << inputBytesLocal(i) << " = "
           << byteSize(s, inName(i)) << ";\n";
    for (auto [i, s] : llvm::enumerate(e.results)) {
      const std::string &n = names.results[i];
      std::string o = outputLocal(i);
      os << "  " << descriptorType(1) << " " << o << " = {(void *)" << n
         << ", (void *)" << n << ", 0, {(int64_t)(" << byteSize(s, n)
         << ")}, {1}};\n";
      SmallVector<std::string> conflicts = {"(uintptr_t)" + n + " % sizeof(" +
                                            cType(s) + ") != 0"};
      for (size_t j = 0; j < e.inputs.size(); ++j)
        conflicts.push_back(kOverlaps.str() + "(" + n + ", (size_t)" + o +
                            ".sizes[0], " + inName(j) + ", " +
                            inputBytesLocal(j) + ")");
      for (size_t j = 0; j < i; ++j)
        conflicts.push_back(kOverlaps.str() + "(" + n + ", (size_t)" + o +
                            ".sizes[0], " + outputLocal(j) + ".aligned, (size_t)" +
                            outputLocal(j) + ".sizes[0])");
      os << "  if (" << llvm::join(conflicts, " ||\n      ") << ")\n    " << o
         << ".sizes[0] = 0;\n";
    }
    SmallVector<std::string> callArgs;
    if (!e.results.empty()) {
      os << "  " << resultStruct << " " << kResLocal << ";\n";
      for (size_t i = 0; i < e.results.size(); ++i)
        os << "  " << descriptorType(e.results[i].shape.size()) << " *"
           << resultLocal(i) << " = &" << kResLocal << ".r" << i << ";\n";
      callArgs.push_back(("&" + kResLocal).str());
    }
    for (const std::string &n : names.inputs)
      callArgs.push_back("&" + n + "_m");
    for (size_t i = 0; i < e.results.size(); ++i)
      callArgs.push_back("&" + outputLocal(i));
    if (external) {
      os << "  if (" << getWeightsSymbolName(prefix) << " == NULL) {\n"
         << "    snprintf(" << errorBuffer << ", sizeof(" << errorBuffer
         << "), \"" << entry << ": the weights are not loaded; call "
         << prefix << "_load_weights(path) first\");\n    return 4;\n  }\n";
    }
    os << "  " << prefix << "_init_threads();\n";
    std::string call = ciface + "(" + llvm::join(callArgs, ", ") + ")";
    if (e.results.empty())
      os << "  const char *" << kResLocal << " = " << call << ";\n";
    else
      os << "  " << call << ";\n";
    // A failed run-time check: the results were not computed (and hold
    // nothing to free).
    std::string status =
        (e.results.empty() ? kResLocal : kResLocal + ".status").str();
    os << "  if (" << status << ") {\n    snprintf(" << errorBuffer
       << ", sizeof(" << errorBuffer << "), \"%s\", " << status
       << ");\n    return 3;\n  }\n";
    // Check output dims, copy into the caller's buffers, free Kiln's.
    os << "  int " << kStatusLocal << " = 0;\n";
    for (auto [i, s] : llvm::enumerate(e.results)) {
      std::string ri = resultLocal(i);
      for (size_t d = 0; d < s.shape.size(); ++d) {
        std::string var = dimName(names.results[i], d);
        os << "  if (" << kStatusLocal << " == 0 && " << ri << "->sizes[" << d
           << "] != " << var << ") {\n    snprintf(" << errorBuffer
           << ", sizeof(" << errorBuffer << "), \"" << entry << ": output "
           << names.results[i] << " dim " << d
           << " is %lld, but the buffer passed has %lld\", (long long)" << ri
           << "->sizes[" << d << "], (long long)" << var << ");\n    "
           << kStatusLocal << " = 2;\n  }\n";
      }
    }
    // A result the kernel computed in its own buffer: copied, then freed.
    for (auto [i, s] : llvm::enumerate(e.results)) {
      std::string ri = resultLocal(i);
      os << "  if (" << ri << "->allocated != " << outputLocal(i)
         << ".allocated) {\n";
      os << "    if (" << kStatusLocal << " == 0) {\n      size_t "
         << kCountLocal << " = 1;\n";
      for (size_t d = 0; d < s.shape.size(); ++d)
        os << "      " << kCountLocal << " *= (size_t)" << ri << "->sizes["
           << d << "];\n";
      // An empty result may go to a NULL buffer: memcpy takes no NULL.
      os << "      if (" << kCountLocal << ")\n        memcpy("
         << names.results[i] << ", (const " << cType(s) << " *)" << ri
         << "->aligned + " << ri << "->offset, " << kCountLocal
         << " * sizeof(" << cType(s) << "));\n    }\n";
      os << "    free(" << ri << "->allocated);\n  }\n";
    }
    os << "  return " << kStatusLocal << ";\n}\n\n";
  }
  os << "#ifdef __cplusplus\n}\n#endif\n\n";
  if (external)
    emitWeightsLoader(prefix, errorBuffer, os);
  os << "#endif /* " << macro << " */\n";
}
