#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# samba-tool credroam against the test DC, through the built samba-tool
# wrapper: list/show/stats on alice's tokens agree with ldbsearch; purge
# --tombstones, --token and --malformed delete exactly those values (and
# move the timestamp), --dry-run nothing; Kerberos works as NTLM does;
# policy set/show round-trip through a GPO's Registry.pol (read back with
# Samba's own preg parser), the GPO version and CSE list move, and
# `samba-tool gpo` still reads the GPO; the wrapper is samba-tool for
# everything else.
. "$(dirname "$0")/testlib.sh"

ST=$BIN/source/python/samba-tool
STOCK=/usr/bin/samba-tool
work=$(mktemp -d); chmod 1777 "$work"
trap 'rm -rf "$work"' EXIT
export LD_PRELOAD=
DN=$(user_dn alice)
TD=$CREDROAM_TESTDATA/dsinternals
ADMIN=(-H "ldap://$DOMAIN_DC" -U "Administrator%$DOMAIN_ADMIN_PASSWORD")
PY() { PYTHONPATH=$BIN/source/python /usr/bin/python3 "$@"; }
st() { "$ST" credroam "$@" "${ADMIN[@]}"; }
alice() { as-user alice "$@"; }

# helper.py: reads ldbsearch's LDIF and decodes values with the extension
cat > "$work/helper.py" <<'EOF'
import base64, json, sys
from credroam import _credroam as c

def ldif_values(path, attr):
    """Values of attr in an LDIF file (continuation lines unfolded)."""
    lines = []
    for line in open(path).read().split("\n"):
        if line.startswith(" ") and lines:
            lines[-1] += line[1:]
        else:
            lines.append(line)
    out = []
    for line in lines:
        name, sep, rest = line.partition(":")
        if not sep or name.lower() != attr.lower():
            continue
        if rest.startswith(":"):
            out.append(base64.b64decode(rest[1:].strip()))
        else:
            out.append(rest.strip().encode())
    return out

def state(v):
    try:
        t = c.Token(v)
    except c.Error:
        return "malformed"
    if t.problem:
        return "refused"
    return "tombstone" if t.tombstone else "live"

def describe(v):
    try:
        return c.Token(v).identity + " " + state(v)
    except c.Error as e:
        return "malformed " + e.args[2]

cmd = sys.argv[1]
if cmd == "values":           # LDIF ATTR: one value per line
    for v in ldif_values(sys.argv[2], sys.argv[3]):
        print(v.decode())
elif cmd == "describe":       # LDIF: "<identity> <state>" of every value
    vals = [v for a in (c.ATTR_CREDENTIALS, c.ATTR_MASTERKEYS)
            for v in ldif_values(sys.argv[2], a)]
    for d in sorted(describe(v) for v in vals):
        print(d)
elif cmd == "json-describe":  # list --json output: the same lines
    d = json.load(open(sys.argv[2]))
    out = []
    for t in d["tokens"]:
        if t["malformed"]:
            out.append("malformed " + t["refusal"]["problem"])
        else:
            out.append(t["identity"] + " " + t["state"])
    for line in sorted(out):
        print(line)
elif cmd == "tombstone":      # VALUE: the tombstone of a DN-Binary value
    t = c.Token(sys.argv[2])
    print(t.to_tombstone().dnbinary())
elif cmd == "traversal":      # VALUE: the same token named ..\..\x.bat
    t = c.Token(sys.argv[2])
    raw = bytearray(t.raw)
    bad = b"..\\..\\Startup\\x.bat"
    raw[3:96] = bad + b"\0" * (93 - len(bad))
    # a plain DN-Binary of the patched bytes
    print("B:%d:%s:%s" % (2 * len(raw), bytes(raw).hex().upper(), t.dn))
elif cmd == "json":           # FILE EXPR: evaluate EXPR over the JSON d
    d = json.load(open(sys.argv[2]))
    print(eval(sys.argv[3]))
elif cmd == "timestamp":      # LDIF: msPKIRoamingTimeStamp as hex
    v = ldif_values(sys.argv[2], c.ATTR_TIMESTAMP)
    print(v[0].hex().upper() if v else "absent")
