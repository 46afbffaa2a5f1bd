//===- Emission.cpp - LLVM IR, native code and C headers ------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/Emission.h"

#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include <set>

using namespace mlir;
using namespace mlir::kiln;

FailureOr<std::unique_ptr<llvm::TargetMachine>>
mlir::kiln::createTargetMachine(const TargetOptions &options,
                                std::string &error) {
  llvm::InitializeAllTargetInfos();
  llvm::InitializeAllTargets();
  llvm::InitializeAllTargetMCs();
  llvm::InitializeAllAsmPrinters();
  bool host = options.triple.empty();
  llvm::Triple triple(host ? llvm::sys::getDefaultTargetTriple()
                           : options.triple);
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return failure();
  std::string cpu = options.cpu, features = options.features;
  if (host && cpu.empty())
    cpu = llvm::sys::getHostCPUName().str();
  if (cpu.empty())
    cpu = "generic";
  // Host features go with the host CPU only; an explicit --cpu brings its own.
  if (host && features.empty() && options.cpu.empty()) {
    std::vector<std::string> list;
    for (auto &f : llvm::sys::getHostCPUFeatures())
      list.push_back((f.second ? "+" : "-") + f.first().str());
    features = llvm::join(list, ",");
  }
  llvm::CodeGenOptLevel level = options.optLevel == 0 ? llvm::CodeGenOptLevel::None
                                : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
                                : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                                        : llvm::CodeGenOptLevel::Aggressive;
  llvm::TargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, targetOptions, llvm::Reloc::PIC_, std::nullopt,
      level));
  if (!tm) {
    error = "cannot create a target machine for " + triple.str();
    return failure();
  }
  return tm;
}

std::unique_ptr<llvm::Module>
mlir::kiln::translateAndOptimize(ModuleOp module, llvm::LLVMContext &context,
                                 llvm::TargetMachine &tm, unsigned optLevel) {
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context);
  if (!llvmModule)
    return nullptr;
  llvmModule->setTargetTriple(tm.getTargetTriple());
  llvmModule->setDataLayout(tm.createDataLayout());
  for (llvm::Function &f : *llvmModule) {
    if (f.isDeclaration())
      continue;
    f.addFnAttr("target-cpu", tm.getTargetCPU());
    f.addFnAttr("target-features", tm.getTargetFeatureString());
  }

  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = optLevel == 0   ? llvm::OptimizationLevel::O0
                                  : optLevel == 1 ? llvm::OptimizationLevel::O1
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm = optLevel == 0
                                    ? pb.buildO0DefaultPipeline(level)
                                    : pb.buildPerModuleDefaultPipeline(level);
  mpm.run(*llvmModule, mam);
  return llvmModule;
}

LogicalResult mlir::kiln::emitCode(llvm::Module &module, llvm::TargetMachine &tm,
                                   CodeKind kind, llvm::raw_pwrite_stream &os,
                                   std::string &error) {
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr,
                             kind == CodeKind::Object
                                 ? llvm::CodeGenFileType::ObjectFile
                                 : llvm::CodeGenFileType::AssemblyFile)) {
    error = "the target cannot emit this file type";
    return failure();
  }
  pm.run(module);
  return success();
}

//===----------------------------------------------------------------------===//
// C header
//===----------------------------------------------------------------------===//

static std::string cType(const TensorSpec &spec) {
  StringRef t = spec.elementType;
  if (t == "f32")
    return "float";
  if (t == "f64")
    return "double";
  if (t == "i1")
    return "uint8_t"; // one byte per element
  if (t == "f16" || t == "bf16")
    return "uint16_t"; // raw bits
  return "int" + t.drop_front().str() + "_t";
}

static std::string descriptorType(size_t rank) {
  return "kiln_memref" + std::to_string(rank) + "_t";
}

