#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Two writable DCs, alice's mem1 at dc1 and mem2 at dc2, replication by
# change notification only (nothing forced): the time from a certificate
# imported on mem1 (written at dc1) to its key usable on mem2 (read at
# dc2, a sync every 0.5 s), R times.  Prints each time and the median; the
# baseline in the same run is the same change made and read at one DC
# (mem2 pointed at dc1), so the ratio is what the second DC costs.
#
#   selftest/with-domain --dcs 2 --members 2 bench/bench_dcs.sh
set -u
. "$(dirname "$0")/../testprogs/blackbox/testlib.sh"
R=${R:-3}
work=$(mktemp -d -p "$DOMAIN_WORKDIR"); chmod 1777 "$work"
trap 'rm -rf "$work"' EXIT
echo "$DOMAIN_USER_PASSWORD" > "$work/pw"
printf '[policy]\nroaming = yes\n' > "$work/conf"
chmod 644 "$work/pw" "$work/conf"
store_b="$DOMAIN_WORKDIR/mem2/home/alice/.local/share/credroam"
on_a() { as-user alice "$@"; }
on_b() { on-member mem2 as-user alice "$@"; }

# one measurement: seconds from the import on mem1 to the key on mem2
propagate() {
	local n=$1 tp t0 i
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/$n.key" \
		-out "$work/$n.crt" -subj "/CN=bench $n" -days 30 2>/dev/null
	chmod 644 "$work/$n.key" "$work/$n.crt"
	tp=$(openssl x509 -in "$work/$n.crt" -noout -fingerprint -sha1 |
		sed 's/.*=//; s/://g')
	t0=$(date +%s.%N)
	on_a "$CREDROAM" import "$work/$n.crt" "$work/$n.key" \
		--password-file "$work/pw" --conf "$work/conf" --no-keyring \
		>/dev/null 2>&1
	for i in $(seq 1 240); do
		on_b "$CREDROAM" sync --conf "$work/conf" --no-keyring \
			>/dev/null 2>&1
		[ -f "$store_b/certs/$tp.key" ] && break
		sleep 0.5
	done
	echo "$(date +%s.%N) - $t0" | bc
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

on_b "$CREDROAM" sync --conf "$work/conf" --no-keyring >/dev/null 2>&1
member-use-dc mem2 dc1
base=$(for r in $(seq 1 "$R"); do propagate "one$r"; done | median)
member-use-dc mem2 dc2
two=$(for r in $(seq 1 "$R"); do propagate "two$r"; done | median)
echo "change on mem1 at dc1 -> usable key on mem2: same DC ${base} s," \
	"across dc1 -> dc2 by notification ${two} s," \
	"ratio $(echo "scale=2; $two / $base" | bc)x"