EOF
chmod 644 "$work/helper.py"
H() { PY "$work/helper.py" "$@"; }
# snapshot NAME [USER]: ldbsearch of USER's roaming attributes to NAME.ldif
snapshot() {
	admin_ldb ldbsearch -b "$(user_dn "${2:-alice}")" -s base \
		msPKIAccountCredentials msPKIDPAPIMasterKeys \
		msPKIRoamingTimeStamp uSNChanged > "$work/$1.ldif" 2>/dev/null
}
jq_() { H json "$work/$1.json" "$2" 2>&1; }
elapsed() { /usr/bin/python3 -c 'import sys; print("%.2f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$1" "$2"; }

# --- alice gets tokens of every kind --------------------------------------
for f in capi-rsa-key cng-certificate cng-rsa-key unreadable-cng-key; do
	cp "$TD/$f.token" "$work/$f.token"
	chmod 644 "$work/$f.token"
	check_eq "alice adds $f" msPKIAccountCredentials \
		"$(alice "$ADPROBE" put "$work/$f.token" 2>&1)"
done
mkv=$("$ADPROBE" mkvalues "$DN" 0 1 64 mk)
check "alice adds a master key" alice "$ADPROBE" change mkeys - "$mkv"
t1=$(H tombstone "$("$ADPROBE" mkvalues "$DN" 7 1 64 gone1)")
t2=$(H tombstone "$("$ADPROBE" mkvalues "$DN" 9 1 64 gone2)")
bad="B:8:DEADBEEF:$DN"
trav=$(H traversal "$("$ADPROBE" mkvalues "$DN" 3 1 64 trav)")
{
	printf 'dn: %s\nchangetype: modify\nadd: msPKIAccountCredentials\n' "$DN"
	for v in "$t1" "$t2" "$bad" "$trav"; do
		printf 'msPKIAccountCredentials: %s\n' "$v"
	done
} > "$work/more.ldif"
check_match "Administrator adds 2 tombstones, a malformed and a refused value" \
	'Modified 1 records' "$(admin_ldb ldbmodify "$work/more.ldif" 2>&1)"
bobv=$("$ADPROBE" mkvalues "$(user_dn bob)" 7 3 100 bob)
{
	printf 'dn: %s\nchangetype: modify\nadd: msPKIAccountCredentials\n' \
		"$(user_dn bob)"
	printf '%s\n' "$bobv" | sed 's/^/msPKIAccountCredentials: /'
} > "$work/bob.ldif"
check_match "Administrator gives bob 3 tokens" 'Modified 1 records' \
	"$(admin_ldb ldbmodify "$work/bob.ldif" 2>&1)"

# --- list -------------------------------------------------------------------
snapshot before
st list alice --json > "$work/list.json" 2>"$work/err"
check_eq "list --json exits 0" 0 "$?"
check_eq "list: 9 values as ldbsearch has them" \
	"$(( $(H values "$work/before.ldif" msPKIAccountCredentials | wc -l) + \
	    $(H values "$work/before.ldif" msPKIDPAPIMasterKeys | wc -l) ))" \
	"$(jq_ list 'len(d["tokens"])')"
check_eq "list: every value, identity and state, as in ldbsearch" \
	"$(H describe "$work/before.ldif")" \
	"$(H json-describe "$work/list.json")"
check_eq "list: summary" "9 5 2 1 1 1" \
	"$(jq_ list '" ".join(str(d["summary"][k]) for k in ("values", "live", "tombstones", "refused", "malformed", "master_keys"))')"
out=$(st list alice 2>&1)
check_match "list (text) shows the CNG certificate" \
	'^#[0-9]+ +7 CNGCertificate +3B83BFA7037F6A79B3F3D17D229E1BC097F35B51 +2017-03-13T08:58:31Z 0x0000 +2338 live' "$out"
check_match "list (text) shows the malformed value" \
	'MALFORMED: .*header-truncated' "$out"
check_match "list (text) flags the traversal identifier" \
	'refused \(id-(dotdot|slash)\)' "$out"
check_match "list (text) escapes the identifier" '\.\.\\\\\.\.\\\\Startup' "$out"

# --- show -------------------------------------------------------------------
out=$(st show alice '7\3B83BFA7037F6A79B3F3D17D229E1BC097F35B51' 2>&1)
check_match "show: certificate subject" \
	'subject +EMAIL=admin@adatum.com,CN=Administrator,CN=Users,DC=Adatum,DC=com' "$out"
check_match "show: issuer" 'issuer +CN=AdatumCA,DC=Adatum,DC=com' "$out"
check_match "show: expiry" 'not after +2018-03-13T08:48:31Z' "$out"
check_match "show: thumbprint" \
	'thumbprint +3B83BFA7037F6A79B3F3D17D229E1BC097F35B51' "$out"
check_match "show: header" 'sha1 +E76B79D2C7A156F99355453C46F2B18AF34F3692 \(valid\)' "$out"
st show alice 3B83BFA7037F6A79B3F3D17D229E1BC097F35B51 --json \
	> "$work/show.json" 2>&1
"$CREDROAM" --json token decode "$work/cng-certificate.token" \
	> "$work/decode.json" 2>&1
check_eq "show --json agrees with credroam token decode" \
	"$(jq_ decode '[d[k] for k in ("type", "identifier", "filetime", "flags", "data_length", "sha1", "sha1_valid")]')" \
	"$(jq_ show '[d[k] for k in ("type", "identifier", "filetime", "flags", "data_length", "sha1", "sha1_valid")]')"
n=$(jq_ list '[t["index"] for t in d["tokens"] if t["state"] == "refused"][0]')
out=$(st show alice "#$n" 2>&1)
check_match "show #N of the refused token names the problem" \
	'problem +id-(dotdot|slash): .*refused' "$out"
st show alice "#$n" --json > "$work/refused.json" 2>&1
check_match "show --json: the refusal object (problem, message)" \
	"^id-(dotdot|slash) .*refused" \
	"$(jq_ refused 'd["refusal"]["problem"] + " " + d["refusal"]["message"]')"
check_eq "list --json: a live token carries refusal null" None \
	"$(jq_ list '[t["refusal"] for t in d["tokens"] if t["state"] == "live"][0]')"
check_eq "list --json: the malformed value's refusal names the problem" \
	header-truncated \
	"$(jq_ list '[t["refusal"]["problem"] for t in d["tokens"] if t["malformed"]][0]')"
check_fails "show of a token alice does not have fails" \
	st show alice '7\0000000000000000000000000000000000000000'
check_fails "show of a user that does not exist fails" \
	st show nosuchuser '#1'

# --- Kerberos -------------------------------------------------------------
printf '%s\n' "$DOMAIN_ADMIN_PASSWORD" | kinit Administrator >/dev/null 2>&1
"$ST" credroam list alice --json -H "ldap://$DOMAIN_DC" \
	--use-kerberos=required > "$work/krb.json" 2>&1
check_eq "list over Kerberos (Administrator) sees the same" \
	"$(H json-describe "$work/list.json")" \
	"$(H json-describe "$work/krb.json")"
kdestroy >/dev/null 2>&1
alice env LD_PRELOAD= "$ST" credroam list alice --json \
	-H "ldap://$DOMAIN_DC" --use-kerberos=required > "$work/self.json" 2>&1
check_eq "alice lists her own tokens with her ticket" \
	"$(H json-describe "$work/list.json")" \
	"$(H json-describe "$work/self.json")"

# --- stats ------------------------------------------------------------------
st stats --json > "$work/stats.json" 2>&1
check_eq "stats: alice and bob, nobody else" "['alice', 'bob']" \
	"$(jq_ stats '[r["user"] for r in d["users"]]')"
check_eq "stats: alice's counts match list" \
	"$(jq_ list '[d["summary"][k] for k in ("values", "live", "tombstones", "malformed", "bytes")]')" \
	"$(jq_ stats '[[r[k] for k in ("values", "live", "tombstones", "malformed", "bytes")] for r in d["users"] if r["user"] == "alice"][0]')"
check_eq "stats: totals" "12 8" \
	"$(jq_ stats 'str(d["totals"]["values"]) + " " + str(d["totals"]["live"])')"
check_eq "stats: policy default limits" "2000 65535" \
	"$(jq_ stats 'str(d["limits"]["max_tokens"]) + " " + str(d["limits"]["max_token_size"])')"
check_eq "stats: only alice is flagged (bad values)" "['alice']" \
	"$(jq_ stats 'd["near_limits"]')"
st stats alice bob --max-tokens 5 --max-token-size 2300 --json \
	> "$work/stats2.json" 2>&1
check_match "stats --max-tokens 5: alice at the token limit (1008)" \
	'5 live tokens, the maximum is 5.*1008' \
	"$(jq_ stats2 '[r["warnings"] for r in d["users"] if r["user"] == "alice"][0]')"
check_match "stats --max-tokens 5: alice's 9 values near twice the limit" \
	'9 values of at most 10' \
	"$(jq_ stats2 '[r["warnings"] for r in d["users"] if r["user"] == "alice"][0]')"
check_match "stats --max-token-size 2300: the certificate is over (1011)" \
	'3B83BFA7037F6A79B3F3D17D229E1BC097F35B51 is 2338 bytes, over the maximum 2300 \(1011\)' \
	"$(jq_ stats2 '[r["warnings"] for r in d["users"] if r["user"] == "alice"][0]')"
check_eq "stats --max-tokens 5: bob's 3 of 5 are below 80%" "[]" \
	"$(jq_ stats2 '[r["warnings"] for r in d["users"] if r["user"] == "bob"][0]')"
out=$(st stats 2>&1)
check_match "stats (text) has a row per user" '^bob +3 +3 +0' "$out"

# --- purge ------------------------------------------------------------------
check_fails "purge without a mode is refused" st purge alice
check_fails "purge with two modes is refused" st purge alice --all --tombstones
usn=$(sed -n 's/^uSNChanged: //p' "$work/before.ldif")
out=$(st purge alice --tombstones --dry-run 2>&1)
check_eq "purge --dry-run names 2 values" 2 "$(printf '%s\n' "$out" | grep -c '^would delete')"
snapshot dry
check_eq "purge --dry-run writes nothing (uSNChanged)" "$usn" \
	"$(sed -n 's/^uSNChanged: //p' "$work/dry.ldif")"

ts0=$(H timestamp "$work/before.ldif")
check "purge --tombstones" st purge alice --tombstones
snapshot t
check_eq "purge --tombstones removed exactly the tombstones" \
	"$(H describe "$work/before.ldif" | grep -v ' tombstone$')" \
	"$(H describe "$work/t.ldif")"
check_eq "... and kept every other value byte for byte" \
	"$(H values "$work/before.ldif" msPKIAccountCredentials | sort | grep -vxF -e "$t1" -e "$t2")" \
	"$(H values "$work/t.ldif" msPKIAccountCredentials | sort)"
ts1=$(H timestamp "$work/t.ldif")
check_match "purge set msPKIRoamingTimeStamp" '^[0-9A-F]{32}$' "$ts1"
check_fails "... to a new value" test "$ts0" = "$ts1"

check "purge --token 9\\B6AF..." \
	st purge alice --token '9\B6AF1EF9D302A7332208091CC8C1EFF836F60620'
snapshot k
check_eq "purge --token removed exactly that value" \
	"$(H describe "$work/t.ldif" | grep -v '^9\\B6AF1EF9D302A7332208091CC8C1EFF836F60620 ')" \
	"$(H describe "$work/k.ldif")"
ts2=$(H timestamp "$work/k.ldif")
check_eq "the timestamp's first half is the previous change time" \
	"${ts1:16:16}" "${ts2:0:16}"

check "purge --malformed" st purge alice --malformed
snapshot m
check_eq "purge --malformed removed only the malformed value" \
	"$(H describe "$work/k.ldif" | grep -v '^malformed')" \
	"$(H describe "$work/m.ldif")"
check_fails "purge --token of a token that is gone fails" \
	st purge alice --token '9\B6AF1EF9D302A7332208091CC8C1EFF836F60620'
check "purge --all for bob" st purge bob --all
snapshot b bob
check_eq "bob has no values left" "" "$(H describe "$work/b.ldif")"
st stats --json > "$work/stats3.json" 2>&1
check_eq "stats now sees only alice" "['alice']" \
	"$(jq_ stats3 '[r["user"] for r in d["users"]]')"

# --- policy -----------------------------------------------------------------
out=$("$ST" gpo create "Credroam Test" "${ADMIN[@]}" 2>&1)
guid=$(printf '%s' "$out" | grep -o '{[0-9A-F-]*}' | head -n 1)
check_match "samba-tool gpo create (through the wrapper)" '^\{[0-9A-F-]{36}\}$' "$guid"
guid_re=${guid//\{/\\\{}
guid_re=${guid_re//\}/\\\}}
st policy show "$guid" --json > "$work/p0.json" 2>&1
check_eq "a new GPO has no Registry.pol and roaming off" "False False 0" \
	"$(jq_ p0 '" ".join(str(x) for x in (d["file_present"], d["roaming_on"], d["user_version"]))')"
check "policy set" st policy set "$guid" --roaming on --tombstone-days 30 \
	--max-tokens 500 --max-token-size 40000 --value AEPolicy=7
st policy show "Credroam Test" --json > "$work/p1.json" 2>&1
check_eq "policy show reads back what was set" \
	"{'DIMSRoaming': 1, 'DIMSRoamingTombstoneDays': 30, 'DIMSRoamingMaxNumTokens': 500, 'DIMSRoamingMaxTokenSize': 40000, 'AEPolicy': 7}" \
	"$(jq_ p1 'dict((v["name"], v["value"]) for v in d["values"] if v["set"])')"
check_eq "roaming is on, user version 1" "True 1" \
	"$(jq_ p1 '" ".join(str(x) for x in (d["roaming_on"], d["user_version"]))')"
check_eq "the Registry CSE is listed" True "$(jq_ p1 'd["registry_cse_listed"]')"
out=$(st policy show 2>&1)
check_match "policy show without GPO finds it" "$guid_re Credroam Test" "$out"

# an independent reading: samba-tool gpo fetch + Samba's preg parser
rm -rf "$work/fetch"; mkdir "$work/fetch"
"$ST" gpo fetch "$guid" --tmpdir="$work/fetch" "${ADMIN[@]}" >/dev/null 2>&1
gdir=$work/fetch/policy/$guid
check_eq "GPT.INI Version is 65536 (user part 1)" "Version=65536" \
	"$(grep -io 'Version=[0-9]*' "$gdir/GPT.INI")"
check_eq "Samba's preg parser reads the values" \
	"AEPolicy=7 DIMSRoaming=1 DIMSRoamingMaxNumTokens=500 DIMSRoamingMaxTokenSize=40000 DIMSRoamingTombstoneDays=30" \
	"$(/usr/bin/python3 -c '
import sys
from samba.dcerpc import preg
from samba.ndr import ndr_unpack
f = ndr_unpack(preg.file, open(sys.argv[1], "rb").read())
print(" ".join(sorted("%s=%d" % (e.valuename, e.data) for e in f.entries
    if e.keyname == "Software\\Policies\\Microsoft\\Cryptography\\AutoEnrollment")))
' "$gdir/User/Registry.pol" 2>&1)"
admin_ldb ldbsearch -b "CN=$guid,CN=Policies,CN=System,$DOMAIN_BASEDN" \
	-s base versionNumber gPCUserExtensionNames > "$work/gpo.ldif" 2>&1
check_eq "AD versionNumber is 65536" 65536 \
	"$(H values "$work/gpo.ldif" versionNumber)"
check_eq "gPCUserExtensionNames lists the Registry CSE" \
	'[{35378EAC-683F-11D2-A89A-0080C7B39F79}{D02B1F73-3407-48AE-BA88-E8213C6761F1}]' \
	"$(H values "$work/gpo.ldif" gPCUserExtensionNames)"

check "policy set --max-tokens unset" st policy set "$guid" --max-tokens unset
st policy show "$guid" --json > "$work/p2.json" 2>&1
check_eq "the value is gone, the others stay, user version 2" \
	"['AEPolicy', 'DIMSRoaming', 'DIMSRoamingMaxTokenSize', 'DIMSRoamingTombstoneDays'] 2" \
	"$(jq_ p2 'str(sorted(v["name"] for v in d["values"] if v["set"])) + " " + str(d["user_version"])')"
check_fails "policy set --max-tokens 0 is refused" \
	st policy set "$guid" --max-tokens 0
out=$(st policy set "$guid" --roaming on 2>&1)
check_match "setting what is already there changes nothing" 'nothing changed' "$out"
st policy show "$guid" --json > "$work/p3.json" 2>&1
check_eq "... and the version stays" 2 "$(jq_ p3 'd["user_version"]')"
check_fails "policy set on a GPO that does not exist fails" \
	st policy set "No Such GPO" --roaming on
# -N: like stock `samba-tool gpo fetch`, the SMB connection would prompt
# for a password on stdout otherwise, even with a ticket
printf '%s\n' "$DOMAIN_ADMIN_PASSWORD" | kinit Administrator >/dev/null 2>&1
"$ST" credroam policy show "$guid" --json -H "ldap://$DOMAIN_DC" \
	--use-kerberos=required -N > "$work/pk.json" 2>&1
kdestroy >/dev/null 2>&1
check_eq "policy show over Kerberos (LDAP and SMB) reads the same" \
	"$(jq_ p3 'd["values"]')" "$(jq_ pk 'd["values"]')"

out=$("$STOCK" gpo listall "${ADMIN[@]}" 2>&1)
check_match "stock samba-tool gpo listall still lists the GPO" "GPO +: $guid_re" "$out"
out=$("$STOCK" gpo show "$guid" "${ADMIN[@]}" 2>&1)
check_match "stock samba-tool gpo show reads it, version 131072" \
	'version +: 131072' "$out"

# --- the wrapper is samba-tool ------------------------------------------
check_eq "samba-tool --help: stock plus one credroam line" \
	"$("$STOCK" --help 2>&1 | grep -v '^  credroam ')" \
	"$("$ST" --help 2>&1 | grep -v '^  credroam ')"
check_match "samba-tool --help lists credroam" '^  credroam +- ' \
	"$("$ST" --help 2>&1)"
check_eq "samba-tool user list: same output as stock" \
	"$("$STOCK" user list "${ADMIN[@]}" 2>&1 | sort)" \
	"$("$ST" user list "${ADMIN[@]}" 2>&1 | sort)"
"$STOCK" user frobnicate >/dev/null 2>&1; rc_stock=$?
"$ST" user frobnicate >/dev/null 2>&1; rc_ours=$?
check_eq "an unknown subcommand exits as stock does" "$rc_stock" "$rc_ours"
"$STOCK" user show nosuchuser "${ADMIN[@]}" >/dev/null 2>&1; rc_stock=$?
"$ST" user show nosuchuser "${ADMIN[@]}" >/dev/null 2>&1; rc_ours=$?
check_eq "a failing stock command exits as stock does" "$rc_stock" "$rc_ours"

# --- on the DC: sam.ldb itself, as samba-tool on a DC without -H ----------
DCCONF=(-s "$DOMAIN_DC_DIR/etc/smb.conf")
st list alice --json > "$work/ldap.json" 2>&1
"$ST" credroam list alice --json "${DCCONF[@]}" > "$work/dc.json" 2>&1
check_eq "list on the DC's sam.ldb sees what LDAP sees" \
	"$(H json-describe "$work/ldap.json")" "$(H json-describe "$work/dc.json")"
mkid=$(jq_ dc '[t["identity"] for t in d["tokens"] if t.get("type") == 0][0]')
snapshot d0
check "purge --token on the DC's sam.ldb" \
	"$ST" credroam purge alice --token "$mkid" "${DCCONF[@]}"
snapshot d1
check_eq "... removed exactly the master key (seen over LDAP)" \
	"$(H describe "$work/d0.ldif" | grep -vF "$mkid ")" \
	"$(H describe "$work/d1.ldif")"
check_eq "... and moved the timestamp" "$(H timestamp "$work/d0.ldif" | cut -c17-32)" \
	"$(H timestamp "$work/d1.ldif" | cut -c1-16)"

# --- 2000 tokens: measured ------------------------------------------------
{
	printf 'dn: %s\nchangetype: modify\nadd: msPKIAccountCredentials\n' \
		"$(user_dn carol)"
	"$ADPROBE" mkvalues "$(user_dn carol)" 7 2000 32 bulk |
		sed 's/^/msPKIAccountCredentials: /'
} > "$work/bulk.ldif"
check_match "Administrator gives carol 2000 tokens" 'Modified 1 records' \
	"$(admin_ldb ldbmodify "$work/bulk.ldif" 2>&1)"
start=$(date +%s.%N)
st list carol --json > "$work/carol.json" 2>&1
end=$(date +%s.%N)
check_eq "list reads all 2000" 2000 "$(jq_ carol 'd["summary"]["live"]')"
echo "# measured: list of 2000 tokens: $(elapsed "$start" "$end") s"
start=$(date +%s.%N)
st purge carol --all > /dev/null 2>&1
end=$(date +%s.%N)
snapshot c carol
check_eq "purge --all of 2000 values leaves none" "" "$(H describe "$work/c.ldif")"
echo "# measured: purge --all of 2000 tokens: $(elapsed "$start" "$end") s"
finish
