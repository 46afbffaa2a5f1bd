//===- KilnInterfaces.td - Kiln op interfaces --------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// What the rest of the compiler needs to know about a kiln op, asked of the
// op itself, so that a new op brings that knowledge with it instead of
// needing a case in some tool's switch.
//
// The interfaces carry no `Kiln_` prefix, like upstream's
// (`InferTypeOpInterface`), so that the dialect reference lists every op's
// interfaces by their C++ names.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_KILNINTERFACES_TD
#define KILN_IR_KILNINTERFACES_TD

include "mlir/IR/OpBase.td"

//===----------------------------------------------------------------------===//
// DimEqualityOpInterface
//===----------------------------------------------------------------------===//

def DimEqualityOpInterface : OpInterface<"DimEqualityOpInterface"> {
  let cppNamespace = "::mlir::kiln";
  let description = [{
    An op whose lowering assumes that some dims of its operands and results
    are equal at run time: the dims that broadcast, contract or concatenate
    against each other. The verifier accepts a dynamic dim wherever a static
    one could be, so these equalities are only known to hold once the input
    shapes are. Entry points (`collectEntryPoints`) gather them over a
    function and check them on the inputs before running anything.

    An op without this interface assumes no equalities.
  }];
  let methods = [
    InterfaceMethod<[{
        Calls `unify(a, i, b, j)` for every pair of dims, dim `i` of `a` and
        dim `j` of `b`, that the op assumes equal. `a` and `b` are operands
        or results of the op with ranked tensor types. Only valid on an op
        that verifies.
      }],
      "void", "getDimEqualities", (ins "::mlir::kiln::DimEqualityFn":$unify)>,
    InterfaceMethod<[{
        Calls `broadcast(d, dims)` for every dim `d` of the op's first result
        that is the numpy broadcast of operand dims: `dims` lists them as
        (operand number, dim), leaving out static 1s. The result dim equals
        each of them unless it is 1 at run time. getDimEqualities reports
        these pairs too, as equalities; this tells which of them broadcast.
      }],
      "void", "getBroadcastDims", (ins "::mlir::kiln::BroadcastDimsFn":$broadcast),
      /*methodBody=*/"", /*defaultImplementation=*/[{
        // The BroadcastDimEqualities ops broadcast every dim; the others
        // none, unless they say otherwise.
        if constexpr (ConcreteOp::template hasTrait<
                          ::mlir::kiln::BroadcastDimEqualities>())
          ::mlir::kiln::reportBroadcastDims($_op->getOperands(),
                                            $_op->getResult(0), broadcast);
      }]>,
  ];
}

class Kiln_NativeOpTrait<string name> : NativeOpTrait<name> {
  let cppNamespace = "::mlir::kiln";
}

// An op whose result has the shape of its first operand, dim for dim.
def Kiln_SameShapeDimEqualities : TraitList<[
    Kiln_NativeOpTrait<"SameShapeDimEqualities">,
    DimEqualityOpInterface]>;

// An op whose result is the numpy broadcast of all of its operands.
def Kiln_BroadcastDimEqualities : TraitList<[
    Kiln_NativeOpTrait<"BroadcastDimEqualities">,
    DimEqualityOpInterface]>;

//===----------------------------------------------------------------------===//
// FlopCountOpInterface
//===----------------------------------------------------------------------===//

def FlopCountOpInterface : OpInterface<"FlopCountOpInterface"> {
  let cppNamespace = "::mlir::kiln";
  let description = [{
    An op whose arithmetic cost is worth counting: contractions,
    convolutions, attention and pooling. A multiply-add counts as two
    operations, as in the usual GFLOP/s figures. Ops without the interface
    (elementwise ops, data movement) count as free; `estimateFlops` sums
    the counts over a region.
  }];
  let methods = [
    InterfaceMethod<[{
        The number of floating-point (or integer) operations the op performs,
        or std::nullopt when it depends on a dynamic dim or overflows
        int64_t.
      }],
      "std::optional<int64_t>", "getFlopCount">,
  ];
}

#endif // KILN_IR_KILNINTERFACES_TD
