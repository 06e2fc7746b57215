#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# with-domain: --dcs 2 --rodc --members 2
# long: edits at two DCs with replication paused, then settling
#
# Issue 20's convergence: alice's machine mem1 talks to dc1, mem2 to dc2;
# both change tokens between replications, each through its own DC (both
# delete the same certificate: linked-value replication keeps both
# tombstones).  Once replication settles every machine holds the same set,
# both DCs the same values and one value per identity (the older copy of
# a duplicate is removed by the run that sees it, the same copy on every
# machine), and a settled run writes nothing and takes the fast path.
# CREDROAM_CONVERGE_LOG=FILE logs every run's actions, both stores and
# what each DC holds, step by step.
. "$(dirname "$0")/testlib.sh"

work=$(mktemp -d -p "$DOMAIN_WORKDIR"); chmod 1777 "$work"
trap 'rm -rf "$work"' EXIT
echo "$DOMAIN_USER_PASSWORD" > "$work/pw"
printf '[policy]\nroaming = yes\n' > "$work/conf"
chmod 644 "$work/pw" "$work/conf"
A="Administrator%$DOMAIN_ADMIN_PASSWORD"
store_a="$DOMAIN_WORKDIR/mem1/home/alice/.local/share/credroam"
store_b="$DOMAIN_WORKDIR/mem2/home/alice/.local/share/credroam"
on_a() { as-user alice "$@"; }
on_b() { on-member mem2 as-user alice "$@"; }
LOG=${CREDROAM_CONVERGE_LOG:-}
step=0
dump() {
	local who=$1 store=$2 json=$3
	step=$((step + 1))
	[ -n "$LOG" ] || return 0
	{
		echo "=== $step $who $(date +%T.%N)"
		echo "$json" | /usr/bin/python3 -c "import json,sys
try:
    d=json.loads(sys.stdin.read())
except Exception as e:
    print('nojson', e); sys.exit(0)
print('dc', d.get('dc'), 'fast', d.get('fast_path'), 'summary', d.get('summary'), 'mods', d.get('ldap_modifies'))
print('counts', d.get('counts'))
for a in d.get('actions') or []:
    print('  act', a)
for p in d.get('problems') or []:
    print('  prob', p)
"
		echo "  certs: $(ls "$store/certs" 2>/dev/null | tr '\n' ' ')"
		echo "  roaming: $(cd "$store/roaming" 2>/dev/null && find . -type f | sort | tr '\n' ' ')"
		for dc in dc1 dc2; do
			echo "  $dc: $(ad_ids "$dc") $(ad_ids "$dc" --digest)"
		done
	} >> "$LOG" 2>&1
}
sync_a() {
	local j
	j=$(on_a "$CREDROAM" sync --conf "$work/conf" --no-keyring --json \
		"$@" 2>&1)
	dump A "$store_a" "$j"
	echo "$j"
}
sync_b() {
	local j
	j=$(on_b "$CREDROAM" sync --conf "$work/conf" --no-keyring --json \
		"$@" 2>&1)
	dump B "$store_b" "$j"
	echo "$j"
}
jget() { /usr/bin/python3 -c "import json,sys
d=json.load(sys.stdin)
for k in sys.argv[1].split('.'):
    d=d[k] if not isinstance(d,list) else d[int(k)]
print(json.dumps(d) if isinstance(d,(dict,list,bool)) or d is None else d)" "$1"; }
# values, identities, live values of alice's tokens on one DC
# (--digest: one hash of the values)
ad_ids() {
	local dc=$1
	shift
	ldbsearch -H "ldap://$dc.$DOMAIN_DNSDOMAIN" -U "$A" \
		-b "$DOMAIN_BASEDN" "(sAMAccountName=alice)" \
		msPKIAccountCredentials msPKIDPAPIMasterKeys 2>/dev/null |
		/usr/bin/python3 "$(dirname "$0")/ad_identities.py" "$@"
}
# replication between the DCs paused (both ways) or resumed
replication() {
	local dc sign=+
	[ "$1" = on ] && sign=-
	for dc in $DOMAIN_DCS; do
		LD_PRELOAD= samba-tool drs options "$dc.$DOMAIN_DNSDOMAIN" \
			--dsa-option="${sign}DISABLE_INBOUND_REPL" \
			-U "$A" >/dev/null 2>&1 &&
		LD_PRELOAD= samba-tool drs options "$dc.$DOMAIN_DNSDOMAIN" \
			--dsa-option="${sign}DISABLE_OUTBOUND_REPL" \
			-U "$A" >/dev/null 2>&1 || return 1
	done
}
newcert() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/$1.key" \
		-out "$work/$1.crt" -subj "/CN=alice $1/O=ROAM" -days 30 \
		2>/dev/null
	chmod 644 "$work/$1.key" "$work/$1.crt"
	openssl x509 -in "$work/$1.crt" -noout -fingerprint -sha1 |
		sed 's/.*=//; s/://g'
}
import_on() {
	"$1" "$CREDROAM" import "$work/$2.crt" "$work/$2.key" \
		--password-file "$work/pw" --conf "$work/conf" --no-keyring
}
certs_of() { ls "$1/certs" 2>/dev/null | grep '\.crt$' | sort | tr '\n' ' '; }

check "member-use-dc mem2 dc2" member-use-dc mem2 dc2

