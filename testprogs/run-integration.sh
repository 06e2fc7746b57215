#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# run-integration.sh [TEST...] - run integration tests, each in a fresh
# test domain (selftest/with-domain).  A test may ask for more member
# machines or a guarded DC with a header line:
#   # with-domain: --members 2 --guarded
# Prints PASS/FAIL lines and a closing "N passed, N failed".
#
# CREDROAM_TEST_JOBS (default 2 on a machine with two cores or more) test
# domains run at once, each in its own namespaces with its own idmap range
# (CREDROAM_IDMAP_BASE), so their users have different uids and do not
# share kernel keyrings (two runs at once on one machine: give the second
# CREDROAM_SLOT_OFFSET=4).  A test that measures time or loads the machine
# says so with a header line and runs alone, after the others:
#   # serial: why
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
	tests=(testprogs/blackbox/test_*.sh)
fi
jobs=${CREDROAM_TEST_JOBS:-}
if [ -z "$jobs" ]; then
	jobs=1
	[ "$(nproc)" -ge 2 ] && jobs=2
fi

R=$(mktemp -d)
trap 'rm -rf "$R"' EXIT

# run_one SLOT TEST: the test in its own domain; its report to $R/<n>.out
run_one() {
	local slot=$1 t=$2 n=$3 opts start rc p f log=$R/$3.log
	opts=$(sed -n 's/^# with-domain: //p' "$t" | head -n 1)
	start=$(date +%s)
	# shellcheck disable=SC2086
	CREDROAM_IDMAP_BASE=$((10000 + (${CREDROAM_SLOT_OFFSET:-0} + slot) * 1000000)) \
		selftest/with-domain $opts "$TOP/$t" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -c '^FAIL: ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "FAIL: $t exited $rc" >>"$log"
	fi
	{
		grep -E '^(PASS|FAIL): ' "$log" |
			sed "s|^|$(basename "$t" .sh): |"
		if [ "$f" -gt 0 ]; then
			grep -vE '^(PASS|FAIL): ' "$log" | tail -n 15 |
				sed 's/^/     /'
		fi
		echo "# $(basename "$t"): $p passed, $f failed, $(( $(date +%s) - start )) s"
	} >"$R/$n.out"
	echo "$p $f" >"$R/$n.count"
	# reports appear whole, one test at a time
	flock "$R/.print" cat "$R/$n.out"
}

# worker SLOT: takes the next test of the parallel list until none is left
worker() {
	local slot=$1 i
	while true; do
		i=$(flock "$R/.queue" sh -c \
			'i=$(cat "$1"); echo $((i + 1)) >"$1"; echo "$i"' \
			sh "$R/next")
		[ "$i" -lt "${#parallel[@]}" ] || return 0
		run_one "$slot" "${parallel[$i]}" "p$i"
	done
}

parallel=()
serial=()
for t in "${tests[@]}"; do
	if grep -q '^# serial:' "$t"; then
		serial+=("$t")
	else
		parallel+=("$t")
	fi
done

echo 0 >"$R/next"
for slot in $(seq 1 "$jobs"); do
	worker "$slot" &
done
wait
# a slot of its own: its uids differ from the parallel ones' and from a
# bare with-domain's (base 10000), which may run beside this on a shared
# machine
for i in "${!serial[@]}"; do
	run_one $((jobs + 1)) "${serial[$i]}" "s$i"
done

passed=0
failed=0
for c in "$R"/*.count; do
	[ -f "$c" ] || continue
	read -r p f <"$c"
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
