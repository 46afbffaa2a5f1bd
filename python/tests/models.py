# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The real models of the end-to-end tests and benchmarks, with random
weights (nothing is downloaded), exported with torch.onnx.export."""

import io

import torch
import torchvision


def randomize_batchnorm(model, seed):
    """Random running statistics and affine parameters, so that the
    network's outputs are far from the degenerate default init. The
    benchmark harness (bench/run.py) uses it too."""
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=g) * 0.1)
            m.running_var.copy_(torch.rand(n, generator=g) + 0.5)
            m.weight.data.copy_(torch.rand(n, generator=g) + 0.5)
            m.bias.data.copy_(torch.randn(n, generator=g) * 0.1)
    return model


class TinyEncoder(torch.nn.Module):
    """A token embedding followed by a 2-layer transformer encoder."""

    def __init__(self, vocab=1000, d=256, heads=4, ff=1024):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab, d)
        layer = torch.nn.TransformerEncoderLayer(d, heads, ff, batch_first=True,
                                                 activation="gelu")
        self.encoder = torch.nn.TransformerEncoder(layer, 2,
                                                   enable_nested_tensor=False)

    def forward(self, ids):
        return self.encoder(self.embed(ids))


class Audio1D(torch.nn.Module):
    """A 1-D convolutional audio classifier: strided, grouped and depthwise
    Conv1d with BatchNorm1d, max and average pooling, then a linear head."""

    def __init__(self):
        super().__init__()
        nn = torch.nn
        self.net = nn.Sequential(
            nn.Conv1d(1, 16, 9, stride=2, padding=4), nn.BatchNorm1d(16),
            nn.ReLU(), nn.MaxPool1d(4),
            nn.Conv1d(16, 32, 5, padding=2, groups=2), nn.BatchNorm1d(32),
            nn.ReLU(), nn.AvgPool1d(2),
            nn.Conv1d(32, 32, 3, padding=1, groups=32), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(32, 10))

    def forward(self, x):
        return self.net(x)


class Generator(torch.nn.Module):
    """A DCGAN-style generator: a latent vector up to a 16x16 RGB image
    through strided, padded ConvTranspose2d layers with BatchNorm2d."""

    def __init__(self, nz=16):
        super().__init__()
        nn = torch.nn
        self.net = nn.Sequential(
            nn.ConvTranspose2d(nz, 64, 4, 1, 0, bias=False),
            nn.BatchNorm2d(64), nn.ReLU(),
            nn.ConvTranspose2d(64, 32, 4, 2, 1, bias=False),
            nn.BatchNorm2d(32), nn.ReLU(),
            nn.ConvTranspose2d(32, 3, 4, 2, 1), nn.Tanh())

    def forward(self, z):
        return self.net(z)


class LstmLanguageModel(torch.nn.Module):
    """A word-level LSTM language model: embedding, a 2-layer LSTM and a
    projection back to the vocabulary."""

    def __init__(self, vocab=1000, dim=64, hidden=128):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab, dim)
        self.lstm = torch.nn.LSTM(dim, hidden, num_layers=2, batch_first=True)
        self.out = torch.nn.Linear(hidden, vocab)

    def forward(self, ids):
        y, _ = self.lstm(self.embed(ids))
        return self.out(y)


def build(name, dynamic_batch=False, opset=None):
    """Returns (torch model, example inputs, ONNX bytes, opset). `opset`
    overrides the model's default export opset."""
    torch.manual_seed(0)
    default_opset = opset
    if name in ("resnet18", "mobilenet_v2"):
        model = randomize_batchnorm(getattr(torchvision.models, name)(), 1)
        args = (torch.randn(1, 3, 224, 224),)
        names, opset = ["x"], 14
    elif name == "audio_1d":
        model = Audio1D()
        g = torch.Generator().manual_seed(1)
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm1d):
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
        args = (torch.randn(2, 1, 1600),)
        names, opset = ["x"], 13
    elif name == "dcgan_generator":
        model = randomize_batchnorm(Generator(), 2)
        args = (torch.randn(2, 16, 1, 1),)
        names, opset = ["z"], 13
    elif name == "bert_layer":
        # Opset 14: torch spells LayerNorm out, so kiln-recompose is needed.
        model = torch.nn.TransformerEncoderLayer(768, 12, 3072,
                                                 batch_first=True)
        args = (torch.randn(1, 128, 768),)
        names, opset = ["x"], 14
    elif name == "linear_stack":
        # 4 x (Linear 768 -> 3072 -> 768), M = 128: the int8 benchmark's
        # GEMM-bound model (../shared/BENCHMARKS.md).
        layers = []
        for _ in range(4):
            layers += [torch.nn.Linear(768, 3072), torch.nn.ReLU(),
                       torch.nn.Linear(3072, 768)]
        model = torch.nn.Sequential(*layers)
        args = (torch.randn(128, 768),)
        names, opset = ["x"], 13
    elif name == "tiny_encoder":
        # Opset 17: LayerNormalization is one ONNX op.
        model = TinyEncoder()
        args = (torch.randint(0, 1000, (1, 64)),)
        names, opset = ["ids"], 17
    elif name == "vit_b_16":
        model = torchvision.models.vit_b_16()
        # torchvision zero-initializes the classifier, which would make the
        # output (and any comparison of it) trivially zero.
        torch.nn.init.normal_(model.heads.head.weight, std=0.02)
        torch.nn.init.normal_(model.heads.head.bias, std=0.02)
        args = (torch.randn(1, 3, 224, 224),)
        names, opset = ["x"], 17
    elif name == "lstm_lm":
        model = LstmLanguageModel()
        args = (torch.randint(0, 1000, (2, 12)),)
        names, opset = ["ids"], 14
    elif name == "dynamic_encoder":
        # Exported with dynamic batch and sequence: its reshapes compute
        # their shapes from run-time dims (Shape, Gather, Mul, Concat).
        model = torch.nn.TransformerEncoderLayer(64, 4, 128,
                                                 batch_first=True)
        args = (torch.randn(2, 10, 64),)
        names, opset = ["x"], 17
    else:
        raise ValueError(name)
    model.eval()
    opset = default_opset or opset
    dynamic = {names[0]: {0: "batch"}, "y": {0: "batch"}} \
        if dynamic_batch else None
    if name == "audio_1d" and dynamic_batch:
        dynamic[names[0]][2] = "samples"
    if name in ("dynamic_encoder", "lstm_lm"):
        dynamic = {names[0]: {0: "batch", 1: "seq"},
                   "y": {0: "batch", 1: "seq"}}
    f = io.BytesIO()
    torch.onnx.export(model, args, f, opset_version=opset, input_names=names,
                      output_names=["y"], dynamic_axes=dynamic)
    return model, args, f.getvalue(), opset
