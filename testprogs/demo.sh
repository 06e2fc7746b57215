#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# demo.sh - `make demo`: the main job on an embedded default.  Sets up what
# it needs (Debian packages, waf, the build; output to a log named in one
# line, kept only if something fails), starts a throw-away Samba AD domain
# (a DC and two Linux member machines) and shows a certificate and its key
# roaming between the members through alice's logons; leaves nothing
# running (the domain's namespaces end with the story).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
say() { echo "demo: $*"; }

# What it needs from the machine, said at once.
buildtools/preflight.sh demo || exit 2

LOG=$(mktemp /var/tmp/credroam-demo.XXXXXX.log)
t0=$(date +%s)
say "setting up (Debian packages, waf, build); its output: $LOG"
if ! { buildtools/bootstrap.sh && make --no-print-directory build; } \
	>>"$LOG" 2>&1; then
	tail -n 15 "$LOG" | sed 's/^/  | /'
	say "setup failed after $(( $(date +%s) - t0 )) s; log kept: $LOG"
	exit 1
fi
say "set up in $(( $(date +%s) - t0 )) s; starting the test domain"
selftest/with-domain --members 2 "$TOP/testprogs/demo-inside.sh"
rc=$?
if [ "$rc" = 0 ]; then
	rm -f "$LOG"
else
	say "the demo failed (exit $rc); setup log kept: $LOG"
fi
exit $rc
