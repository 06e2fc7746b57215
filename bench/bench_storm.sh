#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Logon storm: every storm user (DOMAIN_STORM_USERS, 200) with a Kerberos
# ticket on one member runs a no-change roaming run (`credroam sync
# --quiet`, after one warm-up run each that creates its store and state),
# C at a time (8 and 32).  Baseline, in the same run with the same tickets
# and the same launcher: a raw `ldbsearch` of msPKIRoamingTimeStamp (base
# search on the user's DN, Kerberos, sealed), the least a roaming run can
# do.  Prints runs/s of both, the ratio sync/ldbsearch (target >= 0.8) and
# the DC's CPU time per run (utime+stime of the samba process tree from
# /proc, children included).  Both sides are whole processes.
#
# STORM_DCS="dc1 dc2" (a domain of `--dcs 2`) spreads the storm over
# those DCs, user i at DC i mod N on both sides (ldbsearch -H ldap://DC;
# credroam through a credroam.conf whose `[sync] dc` names DC), and sums
# the DC CPU over them.
#
#   selftest/with-domain bench/bench_storm.sh          (after `waf build`)
#   STORM_DCS="dc1 dc2" selftest/with-domain --dcs 2 bench/bench_storm.sh
#   STORM_N=40 STORM_CONC="4 8" STORM_ROUNDS=1 selftest/with-domain bench/bench_storm.sh
set -u
. "$(dirname "$0")/../testprogs/blackbox/testlib.sh"

CONC=${STORM_CONC:-"8 32"}
ROUNDS=${STORM_ROUNDS:-2}
read -r -a users <<<"$DOMAIN_STORM_USERS"
users=("${users[@]:0:${STORM_N:-${#users[@]}}}")
work=$(mktemp -d); chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
HZ=$(getconf CLK_TCK)

have_sync=no
if "$CREDROAM" 2>&1 | grep -q '^  sync '; then
	have_sync=yes
fi
# Roaming on for everyone (no GPO in the test domain); /etc is private.
printf '[policy]\nroaming = yes\n' >/etc/samba/credroam.conf

read -r -a dcs <<<"${STORM_DCS:-}"
for dc in "${dcs[@]}"; do
	printf '[policy]\nroaming = yes\n[sync]\ndc = %s.%s\n' "$dc" \
		"$DOMAIN_DNSDOMAIN" >"$work/conf.$dc"
done

# One line per user: "uid gid home dc dn" (dc "-": the member's own DC),
# resolved once so the timed part does no NSS lookups of its own beyond
# what the tools do.
: >"$work/users"
i=0
for u in "${users[@]}"; do
	ent=$(getent passwd "$DOMAIN_NAME\\$u") ||
		{ echo "storm: no user $u" >&2; exit 1; }
	IFS=: read -r _ _ uid gid _ home _ <<<"$ent"
	dc=-
	if [ "${#dcs[@]}" -gt 0 ]; then
		dc=${dcs[i % ${#dcs[@]}]}
	fi
	echo "$uid $gid $home $dc $(user_dn "$u")" >>"$work/users"
	i=$((i + 1))
done

# run-one MODE UID GID HOME DC DN: one run as that user
cat >"$work/run-one" <<EOF
#!/bin/bash
mode=\$1 uid=\$2 gid=\$3 home=\$4 dc=\$5
shift 5
dn="\$*"
host=$DOMAIN_DC
conf=()
if [ "\$dc" != - ]; then
	host=\$dc.$DOMAIN_DNSDOMAIN
	conf=(--conf "$work/conf.\$dc")
fi
case "\$mode" in
ldb) cmd=(ldbsearch -H "ldap://\$host" --use-kerberos=required
	--option=clientldapsaslwrapping=seal -b "\$dn" -s base
	msPKIRoamingTimeStamp) ;;
sync) cmd=("$CREDROAM" sync --quiet "\${conf[@]}") ;;
esac
cd "\$home" || exit 1
exec setpriv --reuid="\$uid" --regid="\$gid" --clear-groups \\
	env -u LD_PRELOAD HOME="\$home" KRB5CCNAME="FILE:/tmp/krb5cc_\$uid" \\
	"\${cmd[@]}" >/dev/null 2>>"$work/errors.\$mode"
EOF
chmod 755 "$work/run-one"

# the samba master of every DC the storm uses (dc1 is DOMAIN_DC_DIR)
dc_roots() {
	local dc
	if [ "${#dcs[@]}" -eq 0 ]; then
		cat "$DOMAIN_DC_DIR/samba.pid"
		return
	fi
	for dc in "${dcs[@]}"; do
		if [ "$dc" = dc1 ]; then
			cat "$DOMAIN_DC_DIR/samba.pid"
		else
			cat "$(dirname "$DOMAIN_DC_DIR")/$dc/samba.pid"
		fi
	done
}
# every DC process (each samba master and its descendants)
dc_pids() {
	ps -e -o pid=,ppid= | awk -v roots="$(dc_roots | tr '\n' ' ')" '
		BEGIN { split(roots, r, " "); for (i in r) root[r[i]] = 1 }
		{ parent[$1] = $2 }
		END {
			for (p in parent) {
				q = p
				while (q != "" && !(q in root) && q != 1 &&
				       q != 0) {
					q = parent[q]
				}
				if (q in root) print p
			}
		}'
}
# DC CPU ticks so far: utime+stime+cutime+cstime (fields 14-17)
dc_ticks() {
	local p sum=0 rest
	for p in $(dc_pids); do
		rest=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null) || continue
		set -- $rest
		sum=$((sum + ${12} + ${13} + ${14} + ${15}))
	done
	echo "$sum"
}

