#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""An independent reader of what credroam writes for an EC key (issue 19).

read_cng_key.py split TOKEN OUTDIR
    TOKEN is a type-9 roaming token.  Writes OUTDIR/privkey.blob (the
    DPAPI blob of the private key) and prints the container name.
read_cng_key.py check TOKEN BCRYPTBLOB CERT
    BCRYPTBLOB is that blob decrypted (credroam dpapi unprotect).  Builds the
    key with the Python cryptography library, checks it against the key
    file's public blob and the certificate, prints "ok <magic> <curve>".
read_cng_key.py provinfo CERTTOKEN
    Prints the key provider info of a certificate token: container,
    provider, dwProvType, dwKeySpec.

Written from the public format descriptions (BCRYPT_ECCKEY_BLOB, MIB1, the
CNG key file, CRYPT_KEY_PROV_INFO), not from credroam's code.
"""
import struct
import sys

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

CURVES = {b"1": ec.SECP256R1, b"2": ec.SECP256R1, b"3": ec.SECP384R1,
          b"4": ec.SECP384R1, b"5": ec.SECP521R1, b"6": ec.SECP521R1}


def token_data(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack_from("<I", raw, 0x80)
    assert len(raw) == 0x84 + n, "token length"
    return raw[0x84:]


def key_file(token):
    d = token_data(token)
    assert d[:4] == b"MIB1", "not MIB1"
    h = struct.unpack_from("<16I", d, 4)
    name_chars, fname_len, key_len, lf_len, lk_len = h[:5]
    mk_lens = h[5:13]
    off = 68
    name = d[off:off + 2 * name_chars].decode("utf-16-le")
    off += 2 * name_chars + fname_len
    kf = d[off:off + key_len]
    off += key_len + lf_len + lk_len
    for n in mk_lens:
        if n:
            off += 16 + n
    assert off == len(d), "MIB1 length"
    return name, kf


def parse_key_file(kf):
    ver, _, name_len, typ, pub_len, pp_len, pk_len = struct.unpack_from(
        "<7I", kf, 0)
    assert ver == 1
    off = 44
    name = kf[off:off + name_len].decode("utf-16-le")
    off += name_len
    pub = kf[off:off + pub_len]
    off += pub_len + pp_len
    priv = kf[off:off + pk_len]
    assert off + pk_len == len(kf), "key file length"
    props = {}
    o = 0
    while o < len(pub):
        sl, t, _, nl, vl = struct.unpack_from("<5I", pub, o)
        pname = pub[o + 20:o + 20 + nl].decode("utf-16-le")
        props[(t, pname)] = pub[o + 20 + nl:o + 20 + nl + vl]
        o += sl
    return name, props, priv


def ecc_blob(b):
    magic, cb = struct.unpack_from("<4sI", b, 0)
    assert magic[:2] == b"EC" and magic[2:3] in (b"S", b"K"), magic
    vals = [int.from_bytes(b[8 + i * cb:8 + (i + 1) * cb], "big")
            for i in range((len(b) - 8) // cb)]
    assert len(b) == 8 + len(vals) * cb
    return magic, CURVES[magic[3:4]](), vals


def main():
    cmd = sys.argv[1]
    if cmd == "split":
        name, kf = key_file(sys.argv[2])
        fname, props, priv = parse_key_file(kf)
        assert fname == name
        open(sys.argv[3] + "/privkey.blob", "wb").write(priv)
        print(name)
    elif cmd == "check":
        _, kf = key_file(sys.argv[2])
        _, props, _ = parse_key_file(kf)
        magic, curve, (x, y, d) = ecc_blob(open(sys.argv[3], "rb").read())
        key = ec.derive_private_key(d, curve)
        pn = key.public_key().public_numbers()
        assert (pn.x, pn.y) == (x, y), "d does not give X, Y"
        pmagic, _, (px, py) = ecc_blob(props[(10, "")])
        assert (px, py) == (x, y), "public blob differs"
        assert pmagic[:3] == magic[:3]
        cert = x509.load_pem_x509_certificate(open(sys.argv[4], "rb").read())
        cn = cert.public_key().public_numbers()
        assert (cn.x, cn.y) == (x, y), "not the certificate's key"
        assert cn.curve.name == curve.name
        print("ok", magic.decode(), curve.name)
    elif cmd == "provinfo":
        d = token_data(sys.argv[2])
        o = 0
        while o < len(d):
            pid, _, cb = struct.unpack_from("<3I", d, o)
            v = d[o + 12:o + 12 + cb]
            if pid == 2:
                oc, op, ptype, flags, _, _, spec = struct.unpack_from(
                    "<7I", v, 0)

                def s(at):
                    end = at
                    while v[end:end + 2] != b"\0\0":
                        end += 2
                    return v[at:end].decode("utf-16-le")
                print("%s|%s|%d|%d|%d" % (s(oc), s(op), ptype, spec, flags))
            o += 12 + cb


main()
