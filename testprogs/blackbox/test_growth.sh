#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The user object does not grow from roaming it does not need: no-change
# runs (fast path, and every 10th a full run) leave uSNChanged and the
# object's size as they were, and each single-token change leaves exactly
# one removed value behind (these are linked attributes: the DC keeps
# every removed value, visible in the partition with RMD_FLAGS=1).
# Bounded here (GROWTH_RUNS, default 50; GROWTH_CHANGES, default 10);
# bench/bench_growth.sh runs 1000 and 100.
. "$(dirname "$0")/testlib.sh"
. "$TOP/testprogs/fault/lib.sh"
. "$TOP/testprogs/fault/growth.sh"

W=$(mktemp -d)
chmod 755 "$W"
trap 'rm -rf "$W"' EXIT
roaming_on
RUNS=${GROWTH_RUNS:-50}
CHANGES=${GROWTH_CHANGES:-10}

growth_setup alice "$W" >"$W/setup.out" 2>&1
check_eq "alice roams a certificate and key" "0 yes" \
	"$? $([ -n "$GROWTH_THUMB" ] && echo yes)"
read -r l d <<<"$(ad_links alice)"
check_eq "4 live values, nothing removed yet" "4 0" "$l $d"

read -r u0 u1 s0 s1 writes secs <<<"$(growth_nochange alice "$RUNS")"
echo "# $RUNS no-change runs in $secs s"
check_eq "$RUNS no-change runs write nothing" 0 "$writes"
check_eq "$RUNS no-change runs leave uSNChanged" "$u0" "$u1"
check_eq "$RUNS no-change runs leave the object's size" "$s0" "$s1"

growth_changes alice "$CHANGES" >"$W/changes"
check_eq "$CHANGES single-token changes were made" "$CHANGES" \
	"$(wc -l <"$W/changes")"
check_eq "each change leaves exactly one removed value" "" \
	"$(awk '$2 != $1 + 1 || $4 != $3 { print NR ": " $0 }' "$W/changes")"
read -r l d <<<"$(ad_links alice)"
check_eq "after $CHANGES changes: 4 live values, $CHANGES removed" \
	"4 $CHANGES" "$l $d"
finish
