#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# with-domain: --guarded
# credroam_guard on the test DC: hostile tokens (the CVE-2022-30170 proof
# of concept, a hash that does not match, an oversize token, a lying
# length) are refused for alice and for Administrator, over Kerberos and
# NTLM; valid tokens pass; the guard moves msPKIRoamingTimeStamp and logs
# the writer; dbcheck and user creation still work; the module also
# guards a client's own connection; `guard disable` gives back an
# unguarded DC that starts, even once the module file is gone.
. "$(dirname "$0")/testlib.sh"

GUARD=(env LD_PRELOAD= /usr/bin/python3 "$TOP/source/python/credroam/guard.py")
DCCONF=$DOMAIN_DC_DIR/etc/smb.conf
LDBDIR=$(pkg-config --variable=modulesdir ldb)
ALICE=$(user_dn alice)
ADMIN=$(user_dn Administrator)
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

# value KIND DN: one DN-Binary value of a token of KIND for DN
value() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import hashlib, struct, sys
kind, dn = sys.argv[1], sys.argv[2]
POC = ("25335c2e2e5c2e2e5c57696e646f77735c5374617274204d656e755c50726f67"
       "72616d735c537461727475705c6d616c6963696f75732e626174" + "00" * 38 +
       "f0a1f04c9c1ad801" "0000" "0000"
       "f52f696ec0f1d3b13e9d9d553adbb491ca6cc7a3" "19000000"
       "406563686f206f66660d0a73746172742063616c632e657865")
def token(data, ident="3B83BFA7037F6A79B3F3D17D229E1BC097F35B51",
          sha1=None, length=None):
    return (b"%7\\" + ident.encode().ljust(93, b"\0") +
            struct.pack("<QHH", 0x01D29BD7FD571034, 0, 0) +
            (sha1 or hashlib.sha1(data).digest()) +
            struct.pack("<I", len(data) if length is None else length) +
            data)
if kind == "poc":
    t = bytes.fromhex(POC)
elif kind == "hash":
    t = token(b"certificate", sha1=b"\x01" * 20)
elif kind == "oversize":
    t = token(b"x" * 100001)
elif kind == "lying":
    t = token(b"certificate", length=12)
elif kind.startswith("good"):
    ident = hashlib.sha1(kind.encode()).hexdigest().upper()
    t = token(b"certificate " + kind.encode(), ident=ident)
print("B:%d:%s:%s" % (2 * len(t), t.hex().upper(), dn))
PY
}

# ldif_add DN ATTR VALUE: a modify adding one value
ldif_add() {
	printf 'dn: %s\nchangetype: modify\nadd: %s\n%s: %s\n' "$1" "$2" "$2" "$3"
}

# write AS HOW LDIF: ldbmodify as alice or Administrator, Kerberos or NTLM
write() {
	local who=$1 how=$2 f=$3
	case "$who/$how" in
	alice/krb5)
		as-user alice env LD_PRELOAD= ldbmodify -H "ldap://$DOMAIN_DC" \
			--use-kerberos=required "$f" ;;
	alice/ntlm)
		LD_PRELOAD= ldbmodify -H "ldap://$DOMAIN_DC" --use-kerberos=off \
			-U "$DOMAIN_NAME\\alice%$DOMAIN_USER_PASSWORD" "$f" ;;
	admin/krb5)
		LD_PRELOAD= KRB5CCNAME=FILE:$work/admin.cc ldbmodify \
			-H "ldap://$DOMAIN_DC" --use-kerberos=required "$f" ;;
	admin/ntlm)
		LD_PRELOAD= ldbmodify -H "ldap://$DOMAIN_DC" --use-kerberos=off \
			-U "Administrator%$DOMAIN_ADMIN_PASSWORD" "$f" ;;
	esac
}

# read_attr DN ATTR: the values (as Administrator), one per line
read_attr() {
	admin_ldb ldbsearch -b "$1" -s base "$2" 2>/dev/null |
		sed -n "s/^$2:: *//p; s/^$2: *//p"
}

printf '%s\n' "$DOMAIN_ADMIN_PASSWORD" |
	KRB5CCNAME=FILE:$work/admin.cc kinit "Administrator@$DOMAIN_REALM" \
	>/dev/null 2>&1

check_eq "the DC runs with credroam_guard first in @LIST" \
	"credroam_guard,samba_dsdb" \
	"$(LD_PRELOAD= ldbsearch -H "tdb://$DOMAIN_DC_DIR/private/sam.ldb" \
		-o modules: -s base -b @MODULES @LIST | sed -n 's/^@LIST: //p')"

