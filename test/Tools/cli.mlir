// The command line of the Kiln tools: versions, a --help that fits on one
// screen (LLVM's backend options stay behind --help-hidden: about 70 lines
// of Kiln's own and a few MLIR options, not hundreds), files named
// in errors, and no object file written to a terminal.
// RUN: kiln-compile --version | FileCheck %s --check-prefix=VERSION
// RUN: kiln-run --version | FileCheck %s --check-prefix=VERSION
// RUN: kiln-import --version | FileCheck %s --check-prefix=VERSION
// RUN: kiln-opt --version | FileCheck %s --check-prefix=OPTVERSION
// RUN: kiln-compile --help | %python -c "import sys; n = len(sys.stdin.readlines()); sys.exit(0 if n <= 72 else 'kiln-compile --help has %d lines' % n)"
// RUN: kiln-run --help | %python -c "import sys; n = len(sys.stdin.readlines()); sys.exit(0 if n <= 65 else 'kiln-run --help has %d lines' % n)"
// RUN: kiln-compile --help | FileCheck %s --check-prefix=HELP
// RUN: kiln-compile --help-hidden | FileCheck %s --check-prefix=HIDDEN
// RUN: not kiln-compile %t.missing.onnx -o %t.o 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not kiln-run model 2>&1 | FileCheck %s --check-prefix=NOEXT
// RUN: not kiln-compile %s --report=xml -o %t.o 2>&1 | FileCheck %s --check-prefix=REPORT
// RUN: not kiln-compile %s --cpu=notacpu -o %t.o 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: not kiln-compile %s --target-triple=nonsense-x-y -o %t.o 2>&1 | FileCheck %s --check-prefix=TRIPLE
// RUN: not kiln-run %s --features=+notafeature 2>&1 | FileCheck %s --check-prefix=FEATURE
// RUN: not script -qec "kiln-compile %s" /dev/null | FileCheck %s --check-prefix=TTY
// RUN: kiln-compile %s --emit=linalg --cpu=znver3 | FileCheck %s --check-prefix=TARGET
// RUN: kiln-compile %s --emit=linalg --target-triple=aarch64-linux-gnu | FileCheck %s --check-prefix=CROSS

// VERSION: Kiln {{[0-9]+\.[0-9]+\.[0-9]+}} (LLVM/MLIR 22.
// OPTVERSION: Kiln {{[0-9]+\.[0-9]+\.[0-9]+}} (kiln-opt)
// HELP: Kiln options:
// HELP: --emit=<value>
// HELP: MLIR options:
// HELP: --mlir-timing
// HELP-NOT: --x86-asm-syntax
// HIDDEN: --x86-asm-syntax
// MISSING: kiln-compile: error: cannot open input file '{{.*}}missing.onnx': No such file or directory
// NOEXT: kiln-run: error: cannot open input file 'model': No such file or directory
// REPORT: kiln-compile: error: --report takes text or json, not 'xml'
// CPU: kiln-compile: error: unknown CPU 'notacpu'
// CPU-NOT: LLVM ERROR
// TRIPLE: kiln-compile: error: unknown target triple 'nonsense-x-y'
// FEATURE: kiln-run: error: unknown feature 'notafeature'
// TTY: kiln-compile: error: refusing to write an object file to the terminal; use -o
// TARGET: module attributes {kiln.target = #kiln.target<{{.*}}cpu = "znver3"{{.*}}vector_bits = 256, vector_registers = 16
// TARGET-LABEL: func.func @f
// TARGET: linalg.generic
// CROSS: #kiln.target<triple = "aarch64-unknown-linux-gnu", cpu = "generic"{{.*}}vector_bits = 128, vector_registers = 32>
func.func @f(%x: tensor<4xf32> {kiln.name = "x"}) -> (tensor<4xf32> {kiln.name = "y"}) {
  %0 = kiln.relu %x : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
