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
#   own-full   alice's own object holding 2 x 4000 tokens: per token
#              attribute a delete of all 4000 stored values and an add of
#              4000 new tokens (the most the count bound lets through, and
#              the DC makes the change: rc=0, the object is full again).
#              The token attributes are linked (linkID 2048): a deleted
#              value stays as an inactive link, so before each side the
#              inactive links are expunged and both sides start from 2 x
#              4000 live values and nothing else.
# Each shape ROUNDS times each way, sides alternating; the median of the
# per-round ratios guarded/unguarded (target <= 1.2).  Then the seconds
# of a new connection + base search by carol, idle and while two
# attackers send `flood` in a loop (target <= 2x idle).
#
#   selftest/with-domain --guarded bench/bench_guard_flood.sh
#   ROUNDS=5 SHAPES="flood refused" ... to choose
#   BASE_SEARCH=no ... skips the base search part
set -u
. "$(dirname "$0")/../testprogs/blackbox/testlib.sh"

ROUNDS=${ROUNDS:-3}
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

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# the object content a shape starts from, the same for both sides
reset() {
	case "$1" in
	own-full)
		LD_PRELOAD= samba-tool domain tombstones expunge \
			-H "tdb://$DOMAIN_DC_DIR/private/sam.ldb" \
			--current-time=2100-01-01 --tombstone-lifetime=0 \
			>/dev/null 2>&1 || echo "# expunge failed" >&2
		;;
	esac
}

# one SHAPE: prints the guard_flood.py line
one() {
	reset "$1"
	case "$1" in
	flood|bound) "${FLOOD[@]}" modify alice bob "$1" ;;
	refused|refused-full) "${FLOOD[@]}" modify alice alice refused ;;
	own-full) "${FLOOD[@]}" modify alice alice own-full ;;
	esac
}

printf '%-13s %5s %10s %10s %7s  %s\n' shape round guarded_s plain_s ratio \
	"answers (guarded | plain)"
worst_shape= worst=0
for shape in $SHAPES; do
	guard_off
	case $shape in
	refused) "${FLOOD[@]}" modify alice alice small >/dev/null ;;
	refused-full|own-full) "${FLOOD[@]}" modify alice alice write >/dev/null ;;
	esac
	ratios=
	gs= us=
	for r in $(seq 1 "$ROUNDS"); do
		for side in $( [ $((r % 2)) = 1 ] && echo g u || echo u g); do
			if [ $side = g ]; then
				guard_on
				gout=$(one $shape)
			else
				guard_off
				uout=$(one $shape)
			fi
		done
		g=$(printf '%s' "$gout" | sed -n 's/^secs=\([0-9.]*\) .*/\1/p')
		u=$(printf '%s' "$uout" | sed -n 's/^secs=\([0-9.]*\) .*/\1/p')
		ratio=$(echo "$g / $u" | bc -l)
		ratios="$ratios $ratio"
		gs="$gs $g"
		us="$us $u"
		printf '%-13s %5s %10.3f %10.3f %7.3f  %s | %s\n' "$shape" "$r" \
			"$g" "$u" "$ratio" \
			"$(printf '%s' "$gout" | cut -d' ' -f2-4 | cut -c1-90)" \
			"$(printf '%s' "$uout" | cut -d' ' -f2-4 | cut -c1-60)"
	done
	m=$(printf '%s\n' $ratios | median)
	printf 'guard flood %s: guarded %.3f s, unguarded %.3f s (medians of %d), time guarded/unguarded = %.3f median\n' \
		"$shape" "$(printf '%s\n' $gs | median)" \
		"$(printf '%s\n' $us | median)" "$ROUNDS" "$m"
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
