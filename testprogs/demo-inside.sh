#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The demo's story, run inside the test domain (see demo.sh): a
# certificate and its private key roam between two Linux members of a
# Samba AD domain, through alice's own AD object, driven by nothing but
# her logons (PAM: pam_winbind + pam_credroam) and a Group Policy.
#
# Every step checks a value it has first shown to be there and specific:
# the thumbprint (40 hex digits), that token's state in AD (from
# samba-tool's JSON, not a grep of its text), pam_credroam's own run (a
# last-run file written by this logon, with its trigger and event 1).
#
# CREDROAM_DEMO_TOOL=PATH: the credroam the logons run (test_demo.sh puts
# one there that does nothing, and the demo must then fail).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BIN=${CREDROAM_BIN:-$TOP/bin}
SAMBA_TOOL=$BIN/source/python/samba-tool
DDP='{31B2F340-016D-11D2-945F-00C04FB984F9}'	# Default Domain Policy
steps=0
failed=0
if [ -t 1 ]; then
	BOLD=$'\033[1m' GREEN=$'\033[32m' RED=$'\033[31m' DIM=$'\033[2m'
	PLAIN=$'\033[0m'
else
	BOLD= GREEN= RED= DIM= PLAIN=
fi

say() { printf '\n%s== %s%s\n' "$BOLD" "$*" "$PLAIN"; }
# paths as alice would see them on that machine
short() { sed "s|$DOMAIN_WORKDIR/\(mem[0-9]*\)/home/alice|~alice@\1|g"; }
indent() { sed 's/^/   /'; }
short_hash() {
	if [ -n "$1" ]; then
		printf '%s' "$1" | sha256sum | cut -c1-16
	else
		echo "(none)"
	fi
}
# show a command as typed, then run it
run() {
	printf '%s$ %s%s\n' "$DIM" "$*" "$PLAIN" | sed "s|$work/||g" | short
	"$@" 2>&1 | short
}
ok() {
	steps=$((steps + 1))
	if [ "$1" = 0 ]; then
		printf '   %sOK%s %s\n' "$GREEN" "$PLAIN" "$2"
	else
		failed=$((failed + 1))
		printf '   %sFAILED%s %s\n' "$RED" "$PLAIN" "$2"
	fi
}
admin_tool() {
	"$SAMBA_TOOL" "$@" -H "ldap://$DOMAIN_DC" \
		-U "Administrator%$DOMAIN_ADMIN_PASSWORD"
}
# what the administrator types (the password is asked for), and its output
admin() {
	printf '%s$ samba-tool %s -H ldap://%s -U Administrator%s\n' \
		"$DIM" "$*" "$DOMAIN_DC" "$PLAIN"
	admin_tool "$@" 2>&1 | indent
}
ad_view() { admin credroam list alice; }
# ad_state TP: the state of certificate TP's token in alice's AD object
# (live, tombstone, ...), or nothing when AD holds no such token
ad_state() {
	admin_tool credroam list alice --json 2>/dev/null |
		/usr/bin/python3 -c 'import json, sys
tp = sys.argv[1].upper()
for t in json.load(sys.stdin).get("tokens", []):
    if (str(t.get("identifier", "")).upper() == tp and
            t.get("type") in (3, 7)):
        print(t["state"])' "$1"
}

# What alice's logons run, copied into the domain's own directory: they
# depend neither on where the checkout is (a path with spaces) nor on its
# permissions.
work=$DOMAIN_WORKDIR/demo
mkdir -p "$work/pam.d" "$work/credroam" "$work/run"
chmod 755 "$work" "$work/pam.d" "$work/credroam"
chmod 1777 "$work/run"
cp "${CREDROAM_DEMO_TOOL:-$BIN/source/tools/credroam}" "$work/credroam-tool"
cp "$BIN/winbind_plugin/pam_credroam.so" "$work/"
cp "$BIN/winbind_plugin/credroam/pam_credroam_keys.so" "$work/credroam/"
CREDROAM=$work/credroam-tool
for m in $DOMAIN_MEMBERS; do
	home="$DOMAIN_WORKDIR/$m/home/alice"
	eval "store_$m=\$home/.local/share/credroam"
done
# the logon stack of both machines: pam_winbind, then pam_credroam; the
# story compares the key on mem2 with the certificate, so its keys are
# written as files (materialize=files); the token is test_token_apps.sh's
MODARGS="credroam=$CREDROAM rundir=$work/run services=login budget=20"
MODARGS="$MODARGS materialize=files agent=no"
cat > "$work/pam.d/login" <<EOF
auth	[success=1 default=ignore]	pam_winbind.so krb5_auth krb5_ccache_type=FILE
auth	requisite	pam_deny.so
auth	required	pam_permit.so
auth	optional	$work/pam_credroam.so $MODARGS
account	required	pam_permit.so
session	required	pam_permit.so
session	optional	$work/pam_credroam.so $MODARGS
EOF
printf 'auth required pam_deny.so\n' > "$work/pam.d/other"
cat > "$work/logon.py" <<'PY'
import os, sys, pypamtest as p
ops = {'auth': p.PAMTEST_AUTHENTICATE, 'open': p.PAMTEST_OPEN_SESSION,
       'close': p.PAMTEST_CLOSE_SESSION}
p.run_pamtest(sys.argv[1], 'login', [p.TestCase(ops[s]) for s in sys.argv[2:]],
              [os.environ['PW']])
