//===- Passes.td - Kiln target passes ----------------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TARGET_PASSES_TD
#define KILN_TARGET_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnAttachTargetPass : Pass<"kiln-attach-target", "::mlir::ModuleOp"> {
  let summary = "Describe the compilation target in a module attribute";
  let description = [{
    Resolves the target triple, CPU and features (the host's by default) and
    writes them, with the vector width, vector register count and cache sizes
    that codegen sizes its tiles by, as a `kiln.target = #kiln.target<...>`
    module attribute. Codegen passes read that attribute; they never look at
    the machine the compiler runs on.

    A module that already has a `kiln.target` keeps it unless one of the
    options is given. An unknown triple, CPU or feature is an error naming
    it.

    ```mlir
    // kiln-opt --kiln-attach-target="cpu=znver3"
    module attributes {kiln.target = #kiln.target<triple =
        "x86_64-unknown-linux-gnu", cpu = "znver3", features = "",
        vector_bits = 256, vector_registers = 16, l1d_cache = 32768,
        l2_cache = 524288, l3_cache = 33554432>} { ... }
    ```
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect"];
  let options = [
    Option<"triple", "triple", "std::string", /*default=*/"",
           "LLVM target triple (default: the host's)">,
    Option<"cpu", "cpu", "std::string", /*default=*/"",
           "Target CPU (default: the host CPU, or generic when cross-compiling)">,
    Option<"features", "features", "std::string", /*default=*/"",
           "Comma-separated features, e.g. +avx2,+fma (default: the CPU's)">,
  ];
}

#endif // KILN_TARGET_PASSES_TD
