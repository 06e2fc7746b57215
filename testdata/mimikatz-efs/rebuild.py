#!/usr/bin/python3
# Rebuilds the binary files in this folder from the field values that
# mimikatz prints on its wiki page (see PROVENANCE); run from this folder.
import struct
import uuid

exec(open('fields.py').read())

PROVIDER = uuid.UUID('df9d8cd0-1501-11d1-8c7a-00c04fc297eb').bytes_le
MK_GUID = '1eccdbd2-4771-4360-8b19-9d6060a061dc'


def blob(desc, salt, hmac2, data, sign):
    d = (desc + '\0').encode('utf-16le')
    out = struct.pack('<I', 1) + PROVIDER
    out += struct.pack('<I', 1) + uuid.UUID(MK_GUID).bytes_le
    out += struct.pack('<II', 0, len(d)) + d
    out += struct.pack('<III', 0x6610, 256, len(salt)) + salt
    out += struct.pack('<I', 0)
    out += struct.pack('<III', 0x800e, 512, len(hmac2)) + hmac2
    out += struct.pack('<I', len(data)) + data
    out += struct.pack('<I', len(sign)) + sign
    return out


h = bytes.fromhex
priv = blob('Clé privée CryptoAPI', h(priv_salt), h(priv_hmac2),
            h(priv_data), h(priv_sign))
flag = blob('Export Flag', h(flag_salt), h(flag_hmac2), h(flag_data),
            h(flag_sign))
assert len(priv) == 1614 and len(flag) == 252
name = b'ffb75517-bc6c-4a40-8f8b-e2c555e30e34\0'
pub = h(pub)
hdr = struct.pack('<10I', 2, 0, len(name), 0, 0, len(pub), len(priv), 20,
                  0, len(flag))
capi = hdr + name + bytes(20) + pub + priv + flag
open('79e1ac78150e8bea8ad238e14d63145b_4f8e7ec6-a506-4d31-9d5a-1e4cbed4997b',
     'wb').write(capi)
open('B53C6DE283C00203587A03DD3D0BF66E16969A55.der', 'wb').write(h(cert))

# The master key file: header fields as mimikatz prints them; the padding
# after the GUID and the reserved words are not printed, so they are zero.
mk = struct.pack('<I', 2) + h(mk_salt) + struct.pack('<III', 3300, 0x800e,
                                                      0x6610) + h(mk_pbkey)
lk = struct.pack('<I', 2) + h(lk_salt) + struct.pack('<III', 3300, 0x800e,
                                                      0x6610) + h(lk_pbkey)
ch = struct.pack('<I', 3) + uuid.UUID(
    'd87e22e8-a2ac-42ba-af15-2edca2eb6547').bytes_le
g = MK_GUID.encode('utf-16le').ljust(80, b'\0')
mkf = struct.pack('<III', 2, 0, 0) + g + struct.pack('<I', 5)
mkf += struct.pack('<4Q', len(mk), len(lk), len(ch), 0) + mk + lk + ch
open(MK_GUID, 'wb').write(mkf)
