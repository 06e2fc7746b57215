#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Run every libFuzzer target built in bin/fuzz/fuzz/ (fuzz_<parser>) for a
# while, two at a time.
#
#   fuzz/run-fuzz.sh smoke   FUZZ_SECONDS (default 10) each, on a copy of
#                            fuzz/corpus/<parser>/, which stays untouched
#   fuzz/run-fuzz.sh long    FUZZ_SECONDS (default 600) each, then merge
#                            new interesting inputs back into the corpus
#
# FUZZ_JOBS (default 2) targets run at once; FUZZ_TARGETS="token dnbinary"
# limits the run to some parsers.  Crash, leak and timeout reproducers go
# to fuzz/artifacts/<parser>-*; the script exits 1 if any target failed.
set -u

mode=${1:-smoke}
case "$mode" in
smoke) seconds=${FUZZ_SECONDS:-10}; merge=0 ;;
long) seconds=${FUZZ_SECONDS:-600}; merge=1 ;;
*) echo "usage: $0 smoke|long" >&2; exit 2 ;;
esac
jobs=${FUZZ_JOBS:-2}

top=$(cd "$(dirname "$0")/.." && pwd)
bindir="$top/bin/fuzz/fuzz"
artifacts="$top/fuzz/artifacts"
mkdir -p "$artifacts"

work=$(mktemp -d "${TMPDIR:-/tmp}/credroam-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

targets=()
for exe in "$bindir"/fuzz_*; do
	[ -f "$exe" ] && [ -x "$exe" ] || continue
	case "$exe" in *.o) continue ;; esac
	name=$(basename "$exe")
	parser=${name#fuzz_}
	if [ -n "${FUZZ_TARGETS:-}" ]; then
		case " $FUZZ_TARGETS " in *" $parser "*) ;; *) continue ;; esac
	fi
	targets+=("$parser")
done
if [ ${#targets[@]} -eq 0 ]; then
	echo "run-fuzz: no targets in $bindir (run: waf build_fuzz)" >&2
	exit 1
fi

# GnuTLS 3.7.9 leaks inside one of its own calls when it rejects a key
# (see lsan-gnutls.supp); our own leaks are still reported.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$top/fuzz/lsan-gnutls.supp}
# The fuzz variant is built without -fno-sanitize-recover: make undefined
# behaviour a crash libFuzzer reports, not a line it scrolls past.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

# One target: fuzz a copy of its corpus, record the outcome in
# $work/<parser>.result as "status execs".
run_one() {
	local parser=$1
	local exe="$bindir/fuzz_$parser"
	local corpus="$top/fuzz/corpus/$parser"
	local copy="$work/$parser.corpus"
	local log="$work/$parser.log"
	local status execs

	mkdir -p "$copy"
	if [ -d "$corpus" ]; then
		cp -a "$corpus/." "$copy/"
	fi
	(cd "$work" && "$exe" "$copy" -max_total_time="$seconds" \
		-print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$artifacts/$parser-" >"$log" 2>&1)
	status=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
		tail -n 1)
	if [ "$status" -eq 0 ] && [ "$merge" -eq 1 ]; then
		mkdir -p "$corpus"
		(cd "$work" && "$exe" -merge=1 "$corpus" "$copy" \
			>"$work/$parser.merge.log" 2>&1) || status=$?
	fi
	echo "$status ${execs:-0}" >"$work/$parser.result"
}

running=0
for parser in "${targets[@]}"; do
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
	run_one "$parser" &
	running=$((running + 1))
done
wait

failed=0
n_ok=0
n_bad=0
for parser in "${targets[@]}"; do
	read -r status execs <"$work/$parser.result" 2>/dev/null ||
		{ status=1; execs=0; }
	verdict=ok
	if [ "$status" -ne 0 ]; then
		verdict="FAILED (exit $status)"
		failed=1
		n_bad=$((n_bad + 1))
	else
		n_ok=$((n_ok + 1))
	fi
	printf 'fuzz_%-12s %-5s %ss %12s execs  %s\n' "$parser" "$mode" \
		"$seconds" "$execs" "$verdict"
	if [ "$status" -ne 0 ]; then
		# keep the evidence next to the reproducer
		cp "$work/$parser.log" "$artifacts/$parser-$(date +%s).log"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*Test unit written)' \
			"$work/$parser.log" | head -n 5 | sed 's/^/    /'
	fi
done
echo "fuzz $mode: $n_ok passed, $n_bad failed"
exit $failed
