#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# run-valgrind.sh [TEST...] - `make test-valgrind`: the integration tests
# (default all of testprogs/blackbox/test_*.sh) once more, with every
# `credroam` they start run under valgrind memcheck.  testlib.sh takes the
# tool from $CREDROAM_WRAP when it is set; here that is a wrapper script
# that runs the real binary under valgrind and logs to one file per
# process.  Fails on any memcheck error and on any definite leak that
# testprogs/valgrind.supp does not name (library noise only).
#
#   VALGRIND_TESTS="test_cli_token" testprogs/run-valgrind.sh
#
# Ends with "N passed, N failed" where N counts credroam processes checked;
# the integration tests' own PASS/FAIL lines are shown too (a test that
# fails only under valgrind usually means an error exit code 99).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
REAL=$TOP/bin/source/tools/credroam
SUPP=$TOP/testprogs/valgrind.supp
[ -x "$REAL" ] || { echo "run-valgrind: build first ($REAL)" >&2; exit 1; }
command -v valgrind >/dev/null ||
	{ echo "run-valgrind: valgrind is not installed" >&2; exit 1; }

tests=("$@")
if [ ${#tests[@]} -eq 0 ] && [ -n "${VALGRIND_TESTS:-}" ]; then
	for t in $VALGRIND_TESTS; do
		tests+=("testprogs/blackbox/$t.sh")
	done
fi
if [ ${#tests[@]} -eq 0 ]; then
	tests=(testprogs/blackbox/test_*.sh)
fi

# Outside /tmp: every member machine has its own /tmp, and the tests run
# the tool as domain users, so the log directory is world-writable.
W=$(mktemp -d /var/tmp/credroam-valgrind.XXXXXX) || exit 1
trap 'rm -rf "$W"' EXIT
chmod 755 "$W"
mkdir -m 1777 "$W/logs"
cat >"$W/credroam" <<EOF
#!/bin/sh
# valgrind wrapper made by testprogs/run-valgrind.sh
exec valgrind --quiet --tool=memcheck --leak-check=full \\
	--show-leak-kinds=definite --errors-for-leak-kinds=definite \\
	--error-exitcode=99 --num-callers=40 --track-fds=no \\
	--suppressions="$SUPP" --log-file="$W/logs/vg.%p.log" \\
	"$REAL" "\$@"
EOF
chmod 755 "$W/credroam"

export CREDROAM_WRAP=$W/credroam
testprogs/run-integration.sh "${tests[@]}"
integration_rc=$?

# Each log is empty when the process was clean (--quiet); anything else is
# an error or a definite leak.
passed=0
failed=0
for log in "$W"/logs/vg.*.log; do
	[ -e "$log" ] || continue
	if [ -s "$log" ]; then
		failed=$((failed + 1))
		echo "--- valgrind: $(basename "$log")"
		head -n 60 "$log"
	else
		passed=$((passed + 1))
	fi
done
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
	echo "run-valgrind: no credroam process ran under valgrind" >&2
	failed=1
fi
if [ "$integration_rc" -ne 0 ]; then
	echo "run-valgrind: integration tests failed under valgrind"
	failed=$((failed + 1))
fi
echo "valgrind: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
