#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# serial: measures the logon time budget
# with-domain: --members 2
#
# Logon and logoff roam by themselves (issue 8), through pam_wrapper /
# libpamtest with the member's winbindd, a stack pam_winbind +
# pam_credroam and the real `credroam sync`:
#   - a certificate alice imported on mem2 is in her AD object; her logon
#     on mem1 puts it, decrypted, into her certs/ (the master key from her
#     password: no BackupKey call);
#   - a PEM pair she drops into certs/ during the session reaches AD when
#     she logs off, and the keyring forgets her pre-keys;
#   - bob's logon and logoff leave alice's store and AD values alone;
#   - with the DC stopped, a logon succeeds within the budget + 0.5 s; the
#     next logon with the DC back catches up.
. "$(dirname "$0")/testlib.sh"

MOD=$BIN/winbind_plugin/pam_credroam.so
work=$(mktemp -d -p "$DOMAIN_WORKDIR")
chmod 1777 "$work"
trap 'rm -rf "$work"' EXIT
mkdir "$work/pam.d"
echo "$DOMAIN_USER_PASSWORD" > "$work/pw"
chmod 644 "$work/pw"
# roaming on for everybody (no GPO in the test domain)
mkdir -p /etc/samba
# this test reads the key files certs/ holds with materialize = files
printf '[policy]\nroaming = yes\n[sync]\nmaterialize = files\n' \
	> /etc/samba/credroam.conf

stack() {
	cat > "$work/pam.d/$1" <<EOF
auth	[success=1 default=ignore]	pam_winbind.so krb5_auth krb5_ccache_type=FILE
auth	requisite	pam_deny.so
auth	required	pam_permit.so
auth	optional	$MOD debug credroam=$CREDROAM rundir=$work/run services=$1 budget=$2
account	required	pam_permit.so
session	required	pam_permit.so
session	optional	$MOD debug credroam=$CREDROAM rundir=$work/run services=$1 budget=$2
EOF
}
stack logon 20
stack quick 2

cat > "$work/drive.py" <<'PY'
import os, sys, time, pypamtest as p
service, user, steps = sys.argv[1], sys.argv[2], sys.argv[3:]
ops = {'auth': p.PAMTEST_AUTHENTICATE, 'open': p.PAMTEST_OPEN_SESSION,
       'close': p.PAMTEST_CLOSE_SESSION}
t0 = time.monotonic()
p.run_pamtest(user, service, [p.TestCase(ops[s]) for s in steps],
              [os.environ.get('PW', '')])
print('%.3f' % (time.monotonic() - t0))
PY
pam() {
	PW=$DOMAIN_USER_PASSWORD LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1 \
		PAM_WRAPPER_SERVICE_DIR="$work/pam.d" \
		/usr/bin/python3 "$work/drive.py" "$1" "$DOMAIN_NAME\\$2" "${@:3}"
}
jget() { /usr/bin/python3 -c "import json,sys
d=json.load(open(sys.argv[2]))
for k in sys.argv[1].split('.'): d=d[k]
print(json.dumps(d) if isinstance(d,(dict,list,bool)) or d is None else d)" "$1" "$2"; }
newpair() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/$1.key" \
		-out "$work/$1.crt" -subj "/CN=$1/O=ROAM" -days 30 2>/dev/null
	chmod 644 "$work/$1.key" "$work/$1.crt"
	openssl x509 -in "$work/$1.crt" -noout -fingerprint -sha1 |
		sed 's/.*=//; s/://g'
}
creds() { as-user alice "$ADPROBE" count | awk '{print $1}'; }
prekeys() {
	as-user --no-ticket alice bash -c 'sid=$(wbinfo -n "$(id -un)" | cut -d" " -f1)
		keyctl search @u user "credroam:prekeys:$sid" >/dev/null 2>&1 &&
		echo yes || echo no'
}
# wait_for SECONDS CMD... : until CMD succeeds
wait_for() {
	local n=$(( $1 * 5 ))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
		n=$((n - 1))
	done
	return 1
}

store="$DOMAIN_WORKDIR/mem1/home/alice/.local/share/credroam"
bstore="$DOMAIN_WORKDIR/mem1/home/bob/.local/share/credroam"

# --- a certificate in AD beforehand (imported on mem2) --------------------
tp=$(newpair from-mem2)
out=$(on-member mem2 as-user alice "$CREDROAM" import "$work/from-mem2.crt" \
	"$work/from-mem2.key" --password-file "$work/pw" --no-keyring 2>&1)
