#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test_cli_help.sh - the credroam command's help and usage (issue 22),
# without a domain: --help on every command of source/tools/credroam.c's
# table (exit 0, its usage on stdout, nothing run); the top-level usage
# names every command and the options export requires; 'list --local'
# without a store says "no store yet".  Needs a build.
# Prints one line per check and "N passed, N failed".
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
CREDROAM=${CREDROAM_BIN:-bin}/source/tools/credroam
passed=0
failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }

if [ ! -x "$CREDROAM" ]; then
	bad "no $CREDROAM: build first"
	echo "$passed passed, $failed failed"
	exit 1
fi
cmds=$(sed -n 's/^[[:space:]]*{ "\([a-z_-]*\)", cmd_.*/\1/p' \
	source/tools/credroam.c)
top=$("$CREDROAM" --help 2>&1)
rc=$?
[ "$rc" = 0 ] && ok "credroam --help exits 0" ||
	bad "credroam --help exits $rc"
for c in $cmds; do
	echo "$top" | grep -q "^  $c " || bad "credroam --help does not list $c"
done
echo "$top" | grep -q '^  export .*--p12-password-file F' &&
	ok "the top-level usage names export's --p12-password-file" ||
	bad "the top-level usage does not name export's --p12-password-file"
"$CREDROAM" >/dev/null 2>&1
rc=$?
[ "$rc" = 2 ] && ok "credroam without a command exits 2" ||
	bad "credroam without a command exits $rc"

for c in $cmds; do
	out=$("$CREDROAM" "$c" --help 2>/dev/null)
	rc=$?
	if [ "$rc" = 0 ] && echo "$out" | grep -q "^usage: credroam $c"; then
		ok "credroam $c --help"
	else
		bad "credroam $c --help: exit $rc, '$(echo "$out" | head -n 1)'"
	fi
done
for sub in "token decode" "dpapi masterkey" "dpapi unprotect" "dpapi key"; do
	out=$("$CREDROAM" $sub --help 2>/dev/null)
	rc=$?
	if [ "$rc" = 0 ] && echo "$out" | grep -q "^usage: credroam $sub "; then
		ok "credroam $sub --help"
	else
		bad "credroam $sub --help: exit $rc, '$(echo "$out" | head -n 1)'"
	fi
done
# --help anywhere before "--", and nothing is run
out=$("$CREDROAM" sync --dry-run --store /nonexistent/x --help 2>&1)
rc=$?
[ "$rc" = 0 ] && echo "$out" | grep -q '^usage: credroam sync' &&
	ok "sync --dry-run ... --help prints the usage and runs nothing" ||
	bad "sync --dry-run ... --help: exit $rc, '$(echo "$out" | head -n 1)'"

out=$("$CREDROAM" list --local --store /nonexistent/credroam 2>&1)
rc=$?
[ "$rc" = 0 ] && echo "$out" | grep -q "no store yet" &&
	ok "list --local without a store: no store yet" ||
	bad "list --local without a store: exit $rc, '$out'"
out=$("$CREDROAM" token decode /nonexistent/token 2>&1)
[ "$(echo "$out" | grep -o /nonexistent/token | wc -l)" = 1 ] &&
	ok "token decode names a missing file once" ||
	bad "token decode: '$out'"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
