#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Group Policy against the test DC, as `credroam policy --json` shows it to
# each user: GPOs made with samba-tool, Registry.pol files written by the
# project (cr_polwrite, policy_pol_update) and put on SYSVOL over SMB,
# linked at the site, the domain and OUs:
#
#   alice  CN=Users              site, domain; denied by security filtering
#   bob    OU=Roam               OU overrides domain; enforced domain link
#                                beats the OU; a disabled link
#   carol  OU=Sub,OU=Roam        a **del. entry; a user-settings-disabled GPO
#   dave   OU=Blocked (blocks)   blocked inheritance, enforced link still in
#
# then a version bump seen on the next run, an unchanged policy costing one
# LDAP search and no SMB read, a new link costing one more search, and
# credroam.conf's override.
. "$(dirname "$0")/testlib.sh"

work=$(mktemp -d); chmod 1777 "$work"
trap 'rm -rf "$work"' EXIT
POLW=$BIN/testprogs/tools/cr_polwrite
B=$DOMAIN_BASEDN
OU_ROAM="OU=Roam,$B"
OU_SUB="OU=Sub,$OU_ROAM"
OU_BLK="OU=Blocked,$B"
SITE="CN=Default-First-Site-Name,CN=Sites,CN=Configuration,$B"

ADMIN=$TOP/testprogs/tools/gpo_admin.py

# admin: gpo_admin.py's commands on stdin, its results as PASS/FAIL
admin() {
	local line
	while IFS= read -r line; do
		case "$line" in
		"ok "*) pass "admin: ${line#ok }" ;;
		"error "*) fail "admin: ${line#error }" ;;
		esac
	done < <(LD_PRELOAD= /usr/bin/python3 "$ADMIN" "$DOMAIN_DC" \
		"$DOMAIN_ADMIN_PASSWORD" 2>&1)
}

# policy USER [ARGS]: credroam --json policy as USER into $work/USER.json
policy() {
	local u=$1
	shift
	as-user "$u" "$CREDROAM" --json policy "$@" > "$work/$u.json" 2>&1
}
# j USER EXPR: a python expression over the JSON d (v: values by name,
# g: GPOs by name)
j() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
v = {x["name"]: x for x in d.get("values", [])}
g = {x["name"]: x for x in d.get("gpos", [])}
print(eval(sys.argv[2]))' "$work/$1.json" "$2" 2>&1
}

# --- the domain: OUs, users moved, GPOs --------------------------------
alice_sid=$(as-user alice "$ADPROBE" whoami | awk '{print $4}')
check_match "alice's SID" '^S-1-5-21-' "$alice_sid"
pol() {
	local name=$1
	shift
	"$POLW" "$work/$name.pol" "$@" && chmod 644 "$work/$name.pol"
}
check "Registry.pol for Roam Site" pol site \
	DIMSRoaming=0 RoamSmartCardCertificates=1
check "Registry.pol for Roam Domain" pol dom \
	DIMSRoaming=1 DIMSRoamingTombstoneDays=42
check "Registry.pol for Roam Filtered" pol sec RoamUnusedDpapiKeys=1
check "Registry.pol for Roam Enforced" pol enf DIMSRoamingMaxTokenSize=70000
check "Registry.pol for Roam OU" pol ou DIMSRoamingTombstoneDays=30 \
	DIMSRoamingMaxNumTokens=500 DIMSRoamingMaxTokenSize=50000
check "Registry.pol for Roam Disabled" pol dis DIMSRoaming=0
check "Registry.pol for Roam UserOff" pol usr DIMSRoamingTombstoneDays=7
check "Registry.pol for Roam Delete (**del.)" pol del \
	DIMSRoamingTombstoneDays=del
check "Registry.pol for Roam Blocked OU" pol blk RoamUnaffiliatedKeys=1
check "Registry.pol for Roam OU, version 2" pol ou2 \
	DIMSRoamingTombstoneDays=45 DIMSRoamingMaxNumTokens=500 \
	DIMSRoamingMaxTokenSize=50000

admin <<EOF
st ou add "$OU_ROAM"
st ou add "$OU_SUB"
st ou add "$OU_BLK"
st user move bob "$OU_ROAM"
st user move carol "$OU_SUB"
st user move dave "$OU_BLK"
st gpo setinheritance "$OU_BLK" block
create "Roam Site"
create "Roam Domain"
create "Roam Filtered"
create "Roam Enforced"
create "Roam OU"
create "Roam Disabled"
create "Roam UserOff"
create "Roam Delete"
create "Roam Blocked OU"
pol "Roam Site" 65536 $work/site.pol
pol "Roam Domain" 65536 $work/dom.pol
pol "Roam Filtered" 65536 $work/sec.pol
pol "Roam Enforced" 65536 $work/enf.pol
pol "Roam OU" 65536 $work/ou.pol
pol "Roam Disabled" 65536 $work/dis.pol
pol "Roam UserOff" 65536 $work/usr.pol
pol "Roam Delete" 65536 $work/del.pol
pol "Roam Blocked OU" 65536 $work/blk.pol
flags "Roam UserOff" 1
link "$SITE" "Roam Site"
link "$B" "Roam Domain"
link "$B" "Roam Filtered"
link "$B" "Roam Enforced" --enforce
link "$OU_ROAM" "Roam OU"
link "$OU_ROAM" "Roam Disabled" --disable
link "$OU_SUB" "Roam UserOff"
link "$OU_SUB" "Roam Delete"
link "$OU_BLK" "Roam Blocked OU"
deny-apply "Roam Filtered" $alice_sid
EOF

