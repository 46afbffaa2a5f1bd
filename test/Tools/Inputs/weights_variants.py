# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Writes damaged copies of a Kiln weights file (include/kiln/Target/Weights.h)
into a folder: truncated, one data byte flipped (corrupt), a wrong magic, a
wrong version, and a header checksum of another model (with the file
otherwise intact)."""
import os
import struct
import sys

src, out = sys.argv[1], sys.argv[2]
data = bytearray(open(src, "rb").read())
assert data[:8] == b"KILNWTS\0", "not a weights file"
assert struct.unpack_from("<Q", data, 16)[0] == len(data)


def write(name, content):
    with open(os.path.join(out, name), "wb") as f:
        f.write(content)


write("truncated.weights", data[: len(data) - 64])
corrupt = bytearray(data)
corrupt[64 + (len(data) - 64) // 2] ^= 0x10
write("corrupt.weights", corrupt)
magic = bytearray(data)
magic[:8] = b"NOTKILN\0"
write("magic.weights", magic)
version = bytearray(data)
struct.pack_into("<I", version, 8, 99)
write("version.weights", version)
other = bytearray(data)
struct.pack_into("<Q", other, 24, struct.unpack_from("<Q", data, 24)[0] ^ 1)
write("other-checksum.weights", other)
