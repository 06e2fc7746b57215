#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The demo's story, run inside the test domain (see demo.sh): a
# certificate and its private key roam between two Linux members of a
# Samba AD domain, through alice's own AD object, driven by nothing but
# her logons (PAM: pam_winbind + pam_credroam) and a Group Policy.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BIN=${CREDROAM_BIN:-$TOP/bin}
CREDROAM=$BIN/source/tools/credroam
SAMBA_TOOL=$BIN/source/python/samba-tool
MOD=$BIN/winbind_plugin/pam_credroam.so
DDP='{31B2F340-016D-11D2-945F-00C04FB984F9}'	# Default Domain Policy
steps=0
failed=0

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# paths as alice would see them on that machine
short() { sed "s|$DOMAIN_WORKDIR/\(mem[0-9]*\)/home/alice|~alice@\1|g"; }
run() { printf '$ %s\n' "$*" | sed "s|$TOP/||g" | short; "$@" 2>&1 | short; }
ok() {
	steps=$((steps + 1))
	if [ "$1" = 0 ]; then
		printf '   \033[32mOK\033[0m %s\n' "$2"
	else
		failed=$((failed + 1))
		printf '   \033[31mFAILED\033[0m %s\n' "$2"
	fi
}
admin_tool() {
	"$SAMBA_TOOL" "$@" -H "ldap://$DOMAIN_DC" \
		-U "Administrator%$DOMAIN_ADMIN_PASSWORD"
}
ad_view() {
	printf '$ samba-tool credroam list alice\n'
	admin_tool credroam list alice 2>&1 | sed 's/^/   /'
}

work=$(mktemp -d -p "$DOMAIN_WORKDIR")
chmod 1777 "$work"
mkdir "$work/pam.d"
for m in $DOMAIN_MEMBERS; do
	home="$DOMAIN_WORKDIR/$m/home/alice"
	eval "store_$m=\$home/.local/share/credroam"
done
# the logon stack of both machines: pam_winbind, then pam_credroam
cat > "$work/pam.d/login" <<EOF
auth	[success=1 default=ignore]	pam_winbind.so krb5_auth krb5_ccache_type=FILE
auth	requisite	pam_deny.so
auth	required	pam_permit.so
auth	optional	$MOD credroam=$CREDROAM rundir=$work/run services=login budget=20
account	required	pam_permit.so
session	required	pam_permit.so
session	optional	$MOD credroam=$CREDROAM rundir=$work/run services=login budget=20
EOF
printf 'auth required pam_deny.so\n' > "$work/pam.d/other"
cat > "$work/logon.py" <<'PY'
import os, sys, pypamtest as p
ops = {'auth': p.PAMTEST_AUTHENTICATE, 'open': p.PAMTEST_OPEN_SESSION,
       'close': p.PAMTEST_CLOSE_SESSION}
p.run_pamtest(sys.argv[1], 'login', [p.TestCase(ops[s]) for s in sys.argv[2:]],
              [os.environ['PW']])
PY
# pam_logon MEMBER auth open|close: what a display manager does
pam_logon() {
	local m=$1
	shift
	on-member "$m" env PW="$DOMAIN_USER_PASSWORD" \
		LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1 \
		PAM_WRAPPER_SERVICE_DIR="$work/pam.d" \
		/usr/bin/python3 "$work/logon.py" "$DOMAIN_NAME\\alice" "$@"
}
last_run() {
	/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print("   last run (trigger %s): event %s: %s" % (d["trigger"], d["event"],
      d["summary"]))' "$1/last-run" 2>/dev/null
}

say "A Samba AD domain on loopback: DC $DOMAIN_DC ($DOMAIN_DC_IP), Linux members: $DOMAIN_MEMBERS"
echo "(its files: $DOMAIN_WORKDIR)"
for m in $DOMAIN_MEMBERS; do
	printf '%s: ' "$m"
	on-member "$m" getent passwd "$DOMAIN_NAME\\alice"
done

say "The administrator turns Credential Roaming on by Group Policy"
run admin_tool credroam policy set "$DDP" --roaming on 2>&1 | sed 's/^/   /'
admin_tool credroam policy show "$DDP" 2>&1 | grep -i 'DIMSRoaming' |
	sed 's/^/   /'
ok $? "DIMSRoaming=1 in the Default Domain Policy (User/Registry.pol)"

say "Machine A (mem1): alice logs on, enrolls a certificate, logs off"
pam_logon mem1 auth open
ok $? "alice logged on to mem1 through pam_winbind + pam_credroam"
last_run "$store_mem1"
as-user alice openssl req -x509 -newkey rsa:2048 -nodes \
	-keyout "$store_mem1/certs/alice-vpn.key" \
	-out "$store_mem1/certs/alice-vpn.crt" -days 365 \
	-subj "/CN=alice/O=ROAM/OU=VPN users" 2>/dev/null
ok $? "a certificate and key enrolled into ~/.local/share/credroam/certs/"
tp=$(openssl x509 -in "$store_mem1/certs/alice-vpn.crt" -noout \
	-fingerprint -sha1 | sed 's/.*=//; s/://g')
pam_logon mem1 close
ok $? "alice logged off mem1 (the logoff run uploads)"
last_run "$store_mem1"
ad_view
admin_tool credroam list alice 2>&1 | grep -q "$tp"
ok $? "AD holds her certificate $tp, its key container and her master key"

say "Machine B (mem2): alice logs on; her certificate and usable key are there"
pam_logon mem2 auth open
ok $? "alice logged on to mem2"
last_run "$store_mem2"
run ls -l "$store_mem2/certs" | sed 's/^/   /'
run openssl x509 -noout -subject -in "$store_mem2/certs/$tp.crt" |
	sed 's/^/   /'
cpub=$(openssl x509 -noout -pubkey -in "$store_mem2/certs/$tp.crt" |
	sha256sum | cut -c1-16)
kpub=$(openssl pkey -pubout -in "$store_mem2/certs/$tp.key" 2>/dev/null |
	sha256sum | cut -c1-16)
echo "   public key of the certificate: $cpub"
echo "   public key of the private key: $kpub"
[ -s "$store_mem2/certs/$tp.key" ] && [ "$cpub" = "$kpub" ]
ok $? "the key on mem2 is the certificate's key (it came from AD, DPAPI-protected)"

say "On B she deletes the certificate, then logs off"
run as-user alice rm "$store_mem2/certs/$tp.crt" "$store_mem2/certs/$tp.key"
pam_logon mem2 close
ok $? "alice logged off mem2"
last_run "$store_mem2"
ad_view
admin_tool credroam list alice 2>&1 | grep "$tp" | grep -q tombstone
ok $? "AD now holds a tombstone for $tp"

say "Back on A: alice logs on; the certificate is gone (moved to trash)"
pam_logon mem1 auth open
ok $? "alice logged on to mem1 again"
last_run "$store_mem1"
run ls "$store_mem1/certs" "$store_mem1/trash" | sed 's/^/   /'
[ ! -e "$store_mem1/certs/$tp.crt" ] && ls "$store_mem1/trash" | grep -q "$tp"
ok $? "mem1 no longer offers $tp; its files are in trash/, not destroyed"
pam_logon mem1 close >/dev/null 2>&1

say "Summary"
if [ "$failed" -eq 0 ]; then
	echo "demo: alice's certificate $tp roamed mem1 -> mem2 with a usable key, was deleted on mem2 and removed on mem1: $steps steps, 0 failed"
else
	echo "demo: $steps steps, $failed FAILED"
fi
rm -rf "$work"
[ "$failed" -eq 0 ]
