#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The worst modifies of the token attributes a domain user can send
# (issue 17, item 1), timed on the test DC with and without
# credroam_guard in the same run (@LIST switched between batches, as in
# bench_guard.sh), and a base search by another user while such floods
# run.  Shapes (testprogs/blackbox/guard_flood.py), alice sending:
#   flood      bob's object: 12 replace elements x 4000 valid tokens
#              (16.5 MB, the issue's request; over the count bound)
#   bound      bob's object: per token attribute a replace of 4000
#              valid tokens and a delete of 4000 values (the most the
#              count bound lets through; the caller may not write)
#   refused    alice's own object, bound plus an adminCount element:
#              the unguarded DC answers at once (the short deletes are
#              not DN-Binary: invalidDNSyntax), the guard, which only
#              compares deleted values, reviews every token first
#   refused-full  the same once alice's object holds 2 x 4000 tokens
#              (the guard also reads them)
#   own-full[:N]  a user's own object holding 2 x N tokens (default
#              4000, the count bound): per token attribute a delete of
#              all N stored values and an add of N new tokens (with N =
#              4000 the most the count bound lets through, and the DC
#              makes the change: rc=0, the object is as full again).
#              The token attributes are linked (linkID 2048): a deleted
#              value stays on the object as an inactive link, and
#              `samba-tool domain tombstones expunge` (Samba 4.17) does
#              not remove these ("0 links").  So each side of each round
#              uses a fresh user of DOMAIN_STORM_USERS, filled (write:N,
#              unguarded, not timed) just before; its stored values are
#              counted and printed: every side starts from 2 x N live
#              values and none inactive.
# Each shape ROUNDS times each way, sides alternating; the ratio of the
# medians guarded/unguarded (target <= 1.2), of the client's wall time
# and of the DC's CPU time during it (utime+stime of its process tree;
# less disturbed by whatever else runs on the machine).  Then the seconds
# of a new connection + base search by carol, idle and while two
# attackers send `flood` in a loop (target <= 2x idle).
#
#   selftest/with-domain --guarded bench/bench_guard_flood.sh
#   ROUNDS=5 SHAPES="flood refused" ... to choose
#   WARMUP=1 ... first one round (or more, rounds 0, -1, ...) not
#              counted
#   CLIENT_TS=1 ... own-full's client sets msPKIRoamingTimeStamp itself
#              (both sides write the same attributes)
# For own-full start the domain with a DC malloc that keeps its pages
#   GLIBC_TUNABLES=glibc.malloc.trim_threshold=536870912:glibc.malloc.mmap_threshold=33554432
# (as run-bench.sh does): without it some prefork workers give the big
# records' pages back and fault them in again, and a side costs up to
# 15x more, on either side at random.
#   BASE_SEARCH=no ... skips the base search part
set -u
. "$(dirname "$0")/../testprogs/blackbox/testlib.sh"

ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-0}
SHAPES=${SHAPES:-flood bound refused refused-full own-full}
SEARCHES=${SEARCHES:-10}
FLOOD=(env LD_PRELOAD= /usr/bin/python3 "$TOP/testprogs/blackbox/guard_flood.py")

[ "${DOMAIN_GUARDED:-no}" = yes ] || {
	echo "bench_guard_flood.sh: run it with selftest/with-domain --guarded" >&2
	exit 2
}

set_list() {
	printf 'dn: @MODULES\nchangetype: modify\nreplace: @LIST\n@LIST: %s\n' "$1" |
		LD_PRELOAD= ldbmodify -H "tdb://$DOMAIN_DC_DIR/private/sam.ldb" \
		-o modules: >/dev/null || exit 1
}
guard_on() { set_list credroam_guard,samba_dsdb; }
guard_off() { set_list samba_dsdb; }

# A / B, 0 when B is 0 (a side too quick for the DC's clock ticks)
div() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == 0) ? 0 : a / b }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# own-full: a fresh user per side (see above), filled and counted
# unguarded; sets $who
storm=($DOMAIN_STORM_USERS)
next_storm=0
who=alice
fresh() {
	local n=4000
	case $1 in *:*) n=${1#*:} ;; esac
	guard_off
	who=${storm[$next_storm]:?"bench_guard_flood.sh: out of storm users"}
	next_storm=$((next_storm + 1))
	"${FLOOD[@]}" modify "$who" "$who" "write:$n" >/dev/null
	printf '# %s round %s %s: %s holds %s\n' "$1" "$2" "$3" "$who" \
		"$("${FLOOD[@]}" links "$who")"
}

