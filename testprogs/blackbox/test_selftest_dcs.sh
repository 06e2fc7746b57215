#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# with-domain: --dcs 2 --members 2
# A test domain with two writable DCs: both answer, a change made on one
# reaches the other (forced and by change notification), a DC can be
# stopped and started, and a member can be pointed at one DC.
. "$(dirname "$0")/testlib.sh"
A="Administrator%$DOMAIN_ADMIN_PASSWORD"

check_eq "DOMAIN_DCS lists both DCs" "dc1 dc2" "$DOMAIN_DCS"
for dc in $DOMAIN_DCS; do
	check "$dc answers LDAP" ldbsearch -H "ldap://$dc.$DOMAIN_DNSDOMAIN" \
		-s base -b '' dnsHostName
done

out=$(samba-tool dns query dc2.$DOMAIN_DNSDOMAIN "_msdcs.$DOMAIN_DNSDOMAIN" \
	_ldap._tcp.dc SRV -U "$A" 2>&1)
check_match "the DC locator's SRV record names dc1 and dc2 (DNS at dc2)" \
	"dc1\.$DOMAIN_DNSDOMAIN.*dc2\.$DOMAIN_DNSDOMAIN|dc2\.$DOMAIN_DNSDOMAIN.*dc1\.$DOMAIN_DNSDOMAIN" \
	"$(echo "$out" | tr '\n' ' ')"

desc() {
	ldbsearch -H "ldap://$1.$DOMAIN_DNSDOMAIN" -U "$A" -b "$DOMAIN_BASEDN" \
		"(sAMAccountName=carol)" description 2>/dev/null |
		sed -n 's/^description: //p'
}
samba-tool user edit --help >/dev/null 2>&1
ldbmodify -H "ldap://dc1.$DOMAIN_DNSDOMAIN" -U "$A" >/dev/null 2>&1 <<LDIF
dn: CN=carol,CN=Users,$DOMAIN_BASEDN
changetype: modify
replace: description
description: forced-$$
LDIF
check "dc-replicate forces replication" dc-replicate
check_eq "a change on dc1 is on dc2 after dc-replicate" "forced-$$" "$(desc dc2)"

ldbmodify -H "ldap://dc2.$DOMAIN_DNSDOMAIN" -U "$A" >/dev/null 2>&1 <<LDIF
dn: CN=carol,CN=Users,$DOMAIN_BASEDN
changetype: modify
replace: description
description: notified-$$
LDIF
for i in $(seq 1 150); do
	[ "$(desc dc1)" = "notified-$$" ] && break
	sleep 0.2
done
check_eq "a change on dc2 reaches dc1 by change notification" \
	"notified-$$" "$(desc dc1)"
check "dc-replicate --no-force --user waits for agreement" \
	dc-replicate --no-force --user alice --timeout 20

check "dc-ctl stop dc2" dc-ctl stop dc2
check_fails "dc2 is stopped" dc-ctl status dc2
check_fails "dc2 does not answer" ldbsearch -H "ldap://dc2.$DOMAIN_DNSDOMAIN" \
	-s base -b '' dnsHostName
check "dc-ctl start dc2" dc-ctl start dc2
check "dc2 answers again" ldbsearch -H "ldap://dc2.$DOMAIN_DNSDOMAIN" \
	-s base -b '' dnsHostName

check "member-use-dc mem2 dc2" member-use-dc mem2 dc2
check_match "mem2's Kerberos asks dc2 first" 'kdc = 127.0.0.20' \
	"$(on-member mem2 grep -m1 '^[[:space:]]*kdc =' /etc/krb5.conf)"
check_match "mem1's Kerberos still asks dc1 first" 'kdc = 127.0.0.10' \
	"$(grep -m1 '^[[:space:]]*kdc =' /etc/krb5.conf)"
check_match "mem2's winbind uses dc2" 'dc2' \
	"$(on-member mem2 wbinfo -P 2>&1)"
check_match "mem1's winbind still uses dc1" 'dc1' "$(wbinfo -P 2>&1)"
finish