# --- hostile tokens: refused for everyone, every way --------------------
declare -A reason=(
	[poc]="'\.\.' in identifier"
	[hash]="stored SHA-1 does not match"
	[oversize]="larger than the limit of 100000 bytes"
	[lying]="data length .* runs past"
)
for who in alice admin; do
	dn=$ALICE
	[ $who = admin ] && dn=$ADMIN
	before=$(read_attr "$dn" msPKIAccountCredentials | sort | md5sum)
	for kind in poc hash oversize lying; do
		f=$work/$who-$kind.ldif
		ldif_add "$dn" msPKIAccountCredentials "$(value $kind "$dn")" > "$f"
		chmod 644 "$f"
		for how in krb5 ntlm; do
			out=$(write $who $how "$f" 2>&1)
			rc=$?
			check_match "$kind token refused for $who over $how" \
				"LDAP_CONSTRAINT_VIOLATION.*credroam_guard: refused on $dn: msPKIAccountCredentials value 1: .*${reason[$kind]}" \
				"rc=$rc $out"
		done
	done
	check_eq "nothing was written to $who's object" "$before" \
		"$(read_attr "$dn" msPKIAccountCredentials | sort | md5sum)"
done

# By OID, in lower case, and as a master key, the PoC is refused too.
f=$work/oid.ldif
ldif_add "$ALICE" 1.2.840.113556.1.4.1893 "$(value poc "$ALICE")" > "$f"
chmod 644 "$f"
check_match "the PoC is refused when named by OID (msPKIDPAPIMasterKeys)" \
	"credroam_guard: refused on $ALICE: msPKIDPAPIMasterKeys value 1" \
	"$(write alice krb5 "$f" 2>&1)"
f=$work/foreign.ldif
ldif_add "$ALICE" mspkiaccountcredentials "$(value good-foreign "$ADMIN")" > "$f"
chmod 644 "$f"
check_match "a token naming another object is refused" \
	"DN part 'CN=Administrator,CN=Users,$DOMAIN_BASEDN' is not the object itself" \
	"$(write admin ntlm "$f" 2>&1)"

# --- valid tokens pass; the timestamp moves -----------------------------
ts0=$(ts_hex "$ALICE")
for who in alice admin; do
	for how in krb5 ntlm; do
		f=$work/good-$who-$how.ldif
		ldif_add "$ALICE" msPKIAccountCredentials \
			"$(value good-$who-$how "$ALICE")" > "$f"
		chmod 644 "$f"
		check_match "a valid token passes for $who over $how" \
			"Modified 1 records successfully" \
			"$(write $who $how "$f" 2>&1)"
		ts1=$(ts_hex "$ALICE")
		check_match "the guard set a 16-byte timestamp ($who, $how)" \
			'^[0-9a-f]{32}$' "$ts1"
		if [ -n "$ts0" ]; then
			check_eq "old bytes 8..15 moved to 0..7 ($who, $how)" \
				"${ts0:16:16}" "${ts1:0:16}"
		fi
		ts0=$ts1
	done
done
check_eq "alice holds the 4 valid tokens" 4 \
	"$(read_attr "$ALICE" msPKIAccountCredentials | grep -c .)"
now_ft=$(( ($(date +%s) + 11644473600) * 10000000 ))
ft=$(printf '%s' "${ts1:16:16}" | sed 's/../& /g' |
	awk '{for (i = NF; i >= 1; i--) printf "%s", $i}')
age=$(( (now_ft - 0x$ft) / 10000000 ))
check_match "the timestamp's FILETIME is now (age ${age}s)" '^-?[0-9]$|^[1-5][0-9]$' \
	"$age"
# a client that sets the timestamp keeps its own value
f=$work/own-ts.ldif
{
	ldif_add "$ALICE" msPKIAccountCredentials "$(value good-own "$ALICE")"
	printf -- '-\nreplace: msPKIRoamingTimeStamp\nmsPKIRoamingTimeStamp:: %s\n' \
		"$(printf '0123456789abcdef' | base64)"
} > "$f"
chmod 644 "$f"
write alice krb5 "$f" >/dev/null 2>&1
check_eq "a client's own timestamp is kept" \
	30313233343536373839616263646566 "$(ts_hex "$ALICE")"

# --- the log names the writer -------------------------------------------
sleep 0.5
alice_sid=$(LD_PRELOAD= wbinfo --name-to-sid "$DOMAIN_NAME\\alice" | cut -d' ' -f1)
logs=$(cat "$DOMAIN_DC_DIR"/log/log.* 2>/dev/null | grep 'credroam_guard: ')
check_match "the log names alice as the writer of her tokens" \
	"credroam_guard: modify of $ALICE by $DOMAIN_NAME\\\\alice \\($alice_sid\\) over LDAP: added \\[7\\\\[0-9A-F]{40}\\] removed \\[\\] counts [0-9]+/-, timestamp set by the guard: done" \
	"$logs"
