#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# with-domain: --guarded
# credroam_guard must not let an authenticated user stall the DC (issue
# 17, item 1): alice floods bob's object with 12 replace elements of 4000
# valid tokens each (16.5 MB), which used to take the guarded DC 15 s of
# CPU per request and a concurrent base search 20 s.  The DC must answer
# it at once, a base search during two such floods must stay quick, a
# request just inside the guard's count bound must be refused for a
# caller who may not write the object before any token is decoded, and a
# big legitimate change of one's own object must still pass.
. "$(dirname "$0")/testlib.sh"

FLOOD=(env LD_PRELOAD= /usr/bin/python3 "$TOP/testprogs/blackbox/guard_flood.py")
BOB=$(user_dn bob)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# secs OUTPUT: the seconds of a guard_flood.py modify line
secs() { printf '%s' "$1" | sed -n 's/^secs=\([0-9.]*\) .*/\1/p'; }
# lt A B: A < B (decimals)
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 < b + 0) }'; }
# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

count_values() {
	admin_ldb ldbsearch -b "$1" -s base "$2" 2>/dev/null | grep -ci "^$2:"
}

idle=$("${FLOOD[@]}" search carol 5 | median)
echo "# idle base search (connect, bind, search): ${idle}s"

# --- the issue's request, alone -----------------------------------------
out=$(timeout 60 "${FLOOD[@]}" modify alice bob flood)
echo "# flood: $out"
check_match "alice's 16.5 MB flood of bob's object is refused" \
	'rc=(19|50) bytes=1[0-9]{7} ' "$out"
t=$(secs "$out")
if lt "$t" 5; then
	pass "and answered in under 5 s (${t}s; 14.8 s before the fix)"
else
	fail "and answered in under 5 s" "took ${t:-more than 60 }s"
fi

# --- two floods at once, and an unrelated search ------------------------
for i in 1 2; do
	timeout 60 "${FLOOD[@]}" modify alice bob flood > "$work/flood$i" &
done
# the client needs about a second to build and send its request
sleep 2
during=$("${FLOOD[@]}" search carol 3 | sort -g | tail -n 1)
wait
echo "# during two floods: slowest base search ${during}s;" \
	"floods: $(cat "$work/flood1" "$work/flood2" | cut -d' ' -f1-2 | tr '\n' ' ')"
if lt "$during" 2; then
	pass "a base search during two floods takes under 2 s (${during}s)"
else
	fail "a base search during two floods takes under 2 s" \
		"took ${during:-more than 60 }s (idle ${idle}s)"
fi

# --- inside the count bound, on an object the caller may not write -------
out=$(timeout 60 "${FLOOD[@]}" modify alice bob bound)
echo "# bound: $out"
check_match "16000 values on bob's object: refused, insufficient access" \
	'rc=50 .*credroam_guard: refused on .*may not write' "$out"
t=$(secs "$out")
if lt "$t" 2; then
	pass "before any token is decoded (${t}s)"
else
	fail "before any token is decoded" "took ${t:-more than 60 }s"
fi
check_eq "nothing was written to bob's object" 0 \
	"$(count_values "$BOB" msPKIAccountCredentials)"

# --- a big change of one's own object still passes ----------------------
out=$(timeout 60 "${FLOOD[@]}" modify alice alice 3x600)
echo "# own 3x600: $out"
check_match "alice replaces her tokens three times over in one modify" \
	'rc=0 ' "$out"
check_eq "and holds the last 600" 600 \
	"$(count_values "$(user_dn alice)" msPKIAccountCredentials)"
# every value deleted and as many added, the timestamp left to the guard
# (bench own-full): the plan reads no stored value and the access check's
# answer brings the old timestamp
ALICE=$(user_dn alice)
out=$(timeout 60 "${FLOOD[@]}" modify alice alice write:300)
check_match "alice fills her object: 300 tokens per attribute" 'rc=0 ' "$out"
old_ts=$(ts_hex "$ALICE")
out=$(timeout 60 "${FLOOD[@]}" modify alice alice own-full:300)
echo "# own-full:300: $out"
check_match "alice deletes them all and adds 300 new per attribute" \
	'rc=0 ' "$out"
n_cred=$(count_values "$ALICE" msPKIAccountCredentials)
n_mkey=$(count_values "$ALICE" msPKIDPAPIMasterKeys)
check_eq "and holds 300 + 300" "300 300" "$n_cred $n_mkey"
new_ts=$(ts_hex "$ALICE")
check_eq "the guard's timestamp starts with the old one's second half" \
	"${old_ts:16:16}" "${new_ts:0:16}"
sleep 0.5
last=$(cat "$DOMAIN_DC_DIR"/log/log.* 2>/dev/null |
	grep 'credroam_guard: ' | tail -n 1)
check_match "the guard counted no stored value for it" \
	"modify of $ALICE by .*alice .*counts -/-, timestamp set by the guard: done" \
	"$last"
out=$(timeout 60 "${FLOOD[@]}" modify alice alice 2x4000)
check_match "8000 values to replace in one modify: over the count bound" \
	'rc=19 .*credroam_guard: refused on .*8000 values.*limit of 4000' "$out"
finish
