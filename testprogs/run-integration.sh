#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# run-integration.sh [TEST...] - run integration tests, each in a fresh
# test domain (selftest/with-domain).  A test may ask for more member
# machines or a guarded DC with a header line:
#   # with-domain: --members 2 --guarded
# Prints PASS/FAIL lines and a closing "N passed, N failed".
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
	tests=(testprogs/blackbox/test_*.sh)
fi
passed=0
failed=0
log=$(mktemp)
for t in "${tests[@]}"; do
	opts=$(sed -n 's/^# with-domain: //p' "$t" | head -n 1)
	start=$(date +%s)
	# shellcheck disable=SC2086
	selftest/with-domain $opts "$TOP/$t" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -c '^FAIL: ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "FAIL: $t exited $rc" >>"$log"
	fi
	grep -E '^(PASS|FAIL): ' "$log" | sed "s|^|$(basename "$t" .sh): |"
	if [ "$f" -gt 0 ]; then
		grep -vE '^(PASS|FAIL): ' "$log" | tail -n 15 | sed 's/^/     /'
	fi
	echo "# $(basename "$t"): $p passed, $f failed, $(( $(date +%s) - start )) s"
	passed=$((passed + p))
	failed=$((failed + f))
done
rm -f "$log"
echo "integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
