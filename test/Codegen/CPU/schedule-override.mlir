// --kiln-schedule replaces the built-in strategy for the ops it matches:
// the checked-in schedule tiles matmuls 4 x 16 x 1 (masked) instead of
// packing them into 8 x 32 (AVX-512) or 6 x 16 (AVX2) register tiles.
// RUN: kiln-compile %s --cpu=znver3 --emit=linalg | FileCheck %s --check-prefix=BUILTIN
// RUN: kiln-compile %s --cpu=znver3 --emit=linalg --kiln-schedule=%kiln_src_root/lib/Codegen/CPU/Schedules/matmul-register-tile.mlir | FileCheck %s --check-prefix=SCHEDULE
// RUN: kiln-compile %s --cpu=znver3 --emit=bufferized --kiln-schedule=%kiln_src_root/lib/Codegen/CPU/Schedules/matmul-register-tile.mlir | FileCheck %s --check-prefix=NOPACK
// Numbers are unchanged.
// RUN: %python -c "import numpy as np; r = np.random.default_rng(0); a = r.standard_normal((19, 37)).astype(np.float32); b = r.standard_normal((37, 23)).astype(np.float32); np.save('%t.a.npy', a); np.save('%t.b.npy', b); np.save('%t.c.npy', a @ b)"
// RUN: kiln-run %s -i %t.a.npy -i %t.b.npy --expect %t.c.npy --rtol 1e-4 --atol 1e-4 --kiln-schedule=%kiln_src_root/lib/Codegen/CPU/Schedules/matmul-register-tile.mlir | FileCheck %s --check-prefix=RUNCHECK
// RUN: not kiln-compile %s --kiln-schedule=%t.missing.mlir 2>&1 | FileCheck %s --check-prefix=MISSING

// BUILTIN-LABEL: func.func @mm
// BUILTIN: linalg.matmul {kiln.strategy = {{{.*}}kind = "mmt4d", m0 = 6 : i64, {{.*}}n0 = 16 : i64}}

// SCHEDULE-LABEL: func.func @mm
// SCHEDULE: scf.for
// SCHEDULE: scf.for
// SCHEDULE: scf.for
// SCHEDULE: vector.contract {{.*}} : vector<4x1xf32>, vector<1x16xf32> into vector<4x16xf32>
// SCHEDULE-NOT: kiln.strategy

// NOPACK-LABEL: func.func @mm
// NOPACK-NOT: memref<{{.*}}x16x1xf32>
// NOPACK: vector.contract

// RUNCHECK: result0: matches
// MISSING: kiln-compile: error: cannot open schedule '{{.*}}missing.mlir': no such file
func.func @mm(%a: tensor<19x37xf32>, %b: tensor<37x23xf32>) -> tensor<19x23xf32> {
  %0 = kiln.matmul %a, %b : (tensor<19x37xf32>, tensor<37x23xf32>) -> tensor<19x23xf32>
  return %0 : tensor<19x23xf32>
}
