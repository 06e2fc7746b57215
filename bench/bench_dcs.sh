#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Two writable DCs, alice's mem1 at dc1 and mem2 at dc2, replication by
# change notification only (nothing forced): the time from a certificate
# imported on mem1 (written at dc1) to its key usable on mem2 (read at
# dc2, a sync every 0.5 s; usable: the key file, materialize = files),
# R times.  Prints each time and the median; the
# baseline in the same run is the same change made and read at one DC
# (mem2 pointed at dc1), round by round with the other side, so the
# ratio is what the second DC costs.
#
#   selftest/with-domain --dcs 2 --members 2 bench/bench_dcs.sh
set -u
. "$(dirname "$0")/../testprogs/blackbox/testlib.sh"
R=${R:-5}
work=$(mktemp -d -p "$DOMAIN_WORKDIR"); chmod 1777 "$work"
trap 'rm -rf "$work"' EXIT
echo "$DOMAIN_USER_PASSWORD" > "$work/pw"
printf '[policy]\nroaming = yes\n[sync]\nmaterialize = files\n' > "$work/conf"
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
	echo "$(date +%s.%N) - $t0" | bc >>"$work/import"
	for i in $(seq 1 240); do
		on_b "$CREDROAM" sync --conf "$work/conf" --no-keyring \
			>/dev/null 2>&1
		if [ -f "$store_b/certs/$tp.key" ]; then
			echo "$(date +%s.%N) - $t0" | bc
			return 0
		fi
		sleep 0.5
	done
	echo "bench_dcs: $n: no key on mem2 after 240 syncs" >&2
	return 1
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

member-use-dc mem1 dc1 || exit 1
on_b "$CREDROAM" sync --conf "$work/conf" --no-keyring >/dev/null 2>&1
: >"$work/base"
: >"$work/import"
: >"$work/two"
# the two sides interleaved, round by round
# (each after an untimed run on mem2 at its new DC: winbindd restarted)
use_dc() {
	member-use-dc mem2 "$1" >/dev/null || exit 1
	on_b "$CREDROAM" sync --conf "$work/conf" --no-keyring >/dev/null 2>&1
}
for r in $(seq 1 "$R"); do
	use_dc dc1
	propagate "one$r" >>"$work/base" || exit 1
	use_dc dc2
	propagate "two$r" >>"$work/two" || exit 1
done
base=$(median <"$work/base")
two=$(median <"$work/two")
echo "# same DC: $(tr '\n' ' ' <"$work/base")s; dc1 -> dc2: $(tr '\n' ' ' <"$work/two")s"
echo "# of which the import on mem1 (both sides, in order): $(tr '\n' ' ' <"$work/import")s"
echo "change on mem1 at dc1 -> usable key on mem2: same DC ${base} s," \
	"across dc1 -> dc2 by notification ${two} s," \
	"ratio $(echo "scale=2; $two / $base" | bc)x"