check_match "alice imports a certificate on mem2" "imported $tp" "$out"
before=$(creds)
check_eq "AD holds its certificate and key" 2 "$before"

# --- logon on mem1 ----------------------------------------------------------
t=$(pam logon alice auth open)
check_match "alice logs on to mem1 ($t s)" "^[0-9]" "$t"
check "her certs/ has the certificate" test -f "$store/certs/$tp.crt"
check "and its key, decrypted" test -f "$store/certs/$tp.key"
check_eq "the key is private" 600 "$(stat -c %a "$store/certs/$tp.key" 2>&1)"
check_eq "it is the key imported on mem2" \
	"$(openssl pkey -in "$work/from-mem2.key" -outform DER | sha1sum)" \
	"$(openssl pkey -in "$store/certs/$tp.key" -outform DER 2>&1 | sha1sum)"
check_eq "the run was the logon's" logon "$(jget trigger "$store/last-run" 2>&1)"
check_eq "the master key came from her password, not the DC" 0 \
	"$(jget bkrp_calls "$store/last-run" 2>&1)"
check_eq "the store is alice's" "$(id -u "$DOMAIN_NAME\\alice")" \
	"$(stat -c %u "$store")"

# --- a pair dropped during the session roams at logoff -------------------
tp2=$(newpair during-session)
as-user --no-ticket alice cp "$work/during-session.crt" "$store/certs/mine.crt"
as-user --no-ticket alice cp "$work/during-session.key" "$store/certs/mine.key"
check_eq "her pre-keys are in her keyring during the session" yes "$(prekeys)"
t=$(pam logon alice close)
check_match "alice logs off ($t s)" "^[0-9]" "$t"
check_eq "the logoff run uploaded the new certificate and key" \
	$((before + 2)) "$(creds)"
check_eq "the run was the logoff's" logoff "$(jget trigger "$store/last-run" 2>&1)"
check_match "AD lists the new certificate" "$tp2" \
	"$(as-user alice "$CREDROAM" list 2>&1)"
wait_for 5 test "$(prekeys)" = no
check_eq "her last logoff forgets her pre-keys" no "$(prekeys)"

# --- bob ---------------------------------------------------------------------
sum_alice() { find "$store" -path "$store/.lock" -prune -o -type f -print0 |
	sort -z | xargs -0 sha1sum | sha1sum; }
a_before=$(sum_alice)
c_before=$(creds)
check "bob logs on" pam logon bob auth open
check "bob logs off" pam logon bob close
check "bob got a store of his own" test -d "$bstore"
check_eq "bob's store is bob's" "$(id -u "$DOMAIN_NAME\\bob")" "$(stat -c %u "$bstore")"
check_eq "alice's store did not change" "$a_before" "$(sum_alice)"
check_eq "alice's AD values did not change" "$c_before" "$(creds)"
check_eq "alice's last run is still her logoff" logoff \
	"$(jget trigger "$store/last-run" 2>&1)"

# --- the DC down: logon within the budget; catching up later ---------------
check "alice authenticates while the DC is up" pam logon alice auth
c_before=$(creds)
dc-ctl stop >/dev/null 2>&1
check_fails "the DC is down" dc-ctl status
t=$(pam quick alice open)
check_match "with the DC down, a logon succeeds ($t s)" "^[0-9]" "$t"
check "within the budget (2 s) + 0.5 s" \
	/usr/bin/python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) <= 2.5 else 1)" "$t"
tp3=$(newpair offline)
as-user --no-ticket alice cp "$work/offline.crt" "$store/certs/offline.crt"
as-user --no-ticket alice cp "$work/offline.key" "$store/certs/offline.key"
t=$(pam quick alice close)
check "a logoff with the DC down returns within the budget + 0.5 s ($t s)" \
	/usr/bin/python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) <= 2.5 else 1)" "$t"
dc-ctl start >/dev/null 2>&1
wait_for 60 as-user alice "$ADPROBE" count
check "the DC is back" dc-ctl status
t=$(pam logon alice auth open)
check_match "alice logs on with the DC back ($t s)" "^[0-9]" "$t"
wait_for 40 test "$(creds)" = $((c_before + 2))
check_eq "the next logon caught up: the offline pair is in AD" \
	$((c_before + 2)) "$(creds)"
check_match "AD lists it" "$tp3" "$(as-user alice "$CREDROAM" list 2>&1)"
pam logon alice close >/dev/null

finish
