// --prefix must be a C identifier that is not a keyword and does not start
// with _mlir; kiln-compile says so before doing anything, and writes nothing.
// RUN: rm -rf %t && mkdir -p %t
// RUN: not kiln-compile %s --prefix=my.model -o %t/m.o --emit-header=%t/m.h 2>&1 | FileCheck %s --check-prefix=DOT
// RUN: not test -e %t/m.o
// RUN: not test -e %t/m.h
// RUN: not kiln-compile %s --prefix= -o %t/m.o 2>&1 | FileCheck %s --check-prefix=EMPTY
// RUN: not kiln-compile %s --prefix=2model -o %t/m.o 2>&1 | FileCheck %s --check-prefix=DIGIT
// RUN: not kiln-compile %s --prefix=double -o %t/m.o 2>&1 | FileCheck %s --check-prefix=KEYWORD
// RUN: not kiln-compile %s --prefix=class -o %t/m.o 2>&1 | FileCheck %s --check-prefix=CXX
// RUN: not kiln-compile %s --prefix=_mlir_ciface -o %t/m.o 2>&1 | FileCheck %s --check-prefix=MLIR
// RUN: not kiln-compile %s --header-prefix=m -o %t/m.o 2>&1 | FileCheck %s --check-prefix=OLD

// DOT: kiln-compile: error: invalid symbol prefix 'my.model': it must be a C identifier ([A-Za-z_][A-Za-z0-9_]*)
// EMPTY: kiln-compile: error: invalid symbol prefix '': it must not be empty
// DIGIT: kiln-compile: error: invalid symbol prefix '2model': it must be a C identifier
// KEYWORD: kiln-compile: error: invalid symbol prefix 'double': it must not be a C or C++ keyword
// CXX: kiln-compile: error: invalid symbol prefix 'class': it must not be a C or C++ keyword
// MLIR: kiln-compile: error: invalid symbol prefix '_mlir_ciface': it must not start with '_mlir', which MLIR reserves
// OLD: kiln-compile: error: --header-prefix is now --prefix, which also prefixes the object's symbols
func.func @relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.relu %x : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
