#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# with-domain: --members 2
#
# DSA keys roam (issue 19).  On mem1 (A) alice imports a DSA-1024
# certificate with its key; it roams as a CAPI certificate (type 3) whose
# key provider info names the Enhanced DSS and Diffie-Hellman provider
# (PROV_DSS_DH 13, AT_SIGNATURE 2) and a DSS key container (type 2).  On
# mem2 (B), with only her ticket (master key over MS-BKRP), the key matches
# its certificate, is the one imported and makes signatures the certificate
# verifies.  What A uploaded is read by an independent implementation
# (read_dss_key.py, Python cryptography) after `credroam dpapi unprotect`.
# A DSA key the DSS provider cannot hold (2048 bits) is refused by name.
# A DSA pair dropped into certs/ on A roams the same way.
. "$(dirname "$0")/testlib.sh"

READER="$(dirname "$0")/read_dss_key.py"
PROVINFO="$(dirname "$0")/read_cng_key.py"
work=$(mktemp -d -p "$DOMAIN_WORKDIR"); chmod 1777 "$work"
trap 'rm -rf "$work"' EXIT
echo "$DOMAIN_USER_PASSWORD" > "$work/pw"
# the default materialize = token: the token serves RSA and EC keys, so a
# DSA key keeps its key file (the checks below read it)
printf '[policy]\nroaming = yes\n' > "$work/conf"
chmod 644 "$work/pw" "$work/conf"

