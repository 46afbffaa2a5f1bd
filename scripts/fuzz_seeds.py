#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Writes the seed corpora (and dictionaries) of the libFuzzer harnesses
(tools/fuzz) from Kiln's test corpus; run by scripts/fuzz.sh.

    fuzz_seeds.py OUT_DIR [--kiln-import PATH] [--max-len HARNESS=BYTES ...]

OUT_DIR/<harness>/ gets one file per seed, named by its content's hash:

  kiln-opt-fuzzer,   every *.mlir under test/ (split on `// -----`, comment
  kiln-graph-fuzzer  lines dropped), the e2e_ops.py cases and, with
                     --kiln-import, the ONNX node tests imported to MLIR;
  onnx-import-fuzzer the models of test/Tools/Inputs/make_models.py and
                     every model.onnx of the ONNX backend test data
                     (libonnx-testdata);
  npy-fuzzer         the backend test data's input tensors as .npy, and
                     numpy-written files of every dtype, both byte orders,
                     C and Fortran order, 0-d and empty arrays, format
                     versions 1-3, truncated files.

Seeds longer than the harness's max length are left out. OUT_DIR/<name>.dict
are libFuzzer dictionaries (MLIR tokens of the test corpus; .npy header keys).
"""

import argparse
import glob
import hashlib
import io
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
ONNX_DATA = "/usr/share/libonnx-testdata/data"
MAX_LEN = {"kiln-opt-fuzzer": 8192, "kiln-graph-fuzzer": 8192,
           "onnx-import-fuzzer": 8192, "npy-fuzzer": 4096}


class Corpus:
    def __init__(self, out, harness, max_len):
        self.dir = os.path.join(out, harness)
        self.max_len = max_len
        self.count = self.skipped = 0
        os.makedirs(self.dir, exist_ok=True)

    def add(self, data):
        if isinstance(data, str):
            data = data.encode()
        if not data or len(data) > self.max_len:
            self.skipped += 1
            return
        name = hashlib.sha1(data).hexdigest()
        path = os.path.join(self.dir, name)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(data)
            self.count += 1


def strip_comments(text):
    return "\n".join(l for l in text.splitlines()
                     if not l.lstrip().startswith("//")).strip() + "\n"


def mlir_seeds(kiln_import):
    for path in sorted(glob.glob(os.path.join(ROOT, "test", "**", "*.mlir"),
                                 recursive=True)):
        with open(path) as f:
            text = f.read()
        for chunk in re.split(r"^// -----.*$", text, flags=re.M):
            chunk = strip_comments(chunk)
            if chunk.strip():
                yield chunk
    sys.path.insert(0, os.path.join(ROOT, "test", "e2e"))
    import e2e_ops  # noqa: E402  (builds its cases on import)
    for case in e2e_ops.cases:
        yield case.mlir
    if kiln_import and os.access(kiln_import, os.X_OK):
        models = sorted(glob.glob(os.path.join(ONNX_DATA, "node", "*",
                                               "model.onnx")))

        def run(model):
            return subprocess.run([kiln_import, model], capture_output=True,
                                  timeout=120)
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            for r in pool.map(run, models):
                if r.returncode == 0:
                    yield strip_comments(r.stdout.decode())


def onnx_seeds():
    sys.path.insert(0, os.path.join(ROOT, "test", "Tools", "Inputs"))
    import make_models  # noqa: E402
    for make in make_models.MODELS.values():
        yield make().SerializeToString()
    for path in sorted(glob.glob(os.path.join(ONNX_DATA, "*", "*",
                                              "model.onnx"))):
        with open(path, "rb") as f:
            yield f.read()


def npy_bytes(array, version=None):
    buf = io.BytesIO()
    if version is None:
        np.lib.format.write_array(buf, array, allow_pickle=False)
    else:
        np.lib.format.write_array(buf, array, version=version,
                                  allow_pickle=False)
    return buf.getvalue()


def npy_seeds():
    rng = np.random.default_rng(0)
    shapes = [(), (0,), (1,), (5,), (2, 3), (0, 3), (3, 0, 2), (2, 1, 3, 2),
              (1, 1, 1, 1, 1, 1)]
    dtypes = ["<f2", "<f4", "<f8", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2",
              "<u4", "<u8", "|b1", "<c8", "<c16", ">f4", ">f8", ">i4", ">i8",
              ">f2", "<U3", "|S4", "<M8[s]"]
    for dtype in dtypes:
        for shape in shapes:
            a = (rng.standard_normal(shape) * 10).astype(dtype)
            yield npy_bytes(a)
    for shape in [(2, 3), (3, 2, 2)]:
        yield npy_bytes(np.asfortranarray(rng.standard_normal(shape)
                                          .astype(np.float32)))
    for version in [(1, 0), (2, 0), (3, 0)]:
        yield npy_bytes(np.arange(6, dtype=np.float32).reshape(2, 3), version)
        yield npy_bytes(np.zeros((), np.int64), version)
    # Truncated data and truncated headers.
    whole = npy_bytes(np.arange(12, dtype=np.int32).reshape(3, 4))
    for cut in [8, 10, 20, 60, len(whole) - 1]:
        yield whole[:cut]
    # Structured dtypes and object arrays are written as such by numpy.
    yield npy_bytes(np.zeros(3, dtype=[("a", "<f4"), ("b", "<i8")]))
    from onnx import TensorProto, numpy_helper
    inputs = sorted(glob.glob(os.path.join(ONNX_DATA, "*", "*",
                                           "test_data_set_0", "input_*.pb")))
    for path in inputs:
        if os.path.getsize(path) > 4096:
            continue
        t = TensorProto()
        with open(path, "rb") as f:
            t.ParseFromString(f.read())
        try:
            a = numpy_helper.to_array(t)
        except Exception:  # noqa: BLE001 (sequence/optional inputs)
            continue
        if a.dtype != object:
            yield npy_bytes(np.ascontiguousarray(a))


def dict_line(token):
    escaped = "".join(c if 32 <= ord(c) < 127 and c not in '"\\'
                      else "\\x%02x" % ord(c) for c in token)
    return f'"{escaped}"\n'


def mlir_dict(seeds):
    tokens = set()
    for text in seeds:
        tokens.update(re.findall(r"(?<![@%^\w.#])[a-z_][a-z_0-9.]*(?=[ <(=:])|"
                                 r"#kiln\.[a-z_]+|"
                                 r"tensor<|x\?x|\?x|xf32|xf16|xbf16|xi64|xi8|"
                                 r"xi1|dense<|dense_resource<", text))
    tokens |= {"func.func", "return", "kiln.", "dense<", "tensor<", "f32",
               "f64", "i64", "-> ", ": ", "%arg0", "{", "}", "(", ")", "[",
               "]", " = ", "x", "?", "0x7FC00000", "-1", "9223372036854775807"}
    return sorted(t for t in tokens if 1 <= len(t) <= 40)


NPY_DICT = ["\x93NUMPY", "\x01\x00", "\x02\x00", "\x03\x00", "'descr': ",
            "'fortran_order': ", "'shape': ", "True", "False", "(", ")", ",",
            "'<f4'", "'<f8'", "'<f2'", "'|i1'", "'<i2'", "'<i4'", "'<i8'",
            "'|b1'", "'>f4'", "{", "}", "\n", " ", "9223372036854775807",
            "4294967296", "-1", "0"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--kiln-import")
    ap.add_argument("--max-len", action="append", default=[],
                    metavar="HARNESS=BYTES")
    args = ap.parse_args()
    for item in args.max_len:
        name, _, value = item.partition("=")
        MAX_LEN[name] = int(value)
    mlir = list(mlir_seeds(args.kiln_import))
    for harness in ("kiln-opt-fuzzer", "kiln-graph-fuzzer"):
        corpus = Corpus(args.out, harness, MAX_LEN[harness])
        for seed in mlir:
            corpus.add(seed)
        print(f"{harness}: {corpus.count} seeds ({corpus.skipped} too long)")
    with open(os.path.join(args.out, "kiln-opt.dict"), "w") as f:
        f.writelines(dict_line(t) for t in mlir_dict(mlir))
    corpus = Corpus(args.out, "onnx-import-fuzzer",
                    MAX_LEN["onnx-import-fuzzer"])
    for seed in onnx_seeds():
        corpus.add(seed)
    print(f"onnx-import-fuzzer: {corpus.count} seeds "
          f"({corpus.skipped} too long)")
    corpus = Corpus(args.out, "npy-fuzzer", MAX_LEN["npy-fuzzer"])
    for seed in npy_seeds():
        corpus.add(seed)
    print(f"npy-fuzzer: {corpus.count} seeds ({corpus.skipped} too long)")
    with open(os.path.join(args.out, "npy.dict"), "w") as f:
        f.writelines(dict_line(t) for t in NPY_DICT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
