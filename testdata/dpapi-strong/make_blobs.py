#!/usr/bin/python3
"""Independent (Python, not credroam) maker of DPAPI blobs protected with a
"strong" password, from the formula in mimikatz kull_m_dpapi_unprotect_blob
and DPAPIck3 crypto.CryptSessionKeyXP/Win7 (read, not copied): the password's
hash (SHA-512 for SHA-512 blobs, SHA-1 for SHA-1 blobs, of its UTF-16LE form
without NUL) follows the entropy in the session key; the sign is computed as
for any blob.  Fixed salt and sign nonce, so the output is reproducible."""
import hashlib
import hmac
import struct
import sys

from Cryptodome.Cipher import AES, DES3

PROVIDER = bytes.fromhex('d08c9ddf0115d1118c7a00c04fc297eb')
MK = bytes(range(64))
MK_GUID = bytes.fromhex('00112233445566778899aabbccddeeff')
PASSWORD = 'Str0ng p\u00e4ssword'
ENTROPY = b'credroam strong\0'
PLAIN = b'strong password protected secret'


def keyed(alg, key, nonce, *tail):
    # SHA-1 blobs: Microsoft's variant, the tail goes to the outer hash
    if alg == 'sha1':
        k = key.ljust(64, b'\0')
        inner = hashlib.sha1(bytes(b ^ 0x36 for b in k) + nonce).digest()
        return hashlib.sha1(bytes(b ^ 0x5c for b in k) + inner +
                            b''.join(tail)).digest()
    return hmac.new(key, nonce + b''.join(tail), alg).digest()


def derive(alg, sess, keylen):
    if len(sess) >= keylen:
        return sess[:keylen]
    b = sess.ljust(64, b'\0')
    h = getattr(hashlib, alg)
    return (h(bytes(x ^ 0x36 for x in b)).digest() +
            h(bytes(x ^ 0x5c for x in b)).digest())[:keylen]


def blob(alg, cipher):
    k20 = hashlib.sha1(MK).digest()
    pwhash = getattr(hashlib, alg)(PASSWORD.encode('utf-16-le')).digest()
    salt = bytes(range(0x40, 0x60))
    hmac2 = bytes(range(0x80, 0xa0))
    if cipher == 'aes':
        algc, algc_len, keylen, bs = 0x6610, 256, 32, 16
    else:
        algc, algc_len, keylen, bs = 0x6603, 168, 24, 8
    algh, algh_len = (0x800e, 512) if alg == 'sha512' else (0x8004, 160)
    key = derive(alg, keyed(alg, k20, salt, ENTROPY, pwhash), keylen)
    pad = bs - len(PLAIN) % bs
    data = PLAIN + bytes([pad]) * pad
    if cipher == 'aes':
        ct = AES.new(key, AES.MODE_CBC, iv=bytes(16)).encrypt(data)
    else:
        ct = DES3.new(key, DES3.MODE_CBC, iv=bytes(8)).encrypt(data)
    desc = 'strong\0'.encode('utf-16-le')
    region = (struct.pack('<I', 1) + MK_GUID +
              struct.pack('<II', 8, len(desc)) + desc +
              struct.pack('<III', algc, algc_len, len(salt)) + salt +
              struct.pack('<IIII', 0, algh, algh_len, len(hmac2)) + hmac2 +
              struct.pack('<I', len(ct)) + ct)
    sign = keyed(alg, k20, hmac2, ENTROPY, region)
    return (struct.pack('<I', 1) + PROVIDER + region +
            struct.pack('<I', len(sign)) + sign)


open('sha512_aes256.blob', 'wb').write(blob('sha512', 'aes'))
open('sha1_3des.blob', 'wb').write(blob('sha1', '3des'))
