//===- TargetDescription.cpp - What Kiln generates code for ---------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Everything is validated against LLVM's tables before a target machine is
// created: LLVM only warns about unknown CPUs and features ("ignoring
// processor") and then may die with a fatal error ("64-bit code requested on a
// subtarget that doesn't support it"), so Kiln must refuse such input itself.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/TargetDescription.h"

#include "Kiln/IR/KilnOps.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;
using namespace mlir::kiln;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

static void initializeLLVMTargets() {
  static bool initialized = [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    return true;
  }();
  (void)initialized;
}

TargetAttr TargetDescription::toAttr(MLIRContext *context) const {
  return TargetAttr::get(context, triple, cpu, features, vectorBits,
                         vectorRegisters, l1dCache, l2Cache, l3Cache);
}

bool TargetDescription::hasFeature(StringRef name) const {
  initializeLLVMTargets();
  llvm::Triple parsed(triple);
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(parsed, error);
  if (!target)
    return false;
  std::unique_ptr<llvm::MCSubtargetInfo> sti(
      target->createMCSubtargetInfo(parsed, cpu, features));
  return sti && sti->checkFeatures(("+" + name).str());
}

TargetDescription TargetDescription::fromAttr(TargetAttr attr) {
  TargetDescription t;
  t.triple = attr.getTriple().str();
  t.cpu = attr.getCpu().str();
  t.features = attr.getFeatures().str();
  t.vectorBits = attr.getVectorBits();
  t.vectorRegisters = attr.getVectorRegisters();
  t.l1dCache = attr.getL1dCache();
  t.l2Cache = attr.getL2Cache();
  t.l3Cache = attr.getL3Cache();
  t.isHost = t.triple == llvm::sys::getDefaultTargetTriple() &&
             t.cpu == llvm::sys::getHostCPUName();
  return t;
}

/// Per-core L1d/L2 and shared L3 sizes of the CPUs Kiln is tuned on, for
/// cross-compilation; the host's come from sysfs.
static void setKnownCaches(TargetDescription &t) {
  struct Caches {
    const char *cpu;
    int64_t l1d, l2, l3;
  };
  static const Caches known[] = {
      {"znver2", 32 << 10, 512 << 10, 16 << 20},
      {"znver3", 32 << 10, 512 << 10, 32 << 20},
      {"znver4", 32 << 10, 1 << 20, 32 << 20},
      {"znver5", 48 << 10, 1 << 20, 32 << 20},
      {"skylake-avx512", 32 << 10, 1 << 20, 0},
      {"cascadelake", 32 << 10, 1 << 20, 0},
      {"icelake-server", 48 << 10, 1280 << 10, 0},
      {"sapphirerapids", 48 << 10, 2 << 20, 0},
      {"emeraldrapids", 48 << 10, 2 << 20, 0},
      {"graniterapids", 48 << 10, 2 << 20, 0},
      {"haswell", 32 << 10, 256 << 10, 0},
      {"skylake", 32 << 10, 256 << 10, 0},
      {"neoverse-n1", 64 << 10, 1 << 20, 0},
      {"neoverse-v1", 64 << 10, 1 << 20, 0},
      {"neoverse-v2", 64 << 10, 2 << 20, 0},
  };
  for (const Caches &c : known) {
    if (t.cpu != c.cpu)
      continue;
    t.l1dCache = c.l1d;
    t.l2Cache = c.l2;
    if (c.l3)
      t.l3Cache = c.l3;
  }
}

/// Reads the host's data/unified cache sizes from sysfs (Linux).
static void setHostCaches(TargetDescription &t) {
  for (int index = 0; index < 8; ++index) {
    std::string dir =
        "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index);
    auto read = [&](StringRef file) -> std::string {
      // sysfs reports a size its files do not have; read them as streams.
      auto buffer = llvm::MemoryBuffer::getFileAsStream(dir + "/" + file.str());
      return buffer ? (*buffer)->getBuffer().trim().str() : "";
    };
    std::string level = read("level");
    if (level.empty())
      break;
    std::string type = read("type");
    if (type == "Instruction")
      continue;
    std::string sizeText = read("size"); // e.g. "32K", "1024K", "32768K"
    StringRef size = sizeText;
    int64_t multiplier = 1;
    if (size.consume_back("K"))
      multiplier = 1 << 10;
    else if (size.consume_back("M"))
      multiplier = 1 << 20;
    int64_t value;
    if (size.getAsInteger(10, value) || value <= 0)
      continue;
    std::optional<int64_t> *slot = level == "1"   ? &t.l1dCache
                                   : level == "2" ? &t.l2Cache
                                   : level == "3" ? &t.l3Cache
                                                  : nullptr;
    if (slot)
      *slot = value * multiplier;
  }
}