# --- written through dc1, read through dc2 --------------------------------
tp1=$(newcert one)
out=$(import_on on_a one 2>&1)
check_match "import on mem1" "imported $tp1" "$out"
json=$(sync_a 2>&1)
check_eq "mem1 talks to dc1" "dc1.$DOMAIN_DNSDOMAIN" "$(echo "$json" | jget dc)"
check "replication settles" dc-replicate --user alice --timeout 60
json=$(sync_b 2>&1)
check_eq "mem2 talks to dc2" "dc2.$DOMAIN_DNSDOMAIN" "$(echo "$json" | jget dc)"
check_eq "mem2 downloads the 4 tokens written at dc1" 4 \
	"$(echo "$json" | jget counts.downloaded)"
check "mem2 has the certificate" test -f "$store_b/certs/$tp1.crt"

# --- both machines change tokens between replications ----------------------
check "replication paused" replication off
tp2=$(newcert two)
tp3=$(newcert three)
check_match "mem1 imports a second certificate (dc1)" "imported $tp2" \
	"$(import_on on_a two 2>&1)"
dump A-import "$store_a" "$(cat "$store_a/last-run" 2>/dev/null)"
check_match "mem2 imports a third one (dc2) before replication" \
	"imported $tp3" "$(import_on on_b three 2>&1)"
dump B-import "$store_b" "$(cat "$store_b/last-run" 2>/dev/null)"
# both delete the first one, each through its own DC: two tombstones of
# one identity that linked-value replication keeps side by side
rm -f "$store_a/certs/$tp1.crt" "$store_a/certs/$tp1.key"
rm -f "$store_b/certs/$tp1.crt" "$store_b/certs/$tp1.key"
check "mem1 syncs its deletion at dc1" sync_a
check "mem2 syncs its deletion at dc2" sync_b
check "replication resumed" replication on
check "replication settles after concurrent edits" dc-replicate --user alice
read -r nv ni nl <<<"$(ad_ids dc1)"
check_eq "replication kept both DCs' tombstones of the deleted certificate and its key" \
	"$((ni + 2))" "$nv"
for round in 1 2; do
	sync_a >/dev/null 2>&1
	sync_b >/dev/null 2>&1
	dc-replicate --user alice >/dev/null 2>&1
done
want=$(printf '%s.crt\n' "$tp2" "$tp3" | sort | tr '\n' ' ')
check_eq "mem1 holds both new certificates, not the deleted one" "$want" \
	"$(certs_of "$store_a")"
check_eq "mem2 holds the same set" "$want" "$(certs_of "$store_b")"
ids1=$(ad_ids dc1)
check_eq "dc1 and dc2 hold the same values" "$(ad_ids dc1 --digest)" \
	"$(ad_ids dc2 --digest)"
read -r nv ni nl <<<"$ids1"
check_eq "one value per identity in AD (no duplicate)" "$ni" "$nv"
json=$(sync_a 2>&1)
check_eq "after settling, mem1 writes nothing" 0 \
	"$(echo "$json" | jget ldap_modifies)"
json=$(sync_b 2>&1)
check_eq "after settling, mem2 writes nothing" 0 \
	"$(echo "$json" | jget ldap_modifies)"
# That run may be a full one: when mem1's last write reached dc2 after
# mem2's run before it, dc2's uSNChanged moved, and only a run that reads
# the values may say nothing is new.  The run after it is a fast path.
json=$(sync_b 2>&1)
check_eq "mem2's next run takes the fast path after replication moved the timestamp" \
	"true 0" "$(echo "$json" | jget fast_path) $(echo "$json" | jget ldap_modifies)"

# --- the last writer's timestamp wins, the values merge --------------------
# mem1 writes through dc1, then mem2 through dc2, replication paused: once
# it runs, both DCs hold both certificates but only mem2's timestamp,
# which mem2's state already holds.  mem2's next run must still see
# mem1's certificate (its state also names the object as dc2 had it
# then, and replication changed it there).
check "replication paused again" replication off
tp4=$(newcert four)
tp5=$(newcert five)
check_match "mem1 imports a fourth certificate (dc1)" "imported $tp4" \
	"$(import_on on_a four 2>&1)"
check_match "mem2 then imports a fifth (dc2): the later timestamp" \
	"imported $tp5" "$(import_on on_b five 2>&1)"
ts_b=$(on_b "$ADPROBE" --dc "dc2.$DOMAIN_DNSDOMAIN" timestamp 2>&1)
check "replication resumed again" replication on
check "replication settles after the two imports" dc-replicate --user alice
check_eq "dc2 keeps mem2's timestamp (the last writer's)" "$ts_b" \
	"$(on_b "$ADPROBE" --dc "dc2.$DOMAIN_DNSDOMAIN" timestamp 2>&1)"
json=$(sync_b 2>&1)
check_eq "mem2, whose timestamp won, does not take the fast path" false \
	"$(echo "$json" | jget fast_path)"
check "mem2 gets mem1's certificate" test -f "$store_b/certs/$tp4.crt"
json=$(sync_a 2>&1)
check "mem1 gets mem2's certificate" test -f "$store_a/certs/$tp5.crt"
json=$(sync_b 2>&1)
check_eq "mem2's run after that is a fast path again" true \
	"$(echo "$json" | jget fast_path)"

finish
