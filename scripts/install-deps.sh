#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# Installs what Kiln needs on Debian 12 from apt: LLVM/MLIR 22, clang/lld 22
# with its sanitizer and libFuzzer runtimes (the sanitizer and fuzzer builds,
# docs/fuzzing.md), CMake, Ninja, GoogleTest, onnx (C++ library, Python
# package and the backend test data), pybind11, Python with numpy, pytest,
# torch and torchvision (the real-model tests), OpenBLAS (so numpy and torch
# do not fall back to the reference BLAS), valgrind (memory tests), and
# matplotlib and threadpoolctl (the benchmark harness, bench/run.py), and
# the aarch64 cross toolchain and qemu-user (cross-compiled objects run in
# the tests), dpkg-dev (cpack -G DEB), and Vulkan: the loader's headers,
# Mesa's lavapipe (Vulkan compute on the CPU, where the --target=vulkan
# tests run) and spirv-tools (spirv-val, spirv-dis).
# Installs only what is missing, so it is cheap to run before every build.
set -euo pipefail

PACKAGES=(
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  clang-22 lld-22 libomp-22-dev libclang-rt-22-dev
  cmake ninja-build libgtest-dev
  python3 python3-dev python3-numpy python3-pytest valgrind bc
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata python3-onnx
  pybind11-dev python3-pybind11
  python3-torch python3-torchvision libopenblas0-pthread
  python3-matplotlib python3-threadpoolctl python3-sklearn
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user dpkg-dev file
  libvulkan-dev mesa-vulkan-drivers spirv-tools
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
