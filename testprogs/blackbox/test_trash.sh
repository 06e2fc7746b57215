#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# trash/ (issue 17 item 3): whoever can write alice's AD object cannot grow
# her trash/ without bound by adding and tombstoning large tokens between
# runs: trash/ keeps entries for DIMSRoamingTombstoneDays and at most
# DIMSRoamingMaxNumTokens x DIMSRoamingMaxTokenSize bytes (one complete
# copy of what AD may hold), oldest dropped first, each drop reported with
# its name, age and size; a decrypted key is never in trash/: .key and
# .p12 files left there by earlier versions are wiped and deleted, and no
# file under the store holds the key afterwards (PEM line, PKCS#8 bytes,
# RSA modulus).
. "$(dirname "$0")/testlib.sh"

MKTOKEN="$(dirname "$0")/mktoken.py"
work=$(mktemp -d -p "$DOMAIN_WORKDIR"); chmod 1777 "$work"
trap 'rm -rf "$work"' EXIT
# cap: 10 tokens x 20000 bytes = 200000 bytes
printf '[policy]\nroaming = yes\nmax tokens = 10\nmax token size = 20000\n' \
	> "$work/conf"
chmod 644 "$work/conf"
store="$DOMAIN_WORKDIR/mem1/home/alice/.local/share/credroam"
alice() { as-user alice "$@"; }
sync_a() { alice "$CREDROAM" sync --conf "$work/conf" --no-keyring "$@"; }
jget() { /usr/bin/python3 -c "import json,sys
d=json.load(sys.stdin)
for k in sys.argv[1].split('.'):
    d=d[k] if not isinstance(d,list) else d[int(k)]
print(json.dumps(d) if isinstance(d,(dict,list,bool)) or d is None else d)" "$1"; }
trash_bytes() { alice find "$store/trash" -type f -printf '%s\n' |
	awk '{s+=$1} END {print s+0}'; }

out=$(sync_a 2>&1)
check_match "a first run makes alice's store" "0 uploaded" "$out"

# --- leftovers of earlier versions: keys in trash/ ----------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/old.key" \
	-out "$work/old.crt" -subj "/CN=old key/O=ROAM" -days 30 2>/dev/null
openssl pkcs12 -export -in "$work/old.crt" -inkey "$work/old.key" \
	-passout pass: -out "$work/old.p12" 2>/dev/null
chmod 644 "$work"/old.*
recent=$(date -u -d '-1 day' +%Y%m%dT%H%M%SZ)
alice cp "$work/old.key" "$store/trash/$recent-certs-OLD.key"
alice cp "$work/old.p12" "$store/trash/$recent-certs-OLD.p12"
alice cp "$work/old.crt" "$store/trash/$recent-certs-OLD.crt"
# an entry older than the tombstone lifetime (60 days by default)
alice cp "$work/old.crt" "$store/trash/20200101T000000Z-certs-ANCIENT.crt"

json=$(sync_a --json 2>&1)
check "the run succeeds" test -n "$(echo "$json" | jget summary)"
check "the old .key in trash/ is gone" test ! -e "$store/trash/$recent-certs-OLD.key"
check "the old .p12 in trash/ is gone" test ! -e "$store/trash/$recent-certs-OLD.p12"
check "a recent certificate in trash/ stays" test -e "$store/trash/$recent-certs-OLD.crt"
check "the entry older than the tombstone lifetime is gone" \
	test ! -e "$store/trash/20200101T000000Z-certs-ANCIENT.crt"
drops=$(echo "$json" | jget trash_dropped)
check_match "the drop of the ancient entry is reported with age and size" \
	'"name": "20200101T000000Z-certs-ANCIENT.crt", "age_days": [0-9]{4}, "size": [0-9]+, "why": "older than 60 days"' \
	"$drops"
check_match "the wiped key is reported as a decrypted key" \
	"\"name\": \"$recent-certs-OLD.key\", .*\"why\": \"a decrypted key\"" "$drops"
check_match "the wiped .p12 too" \
	"\"name\": \"$recent-certs-OLD.p12\", .*\"why\": \"a decrypted key\"" "$drops"
check_eq "no report holds key material" "" \
	"$(echo "$json" | grep -F -- "$(sed -n 2p "$work/old.key")")"

# no file under the store holds the key in any form
openssl pkey -in "$work/old.key" -outform DER -out "$work/old.der" 2>/dev/null
der_tail=$(tail -c 48 "$work/old.der" | xxd -p | tr -d '\n')
modulus=$(openssl rsa -in "$work/old.key" -noout -modulus 2>/dev/null |
	sed 's/^Modulus=//' | tr 'A-F' 'a-f' | cut -c 1-96)
pem_line=$(sed -n 2p "$work/old.key")
holders=$(alice find "$store" -type f ! -name '*.crt' -print0 |
	while IFS= read -r -d '' f; do
	if alice grep -qF -- "$pem_line" "$f" ||
	   alice xxd -p "$f" | tr -d '\n' | grep -q -- "$der_tail" ||
	   alice xxd -p "$f" | tr -d '\n' | grep -q -- "$modulus"; then
		echo "$f"
	fi
done)
check_eq "the key's PKCS#8 tail and modulus prefix are 48 bytes" "96 96" \
	"${#der_tail} ${#modulus}"
check_eq "no file under the store but certificates holds the key" "" "$holders"

# --- growth: large tokens added and tombstoned between runs -------------
head -c 15000 /dev/urandom > "$work/data"; chmod 644 "$work/data"
for round in 1 2 3 4 5 6; do
	for i in 1 2 3 4; do
		id=$(printf 'round%dtoken%d' "$round" "$i" | sha1sum |
			cut -c 1-40 | tr a-f A-F)
		python3 "$MKTOKEN" 4 "$id" 60 "$work/data" "$work/t$i.token"
		python3 "$MKTOKEN" 4 "$id" 0 - "$work/x$i.token" --tombstone
		chmod 644 "$work/t$i.token" "$work/x$i.token"
		alice "$ADPROBE" put "$work/t$i.token" >/dev/null 2>&1 ||
			fail "round $round: put token $i"
	done
	alice "$ADPROBE" bump >/dev/null
	sync_a >/dev/null 2>&1 || fail "round $round: download run"
	for i in 1 2 3 4; do
		alice "$ADPROBE" del "$work/t$i.token" >/dev/null 2>&1
		alice "$ADPROBE" put "$work/x$i.token" >/dev/null 2>&1
	done
	alice "$ADPROBE" bump >/dev/null
	json=$(sync_a --json 2>&1)
	trashed=$(echo "$json" | jget counts.trashed)
	[ "$trashed" = 4 ] || fail "round $round: 4 tokens trashed" "$trashed"
	for i in 1 2 3 4; do
		alice "$ADPROBE" del "$work/x$i.token" >/dev/null 2>&1
	done
	alice "$ADPROBE" bump >/dev/null
	echo "# round $round: trash/ holds $(trash_bytes) bytes"
done
bytes=$(trash_bytes)
check "after 6 rounds (over 360 kB tombstoned) trash/ holds at most 200000 bytes ($bytes)" \
	test "$bytes" -le 200000
check "and still holds the newest round's tokens" \
	test "$(ls "$store/trash" | grep -c CryptoApiRequest)" -ge 4
check_match "the drops over the cap are reported" '"why": "over the size cap' \
	"$(echo "$json" | jget trash_dropped) $(alice cat "$store/last-run")"
finish
