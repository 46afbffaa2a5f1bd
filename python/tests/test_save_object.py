# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""save_object: the symbol prefix (validated, applied to every exported
symbol), files written all or nothing, the JIT's code reused, and external
weights."""

import subprocess

import numpy as np
import pytest

import kiln

MLIR_SCALE = """
func.func @forward(%x: tensor<?x3xf32> {kiln.name = "x"})
    -> (tensor<?x3xf32> {kiln.name = "double"}) {
  %c = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %0 = kiln.mul %x, %c : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
"""

MLIR_SHIFT = """
func.func @forward(%x: tensor<?x3xf32> {kiln.name = "x"})
    -> (tensor<?x3xf32> {kiln.name = "y"}) {
  %c = kiln.constant dense<[10.0, 20.0, 30.0]> : tensor<3xf32>
  %0 = kiln.add %x, %c : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
"""


def exported_symbols(obj):
    out = subprocess.run(["llvm-nm-22", "--defined-only", "--extern-only",
                          "--just-symbol-name", str(obj)], check=True,
                         capture_output=True, text=True).stdout
    return out.split()


@pytest.mark.parametrize("prefix, rule", [
    ("", "must not be empty"),
    ("my.model", r"must be a C identifier \(\[A-Za-z_\]\[A-Za-z0-9_\]\*\)"),
    ("1model", "must be a C identifier"),
    ("h\u00e9", "must be a C identifier"),
    ("double", "must not be a C or C\\+\\+ keyword"),
    ("class", "must not be a C or C\\+\\+ keyword"),
    ("_mlir_x", "must not start with '_mlir'"),
])
def test_invalid_prefix_raises_and_writes_nothing(tmp_path, prefix, rule):
    m = kiln.compile(MLIR_SCALE)
    with pytest.raises(ValueError, match="invalid symbol prefix '%s': it %s"
                       % (prefix.replace(".", r"\."), rule)):
        m.save_object(tmp_path / "m.o", header=tmp_path / "m.h",
                      prefix=prefix)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_header_leaves_no_files(tmp_path):
    m = kiln.compile(MLIR_SCALE)
    obj = tmp_path / "m.o"
    obj.write_bytes(b"old object")
    with pytest.raises(OSError, match="cannot write '.*missing/m.h'"):
        m.save_object(obj, header=tmp_path / "missing" / "m.h")
    # The old object is untouched and no temporary file is left behind.
    assert obj.read_bytes() == b"old object"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.o"]


def test_unwritable_object_leaves_no_files(tmp_path):
    m = kiln.compile(MLIR_SCALE)
    with pytest.raises(OSError, match="cannot write"):
        m.save_object(tmp_path / "missing" / "m.o", header=tmp_path / "m.h")
    assert list(tmp_path.iterdir()) == []


MLIR_UNLOWERABLE = """
func.func @forward(%m: tensor<4xi1>) -> tensor<4xi1> {
  %0 = kiln.add %m, %m : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}
"""


def test_failed_compilation_leaves_no_files(tmp_path):
    # A cross target is not JIT-compiled, so lowering first fails in
    # save_object.
    m = kiln.compile(MLIR_UNLOWERABLE, target="aarch64-linux-gnu")
    with pytest.raises(kiln.CompileError, match="arithmetic on i1"):
        m.save_object(tmp_path / "m.o", header=tmp_path / "m.h")
    assert list(tmp_path.iterdir()) == []


def test_prefix_names_every_exported_symbol(tmp_path):
    m = kiln.compile(MLIR_SCALE)
    m.save_object(tmp_path / "m.o", header=tmp_path / "m.h", prefix="scale")
    assert exported_symbols(tmp_path / "m.o") == ["_mlir_ciface_scale_forward"]
    text = (tmp_path / "m.h").read_text()
    assert "#ifndef SCALE_H" in text
    assert "void _mlir_ciface_scale_forward(" in text
    # The output named `double` is a C keyword: the header calls it double_.
    assert ("static inline int scale_forward(const float *x, int64_t x_d0, "
            "int64_t x_d1, float *double_, int64_t double__d0, "
            "int64_t double__d1)") in text
    # The default prefix is kiln.
    m.save_object(tmp_path / "k.o")
    assert exported_symbols(tmp_path / "k.o") == ["_mlir_ciface_kiln_forward"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.o", "m.h", "m.o"]


def test_two_models_link_into_one_program(tmp_path):
    kiln.compile(MLIR_SCALE).save_object(tmp_path / "s.o",
                                         header=tmp_path / "s.h", prefix="s")
    kiln.compile(MLIR_SHIFT).save_object(tmp_path / "t.o",
                                         header=tmp_path / "t.h", prefix="t")
    driver = tmp_path / "main.c"
    driver.write_text("""
#include "s.h"
#include "t.h"
int main(void) {
  const float x[2 * 3] = {1, 2, 3, 4, 5, 6};
  float y[2 * 3], z[2 * 3];
  if (s_forward(x, 2, 3, y, 2, 3)) { puts(s_last_error()); return 1; }
  if (t_forward(y, 2, 3, z, 2, 3)) { puts(t_last_error()); return 1; }
  for (int i = 0; i < 6; ++i) printf("%g %g\\n", y[i], z[i]);
  return 0;
}
""")
    exe = tmp_path / "main"
    subprocess.run(["clang-22", "-Wall", "-Werror", "-I", str(tmp_path),
                    str(driver), str(tmp_path / "s.o"), str(tmp_path / "t.o"),
                    "-lm", "-lomp", "-o", str(exe)], check=True)
    out = subprocess.run([str(exe)], check=True, capture_output=True,
                         text=True).stdout.split()
    got = np.array(out, np.float32).reshape(6, 2)
    x = np.arange(1, 7, dtype=np.float32).reshape(2, 3)
    y = x * np.array([1, 2, 3], np.float32)
    np.testing.assert_array_equal(got[:, 0], y.ravel())
    np.testing.assert_array_equal(got[:, 1], (y + [10, 20, 30]).ravel())


LINEAR_WEIGHTS = [[1.0, -1.0, 0.5, 2.0], [0.25, 1.0, -2.0, 1.0],
                  [1.0, 1.0, 1.0, 1.0], [-1.0, 0.5, 0.0, 3.0],
                  [2.0, 0.0, 1.0, -1.0], [0.5, 0.5, 0.5, 0.5],
                  [1.0, 2.0, 3.0, 4.0], [-0.5, 1.5, -2.5, 0.0]]

MLIR_LINEAR = """
func.func @forward(%x: tensor<?x8xf32> {kiln.name = "x"})
    -> (tensor<?x4xf32> {kiln.name = "y"}) {
  %w = kiln.constant dense<[[1.0, -1.0, 0.5, 2.0], [0.25, 1.0, -2.0, 1.0],
                            [1.0, 1.0, 1.0, 1.0], [-1.0, 0.5, 0.0, 3.0],
                            [2.0, 0.0, 1.0, -1.0], [0.5, 0.5, 0.5, 0.5],
                            [1.0, 2.0, 3.0, 4.0], [-0.5, 1.5, -2.5, 0.0]]>
      : tensor<8x4xf32>
  %0 = kiln.matmul %x, %w : (tensor<?x8xf32>, tensor<8x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
"""

LINEAR_DRIVER = """
#include "%(p)s.h"
int main(int argc, char **argv) {
  float x[3 * 8], y[3 * 4];
  for (int i = 0; i < 24; ++i) x[i] = (float)(i %% 7) - 3.0f;
  (void)argc, (void)argv;
  %(load)s
  if (%(p)s_forward(x, 3, 8, y, 3, 4)) { puts(%(p)s_last_error()); return 1; }
  for (int i = 0; i < 12; ++i) printf("%%g\\n", y[i]);
  return 0;
}
"""


def run_linear(tmp_path, prefix, *args):
    driver = tmp_path / (prefix + "_main.c")
    load = ("if (%s_load_weights(argv[1])) { puts(%s_last_error()); "
            "return 1; }" % (prefix, prefix)) if args else ""
    driver.write_text(LINEAR_DRIVER % {"p": prefix, "load": load})
    exe = tmp_path / (prefix + "_main")
    subprocess.run(["clang-22", "-Wall", "-Werror", "-I", str(tmp_path),
                    str(driver), str(tmp_path / (prefix + ".o")), "-lm",
                    "-lomp", "-o", str(exe)], check=True)
    out = subprocess.run([str(exe), *map(str, args)], check=True,
                         capture_output=True, text=True).stdout.split()
    return np.array(out, np.float32).reshape(3, 4)


def linear_reference(m):
    x = (np.arange(24) % 7 - 3).astype(np.float32).reshape(3, 8)
    return x, m(x)


def test_save_object_reuses_the_jit_code(tmp_path):
    m = kiln.compile(MLIR_LINEAR)
    m.save_object(tmp_path / "lin.o", header=tmp_path / "lin.h", prefix="lin")
    # The object is the JIT's, symbols prefixed and localized: it still has
    # the JIT's packed wrapper (local), which an AOT compilation lacks.
    symbols = subprocess.run(["llvm-nm-22", str(tmp_path / "lin.o")],
                             check=True, capture_output=True,
                             text=True).stdout
    assert " t _mlir__mlir_ciface_forward" in symbols
    assert exported_symbols(tmp_path / "lin.o") == ["_mlir_ciface_lin_forward"]
    x, want = linear_reference(m)
    np.testing.assert_allclose(x @ np.array(LINEAR_WEIGHTS), want, rtol=1e-6)
    np.testing.assert_array_equal(run_linear(tmp_path, "lin"), want)
    # Saved twice, under another prefix, from the same code.
    m.save_object(tmp_path / "lin2.o", header=tmp_path / "lin2.h",
                  prefix="lin2")
    np.testing.assert_array_equal(run_linear(tmp_path, "lin2"), want)


def test_save_object_with_external_weights(tmp_path):
    m = kiln.compile(MLIR_LINEAR)
    m.save_object(tmp_path / "ext.o", header=tmp_path / "ext.h",
                  prefix="ext", weights="external")
    weights = tmp_path / "ext.weights"
    assert weights.read_bytes()[:8] == b"KILNWTS\0"
    assert sorted(exported_symbols(tmp_path / "ext.o")) == [
        "_kiln_ext_weights", "_kiln_ext_weights_info",
        "_mlir_ciface_ext_forward"]
    _, want = linear_reference(m)
    np.testing.assert_array_equal(run_linear(tmp_path, "ext", weights), want)
    # An explicit weights path; then the embedded default again.
    m.save_object(tmp_path / "e2.o", header=tmp_path / "e2.h", prefix="e2",
                  weights="external", weights_path=tmp_path / "w.bin")
    np.testing.assert_array_equal(
        run_linear(tmp_path, "e2", tmp_path / "w.bin"), want)
    m.save_object(tmp_path / "emb.o", header=tmp_path / "emb.h", prefix="emb")
    assert exported_symbols(tmp_path / "emb.o") == ["_mlir_ciface_emb_forward"]


def test_bad_weights_arguments_raise_and_write_nothing(tmp_path):
    m = kiln.compile(MLIR_LINEAR)
    with pytest.raises(ValueError, match="weights must be 'embedded' or "
                                         "'external', got 'shared'"):
        m.save_object(tmp_path / "m.o", weights="shared")
    with pytest.raises(ValueError, match="weights_path needs "
                                         "weights='external'"):
        m.save_object(tmp_path / "m.o", weights_path=tmp_path / "w")
    with pytest.raises(OSError, match="cannot write '.*missing/w.weights'"):
        m.save_object(tmp_path / "m.o", header=tmp_path / "m.h",
                      weights="external",
                      weights_path=tmp_path / "missing" / "w.weights")
    assert list(tmp_path.iterdir()) == []
