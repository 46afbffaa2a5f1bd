// --weights=external: the bundled CNN's weights go to a file, which the
// program maps with <prefix>_load_weights; it computes what the embedded
// model computes, and a missing, truncated, corrupt or other model's file
// is a status and a message, never a crash.
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-compile %kiln_src_root/examples/models/small_cnn.mlir -o %t/cnn.o --emit-header=%t/cnn.h --prefix=cnn
// RUN: kiln-compile %kiln_src_root/examples/models/small_cnn.mlir -o %t/cnnx.o --emit-header=%t/cnnx.h --prefix=cnnx --weights=external
// RUN: kiln-compile %s -o %t/other.o --prefix=other --weights=external --weights-file=%t/other.weights
// RUN: %python %inputs/weights_variants.py %t/cnnx.weights %t
// RUN: %cc -Wall -Werror -I%t %inputs/external_weights.c %t/cnn.o %t/cnnx.o -lm -lomp -o %t/run
// RUN: %t/run %t/cnnx.weights %t/truncated.weights %t/corrupt.weights %t/magic.weights %t/version.weights %t/other-checksum.weights %t/other.weights | FileCheck %s --check-prefix=EXEC
// RUN: llvm-nm --defined-only --extern-only %t/cnnx.o | FileCheck %s --check-prefix=NM
// RUN: %python -c "import os,sys; e=os.path.getsize('%t/cnn.o'); x=os.path.getsize('%t/cnnx.o'); w=os.path.getsize('%t/cnnx.weights'); print('weights', w, 'smaller by', e - x >= w - 64 * 16)" | FileCheck %s --check-prefix=SIZE

// RUN: kiln-compile %s --emit=llvm-ir --weights=external --weights-file=%t/ir.weights -o - | FileCheck %s --check-prefix=IR
// RUN: %python -c "import struct; d=open('%t/ir.weights','rb').read(); print(d[:7], struct.unpack_from('<IIQ', d, 8), struct.unpack_from('<Q', d, 32)[0], struct.unpack_from('<4f', d, 64))" | FileCheck %s --check-prefix=FILE

// RUN: not kiln-compile %s -o %t/x.o --weights-file=%t/x.weights 2>&1 | FileCheck %s --check-prefix=NOT-EXTERNAL
// RUN: not kiln-compile %s --weights=external -o - 2>&1 | FileCheck %s --check-prefix=STDOUT

// EXEC-LABEL: before loading: status 4: forward: the weights are not loaded; call cnnx_load_weights(path) first
// EXEC-NEXT: NULL path: status 1: cnnx_load_weights: the path is NULL
// EXEC-NEXT: missing: status 4: cnnx_load_weights: cannot open '/nonexistent/cnn.weights': No such file or directory
// EXEC-NEXT: truncated: status 4: cnnx_load_weights: '{{.*}}truncated.weights' has [[SHORT:[0-9]+]] bytes, but this model's weights file has [[BYTES:[0-9]+]] (truncated, or another model's)
// EXEC-NEXT: corrupt: status 4: cnnx_load_weights: '{{.*}}corrupt.weights' is corrupt: its contents do not match its checksum
// EXEC-NEXT: magic: status 4: cnnx_load_weights: '{{.*}}magic.weights' is not a Kiln weights file
// EXEC-NEXT: version: status 4: cnnx_load_weights: '{{.*}}version.weights' has another weights-file version
// EXEC-NEXT: other checksum: status 4: cnnx_load_weights: '{{.*}}other-checksum.weights' holds the weights of another model (or of another compilation of it)
// EXEC-NEXT: other model: status 4: cnnx_load_weights: '{{.*}}other.weights' has {{[0-9]+}} bytes, but this model's weights file has [[BYTES]] (truncated, or another model's)
// EXEC-NEXT: after failed loads: status 4
// EXEC-NEXT: good: status 0
// EXEC-NEXT: run: status 0, matches embedded: 1
// EXEC-NEXT: corrupt again: status 4
// EXEC-NEXT: run: status 0, matches embedded: 1
// EXEC-NEXT: reload: status 0, matches embedded: 1
// EXEC-NEXT: unloaded: status 4: forward: the weights are not loaded; call cnnx_load_weights(path) first

// Only the entry point and the two weights symbols are exported.
// NM-DAG: B _kiln_cnnx_weights
// NM-DAG: R _kiln_cnnx_weights_info
// NM-DAG: T _mlir_ciface_cnnx_forward
// NM-NOT: {{ [A-Za-z] }}

// SIZE: weights {{[0-9]+}} smaller by True

// The weight, packed at compile time to 1x8x32x1 (1024 bytes), and the
// bias (64 bytes) move to the file: 2 tensors, the bias first at offset 64,
// then the weight at 128. @small's 3-element constant (12 bytes) stays.
// IR-DAG: @_kiln_kiln_weights = {{.*}}global ptr null, align 8
// IR-DAG: @_kiln_kiln_weights_info = {{.*}}constant [4 x i64] [i64 1, i64 1152, i64 {{-?[0-9]+}}, i64 2], align 16
// IR-NOT: @__constant_1x8x32x1xf32 =
// IR-NOT: @__constant_16xf32 =
// IR-LABEL: define {{.*}} @_mlir_ciface_kiln_linear(
// (Both offsets are from the base loaded from @_kiln_kiln_weights, named
// kiln.weights; LLVM may load it once or once per use.)
// IR-DAG: %kiln.weights{{[^ ]*}} = load ptr, ptr @_kiln_kiln_weights
// IR-DAG: getelementptr inbounds{{.*}} i8, ptr %kiln.weights{{[^,]*}}, i64 128
// IR-DAG: getelementptr inbounds{{.*}} i8, ptr %kiln.weights{{[^,]*}}, i64 64
// IR-LABEL: define {{.*}} @_mlir_ciface_kiln_small(
// IR-NOT: @_kiln_kiln_weights
// IR: ret void

// FILE: b'KILNWTS' (1, 64, 1152) 2 (1.0, 2.0, 3.0, 4.0)

// NOT-EXTERNAL: kiln-compile: error: --weights-file needs --weights=external
// STDOUT: kiln-compile: error: --weights=external with the output on stdout needs --weights-file

func.func @linear(%x: tensor<?x8xf32> {kiln.name = "x"}) -> tensor<?x16xf32> {
  %w = kiln.constant dense<[[0.5, 0.25, -1.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
                            [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
                            [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
                            [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
                            [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
                            [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
                            [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
                            [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]]> : tensor<8x16xf32>
  %b = kiln.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0]> : tensor<16xf32>
  %0 = kiln.matmul %x, %w : (tensor<?x8xf32>, tensor<8x16xf32>) -> tensor<?x16xf32>
  %1 = kiln.add %0, %b : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  return %1 : tensor<?x16xf32>
}

func.func @small(%x: tensor<3xf32> {kiln.name = "x"}) -> tensor<3xf32> {
  %c = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %0 = kiln.add %x, %c : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
