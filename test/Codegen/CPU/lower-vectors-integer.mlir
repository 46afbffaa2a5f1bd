// kiln-cpu-lower-vectors turns the register tile of an i8 contraction into
// the target's dot product, one per row of the tile and vector of columns:
// the row's k0 bytes broadcast to every i32 lane, times the packed panel's
// n0 x k0 bytes read as one flat vector. The instruction comes from the
// module's target, whatever the host.
// RUN: kiln-opt %s --split-input-file --kiln-attach-target="cpu=sapphirerapids" --kiln-cpu-lower-vectors --canonicalize | FileCheck %s --check-prefix=VNNI
// RUN: kiln-opt %s --split-input-file --kiln-attach-target="cpu=znver3" --kiln-cpu-lower-vectors --canonicalize | FileCheck %s --check-prefix=AVX2
// RUN: kiln-opt %s --split-input-file --kiln-attach-target="triple=aarch64-linux-gnu" --kiln-cpu-lower-vectors --canonicalize | FileCheck %s --check-prefix=NEON

// VNNI-LABEL: func.func @u8s8_k4
// VNNI-SAME: (%[[A:.+]]: memref<4x2x4xi8>, %[[B:.+]]: memref<4x16x4xi8>, %[[C:.+]]: memref<2x16xi32>)
// VNNI: scf.for {{.*}} iter_args(%{{.+}} = %{{.+}}) -> (vector<2x16xi32>)
// VNNI: %[[ROWS:.+]] = vector.load %{{.+}} : memref<4x8xi8>, vector<8xi8>
// VNNI: %[[ROW0:.+]] = vector.shuffle %[[ROWS]], %[[ROWS]] [0, 1, 2, 3]
// VNNI: %[[PANEL:.+]] = vector.load %{{.+}} : memref<4x64xi8>, vector<64xi8>
// VNNI: %[[W0:.+]] = vector.bitcast %[[ROW0]] : vector<4xi8> to vector<1xi32>
// VNNI: %[[S0:.+]] = vector.extract %[[W0]][0]
// VNNI: %[[B0:.+]] = vector.broadcast %[[S0]] : i32 to vector<16xi32>
// VNNI: %[[BB0:.+]] = vector.bitcast %[[B0]] : vector<16xi32> to vector<64xi8>
// VNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.+}}, %[[BB0]], %[[PANEL]]) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// VNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// VNNI-NOT: vector.contract
// VNNI: scf.yield
// AVX2-LABEL: func.func @u8s8_k4
// AVX2-NOT: llvm.call_intrinsic
// AVX2: arith.muli
// NEON-LABEL: func.func @u8s8_k4
// NEON-NOT: llvm.call_intrinsic
#lhs = affine_map<(d0, d1, d2) -> (d0, d2)>
#rhs = affine_map<(d0, d1, d2) -> (d1, d2)>
#acc = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @u8s8_k4(%a: memref<4x2x4xi8>, %b: memref<4x16x4xi8>, %c: memref<2x16xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %p8 = ub.poison : i8
  %p32 = ub.poison : i32
  scf.for %k = %c0 to %c4 step %c1 {
    %l = vector.transfer_read %a[%k, %c0, %c0], %p8 {in_bounds = [true, true]} : memref<4x2x4xi8>, vector<2x4xi8>
    %r = vector.transfer_read %b[%k, %c0, %c0], %p8 {in_bounds = [true, true]} : memref<4x16x4xi8>, vector<16x4xi8>
    %acc = vector.transfer_read %c[%c0, %c0], %p32 {in_bounds = [true, true]} : memref<2x16xi32>, vector<2x16xi32>
    %lw = arith.extui %l : vector<2x4xi8> to vector<2x4xi32>
    %rw = arith.extsi %r : vector<16x4xi8> to vector<16x4xi32>
    %res = vector.contract {indexing_maps = [#lhs, #rhs, #acc], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %lw, %rw, %acc : vector<2x4xi32>, vector<16x4xi32> into vector<2x16xi32>
    vector.transfer_write %res, %c[%c0, %c0] {in_bounds = [true, true]} : vector<2x16xi32>, memref<2x16xi32>
  }
  return
}

// -----

// k0 = 2: both operands widened to i16 (each as the contraction widens
// it) and multiplied pairwise into i32 lanes, added to the accumulator.
// VNNI-LABEL: func.func @s8s8_k2
// VNNI: %[[P:.+]] = arith.extsi %{{.+}} : vector<64xi8> to vector<64xi16>
// VNNI: %[[R:.+]] = vector.bitcast %{{.+}} : vector<16xi32> to vector<32xi16>
// VNNI: %[[M:.+]] = llvm.call_intrinsic "llvm.x86.avx512.pmaddw.d.512"(%[[R]], %{{.+}}) : (vector<32xi16>, vector<32xi16>) -> vector<16xi32>
// VNNI: arith.addi %{{.+}}, %[[M]] : vector<16xi32>
// AVX2-LABEL: func.func @s8s8_k2
// AVX2: arith.extsi %{{.+}} : vector<64xi8> to vector<64xi16>
// AVX2-COUNT-8: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%{{.+}}, %{{.+}}) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// AVX2-NOT: llvm.call_intrinsic
// AVX2: scf.yield
// NEON-LABEL: func.func @s8s8_k2
// NEON-NOT: llvm.call_intrinsic
#lhs = affine_map<(d0, d1, d2) -> (d0, d2)>
#rhs = affine_map<(d0, d1, d2) -> (d1, d2)>
#acc = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @s8s8_k2(%a: memref<4x2x2xi8>, %b: memref<4x32x2xi8>, %c: memref<2x32xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %p8 = ub.poison : i8
  %p32 = ub.poison : i32
  scf.for %k = %c0 to %c4 step %c1 {
    %l = vector.transfer_read %a[%k, %c0, %c0], %p8 {in_bounds = [true, true]} : memref<4x2x2xi8>, vector<2x2xi8>
    %r = vector.transfer_read %b[%k, %c0, %c0], %p8 {in_bounds = [true, true]} : memref<4x32x2xi8>, vector<32x2xi8>
    %acc = vector.transfer_read %c[%c0, %c0], %p32 {in_bounds = [true, true]} : memref<2x32xi32>, vector<2x32xi32>
    %lw = arith.extsi %l : vector<2x2xi8> to vector<2x2xi32>
    %rw = arith.extsi %r : vector<32x2xi8> to vector<32x2xi32>
    %res = vector.contract {indexing_maps = [#lhs, #rhs, #acc], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %lw, %rw, %acc : vector<2x2xi32>, vector<32x2xi32> into vector<2x32xi32>
    vector.transfer_write %res, %c[%c0, %c0] {in_bounds = [true, true]} : vector<2x32xi32>, memref<2x32xi32>
  }
  return
}
