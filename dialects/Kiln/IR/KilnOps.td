//===- KilnOps.td - Kiln dialect operations ----------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_KILNOPS_TD
#define KILN_IR_KILNOPS_TD

include "Kiln/IR/KilnBase.td"
include "Kiln/IR/KilnInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

//===----------------------------------------------------------------------===//
// Base classes
//===----------------------------------------------------------------------===//

class Kiln_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kiln_Dialect, mnemonic, traits>;

// Result types may be refined beyond what inference gives (a `?` dim may be
// static in the result), but never contradict it.
defvar KilnCompatibleReturnTypes = [{
  bool $cppClass::isCompatibleReturnTypes(::mlir::TypeRange l,
                                          ::mlir::TypeRange r) {
    return ::mlir::kiln::areCompatibleReturnTypes(l, r);
  }
}];

// An op whose single result type is inferred by a hand-written
// `inferReturnTypes`, which also diagnoses malformed shapes and attributes.
class Kiln_InferOp<string mnemonic, list<Trait> traits = []>
    : Kiln_Op<mnemonic, traits # [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let extraClassDefinition = KilnCompatibleReturnTypes;
}

// Elementwise unary op: the result has the operand's type.
class Kiln_UnaryOp<string mnemonic, Type tensorType, list<Trait> traits = []>
    : Kiln_Op<mnemonic, traits # [Pure, InferTypeOpAdaptorWithIsCompatible,
                                  SameOperandsAndResultElementType,
                                  Kiln_SameShapeDimEqualities]> {
  let arguments = (ins tensorType:$input);
  let results = (outs tensorType:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = KilnCompatibleReturnTypes # [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location>,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      types.push_back(adaptor.getInput().getType());
      return ::mlir::success();
    }
  }];
}

// Elementwise binary op with numpy-style broadcasting.
class Kiln_BinaryOp<string mnemonic, Type tensorType, list<Trait> traits = []>
    : Kiln_Op<mnemonic, traits # [Pure, InferTypeOpAdaptorWithIsCompatible,
                                  SameOperandsAndResultElementType,
                                  Kiln_BroadcastDimEqualities]> {
  let arguments = (ins tensorType:$lhs, tensorType:$rhs);
  let results = (outs tensorType:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let extraClassDefinition = KilnCompatibleReturnTypes # [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::mlir::kiln::inferBroadcastResult(
          loc, getOperationName(),
          {adaptor.getLhs().getType(), adaptor.getRhs().getType()},
          /*elementType=*/nullptr, types);
    }
  }];
}

//===----------------------------------------------------------------------===//
// Structural ops
//===----------------------------------------------------------------------===//

