#!/usr/bin/env python3
"""bench/gen_evtx.py SRC OUT MB - an EVTX file of about MB megabytes made by
repeating the chunks of SRC (a real .evtx), with a valid file header (chunk
count, last chunk number and checksum updated). For the benchmark only."""
import struct, sys, zlib

src, out, mb = sys.argv[1], sys.argv[2], float(sys.argv[3])
data = open(src, "rb").read()
head = bytearray(data[:4096])
chunks = [data[i:i + 65536] for i in range(4096, len(data) - 65535, 65536)]
chunks = [c for c in chunks if c[:8] == b"ElfChnk\0"]
n = max(1, min(65535, int(mb * 1e6 / 65536)))
struct.pack_into("<Q", head, 8, 0)            # first chunk number
struct.pack_into("<Q", head, 16, n - 1)       # last chunk number
struct.pack_into("<H", head, 42, n)           # number of chunks
flags = struct.unpack_from("<I", head, 120)[0] & ~1   # not dirty
struct.pack_into("<I", head, 120, flags)
struct.pack_into("<I", head, 124, zlib.crc32(bytes(head[:120])))
with open(out, "wb") as f:
    f.write(head)
    for i in range(n):
        f.write(chunks[i % len(chunks)])
