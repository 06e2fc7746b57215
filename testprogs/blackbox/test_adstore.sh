#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# adstore against the test DC: alice writes, reads back and deletes tokens
# of several types; 2000 tokens round-trip; a malformed value is reported
# and the rest still load; bob can neither read nor write alice's tokens;
# two writers racing on one token: exactly one wins, nothing is lost; a
# read that changes nothing writes nothing (uSNChanged); a DC that drops
# the connection's SYN costs the timeout, not the kernel's minutes.
. "$(dirname "$0")/testlib.sh"

work=$(mktemp -d); chmod 1777 "$work"
trap 'rm -rf "$work"' EXIT
DN=$(user_dn alice)
TD=$CREDROAM_TESTDATA/dsinternals
alice() { as-user alice "$@"; }

# json_count FILTER: tokens in alice's `credroam --json list` matching a
# jq-less python filter over each token t.
list_json() { alice "$CREDROAM" --json list > "$work/list.json" 2>&1; }
json_eval() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$work/list.json" "$1" 2>&1
}
usn() {
	admin_ldb ldbsearch -b "$DN" -s base uSNChanged 2>/dev/null |
		sed -n 's/^uSNChanged: //p'
}

# --- several types written, read back, deleted --------------------------
check_eq "alice starts with no tokens" "0 0" "$(alice "$ADPROBE" count 2>&1)"
for f in capi-rsa-key cng-certificate cng-rsa-key unreadable-cng-key; do
	cp "$TD/$f.token" "$work/$f.token"
	check_eq "alice adds $f" msPKIAccountCredentials \
		"$(alice "$ADPROBE" put "$work/$f.token" 2>&1)"
