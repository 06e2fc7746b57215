#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The DC's CPU per no-change run (issue 21): alice's `credroam sync` (fast
# path, one search) against a bare `ldbsearch` of her msPKIRoamingTimeStamp
# with the same ticket, as is and with Samba's delegation by KDC policy
# off (gensec_gssapi:delegation_by_kdc_policy = no, what credroam sets:
# without it every bind first asks the KDC for a forwarded TGT).  N runs
# of each side per round, sides interleaved; DC CPU is utime+stime of the
# samba process tree from /proc, children included.
#
#   selftest/with-domain bench/bench_dc_cpu.sh       (after `waf build`)
#   N=50 ROUNDS=3 selftest/with-domain bench/bench_dc_cpu.sh
set -u
. "$(dirname "$0")/../testprogs/blackbox/testlib.sh"

N=${N:-30}
ROUNDS=${ROUNDS:-3}
HZ=$(getconf CLK_TCK)
DN=$(user_dn alice)
printf '[policy]\nroaming = yes\n' >/etc/samba/credroam.conf

dc_ticks() {
	local root p sum=0 rest
	root=$(cat "$DOMAIN_DC_DIR/samba.pid")
	for p in $(ps -e -o pid=,ppid= | awk -v root="$root" '
		{ parent[$1] = $2 }
		END {
			for (p in parent) {
				q = p
				while (q != "" && q != root && q != 1 && q != 0)
					q = parent[q]
				if (q == root) print p
			}
			print root
		}'); do
		rest=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null) || continue
		set -- $rest
		sum=$((sum + ${12} + ${13} + ${14} + ${15}))
	done
	echo "$sum"
}
ldb() {
	as-user alice env -u LD_PRELOAD ldbsearch -H "ldap://$DOMAIN_DC" \
		--use-kerberos=required --option=clientldapsaslwrapping=seal \
		"$@" -b "$DN" -s base msPKIRoamingTimeStamp >/dev/null 2>&1
}
one() {
	case $1 in
	ldbsearch) ldb ;;
	ldbsearch_nodeleg)
		ldb --option=gensec_gssapi:delegation_by_kdc_policy=no ;;
	sync) as-user alice "$CREDROAM" sync --quiet ;;
	esac
}

as-user alice "$ADPROBE" bump >/dev/null || exit 1
as-user alice "$CREDROAM" sync --quiet || exit 1
echo "# one no-change run: $(as-user alice "$CREDROAM" --json sync |
	jq -c '{fast_path, ldap_searches, ldap_modifies}')"
for mode in ldbsearch ldbsearch_nodeleg sync; do
	one "$mode" || { echo "$mode fails" >&2; exit 1; }
done
printf '%5s %22s %22s %12s %14s %14s\n' round ldbsearch_dc_ms \
	ldbsearch_nodeleg_dc_ms sync_dc_ms sync/ldbsearch sync/nodeleg
for r in $(seq "$ROUNDS"); do
	declare -A ms=()
	for mode in ldbsearch ldbsearch_nodeleg sync; do
		c0=$(dc_ticks)
		for i in $(seq "$N"); do
			one "$mode"
		done
		c1=$(dc_ticks)
		ms[$mode]=$(awk -v t=$((c1 - c0)) -v n="$N" -v hz="$HZ" \
			'BEGIN { printf "%.2f", t * 1000 / hz / n }')
	done
	printf '%5s %22s %22s %12s %14s %14s\n' "$r" "${ms[ldbsearch]}" \
		"${ms[ldbsearch_nodeleg]}" "${ms[sync]}" \
		"$(awk -v a="${ms[sync]}" -v b="${ms[ldbsearch]}" 'BEGIN { printf "%.3f", a / b }')" \
		"$(awk -v a="${ms[sync]}" -v b="${ms[ldbsearch_nodeleg]}" 'BEGIN { printf "%.3f", a / b }')"
done
