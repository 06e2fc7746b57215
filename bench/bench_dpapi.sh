#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Master key decryption: libcredroam against impacket (Debian
# python3-impacket) and against the best loop GnuTLS allows, on the same
# files in the same run.  Prints ratios; run from the top of the tree after
# `waf build`.
#
#   sha512_aes256  Nemesis Windows 10/11 domain key, 8000 rounds
#   sha1_3des      john's LaKuckaracha42 key (3DES/SHA-1, 18000 rounds),
#                  wrapped in a master key file header
#   backupkey.v2   Nemesis old-format key, RSA-2048 backup key (v2: impacket
#                  reads a v3 key 8 bytes early, so v2 is the fair case).
#                  Two figures: per master key with the key imported once
#                  (both sides exclude PVK parsing and key import), and per
#                  run of one master key (both sides include them: what
#                  `credroam dpapi masterkey FILE --backup-key PVK` pays).
#                  The .rsa line is the bare GnuTLS RSA decryption.
set -eu

TOP=$(pwd)
BENCH=${BENCH:-$TOP/bin/bench/bench_dpapi}
PY=/usr/bin/python3
DATA=$TOP/testdata/nemesis
N=${N:-40}
NI=${NI:-3}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

SHA512_FILE=$DATA/masterkey_domain.bin
SHA512_PREKEY=d3205d40d3df002fba1936ce075c0b2805fab06d
SHA1_FILE=$TMP/lakuckaracha42
SHA1_PREKEY=c05c80e95cf799ead165a8539b0bd9b715cf253d
V2_FILE=$DATA/old_format/ab998260-e99d-4871-8f4b-d922b2848ce6
V2_PVK=$DATA/old_format/backupkey.pvk
V2_MK=5481855be27d3e1d59384ff7d41ea170ef77137cf92b71313a46657ab8544d51da470f85bc4339e98ca02c9ead990784c108aaac3b8485f7a767e1b6e37f92ef

# john src/dpapimk_fmt_plug.c: $DPAPImk$1*3*...*des3*sha1*18000*salt*208*ct
"$PY" - "$SHA1_FILE" <<'PYEOF'
import struct, sys
salt = bytes.fromhex('e4c529ba8975e4ed56f5fb8b1e85be43')
ct = bytes.fromhex(
    'af96b391f1d6e2d37a4de3b4c412ce78f032d446d77ea1fb6a0782f47c390c84'
    '4349c2bcaeba9fd570b39def6f67a369aa2e266e8d017689d8a09667fdfb640f'
    'eb3e19ca22067cc5704644c1dcc43d4cccac667391f4918d0de77f36569fd2e1'
    '04ef0619a46edcfc')
mk = struct.pack('<I', 2) + salt + struct.pack('<III', 18000, 0x8009,
                                                0x6603) + ct
guid = '00000000-0000-4000-8000-000000000001'.encode('utf-16le')
hdr = struct.pack('<III', 2, 0, 0) + guid.ljust(80, b'\0')
hdr += struct.pack('<I', 0) + struct.pack('<4Q', len(mk), 0, 0, 0)
open(sys.argv[1], 'wb').write(hdr + mk)
PYEOF

# impacket: CPU ms per decryption (process time on both sides), best of 3
# batches of NI
impacket_prekey() {
	"$PY" - "$1" "$2" "$NI" <<'PYEOF'
import sys, time
from binascii import unhexlify
from impacket.dpapi import MasterKeyFile, MasterKey
data = open(sys.argv[1], 'rb').read()
prekey = unhexlify(sys.argv[2])
n = int(sys.argv[3])
mkf = MasterKeyFile(data)
section = data[len(mkf):][:mkf['MasterKeyLen']]
best = None
for _ in range(3):
    t0 = time.process_time()
    for _ in range(n):
        if MasterKey(section).decrypt(prekey) is None:
            sys.exit('impacket: HMAC check failed')
    per = (time.process_time() - t0) * 1000 / n
    best = per if best is None else min(best, per)
print('%.4f' % best)
PYEOF
}

