#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# dcs.sh TEMPLATE OUT NDCS RODC - build a cached set of domain controllers
# from the one-DC template: dc1 cloned from TEMPLATE, dc2 ... dcNDCS joined
# with `samba-tool domain join REALM DC`, and with RODC=yes one read-only DC
# joined with `samba-tool domain join REALM RODC`; replication set up both
# ways and settled; everything stopped.  OUT/dc1, OUT/dc2, ..., OUT/rodc
# are cloned for every run by domain.sh, like the template.  OUT/hosts
# names each DC's replication alias (<NTDS GUID>._msdcs.<forest>), so
# replication needs no DNS server.
#
# Runs inside private network, mount and PID namespaces (with-domain makes
# them), as real root.  Output goes to stderr.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/domain.conf"
. "$HERE/netns.sh"
. "$HERE/dc.sh"

TEMPLATE=$1 OUT=$(realpath -m "$2") NDCS=$3 RODC=$4
log() { echo "[dcs] $*" >&2; }
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
ADMIN="Administrator%$ADMIN_PASSWORD"

t0=$(now)
rm -rf "$OUT" "$OUT.tmp"
# Built under a short path: a DC's socket paths must stay below 108 bytes.
P=$(mktemp -d "${CREDROAM_SELFTEST_TMP:-/var/tmp}/credroam-dcs.XXXXXX") || exit 1
chmod 755 "$P"
trap 'rm -rf "$P"' EXIT
netns_setup "$P/ns"

names=dc1
for n in $(seq 2 "$NDCS"); do
	names="$names dc$n"
done
[ "$RODC" = yes ] && names="$names $RODC_HOST"

dc_clone "$TEMPLATE" "$P/dc1"
dc_start "$P/dc1" || exit 1

# join NAME KIND: join DC or RODC NAME to the domain, through dc1
join() {
	local name=$1 kind=$2 D=$P/$1 ip
	ip=$(dc_ip "$name")
	mapfile -t opts < <(dc_options "$D" "$ip")
	# A DC that just answered LDAP may not answer CLDAP yet: retry.
	for try in 1 2 3 4 5 6; do
		rm -rf "$D"
		mkdir -p "$D/run" "$D/log"
		if samba-tool domain join "$REALM" "$kind" \
			--configfile=/dev/null -U "$ADMIN" \
			--server="$DC_HOST.$DNSDOMAIN" \
			--targetdir="$D" --dns-backend=SAMBA_INTERNAL \
			"--option=netbios name=${name^^}" \
			"${opts[@]}" >"$P/join-$name.log" 2>&1; then
			break
		fi
		tail -n 3 "$P/join-$name.log" >&2
		if [ "$try" = 6 ]; then
			tail -n 30 "$P/join-$name.log" >&2
			return 1
		fi
		log "join of $name, attempt $try failed; again"
		sleep 2
	done
	# the ldap/<host> SPN Kerberos LDAP needs (the dnsupdate task that
	# would add it is off)
	samba_spnupdate -s "$D/etc/smb.conf" >/dev/null 2>&1
	log "$name joined as $kind after $(since "$t0")s"
	dc_start "$D" "$ip"
}

for name in $names; do
	case "$name" in
	dc1) ;;
	"$RODC_HOST") join "$name" RODC || exit 1 ;;
	*) join "$name" DC || exit 1 ;;
	esac
done

# The DC locator's record for every joined DC (samba_dnsupdate would add
# it, but its task is off: it talks to the resolver), so clients find
# them by DNS SRV as they would in a real domain.
for name in $names; do
	[ "$name" = dc1 ] && continue
	samba-tool dns add "$DC_IP" "_msdcs.$DNSDOMAIN" _ldap._tcp.dc SRV \
		"$name.$DNSDOMAIN 389 0 100" -U "$ADMIN" >/dev/null 2>&1 ||
		log "adding the SRV record of $name failed"
done

# Each DC's replication alias, so a DC finds its partners even when the
# DNS server it would ask (dc1's) is stopped.
: > "$P/hosts"
for name in $names; do
	guid=$(ldbsearch -H "ldap://$(dc_ip "$name")" -s base -b '' \
		dsServiceName | sed -e ':a;N;$!ba;s/\n //g' |
		sed -n 's/^dsServiceName: //p')
	guid=$(ldbsearch -H "ldap://$DC_IP" -U "$ADMIN" -s base \
		-b "$guid" objectGUID 2>/dev/null |
		sed -n 's/^objectGUID: //p')
	[ -n "$guid" ] || { log "no NTDS GUID for $name"; exit 1; }
	printf '%s %s._msdcs.%s\n' "$(dc_ip "$name")" "$guid" "$DNSDOMAIN" \
		>> "$P/hosts"
done
cat "$P/hosts" >> /etc/hosts

# Connections both ways (the KCC of every DC), then replicate everything
# everywhere once, so that the cached set starts settled.
for name in $names; do
	samba-tool drs kcc "$name.$DNSDOMAIN" -U "$ADMIN" >/dev/null 2>&1 ||
		log "kcc on $name failed"
done
for pass in 1 2; do
	for to in $names; do
		for from in $names; do
			[ "$from" = "$to" ] && continue
			[ "$from" = "$RODC_HOST" ] && continue
			for nc in "$BASEDN" "CN=Configuration,$BASEDN"; do
				samba-tool drs replicate "$to.$DNSDOMAIN" \
					"$from.$DNSDOMAIN" "$nc" -U "$ADMIN" \
					>/dev/null 2>&1 ||
				log "pass $pass: replicate $from -> $to $nc failed"
			done
		done
	done
done
for name in $names; do
	samba-tool drs showrepl "$name.$DNSDOMAIN" -U "$ADMIN" \
		>"$P/showrepl-$name.txt" 2>&1
done
for name in $names; do
	dc_stop "$P/$name"
done
mkdir -p "$OUT.tmp"
for name in $names; do
	dc_clone "$P/$name" "$OUT.tmp/$name"
done
cp "$P/hosts" "$P"/showrepl-*.txt "$P"/join-*.log "$OUT.tmp/"
mv "$OUT.tmp" "$OUT"
log "domain controllers $names ready in $(since "$t0")s: $OUT"
