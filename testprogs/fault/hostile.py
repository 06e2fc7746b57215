#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""hostile.py DN OTHER_DN: hostile roaming values for test_hostile.sh.

Prints one line per case, "<case> <attribute> <DN-Binary value>", each
something a broken or malicious client could write into a user's object:
path traversal identifiers (CVE-2022-30170), lengths that lie, a hash that
does not match, an unknown type, two values with one identity and
different content, a 1 MiB value, a DN part that names another object.
"""
import hashlib
import struct
import sys
import time

CREDS = "msPKIAccountCredentials"
MKEYS = "msPKIDPAPIMasterKeys"


def filetime(offset=0):
    return int((time.time() + offset + 11644473600) * 10000000)


def token(ttype, ident, data, flags=0, sha=None, dlen=None, extra=b"",
          elen=None, ft=None):
    if isinstance(ident, str):
        ident = ident.encode()
    head = b"%" + str(ttype).encode() + b"\\" + ident.ljust(93, b"\0")[:93]
    head += struct.pack("<QHH", filetime() if ft is None else ft, flags,
                        len(extra) if elen is None else elen)
    head += hashlib.sha1(data).digest() if sha is None else sha
    head += struct.pack("<I", len(data) if dlen is None else dlen)
    return head + data + extra


def value(raw, dn):
    h = raw.hex().upper()
    return "B:%d:%s:%s" % (len(h), h, dn)


def thumb(seed):
    return hashlib.sha1(seed.encode()).hexdigest().upper()


def main():
    dn, other = sys.argv[1], sys.argv[2]
    data = bytes(range(256)) * 4
    cases = [
        ("traversal-backslash", CREDS,
         token(3, "..\\..\\..\\..\\..\\evil-backslash", data)),
        ("traversal-slash", CREDS,
         token(1, "../../../../../evil-slash", data)),
        ("traversal-absolute", CREDS, token(9, "/tmp/evil-absolute", data)),
        ("traversal-cve-2022-30170", CREDS,
         token(3, "..\\..\\Windows\\Start Menu\\Programs\\Startup\\"
               "malicious.bat", b"echo off\r\nstart calc.exe")),
        ("length-past-end", CREDS,
         token(7, thumb("past-end"), data, dlen=len(data) + 1000)),
        ("length-short-trailing", CREDS,
         token(7, thumb("short"), data, dlen=len(data) - 10)),
        ("extra-length-lies", CREDS,
         token(7, thumb("extra"), data, elen=500)),
        ("hash-mismatch", CREDS,
         token(7, thumb("hash"), data, sha=b"\x11" * 20)),
        ("unknown-type-5", CREDS, token(5, thumb("type5"), data)),
        ("masterkey-in-credentials", CREDS,
         token(0, "11111111-2222-3333-4444-555555555555", data)),
        ("one-mib", CREDS, token(7, thumb("big"), b"\x5a" * (1024 * 1024))),
        ("other-dn", CREDS, token(7, thumb("other-dn"), data)),
        ("empty", MKEYS, b""),
        ("not-a-token", MKEYS, b"this is not a roaming token at all"),
    ]
    for name, attr, raw in cases:
        owner = other if name == "other-dn" else dn
        print("%s %s %s" % (name, attr, value(raw, owner)))


if __name__ == "__main__":
    main()