def Kiln_ConstantOp : Kiln_Op<"constant",
    [ConstantLike, Pure, InferTypeOpAdaptor]> {
  let summary = "tensor constant, such as a frozen weight";
  let description = [{
    Produces a tensor from `dense` or `dense_resource` elements. Large frozen
    weights use `dense_resource`, which keeps the blob out of the textual IR
    and lets later passes pack or pre-transpose weights at compile time.

    ```mlir
    %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
    %big = kiln.constant dense_resource<conv1_weight> : tensor<64x3x7x7xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

def Kiln_ReshapeOp : Kiln_InferOp<"reshape",
    [DeclareOpInterfaceMethods<DimEqualityOpInterface>]> {
  let summary = "reinterpret a tensor with a new shape";
  let description = [{
    Returns the elements of `input`, in row-major order, with the shape given
    by `shape`. An entry of `-1` (at most one) is inferred from the element
    count, and an entry of `0` copies the input dim at the same index, as in
    ONNX `Reshape`. Other entries must be positive; `kiln.reshape` never
    produces zero-size dims. Dynamic input dims give dynamic result dims where
    the count cannot be derived statically.

    ```mlir
    %r = kiln.reshape %x [0, -1] : (tensor<?x4x4xf32>) -> tensor<?x16xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat =
      "$input $shape attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Kiln_TransposeOp : Kiln_InferOp<"transpose",
    [DeclareOpInterfaceMethods<DimEqualityOpInterface>]> {
  let summary = "permute the dims of a tensor";
  let description = [{
    Result dim `i` is input dim `perm[i]`. `perm` must be a permutation of
    `[0, rank)`.

    ```mlir
    %t = kiln.transpose %x [0, 2, 3, 1]
        : (tensor<1x3x8x8xf32>) -> tensor<1x8x8x3xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat =
      "$input $perm attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Kiln_ConcatOp : Kiln_InferOp<"concat", [SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<DimEqualityOpInterface>]> {
  let summary = "concatenate tensors along an axis";
  let description = [{
    Joins one or more tensors of equal rank along `axis` (negative values
    count from the end). All other dims must agree.

    ```mlir
    %c = kiln.concat %a, %b {axis = 1 : i64}
        : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
    ```
  }];
  let arguments = (ins Variadic<Kiln_AnyTensor>:$inputs, I64Attr:$axis);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat =
      "$inputs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Kiln_SliceOp : Kiln_InferOp<"slice",
    [DeclareOpInterfaceMethods<DimEqualityOpInterface>]> {
  let summary = "strided slice with numpy index semantics";
  let description = [{
    Takes `input[starts[i]:ends[i]:steps[i]]` along every dim `i`. Negative
    starts and ends count from the end of the dim, and out-of-range values
    are clamped, as in numpy and ONNX `Slice`; so `ends = 9223372036854775807`
    means "to the end". Steps must be positive.

    ```mlir
    %s = kiln.slice %x {starts = array<i64: 0, 1>, ends = array<i64: 4, -1>,
                        steps = array<i64: 2, 1>}
        : (tensor<4x8xf32>) -> tensor<2x6xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, DenseI64ArrayAttr:$starts,
                   DenseI64ArrayAttr:$ends, DenseI64ArrayAttr:$steps);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Kiln_PadOp : Kiln_InferOp<"pad", [SameOperandsAndResultElementType]> {
  let summary = "pad a tensor with a constant value";
  let description = [{
    Adds `low[i]` elements before and `high[i]` elements after dim `i`, all
    equal to `value`. Padding amounts are non-negative.

    ```mlir
    %p = kiln.pad %x {low = array<i64: 0, 1>, high = array<i64: 0, 2>,
                      value = 0.0 : f64}
        : (tensor<2x3xf32>) -> tensor<2x6xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input, DenseI64ArrayAttr:$low,
                   DenseI64ArrayAttr:$high,
                   DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Kiln_GatherOp : Kiln_InferOp<"gather",
    [DeclareOpInterfaceMethods<DimEqualityOpInterface>]> {
  let summary = "gather slices along an axis (embedding lookup)";
  let description = [{
    Picks the slices of `data` along `axis` named by `indices`, as in
    `numpy.take` and ONNX `Gather`. The result shape is
    `data.shape[:axis] + indices.shape + data.shape[axis+1:]`. Negative
    indices count from the end of the dim.

    ```mlir
    %e = kiln.gather %table, %ids {axis = 0 : i64}
        : (tensor<30522x768xf32>, tensor<?x128xi64>) -> tensor<?x128x768xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$data, Kiln_IndexTensor:$indices,
                   DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat =
      "$data `,` $indices attr-dict `:` functional-type(operands, results)";
}

def Kiln_BroadcastToOp : Kiln_InferOp<"broadcast_to",
    [Kiln_BroadcastDimEqualities]> {
  let summary = "broadcast a tensor to a shape";
  let description = [{
    Broadcasts `input` against `shape` with numpy rules, as ONNX `Expand`
    does: the result shape is the broadcast of the input shape and `shape`,
    so an entry of `1` in `shape` keeps the input's dim (static or dynamic).
    Entries must be positive.

    ```mlir
    %b = kiln.broadcast_to %x [1, 128, 768]
        : (tensor<?x1x768xf32>) -> tensor<?x128x768xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat =
      "$input $shape attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Kiln_CastOp : Kiln_Op<"cast", [Pure, Kiln_SameShapeDimEqualities]> {
  let summary = "convert the element type of a tensor";
  let description = [{
    Converts each element to the result's element type. Floats convert to
    integers by rounding toward zero, integers are treated as signed, and
    `i1` converts as 0/1. The shapes of operand and result must agree.

    ```mlir
    %c = kiln.cast %x : (tensor<4x?xi64>) -> tensor<4x?xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

def Kiln_AddOp : Kiln_BinaryOp<"add", Kiln_NumericTensor, [Commutative]> {
  let summary = "elementwise addition with broadcasting";
  let description = [{
    ```mlir
    %r = kiln.add %a, %b : (tensor<?x768xf32>, tensor<768xf32>) -> tensor<?x768xf32>
    ```
  }];
}
def Kiln_SubOp : Kiln_BinaryOp<"sub", Kiln_NumericTensor> {
  let summary = "elementwise subtraction with broadcasting";
  let description = [{
    ```mlir
    %r = kiln.sub %a, %b : (tensor<4x1xf32>, tensor<1x5xf32>) -> tensor<4x5xf32>
    ```
  }];
}
def Kiln_MulOp : Kiln_BinaryOp<"mul", Kiln_NumericTensor, [Commutative]> {
  let summary = "elementwise multiplication with broadcasting";
  let description = [{
    ```mlir
    %r = kiln.mul %a, %b : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
    ```
  }];
}
def Kiln_DivOp : Kiln_BinaryOp<"div", Kiln_NumericTensor> {
  let summary = "elementwise division with broadcasting";
  let description = [{
    Integer division rounds toward zero.

    ```mlir
    %r = kiln.div %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    ```
  }];
}
def Kiln_MaxOp : Kiln_BinaryOp<"max", Kiln_NumericTensor, [Commutative]> {
  let summary = "elementwise maximum with broadcasting";
  let description = [{
    NaN in either operand gives NaN.

    ```mlir
    %r = kiln.max %a, %b : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    ```
  }];
}
def Kiln_MinOp : Kiln_BinaryOp<"min", Kiln_NumericTensor, [Commutative]> {
  let summary = "elementwise minimum with broadcasting";
  let description = [{
    NaN in either operand gives NaN.

    ```mlir
    %r = kiln.min %a, %b : (tensor<8xi32>, tensor<8xi32>) -> tensor<8xi32>
    ```
  }];
}
def Kiln_PowOp : Kiln_BinaryOp<"pow", Kiln_FloatTensor> {
  let summary = "elementwise power with broadcasting";
  let description = [{
    ```mlir
    %r = kiln.pow %a, %b : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    ```
  }];
}

def Kiln_ModOp : Kiln_BinaryOp<"mod", Kiln_NumericTensor> {
  let summary = "elementwise floored remainder with broadcasting";
  let description = [{
    `lhs - rhs * floor(lhs / rhs)`: the result has the sign of `rhs`, as
    numpy's `%` and ONNX `Mod` with `fmod = 0`. For integers, a remainder
    by zero is 0 (no trap); for floats it is NaN.

    ```mlir
    %r = kiln.mod %a, %b : (tensor<4xi32>, tensor<i32>) -> tensor<4xi32>
    ```
  }];
}
def Kiln_FmodOp : Kiln_BinaryOp<"fmod", Kiln_NumericTensor> {
  let summary = "elementwise truncated remainder with broadcasting";
  let description = [{
    C's `fmod`: `lhs - rhs * trunc(lhs / rhs)`, with the sign of `lhs`, as
    ONNX `Mod` with `fmod = 1`. For integers, a remainder by zero is 0 (no
    trap); for floats it is NaN.

    ```mlir
    %r = kiln.fmod %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
}

def Kiln_ShiftLeftOp : Kiln_BinaryOp<"shift_left", Kiln_IntegerTensor> {
  let summary = "elementwise left shift of integers with broadcasting";
  let description = [{
    `lhs << rhs`, as ONNX `BitShift` with `direction = "LEFT"`. A shift by
    the bit width or more (or by a negative amount) gives 0.

    ```mlir
    %r = kiln.shift_left %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
    ```
  }];
}

def Kiln_ShiftRightOp : Kiln_BinaryOp<"shift_right", Kiln_IntegerTensor> {
  let summary = "elementwise right shift of integers with broadcasting";
  let description = [{
    `lhs >> rhs`: logical for unsigned integers (ONNX `BitShift` with
    `direction = "RIGHT"`), arithmetic for signless (signed) ones. A shift
    by the bit width or more gives 0, or -1 for a negative signed `lhs`.

    ```mlir
    %r = kiln.shift_right %a, %b : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
    ```
  }];
}

def Kiln_NegOp : Kiln_UnaryOp<"neg", Kiln_NumericTensor> {
  let summary = "elementwise negation";
  let description = [{
    ```mlir
    %r = kiln.neg %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
    ```
  }];
  let hasFolder = 1;
}
def Kiln_AbsOp : Kiln_UnaryOp<"abs", Kiln_NumericTensor> {
  let summary = "elementwise absolute value";
  let description = [{
    ```mlir
    %r = kiln.abs %x : (tensor<4xi32>) -> tensor<4xi32>
    ```
  }];
  let hasFolder = 1;
}
def Kiln_ExpOp : Kiln_UnaryOp<"exp", Kiln_FloatTensor> {
  let summary = "elementwise natural exponential";
  let description = [{
    ```mlir
    %r = kiln.exp %x : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let hasFolder = 1;
}
def Kiln_LogOp : Kiln_UnaryOp<"log", Kiln_FloatTensor> {
  let summary = "elementwise natural logarithm";
  let description = [{
    ```mlir
    %r = kiln.log %x : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let hasFolder = 1;
}
def Kiln_SqrtOp : Kiln_UnaryOp<"sqrt", Kiln_FloatTensor> {
  let summary = "elementwise square root";
  let description = [{
    ```mlir
    %r = kiln.sqrt %x : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let hasFolder = 1;
}
def Kiln_RsqrtOp : Kiln_UnaryOp<"rsqrt", Kiln_FloatTensor> {
  let summary = "elementwise reciprocal square root";
  let description = [{
    ```mlir
    %r = kiln.rsqrt %x : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let hasFolder = 1;
}
def Kiln_TanhOp : Kiln_UnaryOp<"tanh", Kiln_FloatTensor> {
  let summary = "elementwise hyperbolic tangent";
  let description = [{
    ```mlir
    %r = kiln.tanh %x : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let hasFolder = 1;
}
def Kiln_SigmoidOp : Kiln_UnaryOp<"sigmoid", Kiln_FloatTensor> {
  let summary = "elementwise logistic sigmoid 1 / (1 + exp(-x))";
  let description = [{
    ```mlir
    %r = kiln.sigmoid %x : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let hasFolder = 1;
}
def Kiln_ReluOp : Kiln_UnaryOp<"relu", Kiln_NumericTensor> {
  let summary = "elementwise max(x, 0)";
  let description = [{
    ```mlir
    %r = kiln.relu %x : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
    ```
  }];
  let hasFolder = 1;
}
def Kiln_ErfOp : Kiln_UnaryOp<"erf", Kiln_FloatTensor> {
  let summary = "elementwise Gauss error function";
  let description = [{
    ```mlir
    %r = kiln.erf %x : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let hasFolder = 1;
}

def Kiln_FloorOp : Kiln_UnaryOp<"floor", Kiln_FloatTensor> {
  let summary = "elementwise floor (rounding toward negative infinity)";
  let description = [{
    ```mlir
    %r = kiln.floor %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
    ```
  }];
  let hasFolder = 1;
}
def Kiln_CeilOp : Kiln_UnaryOp<"ceil", Kiln_FloatTensor> {
  let summary = "elementwise ceiling (rounding toward positive infinity)";
  let description = [{
    ```mlir
    %r = kiln.ceil %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
    ```
  }];
  let hasFolder = 1;
}
def Kiln_RoundOp : Kiln_UnaryOp<"round", Kiln_FloatTensor> {
  let summary = "elementwise rounding to the nearest integer, ties to even";
  let description = [{
    ```mlir
    %r = kiln.round %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
    ```
  }];
  let hasFolder = 1;
}
def Kiln_SinOp : Kiln_UnaryOp<"sin", Kiln_FloatTensor> {
  let summary = "elementwise sine";
  let description = [{
    ```mlir
    %r = kiln.sin %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
    ```
  }];
  let hasFolder = 1;
}
def Kiln_CosOp : Kiln_UnaryOp<"cos", Kiln_FloatTensor> {
  let summary = "elementwise cosine";
  let description = [{
    ```mlir
    %r = kiln.cos %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
    ```
  }];
  let hasFolder = 1;
}
def Kiln_TanOp : Kiln_UnaryOp<"tan", Kiln_FloatTensor> {
  let summary = "elementwise tangent";
  let description = [{
    ```mlir
    %r = kiln.tan %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
    ```
  }];
  let hasFolder = 1;
}
def Kiln_AsinOp : Kiln_UnaryOp<"asin", Kiln_FloatTensor> {
  let summary = "elementwise arcsine";
  let description = [{
    ```mlir
    %r = kiln.asin %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
    ```
  }];
  let hasFolder = 1;
}
def Kiln_AcosOp : Kiln_UnaryOp<"acos", Kiln_FloatTensor> {
  let summary = "elementwise arccosine";
  let description = [{
    ```mlir
    %r = kiln.acos %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
    ```
  }];
  let hasFolder = 1;
}
def Kiln_AtanOp : Kiln_UnaryOp<"atan", Kiln_FloatTensor> {
  let summary = "elementwise arctangent";
  let description = [{
    ```mlir
    %r = kiln.atan %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
    ```
  }];
  let hasFolder = 1;
}
def Kiln_SinhOp : Kiln_UnaryOp<"sinh", Kiln_FloatTensor> {
  let summary = "elementwise hyperbolic sine";
  let description = [{
    ```mlir
    %r = kiln.sinh %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
    ```
  }];
  let hasFolder = 1;
}
def Kiln_CoshOp : Kiln_UnaryOp<"cosh", Kiln_FloatTensor> {
  let summary = "elementwise hyperbolic cosine";
  let description = [{
    ```mlir
    %r = kiln.cosh %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
    ```
  }];
  let hasFolder = 1;
}
def Kiln_AsinhOp : Kiln_UnaryOp<"asinh", Kiln_FloatTensor> {
  let summary = "elementwise inverse hyperbolic sine";
  let description = [{
    ```mlir
    %r = kiln.asinh %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
    ```
  }];
  let hasFolder = 1;
}
def Kiln_AcoshOp : Kiln_UnaryOp<"acosh", Kiln_FloatTensor> {
  let summary = "elementwise inverse hyperbolic cosine";
  let description = [{
    ```mlir
    %r = kiln.acosh %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
    ```
  }];
  let hasFolder = 1;
}
def Kiln_AtanhOp : Kiln_UnaryOp<"atanh", Kiln_FloatTensor> {
  let summary = "elementwise inverse hyperbolic tangent";
  let description = [{
    ```mlir
    %r = kiln.atanh %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
    ```
  }];
  let hasFolder = 1;
}

def Kiln_ClampOp : Kiln_InferOp<"clamp", [SameOperandsAndResultElementType,
    Kiln_SameShapeDimEqualities]> {
  let summary = "elementwise clamp to [min, max] (relu6 is clamp 0, 6)";
  let description = [{
    Clamps every element into `[min, max]`; `min <= max` is required. For
    integer tensors the bounds must be integral.

    ```mlir
    %r = kiln.clamp %x {min = 0.0 : f64, max = 6.0 : f64}
        : (tensor<1x32x112x112xf32>) -> tensor<1x32x112x112xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input, F64Attr:$min, F64Attr:$max);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Kiln_GeluOp : Kiln_InferOp<"gelu", [SameOperandsAndResultElementType,
    Kiln_SameShapeDimEqualities]> {
  let summary = "Gaussian error linear unit";
  let description = [{
    With `approximation = none`: `0.5 * x * (1 + erf(x / sqrt(2)))`.
    With `approximation = tanh`:
    `0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))`.

    ```mlir
    %r = kiln.gelu %x {approximation = #kiln.gelu_approximation<tanh>}
        : (tensor<?x3072xf32>) -> tensor<?x3072xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input,
      DefaultValuedAttr<Kiln_GeluApproximationAttr,
                        "::mlir::kiln::GeluApproximation::None">:$approximation);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
}

def Kiln_CompareOp : Kiln_InferOp<"compare", [SameOperandsElementType,
    Kiln_BroadcastDimEqualities]> {
  let summary = "elementwise comparison with broadcasting";
  let description = [{
    Compares with `predicate` and gives an `i1` tensor. Integers compare as
    signed; float comparisons are ordered (false when either side is NaN),
    except `ne`, which is unordered.

    ```mlir
    %m = kiln.compare lt, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
    ```
  }];
  let arguments = (ins Kiln_ComparePredicateAttr:$predicate,
                   Kiln_NumericTensor:$lhs, Kiln_NumericTensor:$rhs);
  let results = (outs Kiln_BoolTensor:$result);
  let assemblyFormat = "`` $predicate `,` $lhs `,` $rhs attr-dict `:` "
                       "functional-type(operands, results)";
}

def Kiln_SelectOp : Kiln_InferOp<"select", [Kiln_BroadcastDimEqualities]> {
  let summary = "elementwise choice with broadcasting (numpy.where)";
  let description = [{
    Gives `on_true` where `condition` holds and `on_false` elsewhere. All
    three operands broadcast together.

    ```mlir
    %r = kiln.select %c, %a, %b
        : (tensor<4x1xi1>, tensor<4x5xf32>, tensor<f32>) -> tensor<4x5xf32>
    ```
  }];
  let arguments = (ins Kiln_BoolTensor:$condition, Kiln_AnyTensor:$on_true,
                   Kiln_AnyTensor:$on_false);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat = "$condition `,` $on_true `,` $on_false attr-dict `:` "
                       "functional-type(operands, results)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Kiln_MatmulOp : Kiln_InferOp<"matmul", [SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<DimEqualityOpInterface, ["getBroadcastDims"]>,
    DeclareOpInterfaceMethods<FlopCountOpInterface>]> {
  let summary = "batched matrix multiplication with transpose flags";
  let description = [{
    Multiplies the last two dims of `lhs` and `rhs`; leading (batch) dims
    broadcast with numpy rules. With `transpose_lhs`, `lhs` is `[..., K, M]`
    instead of `[..., M, K]`; with `transpose_rhs`, `rhs` is `[..., N, K]`
    instead of `[..., K, N]`. Both operands have rank 2 or more.

    ```mlir
    %s = kiln.matmul %q, %k {transpose_rhs = true}
        : (tensor<1x12x128x64xf32>, tensor<1x12x128x64xf32>)
        -> tensor<1x12x128x128xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$lhs, Kiln_NumericTensor:$rhs,
                   DefaultValuedAttr<BoolAttr, "false">:$transpose_lhs,
                   DefaultValuedAttr<BoolAttr, "false">:$transpose_rhs);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Kiln_LinearOp : Kiln_InferOp<"linear", [SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<DimEqualityOpInterface>,
    DeclareOpInterfaceMethods<FlopCountOpInterface>]> {
  let summary = "fully connected layer x · Wᵀ + b";
  let description = [{
    `input` is `[..., K]`, `weight` is `[N, K]` (PyTorch `nn.Linear`
    layout) and the optional `bias` is `[N]`. The result is `[..., N]`.

    ```mlir
    %y = kiln.linear %x, %w, %b
        : (tensor<?x128x768xf32>, tensor<3072x768xf32>, tensor<3072xf32>)
        -> tensor<?x128x3072xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input, Kiln_NumericTensor:$weight,
                   Optional<Kiln_NumericTensor>:$bias);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat = "$input `,` $weight (`,` $bias^)? attr-dict `:` "
                       "functional-type(operands, results)";
}

def Kiln_Int8Tensor : RankedTensorOf<[I8, UI8]>;

def Kiln_MatmulIntegerOp : Kiln_InferOp<"matmul_integer", [
    AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<DimEqualityOpInterface>,
    DeclareOpInterfaceMethods<FlopCountOpInterface>]> {
  let summary = "8-bit integer matrix multiplication into i32";
  let description = [{
    `result[..., m, n] = sum_k (lhs[..., m, k] - lhs_zero_point) *
    (rhs[k, n] - rhs_zero_point[n])`, exactly, in i32 (ONNX MatMulInteger).
    `lhs` is `[..., M, K]` and `rhs` is `[K, N]`, or `[N, K]` with
    `transpose_rhs` (the weight layout of `kiln.linear`). Each operand is
    `i8` (signed) or `ui8`. The zero points have their operand's element
    type: `lhs_zero_point` is a scalar (`tensor<i8>` or `tensor<ui8>`),
    `rhs_zero_point` a scalar or one per column (`[N]`); absent ones are 0.

    This is the op int8 quantization lowers to: activations as `ui8` with a
    zero point and weights as symmetric `i8` map onto the `u8 x s8` dot
    products of AVX-512 VNNI (`vpdpbusd`); every other combination takes
    16-bit multiply-adds (`vpmaddwd`) or the portable path.

    ```mlir
    %acc = kiln.matmul_integer %xq, %wq lhs_zero_point(%zp)
        {transpose_rhs = true}
        : (tensor<128x768xui8>, tensor<3072x768xi8>, tensor<ui8>)
        -> tensor<128x3072xi32>
    ```
  }];
  let arguments = (ins Kiln_Int8Tensor:$lhs, Kiln_Int8Tensor:$rhs,
                   Optional<Kiln_Int8Tensor>:$lhs_zero_point,
                   Optional<Kiln_Int8Tensor>:$rhs_zero_point,
                   DefaultValuedAttr<BoolAttr, "false">:$transpose_rhs);
  let results = (outs TensorOf<[I32]>:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`lhs_zero_point` `(` $lhs_zero_point^ `)`)?
    (`rhs_zero_point` `(` $rhs_zero_point^ `)`)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def Kiln_OuterOp : Kiln_InferOp<"outer", [SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<DimEqualityOpInterface>,
    DeclareOpInterfaceMethods<FlopCountOpInterface>]> {
  let summary = "outer product of two vectors";
  let description = [{
    ```mlir
    %o = kiln.outer %a, %b : (tensor<4xf32>, tensor<?xf32>) -> tensor<4x?xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$lhs, Kiln_NumericTensor:$rhs);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Kiln_Conv2DOp : Kiln_InferOp<"conv2d", [SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<DimEqualityOpInterface>,
    DeclareOpInterfaceMethods<FlopCountOpInterface>]> {
  let summary = "2-D convolution, grouped and depthwise included";
  let description = [{
    The `layout` fixes the layouts of input, filter and result:

    | layout | input | filter | result |
    |---|---|---|---|
    | `nchw` | `[N, C, H, W]` | `[F, C/groups, KH, KW]` | `[N, F, OH, OW]` |
    | `nhwc` | `[N, H, W, C]` | `[KH, KW, C/groups, F]` | `[N, OH, OW, F]` |

    `pads` is `[top, left, bottom, right]`. Both `C` and `F` must be
    divisible by `groups`; depthwise convolution is `groups = C`. The
    optional `bias` is `[F]`. The output size is
    `OH = (H + top + bottom - dilation_h * (KH - 1) - 1) / stride_h + 1`.

    ```mlir
    %y = kiln.conv2d %x, %w, %b {strides = array<i64: 2, 2>,
                                 pads = array<i64: 3, 3, 3, 3>}
        : (tensor<?x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>)
        -> tensor<?x64x112x112xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input, Kiln_NumericTensor:$filter,
      Optional<Kiln_NumericTensor>:$bias,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
      DefaultValuedAttr<I64Attr, "1">:$groups,
      DefaultValuedAttr<Kiln_LayoutAttr, "::mlir::kiln::Layout::NCHW">:$layout);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat = "$input `,` $filter (`,` $bias^)? attr-dict `:` "
                       "functional-type(operands, results)";
}

def Kiln_Pool2DOp : Kiln_InferOp<"pool2d", [SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<DimEqualityOpInterface>,
    DeclareOpInterfaceMethods<FlopCountOpInterface>]> {
  let summary = "2-D max or average pooling";
  let description = [{
    Pools `kernel`-sized windows of an `nchw` or `nhwc` tensor. `pads` is
    `[top, left, bottom, right]` and must be smaller than the kernel. With
    `ceil_mode` the output size rounds up, but no window starts in the
    bottom/right padding (the ONNX and PyTorch rule). Average pooling divides
    by the window size including padding when `count_include_pad` is set, and
    by the number of real elements otherwise.

    ```mlir
    %p = kiln.pool2d max %x {kernel = array<i64: 3, 3>,
                             strides = array<i64: 2, 2>,
                             pads = array<i64: 1, 1, 1, 1>}
        : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins Kiln_PoolKindAttr:$kind, Kiln_NumericTensor:$input,
      DenseI64ArrayAttr:$kernel,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
      DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
      DefaultValuedAttr<BoolAttr, "false">:$count_include_pad,
      DefaultValuedAttr<Kiln_LayoutAttr, "::mlir::kiln::Layout::NCHW">:$layout);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat =
      "`` $kind $input attr-dict `:` functional-type(operands, results)";
}

def Kiln_GlobalAvgPoolOp : Kiln_InferOp<"global_avg_pool",
    [SameOperandsAndResultElementType,
     DeclareOpInterfaceMethods<DimEqualityOpInterface>,
     DeclareOpInterfaceMethods<FlopCountOpInterface>]> {
  let summary = "average over the spatial dims, keeping them as size 1";
  let description = [{
    ```mlir
    %g = kiln.global_avg_pool %x : (tensor<?x512x7x7xf32>) -> tensor<?x512x1x1xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input,
      DefaultValuedAttr<Kiln_LayoutAttr, "::mlir::kiln::Layout::NCHW">:$layout);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Normalization and reductions
//===----------------------------------------------------------------------===//

def Kiln_BatchNormOp : Kiln_InferOp<"batch_norm",
    [SameOperandsAndResultElementType,
     DeclareOpInterfaceMethods<DimEqualityOpInterface>]> {
  let summary = "batch normalization in inference mode";
  let description = [{
    `(x - mean) / sqrt(variance + epsilon) * scale + bias`, where the four
    parameters are `[C]` vectors along the channel `axis` (1 for NCHW, -1
    for NHWC).

    ```mlir
    %y = kiln.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 1.0e-05 : f64}
        : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>,
           tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$scale,
      Kiln_FloatTensor:$bias, Kiln_FloatTensor:$mean,
      Kiln_FloatTensor:$variance,
      DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon,
      DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input `,` $scale `,` $bias `,` $mean `,` $variance "
                       "attr-dict `:` functional-type(operands, results)";
}

def Kiln_LayerNormOp : Kiln_InferOp<"layer_norm",
    [SameOperandsAndResultElementType, AttrSizedOperandSegments,
     DeclareOpInterfaceMethods<DimEqualityOpInterface>]> {
  let summary = "layer normalization over the trailing dims from `axis`";
  let description = [{
    Normalizes over dims `[axis, rank)` to zero mean and unit variance (with
    `epsilon` added to the variance), then applies the optional elementwise
    `scale` and `bias`, whose shape is `input.shape[axis:]`.

    ```mlir
    %y = kiln.layer_norm %x scale %g bias %b {axis = -1 : i64}
        : (tensor<?x128x768xf32>, tensor<768xf32>, tensor<768xf32>)
        -> tensor<?x128x768xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input,
      Optional<Kiln_FloatTensor>:$scale, Optional<Kiln_FloatTensor>:$bias,
      DefaultValuedAttr<I64Attr, "-1">:$axis,
      DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input (`scale` $scale^)? (`bias` $bias^)? attr-dict "
                       "`:` functional-type(operands, results)";
}

class Kiln_SoftmaxLikeOp<string mnemonic, string formula>
    : Kiln_InferOp<mnemonic, [SameOperandsAndResultElementType,
                              Kiln_SameShapeDimEqualities]> {
  let summary = formula # " along an axis";
  let description = [{
    Normalizes along `axis` (negative values count from the end), computed
    stably by subtracting the maximum first.

    ```mlir
    %p = kiln.}] # mnemonic # [{ %x {axis = -1 : i64}
        : (tensor<1x12x128x128xf32>) -> tensor<1x12x128x128xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input,
                   DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
}
def Kiln_SoftmaxOp : Kiln_SoftmaxLikeOp<"softmax", "softmax">;
def Kiln_LogSoftmaxOp : Kiln_SoftmaxLikeOp<"log_softmax", "log of softmax">;

class Kiln_ReduceOp<string mnemonic, string what, Type tensorType>
    : Kiln_InferOp<mnemonic, [SameOperandsAndResultElementType,
        DeclareOpInterfaceMethods<DimEqualityOpInterface>]> {
  let summary = "reduce with " # what # " over axes";
  let description = [{
    Reduces over `axes` (negative values count from the end; no repeats). An
    empty `axes` reduces every dim. With `keepdims` the reduced dims stay as
    size 1.

    ```mlir
    %r = kiln.}] # mnemonic # [{ %x {axes = array<i64: -1>, keepdims = true}
        : (tensor<?x128x768xf32>) -> tensor<?x128x1xf32>
    ```
  }];
  let arguments = (ins tensorType:$input,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$axes,
                   DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs tensorType:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
}
def Kiln_ReduceSumOp : Kiln_ReduceOp<"reduce_sum", "sum", Kiln_NumericTensor>;
def Kiln_ReduceMeanOp : Kiln_ReduceOp<"reduce_mean", "mean", Kiln_FloatTensor>;
def Kiln_ReduceMaxOp : Kiln_ReduceOp<"reduce_max", "maximum", Kiln_NumericTensor>;
def Kiln_ReduceMinOp : Kiln_ReduceOp<"reduce_min", "minimum", Kiln_NumericTensor>;
def Kiln_ReduceProdOp : Kiln_ReduceOp<"reduce_prod", "product", Kiln_NumericTensor>;

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def Kiln_QuantizeOp : Kiln_Op<"quantize", [Pure, Kiln_SameShapeDimEqualities]> {
  let summary = "quantize a float tensor to a uniform quantized type";
  let description = [{
    Computes `clamp(round(x / scale) + zero_point)` into the storage type of
    the result's `!quant.uniform` element type, per tensor or per axis. The
    quantized type's expressed type must be the input's element type.

    ```mlir
    %q = kiln.quantize %x : (tensor<4x8xf32>)
        -> tensor<4x8x!quant.uniform<i8:f32, 0.05:-3>>
    %qa = kiln.quantize %w : (tensor<16x8xf32>)
        -> tensor<16x8x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.1, 0.3, 0.1, 0.2,
           0.1, 0.3, 0.1, 0.2, 0.1, 0.3, 0.1, 0.2, 0.1, 0.3}>>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input);
  let results = (outs Kiln_QuantizedTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Kiln_DequantizeOp : Kiln_InferOp<"dequantize",
    [Kiln_SameShapeDimEqualities]> {
  let summary = "dequantize a uniform quantized tensor to its expressed type";
  let description = [{
    Computes `(q - zero_point) * scale` in the quantized type's expressed
    float type.

    ```mlir
    %x = kiln.dequantize %q : (tensor<4x8x!quant.uniform<i8:f32, 0.05:-3>>)
        -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Kiln_QuantizedTensor:$input);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

def Kiln_AttentionOp : Kiln_InferOp<"attention", [
    DeclareOpInterfaceMethods<DimEqualityOpInterface>,
    DeclareOpInterfaceMethods<FlopCountOpInterface>]> {
  let summary = "scaled dot-product attention with an optional mask";
  let description = [{
    `softmax(q · kᵀ * scale + mask) · v` over the last two dims, with `q` as
    `[..., Lq, D]`, `k` as `[..., Lk, D]` and `v` as `[..., Lk, Dv]`. The
    leading dims of the three must agree. `scale` defaults to `1/sqrt(D)`.
    The optional `mask` broadcasts to `[..., Lq, Lk]`; an `i1` mask keeps the
    positions where it is true, and a float mask is added to the scores.
    `is_causal` also masks every key after the query's position.

    Kept as one op so that later passes can fuse it (flash-style) or
    decompose it into matmul, softmax and matmul.

    ```mlir
    %o = kiln.attention %q, %k, %v, %mask
        : (tensor<?x12x128x64xf32>, tensor<?x12x128x64xf32>,
           tensor<?x12x128x64xf32>, tensor<?x1x1x128xi1>)
        -> tensor<?x12x128x64xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$query, Kiln_FloatTensor:$key,
      Kiln_FloatTensor:$value, Optional<Kiln_AnyTensor>:$mask,
      OptionalAttr<F64Attr>:$scale,
      DefaultValuedAttr<BoolAttr, "false">:$is_causal);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$query `,` $key `,` $value (`,` $mask^)? attr-dict `:` "
                       "functional-type(operands, results)";
}

#endif // KILN_IR_KILNOPS_TD
