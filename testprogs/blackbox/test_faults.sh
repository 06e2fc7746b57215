#!/bin/bash
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
killpoints "import, upload" alice "$W/import.ldif" "$W/import.tar" \
	--password-file "$W/pw"
killpoints "download, make usable (BKRP)" alice "$W/synced.ldif" \
	"$W/none.tar"
killpoints "local deletion, tombstone" alice "$W/synced.ldif" \
	"$W/deleted.tar"
killpoints "conflict, newer local wins" alice "$W/conflict.ldif" \
	"$W/conflict.tar"
echo "faults injected: $KP_FAULTS, runs compared: $KP_COMPARED," \
	"mismatches: $KP_MISMATCHES"

finish
