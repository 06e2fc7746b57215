#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# with-domain: --members 2
#
# The roaming run between two "machines" of alice (mem1 = A, mem2 = B),
# each with its own store and state (issue 7):
#   - a certificate and key imported on A (with her password) appear on B
#     as a usable .crt/.key pair, B having only her Kerberos ticket (the
#     master key comes from the DC over MS-BKRP);
#   - a second run with no change makes one search, writes nothing (also
#     for bob, who has nothing to roam, and after bob moved to an OU);
#   - Windows tokens (DSInternals vectors) put into her AD object are kept
#     byte-exact in roaming/ although they cannot be decrypted;
#   - deleting the certificate on B tombstones it; A moves it to trash/,
#     but wipes and deletes its decrypted key (no file holds it after);
#   - a conflicting change on both machines resolves by the rule (newer
#     FILETIME wins, AD wins a tie);
#   - a tombstone older than DIMSRoamingTombstoneDays is removed from AD.
. "$(dirname "$0")/testlib.sh"

MKTOKEN="$(dirname "$0")/mktoken.py"
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
sync_a() { on_a "$CREDROAM" sync --conf "$work/conf" --no-keyring "$@"; }
sync_b() { on_b "$CREDROAM" sync --conf "$work/conf" --no-keyring "$@"; }
jget() { /usr/bin/python3 -c "import json,sys
d=json.load(sys.stdin)
for k in sys.argv[1].split('.'):
    d=d[k] if not isinstance(d,list) else d[int(k)]
print(json.dumps(d) if isinstance(d,(dict,list,bool)) or d is None else d)" "$1"; }

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/mine.key" \
	-out "$work/mine.crt" -subj "/CN=alice roaming test/O=ROAM" \
	-days 30 2>/dev/null
chmod 644 "$work/mine.key" "$work/mine.crt"
tp=$(openssl x509 -in "$work/mine.crt" -noout -fingerprint -sha1 |
	sed 's/.*=//; s/://g')

# --- A imports; B gets a usable pair without a password ----------------
out=$(sync_a 2>&1)
check_match "a first run on A with nothing to do" "0 uploaded" "$out"
out=$(on_a "$CREDROAM" import "$work/mine.crt" "$work/mine.key" \
	--password-file "$work/pw" --conf "$work/conf" --no-keyring 2>&1)
check_match "credroam import on A" "imported $tp" "$out"
check_match "the import uploads certificate, key, master key, Preferred" \
	"4 uploaded" "$out"
check_eq "AD holds 2 credential and 2 master key values" "2 2" \
	"$(on_a "$ADPROBE" count 2>&1)"
check "A's certs/ holds the key, private" \
	test "$(stat -c %a "$store_a/certs/$tp.key")" = 600

json=$(sync_b --json 2>&1)
check_eq "B downloads 4 tokens" 4 "$(echo "$json" | jget counts.downloaded)"
check_eq "B's master key came from the DC (no password on B)" 1 \
	"$(echo "$json" | jget bkrp_calls)"
check "B has the certificate" test -f "$store_b/certs/$tp.crt"
check "B has the key" test -f "$store_b/certs/$tp.key"
check_eq "B's key is private" 600 "$(stat -c %a "$store_b/certs/$tp.key")"
check_match "B's certificate is alice's" "CN *= *alice roaming test" \
	"$(openssl x509 -noout -subject -in "$store_b/certs/$tp.crt")"
check_eq "B's key matches the certificate" \
	"$(openssl x509 -noout -pubkey -in "$store_b/certs/$tp.crt")" \
	"$(openssl pkey -pubout -in "$store_b/certs/$tp.key" 2>&1)"
check_eq "B's key is the key imported on A" \
	"$(openssl pkey -in "$work/mine.key" -outform DER | sha1sum)" \
	"$(openssl pkey -in "$store_b/certs/$tp.key" -outform DER | sha1sum)"

# --- no change: only the timestamp is read, nothing written ------------
json=$(sync_b --json 2>&1)
check_eq "a second run on B takes the fast path" true \
	"$(echo "$json" | jget fast_path)"
check_eq "it writes nothing to AD" 0 "$(echo "$json" | jget ldap_modifies)"
check_eq "it makes one LDAP search: the GPO versions and the user's timestamp together" 1 \
	"$(echo "$json" | jget ldap_searches)"
lr=$(on_b stat -c '%i %Y' "$store_b/last-run")
on_b "$CREDROAM" sync --conf "$work/conf" --no-keyring --quiet
check_eq "a no-change run writes nothing locally, not even last-run" "$lr" \
	"$(on_b stat -c '%i %Y' "$store_b/last-run")"

json=$(sync_b --json --trigger logoff 2>&1)
check_eq "a logoff run with the store unchanged: no search, no DC at all" \
	"0 null" "$(echo "$json" | jget ldap_searches) $(echo "$json" | jget dc)"

# --- bob, nothing to roam: the same one search ----------------------------
sync_bob() { as-user bob "$CREDROAM" sync --conf "$work/conf" --no-keyring "$@"; }
sync_bob >/dev/null 2>&1
json=$(sync_bob --json 2>&1)
check_eq "bob (no tokens, no timestamp) takes the fast path too" true \
	"$(echo "$json" | jget fast_path)"
check_eq "bob's no-change run: 1 search, 0 modifies" "1 0" \
	"$(echo "$json" | jget ldap_searches) $(echo "$json" | jget ldap_modifies)"
# bob moves to an OU: the remembered DN misses, the run finds him by SID
bob_dn=$(user_dn bob)
ou="OU=fastpath,$DOMAIN_BASEDN"
printf 'dn: %s\nobjectClass: organizationalUnit\n' "$ou" > "$work/ou.ldif"
admin_ldb ldbadd "$work/ou.ldif" >/dev/null 2>&1
admin_ldb ldbrename "$bob_dn" "CN=bob,$ou" >/dev/null 2>&1
json=$(sync_bob --json 2>&1)
check_eq "after a move bob's run finds him at his new DN" "CN=bob,$ou" \
	"$(echo "$json" | jget dn)"
check_eq "and is not a fast path (the state learns the new DN)" false \
	"$(echo "$json" | jget fast_path)"
json=$(sync_bob --json 2>&1)
check_eq "the run after it: one search again" "true 1" \
	"$(echo "$json" | jget fast_path) $(echo "$json" | jget ldap_searches)"
admin_ldb ldbrename "CN=bob,$ou" "$bob_dn" >/dev/null 2>&1
admin_ldb ldbdel "$ou" >/dev/null 2>&1
sync_bob >/dev/null 2>&1
usn=$(on_a "$ADPROBE" usn)
sync_a >/dev/null 2>&1
sync_b >/dev/null 2>&1
check_eq "no-change runs leave uSNChanged alone" "$usn" "$(on_a "$ADPROBE" usn)"

# --- Windows tokens kept byte-exact --------------------------------------
for f in "$CREDROAM_TESTDATA"/dsinternals/*.token; do
	on_a "$ADPROBE" put "$f" >/dev/null 2>&1 ||
		fail "put $(basename "$f") into AD"
done
on_a "$ADPROBE" bump >/dev/null
out=$(sync_a 2>&1)
check_match "A downloads the Windows tokens" "4 downloaded" "$out"
for f in "$CREDROAM_TESTDATA"/dsinternals/*.token; do
	id=$("$CREDROAM" --json token decode "$f" | jget identifier)
	name=$("$CREDROAM" --json token decode "$f" | jget type_name)
	check "$(basename "$f") is byte-exact in roaming/$name/" \
		cmp -s "$f" "$store_a/roaming/$name/$id"
done
check_match "a key A cannot decrypt is reported, not fatal" \
	"not made usable" "$out"

# --- delete on B: tombstone; A moves it to trash/ -------------------------
on_b rm -f "$store_b/certs/$tp.crt" "$store_b/certs/$tp.key"
json=$(sync_b --json 2>&1)
check_eq "B tombstones the certificate and its key" 2 \
	"$(echo "$json" | jget counts.tombstoned)"
check_match "AD shows the certificate as a tombstone" \
	"$tp .*tombstone" "$(on_a "$CREDROAM" list 2>&1)"
json=$(sync_a --json 2>&1)
check_eq "A moves both to trash" 2 "$(echo "$json" | jget counts.trashed)"
check "A's certificate file is gone" test ! -e "$store_a/certs/$tp.crt"
check "A's key file is gone" test ! -e "$store_a/certs/$tp.key"
check_match "A's trash has the certificate file" "$tp.crt" \
	"$(ls "$store_a/trash")"
check_match "A's trash has the roamed token" "CryptoApiCertificate-$tp" \
	"$(ls "$store_a/trash")"
# the decrypted key was wiped and deleted, not trashed (issue 17, item 3):
# no file under A's store holds it, as PEM (in any encoding openssl reads)
# or as PKCS#8 DER (its last 48 bytes: the private CRT coefficient, never
# in a certificate)
openssl pkey -in "$work/mine.key" -outform DER -out "$work/mine.der" 2>/dev/null
der_tail=$(tail -c 48 "$work/mine.der" | xxd -p | tr -d '\n')
pem_line=$(sed -n 2p "$work/mine.key")
holders=$(find "$store_a" -type f -print0 | while IFS= read -r -d '' f; do
	if grep -qF -- "$pem_line" "$f" ||
	   xxd -p "$f" | tr -d '\n' | grep -q -- "$der_tail" ||
	   openssl pkey -in "$f" -outform DER 2>/dev/null | xxd -p |
		tr -d '\n' | grep -q -- "$der_tail"; then
		echo "$f"
	fi
done)
check_eq "the private key's DER is 48 bytes and more" 96 "${#der_tail}"
check_eq "no file under A's store holds the private key (PEM, PKCS#8)" \
	"" "$holders"
check_eq "A's trash has no .key file" "" \
	"$(ls "$store_a/trash" | grep '\.key')"

# --- conflicts: newer FILETIME wins; AD wins a tie ----------------------
rid=0123456789ABCDEF0123456789ABCDEF01234567
rdir=CryptoApiRequest
echo v0 > "$work/v0"; echo v1-from-A > "$work/v1"; echo v2-from-B > "$work/v2"
chmod 644 "$work"/v?
"$MKTOKEN" 4 $rid 600 "$work/v0" "$work/t0"
on_a "$ADPROBE" put "$work/t0" >/dev/null && on_a "$ADPROBE" bump >/dev/null
sync_a >/dev/null 2>&1; sync_b >/dev/null 2>&1
check "both machines have the request" \
	cmp -s "$store_a/roaming/$rdir/$rid" "$store_b/roaming/$rdir/$rid"
"$MKTOKEN" 4 $rid 300 "$work/v1" "$work/t1"
"$MKTOKEN" 4 $rid 200 "$work/v2" "$work/t2"
chmod 644 "$work"/t?
on_a cp "$work/t1" "$store_a/roaming/$rdir/$rid"
on_b cp "$work/t2" "$store_b/roaming/$rdir/$rid"
sync_a >/dev/null 2>&1
json=$(sync_b --json 2>&1)
check_eq "B sees a conflict" 1 "$(echo "$json" | jget counts.conflicts)"
check_match "B's newer change wins" "conflict-local-wins" "$json"
sync_a >/dev/null 2>&1
check "A ends with B's version" cmp -s "$work/t2" "$store_a/roaming/$rdir/$rid"
"$MKTOKEN" 4 $rid 100 "$work/v1" "$work/t3"
cp "$work/t3" "$work/t4"
printf 'tie-on-B\n' > "$work/v4"
python3 - "$work/t3" "$work/v4" "$work/t4" <<'PY'
import hashlib, struct, sys
t = open(sys.argv[1], "rb").read()
data = open(sys.argv[2], "rb").read()
hdr = bytearray(t[:0x84])
hdr[0x6c:0x80] = hashlib.sha1(data).digest()
hdr[0x80:0x84] = struct.pack("<I", len(data))
open(sys.argv[3], "wb").write(bytes(hdr) + data)
PY
chmod 644 "$work"/t?
on_a cp "$work/t3" "$store_a/roaming/$rdir/$rid"
on_b cp "$work/t4" "$store_b/roaming/$rdir/$rid"
sync_a >/dev/null 2>&1
json=$(sync_b --json 2>&1)
check_match "a tie goes to AD" "conflict-remote-wins" "$json"
check "B ends with A's version (the one in AD)" \
	cmp -s "$work/t3" "$store_b/roaming/$rdir/$rid"

# --- an expired tombstone is removed from AD --------------------------
old=FEDCBA9876543210FEDCBA9876543210FEDCBA98
"$MKTOKEN" 4 $old $((100 * 86400)) - "$work/tomb" --tombstone
chmod 644 "$work/tomb"
on_a "$ADPROBE" put "$work/tomb" >/dev/null && on_a "$ADPROBE" bump >/dev/null
before=$(on_a "$ADPROBE" count | awk '{print $1}')
json=$(sync_a --json 2>&1)
check_eq "a 100-day-old tombstone is eroded (policy: 60 days)" 1 \
	"$(echo "$json" | jget counts.eroded)"
check_eq "one value fewer in AD" $((before - 1)) \
	"$(on_a "$ADPROBE" count | awk '{print $1}')"

# --- PKCS#12 in and out; a dry run writes nothing; purge --tombstones ---
openssl req -x509 -newkey rsa:3072 -nodes -keyout "$work/p.key" \
	-out "$work/p.crt" -subj "/CN=alice p12" -days 30 2>/dev/null
echo p12secret > "$work/p12pw"
openssl pkcs12 -export -in "$work/p.crt" -inkey "$work/p.key" \
	-out "$work/p.p12" -passout file:"$work/p12pw" 2>/dev/null
chmod 644 "$work"/p.* "$work/p12pw"
tp2=$(openssl x509 -in "$work/p.crt" -noout -fingerprint -sha1 |
	sed 's/.*=//; s/://g')
out=$(on_a "$CREDROAM" import "$work/p.p12" --p12-password-file \
	"$work/p12pw" --password-file "$work/pw" --conf "$work/conf" \
	--no-keyring 2>&1)
check_match "a PKCS#12 file is imported" "imported $tp2" "$out"
sync_b >/dev/null 2>&1
check_eq "its RSA-3072 key is usable on B" \
	"$(openssl x509 -noout -pubkey -in "$work/p.crt")" \
	"$(openssl pkey -pubout -in "$store_b/certs/$tp2.key" 2>&1)"
out=$(on_b "$CREDROAM" export "$tp2" --p12 "$work/out.p12" \
	--p12-password-file "$work/p12pw" 2>&1)
check_match "B exports it as PKCS#12" "exported" "$out"
check_eq "the exported PKCS#12 holds the same key" \
	"$(openssl pkey -in "$work/p.key" -outform DER | sha1sum)" \
	"$(openssl pkcs12 -in "$work/out.p12" -nocerts -nodes \
		-passin file:"$work/p12pw" 2>/dev/null |
		openssl pkey -outform DER | sha1sum)"
check_fails "export refuses to overwrite a file" on_b "$CREDROAM" export \
	"$tp2" --p12 "$work/out.p12" --p12-password-file "$work/p12pw"

on_a rm -f "$store_a/certs/$tp2.crt" "$store_a/certs/$tp2.key"
usn=$(on_a "$ADPROBE" usn)
json=$(sync_a --dry-run --json 2>&1)
check_match "a dry run says what it would do" '"verb": *"tombstone"' "$json"
check_eq "a dry run writes nothing to AD" "$usn" "$(on_a "$ADPROBE" usn)"
check "a dry run leaves roaming/ alone" \
	test -f "$store_a/roaming/CryptoApiCertificate/$tp2"
sync_a >/dev/null 2>&1
tombs=$(on_a "$CREDROAM" list | grep -c tombstone)
check "there are tombstones to purge" test "$tombs" -ge 2
out=$(on_a "$CREDROAM" purge --tombstones --conf "$work/conf" 2>&1)
check_match "purge --tombstones removes them" "^$tombs values removed" "$out"
check_eq "no tombstone is left in AD" 0 \
	"$(on_a "$CREDROAM" list | grep -c tombstone)"
check_fails "purge --all wants --yes" on_a "$CREDROAM" purge --all

# --- status and list --local ----------------------------------------------
out=$(on_a "$CREDROAM" status --conf "$work/conf" --no-keyring 2>&1)
check_match "status says roaming is on" "Roaming: on" "$out"
check_match "status names the source of DIMSRoaming" \
	"DIMSRoaming +1 +credroam.conf" "$out"
out=$(on_a "$CREDROAM" list --local 2>&1)
check_match "list --local shows the request token" "CryptoApiRequest +$rid" \
	"$out"

finish
