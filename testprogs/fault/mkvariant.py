#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""mkvariant.py IN OUT FRIENDLY_NAME FILETIME_OFFSET_SECONDS

A changed copy of a certificate token (type 3 or 7): a friendly-name
property (CERT_FRIENDLY_NAME_PROP_ID 11, UTF-16LE) put in front of the
certificate-store element, FILETIME set to now + offset, SHA-1 and data
length recomputed.  The identity stays the same, the content differs:
what a user renaming the certificate on one machine produces.
"""
import hashlib
import struct
import sys
import time


def main():
    src, dst, name, offset = sys.argv[1], sys.argv[2], sys.argv[3], \
        int(sys.argv[4])
    raw = open(src, "rb").read()
    extra_len = struct.unpack_from("<H", raw, 0x6a)[0]
    data_len = struct.unpack_from("<I", raw, 0x80)[0]
    data = raw[0x84:0x84 + data_len]
    extra = raw[0x84 + data_len:0x84 + data_len + extra_len]
    value = (name + "\0").encode("utf-16-le")
    prop = struct.pack("<III", 11, 1, len(value)) + value
    data = prop + data
    filetime = int((time.time() + offset + 11644473600) * 10000000)
    head = bytearray(raw[:0x84])
    struct.pack_into("<Q", head, 0x60, filetime)
    head[0x6c:0x80] = hashlib.sha1(data).digest()
    struct.pack_into("<I", head, 0x80, len(data))
    open(dst, "wb").write(bytes(head) + data + extra)


if __name__ == "__main__":
    main()
