// kiln-run rejects bad inputs with a message naming what and where.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/a.npy', np.ones((3, 4), np.float32)); np.save('%t/b.npy', np.ones((5, 4), np.float32)); np.save('%t/i.npy', np.ones((3, 4), np.int32)); open('%t/junk.npy', 'wb').write(b'not numpy at all'); d = open('%t/a.npy', 'rb').read(); open('%t/trunc.npy', 'wb').write(d[:-8])"
// RUN: kiln-run %s -i %t/a.npy -i %t/a.npy -o %t/out.npy | FileCheck %s --check-prefix=OK
// RUN: not kiln-run %s -i %t/a.npy -i %t/b.npy 2>&1 | FileCheck %s --check-prefix=EQUAL
// RUN: not kiln-run %s -i %t/a.npy -i %t/i.npy 2>&1 | FileCheck %s --check-prefix=DTYPE
// RUN: not kiln-run %s -i %t/a.npy 2>&1 | FileCheck %s --check-prefix=COUNT
// RUN: not kiln-run %s -i %t/junk.npy -i %t/a.npy 2>&1 | FileCheck %s --check-prefix=JUNK
// RUN: not kiln-run %s -i %t/trunc.npy -i %t/a.npy 2>&1 | FileCheck %s --check-prefix=TRUNC
// RUN: not kiln-run %s -i %t/missing.npy -i %t/a.npy 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not kiln-run %s -i %t/a.npy -i %t/a.npy --expect %t/b.npy 2>&1 | FileCheck %s --check-prefix=MISMATCH
// RUN: not kiln-run %s 2>&1 | FileCheck %s --check-prefix=DYNAMIC
// RUN: kiln-run %s --input-shape 2x4 --input-shape 2x4 --bench 3 | FileCheck %s --check-prefix=BENCH

// OK: result0: f32[3x4]
// EQUAL: kiln-run: error: sum: input b dim 0 is 5 but input a dim 0 is 3; the model broadcasts them, so they must be equal or 1
// DTYPE: kiln-run: error: input b ({{.*}}i.npy) holds i32 but sum takes f32
// COUNT: kiln-run: error: sum takes 2 inputs but 1 were given
// JUNK: kiln-run: error: {{.*}}junk.npy: not a .npy file (bad magic)
// TRUNC: kiln-run: error: {{.*}}trunc.npy: truncated data: 40 bytes for 48
// MISSING: kiln-run: error: {{.*}}missing.npy: {{[Nn]}}o such file or directory
// MISMATCH: kiln-run: MISMATCH result0: shape differs from the expected array
// DYNAMIC: kiln-run: error: input a has dynamic dims; give --input-shape or -i
// BENCH: bench: 3 runs, median {{[0-9.]+}} ms, min {{[0-9.]+}} ms
func.func @sum(%a: tensor<?x4xf32> {kiln.name = "a"}, %b: tensor<?x4xf32> {kiln.name = "b"}) -> tensor<?x4xf32> {
  %0 = kiln.add %a, %b : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
