#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# run-all.sh - `make test`: build (plain, sanitizers, fuzzers), then unit
# tests plain and under ASan/UBSan, fuzz smoke runs, and the integration
# tests in throw-away test domains.  Ends with "N passed, N failed" and
# exits non-zero when anything failed.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
WAF=$TOP/.bootstrap/waf/waf
t0=$(date +%s)
total_passed=0
total_failed=0

stage() { echo; echo "=== $* ($(( $(date +%s) - t0 )) s)"; }

# collect "N passed, N failed" from a stage's last such line
tally() {
	local line p f
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	p=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
	f=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
	total_passed=$((total_passed + ${p:-0}))
	total_failed=$((total_failed + ${f:-0}))
	if [ "$2" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
		total_failed=$((total_failed + 1))
	fi
}

stage "configure and build"
if [ ! -f bin/c4che/_cache.py ] || [ wscript -nt bin/c4che/_cache.py ]; then
	./configure --enable-developer >/dev/null || exit 1
fi
for cmd in build build_asan build_fuzz; do
	if ! "$WAF" "$cmd" >/tmp/credroam-build.$$ 2>&1; then
		tail -n 40 /tmp/credroam-build.$$
		echo "build ($cmd) failed"
		echo "0 passed, 1 failed"
		exit 1
	fi
done
rm -f /tmp/credroam-build.$$

out=$(mktemp)
stage "unit tests (plain and ASan/UBSan)"
testprogs/run-unit.sh default asan 2>&1 | tee "$out"
tally "$out" "${PIPESTATUS[0]}"

if [ -x fuzz/run-fuzz.sh ]; then
	stage "fuzz smoke runs"
	fuzz/run-fuzz.sh smoke 2>&1 | tee "$out"
	tally "$out" "${PIPESTATUS[0]}"
fi

stage "the shape of the tree: layers and circles, licence lines"
testprogs/check_layers.py 2>&1 | tee "$out"
tally "$out" "${PIPESTATUS[0]}"
testprogs/check_spdx.sh 2>&1 | tee "$out"
tally "$out" "${PIPESTATUS[0]}"

stage "man pages"
testprogs/test_manpages.sh 2>&1 | tee "$out"
tally "$out" "${PIPESTATUS[0]}"

stage "command line help and usage"
testprogs/test_cli_help.sh 2>&1 | tee "$out"
tally "$out" "${PIPESTATUS[0]}"

stage "make install layout"
testprogs/test_install.sh 2>&1 | tee "$out"
tally "$out" "${PIPESTATUS[0]}"

stage "integration tests (real Samba AD DC + winbind members)"
testprogs/run-integration.sh 2>&1 | tee "$out"
tally "$out" "${PIPESTATUS[0]}"

stage "the demo (make demo)"
testprogs/test_demo.sh 2>&1 | tee "$out"
tally "$out" "${PIPESTATUS[0]}"

rm -f "$out"

stage "done"
echo "total time $(( $(date +%s) - t0 )) s"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
