#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# with-domain: --members 2
#
# Elliptic-curve keys roam (issue 19).  On mem1 (A) alice imports an ECDSA
# P-256, an ECDSA P-384 and an ECDH P-256 (key agreement only) certificate
# with its key; on mem2 (B), with only her ticket (master key over
# MS-BKRP), each key matches its certificate, the ECDSA keys make
# signatures the certificates verify, and the ECDH key decrypts a CMS
# message encrypted to its certificate.  What A uploaded is read by an
# independent implementation (read_cng_key.py, Python cryptography) after
# `credroam dpapi unprotect`: the CNG key file's EC key is the
# certificate's, and the certificate names the Software KSP as Windows
# does (dwProvType 0, dwKeySpec 0).
. "$(dirname "$0")/testlib.sh"

READER="$(dirname "$0")/read_cng_key.py"
work=$(mktemp -d -p "$DOMAIN_WORKDIR"); chmod 1777 "$work"
trap 'rm -rf "$work"' EXIT
echo "$DOMAIN_USER_PASSWORD" > "$work/pw"
# this test reads the key files certs/ holds with materialize = files
printf '[policy]\nroaming = yes\n[sync]\nmaterialize = files\n' > "$work/conf"
chmod 644 "$work/pw" "$work/conf"

store_a="$DOMAIN_WORKDIR/mem1/home/alice/.local/share/credroam"
store_b="$DOMAIN_WORKDIR/mem2/home/alice/.local/share/credroam"
on_a() { as-user alice "$@"; }
on_b() { on-member mem2 as-user alice "$@"; }
sync_b() { on_b "$CREDROAM" sync --conf "$work/conf" --no-keyring "$@"; }
jget() { /usr/bin/python3 -c "import json,sys
d=json.load(sys.stdin)
for k in sys.argv[1].split('.'):
    d=d[k] if not isinstance(d,list) else d[int(k)]
print(json.dumps(d) if isinstance(d,(dict,list,bool)) or d is None else d)" "$1"; }

# name curve keyUsage
pairs="es256 P-256 digitalSignature
es384 P-384 digitalSignature,keyAgreement
ecdh256 P-256 keyAgreement"
declare -A tp
while read -r name curve ku; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:"$curve" \
		-nodes -keyout "$work/$name.key" -out "$work/$name.crt" \
		-subj "/CN=alice $name/O=ROAM" -days 30 \
		-addext "keyUsage=critical,$ku" 2>/dev/null
	chmod 644 "$work/$name.key" "$work/$name.crt"
	tp[$name]=$(openssl x509 -in "$work/$name.crt" -noout -fingerprint \
		-sha1 | sed 's/.*=//; s/://g')
	out=$(on_a "$CREDROAM" import "$work/$name.crt" "$work/$name.key" \
		--password-file "$work/pw" --conf "$work/conf" --no-keyring \
		2>&1)
	check_match "A imports the $curve certificate $name" \
		"imported ${tp[$name]}" "$out"
done <<< "$pairs"

json=$(sync_b --json 2>&1)
check_eq "B downloads 3 certificates, 3 keys, master key, Preferred" 8 \
	"$(echo "$json" | jget counts.downloaded)"
check_eq "B's master key came from the DC" 1 \
	"$(echo "$json" | jget bkrp_calls)"
echo "roam me" > "$work/msg"
chmod 644 "$work/msg"
while read -r name curve ku; do
	t=${tp[$name]}
	check "B has $name's key" test -f "$store_b/certs/$t.key"
	check_eq "B's $name key matches its certificate" \
		"$(openssl x509 -noout -pubkey -in "$store_b/certs/$t.crt")" \
		"$(openssl pkey -pubout -in "$store_b/certs/$t.key" 2>&1)"
	check_eq "B's $name key is the one imported on A" \
		"$(openssl pkey -in "$work/$name.key" -outform DER | sha1sum)" \
		"$(openssl pkey -in "$store_b/certs/$t.key" -outform DER |
			sha1sum)"
	oid=$(echo "$curve" | sed 's/P-256/prime256v1/; s/P-384/secp384r1/')
	check_match "B's $name key is PKCS#8 with curve $curve" "$oid" \
		"$(openssl pkey -in "$store_b/certs/$t.key" -noout -text 2>&1)"
done <<< "$pairs"

for name in es256 es384; do
	t=${tp[$name]}
	openssl dgst -sha256 -sign "$store_b/certs/$t.key" \
		-out "$work/$name.sig" "$work/msg" 2>/dev/null
	openssl x509 -in "$work/$name.crt" -noout -pubkey > "$work/$name.pub"
	check_match "a signature made on B with $name verifies" "Verified OK" \
		"$(openssl dgst -sha256 -verify "$work/$name.pub" \
			-signature "$work/$name.sig" "$work/msg" 2>&1)"
done

t=${tp[ecdh256]}
openssl cms -encrypt -binary -aes256 -in "$work/msg" -out "$work/msg.cms" \
	-recip "$work/ecdh256.crt" 2>/dev/null
check "a CMS message is encrypted to the ECDH certificate" \
	test -s "$work/msg.cms"
check_eq "B's ECDH key decrypts it" "roam me" \
	"$(openssl cms -decrypt -binary -in "$work/msg.cms" -recip \
		"$store_b/certs/$t.crt" -inkey "$store_b/certs/$t.key" 2>&1)"

# --- what A uploaded, read by another implementation -------------------
mkdir -p "$work/r"; chmod 1777 "$work/r"
mkt=$(ls "$store_a/roaming/DPAPIMasterKey/" | grep -v Preferred | head -1)
tail -c +133 "$store_a/roaming/DPAPIMasterKey/$mkt" > "$work/r/mk"
chmod 644 "$work/r/mk"
mk=$(on_a "$CREDROAM" --json dpapi masterkey "$work/r/mk" --dc |
	jget master_key)
check_match "A's master key (for the reader)" '^[0-9a-f]{128}$' "$mk"
entropy=$(printf 'xT5rZW5qVVbrvpuA\0' | xxd -p)
while read -r name curve ku; do
	t=${tp[$name]}
	ctok="$store_a/roaming/CNGCertificate/$t"
	check "A's $name certificate roams as a CNG certificate" test -f "$ctok"
	check_eq "its key provider info names the Software KSP" \
		"credroam-$t|Microsoft Software Key Storage Provider|0|0|0" \
		"$("$READER" provinfo "$ctok" 2>&1)"
	found=
	for k in "$store_a"/roaming/CNGPrivateKey/*; do
		n=$("$READER" split "$k" "$work/r" 2>&1)
		if [ "$n" = "credroam-$t" ]; then
			found=$k
			break
		fi
	done
	check "A's $name key roams as a CNG key named after it" \
		test -n "$found"
	# the master key on standard input, never on the command line
	printf '%s\n' "$mk" |
		"$CREDROAM" dpapi unprotect "$work/r/privkey.blob" \
		--master-key-file - --entropy "$entropy" \
		> "$work/r/$name.bcrypt" 2>"$work/r/err"
	want=ECS
	[ "$name" = ecdh256 ] && want=ECK
	check_match "the reader finds $name's $want key, the certificate's" \
		"^ok $want[0-9] " \
		"$("$READER" check "$found" "$work/r/$name.bcrypt" \
			"$work/$name.crt" 2>&1)"
done <<< "$pairs"

finish
