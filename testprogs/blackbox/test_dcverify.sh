#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The DC's identity (issue 17 item 6): before MS-BKRP and before any write,
# credroam checks over the sealed connection that the server's computer
# account is a domain controller's (rootDSE dsServiceName -> server object
# -> serverReference -> userAccountControl SERVER_TRUST_ACCOUNT) and that
# its dNSHostName is the name the Kerberos ticket was for.  A member's
# computer account, a computer account any user may create, or a user
# account is refused, with the reason; the verdict is cached per
# connection.  cr_adprobe --dc-account DN substitutes the account the
# server says it is (the test hook): the write and the BKRP call sites
# then refuse.
# with-domain: --members 2
. "$(dirname "$0")/testlib.sh"

work=$(mktemp -d); chmod 1777 "$work"
trap 'rm -rf "$work"' EXIT
alice() { as-user alice "$@"; }
MEM2_DN=$(admin_ldb ldbsearch -b "$DOMAIN_BASEDN" \
	"(&(objectClass=computer)(sAMAccountName=MEM2\$))" dn 2>/dev/null |
	sed -n 's/^dn: //p')
DC_DN=$(admin_ldb ldbsearch -b "$DOMAIN_BASEDN" \
	"(&(objectClass=computer)(dNSHostName=$DOMAIN_DC))" dn 2>/dev/null |
	sed -n 's/^dn: //p')
check_match "the test domain has mem2's computer account" '^CN=' "$MEM2_DN"
check_match "the test domain has the DC's computer account" '^CN=' "$DC_DN"

# --- the real DC is accepted ---------------------------------------------
out=$(alice "$ADPROBE" dcverify 2>&1)
check_match "the DC is recognised as a writable domain controller" \
	"^writable-dc $DC_DN $DOMAIN_DC 3 searches\$" "$out"

# --- a member's computer account is refused -----------------------------
out=$(alice "$ADPROBE" --dc-account "$MEM2_DN" dcverify 2>&1)
rc=$?
check_eq "mem2's computer account is refused" 1 "$rc"
check_match "the refusal says it is not a domain controller" \
	"not a domain controller.*$MEM2_DN.*userAccountControl 0x00001000" "$out"

# --- a computer account a plain user may create (MachineAccountQuota) ----
# with the DC's host name written in as far as the DC allows it
admin_ldb ldbadd >/dev/null 2>&1 <<LDIF
dn: CN=EVIL,CN=Computers,$DOMAIN_BASEDN
objectClass: computer
sAMAccountName: EVIL\$
userAccountControl: 4096
LDIF
EVIL_DN="CN=EVIL,CN=Computers,$DOMAIN_BASEDN"
out=$(alice "$ADPROBE" --dc-account "$EVIL_DN" dcverify 2>&1)
check_match "a created computer account is refused" \
	"not a domain controller" "$out"
out=$(alice "$ADPROBE" --dc-account "$(user_dn bob)" dcverify 2>&1)
check_match "a user account is refused" "not a domain controller" "$out"

# --- the DC's account under another name: the ticket's name must match ---
out=$(alice "$ADPROBE" --dc-account "$DC_DN" --dc-host evil.roam.test \
	dcverify 2>&1)
check_match "a DC account whose dNSHostName is not the ticket's host is refused" \
	"dNSHostName '$DOMAIN_DC'.*not 'evil.roam.test'" "$out"

# --- the call sites: writes and MS-BKRP refuse a non-DC -------------------
cp "$CREDROAM_TESTDATA/dsinternals/cng-rsa-key.token" "$work/t.token"
chmod 644 "$work/t.token"
out=$(alice "$ADPROBE" --dc-account "$MEM2_DN" put "$work/t.token" 2>&1)
check_match "a write to a non-DC is refused before it is sent" \
	"not a domain controller" "$out"
check_eq "nothing was written" "0 0" "$(alice "$ADPROBE" count 2>&1)"
out=$(alice "$ADPROBE" --dc-account "$MEM2_DN" bkrp-cert "$work/c.der" 2>&1)
check_match "MS-BKRP with a non-DC is refused before it is called" \
	"not a domain controller" "$out"
check_fails "no certificate was fetched" test -s "$work/c.der"

# --- the real DC: writes and BKRP still work, the check runs once --------
out=$(alice "$ADPROBE" put "$work/t.token" 2>&1)
check_eq "a write to the DC works" msPKIAccountCredentials "$out"
check "alice deletes it again" alice "$ADPROBE" del "$work/t.token"
out=$(alice "$ADPROBE" bkrp-cert "$work/c.der" 2>&1)
check_match "MS-BKRP with the DC works" '^[0-9]+ ncacn_np:' "$out"
out=$(alice "$ADPROBE" dcverify-twice 2>&1)
check_match "the verdict is cached per connection (3 searches, not 6)" \
	"^writable-dc .* 3 searches\$" "$out"
out=$(alice "$CREDROAM" sync 2>&1)
check_eq "a roaming run against the DC works" 0 "$?"
finish