# one SHAPE: prints the guard_flood.py line
one() {
	case "$1" in
	flood|bound) "${FLOOD[@]}" modify alice bob "$1" ;;
	refused|refused-full) "${FLOOD[@]}" modify alice alice refused ;;
	own-full*) "${FLOOD[@]}" modify "$who" "$who" "$1" ;;
	esac
}

# one side: SHAPE, sets out (the guard_flood.py line), secs and cpu
# (the DC's CPU seconds during the modify)
side() {
	out=$(one "$1")
	secs=$(printf '%s' "$out" | sed -n 's/^secs=\([0-9.]*\) .*/\1/p')
	cpu=$(printf '%s' "$out" | sed -n 's/.* dc_cpu=\([0-9.]*\) .*/\1/p')
}

printf '%-13s %5s %9s %9s %6s %9s %9s %6s  %s\n' shape round guarded_s \
	plain_s ratio g_cpu_s u_cpu_s ratio "answers (guarded | plain)"
worst_shape= worst=0
for shape in $SHAPES; do
	guard_off
	case $shape in
	refused) "${FLOOD[@]}" modify alice alice small >/dev/null ;;
	refused-full) "${FLOOD[@]}" modify alice alice write >/dev/null ;;
	esac
	gs= us= gcs= ucs=
	for r in $(seq $((1 - WARMUP)) "$ROUNDS"); do
		for s in $( [ $((r % 2)) = 1 ] && echo g u || echo u g); do
			if [ $s = g ]; then
				case $shape in
				own-full*) fresh $shape $r guarded ;;
				esac
				guard_on
				side $shape
				gout=$out g=$secs gc=$cpu
			else
				case $shape in
				own-full*) fresh $shape $r unguarded ;;
				esac
				guard_off
				side $shape
				uout=$out u=$secs uc=$cpu
			fi
		done
		if [ "$r" -ge 1 ]; then
			gs="$gs $g" us="$us $u" gcs="$gcs $gc" ucs="$ucs $uc"
		fi
		printf '%-13s %5s %9.3f %9.3f %6.3f %9.2f %9.2f %6.3f  %s | %s\n' \
			"$shape" "$r" "$g" "$u" "$(div "$g" "$u")" \
			"$gc" "$uc" "$(div "$gc" "$uc")" \
			"$(printf '%s' "$gout" | cut -d' ' -f2,3,5 | cut -c1-90)" \
			"$(printf '%s' "$uout" | cut -d' ' -f2,3,5 | cut -c1-60)"
	done
	mg=$(printf '%s\n' $gs | median) mu=$(printf '%s\n' $us | median)
	mgc=$(printf '%s\n' $gcs | median) muc=$(printf '%s\n' $ucs | median)
	m=$(div "$mg" "$mu")
	printf 'guard flood %s: guarded %.3f s, unguarded %.3f s (medians of %d), time guarded/unguarded = %.3f; DC CPU guarded %.2f s, unguarded %.2f s, ratio %.3f\n' \
		"$shape" "$mg" "$mu" "$ROUNDS" "$m" "$mgc" "$muc" \
		"$(div "$mgc" "$muc")"
	if [ "$(echo "$m > $worst" | bc -l)" = 1 ]; then
		worst=$m
		worst_shape=$shape
	fi
done
guard_on
"${FLOOD[@]}" modify alice alice small >/dev/null
printf 'guard flood worst modify: %s, time guarded/unguarded = %.3f (target <= 1.2)\n' \
	"$worst_shape" "$worst"

# --- a base search while two attackers flood ---------------------------
[ "${BASE_SEARCH:-yes}" = no ] && exit 0
searches() {
	"${FLOOD[@]}" search carol "$SEARCHES"
}
attack_loop() {
	while [ ! -e "$stop" ]; do
		"${FLOOD[@]}" modify alice bob flood >/dev/null
	done
}
stop=$(mktemp -u)
for side in g u; do
	[ $side = g ] && guard_on || guard_off
	idle=$(searches | median)
	rm -f "$stop"
	attack_loop & a1=$!
	attack_loop & a2=$!
	# the attackers' first requests are on their way
	sleep 3
	busy=$(searches)
	touch "$stop"
	wait $a1 $a2
	rm -f "$stop"
	printf 'base search (%s): idle %.3f s, during two floods median %.3f s max %.3f s, ratio %.2f (target <= 2)\n' \
		"$([ $side = g ] && echo guarded || echo unguarded)" "$idle" \
		"$(printf '%s\n' $busy | median)" \
		"$(printf '%s\n' $busy | sort -g | tail -n 1)" \
		"$(echo "$(printf '%s\n' $busy | median) / $idle" | bc -l)"
done
guard_on
