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
// Type constraints
//===----------------------------------------------------------------------===//

def Kiln_QuantizedType : Type<
    CPred<"::llvm::isa<::mlir::quant::UniformQuantizedType, "
          "::mlir::quant::UniformQuantizedPerAxisType>($_self)">,
    "uniform quantized type">;

def Kiln_FloatTensor : RankedTensorOf<[AnyFloat]>;
def Kiln_NumericTensor : RankedTensorOf<[AnyFloat, AnySignlessInteger]>;
def Kiln_BoolTensor : RankedTensorOf<[I1]>;
def Kiln_IndexTensor : RankedTensorOf<[I32, I64]>;
def Kiln_QuantizedTensor : RankedTensorOf<[Kiln_QuantizedType]>;
def Kiln_AnyTensor : RankedTensorOf<[AnyType]>;

#endif // KILN_IR_KILNBASE_TD