# --- alice: site, then domain; security filtering -----------------------
policy alice
check_eq "alice: credroam policy --json succeeds" 0 "$?"
check_eq "alice: roaming on" True "$(j alice 'd["roaming"]')"
check_eq "alice: the site is found" Default-First-Site-Name \
	"$(j alice 'd["site"]')"
check_eq "alice: the site GPO applies first" "Roam Site" \
	"$(j alice '[x["name"] for x in d["gpos"] if x["applied"]][0]')"
check_eq "alice: domain overrides site (DIMSRoaming 1 from Roam Domain)" \
	"1 Roam Domain" "$(j alice 'str(v["DIMSRoaming"]["value"]) + " " + v["DIMSRoaming"]["source"]')"
check_eq "alice: a site value the domain leaves alone stays" \
	"1 Roam Site" "$(j alice 'str(v["RoamSmartCardCertificates"]["value"]) + " " + v["RoamSmartCardCertificates"]["source"]')"
check_eq "alice: domain-only value (TombstoneDays 42)" "42 Roam Domain" \
	"$(j alice 'str(v["DIMSRoamingTombstoneDays"]["value"]) + " " + v["DIMSRoamingTombstoneDays"]["source"]')"
check_eq "alice: Roam Filtered is not applied" False \
	"$(j alice 'g["Roam Filtered"]["applied"]')"
check_match "alice: ... because Apply Group Policy is denied to her" \
	"security filtering: Apply Group Policy is denied to $alice_sid" \
	"$(j alice 'g["Roam Filtered"]["why"]')"
check_eq "alice: so RoamUnusedDpapiKeys keeps its default" "0 default" \
	"$(j alice 'str(v["RoamUnusedDpapiKeys"]["value"]) + " " + v["RoamUnusedDpapiKeys"]["source"]')"
check_eq "alice: the Default Domain Policy is empty for users" \
	"empty: no user settings (user version 0)" \
	"$(j alice 'g["Default Domain Policy"]["why"]')"
check_eq "alice: a cold run costs 2 LDAP searches and 3 SMB reads" "2 3" \
	"$(j alice 'str(d["ldap_searches"]) + " " + str(d["smb_reads"])')"
check_eq "alice: her groups come from winbind (her logon's), no search" \
	"winbind True" "$(j alice 'd["groups_from"] + " " + str(d["groups_from_cache"])')"
check_eq "alice: filtering sees her, her groups (Domain Users), Everyone and Authenticated Users" \
	True "$(j alice 'd["token_sids"] >= 4')"

# --- bob: OU over domain, enforced over OU, disabled link ---------------
policy bob
check_eq "bob: Roam Filtered applies to him" True \
	"$(j bob 'g["Roam Filtered"]["applied"]')"
check_eq "bob: RoamUnusedDpapiKeys 1 from Roam Filtered" "1 Roam Filtered" \
	"$(j bob 'str(v["RoamUnusedDpapiKeys"]["value"]) + " " + v["RoamUnusedDpapiKeys"]["source"]')"
check_eq "bob: OU overrides domain (TombstoneDays 30 from Roam OU)" \
	"30 Roam OU" "$(j bob 'str(v["DIMSRoamingTombstoneDays"]["value"]) + " " + v["DIMSRoamingTombstoneDays"]["source"]')"
check_eq "bob: enforced domain link beats the OU (MaxTokenSize 70000)" \
	"70000 Roam Enforced" "$(j bob 'str(v["DIMSRoamingMaxTokenSize"]["value"]) + " " + v["DIMSRoamingMaxTokenSize"]["source"]')"
check_eq "bob: the enforced GPO is applied last" "Roam Enforced" \
	"$(j bob '[x["name"] for x in d["gpos"] if x["applied"]][-1]')"
check_eq "bob: the disabled link is listed, not applied" \
	"False link disabled" "$(j bob 'str(g["Roam Disabled"]["applied"]) + " " + g["Roam Disabled"]["why"]')"
check_eq "bob: so DIMSRoaming stays 1 from Roam Domain" "1 Roam Domain" \
	"$(j bob 'str(v["DIMSRoaming"]["value"]) + " " + v["DIMSRoaming"]["source"]')"
check_eq "bob: application order" \
	"Roam Site,Roam Filtered,Roam Domain,Roam OU,Roam Enforced" \
	"$(j bob '",".join(x["name"] for x in d["gpos"] if x["applied"])')"

