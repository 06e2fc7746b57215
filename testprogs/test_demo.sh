#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test_demo.sh: `make demo` tells its story and ends well (issue 10), and
# its checks can fail (issue 22): run it as a newcomer would and check the
# lines that carry the story; then run it with roaming broken on purpose
# (the logons run a credroam that does nothing) and check that it fails,
# step by step.
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
passed=0
failed=0
pass() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
check() {
	if grep -qE "$2" "$out"; then
		pass "$1"
	else
		fail "$1 (no line matching '$2')"
	fi
}
domain_pids() { pgrep -f 'credroam-domain\.' | sort; }
out=$(mktemp)
broken=$(mktemp -d /var/tmp/credroam-broken.XXXXXX)
trap 'rm -rf "$out" "$broken"' EXIT

before=$(domain_pids)
testprogs/demo.sh >"$out" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then
	pass "the demo exits 0"
else
	fail "the demo exits $rc"
	tail -n 40 "$out" | sed 's/^/     /'
fi
check "it names its setup log in one line" "^demo: setting up .*: /var/tmp/credroam-demo\..*\.log$"
check "the domain has two Linux members" "members: mem1 mem2"
check "AD is shown before anything roams" "before anything roams"
check "the administrator's real command" '^\$ samba-tool credroam policy set \{31B2F340-016D-11D2-945F-00C04FB984F9\} --roaming on -H ldap://dc1\.roam\.test -U Administrator$'
check "roaming is switched on by Group Policy" "OK.*DIMSRoaming=1"
check "alice logs on to A through PAM" "OK.*logged on to mem1 through pam_winbind.*its run succeeded"
check "pam_credroam's logoff run uploads" "pam_credroam: logoff run, event 1:.*[1-9][0-9]* uploaded"
check "samba-tool shows the AD view" '^\$ samba-tool credroam list alice -H ldap://'
check "B shows the certificate's subject" "subject=.*CN *= *alice"
check "B's key matches the certificate" "OK.*the key on mem2 is the certificate's key"
check "the deletion on B becomes a tombstone" "OK.*tombstone for [0-9A-F]{40}$"
check "A moves it to trash" "OK.*mem1 no longer offers"
check "AD is shown at the end" "At the end, alice's object in AD"
check "the one-line summary" "^demo: alice's certificate [0-9A-F]{40} roamed .* 0 failed$"
if grep -q $'\033' "$out"; then
	fail "no colour codes when the output is not a terminal"
else
	pass "no colour codes when the output is not a terminal"
fi
if grep -qE '^(Selecting|Unpacking|Setting up|\[ *[0-9]+/[0-9]+\]) ' "$out"; then
	fail "setup output (dpkg, waf) stays in the log"
else
	pass "setup output (dpkg, waf) stays in the log"
fi
if comm -13 <(echo "$before") <(domain_pids) | grep -q .; then
	fail "processes of the test domain are left running"
else
	pass "nothing is left running"
fi

# Roaming broken on purpose: the logons run a credroam that does nothing.
printf '#!/bin/sh\nexit 0\n' > "$broken/credroam"
chmod 755 "$broken" "$broken/credroam"
CREDROAM_DEMO_TOOL=$broken/credroam testprogs/demo.sh >"$out" 2>&1
rc=$?
if [ "$rc" -ne 0 ]; then
	pass "with roaming broken the demo fails (exit $rc)"
else
	fail "with roaming broken the demo exits 0"
	tail -n 40 "$out" | sed 's/^/     /'
fi
check "broken: the logon whose run did nothing fails" "FAILED alice logged on to mem1 through"
check "broken: nothing in AD is not taken for the certificate" "FAILED AD holds her certificate"
check "broken: no tombstone is not taken for one" "FAILED AD now holds a tombstone"
check "broken: nothing on mem2 is not taken for a usable key" "FAILED the key on mem2"
check "broken: the summary says so" "^demo: [0-9]+ steps, [0-9]+ FAILED$"
if grep -q "^demo: alice's certificate" "$out"; then
	fail "broken: no success summary"
else
	pass "broken: no success summary"
fi
echo "demo: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