check_match "the log names Administrator's refused attempts" \
	"credroam_guard: refused modify of $ADMIN by $DOMAIN_NAME\\\\Administrator \\(S-1-5-21-[0-9-]+-500\\) over LDAP: .*'\\.\\.' in identifier" \
	"$logs"

# --- everything else still works ----------------------------------------
check_match "samba-tool user create works" "User 'guarduser' added|created successfully" \
	"$(LD_PRELOAD= samba-tool user create guarduser "$DOMAIN_USER_PASSWORD" \
		-H "ldap://$DOMAIN_DC" -U "Administrator%$DOMAIN_ADMIN_PASSWORD" 2>&1)"
# locally on the DC's sam.ldb while it runs: the full stack, guard included
out=$(LD_PRELOAD= samba-tool dbcheck --cross-ncs -s "$DCCONF" \
	-H "$DOMAIN_DC_DIR/private/sam.ldb" 2>&1)
check_match "samba-tool dbcheck reports no errors" \
	'Checked [0-9]+ objects \(0 errors\)' "$out"

# --- samba-tool credroam guard ------------------------------------------
out=$("${GUARD[@]}" status -s "$DCCONF" 2>&1)
check_match "guard status: enabled, module works, DC running" \
	"credroam_guard: enabled.*module file: $LDBDIR/credroam_guard.so: present.*module: works.*DC: .*running samba" \
	"$(echo $out)"
check_fails "guard disable refuses while the DC runs" \
	"${GUARD[@]}" disable -s "$DCCONF"
check_match "the refusal says why" "the DC is running" \
	"$("${GUARD[@]}" disable -s "$DCCONF" 2>&1)"

dc-ctl stop
out=$("${GUARD[@]}" disable -s "$DCCONF" 2>&1)
check_match "guard disable takes the module off @LIST" \
	"@LIST: credroam_guard,samba_dsdb -> samba_dsdb" "$out"
check_match "guard disable backs up @MODULES" \
	"backup of @MODULES: $DOMAIN_DC_DIR/private/sam.ldb.@MODULES\..*\.ldif" \
	"$out"
backup=$(ls "$DOMAIN_DC_DIR"/private/sam.ldb.@MODULES.*.ldif | tail -n 1)
check_match "the backup holds the old @LIST" "@LIST: credroam_guard,samba_dsdb" \
	"$(cat "$backup")"
check_match "guard status: disabled" "credroam_guard: disabled.*DC: stopped" \
	"$(echo $("${GUARD[@]}" status -s "$DCCONF" 2>&1))"

check "the unguarded DC starts" dc-ctl start
f=$work/alice-poc.ldif
check_match "the unguarded DC accepts the PoC: the refusals were the guard's" \
	"Modified 1 records successfully" "$(write alice ntlm "$f" 2>&1)"

# The same module on the client's own connection refuses before sending.
f=$work/client.ldif
ldif_add "$ALICE" msPKIAccountCredentials "$(value hash "$ALICE")" > "$f"
before=$(read_attr "$ALICE" msPKIAccountCredentials | grep -c .)
out=$(LD_PRELOAD= ldbmodify -H "ldap://$DOMAIN_DC" --use-kerberos=off \
	-U "$DOMAIN_NAME\\alice%$DOMAIN_USER_PASSWORD" \
	-o modules:credroam_guard "$f" 2>&1)
check_match "the client-side guard (-o modules:credroam_guard) refuses" \
	"credroam_guard: refused on $ALICE: .*stored SHA-1 does not match" "$out"
check_eq "and nothing reached the DC" "$before" \
	"$(read_attr "$ALICE" msPKIAccountCredentials | grep -c .)"

# With the module file gone the DC still starts (it is off @LIST), and
# enable refuses to name a module that does not load.
dc-ctl stop
rm -f "$LDBDIR/credroam_guard.so"
out=$("${GUARD[@]}" enable -s "$DCCONF" 2>&1)
check_match "guard enable refuses while the module does not load" \
	"does not work on this host.*@MODULES left as it is" "$(echo $out)"
check_eq "@LIST is unchanged" samba_dsdb \
	"$(LD_PRELOAD= ldbsearch -H "tdb://$DOMAIN_DC_DIR/private/sam.ldb" \
		-o modules: -s base -b @MODULES @LIST | sed -n 's/^@LIST: //p')"
check "the DC starts without the module file" dc-ctl start
check_match "and answers LDAP" "dnsHostName: dc1" \
	"$(LD_PRELOAD= ldbsearch -H "ldap://$DOMAIN_DC" -s base -b '' dnsHostName 2>&1)"
finish
