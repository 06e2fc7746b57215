#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# with-domain: --dcs 2 --guarded-dcs dc2
#
# The guard on a joined DC, and what replication brings past it (issue
# 20): `samba-tool credroam guard enable` works on dc2 (joined with
# `samba-tool domain join`) and refuses a hostile token there; the same
# token written at the unguarded dc1 reaches dc2 by replication, which no
# ldb module sees; a member reading at dc2 still reports it and never
# writes it to disk.
. "$(dirname "$0")/testlib.sh"

work=$(mktemp -d -p "$DOMAIN_WORKDIR"); chmod 1777 "$work"
trap 'rm -rf "$work"' EXIT
printf '[policy]\nroaming = yes\n' > "$work/conf"
chmod 644 "$work/conf"
A="Administrator%$DOMAIN_ADMIN_PASSWORD"
ALICE="CN=alice,CN=Users,$DOMAIN_BASEDN"
store="$DOMAIN_WORKDIR/mem1/home/alice/.local/share/credroam"

# the CVE-2022-30170 proof of concept: "..\..\Windows\Start Menu\..."
POC="25335c2e2e5c2e2e5c57696e646f77735c5374617274204d656e755c50726f67\
72616d735c537461727475705c6d616c6963696f75732e626174$(printf '00%.0s' $(seq 1 38))\
f0a1f04c9c1ad80100000000f52f696ec0f1d3b13e9d9d553adbb491ca6cc7a319000000\
406563686f206f66660d0a73746172742063616c632e657865"
POC=${POC^^}
printf 'dn: %s\nchangetype: modify\nadd: msPKIAccountCredentials\nmsPKIAccountCredentials: B:%d:%s:%s\n' \
	"$ALICE" "${#POC}" "$POC" "$ALICE" > "$work/poc.ldif"
write_at() {
	LD_PRELOAD= ldbmodify -H "ldap://$1.$DOMAIN_DNSDOMAIN" \
		--use-kerberos=off -U "$A" "$work/poc.ldif"
}

check_eq "only dc2 is guarded" dc2 "$DOMAIN_GUARDED_DCS"
out=$(write_at dc2 2>&1)
check_match "the guard on the joined dc2 refuses the hostile token" \
	"credroam_guard: refused" "$out"
check "the unguarded dc1 takes it" write_at dc1
check "replication settles" dc-replicate --user alice
check_match "replication brought it past dc2's guard" \
	"$(echo "$POC" | cut -c1-40)" \
	"$(LD_PRELOAD= ldbsearch -H "ldap://dc2.$DOMAIN_DNSDOMAIN" -U "$A" \
		-b "$ALICE" -s base msPKIAccountCredentials 2>/dev/null |
		tr -d '\n ')"

check "member-use-dc mem1 dc2" member-use-dc mem1 dc2
json=$(as-user alice "$CREDROAM" --json sync --conf "$work/conf" \
	--no-keyring 2>&1)
check_match "the run at dc2 reports the hostile token" \
	"\\.\\." "$(echo "$json" | grep -i 'problem\|refus\|unsafe' )"
check_match "the run read at dc2" "\"dc\": \"dc2\\.$DOMAIN_DNSDOMAIN\"" \
	"$json"
check_eq "no file of it anywhere in the store" "" \
	"$(find "$store" -iname '*malicious*' -o -iname '*Startup*' 2>/dev/null)"
finish