# --- carol: **del. and a user-settings-disabled GPO ----------------------
policy carol
check_eq "carol: Roam Delete's **del. removes TombstoneDays" \
	"60 False Roam Delete" "$(j carol 'str(v["DIMSRoamingTombstoneDays"]["value"]) + " " + str(v["DIMSRoamingTombstoneDays"]["set"]) + " " + str(v["DIMSRoamingTombstoneDays"]["deleted_by"])')"
check_eq "carol: Roam UserOff is skipped (flags 1)" \
	"False user settings disabled (flags 1)" \
	"$(j carol 'str(g["Roam UserOff"]["applied"]) + " " + g["Roam UserOff"]["why"]')"
check_eq "carol: OU=Roam's values still reach her" "500 Roam OU" \
	"$(j carol 'str(v["DIMSRoamingMaxNumTokens"]["value"]) + " " + v["DIMSRoamingMaxNumTokens"]["source"]')"

# --- dave: blocked inheritance, enforced still applies -------------------
policy dave
check_eq "dave: roaming off" False "$(j dave 'd["roaming"]')"
check_match "dave: ... and why" 'DIMSRoaming' "$(j dave 'd["reason_off"]')"
check_match "dave: Roam Domain is blocked at OU=Blocked" \
	"inheritance blocked at '$OU_BLK'" "$(j dave 'g["Roam Domain"]["why"]')"
check_match "dave: the site GPO is blocked too" "inheritance blocked" \
	"$(j dave 'g["Roam Site"]["why"]')"
check_eq "dave: the enforced link still applies (MaxTokenSize 70000)" \
	"70000 Roam Enforced" "$(j dave 'str(v["DIMSRoamingMaxTokenSize"]["value"]) + " " + v["DIMSRoamingMaxTokenSize"]["source"]')"
check_eq "dave: his own OU's GPO applies" "1 Roam Blocked OU" \
	"$(j dave 'str(v["RoamUnaffiliatedKeys"]["value"]) + " " + v["RoamUnaffiliatedKeys"]["source"]')"
out=$(as-user dave "$CREDROAM" policy 2>&1)
check_match "dave: text output says roaming is off and why" \
	'^Roaming: off: .*DIMSRoaming' "$out"
check_match "dave: text output lists the blocked GPO" \
	'skipped +Roam Domain .*inheritance blocked' "$out"

# --- caching: unchanged, changed, newly linked ----------------------------
policy bob
check_eq "bob unchanged: 1 LDAP search, 0 SMB reads, from the cache" \
	"1 0 True True" "$(j bob 'str(d["ldap_searches"]) + " " + str(d["smb_reads"]) + " " + str(d["from_cache"]) + " " + str(d["groups_from_cache"])')"
# an admin changes Roam OU: TombstoneDays 45, user version 2
admin <<EOF
find "Roam OU"
pol "Roam OU" 131072 $work/ou2.pol
EOF
policy bob
check_eq "bob sees the change on the next run" "45 Roam OU" \
	"$(j bob 'str(v["DIMSRoamingTombstoneDays"]["value"]) + " " + v["DIMSRoamingTombstoneDays"]["source"]')"
check_eq "... for 1 LDAP search and 1 SMB read" "1 1" \
	"$(j bob 'str(d["ldap_searches"]) + " " + str(d["smb_reads"])')"
policy bob
check_eq "bob unchanged again: 1 LDAP search, 0 SMB reads" "1 0" \
	"$(j bob 'str(d["ldap_searches"]) + " " + str(d["smb_reads"])')"
admin <<EOF
find "Roam Blocked OU"
link "$OU_ROAM" "Roam Blocked OU"
EOF
policy bob
check_eq "bob gets the newly linked GPO" "1 Roam Blocked OU" \
	"$(j bob 'str(v["RoamUnaffiliatedKeys"]["value"]) + " " + v["RoamUnaffiliatedKeys"]["source"]')"
check_eq "... for one more search (its object) and one SMB read" "2 1" \
	"$(j bob 'str(d["ldap_searches"]) + " " + str(d["smb_reads"])')"
policy bob --no-cache
check_eq "without the cache: 2 searches, 6 SMB reads, same result" \
	"2 6 45" "$(j bob 'str(d["ldap_searches"]) + " " + str(d["smb_reads"]) + " " + str(v["DIMSRoamingTombstoneDays"]["value"])')"

# --- credroam.conf --------------------------------------------------------
printf '[policy]\nroaming = yes\noverride = yes\n' > "$work/override.conf"
chmod 644 "$work/override.conf"
policy dave --conf "$work/override.conf"
check_eq "credroam.conf override turns roaming on for dave" \
	"True credroam.conf" "$(j dave 'str(d["roaming"]) + " " + v["DIMSRoaming"]["source"]')"
printf '[policy]\nroaming = no\n' > "$work/plain.conf"
chmod 644 "$work/plain.conf"
policy alice --conf "$work/plain.conf"
check_eq "without override the GPO wins over credroam.conf" \
	"True Roam Domain" "$(j alice 'str(d["roaming"]) + " " + v["DIMSRoaming"]["source"]')"
finish
