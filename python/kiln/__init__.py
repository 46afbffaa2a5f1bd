# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Kiln: compile ONNX models and kiln-dialect MLIR to native code.

    import kiln, numpy as np
    m = kiln.compile("resnet18.onnx")            # or MLIR text, or ONNX bytes
    (logits,) = m.run(np.zeros((1, 3, 224, 224), np.float32))
    probs = m(x)                                 # one output: the array itself
    m.save_object("model.o", header="model.h")   # ahead-of-time, for C
    print(kiln.import_onnx("resnet18.onnx"))     # the kiln dialect

Errors while importing or compiling raise `kiln.CompileError`, whose message
holds the compiler's diagnostics. Running with a wrong dtype raises
`TypeError`, with a wrong shape `ValueError`; both name the input.
"""

import os as _os
from collections import namedtuple as _namedtuple

from . import _kiln

CompileError = _kiln.CompileError
__version__ = _kiln.VERSION
MIN_OPSET = _kiln.MIN_OPSET
MAX_OPSET = _kiln.MAX_OPSET
# Models from this opset up to MIN_OPSET are upgraded to MIN_OPSET by onnx's
# version converter first.
MIN_CONVERTED_OPSET = _kiln.MIN_CONVERTED_OPSET

#: One input or output of a compiled model; `shape` has None for dynamic dims.
TensorInfo = _namedtuple("TensorInfo", ["name", "dtype", "shape"])

__all__ = ["__version__", "compile", "import_onnx", "pass_toggles",
           "supported_onnx_ops", "rejected_onnx_ops", "Module",
           "CompileError", "TensorInfo", "MIN_OPSET", "MAX_OPSET", "MIN_CONVERTED_OPSET"]


def _read_source(source):
    """Returns (bytes or text, display name, is_onnx)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        return data, "<bytes>", _kiln.is_onnx_model("", data)
    if hasattr(source, "SerializeToString"):  # an onnx.ModelProto
        return source.SerializeToString(), "<onnx.ModelProto>", True
    if isinstance(source, _os.PathLike):
        source = _os.fspath(source)
    if not isinstance(source, str):
        raise TypeError("expected a path, MLIR text, ONNX bytes or an "
                        "onnx.ModelProto, got %s" % type(source).__name__)
    # One line without MLIR's punctuation is a file name (a missing
    # "model" is FileNotFoundError, not an MLIR parse error).
    looks_like_path = "\n" not in source and (
        source.endswith((".onnx", ".mlir", ".mlirbc")) or
        _os.path.exists(source) or
        not any(c in source for c in "{}%@"))
    if looks_like_path:
        if not _os.path.exists(source):
            raise FileNotFoundError("no such model file: %r" % source)
        with open(source, "rb") as f:
            data = f.read()
        is_onnx = _kiln.is_onnx_model(source, data)
        return data, source, is_onnx
    return source, "<string>", False


class Module:
    """A compiled model. Call it (or `run`) on numpy arrays."""

    def __init__(self, compiled, target):
        self._compiled = compiled
        self.target = target
        names = compiled.entry_names()
        self.entry_names = names
        self.entry = names[0]

    def _infos(self, entry, inputs):
        return [TensorInfo(n, d, s)
                for n, d, s in self._compiled.inputs(entry or self.entry,
                                                     inputs)]

    @property
    def inputs(self):
        """The inputs of the default entry point, as TensorInfo."""
        return self._infos(None, True)

    @property
    def outputs(self):
        """The outputs of the default entry point, as TensorInfo."""
        return self._infos(None, False)

    def run(self, *arrays, entry=None):
        """Runs an entry point (default: the first) and returns a list of
        numpy arrays, one per output."""
        return self._compiled.run(entry or self.entry, *arrays)

    def __call__(self, *arrays):
        """Like run(), but a single output is returned as the array itself
        and several as a tuple."""
        results = self.run(*arrays)
        return results[0] if len(results) == 1 else tuple(results)

    def save_object(self, path, header=None, prefix="kiln", *,
                    weights="embedded", weights_path=None):
        """Writes an object file for the module's target and, optionally,
        the C header of its entry points (see docs/aot-abi.md). A module
        compiled for the host reuses the code compile() made for it: saving
        does not compile again.

        prefix: prefixes every symbol the object exports
            (`_mlir_ciface_<prefix>_<entry>`) and the header's functions
            (`<prefix>_<entry>`), so that several models link into one
            program. It must be a C identifier that is not a C or C++
            keyword and does not start with `_mlir`; otherwise ValueError.

        weights: "embedded" (in the object) or "external": in the file
            weights_path (default: path with the extension .weights),
            which the program loads with `<prefix>_load_weights(path)`.
            External weights need a compilation of their own.

        The files are written all or nothing: on any error (CompileError,
        or OSError for a path that cannot be written) none is created or
        changed."""
        if weights not in ("embedded", "external"):
            raise ValueError("weights must be 'embedded' or 'external', got %r"
                             % (weights,))
        if weights_path is not None and weights != "external":
            raise ValueError("weights_path needs weights='external'")
        if weights == "external" and weights_path is None:
            weights_path = _os.path.splitext(_os.fspath(path))[0] + ".weights"
        self._compiled.save_object(_os.fspath(path),
                                   _os.fspath(header) if header else "",
                                   prefix,
                                   _os.fspath(weights_path) if weights_path
                                   else "")

    def set_num_threads(self, n):
        """Sets the threads of the model's parallel loops for calls from
        this thread."""
        self._compiled.set_num_threads(int(n))

    @property
    def report(self):
        """What the graph passes did, as a dict: constants folded, rewrites
        per pass (batch norms folded, chains recomposed) and op counts by
        kind before and after (see docs/compiler.md)."""
        import json
        return json.loads(self._compiled.report(True))

    def report_text(self):
        """The same report, formatted for people."""
        return self._compiled.report(False)

    @property
    def target_description(self):
        """The `#kiln.target` attribute the module was compiled for."""
        return self._compiled.target()

    @property
    def mlir(self):
        """The kiln-dialect IR after the graph optimizations (large
        constants elided)."""
        return self._compiled.mlir()

    def __repr__(self):
        ins = ", ".join("%s: %s%s" % (i.name, i.dtype, list(i.shape))
                        for i in self.inputs)
        return "<kiln.Module %s(%s) target=%s>" % (self.entry, ins,
                                                   self.target)


