#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# long: hostile values of up to 1 MiB written and judged
# Hostile AD data: values written straight into alice's object (as
# Administrator, on a DC without credroam_guard): path traversal
# identifiers, lengths that lie, a hash mismatch, an unknown type, a 1 MiB
# value, a DN part naming bob, 2100 extra values.  A roaming run on a fresh
# machine reports them, writes nothing outside the store, deletes nothing
# in AD, and still roams the good certificate and key.  (One identity with
# two well-formed contents is what replication between DCs leaves: the
# run removes the older copy, test_roam_dcs_converge and test_sync.)
. "$(dirname "$0")/testlib.sh"
. "$TOP/testprogs/fault/lib.sh"

W=$(mktemp -d)
chmod 755 "$W"
trap 'rm -rf "$W"' EXIT
roaming_on
printf '%s\n' "$DOMAIN_USER_PASSWORD" >"$W/pw"
chmod 644 "$W/pw"
DN=$(user_dn alice)
STORE=$(store_of alice)
HOME_A=$(user_home alice)

# the good: a certificate and key imported on "another machine"
mkcert "$W" good
drop_cert alice "$W" good
sync_as alice -- --quiet --password-file "$W/pw" >"$W/out" 2>&1
check_eq "setup: alice roams a certificate and key" 0 "$?"
THUMB=$(openssl x509 -in "$W/good.crt" -noout -fingerprint -sha1 |
	sed 's/.*=//; s/://g')

# the bad, one modify each: what the DC refuses is noted, not an error
python3 "$TOP/testprogs/fault/hostile.py" "$DN" "$(user_dn bob)" \
	>"$W/cases"
accepted=()
while read -r name attr value; do
	printf 'dn: %s\nchangetype: modify\nadd: %s\n%s: %s\n' \
		"$DN" "$attr" "$attr" "$value" >"$W/add.ldif"
	if admin_ldb ldbmodify "$W/add.ldif" >"$W/add.out" 2>&1; then
		accepted+=("$name")
	else
		echo "# the DC refuses $name: $(grep -o 'LDAP error.*' \
			"$W/add.out" | head -c 120)"
	fi
done <"$W/cases"
echo "# the DC took: ${accepted[*]}"
check_match "the DC takes the traversal, length and hash cases" \
	"traversal-backslash.*length-past-end.*hash-mismatch" \
	"${accepted[*]}"
{
	printf 'dn: %s\nchangetype: modify\nadd: msPKIAccountCredentials\n' \
		"$DN"
	"$ADPROBE" mkvalues "$DN" 9 2100 32 many |
		sed 's/^/msPKIAccountCredentials: /'
} >"$W/many.ldif"
check "2100 more values in one modify" admin_ldb ldbmodify "$W/many.ldif"

ad_values() {
	ad_raw alice msPKIAccountCredentials msPKIDPAPIMasterKeys |
		grep -E '^msPKI' | grep -v 'RMD_FLAGS=1>' | sort | sha1sum
}
before=$(ad_values)
count_before=$(ad_links alice)

# A fresh machine: no store.  Mark the time to find anything written.
rm -rf "$STORE"
touch "$W/marker"
sleep 1
start=$(date +%s)
sync_as alice -- --json >"$W/run.json" 2>"$W/run.err"
rc=$?
echo "# the run: exit $rc in $(( $(date +%s) - start )) s;" \
	"$(jq -r .summary "$W/run.json" 2>/dev/null)"
jq -r '.problems[] | "#   \(.what): \(.message)"' "$W/run.json" \
	2>/dev/null | sort | uniq -c | sort -rn | head -n 25 | cut -c1-200
check_eq "the run completes" 0 "$rc"
[ "$rc" = 0 ] || head -n 5 "$W/run.err" | sed 's/^/#   the run said: /'

problems=$(jq -r '.problems[] | "\(.what): \(.message)"' "$W/run.json" \
	2>/dev/null)
for pair in "traversal:identifier" "length:length|past|trailing" \
	"hash:SHA-1|sha1|hash" "type 5:type"; do
	check_match "reported: ${pair%%:*}" "${pair#*:}" "$problems"
done
n_problems=$(jq '.problems | length' "$W/run.json" 2>/dev/null)
check "every hostile value the DC took is reported ($n_problems problems for ${#accepted[@]} cases)" \
	test "${n_problems:-0}" -ge $(( ${#accepted[@]} - 1 ))

# Nothing written outside the store (the ticket cache aside).
# The traversal identifiers climb at most a few levels from roaming/<type>/:
# every home, /tmp and the domain's work directory cover where they land.
outside=$(find "$(dirname "$HOME_A")" /tmp -xdev -newer "$W/marker" \
	-type f 2>/dev/null | grep -v "^$STORE/" | grep -v "^$W/" |
	grep -v '/krb5cc_' | head -n 5)
check_eq "nothing written outside the store" "" "$outside"
check_eq "no traversal target exists" "" \
	"$(find "$DOMAIN_WORKDIR" /tmp -xdev \( -name 'evil-*' -o \
		-name malicious.bat \) 2>/dev/null | head -n 3;
	ls -d /evil-* /*/evil-* 2>/dev/null)"
check_eq "nothing in the store outside its folders" "" \
	"$(find "$STORE" -mindepth 1 -maxdepth 1 | sed "s|^$STORE/||" |
		grep -vE '^(roaming|certs|trash|state|state\.old|last-run|\.lock|policy-off|gpo-cache)$')"

check_eq "AD: nothing deleted or changed" "$before" "$(ad_values)"
check_eq "AD: value counts as before" "$count_before" "$(ad_links alice)"

check "the good certificate is usable" \
	test -f "$STORE/certs/$THUMB.crt" -a -f "$STORE/certs/$THUMB.key"
check_eq "its key matches it" \
	"$(openssl x509 -in "$W/good.crt" -noout -pubkey | sha1sum)" \
	"$(openssl pkey -in "$STORE/certs/$THUMB.key" -pubout 2>&1 | sha1sum)"
python3 -c 'import hashlib
for i in range(2100): print(hashlib.sha1(b"many%d" % i).hexdigest())' |
	sort >"$W/many.ids"
find "$STORE/roaming" -type f -printf '%f\n' | sort >"$W/have.ids"
check_eq "the 2100 well-formed keys are kept in roaming/" 0 \
	"$(comm -23 "$W/many.ids" "$W/have.ids" | wc -l)"
sync_as alice -- --json >"$W/run2.json" 2>&1
check_eq "the next run writes nothing" 0 \
	"$(jq -r .ldap_modifies "$W/run2.json" 2>/dev/null)"
finish
