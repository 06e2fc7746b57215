# SPDX-License-Identifier: GPL-3.0-or-later
# testprogs/fault/growth.sh - sourced after lib.sh by test_growth.sh and
# bench/bench_growth.sh.
#
#   growth_setup USER WORKDIR     a certificate and key imported and roamed
#   growth_nochange USER N        N no-change runs (every 10th a full run
#                                 that skips the fast path); prints
#                                 "usn_before usn_after size_before
#                                 size_after writes seconds"
#   growth_changes USER N         N single-token changes (the certificate
#                                 renamed locally, uploaded); prints one
#                                 "removed_before removed_after live_before
#                                 live_after" line per change

growth_setup() {
	local user=$1 w=$2
	printf '%s\n' "$DOMAIN_USER_PASSWORD" >"$w/pw"
	chmod 644 "$w/pw"
	mkcert "$w" growth
	drop_cert "$user" "$w" growth
	sync_as "$user" -- --quiet --password-file "$w/pw" || return 1
	GROWTH_THUMB=$(openssl x509 -in "$w/growth.crt" -noout -fingerprint \
		-sha1 | sed 's/.*=//; s/://g')
	GROWTH_W=$w
	cp "$(store_of "$user")"/roaming/*/"$GROWTH_THUMB" "$w/orig" || return 1
	# one more run so the state holds the timestamp the first one wrote
	sync_as "$user" -- --quiet
}

growth_nochange() {
	local user=$1 n=$2 i u0 u1 s0 s1 t0 writes=0 mods extra
	u0=$(ad_usn "$user")
	s0=$(ad_size "$user")
	t0=$(date +%s.%N)
	for i in $(seq 1 "$n"); do
		extra=
		[ $((i % 10)) -eq 0 ] && extra=--full
		mods=$(sync_as "$user" -- --json $extra | jq -r .ldap_modifies)
		[ "$mods" = 0 ] || writes=$((writes + 1))
	done
	u1=$(ad_usn "$user")
	s1=$(ad_size "$user")
	echo "$u0 $u1 $s0 $s1 $writes $(echo "$(date +%s.%N) - $t0" | bc)"
}

growth_changes() {
	local user=$1 n=$2 i store token l0 d0 l1 d1
	store=$(store_of "$user")
	for i in $(seq 1 "$n"); do
		read -r l0 d0 <<<"$(ad_links "$user")"
		token=$(ls "$store"/roaming/*/"$GROWTH_THUMB")
		python3 "$FAULT_DIR/mkvariant.py" "$GROWTH_W/orig" \
			"$GROWTH_W/v" "renamed $i" 0
		# a rewrite in place, as an editor would (owner and mode kept)
		cat "$GROWTH_W/v" >"$token"
		sync_as "$user" -- --quiet >/dev/null || return 1
		read -r l1 d1 <<<"$(ad_links "$user")"
		echo "$d0 $d1 $l0 $l1"
	done
}
