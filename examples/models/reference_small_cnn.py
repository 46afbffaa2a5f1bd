#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Numpy forward pass of small_cnn.mlir on the C example's input images:
an independent reference for Kiln's compiled output (batch norms unfolded,
float64)."""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "test", "e2e"))
from gen_small_cnn import make_weights  # noqa: E402
from e2e_ops import conv_nchw, pool_nchw, softmax  # noqa: E402


def images(batch=3):
    n, c, h, w = np.meshgrid(np.arange(batch), np.arange(3), np.arange(32),
                             np.arange(32), indexing="ij")
    return np.sin((0.1 * (h * 32 + w)).astype(np.float32) + c + n).astype(np.float32)


def forward(x, w):
    def bn(y, i):
        s = lambda k: w[f"bn{i}_{k}"].astype(np.float64)[None, :, None, None]
        return (y - s("mean")) / np.sqrt(s("var") + 1e-5) * s("scale") + s("bias")

    y = np.maximum(bn(conv_nchw(x, w["conv1_w"], pads=(1, 1, 1, 1)), 1), 0)
    y = np.maximum(bn(conv_nchw(y, w["conv2_w"], stride=(2, 2), pads=(1, 1, 1, 1)), 2), 0)
    y = np.clip(bn(conv_nchw(y, w["dw3_w"], pads=(1, 1, 1, 1), groups=32), 3), 0, 6)
    y = pool_nchw(y, "max", (2, 2), stride=(2, 2))
    y = y.mean(axis=(2, 3))
    y = y @ w["fc_w"].astype(np.float64).T + w["fc_b"]
    return softmax(y)


if __name__ == "__main__":
    for row in forward(images(), make_weights()):
        print(" ".join(f"{p:.6f}" for p in row))