PY
# last_run_id STORE: which last-run file is there now (a new one is
# written atomically, so a new inode)
last_run_id() { stat -c '%i %Y' "$1/last-run" 2>/dev/null; }
# pam_logon MEMBER TRIGGER auth open|close: what a display manager does;
# succeeds only when PAM did and pam_credroam's run wrote a new last-run
# with that trigger and event 1 (success)
pam_logon() {
	local m=$1 trigger=$2 store before rc
	shift 2
	eval "store=\$store_$m"
	before=$(last_run_id "$store")
	on-member "$m" env PW="$DOMAIN_USER_PASSWORD" \
		LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1 \
		PAM_WRAPPER_SERVICE_DIR="$work/pam.d" \
		/usr/bin/python3 "$work/logon.py" "$DOMAIN_NAME\\alice" "$@"
	rc=$?
	if [ "$rc" != 0 ]; then
		echo "   PAM said no ($rc)"
		return 1
	fi
	if [ ! -f "$store/last-run" ]; then
		echo "   pam_credroam's run left no last-run in its store"
		return 1
	fi
	if [ "$(last_run_id "$store")" = "$before" ]; then
		echo "   pam_credroam ran no roaming run (last-run unchanged)"
		return 1
	fi
	/usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print("   pam_credroam: %s run, event %s: %s" % (d.get("trigger"),
      d.get("event"), d.get("summary")))
sys.exit(0 if d.get("trigger") == sys.argv[2] and d.get("event") == 1
         else 1)' "$store/last-run" "$trigger"
}

say "A Samba AD domain on loopback: DC $DOMAIN_DC ($DOMAIN_DC_IP), Linux members: $DOMAIN_MEMBERS"
for m in $DOMAIN_MEMBERS; do
	printf '%s: ' "$m"
	on-member "$m" getent passwd "$DOMAIN_NAME\\alice"
done
echo "alice's object in AD, before anything roams:"
ad_view

say "The administrator turns Credential Roaming on by Group Policy"
admin credroam policy set "$DDP" --roaming on
admin_tool credroam policy show "$DDP" 2>&1 | grep -i 'DIMSRoaming ' | indent
admin_tool credroam policy show "$DDP" --json 2>/dev/null |
	/usr/bin/python3 -c 'import json, sys
r = json.load(sys.stdin)
v = [x for x in r["values"] if x["name"] == "DIMSRoaming"]
sys.exit(0 if r["roaming_on"] and v and v[0]["set"] and v[0]["value"] == 1
         else 1)'
ok $? "DIMSRoaming=1 in the Default Domain Policy (User/Registry.pol)"

say "Machine A (mem1): alice logs on, enrolls a certificate, logs off"
pam_logon mem1 logon auth open
ok $? "alice logged on to mem1 through pam_winbind + pam_credroam (its run succeeded)"
run as-user alice openssl req -x509 -newkey rsa:2048 -nodes \
	-keyout "$store_mem1/certs/alice-vpn.key" \
	-out "$store_mem1/certs/alice-vpn.crt" -days 365 \
	-subj "/CN=alice/O=ROAM/OU=VPN users" 2>&1 | grep -v '^[.+*-]*$' | indent
tp=$(openssl x509 -in "$store_mem1/certs/alice-vpn.crt" -noout \
	-fingerprint -sha1 2>/dev/null | sed 's/.*=//; s/://g')
echo "   thumbprint: ${tp:-(none)}"
[[ $tp =~ ^[0-9A-F]{40}$ ]]
ok $? "a certificate and key enrolled into ~/.local/share/credroam/certs/"
# from here on every check names this one certificate
tp=${tp:-NO-CERTIFICATE}
pam_logon mem1 logoff close
ok $? "alice logged off mem1 (the logoff run uploads)"
ad_view
[ "$(ad_state "$tp")" = live ]
ok $? "AD holds her certificate $tp (live), with its key container and master key"

say "Machine B (mem2): alice logs on; her certificate and usable key are there"
pam_logon mem2 logon auth open
ok $? "alice logged on to mem2"
run ls -l "$store_mem2/certs" | indent
run openssl x509 -noout -subject -in "$store_mem2/certs/$tp.crt" | indent
cpub=$(openssl x509 -noout -pubkey -in "$store_mem2/certs/$tp.crt" \
	2>/dev/null)
kpub=$(openssl pkey -pubout -in "$store_mem2/certs/$tp.key" 2>/dev/null)
echo "   public key of the certificate: $(short_hash "$cpub")"
echo "   public key of the private key: $(short_hash "$kpub")"
[ -n "$cpub" ] && [ "$cpub" = "$kpub" ]
ok $? "the key on mem2 is the certificate's key (it came from AD, DPAPI-protected)"

say "On B she deletes the certificate, then logs off"
run as-user alice rm "$store_mem2/certs/$tp.crt" "$store_mem2/certs/$tp.key"
pam_logon mem2 logoff close
ok $? "alice logged off mem2"
ad_view
[ "$(ad_state "$tp")" = tombstone ]
ok $? "AD now holds a tombstone for $tp"

say "Back on A: alice logs on; the certificate is gone (moved to trash)"
pam_logon mem1 logon auth open
ok $? "alice logged on to mem1 again"
run ls "$store_mem1/certs" "$store_mem1/trash" | indent
[ ! -e "$store_mem1/certs/$tp.crt" ] &&
	ls "$store_mem1/trash" 2>/dev/null | grep -q -- "-certs-$tp\.crt$"
ok $? "mem1 no longer offers $tp; its files are in trash/, not destroyed"
pam_logon mem1 logoff close >/dev/null 2>&1

say "At the end, alice's object in AD"
ad_view

say "Summary"
if [ "$failed" -eq 0 ]; then
	echo "demo: alice's certificate $tp roamed mem1 -> mem2 with a usable key, was deleted on mem2 and removed on mem1: $steps steps, 0 failed"
else
	echo "demo: $steps steps, $failed FAILED"
fi
[ "$failed" -eq 0 ]