llvm::Expected<TargetDescription>
mlir::kiln::resolveTarget(const TargetOptions &options) {
  initializeLLVMTargets();
  TargetDescription t;
  bool hostTriple = options.triple.empty();
  llvm::Triple triple(hostTriple ? llvm::sys::getDefaultTargetTriple()
                                 : llvm::Triple::normalize(options.triple));
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target || triple.getArch() == llvm::Triple::UnknownArch)
    return makeError("unknown target triple '" + options.triple + "'" +
                     (error.empty() ? "" : ": " + error));
  t.triple = triple.str();

  // A subtarget for the bare triple validates CPU and feature names without
  // LLVM's "ignoring processor" warnings.
  std::unique_ptr<llvm::MCSubtargetInfo> generic(
      target->createMCSubtargetInfo(triple, "", ""));
  if (!generic)
    return makeError("target '" + t.triple + "' has no subtarget information");

  t.cpu = options.cpu;
  if (t.cpu.empty())
    t.cpu = hostTriple ? llvm::sys::getHostCPUName().str() : "generic";
  if (t.cpu != "generic" && !generic->isCPUStringValid(t.cpu)) {
    // Suggest the closest names; the whole list is long.
    unsigned best = ~0u;
    SmallVector<StringRef> closest;
    for (const llvm::SubtargetSubTypeKV &kv :
         generic->getAllProcessorDescriptions()) {
      unsigned distance = StringRef(kv.Key).edit_distance(t.cpu);
      if (distance < best)
        closest.clear();
      if (distance <= best) {
        best = distance;
        closest.push_back(kv.Key);
      }
    }
    return makeError(
        "unknown CPU '" + t.cpu + "' for target '" + t.triple +
        "'; closest known: " + llvm::join(closest, ", ") + " (of " +
        llvm::Twine(generic->getAllProcessorDescriptions().size()) +
        " known CPUs)");
  }

  auto findFeature = [&](StringRef name) -> const llvm::SubtargetFeatureKV * {
    for (const llvm::SubtargetFeatureKV &kv :
         generic->getAllProcessorFeatures())
      if (name == kv.Key)
        return &kv;
    return nullptr;
  };
  SmallVector<std::string> features;
  if (!options.features.empty()) {
    SmallVector<StringRef> parts;
    StringRef(options.features).split(parts, ',', -1, /*KeepEmpty=*/false);
    for (StringRef part : parts) {
      part = part.trim();
      if (!part.starts_with("+") && !part.starts_with("-"))
        return makeError("feature '" + part +
                         "' must start with '+' or '-', e.g. +avx2");
      if (!findFeature(part.drop_front()))
        return makeError("unknown feature '" + part.drop_front() +
                         "' for target '" + t.triple + "'");
      features.push_back(part.str());
    }
  } else if (hostTriple && options.cpu.empty()) {
    // The host's features, where they differ from its CPU model's defaults
    // (a VM often hides some).
    t.isHost = true;
    std::unique_ptr<llvm::MCSubtargetInfo> model(
        target->createMCSubtargetInfo(triple, t.cpu, ""));
    // The map owns the names `host` points into; keep it alive.
    llvm::StringMap<bool> hostFeatures = llvm::sys::getHostCPUFeatures();
    SmallVector<std::pair<StringRef, bool>> host;
    for (auto &entry : hostFeatures)
      host.emplace_back(entry.first(), entry.second);
    llvm::sort(host);
    for (auto [name, enabled] : host) {
      const llvm::SubtargetFeatureKV *kv = findFeature(name);
      if (kv && model->getFeatureBits().test(kv->Value) != enabled)
        features.push_back((enabled ? "+" : "-") + name.str());
    }
  }
  t.features = llvm::join(features, ",");

  std::unique_ptr<llvm::MCSubtargetInfo> sti(
      target->createMCSubtargetInfo(triple, t.cpu, t.features));
  if (triple.getArch() == llvm::Triple::x86_64 && !sti->checkFeatures("+64bit"))
    return makeError("CPU '" + t.cpu + "' cannot run 64-bit code (target '" +
                     t.triple + "')");

  if (triple.isX86()) {
    if (sti->checkFeatures("+avx512f")) {
      t.vectorBits = 512;
      t.vectorRegisters = 32;
    } else if (sti->checkFeatures("+avx")) {
      t.vectorBits = 256;
      t.vectorRegisters = 16;
    } else {
      t.vectorBits = 128;
      t.vectorRegisters = 16;
    }
  } else if (triple.isAArch64()) {
    t.vectorBits = 128; // NEON; SVE lengths are not known at compile time
    t.vectorRegisters = 32;
  }

  if (t.isHost)
    setHostCaches(t);
  else
    setKnownCaches(t);
  return t;
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
mlir::kiln::createTargetMachine(const TargetDescription &t, unsigned optLevel) {
  initializeLLVMTargets();
  llvm::Triple triple(t.triple);
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return makeError("unknown target triple '" + t.triple + "': " + error);
  llvm::CodeGenOptLevel level = optLevel == 0   ? llvm::CodeGenOptLevel::None
                                : optLevel == 1 ? llvm::CodeGenOptLevel::Less
                                : optLevel == 2
                                    ? llvm::CodeGenOptLevel::Default
                                    : llvm::CodeGenOptLevel::Aggressive;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, t.cpu, t.features, llvm::TargetOptions(), llvm::Reloc::PIC_,
      std::nullopt, level));
  if (!tm)
    return makeError("cannot create a target machine for '" + t.triple + "'");
  return tm;
}
