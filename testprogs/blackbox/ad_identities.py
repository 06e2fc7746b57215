#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# ad_identities.py - read LDIF of msPKIAccountCredentials and
# msPKIDPAPIMasterKeys values on stdin; print "VALUES IDENTITIES LIVE":
# how many values, how many distinct token identities (type + identifier,
# the first 96 bytes), how many are live (not tombstones).  A settled
# domain holds one value per identity (VALUES == IDENTITIES).  With
# "--digest": one SHA-1 over the sorted values instead, to compare what two
# DCs hold.
import hashlib
import re
import sys

text = re.sub(r'\n ', '', sys.stdin.read())
values = re.findall(r'^msPKI(?:AccountCredentials|DPAPIMasterKeys): '
                    r'B:\d+:([0-9A-Fa-f]+):', text, re.M)
if sys.argv[1:] == ['--digest']:
    print(hashlib.sha1('\n'.join(sorted(values)).encode()).hexdigest())
    sys.exit(0)
ids = set()
live = 0
for v in values:
    token = bytes.fromhex(v)
    ids.add((token[:0x60]))
    flags = int.from_bytes(token[0x68:0x6a], 'little') if len(token) >= 0x6a else 0
    if not flags & 1:
        live += 1
print(len(values), len(ids), live)
