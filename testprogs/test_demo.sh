#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test_demo.sh: `make demo` tells its story and ends well (issue 10): run
# it as a newcomer would and check the lines that carry the story.
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
passed=0
failed=0
check() {
	if grep -qE "$2" "$out"; then
		echo "ok   $1"; passed=$((passed + 1))
	else
		echo "FAIL $1 (no line matching '$2')"; failed=$((failed + 1))
	fi
}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
testprogs/demo.sh >"$out" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then
	echo "ok   the demo exits 0"; passed=$((passed + 1))
else
	echo "FAIL the demo exits $rc"; failed=$((failed + 1))
	tail -n 40 "$out" | sed 's/^/     /'
fi
check "the domain has two Linux members" "members: mem1 mem2"
check "roaming is switched on by Group Policy" "OK.*DIMSRoaming=1"
check "alice logs on to A through PAM" "OK.*logged on to mem1 through pam_winbind"
check "the logoff run uploads" "last run \(trigger logoff\): event 1:.*[1-9][0-9]* uploaded"
check "samba-tool shows the AD view" "samba-tool credroam list alice"
check "B shows the certificate's subject" "subject=.*CN *= *alice"
check "B's key matches the certificate" "OK.*the key on mem2 is the certificate's key"
check "the deletion on B becomes a tombstone" "OK.*tombstone for"
check "A moves it to trash" "OK.*mem1 no longer offers"
check "the one-line summary" "^demo: alice's certificate [0-9A-F]{40} roamed .* 0 failed$"
domain=$(sed -n 's/^(its files: \(.*\))$/\1/p' "$out")
if [ -z "$domain" ] || pgrep -f "$domain" >/dev/null; then
	echo "FAIL processes of the test domain are left running"
	failed=$((failed + 1))
else
	echo "ok   nothing is left running"; passed=$((passed + 1))
fi
echo "demo: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
