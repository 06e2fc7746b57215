#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# with-domain: --dcs 2 --rodc --members 2
#
# Roaming in a domain of several DCs (issue 20): alice's machine mem1
# talks to dc1, mem2 to dc2.
#   - a token written through dc1 reaches mem2 through dc2;
#   (concurrent edits through both DCs converging: test_roam_dcs_converge.sh)
#   - dc1 stopped at logon: the run uses dc2 within the time budget;
#   - a member whose DC is read-only reads and writes at a writable DC.
. "$(dirname "$0")/testlib.sh"

work=$(mktemp -d -p "$DOMAIN_WORKDIR"); chmod 1777 "$work"
trap 'rm -rf "$work"' EXIT
echo "$DOMAIN_USER_PASSWORD" > "$work/pw"
printf '[policy]\nroaming = yes\n' > "$work/conf"
chmod 644 "$work/pw" "$work/conf"
A="Administrator%$DOMAIN_ADMIN_PASSWORD"
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
# values, identities, live values of alice's tokens on one DC
ad_ids() {
	ldbsearch -H "ldap://$1.$DOMAIN_DNSDOMAIN" -U "$A" -b "$DOMAIN_BASEDN" \
		"(sAMAccountName=alice)" msPKIAccountCredentials \
		msPKIDPAPIMasterKeys 2>/dev/null |
		/usr/bin/python3 "$(dirname "$0")/ad_identities.py"
}
newcert() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/$1.key" \
		-out "$work/$1.crt" -subj "/CN=alice $1/O=ROAM" -days 30 \
		2>/dev/null
	chmod 644 "$work/$1.key" "$work/$1.crt"
	openssl x509 -in "$work/$1.crt" -noout -fingerprint -sha1 |
		sed 's/.*=//; s/://g'
}
import_on() {
	"$1" "$CREDROAM" import "$work/$2.crt" "$work/$2.key" \
		--password-file "$work/pw" --conf "$work/conf" --no-keyring
}
certs_of() { ls "$1/certs" 2>/dev/null | grep '\.crt$' | sort | tr '\n' ' '; }

check "member-use-dc mem2 dc2" member-use-dc mem2 dc2

# --- written through dc1, read through dc2 --------------------------------
tp1=$(newcert one)
out=$(import_on on_a one 2>&1)
check_match "import on mem1" "imported $tp1" "$out"
json=$(sync_a --json 2>&1)
check_eq "mem1 talks to dc1" "dc1.$DOMAIN_DNSDOMAIN" "$(echo "$json" | jget dc)"
check "replication settles" dc-replicate --user alice
json=$(sync_b --json 2>&1)
check_eq "mem2 talks to dc2" "dc2.$DOMAIN_DNSDOMAIN" "$(echo "$json" | jget dc)"
check_eq "mem2 downloads the 4 tokens written at dc1" 4 \
	"$(echo "$json" | jget counts.downloaded)"
check "mem2 has the certificate" test -f "$store_b/certs/$tp1.crt"

# --- dc1 stopped at logon ---------------------------------------------------
json=$(sync_a --json 2>&1)
t_up=$(echo "$json" | jget seconds)
check "dc-ctl stop dc1" dc-ctl stop dc1
json=$(sync_a --json 2>&1)
check_eq "with dc1 stopped mem1's run succeeds" "" \
	"$(echo "$json" | jget summary | grep failed)"
check_eq "with dc1 stopped mem1 uses dc2" "dc2.$DOMAIN_DNSDOMAIN" \
	"$(echo "$json" | jget dc)"
t_down=$(echo "$json" | jget seconds)
check "failover costs less than 0.5 s ($t_up s -> $t_down s)" \
	test "$(echo "$t_down < $t_up + 0.5" | bc)" = 1
check "dc-ctl start dc1" dc-ctl start dc1

# --- a member whose DC is read-only ---------------------------------------
# its site's DC is the RODC: credroam.conf prefers it ([sync] dc)
printf '[policy]\nroaming = yes\n[sync]\ndc = %s.%s\n' "$DOMAIN_RODC" \
	"$DOMAIN_DNSDOMAIN" > "$work/rodc.conf"
chmod 644 "$work/rodc.conf"
tp4=$(newcert four)
out=$(on_b "$CREDROAM" import "$work/four.crt" "$work/four.key" \
	--password-file "$work/pw" --conf "$work/rodc.conf" --no-keyring 2>&1)
check_match "mem2 imports through a writable DC, not the RODC" \
	"imported $tp4" "$out"
json=$(on_b "$CREDROAM" sync --conf "$work/rodc.conf" --no-keyring --json 2>&1)
check_match "the run says the preferred DC is read-only" \
	"rodc\.$DOMAIN_DNSDOMAIN' is a read-only domain controller" "$json"
dc=$(echo "$json" | jget dc)
check_match "mem2's run is at a writable DC" "^dc[12]\.$DOMAIN_DNSDOMAIN$" "$dc"
check "mem2 still holds every certificate" test -f "$store_b/certs/$tp1.crt" \
	-a -f "$store_b/certs/$tp4.crt"
check "the new certificate is in AD at $dc" \
	sh -c "ldbsearch -H ldap://$dc -U '$A' -b '$DOMAIN_BASEDN' \
		'(sAMAccountName=alice)' msPKIAccountCredentials | tr -d '\n ' |
		grep -q ."

# --- samba-tool credroam: which DC, and every DC side by side ---------------
ST=$BIN/source/python/samba-tool
out=$(LD_PRELOAD= "$ST" credroam list alice -H "ldap://dc2.$DOMAIN_DNSDOMAIN" \
	-U "$A" 2>&1)
check_match "credroam list says which DC it read" \
	"read at +dc2\.$DOMAIN_DNSDOMAIN" "$out"
dc-replicate --user alice >/dev/null 2>&1
out=$(LD_PRELOAD= "$ST" credroam list alice --each-dc \
	-H "ldap://dc1.$DOMAIN_DNSDOMAIN" -U "$A" 2>&1)
check_match "credroam list --each-dc shows dc1, dc2 and the RODC" \
	"dc1\..*dc2\..*rodc\..*read-only" "$(echo "$out" | tr '\n' ' ')"
check_match "credroam list --each-dc: the writable DCs agree" \
	"writable DCs agree" "$out"
finish
