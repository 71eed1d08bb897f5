# SPDX-License-Identifier: ISC
"""Transaction log files, read independently of zkd, to damage them on purpose.

The format is the one src/txnlog.h writes down:

  file        := FileHeader entry* padding
  FileHeader  := int magic ("ZKLG"), int version (2), long dbid
  entry       := long checksum (Adler32 of txnEntry), int length,
                 txnEntry, byte 0x42
  txnEntry    := TxnHeader (long clientId, int cxid, long zxid,
                 long time, int type), txn record ...

  zklog.py entries FILE       one line per entry: "OFFSET SIZE ZXID TYPE"
                              (SIZE is the whole entry, checksum to 'B'),
                              then "end OFFSET" (where the entries end:
                              padding, the end of the file or a bad entry)
                              and "size BYTES"
  zklog.py flip FILE OFFSET   inverts the byte at OFFSET in place
  zklog.py zeros FILE OFFSET  exit 0 if bytes follow OFFSET and all are zero
"""
import struct
import sys
import zlib

MAGIC = 0x5A4B4C47
HEADER = 16


def entries(data):
    """[(offset, size, zxid, type)] of the valid entries, and their end."""
    out = []
    if len(data) < HEADER or struct.unpack(">i", data[:4])[0] != MAGIC:
        return out, 0
    off = HEADER
    while off + 12 <= len(data):
        csum, n = struct.unpack(">qi", data[off:off + 12])
        if csum == 0 and n == 0:
            break
        if n < 36 or off + 12 + n + 1 > len(data):
            break
        body = data[off + 12:off + 12 + n]
        if zlib.adler32(body) != csum or data[off + 12 + n] != 0x42:
            break
        zxid = struct.unpack(">q", body[12:20])[0]
        ttype = struct.unpack(">i", body[28:32])[0]
        out.append((off, 12 + n + 1, zxid, ttype))
        off += 12 + n + 1
    return out, off


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 64
    cmd, path = argv[1], argv[2]
    if cmd == "entries" and len(argv) == 3:
        with open(path, "rb") as f:
            data = f.read()
        found, end = entries(data)
        for off, size, zxid, ttype in found:
            print("%d %d 0x%x %d" % (off, size, zxid, ttype))
        print("end %d" % end)
        print("size %d" % len(data))
        return 0
    if cmd == "flip" and len(argv) == 4:
        off = int(argv[3])
        with open(path, "r+b") as f:
            f.seek(off)
            b = f.read(1)
            if len(b) != 1:
                print("%s: no byte at %d" % (path, off), file=sys.stderr)
                return 1
            f.seek(off)
            f.write(bytes([b[0] ^ 0xFF]))
        return 0
    if cmd == "zeros" and len(argv) == 4:
        off = int(argv[3])
        with open(path, "rb") as f:
            f.seek(off)
            rest = f.read()
        return 0 if rest and rest.count(0) == len(rest) else 1
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
