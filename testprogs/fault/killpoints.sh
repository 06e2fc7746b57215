# SPDX-License-Identifier: GPL-3.0-or-later
# testprogs/fault/killpoints.sh - sourced after lib.sh: the kill-at-every-
# point driver.
#
#   killpoints NAME USER AD.ldif STORE.tar [SYNC ARGS...]
#
# From the saved start (AD values + local store), runs one uninterrupted
# roaming run with CREDROAM_FAULT_TRACE to enumerate its I/O points and
# digests the outcome (the reference).  Then for every point N: restore
# the start, run with CREDROAM_FAULT_AT=N (the run SIGKILLs itself there),
# run again normally, digest, and compare with the reference; a third run
# must then find nothing to do.  Adds to KP_FAULTS, KP_COMPARED and
# KP_MISMATCHES and prints one PASS/FAIL per scenario.  FAULT_STRIDE=k
# tries every k-th point only, FAULT_ONLY=WORD kills only in the
# scenarios whose name has WORD (for quick runs by hand).  With KP_SAVE=PREFIX the
# reference digest and trace are kept as PREFIX.digest and PREFIX.trace.

KP_FAULTS=0
KP_COMPARED=0
KP_MISMATCHES=0

kp_restore() {
	ad_restore "$1" && store_restore "$2" "$3"
}

killpoints() {
	local name=$1 user=$2 ad=$3 tar=$4
	shift 4
	local dir n points rc bad=0 notes=""
	dir=$(mktemp -d)
	chmod 777 "$dir"
	: >"$dir/trace"
	chmod 666 "$dir/trace"

	kp_restore "$ad" "$user" "$tar" || { fail "$name: restore"; return; }
	sync_as "$user" CREDROAM_FAULT_TRACE="$dir/trace" -- --quiet "$@" \
		>"$dir/ref.out" 2>&1
	rc=$?
	digest "$user" >"$dir/ref"
	points=$(wc -l <"$dir/trace")
	if [ "$rc" -ne 0 ] || grep -q '^ERROR' "$dir/ref"; then
		fail "$name: the uninterrupted run" \
			"exit $rc: $(head -c 300 "$dir/ref.out") $(grep '^ERROR' "$dir/ref")"
		return
	fi
	cp "$dir/trace" "$dir/ref.trace"
	if [ -n "${KP_SAVE:-}" ]; then
		cp "$dir/ref" "$KP_SAVE.digest"
		cp "$dir/trace" "$KP_SAVE.trace"
	fi
	echo "# $name: $points I/O points:" $(cut -d' ' -f2 "$dir/trace" |
		sort | uniq -c | awk '{ printf "%s x%s ", $2, $1 }')

	case "$name" in
	*"${FAULT_ONLY:-}"*) ;;
	*) points=0 ;;	# the reference only
	esac
	for n in $(seq 1 "${FAULT_STRIDE:-1}" "$points"); do
		KP_FAULTS=$((KP_FAULTS + 1))
		kp_restore "$ad" "$user" "$tar" ||
			{ bad=$((bad + 1)); notes+=" [$n: restore]"; continue; }
		sync_as "$user" CREDROAM_FAULT_AT="$n" -- --quiet "$@" \
			>"$dir/killed.out" 2>&1
		rc=$?
		if [ "$rc" -ne 137 ]; then
			notes+=" [$n: not killed, exit $rc]"
		fi
		sync_as "$user" -- --quiet "$@" >"$dir/rerun.out" 2>&1
		rc=$?
		digest "$user" >"$dir/got"
		KP_COMPARED=$((KP_COMPARED + 1))
		if [ "$rc" -ne 0 ] || ! cmp -s "$dir/ref" "$dir/got"; then
			bad=$((bad + 1))
			KP_MISMATCHES=$((KP_MISMATCHES + 1))
			notes+=" [kill at $n ($(sed -n "${n}p" "$dir/ref.trace")): rerun exit $rc; $(head -c 200 "$dir/rerun.out" | tr '\n' ' ') $(diff "$dir/ref" "$dir/got" | grep '^[<>]' | head -n 6 | tr '\n' ' ')]"
			continue
		fi
		sync_as "$user" -- --json "$@" >"$dir/third.json" 2>&1
		if [ "$(jq -r '.ldap_modifies' "$dir/third.json" 2>/dev/null)" != 0 ]; then
			bad=$((bad + 1))
			KP_MISMATCHES=$((KP_MISMATCHES + 1))
			notes+=" [kill at $n: the run after the rerun still writes: $(jq -c '.actions' "$dir/third.json" 2>/dev/null | head -c 200)]"
		fi
	done
	if [ "$bad" -eq 0 ]; then
		pass "$name: killed at each of $points points, rerun equals the uninterrupted run"
	else
		fail "$name: $bad of $points kill points diverge" "$notes"
	fi
	rm -rf "$dir"
}
