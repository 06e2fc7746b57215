# SPDX-License-Identifier: GPL-3.0-or-later
# testlib.sh - sourced by the integration tests.  Each check prints
# "PASS: <name>" or "FAIL: <name>" (with the reason); testprogs/run-*.sh
# count them.  A test script ends with `finish`, whose exit status is the
# number of failures (capped).

TOP=${CREDROAM_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${CREDROAM_BIN:-$TOP/bin}
CREDROAM=${CREDROAM_WRAP:-$BIN/source/tools/credroam}  # run-valgrind.sh wraps it
ADPROBE=$BIN/testprogs/tools/cr_adprobe
export CREDROAM_TESTDATA=${CREDROAM_TESTDATA:-$TOP/testdata}
_passed=0
_failed=0

# TEST_TIMES=1: each result line says when it came (seconds since start),
# to find where a slow test spends its time.
_t0=$SECONDS
_when() { [ -z "${TEST_TIMES:-}" ] || echo "# at $((SECONDS - _t0)) s"; }
pass() { _when; echo "PASS: $1"; _passed=$((_passed + 1)); }
fail() { _when; echo "FAIL: $1${2:+ ($2)}"; _failed=$((_failed + 1)); }

# check NAME CMD... : passes when CMD exits 0
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "exit $?: $(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"
	fi
}

# check_fails NAME CMD... : passes when CMD exits non-zero
check_fails() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		fail "$name" "unexpectedly succeeded: $(printf '%s' "$out" | tail -n 2 | tr '\n' ' ')"
	else
		pass "$name"
	fi
}

# check_eq NAME EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected '$2', got '$3'"
	fi
}

# check_match NAME REGEX TEXT
check_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then
		pass "$1"
	else
		fail "$1" "'$2' not in: $(printf '%s' "$3" | head -c 300)"
	fi
}

# eventually SECONDS CMD...: CMD succeeds within SECONDS (work that a
# daemon finishes in its own time, such as the agent's poll)
eventually() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.2
	done
}

finish() {
	echo "# $(basename "$0"): $_passed passed, $_failed failed"
	[ "$_failed" -eq 0 ]
}

# user_dn USER -> CN=USER,CN=Users,<base>
user_dn() { echo "CN=$1,CN=Users,$DOMAIN_BASEDN"; }

# admin_ldb TOOL ARGS... : an ldb tool as Administrator over NTLM
admin_ldb() {
	local tool=$1
	shift
	LD_PRELOAD= "$tool" -H "ldap://$DOMAIN_DC" \
		-U "Administrator%$DOMAIN_ADMIN_PASSWORD" "$@"
}

# ts_hex DN: msPKIRoamingTimeStamp as hex (LDIF gives base64, or plain
# text when the bytes happen to be printable)
ts_hex() {
	local line
	line=$(admin_ldb ldbsearch -b "$1" -s base msPKIRoamingTimeStamp \
		2>/dev/null | grep '^msPKIRoamingTimeStamp:')
	case "$line" in
	*::\ *) printf '%s' "${line#*:: }" | base64 -d ;;
	?*) printf '%s' "${line#*: }" ;;
	esac | od -An -tx1 | tr -d ' \n'
}
