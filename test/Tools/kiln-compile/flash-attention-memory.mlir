// Attention of a BERT-base layer at sequence length 1024 allocates no
// buffer of 1024 x 1024 scores per head: the flash-style lowering keeps a
// block of 128 keys at a time. Materializing the scores (key block 0)
// does allocate them, which shows the check can fail.
// RUN: kiln-compile %s --emit=bufferized -o - | FileCheck %s
// RUN: kiln-compile %s --emit=bufferized --attention-key-block=0 -o - | FileCheck %s --check-prefix=WHOLE
// RUN: not kiln-compile %s --emit=bufferized --attention-key-block=-2 -o - 2>&1 | FileCheck %s --check-prefix=NEG

// CHECK-LABEL: func.func @bert_attention
// CHECK-NOT: 1024x1024
// CHECK: memref<12x1024x128xf32
// CHECK-NOT: 1024x1024
// WHOLE-LABEL: func.func @bert_attention
// WHOLE: memref<12x1024x1024xf32
// NEG: kiln-compile: error: attention key block is -2; it takes 0 (off) or a positive number of keys
func.func @bert_attention(%q: tensor<1x12x1024x64xf32>, %k: tensor<1x12x1024x64xf32>, %v: tensor<1x12x1024x64xf32>) -> tensor<1x12x1024x64xf32> {
  %0 = kiln.attention %q, %k, %v : (tensor<1x12x1024x64xf32>, tensor<1x12x1024x64xf32>, tensor<1x12x1024x64xf32>) -> tensor<1x12x1024x64xf32>
  return %0 : tensor<1x12x1024x64xf32>
}