# $4 = 1: count PVK parsing and key import in each decryption
impacket_backupkey() {
	"$PY" - "$1" "$2" "$3" "$((NI * 10))" "$4" <<'PYEOF'
import sys, time
from binascii import hexlify
from Cryptodome.Cipher import PKCS1_v1_5
from impacket.dpapi import (MasterKeyFile, DomainKey, PVK_FILE_HDR,
                            PRIVATE_KEY_BLOB, privatekeyblob_to_pkcs1,
                            DPAPI_DOMAIN_RSA_MASTER_KEY)
data = open(sys.argv[1], 'rb').read()
pvk = open(sys.argv[2], 'rb').read()
n = int(sys.argv[4])
with_import = sys.argv[5] == '1'
mkf = MasterKeyFile(data)
body = data[len(mkf):]
off = mkf['MasterKeyLen'] + mkf['BackupKeyLen'] + mkf['CredHistLen']
dk = DomainKey(body[off:][:mkf['DomainKeyLen']])


def load():
    key = PRIVATE_KEY_BLOB(pvk[len(PVK_FILE_HDR(pvk)):])
    return PKCS1_v1_5.new(privatekeyblob_to_pkcs1(key))


cipher = load()
best = None
for _ in range(3):
    t0 = time.process_time()
    for _ in range(n):
        if with_import:
            cipher = load()
        plain = cipher.decrypt(dk['SecretData'][::-1], None)
        rsa = DPAPI_DOMAIN_RSA_MASTER_KEY(plain)
        mk = rsa['buffer'][:rsa['cbMasterKey']]
    per = (time.process_time() - t0) * 1000 / n
    best = per if best is None else min(best, per)
if hexlify(mk).decode() != sys.argv[3]:
    sys.exit('impacket returned a wrong master key')
print('%.4f' % best)
PYEOF
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf (b / a < 10 ? "%.2f" : "%.1f"), b / a }'
}

ratio2() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

ms() {
	awk -v a="$1" 'BEGIN { printf (a < 10 ? "%.2f" : "%.0f"), a }'
}

for case in sha512_aes256 sha1_3des; do
	if [ $case = sha512_aes256 ]; then
		f=$SHA512_FILE; p=$SHA512_PREKEY; target=20
	else
		f=$SHA1_FILE; p=$SHA1_PREKEY; target=90
	fi
	ours=$("$BENCH" prekey "$f" "$p" "$N")
	best=$("$BENCH" bestloop "$f" "$p" "$N")
	theirs=$(impacket_prekey "$f" "$p")
	echo "dpapi.masterkey.$case: credroam $(ms "$ours") ms," \
	     "impacket $(ms "$theirs") ms, ratio $(ratio "$ours" "$theirs")x" \
	     "(target >= ${target}x)"
	echo "dpapi.masterkey.$case.bestloop: credroam $(ms "$ours") ms," \
	     "best loop $(ms "$best") ms, ratio $(ratio2 "$ours" "$best")x" \
	     "(target <= 1.10x)"
done

ours=$("$BENCH" backupkey "$V2_FILE" "$V2_PVK" "$N")
theirs=$(impacket_backupkey "$V2_FILE" "$V2_PVK" "$V2_MK" 0)
echo "dpapi.backupkey.v2_rsa2048: credroam $(ms "$ours") ms," \
     "impacket $(ms "$theirs") ms, ratio $(ratio "$ours" "$theirs")x" \
     "(key imported once; target >= 1.0x)"
rsa=$("$BENCH" rsa "$V2_FILE" "$V2_PVK" "$N")
echo "dpapi.backupkey.v2_rsa2048.rsa: credroam $(ms "$ours") ms," \
     "bare GnuTLS RSA decryption $(ms "$rsa") ms," \
     "ratio $(ratio2 "$ours" "$rsa")x"
ours=$("$BENCH" backupkey_import "$V2_FILE" "$V2_PVK" "$N")
theirs=$(impacket_backupkey "$V2_FILE" "$V2_PVK" "$V2_MK" 1)
echo "dpapi.backupkey.v2_rsa2048.with_import: credroam $(ms "$ours") ms," \
     "impacket $(ms "$theirs") ms, ratio $(ratio "$ours" "$theirs")x" \
     "(PVK parse + key import + decryption; target >= 1.0x)"