void mlir::kiln::emitCHeader(ArrayRef<EntryPoint> entries, StringRef guard,
                             llvm::raw_ostream &os) {
  std::string prefix = guard.lower();
  std::string macro = guard.upper() + "_H";
  os << "/* Generated by kiln-compile. Do not edit.\n"
        " *\n"
        " * Kiln AOT ABI: each entry point takes a pointer and all dims of\n"
        " * every input (row-major, contiguous), then a caller-allocated\n"
        " * buffer and all dims of every output. It returns 0 on success and\n"
        " * nonzero when a shape does not match; "
     << prefix
     << "_last_error() then\n"
        " * says which. Link with the object file from the same\n"
        " * kiln-compile run and with libc (malloc/free) and libm.\n"
        " */\n";
  os << "#ifndef " << macro << "\n#define " << macro << "\n\n";
  os << "#include <stdint.h>\n#include <stdio.h>\n#include <stdlib.h>\n"
        "#include <string.h>\n\n";
  os << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";

  std::set<size_t> ranks;
  for (const EntryPoint &e : entries) {
    for (const TensorSpec &s : e.inputs)
      ranks.insert(s.shape.size());
    for (const TensorSpec &s : e.results)
      ranks.insert(s.shape.size());
  }
  os << "/* MLIR memref descriptors (internal). */\n";
  for (size_t r : ranks) {
    os << "#ifndef KILN_MEMREF" << r << "_DEFINED\n#define KILN_MEMREF" << r
       << "_DEFINED\n";
    os << "typedef struct { void *allocated; void *aligned; int64_t offset;";
    if (r)
      os << " int64_t sizes[" << r << "]; int64_t strides[" << r << "];";
    os << " } " << descriptorType(r) << ";\n#endif\n";
  }
  os << "\nstatic char " << prefix << "_error_message[512];\n";
  os << "/** The message of the last failed call, or \"\". */\n";
  os << "static inline const char *" << prefix << "_last_error(void) {\n"
     << "  return " << prefix << "_error_message;\n}\n\n";

  for (const EntryPoint &e : entries) {
    // The C interface the object file exports.
    std::string resultStruct = prefix + "_" + e.name + "_results_t";
    if (e.results.size() > 1) {
      os << "typedef struct {";
      for (auto [i, r] : llvm::enumerate(e.results))
        os << " " << descriptorType(r.shape.size()) << " r" << i << ";";
      os << " } " << resultStruct << ";\n";
    }
    os << "void _mlir_ciface_" << e.name << "(";
    SmallVector<std::string> params;
    if (e.results.size() == 1)
      params.push_back(descriptorType(e.results[0].shape.size()) + " *");
    else if (e.results.size() > 1)
      params.push_back(resultStruct + " *");
    for (const TensorSpec &in : e.inputs)
      params.push_back(descriptorType(in.shape.size()) + " *");
    os << (params.empty() ? "void" : llvm::join(params, ", ")) << ");\n\n";

    // The documented entry point.
    os << "/** " << e.name << ":";
    for (const TensorSpec &s : e.inputs) {
      os << " " << s.name << " " << s.elementType << "[";
      llvm::interleave(s.shape, os, [&](int64_t d) {
        if (ShapedType::isDynamic(d)) os << "?"; else os << d; }, "x");
      os << "]";
    }
    os << " ->";
    for (const TensorSpec &s : e.results) {
      os << " " << s.name << " " << s.elementType << "[";
      llvm::interleave(s.shape, os, [&](int64_t d) {
        if (ShapedType::isDynamic(d)) os << "?"; else os << d; }, "x");
      os << "]";
    }
    os << " */\n";
    os << "static inline int " << prefix << "_" << e.name << "(";
    SmallVector<std::string> args;
    for (const TensorSpec &s : e.inputs) {
      args.push_back("const " + cType(s) + " *" + s.name);
      for (size_t d = 0; d < s.shape.size(); ++d)
        args.push_back("int64_t " + s.name + "_d" + std::to_string(d));
    }
    for (const TensorSpec &s : e.results) {
      args.push_back(cType(s) + " *" + s.name);
      for (size_t d = 0; d < s.shape.size(); ++d)
        args.push_back("int64_t " + s.name + "_d" + std::to_string(d));
    }
    os << (args.empty() ? "void" : llvm::join(args, ", ")) << ") {\n";
    auto fail = [&](StringRef fmt, StringRef values) {
      os << "    snprintf(" << prefix << "_error_message, sizeof(" << prefix
         << "_error_message), \"" << e.name << ": " << fmt << "\"" << values
         << ");\n    return 1;\n";
    };
    os << "  " << prefix << "_error_message[0] = 0;\n";
    // Static dims and non-negative dynamic dims.
    for (const TensorSpec &s : e.inputs) {
      for (auto [d, size] : llvm::enumerate(s.shape)) {
        std::string var = s.name + "_d" + std::to_string(d);
        if (ShapedType::isDynamic(size)) {
          os << "  if (" << var << " < 0) {\n";
          fail("input " + s.name + " dim " + std::to_string(d) +
                   " is %lld, expected >= 0",
               ", (long long)" + var);
        } else {
          os << "  if (" << var << " != " << size << ") {\n";
          fail("input " + s.name + " dim " + std::to_string(d) +
                   " is %lld, expected " + std::to_string(size),
               ", (long long)" + var);
        }
        os << "  }\n";
      }
    }
    for (const DimConstraint &c : e.constraints) {
      std::string var =
          e.inputs[c.input].name + "_d" + std::to_string(c.dim);
      if (c.equalsConstant) {
        os << "  if (" << var << " != " << *c.equalsConstant << ") {\n";
        fail("input " + e.inputs[c.input].name + " dim " +
                 std::to_string(c.dim) + " is %lld, but the model needs " +
                 std::to_string(*c.equalsConstant),
             ", (long long)" + var);
      } else {
        auto [oi, od] = *c.equalsInputDim;
        std::string other = e.inputs[oi].name + "_d" + std::to_string(od);
        os << "  if (" << var << " != " << other << ") {\n";
        fail("input " + e.inputs[c.input].name + " dim " +
                 std::to_string(c.dim) + " is %lld but input " +
                 e.inputs[oi].name + " dim " + std::to_string(od) +
                 " is %lld; the model needs them equal",
             ", (long long)" + var + ", (long long)" + other);
      }
      os << "  }\n";
    }
    // Descriptors for the inputs (contiguous, row-major).
    for (const TensorSpec &s : e.inputs) {
      size_t r = s.shape.size();
      os << "  " << descriptorType(r) << " " << s.name << "_m = {(void *)"
         << s.name << ", (void *)" << s.name << ", 0";
      if (r) {
        os << ", {";
        for (size_t d = 0; d < r; ++d)
          os << (d ? ", " : "") << s.name << "_d" << d;
        os << "}, {";
        for (size_t d = 0; d < r; ++d) {
          os << (d ? ", " : "");
          if (d + 1 == r)
            os << "1";
          for (size_t k = d + 1; k < r; ++k)
            os << (k > d + 1 ? " * " : "") << s.name << "_d" << k;
        }
        os << "}";
      }
      os << "};\n";
    }
    os << "  ";
    SmallVector<std::string> callArgs;
    if (e.results.size() == 1) {
      os << descriptorType(e.results[0].shape.size()) << " res;\n";
      os << "  " << descriptorType(e.results[0].shape.size()) << " *r0 = &res;\n";
      callArgs.push_back("&res");
    } else if (e.results.size() > 1) {
      os << resultStruct << " res;\n";
      for (size_t i = 0; i < e.results.size(); ++i)
        os << "  " << descriptorType(e.results[i].shape.size()) << " *r" << i
           << " = &res.r" << i << ";\n";
      callArgs.push_back("&res");
    } else {
      os << "/* no results */\n";
    }
    for (const TensorSpec &s : e.inputs)
      callArgs.push_back("&" + s.name + "_m");
    os << "  _mlir_ciface_" << e.name << "(" << llvm::join(callArgs, ", ")
       << ");\n";
    // Check output dims, copy into the caller's buffers, free Kiln's.
    os << "  int status = 0;\n";
    for (auto [i, s] : llvm::enumerate(e.results)) {
      std::string ri = "r" + std::to_string(i);
      for (size_t d = 0; d < s.shape.size(); ++d) {
        std::string var = s.name + "_d" + std::to_string(d);
        os << "  if (status == 0 && " << ri << "->sizes[" << d << "] != " << var
           << ") {\n    snprintf(" << prefix << "_error_message, sizeof("
           << prefix << "_error_message), \"" << e.name << ": output "
           << s.name << " dim " << d
           << " is %lld, but the buffer passed has %lld\", (long long)" << ri
           << "->sizes[" << d << "], (long long)" << var
           << ");\n    status = 2;\n  }\n";
      }
    }
    for (auto [i, s] : llvm::enumerate(e.results)) {
      std::string ri = "r" + std::to_string(i);
      os << "  if (status == 0) {\n    size_t n = 1;\n";
      for (size_t d = 0; d < s.shape.size(); ++d)
        os << "    n *= (size_t)" << ri << "->sizes[" << d << "];\n";
      os << "    memcpy(" << s.name << ", (const " << cType(s) << " *)" << ri
         << "->aligned + " << ri << "->offset, n * sizeof(" << cType(s)
         << "));\n  }\n";
      os << "  free(" << ri << "->allocated);\n";
    }
    os << "  return status;\n}\n\n";
  }
  os << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << macro << " */\n";
}
