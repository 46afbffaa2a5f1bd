# -*- Python -*-
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""lit configuration for Kiln's FileCheck and integration tests."""

import os
import subprocess

import lit.formats
from lit.llvm import llvm_config

config.name = "KILN"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.kiln_obj_root, "test")
# fuzz/regressions: inputs the fuzz harnesses replay (tools/fuzz), not tests.
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py", "lit.site.cfg.py", "Inputs", "e2e",
                   "regressions"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%kiln_src_root", config.kiln_src_root))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.kiln_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(
    ["kiln-opt", "kiln-compile", "kiln-run", "kiln-import", "llvm-objdump"], tool_dirs)
# Sanitizer builds compile the tests' C drivers with ASan/UBSan too
# (KILN_E2E_CFLAGS, set by ctest; see docs/fuzzing.md).
config.substitutions.append(
    ("%cc", ("clang-22 " + os.environ.get("KILN_E2E_CFLAGS", "")).strip()))
config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Tools", "Inputs")))

# Host CPU features (test/Utils/cpu-features.c), for `REQUIRES: avx512f`,
# `UNSUPPORTED: avx512f` and the like. Without the probe no CPU feature is
# known, so tests that require one are reported unsupported.
cpu_probe = os.path.join(config.kiln_tools_dir, "kiln-cpu-features")
try:
    cpu_features = subprocess.run([cpu_probe], capture_output=True, text=True,
                                  check=True).stdout.split()
except (OSError, subprocess.CalledProcessError) as error:
    lit_config.warning(f"no host CPU features: {cpu_probe}: {error}")
    cpu_features = []
config.available_features.update(cpu_features)

# Sanitizer builds (scripts/test-sanitizers.sh) compile the C drivers with
# -fsanitize=...: tests that interpose malloc are UNSUPPORTED there.
if "-fsanitize" in os.environ.get("KILN_E2E_CFLAGS", ""):
    config.available_features.add("sanitizers")

# GPU tooling, never assumed: `REQUIRES: spirv-tools` (spirv-val and
# spirv-dis), `REQUIRES: ptxas` (CUDA's assembler, %ptxas), `cuda-toolkit`
# (ptxas and fatbinary under $CUDA_HOME or /usr/local/cuda) and `REQUIRES:
# vulkan` (a Vulkan device that Kiln's runtime can use, e.g. lavapipe;
# `vulkan-runtime`: that runtime was built).
import shutil
if shutil.which("spirv-val") and shutil.which("spirv-dis"):
    config.available_features.add("spirv-tools")
ptxas = os.environ.get("KILN_PTXAS") or shutil.which("ptxas") or \
    "/usr/local/cuda/bin/ptxas"
if os.access(ptxas, os.X_OK):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
# The toolkit Kiln's CUDA objects take their fatbin from (ptxas, fatbinary).
cuda_home = os.environ.get("CUDA_HOME", "/usr/local/cuda")
if all(os.access(os.path.join(cuda_home, "bin", t), os.X_OK)
       for t in ("ptxas", "fatbinary")):
    config.available_features.add("cuda-toolkit")
kiln_lib_dir = os.path.abspath(os.path.join(config.kiln_tools_dir, "..", "lib"))
config.substitutions.append(("%kiln_lib_dir", kiln_lib_dir))
vulkan_runtime = os.path.join(kiln_lib_dir, "libkiln_vulkan_runtime.so")
if os.path.exists(vulkan_runtime):
    config.available_features.add("vulkan-runtime")
    config.substitutions.append(("%vulkan_runtime_dir",
                                 os.path.dirname(os.path.abspath(vulkan_runtime))))
    probe = ("import ctypes, sys; lib = ctypes.CDLL(sys.argv[1]); "
             "lib.kiln_gpu_device_name.restype = ctypes.c_char_p; "
             "sys.exit(0 if lib.kiln_gpu_device_name() else 1)")
    if subprocess.run(["/usr/bin/python3", "-c", probe, vulkan_runtime],
                      capture_output=True).returncode == 0:
        config.available_features.add("vulkan")
