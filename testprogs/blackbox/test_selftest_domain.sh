#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# with-domain: --members 2
# The test domain keeps the promises of selftest/README.md: members look
# like real ones to every program.
. "$(dirname "$0")/testlib.sh"

for v in DOMAIN_REALM DOMAIN_NAME DOMAIN_DC DOMAIN_DC_IP DOMAIN_BASEDN \
	DOMAIN_USERS DOMAIN_USER_PASSWORD DOMAIN_ADMIN_PASSWORD KRB5_CONFIG; do
	check "$v is set" test -n "${!v:-}"
done

check "getent passwd '$DOMAIN_NAME\\alice' through real NSS" \
	env -i /usr/bin/getent passwd "$DOMAIN_NAME\\alice"
home=$(getent passwd "$DOMAIN_NAME\\alice" | cut -d: -f6)
uid=$(getent passwd "$DOMAIN_NAME\\alice" | cut -d: -f3)
check_eq "alice's home is hers, mode 0700" "$uid 700" \
	"$(stat -c '%u %a' "$home")"
check "kinit alice with DOMAIN_USER_PASSWORD" \
	bash -c "printf '%s\n' \"\$DOMAIN_USER_PASSWORD\" | KRB5CCNAME=FILE:/tmp/kinit-test kinit alice@$DOMAIN_REALM"
check "/etc/krb5.conf is the domain's" grep -q "$DOMAIN_REALM" /etc/krb5.conf
check "pam_winbind.so is where PAM looks" \
	test -f /lib/x86_64-linux-gnu/security/pam_winbind.so

# SYSVOL over SMB with alice's ticket: GPOs must be readable by users.
out=$(as-user alice smbclient -k "//$DOMAIN_DC/sysvol" \
	-c "cd $DOMAIN_DNSDOMAIN/Policies; ls" 2>&1)
check_match "alice reads SYSVOL over SMB with Kerberos" \
	'\{31B2F340-016D-11D2-945F-00C04FB984F9\}' "$out"

# Two machines: separate /tmp and homes, same domain.
check_eq "members are separate machines (different /tmp)" no \
	"$(touch /tmp/only-on-mem1; on-member mem2 test -e /tmp/only-on-mem1 && echo yes || echo no)"
home2=$(on-member mem2 getent passwd "$DOMAIN_NAME\\alice" | cut -d: -f6)
check "alice has her own home on mem2" test "$home2" != "$home" -a -d "$home2"
check_match "mem2's winbind answers" 'succeeded' \
	"$(on-member mem2 wbinfo -t 2>&1)"
check "dc-ctl reports the DC running" dc-ctl status
finish
