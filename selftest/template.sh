#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# template.sh TDIR - provision the test domain's DC once, into TDIR.
#
# Runs inside private network + mount namespaces (with-domain arranges
# that); needs real root, because provisioning chowns SYSVOL to domain ids.
# The result is a stopped, provisioned DC with its users, cloned for every
# run by domain.sh.  Output goes to stderr; with-domain sends it to a log.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/domain.conf"

T=$(realpath -m "${1:?usage: template.sh TDIR}")
log() { echo "[template] $*" >&2; }
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }

t0=$(now)
rm -rf "$T" "$T.tmp"
mkdir -p "$T.tmp/run" "$T.tmp/log"
P=$T.tmp

. "$HERE/netns.sh"
netns_setup "$P.ns"

. "$HERE/dc.sh"
mapfile -t opts < <(dc_options "$P" "$DC_IP")
samba-tool domain provision --configfile=/dev/null \
	--realm="$REALM" --domain="$DOMAIN" --server-role=dc \
	--dns-backend=SAMBA_INTERNAL --use-rfc2307 \
	--adminpass="$ADMIN_PASSWORD" --host-name="$DC_HOST" \
	--host-ip="$DC_IP" --targetdir="$P" "${opts[@]}" \
	>"$P.provision.log" 2>&1 || {
	tail -n 20 "$P.provision.log" >&2
	exit 1
}
log "provisioned in $(since "$t0")s"
# Without the ldap/<dc> SPN Kerberos LDAP fails; the dnsupdate task that
# would add it is off (it would talk to the resolver).
samba_spnupdate -s "$P/etc/smb.conf" >/dev/null 2>&1

dc_start "$P" || exit 1

# Users, in one Python process (samba-tool per user costs ~0.5 s each).
LD_PRELOAD= /usr/bin/python3 "$HERE/mkusers.py" "ldap://$DC_IP" \
	"Administrator%$ADMIN_PASSWORD" "$USER_PASSWORD" \
	$USERS $(seq -f "$STORM_USER_PREFIX%03g" 1 "$STORM_USERS") >&2 || {
	log "creating users failed"
	exit 1
}
log "users created after $(since "$t0")s"

dc_stop "$P"
rm -rf "$P/msg.sock" "$P/msg.lock" "$P"/run/*.pid "$P/samba.pid" \
	"$P.ns" "$P"/log/*
mv "$P" "$T"
log "template ready in $(since "$t0")s: $T"