done
"$ADPROBE" mktomb "$work/cng-certificate.token" "$work/tomb.token"
chmod 644 "$work"/*.token
check_eq "alice adds a tombstone" msPKIAccountCredentials \
	"$(alice "$ADPROBE" put "$work/tomb.token" 2>&1)"
mkv=$("$ADPROBE" mkvalues "$DN" 0 1 64 mk)
check "alice adds a DPAPI master key token" \
	alice "$ADPROBE" change mkeys - "$mkv"
check_eq "adstore reads 5 + 1 back" "5 1" "$(alice "$ADPROBE" count 2>&1)"

list_json
check_eq "list --json sees 6 tokens" 6 "$(json_eval 'd["count"]')"
check_eq "list --json types" "[0, 1, 7, 7, 9, 9]" \
	"$(json_eval 'sorted(t["type"] for t in d["tokens"])')"
check_eq "the tombstone is flagged" 1 \
	"$(json_eval 'sum(1 for t in d["tokens"] if t["tombstone"])')"
check_eq "every stored SHA-1 is valid" True \
	"$(json_eval 'all(t["sha1_valid"] for t in d["tokens"])')"
check_eq "identifiers read back" \
	"701577141985b6923998dcca035c007a_f8b7bbef-d227-4ac7-badd-3a238a7f741e" \
	"$(json_eval '[t["identifier"] for t in d["tokens"] if t["type"] == 1][0]')"
out=$(alice "$CREDROAM" list 2>&1)
check_match "list (text) shows the CNG certificate" \
	'7 CNGCertificate +3B83BFA7037F6A79B3F3D17D229E1BC097F35B51' "$out"

# The same bytes come back: value built locally == value the DC returns.
v=$(alice "$ADPROBE" value "$work/cng-rsa-key.token")
check_match "the DC returns the exact value written" "$v" \
	"$(admin_ldb ldbsearch -b "$DN" -s base msPKIAccountCredentials \
		--show-binary 2>/dev/null | tr -d '\n ' )"

for f in capi-rsa-key cng-certificate cng-rsa-key unreadable-cng-key tomb; do
	check "alice deletes $f" alice "$ADPROBE" del "$work/$f.token"
done
check "alice deletes the master key token" \
	alice "$ADPROBE" change mkeys "$mkv" -
check_eq "nothing left" "0 0" "$(alice "$ADPROBE" count 2>&1)"
out=$(alice "$ADPROBE" del "$work/cng-rsa-key.token" 2>&1)
check_eq "deleting a value that is gone is a conflict (exit 3)" 3 "$?"

# --- bob ----------------------------------------------------------------
check "alice adds one token again" alice "$ADPROBE" put "$work/cng-rsa-key.token"
check_eq "bob reads no values of alice's" "0 0" \
	"$(as-user bob "$ADPROBE" --user "$DOMAIN_NAME\\alice" count 2>&1)"
out=$(as-user bob "$ADPROBE" --user "$DOMAIN_NAME\\alice" put \
	"$work/capi-rsa-key.token" 2>&1)
rc=$?
check_eq "bob cannot add to alice's tokens" 1 "$rc"
check_match "bob's refusal names access" 'INSUFFICIENT_ACCESS|access|denied' "$out"
out=$(as-user bob "$ADPROBE" --user "$DOMAIN_NAME\\alice" del \
	"$work/cng-rsa-key.token" 2>&1)
check_fails "bob cannot delete alice's token" test $? -eq 0
check_eq "alice's token is still there" "1 0" "$(alice "$ADPROBE" count 2>&1)"

# --- malformed value written behind adstore's back ----------------------
printf 'dn: %s\nchangetype: modify\nadd: msPKIAccountCredentials\nmsPKIAccountCredentials: B:8:DEADBEEF:%s\n' \
	"$DN" "$DN" > "$work/bad.ldif"
check "Administrator writes a malformed token value" \
	admin_ldb ldbmodify "$work/bad.ldif"
list_json
rc=$?
check_eq "list still succeeds" 0 "$rc"
check_eq "list reports one malformed value" 1 "$(json_eval 'd["malformed"]')"
check_eq "... and why" "header-truncated" \
	"$(json_eval '[t["refusal"]["problem"] for t in d["tokens"] if t.get("malformed")][0]')"
check_eq "the good token carries no refusal" None \
	"$(json_eval '[t["refusal"] for t in d["tokens"] if not t.get("malformed")][0]')"
check_eq "the good token still loads" \
	"9:B6AF1EF9D302A7332208091CC8C1EFF836F60620" \
	"$(json_eval '[str(t["type"]) + ":" + t["identifier"] for t in d["tokens"] if not t.get("malformed")][0]')"
out=$(alice "$CREDROAM" list 2>&1)
check_match "text list names the malformed value" \
	'MALFORMED msPKIAccountCredentials value [0-9]+: .*truncated.*header-truncated' "$out"
sed -i 's/^add:/delete:/' "$work/bad.ldif"
admin_ldb ldbmodify "$work/bad.ldif" >/dev/null 2>&1

# --- 2000 tokens ----------------------------------------------------------
{
	printf 'dn: %s\nchangetype: modify\nadd: msPKIAccountCredentials\n' "$DN"
	"$ADPROBE" mkvalues "$DN" 7 2000 32 bulk |
		sed 's/^/msPKIAccountCredentials: /'
} > "$work/bulk.ldif"
chmod 644 "$work/bulk.ldif"
out=$(as-user alice env LD_PRELOAD= ldbmodify -H "ldap://$DOMAIN_DC" \
	--use-kerberos=required "$work/bulk.ldif" 2>&1)
check_match "alice adds 2000 tokens in one modify" 'Modified 1 records' "$out"
check_eq "adstore reads 2001 tokens back" "2001 0" \
	"$(alice "$ADPROBE" count 2>&1)"
list_json
check_eq "list decodes all 2001" "2001 0" \
	"$(json_eval 'str(d["count"]) + " " + str(d["malformed"])')"
check_eq "all 2000 identifiers distinct" 2001 \
	"$(json_eval 'len(set(t["identifier"] for t in d["tokens"]))')"
sed -i 's/^add:/delete:/' "$work/bulk.ldif"
as-user alice env LD_PRELOAD= ldbmodify -H "ldap://$DOMAIN_DC" \
	--use-kerberos=required "$work/bulk.ldif" >/dev/null 2>&1
check_eq "and they are gone again" "1 0" "$(alice "$ADPROBE" count 2>&1)"

# --- two writers racing on one token, RACES times (longer by hand) -------
RACES=${ADSTORE_RACES:-12}
bad=0
for k in $(seq 1 "$RACES"); do
	old=$("$ADPROBE" mkvalues "$DN" 7 1 40 race$k)
	new1=$("$ADPROBE" mkvalues "$DN" 7 1 41 race$k)
	new2=$("$ADPROBE" mkvalues "$DN" 7 1 42 race$k)
	alice "$ADPROBE" change creds - "$old" >/dev/null 2>&1 || bad=$((bad+1))
	alice "$ADPROBE" change creds "$old" "$new1" >/dev/null 2>&1 &
	p1=$!
	alice "$ADPROBE" change creds "$old" "$new2" >/dev/null 2>&1 &
	p2=$!
	wait $p1; r1=$?
	wait $p2; r2=$?
	pair=$(printf '%s\n' "$r1" "$r2" | sort | tr '\n' ' ')
	if [ "$pair" != "0 3 " ]; then
		echo "race $k: exits $r1 $r2"
		bad=$((bad + 1))
	fi
	left=$(alice "$ADPROBE" count 2>&1)
	if [ "$left" != "2 0" ]; then
		echo "race $k: $left values after the race"
		bad=$((bad + 1))
	fi
	# the winner's value is the one stored: remove it for the next round
	if [ "$r1" = 0 ]; then w=$new1; else w=$new2; fi
	alice "$ADPROBE" change creds "$w" - >/dev/null 2>&1 || {
		echo "race $k: the winner's value is not stored"
		bad=$((bad + 1))
	}
done
check_eq "$RACES races: one winner, one conflict (exit 3), nothing lost" 0 "$bad"

# --- reads do not write ----------------------------------------------------
u0=$(usn)
check_match "Administrator reads alice's uSNChanged" '^[0-9]+$' "$u0"
for k in $(seq 1 20); do
	alice "$ADPROBE" count >/dev/null 2>&1
done
check_eq "20 reads leave uSNChanged unchanged" "$u0" "$(usn)"
alice "$CREDROAM" list >/dev/null 2>&1
check_eq "credroam list leaves uSNChanged unchanged" "$u0" "$(usn)"

# --- no reachability probe: the LDAP connect itself has the deadline -------
# A listener on a loopback address whose accept queue is full drops every
# SYN (the connect would wait minutes for the kernel); a closed port
# refuses at once.
/usr/bin/python3 - 127.0.0.250 389 > "$work/blackhole.log" 2>&1 <<'PY' &
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(0)
fill = []
for i in range(3):
    c = socket.socket(); c.setblocking(False)
    try:
        c.connect((sys.argv[1], int(sys.argv[2])))
    except BlockingIOError:
        pass
    fill.append(c)
print("ready", flush=True)
time.sleep(60)
PY
hole=$!
for i in $(seq 1 50); do grep -q ready "$work/blackhole.log" && break; sleep 0.1; done
t0=$(date +%s%N)
out=$(alice "$ADPROBE" --dc 127.0.0.250 whoami 2>&1)
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check_match "a DC that drops the SYN: the connect gives up" \
	"did not accept a connection in time" "$out"
check "within the 5 s timeout (+1 s): $ms ms" test "$ms" -lt 6000
kill "$hole" 2>/dev/null
wait "$hole" 2>/dev/null
t0=$(date +%s%N)
out=$(alice "$ADPROBE" --dc 127.0.0.251 whoami 2>&1)
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check_match "a DC that refuses: said at once ($ms ms)" \
	"no domain controller of .* answers on port 389.*refused" "$out"
finish
