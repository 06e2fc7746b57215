#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Growth of the user object under roaming (the figures behind
# testprogs/blackbox/test_growth.sh, at full size): 1000 no-change runs
# (every 10th a full run past the fast path) must leave uSNChanged and the
# object's size unchanged; 100 single-token changes must leave exactly one
# removed link value each (linked attributes keep removed values).
#
#   selftest/with-domain bench/bench_growth.sh      (after `waf build`)
#   GROWTH_RUNS=100 GROWTH_CHANGES=10 selftest/with-domain bench/bench_growth.sh
set -u
. "$(dirname "$0")/../testprogs/blackbox/testlib.sh"
. "$TOP/testprogs/fault/lib.sh"
. "$TOP/testprogs/fault/growth.sh"

RUNS=${GROWTH_RUNS:-1000}
CHANGES=${GROWTH_CHANGES:-100}
W=$(mktemp -d)
chmod 755 "$W"
trap 'rm -rf "$W"' EXIT
roaming_on
growth_setup alice "$W" >/dev/null || { echo "growth: setup failed" >&2; exit 1; }

read -r u0 u1 s0 s1 writes secs <<<"$(growth_nochange alice "$RUNS")"
printf '%-34s %s\n' "no-change runs" "$RUNS ($(printf '%.1f' "$secs") s,\
 $(echo "scale=1; $RUNS / $secs" | bc) runs/s)"
printf '%-34s %s\n' "  runs that wrote to AD" "$writes"
printf '%-34s %s\n' "  uSNChanged before / after" "$u0 / $u1"
printf '%-34s %s\n' "  object size before / after" "$s0 / $s1 bytes"

read -r l0 d0 <<<"$(ad_links alice)"
s0=$(ad_size alice)
growth_changes alice "$CHANGES" >"$W/changes" || exit 1
read -r l1 d1 <<<"$(ad_links alice)"
s1=$(ad_size alice)
odd=$(awk '$2 != $1 + 1 || $4 != $3' "$W/changes" | wc -l)
printf '%-34s %s\n' "single-token changes" "$CHANGES"
printf '%-34s %s\n' "  removed values before / after" "$d0 / $d1\
 ($(echo "scale=2; ($d1 - $d0) / $CHANGES" | bc) per change, target 1.00)"
printf '%-34s %s\n' "  changes not adding exactly one" "$odd"
printf '%-34s %s\n' "  live values before / after" "$l0 / $l1"
printf '%-34s %s\n' "  object size before / after" "$s0 / $s1 bytes\
 (+$(( (s1 - s0) / CHANGES )) per change: the removed value is kept)"
