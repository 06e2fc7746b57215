#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# long: a kill and a rerun at each I/O point of four scenarios
# Kill -9 the roaming run at every I/O point it has (CREDROAM_FAULT_AT,
# points enumerated with CREDROAM_FAULT_TRACE) in four scenarios (an
# import to upload, a download to make usable, a local deletion that
# becomes a tombstone, a conflict), rerun, and compare with an
# uninterrupted run: AD values, local store, state.  Then the failures a
# run meets in life: a full disk, the DC stopped or restarted mid-run, a
# ticket that expires, a read-only home.  Each gives a clear error, loses
# nothing, and the next normal run converges.
. "$(dirname "$0")/testlib.sh"
. "$TOP/testprogs/fault/lib.sh"
. "$TOP/testprogs/fault/killpoints.sh"
. "$TOP/testprogs/fault/pause.sh"

W=$(mktemp -d)
chmod 755 "$W"
trap 'rm -rf "$W"' EXIT
roaming_on
printf '%s\n' "$DOMAIN_USER_PASSWORD" >"$W/pw"
chmod 644 "$W/pw"
STORE=$(store_of alice)

# --- the starting points ------------------------------------------------
mkcert "$W" alice1
drop_cert alice "$W" alice1
ad_save alice "$W/import.ldif"
store_save alice "$W/import.tar"
sync_as alice -- --quiet --password-file "$W/pw" >"$W/out" 2>&1
check_eq "setup: alice imports a certificate and key" 0 "$?"
THUMB=$(openssl x509 -in "$W/alice1.crt" -noout -fingerprint -sha1 |
	sed 's/.*=//; s/://g')
check "setup: the certificate roams" test -f "$STORE/certs/$THUMB.key"
ad_save alice "$W/synced.ldif"
store_save alice "$W/synced.tar"

# a local deletion: the user removed the certificate and its key
rm -f "$STORE/certs/$THUMB.crt" "$STORE/certs/$THUMB.key"
store_save alice "$W/deleted.tar"

# a conflict: the certificate renamed differently on this machine (later)
# and on another one (earlier), after the last run
store_restore alice "$W/synced.tar"
CERT_TOKEN=$(ls "$STORE"/roaming/*/"$THUMB")
python3 "$TOP/testprogs/fault/mkvariant.py" "$CERT_TOKEN" "$W/elsewhere" \
	"renamed elsewhere" -60
python3 "$TOP/testprogs/fault/mkvariant.py" "$CERT_TOKEN" "$W/here" \
	"renamed here" 0
cp "$CERT_TOKEN" "$W/orig"
chmod 644 "$W/elsewhere" "$W/orig"
check "setup: another machine changes the certificate in AD" \
	as-user alice "$ADPROBE" change creds \
	"$(as-user alice "$ADPROBE" value "$W/orig")" \
	"$(as-user alice "$ADPROBE" value "$W/elsewhere")"
as-user alice "$ADPROBE" bump >/dev/null
cat "$W/here" >"$CERT_TOKEN"
ad_save alice "$W/conflict.ldif"
store_save alice "$W/conflict.tar"

# --- kill at every point --------------------------------------------------
KP_SAVE=$W/ref.import killpoints "import, upload" alice "$W/import.ldif" \
	"$W/import.tar" --password-file "$W/pw"
check_match "import: four values live in AD, the pair usable" \
	"ad msPKIAccountCredentials 3 $THUMB live.*certs $THUMB.crt .*certs $THUMB.key " \
	"$(tr '\n' ' ' <"$W/ref.import.digest")"
KP_SAVE=$W/ref.download killpoints "download, make usable (BKRP)" alice \
	"$W/synced.ldif" "$W/none.tar"
check_eq "download: the key made over BKRP matches the certificate" \
	"$(openssl x509 -in "$W/alice1.crt" -noout -pubkey | sha1sum)" \
	"$(openssl pkey -in "$STORE/certs/$THUMB.key" -pubout | sha1sum)"
KP_SAVE=$W/ref.tomb killpoints "local deletion, tombstone" alice \
	"$W/synced.ldif" "$W/deleted.tar"
check_match "local deletion: certificate and key are tombstones in AD" \
	"ad msPKIAccountCredentials 1 [^ ]+ tomb 0 ad msPKIAccountCredentials 3 $THUMB tomb 0" \
	"$(tr '\n' ' ' <"$W/ref.tomb.digest")"
KP_SAVE=$W/ref.conflict killpoints "conflict, newer local wins" alice \
	"$W/conflict.ldif" "$W/conflict.tar"
check "conflict: the newer local change is what AD and the store hold" \
	cmp "$W/here" "$(ls "$STORE"/roaming/*/"$THUMB")"
