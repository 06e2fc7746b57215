#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""An independent reader of the DSS key containers credroam writes (issue 19).

read_dss_key.py split TOKEN OUTDIR
    TOKEN is a type-2 roaming token (a CAPI key container of the Enhanced
    DSS and Diffie-Hellman provider).  Writes OUTDIR/x.blob (the DPAPI
    blob of the signature private key) and OUTDIR/flag.blob (its export
    flag), prints the container name.
read_dss_key.py check TOKEN XFILE CERT
    XFILE is x.blob decrypted (credroam dpapi unprotect, no entropy).
    Builds the DSA key with the Python cryptography library from the
    container's public section and x, checks y = g^x mod p, that it is the
    certificate's key and that a signature it makes verifies with the
    certificate; prints "ok DSS4 <bits>".

Written from Microsoft's public descriptions (the CAPI key container
header, BLOBHEADER, DSSPRIVKEY_VER3 "DSS4": p, q, g, j, y little-endian)
and mimikatz's reading of a DSS container (the public section is the
version-3 private blob without x; the private key decrypts to x), not from
credroam's code.
"""
import struct
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa


def token_data(path):
    raw = open(path, "rb").read()
    assert raw[:3] == b"%2\\", "not a type-2 token"
    (n,) = struct.unpack_from("<I", raw, 0x80)
    assert len(raw) == 0x84 + n, "token length"
    return raw[0x84:]


def container(token):
    d = token_data(token)
    (ver, _, name_len, si_pub, si_priv, ex_pub, ex_priv, hash_len, si_flag,
     ex_flag) = struct.unpack_from("<10I", d, 0)
    assert ver == 2, "container version"
    off = 40
    name = d[off:off + name_len]
    assert name.endswith(b"\0")
    off += name_len + hash_len
    parts = {}
    for key, n in (("si_pub", si_pub), ("si_priv", si_priv),
                   ("si_flag", si_flag), ("ex_pub", ex_pub),
                   ("ex_priv", ex_priv), ("ex_flag", ex_flag)):
        parts[key] = d[off:off + n]
        off += n
    assert off == len(d), "container length"
    assert not parts["ex_priv"], "a DSA key signs: no exchange key expected"
    return name[:-1].decode("ascii"), parts


def le(b):
    return int.from_bytes(b, "little")


def dss4_public(b):
    btype, bver, _, alg = struct.unpack_from("<BBHI", b, 0)
    magic, bp, bq, bj, bx, counter = struct.unpack_from("<4s5I", b, 8)
    assert (btype, bver, alg, magic) == (7, 3, 0x2200, b"DSS4"), b[:12]
    off = 52
    vals = []
    for n in (bp // 8, bq // 8, bp // 8, (bj + 7) // 8, bp // 8):
        vals.append(b[off:off + n])
        off += n
    assert off == len(b), "DSS4 length"
    p, q, g, _, y = (le(v) for v in vals)
    return bp, p, q, g, y


def main():
    cmd = sys.argv[1]
    if cmd == "split":
        name, parts = container(sys.argv[2])
        open(sys.argv[3] + "/x.blob", "wb").write(parts["si_priv"])
        open(sys.argv[3] + "/flag.blob", "wb").write(parts["si_flag"])
        print(name)
    elif cmd == "check":
        _, parts = container(sys.argv[2])
        bits, p, q, g, y = dss4_public(parts["si_pub"])
        xb = open(sys.argv[3], "rb").read()
        assert len(xb) == 20, "x is %d bytes" % len(xb)
        x = le(xb)
        assert pow(g, x, p) == y, "y is not g^x mod p"
        key = dsa.DSAPrivateNumbers(x, dsa.DSAPublicNumbers(
            y, dsa.DSAParameterNumbers(p, q, g))).private_key()
        cert = x509.load_pem_x509_certificate(open(sys.argv[4], "rb").read())
        cn = cert.public_key().public_numbers()
        assert (cn.y, cn.parameter_numbers.p, cn.parameter_numbers.q,
                cn.parameter_numbers.g) == (y, p, q, g), \
            "not the certificate's key"
        sig = key.sign(b"roam me", hashes.SHA256())
        cert.public_key().verify(sig, b"roam me", hashes.SHA256())
        print("ok DSS4", bits)


main()
