#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# with-domain: --guarded
#
# The roaming run against a DC guarded by credroam_guard: the guard moves
# msPKIRoamingTimeStamp with every token change, so the run's own
# timestamp write meets a changed value; it must re-read and move it on,
# not fail.  A hostile value the guard refuses never reaches AD, and the
# run reports no problem.
. "$(dirname "$0")/testlib.sh"

work=$(mktemp -d -p "$DOMAIN_WORKDIR"); chmod 1777 "$work"
trap 'rm -rf "$work"' EXIT
echo "$DOMAIN_USER_PASSWORD" > "$work/pw"
printf '[policy]\nroaming = yes\n' > "$work/conf"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/k.pem" \
	-out "$work/c.pem" -subj "/CN=alice guarded" -days 30 2>/dev/null
chmod 644 "$work"/*

check_eq "the DC is guarded" yes "$DOMAIN_GUARDED"
out=$(as-user alice "$CREDROAM" import "$work/c.pem" "$work/k.pem" \
	--password-file "$work/pw" --conf "$work/conf" --no-keyring 2>&1)
check_match "an import uploads through the guard" "4 uploaded" "$out"
check_eq "AD holds the four tokens" "2 2" "$(as-user alice "$ADPROBE" count)"
ts1=$(as-user alice "$ADPROBE" timestamp)
out=$(as-user alice "$CREDROAM" --json sync --conf "$work/conf" \
	--no-keyring 2>&1)
check_match "the next run is in sync" '"fast_path": true' "$out"
check_eq "and leaves the timestamp alone" "$ts1" \
	"$(as-user alice "$ADPROBE" timestamp)"
finish