def gpu_device(target="vulkan"):
    """The name of the device Kiln's `target` ("vulkan" or "cuda") runtime
    runs kernels on; raises RuntimeError, saying why, when there is none."""
    name = _kiln.gpu_device(target)
    if not name:
        raise RuntimeError("no %s device: %s" %
                           (target, _kiln.gpu_error(target)))
    return name


def compile(source, target="host", opt_level=2, *, cpu="", features="",
            gpu_chip="sm_80",
            llvm_opt_level=None, approximate_math=True, infer_shapes=None,
            canonicalize=None, fold_constants=None, evaluate_constants=None,
            fold_batchnorm=None, simplify=None, recompose=None,
            fuse_elementwise=None, fuse_epilogues=None, layout=None,
            image_interface=False,
            threads=0, schedule=None,
            attention_key_block=None, entry="", check=True, freeze=None,
            quantize=None, calibration=None, calibration_method="minmax",
            quant_error_budget=0.0):
    """Compiles a model.

    source: a path to a .onnx or .mlir file, MLIR text in the kiln dialect
        (or any dialect Kiln lowers), ONNX bytes, or an onnx.ModelProto.
    target: "host" (JIT-compiled, callable), "vulkan" or "cuda" (the
        kernels run on a Vulkan device or an NVIDIA GPU through Kiln's
        runtime for it, the rest on the host; RuntimeError, saying why,
        when there is no such device: kiln-compile makes objects for one
        without it) or an LLVM target triple such as "aarch64-linux-gnu"
        (only save_object() is available then).
    gpu_chip: target="cuda": the GPU, "sm_80", "sm_90", ...
    opt_level: 0 runs no graph optimization or fusion (the IR stays as
        loaded, easy to debug), 1 graph optimization, 2 (the default) also
        fusion, 3 also LLVM's -O3.
    cpu, features: target CPU and features (default: the host's). An
        unknown target, CPU or feature raises ValueError before any work.
    llvm_opt_level: LLVM's optimization level, 0-3 (default: opt_level's).
    approximate_math: polynomial exp/tanh/erf/log instead of libm.
    infer_shapes, canonicalize, fold_constants, evaluate_constants,
        fold_batchnorm, simplify, recompose, fuse_elementwise,
        fuse_epilogues: turn one pass on or off whatever opt_level says
        (None: as opt_level says; see pass_toggles()). fuse_epilogues:
        each GEMM or convolution computed tile by tile inside its
        epilogue's loop (bias, activation, residual add, dequantization).
        simplify: transposes into matmuls, constant chains, pads into
        convolutions and pools; fold_constants: transposes, slices, pads
        and casts of frozen weights evaluated at compile time;
        evaluate_constants: any other op on constants computed at compile
        time by running it.
    layout: the layout of convolutions and pooling: "nhwc", "nchw",
        "auto" (a cost model of the target) or "keep" (the model's);
        default "auto" from opt_level 1, else "keep". Inputs and results
        keep the model's layout, unless image_interface.
    image_interface: with layout="nhwc" or "nchw", the model takes and
        returns its images in that layout (its signature changes) and no
        transpose is left at all.
    threads: threads of the model's parallel loops (0: KILN_NUM_THREADS,
        else OMP_NUM_THREADS, else one per core); see also
        Module.set_num_threads.
    schedule: path of a transform-dialect schedule applied instead of the
        built-in CPU strategy to the ops it matches (see docs/codegen-cpu.md).
    attention_key_block: attention over more keys than this (or a run-time
        number) runs flash-style over blocks of this many keys, so memory
        grows linearly with the sequence; 0 materializes the scores
        (default: 128 from opt_level 2, else 0).
    entry: the function name an ONNX graph is imported as (default
        "forward").
    check: run onnx's model checker on ONNX input.
    freeze: {input name: numpy array} of ONNX graph inputs to freeze into
        constants. A shape input (Reshape, Expand, ConstantOfShape) may stay
        an input, read at run time; freezing it specializes the shapes. An
        axes or pads tensor that a model takes as an input must be frozen.
    quantize: int8 post-training quantization of the linear layers and
        matmuls with frozen weights (docs/quantization.md): "int8"
        (activation ranges calibrated on `calibration`), "int8-dynamic"
        (ranges measured at run time, no calibration), "int8-weights"
        (only the weights stored as int8, dequantized when the layer runs:
        smaller, not faster) or None.
    calibration: for quantize="int8", the batches the f32 model is run on:
        each a tuple of numpy arrays, one per input, or a single array for a
        one-input model.
    calibration_method: how a layer's range is chosen from the calibration
        values: "minmax", "percentile" or "mse".
    quant_error_budget: layers whose SQNR on the calibration data is below
        this many dB stay in float (see Module.report()).
    """
    for name, level in (("opt_level", opt_level),
                        ("llvm_opt_level", llvm_opt_level)):
        if level is None and name == "llvm_opt_level":
            continue
        if not isinstance(level, int) or not 0 <= level <= 3:
            raise ValueError("%s must be an int in 0-3, got %r" %
                             (name, level))
    toggles = {name.replace("_", "-"): bool(value) for name, value in (
        ("infer_shapes", infer_shapes), ("canonicalize", canonicalize),
        ("fold_constants", fold_constants),
        ("evaluate_constants", evaluate_constants),
        ("fold_batchnorm", fold_batchnorm), ("simplify", simplify),
        ("recompose", recompose), ("fuse_elementwise", fuse_elementwise),
        ("fuse_epilogues", fuse_epilogues))
        if value is not None}
    data, name, is_onnx = _read_source(source)
    if isinstance(data, bytes) and not is_onnx:
        try:
            data = data.decode("utf-8") if not data.startswith(b"ML\xefR") \
                else data
        except UnicodeDecodeError:
            raise CompileError("%s is neither ONNX nor MLIR" % name)
    batches = []
    if calibration is not None:
        if quantize != "int8":
            raise ValueError("calibration= is for quantize='int8', not %r" %
                             (quantize,))
        for batch in calibration:
            batches.append([batch] if not isinstance(batch, (tuple, list))
                           else list(batch))
    elif quantize == "int8":
        raise ValueError("quantize='int8' needs calibration= (a list of "
                         "batches of inputs); quantize='int8-dynamic' needs "
                         "none")
    gpu = target if target in ("vulkan", "cuda") else ""
    triple = "" if target in ("host", None, "") or gpu else target
    compiled = _kiln.compile(data, name, is_onnx, triple, cpu, features,
                             opt_level, llvm_opt_level, approximate_math,
                             toggles, layout, bool(image_interface), threads,
                             _os.fspath(schedule) if schedule else "",
                             attention_key_block, entry, check,
                             _frozen(freeze), quantize or "none", batches,
                             calibration_method, float(quant_error_budget),
                             gpu, gpu_chip)
    return Module(compiled, target or "host")


def import_onnx(source, entry="", check=True, freeze=None):
    """Imports an ONNX model (path, bytes or onnx.ModelProto) and returns
    the kiln-dialect MLIR text."""
    data, name, is_onnx = _read_source(source)
    if not isinstance(data, bytes):
        raise TypeError("import_onnx expects an ONNX file, bytes or "
                        "ModelProto")
    return _kiln.import_onnx(data, name, entry, check, _frozen(freeze))


def _frozen(freeze):
    import numpy as np
    return {str(k): np.asarray(v) for k, v in (freeze or {}).items()}


def pass_toggles():
    """[(name, minimum opt_level, description)] of the passes that
    compile()'s keywords of the same name turn on or off."""
    return [(name.replace("-", "_"), level, description)
            for name, level, description in _kiln.pass_toggles()]


def supported_onnx_ops():
    """[(op_type, notes)] of the ONNX operators Kiln imports."""
    return list(_kiln.supported_onnx_ops())


def rejected_onnx_ops():
    """[(op_type, reason)] of the ONNX operators Kiln rejects by design
    (data-dependent output shapes); the compile error gives the reason."""
    return list(_kiln.rejected_onnx_ops())
