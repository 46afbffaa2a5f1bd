//===- KilnBase.td - Kiln dialect definition ---------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_KILNBASE_TD
#define KILN_IR_KILNBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Kiln_Dialect : Dialect {
  let name = "kiln";
  let cppNamespace = "::mlir::kiln";
  let summary = "Kiln's high-level tensor dialect for ML inference graphs.";
  let description = [{
    The `kiln` dialect models inference graphs of CNNs and transformers at the
    level of ONNX or PyTorch operators. Every op has value semantics on ranked
    tensors whose dims are static or dynamic (`?`). Elementwise ops broadcast
    their operands with numpy rules. Result types are inferred from operands
    and attributes, so builders and importers need not spell them, and the
    verifier rejects every malformed rank, shape, axis, layout and dtype with a
    message that names the problem.

    Frozen model weights are `kiln.constant` ops holding either `dense` or
    `dense_resource` elements. Quantized tensors use the upstream `quant`
    dialect's uniform types.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    /// The module attribute that describes the compilation target
    /// (`#kiln.target<...>`), written before any codegen pass runs.
    static ::llvm::StringRef getTargetAttrName() { return "kiln.target"; }
  }];
}

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Kiln_Layout : I32EnumAttr<"Layout", "data layout of a 2-D image tensor", [
    I32EnumAttrCase<"NCHW", 0, "nchw">,
    I32EnumAttrCase<"NHWC", 1, "nhwc">]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::kiln";
}
def Kiln_LayoutAttr : EnumAttr<Kiln_Dialect, Kiln_Layout, "layout"> {
  let assemblyFormat = "`<` $value `>`";
}

def Kiln_PoolKind : I32EnumAttr<"PoolKind", "pooling reduction", [
    I32EnumAttrCase<"Max", 0, "max">,
    I32EnumAttrCase<"Avg", 1, "avg">]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::kiln";
}
// Printed bare (`max`, `lt`) where an op spells it inline.
def Kiln_PoolKindAttr : EnumAttr<Kiln_Dialect, Kiln_PoolKind, "pool_kind">;

def Kiln_ComparePredicate : I32EnumAttr<"ComparePredicate",
    "elementwise comparison predicate", [
    I32EnumAttrCase<"EQ", 0, "eq">,
    I32EnumAttrCase<"NE", 1, "ne">,
    I32EnumAttrCase<"LT", 2, "lt">,
    I32EnumAttrCase<"LE", 3, "le">,
    I32EnumAttrCase<"GT", 4, "gt">,
    I32EnumAttrCase<"GE", 5, "ge">]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::kiln";
}
// Printed bare (`max`, `lt`) where an op spells it inline.
def Kiln_ComparePredicateAttr
    : EnumAttr<Kiln_Dialect, Kiln_ComparePredicate, "predicate">;

def Kiln_GeluApproximation : I32EnumAttr<"GeluApproximation",
    "GELU formula", [
    I32EnumAttrCase<"None", 0, "none">,
    I32EnumAttrCase<"Tanh", 1, "tanh">]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::kiln";
}
def Kiln_GeluApproximationAttr
    : EnumAttr<Kiln_Dialect, Kiln_GeluApproximation, "gelu_approximation"> {
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

def Kiln_TargetAttr : AttrDef<Kiln_Dialect, "Target"> {
  let mnemonic = "target";
  let summary = "the machine that code is generated for";
  let description = [{
    Describes the compilation target for code generation. Kiln attaches it to
    the module as `kiln.target` before any codegen pass runs
    (`kiln-attach-target`), filled from the host by default or from
    `--target-triple`/`--cpu`/`--features`, so that later passes choose tile
    sizes and instructions from it rather than from the machine they run on.

    - `triple`, `cpu`, `features`: what LLVM is asked to generate code for.
      `features` lists only what differs from the CPU's defaults.
    - `vector_bits`: the widest native vector register (128 for SSE and NEON,
      256 for AVX2, 512 for AVX-512).
    - `vector_registers`: how many such registers there are (16 on AVX2, 32 on
      AVX-512 and AArch64).
    - `l1d_cache`, `l2_cache`, `l3_cache`: cache sizes in bytes, per core for
      L1/L2, where known.

    ```mlir
    module attributes {kiln.target = #kiln.target<
        triple = "x86_64-unknown-linux-gnu", cpu = "znver3", features = "",
        vector_bits = 256, vector_registers = 16, l1d_cache = 32768,
        l2_cache = 524288, l3_cache = 33554432>} {
    }
    ```
  }];
  let parameters = (ins
    StringRefParameter<"LLVM target triple">:$triple,
    StringRefParameter<"LLVM CPU name">:$cpu,
    StringRefParameter<"LLVM features beyond the CPU's, e.g. +avx512f">:$features,
    "int64_t":$vector_bits,
    "int64_t":$vector_registers,
    OptionalParameter<"std::optional<int64_t>">:$l1d_cache,
    OptionalParameter<"std::optional<int64_t>">:$l2_cache,
    OptionalParameter<"std::optional<int64_t>">:$l3_cache
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The widest vector of `elementBits`-bit elements the target holds in
    /// one register.
    int64_t getVectorLanes(int64_t elementBits) const {
      return getVectorBits() / elementBits;
    }
    /// The target of the module enclosing `op`, or null.
    static TargetAttr lookup(::mlir::Operation *op);
  }];
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Kiln_QuantizedType : Type<
    CPred<"::llvm::isa<::mlir::quant::UniformQuantizedType, "
          "::mlir::quant::UniformQuantizedPerAxisType>($_self)">,
    "uniform quantized type">;

def Kiln_FloatTensor : RankedTensorOf<[AnyFloat]>;
def Kiln_NumericTensor : RankedTensorOf<[AnyFloat, AnySignlessInteger,
                                         AnyUnsignedInteger]>;
def Kiln_IntegerTensor : RankedTensorOf<[AnySignlessInteger,
                                         AnyUnsignedInteger]>;
def Kiln_BoolTensor : RankedTensorOf<[I1]>;
def Kiln_IndexTensor : RankedTensorOf<[I32, I64]>;
def Kiln_QuantizedTensor : RankedTensorOf<[Kiln_QuantizedType]>;
def Kiln_AnyTensor : RankedTensorOf<[AnyType]>;

#endif // KILN_IR_KILNBASE_TD