echo "faults injected: $KP_FAULTS, runs compared: $KP_COMPARED," \
	"mismatches: $KP_MISMATCHES"

# --- failures a run meets in life -------------------------------------------
# ad_part DIGEST: only the AD lines
ad_part() { grep '^ad ' "$1"; }
# converges NAME REFERENCE [SYNC ARGS]: the next normal run ends where an
# uninterrupted run ends
converges() {
	local name=$1 ref=$2
	shift 2
	sync_as alice -- --quiet "$@" >"$W/next.out" 2>&1
	digest alice >"$W/next.digest"
	if cmp -s "$ref" "$W/next.digest"; then
		pass "$name: the next run converges"
	else
		fail "$name: the next run converges" "$(head -c 200 "$W/next.out") $(diff "$ref" "$W/next.digest" | grep '^[<>]' | head -n 6 | tr '\n' ' ')"
	fi
}
# failed_clearly NAME RC OUTPUT REGEX: exit 1 and a reason naming it
failed_clearly() {
	echo "# $1: $(printf '%s' "$3" | head -n 2 | head -c 300)"
	check_eq "$1: exit 1" 1 "$2"
	check_match "$1: says why" "$4" "$3"
}
first_point() { grep -n " $2" "$1" | head -n 1 | cut -d: -f1; }