store_a="$DOMAIN_WORKDIR/mem1/home/alice/.local/share/credroam"
store_b="$DOMAIN_WORKDIR/mem2/home/alice/.local/share/credroam"
on_a() { as-user alice "$@"; }
on_b() { on-member mem2 as-user alice "$@"; }
jget() { /usr/bin/python3 -c "import json,sys
d=json.load(sys.stdin)
for k in sys.argv[1].split('.'):
    d=d[k] if not isinstance(d,list) else d[int(k)]
print(json.dumps(d) if isinstance(d,(dict,list,bool)) or d is None else d)" "$1"; }
import_a() {
	on_a "$CREDROAM" import "$1" "$2" --password-file "$work/pw" \
		--conf "$work/conf" --no-keyring 2>&1
}

# name p-bits q-bits
for spec in "dsa1024 1024 160" "dsa2048 2048 256" "drop 1024 160"; do
	read -r name pbits qbits <<< "$spec"
	openssl genpkey -genparam -algorithm DSA \
		-pkeyopt dsa_paramgen_bits:"$pbits" \
		-pkeyopt dsa_paramgen_q_bits:"$qbits" \
		-out "$work/$name.param" 2>/dev/null
	openssl genpkey -paramfile "$work/$name.param" \
		-out "$work/$name.key" 2>/dev/null
	openssl req -x509 -key "$work/$name.key" -out "$work/$name.crt" \
		-subj "/CN=alice $name/O=ROAM" -days 30 -sha256 \
		-addext "keyUsage=critical,digitalSignature" 2>/dev/null
	chmod 644 "$work/$name.key" "$work/$name.crt"
done
tp=$(openssl x509 -in "$work/dsa1024.crt" -noout -fingerprint -sha1 |
	sed 's/.*=//; s/://g')
tp2=$(openssl x509 -in "$work/dsa2048.crt" -noout -fingerprint -sha1 |
	sed 's/.*=//; s/://g')

out=$(import_a "$work/dsa1024.crt" "$work/dsa1024.key")
check_match "A imports the DSA-1024 certificate" "imported $tp" "$out"
out=$(import_a "$work/dsa2048.crt" "$work/dsa2048.key")
check_match "A refuses a DSA-2048 key, naming the certificate" \
	"$tp2.*cannot go into a CAPI DSS container" "$out"
check "nothing of it roams" \
	test ! -e "$store_a/roaming/CryptoApiCertificate/$tp2"

json=$(on_b "$CREDROAM" sync --conf "$work/conf" --no-keyring --json 2>&1)
check_eq "B downloads the certificate, key, master key, Preferred" 4 \
	"$(echo "$json" | jget counts.downloaded)"
check_eq "B's master key came from the DC" 1 \
	"$(echo "$json" | jget bkrp_calls)"
check "B has the DSA key" test -f "$store_b/certs/$tp.key"
check_eq "B's DSA key matches its certificate" \
	"$(openssl x509 -noout -pubkey -in "$store_b/certs/$tp.crt")" \
	"$(openssl pkey -pubout -in "$store_b/certs/$tp.key" 2>&1)"
check_eq "B's DSA key is the one imported on A" \
	"$(openssl pkey -in "$work/dsa1024.key" -outform DER | sha1sum)" \
	"$(openssl pkey -in "$store_b/certs/$tp.key" -outform DER | sha1sum)"
check_match "B's key is PKCS#8 DSA" "BEGIN PRIVATE KEY" \
	"$(head -1 "$store_b/certs/$tp.key")"
echo "roam me" > "$work/msg"
chmod 644 "$work/msg"
openssl dgst -sha256 -sign "$store_b/certs/$tp.key" -out "$work/sig" \
	"$work/msg" 2>/dev/null
openssl x509 -in "$work/dsa1024.crt" -noout -pubkey > "$work/pub"
check_match "a signature made on B verifies with the certificate" \
	"Verified OK" "$(openssl dgst -sha256 -verify "$work/pub" \
		-signature "$work/sig" "$work/msg" 2>&1)"

# --- what A uploaded, read by another implementation -------------------
ctok="$store_a/roaming/CryptoApiCertificate/$tp"
check "A's certificate roams as a CAPI certificate (type 3)" test -f "$ctok"
check_eq "its key provider info names the DSS provider, AT_SIGNATURE" \
	"credroam-$tp|Microsoft Enhanced DSS and Diffie-Hellman Cryptographic Provider|13|2|0" \
	"$("$PROVINFO" provinfo "$ctok" 2>&1)"
keys=("$store_a"/roaming/DSAPrivateKey/*)
check_eq "A's key roams as one DSS container (type 2)" 1 "${#keys[@]}"
check_match "named as Windows names a container file" \
	'/[0-9a-f]{32}_[0-9a-f-]{36}$' "${keys[0]}"
mkdir -p "$work/r"; chmod 1777 "$work/r"
check_eq "the reader finds the container named after the certificate" \
	"credroam-$tp" "$("$READER" split "${keys[0]}" "$work/r" 2>&1)"
mkt=$(ls "$store_a/roaming/DPAPIMasterKey/" | grep -v Preferred | head -1)
tail -c +133 "$store_a/roaming/DPAPIMasterKey/$mkt" > "$work/r/mk"
chmod 644 "$work/r/mk"
mk=$(on_a "$CREDROAM" --json dpapi masterkey "$work/r/mk" --dc |
	jget master_key)
check_match "A's master key (for the reader)" '^[0-9a-f]{128}$' "$mk"
# the master key on standard input, never on the command line
printf '%s\n' "$mk" | "$CREDROAM" dpapi unprotect "$work/r/x.blob" \
	--master-key-file - > "$work/r/x" 2>"$work/r/err"
check_match "the reader's DSA key is the certificate's and signs" \
	"^ok DSS4 1024$" \
	"$("$READER" check "${keys[0]}" "$work/r/x" "$work/dsa1024.crt" 2>&1)"
entropy=$(printf 'Hj1diQ6kpUx7VC4m\0' | xxd -p)
check_eq "the key is exportable (export flag 1)" "01000000" \
	"$(printf '%s\n' "$mk" | "$CREDROAM" dpapi unprotect \
		"$work/r/flag.blob" --master-key-file - --entropy "$entropy" |
		xxd -p)"
out=$(printf '%s\n' "$mk" | "$CREDROAM" --json dpapi key "${keys[0]}" \
	--master-key-file - 2>&1)
check_eq "credroam dpapi key reads the token as a DSS container" \
	"capi-dss dsa DSA-1024 credroam-$tp" \
	"$(echo "$out" | /usr/bin/python3 -c "import json,sys
d=json.load(sys.stdin)
print(d['kind'], d['algorithm'], d['key'], d['name'])" 2>&1)"

# --- a DSA pair dropped into certs/ ------------------------------------
tp3=$(openssl x509 -in "$work/drop.crt" -noout -fingerprint -sha1 |
	sed 's/.*=//; s/://g')
on_a cp "$work/drop.crt" "$store_a/certs/dropped.crt"
on_a cp "$work/drop.key" "$store_a/certs/dropped.key"
out=$(on_a "$CREDROAM" sync --conf "$work/conf" --no-keyring 2>&1)
check_match "A's run imports the dropped DSA pair" "1 imported" "$out"
check_eq "it roams as a second DSS container" 2 \
	"$(ls "$store_a/roaming/DSAPrivateKey" | wc -l)"
on_b "$CREDROAM" sync --conf "$work/conf" --no-keyring >/dev/null 2>&1
check_eq "B's key for it matches its certificate" \
	"$(openssl x509 -noout -pubkey -in "$work/drop.crt")" \
	"$(openssl pkey -pubout -in "$store_b/certs/$tp3.key" 2>&1)"

finish
