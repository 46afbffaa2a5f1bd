// A clean compile prints nothing on stderr: from .onnx, from the .mlir that
// kiln-import writes (whose kiln.name attributes once drew a warning per
// function), and from hand-written MLIR.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %inputs/make_models.py conv_bn %t/m.onnx
// RUN: kiln-compile %t/m.onnx -o %t/a.o --emit-header=%t/a.h 2> %t/a.err
// RUN: kiln-import %t/m.onnx -o %t/m.mlir 2> %t/b.err
// RUN: kiln-compile %t/m.mlir -o %t/c.o --emit-header=%t/c.h 2> %t/c.err
// RUN: kiln-compile %s -o %t/d.o --emit-header=%t/d.h 2> %t/d.err
// RUN: kiln-run %t/m.mlir --input-shape 1x3x8x8 > /dev/null 2> %t/e.err
// RUN: kiln-compile %s --emit=llvm-ir -o /dev/null 2> %t/f.err
// RUN: cat %t/a.err %t/b.err %t/c.err %t/d.err %t/e.err %t/f.err | count 0
func.func @f(%x: tensor<4xf32> {kiln.name = "x"}) -> (tensor<4xf32> {kiln.name = "y"}) {
  %0 = kiln.relu %x : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