# Disk full: a small tmpfs over the store, in this member's mount
# namespace.  A download (eight files and the state) does not fit.
ALICE_UID=$(id -u "$DOMAIN_NAME\\alice")
disk_full() {
	local name=$1 ad=$2 tar=$3 ref=$4
	shift 4
	kp_restore "$ad" alice "$tar"
	mkdir -p "$W/df"
	rm -rf "$W/df"/* "$W/df"/.[!.]*
	[ -d "$STORE" ] && cp -a "$STORE/." "$W/df/"
	install -d -o "$ALICE_UID" -m 700 "$(dirname "$STORE")" "$STORE"
	mount -t tmpfs -o size=16k,mode=700,uid="$ALICE_UID" tmpfs "$STORE"
	cp -a "$W/df/." "$STORE/" 2>/dev/null
	chown "$ALICE_UID" "$STORE"	# cp -a gave it the copy's owner
	chmod 700 "$STORE"
	sync_as alice -- --quiet "$@" >"$W/out" 2>&1
	failed_clearly "$name" "$?" "$(cat "$W/out")" "space|ENOSPC|full"
	digest alice >"$W/after"
	ad_part "$W/after" >"$W/after.ad"
	# space freed: the same files on a disk with room
	rm -rf "$W/df"/* "$W/df"/.[!.]*
	cp -a "$STORE/." "$W/df/"
	umount "$STORE"
	rm -rf "$STORE"
	install -d -o "$ALICE_UID" -m 700 "$STORE"
	cp -a "$W/df/." "$STORE/"
	chown "$ALICE_UID" "$STORE"
	chmod 700 "$STORE"
	converges "$name" "$ref" "$@"
}
disk_full "disk full during a download" "$W/synced.ldif" "$W/none.tar" \
	"$W/ref.download.digest"
check_eq "disk full during a download: AD untouched" \
	"$(ad_part "$W/ref.download.digest")" "$(cat "$W/after.ad")"
disk_full "disk full during an import" "$W/import.ldif" "$W/import.tar" \
	"$W/ref.import.digest" --password-file "$W/pw"

# dc_down / dc_bounce: the DC really gone (dc-ctl stops the samba master;
# its prefork workers would go on serving an open connection for a while),
# or gone and back.  Only the DC's own processes, by id.
dc_tree() {
	local root
	root=$(cat "$DOMAIN_DC_DIR/samba.pid")
	ps -e -o pid=,ppid= | awk -v root="$root" '
		{ parent[$1] = $2 }
		END { for (p in parent) { q = p
			while (q != "" && q != root && q > 1) q = parent[q]
			if (q == root) print p } }'
}
dc_down() {
	local pids i p alive
	pids=$(dc_tree)
	dc-ctl stop
	for i in $(seq 1 50); do
		alive=""
		for p in $pids; do
			kill -0 "$p" 2>/dev/null && alive="$alive $p"
		done
		[ -z "$alive" ] && return 0
		pids=$alive
		sleep 0.1
	done
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null
	return 0
}
dc_bounce() { dc_down && dc-ctl start; }

# The DC stopped just before the first AD write of an import.
K=$(first_point "$W/ref.import.trace" ad-modify)
kp_restore "$W/import.ldif" alice "$W/import.tar"
run_paused alice "$K" dc_down -- --quiet --password-file "$W/pw"
failed_clearly "DC stopped mid-run" "$PAUSE_RC" "$(cat "$PAUSE_OUT")" \
	"DC|dc1|LDAP|reach|connect|server"
digest alice >"$W/after"
# How far the run got before the DC's last worker went is a race (the
# run may even have written every token and failed on the timestamp);
# what must hold is that the imported tokens are in roaming/, whether or
# not they reached AD, and the next run converges.
check_match "DC stopped mid-run: the imported tokens are kept locally" \
	"local roaming/CryptoApiCertificate/$THUMB (not-in-ad|same-as-ad)" \
	"$(cat "$W/after")"
dc-ctl start
converges "DC stopped mid-run" "$W/ref.import.digest" --password-file "$W/pw"

# The DC restarted between two AD writes of an import.
K=$(grep -n ' ad-modify ' "$W/ref.import.trace" | sed -n 2p | cut -d: -f1)
kp_restore "$W/import.ldif" alice "$W/import.tar"
run_paused alice "$K" dc_bounce -- --quiet --password-file "$W/pw"
if [ "$PAUSE_RC" -eq 0 ]; then
	pass "DC restarted mid-run: the run carried on"
else
	failed_clearly "DC restarted mid-run" "$PAUSE_RC" \
		"$(cat "$PAUSE_OUT")" "DC|dc1|LDAP|reach|connect|server"
fi
converges "DC restarted mid-run" "$W/ref.import.digest" --password-file "$W/pw"

# A ticket that expires: at the start of a run, and during one.
short_ticket() {
	as-user --no-ticket alice sh -c "printf '%s\n' '$DOMAIN_USER_PASSWORD' |
		kinit -l $1 alice@$DOMAIN_REALM" >/dev/null 2>&1
}
kp_restore "$W/import.ldif" alice "$W/import.tar"
short_ticket 5s
sleep 6
SYNC_AS_OPTS=--no-ticket sync_as alice -- --quiet --password-file "$W/pw" \
	>"$W/out" 2>&1
failed_clearly "expired ticket" "$?" "$(cat "$W/out")" "expired|ticket"
digest alice >"$W/after"
check_eq "expired ticket: AD untouched" "" "$(ad_part "$W/after")"
check "expired ticket: the dropped certificate is still there" \
	test -f "$STORE/certs/alice1.crt" -a -f "$STORE/certs/alice1.key"
as-user --no-ticket alice kdestroy >/dev/null 2>&1
converges "expired ticket" "$W/ref.import.digest" --password-file "$W/pw"

kp_restore "$W/import.ldif" alice "$W/import.tar"
short_ticket 8s
K=$(first_point "$W/ref.import.trace" ad-modify)
SYNC_AS_OPTS=--no-ticket run_paused alice "$K" "sleep 10" -- --quiet \
	--password-file "$W/pw"
if [ "$PAUSE_RC" -eq 0 ]; then
	pass "ticket expired mid-run: the open session carried on"
else
	failed_clearly "ticket expired mid-run" "$PAUSE_RC" \
		"$(cat "$PAUSE_OUT")" "expired|ticket|LDAP|DC"
fi
as-user --no-ticket alice kdestroy >/dev/null 2>&1
converges "ticket expired mid-run" "$W/ref.import.digest" \
	--password-file "$W/pw"

# A read-only home (a bind mount in this member's namespace): an import
# and a local deletion.
HOME_A=$(user_home alice)
read_only_home() {
	local name=$1 ad=$2 tar=$3 ref=$4
	shift 4
	kp_restore "$ad" alice "$tar"
	digest alice >"$W/before"
	mount --bind "$HOME_A" "$HOME_A"
	mount -o remount,bind,ro "$HOME_A"
	sync_as alice -- --quiet "$@" >"$W/out" 2>&1
	failed_clearly "$name" "$?" "$(cat "$W/out")" "[Rr]ead-only|EROFS"
	digest alice >"$W/after"
	umount "$HOME_A"
	check_eq "$name: nothing changed" "" \
		"$(diff "$W/before" "$W/after")"
	converges "$name" "$ref" "$@"
}
read_only_home "read-only home, import" "$W/import.ldif" "$W/import.tar" \
	"$W/ref.import.digest" --password-file "$W/pw"
read_only_home "read-only home, local deletion" "$W/synced.ldif" \
	"$W/deleted.tar" "$W/ref.tomb.digest"

finish
