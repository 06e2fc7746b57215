#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Build one credential roaming token for the integration tests.

mktoken.py TYPE IDENTIFIER AGE_SECONDS DATA OUT [--tombstone]

AGE_SECONDS: how long ago the token was modified (negative: in the
future); DATA: a file, or "-" for none.  The layout is the one of
spec/roaming.md 2 (the project's own codec checks it when it reads it).
"""
import hashlib
import struct
import sys
import time


def main():
    args = [a for a in sys.argv[1:] if a != "--tombstone"]
    tombstone = "--tombstone" in sys.argv
    if len(args) != 5:
        sys.exit(__doc__)
    ttype, ident, age, data_path, out = args
    data = b"" if data_path == "-" else open(data_path, "rb").read()
    unix = time.time() - float(age)
    filetime = int((unix + 11644473600) * 10**7)
    flags = 1 if tombstone else 0
    idf = ident.encode("ascii").ljust(93, b"\0")
    tok = (b"%" + ttype.encode() + b"\\" + idf +
           struct.pack("<QHH", filetime, flags, 0) +
           hashlib.sha1(data).digest() + struct.pack("<I", len(data)) + data)
    open(out, "wb").write(tok)


main()