# storm MODE C: every user once, C at a time; prints "runs/s dc_ms/run"
storm() {
	local mode=$1 c=$2 t0 t1 c0 c1 n
	n=${#users[@]}
	: >"$work/errors.$mode"
	c0=$(dc_ticks)
	t0=$(date +%s%N)
	xargs -P "$c" -L 1 "$work/run-one" "$mode" <"$work/users"
	local rc=$?
	t1=$(date +%s%N)
	c1=$(dc_ticks)
	if [ "$rc" -ne 0 ] || [ -s "$work/errors.$mode" ]; then
		echo "storm: $mode runs failed: $(head -c 300 "$work/errors.$mode")" >&2
		return 1
	fi
	awk -v n="$n" -v ns=$((t1 - t0)) -v ticks=$((c1 - c0)) -v hz="$HZ" \
		'BEGIN { printf "%.1f %.2f\n", n / (ns / 1e9), ticks * 1000 / hz / n }'
}

# Tickets: one kinit per user, as a logon would leave them.
t0=$(date +%s)
for u in "${users[@]}"; do
	as-user "$u" true || exit 1
done
echo "# ${#users[@]} users, tickets in $(( $(date +%s) - t0 )) s;" \
	"credroam sync: $have_sync; $(nproc) CPUs, DC and member on the same host"

# Users who roam have a msPKIRoamingTimeStamp; without one a run cannot
# take the fast path (it has nothing to compare).
if [ "$have_sync" = yes ]; then
	for u in "${users[@]}"; do
		as-user "$u" "$ADPROBE" bump >/dev/null || exit 1
	done
	# every DC of the storm holds them before the warm-up's state does
	if [ "${#dcs[@]}" -gt 1 ]; then
		dc-replicate >/dev/null || exit 1
	fi
fi

# Warm-up: each side once per user (winbind and DC caches, the store and
# state of every user).
storm ldb 8 >/dev/null || exit 1
if [ "$have_sync" = yes ]; then
	storm sync 8 >/dev/null || exit 1
	# what a storm run does: the fast path, one search, no modify
	echo "# one no-change run: $(as-user "${users[0]}" "$CREDROAM" --json \
		sync | jq -c '{fast_path, ldap_searches, ldap_modifies}')"
	# and one at each DC of the storm (user i is at DC i mod N)
	for i in "${!dcs[@]}"; do
		echo "# one no-change run at ${dcs[i]}: $(as-user "${users[i]}" \
			"$CREDROAM" --json sync --conf "$work/conf.${dcs[i]}" |
			jq -c '{dc, fast_path, ldap_searches, ldap_modifies}')"
	done
fi

if [ "$have_sync" = yes ]; then
	# a user with nothing to roam (no timestamp): the same one search
	as-user bob true >/dev/null 2>&1
	as-user bob "$CREDROAM" sync --quiet >/dev/null 2>&1
	echo "# bob's no-change run (nothing to roam): $(as-user bob \
		"$CREDROAM" --json sync | jq -c '{fast_path, ldap_searches, ldap_modifies}')"
fi

# C=1 is one run's wall time (issue 21: at most 1.1x the ldbsearch);
# dc_ratio is the DC's CPU per run, sync/ldbsearch (at most 1.05x)
printf '%5s %5s %10s %10s %7s %12s %12s %8s\n' C round ldb_runs/s \
	sync_runs/s ratio ldb_dc_ms sync_dc_ms dc_ratio
for c in 1 $CONC; do
	for r in $(seq 1 "$ROUNDS"); do
		set -- $(storm ldb "$c") || exit 1
		lr=$1 lc=$2
		sr=- sc=- ratio=- dr=-
		if [ "$have_sync" = yes ]; then
			set -- $(storm sync "$c") || exit 1
			sr=$1 sc=$2
			ratio=$(awk -v a="$sr" -v b="$lr" \
				'BEGIN { printf "%.2f", a / b }')
			dr=$(awk -v a="$sc" -v b="$lc" \
				'BEGIN { printf "%.3f", a / b }')
		fi
		printf '%5s %5s %10s %10s %7s %12s %12s %8s\n' "$c" "$r" \
			"$lr" "$sr" "$ratio" "$lc" "$sc" "$dr"
	done
done
echo "# C=1: wall time per run = 1/runs_per_s; sync/ldbsearch wall =" \
	"1/ratio of the C=1 rows"
if [ "$have_sync" = no ]; then
	echo "# credroam sync is not in this build: baseline only"
fi
