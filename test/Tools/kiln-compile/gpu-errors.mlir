// Wrong GPU options fail before any work, naming the option; stages and
// outputs of another target are refused.
// RUN: not kiln-compile %s --target=metal -o /dev/null 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not kiln-compile %s --target=cuda --gpu-chip=sm_50 --emit=ptx -o /dev/null 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not kiln-compile %s --target=cuda --gpu-chip=gfx90a --emit=ptx -o /dev/null 2>&1 | FileCheck %s --check-prefix=CHIP2
// RUN: not kiln-compile %s --emit=gpu -o /dev/null 2>&1 | FileCheck %s --check-prefix=CPUGPU
// RUN: not kiln-compile %s --target=cuda --emit=spirv -o /dev/null 2>&1 | FileCheck %s --check-prefix=SPIRV
// RUN: not kiln-compile %s --target=vulkan --emit=ptx -o /dev/null 2>&1 | FileCheck %s --check-prefix=PTX
// RUN: not kiln-compile %S/../Inputs/reshape_only.mlir --target=cuda --emit=ptx -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOKERNEL

// TARGET: kiln-compile: error: GPU target 'metal' is not vulkan or cuda (or none, for the CPU)
// CHIP: error: GPU chip 'sm_50' is not a CUDA architecture sm_70 or later (sm_80, sm_90, ...)
// CHIP2: error: GPU chip 'gfx90a' is not a CUDA architecture sm_70 or later
// CPUGPU: error: the gpu stage needs a GPU target (vulkan or cuda)
// SPIRV: error: SPIR-V is the device code of the vulkan target
// PTX: error: PTX is the device code of the cuda target
// NOKERNEL: error: the model has no kernels (the host does all its work: reshapes, copies, constants)
func.func @main(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.relu %a : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
