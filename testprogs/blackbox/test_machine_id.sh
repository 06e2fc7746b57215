#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A member without /etc/machine-id (a container, a debootstrap; issue 22):
# the key containers are named by a GUID made once and kept in the store,
# as Windows setup makes MachineGuid once; the dry run (credroam status)
# and the run agree on what they import; the dry run keeps nothing.
. "$(dirname "$0")/testlib.sh"

work=$(mktemp -d -p "$DOMAIN_WORKDIR"); chmod 1777 "$work"
trap 'rm -rf "$work"' EXIT
echo "$DOMAIN_USER_PASSWORD" > "$work/pw"
# this test reads the key files certs/ holds with materialize = files
printf '[policy]\nroaming = yes\n[sync]\nmaterialize = files\n' > "$work/conf"
chmod 644 "$work/pw" "$work/conf"
store="$DOMAIN_WORKDIR/mem1/home/alice/.local/share/credroam"
roam() {
	as-user alice "$CREDROAM" "$@" --conf "$work/conf" --no-keyring \
		--password-file "$work/pw"
}

# This domain's /etc is a private overlay; /var/lib/dbus gets an empty
# tmpfs in this member's mount namespace.  Nothing of the host changes.
rm -f /etc/machine-id
mount -t tmpfs tmpfs /var/lib/dbus
check "no /etc/machine-id, no /var/lib/dbus/machine-id" \
	test ! -e /etc/machine-id -a ! -e /var/lib/dbus/machine-id

roam sync >/dev/null 2>&1
as-user alice openssl req -x509 -newkey rsa:2048 -nodes \
	-keyout "$store/certs/dropped.key" -out "$store/certs/dropped.crt" \
	-subj "/CN=alice without machine-id" -days 30 2>/dev/null
tp=$(openssl x509 -in "$store/certs/dropped.crt" -noout -fingerprint \
	-sha1 | sed 's/.*=//; s/://g')
check_match "a certificate with its key is dropped into certs/" \
	'^[0-9A-F]{40}$' "$tp"

out=$(roam status 2>&1)
check_match "the dry run says it would be imported" \
	"would be imported as $tp" "$out"
check_fails "the dry run reports no refusal" grep -q "not imported" \
	<<<"$out"
check "the dry run keeps no machine GUID" test ! -e "$store/machine-guid"

out=$(roam sync 2>&1)
check_match "the run imports it" "1 imported" "$out"
check_fails "the run reports no refusal" grep -q "not imported" <<<"$out"
guid=$(cat "$store/machine-guid" 2>/dev/null)
check_match "the store keeps a lower-case GUID (version 4)" \
	'^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' \
	"$guid"
out=$(as-user alice "$CREDROAM" list --local 2>&1)
check_match "the key container is named by that GUID" \
	"RSAPrivateKey +[0-9a-f]{32}_$guid" "$out"
check "the certificate is usable in certs/" test -f "$store/certs/$tp.crt"

# a second certificate: the same GUID, the file unchanged
as-user alice openssl req -x509 -newkey rsa:2048 -nodes \
	-keyout "$store/certs/second.key" -out "$store/certs/second.crt" \
	-subj "/CN=alice again" -days 30 2>/dev/null
roam sync >/dev/null 2>&1
check_eq "a later run keeps the same GUID" "$guid" \
	"$(cat "$store/machine-guid" 2>/dev/null)"
check_eq "both key containers carry it" 2 \
	"$(as-user alice "$CREDROAM" list --local 2>&1 |
		grep -cE "RSAPrivateKey +[0-9a-f]{32}_$guid")"

finish
