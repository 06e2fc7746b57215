#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# run-unit.sh [VARIANT...] - run every cmocka unit test binary of the given
# build variants (default: plain and asan), plus the fuzz corpora replays.
# Prints one line per binary and a closing "N passed, N failed".
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
export CREDROAM_TESTDATA=$TOP/testdata
# ASan: fail hard on any report; leaks are checked too.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
variants=${*:-default asan}
passed=0
failed=0
log=$(mktemp)
for v in $variants; do
	dir=bin
	[ "$v" = default ] || dir=bin/$v
	# Python extension tests: plain build only (python3 is uninstrumented)
	pytests=$([ "$v" = default ] && ls testprogs/python/test_*.py 2>/dev/null)
	for t in "$dir"/testprogs/unit/test_* $pytests; do
		[ -x "$t" ] || continue
		if "$t" >"$log" 2>&1; then
			n=$(grep -c '^\[       OK \]' "$log")
			echo "ok   $v $(basename "$t") ($n tests)"
			passed=$((passed + n))
		else
			n_ok=$(grep -c '^\[       OK \]' "$log")
			n_bad=$(grep -c '^\[  FAILED  \] test_\|^\[  ERROR   \] test_' "$log")
			[ "$n_bad" -gt 0 ] || n_bad=1
			echo "FAIL $v $(basename "$t") ($n_bad failed)"
			grep -E 'FAILED|ERROR|error|Sanitizer|runtime error' "$log" | head -n 20 | sed 's/^/     /'
			passed=$((passed + n_ok))
			failed=$((failed + n_bad))
		fi
	done
	# every fuzz target's corpus and crash reproducers, as plain tests
	for r in "$dir"/fuzz/fuzz_*_replay; do
		[ -x "$r" ] || continue
		name=$(basename "$r" _replay)
		name=${name#fuzz_}
		[ -d "fuzz/corpus/$name" ] || continue
		if "$r" "fuzz/corpus/$name" >"$log" 2>&1; then
			echo "ok   $v $(basename "$r") ($(tail -n 1 "$log"))"
			passed=$((passed + 1))
		else
			echo "FAIL $v $(basename "$r")"
			tail -n 20 "$log" | sed 's/^/     /'
			failed=$((failed + 1))
		fi
	done
done
rm -f "$log"
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
