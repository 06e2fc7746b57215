#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The foundation of every AD operation: alice binds to the test DC with her
# Kerberos ticket (GSSAPI, sign and seal), reads and writes her own
# roaming attributes, and bob cannot.
. "$(dirname "$0")/testlib.sh"

out=$(as-user alice "$ADPROBE" whoami 2>&1)
check_match "alice binds with Kerberos as alice@$DOMAIN_REALM" \
	"^alice@$DOMAIN_REALM $DOMAIN_DC " "$out"

check_eq "alice's timestamp starts absent" absent \
	"$(as-user alice "$ADPROBE" timestamp 2>&1)"
ts=$(as-user alice "$ADPROBE" bump 2>&1)
check_match "alice writes her msPKIRoamingTimeStamp" '^[0-9A-F]{32}$' "$ts"
check_eq "alice reads her msPKIRoamingTimeStamp back" "$ts" \
	"$(as-user alice "$ADPROBE" timestamp 2>&1)"

# Confidential attribute: bob sees no value at all, not an error.
check_eq "bob cannot read alice's msPKIRoamingTimeStamp" absent \
	"$(as-user bob "$ADPROBE" --user "$DOMAIN_NAME\\alice" timestamp 2>&1)"
check_fails "bob cannot write alice's msPKIRoamingTimeStamp" \
	as-user bob "$ADPROBE" --user "$DOMAIN_NAME\\alice" bump
out=$(as-user bob "$ADPROBE" --user "$DOMAIN_NAME\\alice" bump 2>&1)
check_match "bob's refusal says access was denied" \
	'INSUFFICIENT_ACCESS|access' "$out"

# The traffic is sealed: alice's timestamp never crosses the wire in clear.
if command -v tcpdump >/dev/null; then
	cap=$(mktemp)
	tcpdump --immediate-mode -Z root -i lo -w "$cap" -U 'tcp port 389' >/dev/null 2>&1 &
	tp=$!
	sleep 1
	as-user alice "$ADPROBE" timestamp >/dev/null 2>&1
	sleep 0.3
	kill "$tp"; wait "$tp" 2>/dev/null
	pkts=$(tcpdump -r "$cap" 2>/dev/null | wc -l)
	check_match "the capture saw alice's LDAP session" '^[1-9][0-9]+$' \
		"$pkts"
	check_eq "no msPKIRoamingTimeStamp in clear on the LDAP wire" 0 \
		"$(grep -c -a 'msPKIRoamingTimeStamp' "$cap")"
	rm -f "$cap"
fi

# No ticket: a clear message, not a GSSAPI error.
out=$(as-user --no-ticket carol env KRB5CCNAME=FILE:/tmp/none "$ADPROBE" whoami 2>&1)
check_match "no ticket gives a clear message" "no Kerberos ticket|kinit" "$out"

# An expired ticket: a clear message naming when it expired.
as-user --no-ticket dave bash -c "printf '%s\n' \"\$DOMAIN_USER_PASSWORD\" |
	kinit -l 3s dave@$DOMAIN_REALM >/dev/null 2>&1"
sleep 4
out=$(as-user --no-ticket dave "$ADPROBE" whoami 2>&1)
check_match "an expired ticket gives a clear message" \
	"expired at .*UTC.*(log on again|kinit)" "$out"

# A configuration that asks for signing only is refused.
conf=$(mktemp); chmod 644 "$conf"
sed 's/^\[global\]/[global]\n\tclient ldap sasl wrapping = sign/' \
	/etc/samba/smb.conf > "$conf"
mount --bind "$conf" /etc/samba/smb.conf
out=$(as-user alice "$ADPROBE" whoami 2>&1)
umount /etc/samba/smb.conf; rm -f "$conf"
check_match "signing-only LDAP is refused with a clear message" \
	"without sealing.*sasl wrapping = sign" "$out"
finish
