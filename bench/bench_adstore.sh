#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Reading N roaming tokens (2 KiB each) through adstore (`cr_adprobe
# count`: winbind SID lookup, rootDSE, user search, token read) against a
# raw `ldbsearch` of the same two attributes of the same object, in the
# same run with the same Kerberos ticket.  Both are whole processes (bind
# included).  Prints the ratio adstore/ldbsearch per N (target <= 1.3).
#
#   selftest/with-domain bench/bench_adstore.sh     (after `waf build`)
#   R=10 SIZES="10 100" selftest/with-domain bench/bench_adstore.sh
set -u
. "$(dirname "$0")/../testprogs/blackbox/testlib.sh"

R=${R:-5}
SIZES=${SIZES:-"10 100 1000 2000"}
DN=$(user_dn alice)
work=$(mktemp -d); chmod 1777 "$work"
trap 'rm -rf "$work"' EXIT

# ldif OP N: add/delete N tokens of 2 KiB data
ldif() {
	printf 'dn: %s\nchangetype: modify\n%s: msPKIAccountCredentials\n' \
		"$DN" "$1"
	"$ADPROBE" mkvalues "$DN" 7 "$2" 2048 bench |
		sed 's/^/msPKIAccountCredentials: /'
}

cat > "$work/run.sh" <<'INNER'
#!/bin/bash
# runs as alice: time R runs of each reader, print "adstore_ms ldb_ms"
now() { date +%s%N; }
t0=$(now)
for i in $(seq 1 "$R"); do
	"$ADPROBE" count >/dev/null || exit 1
done
t1=$(now)
for i in $(seq 1 "$R"); do
	LD_PRELOAD= ldbsearch -H "ldap://$DOMAIN_DC" --use-kerberos=required \
		-b "$DN" -s base msPKIAccountCredentials msPKIDPAPIMasterKeys \
		>/dev/null 2>&1 || exit 1
done
t2=$(now)
echo $(( (t1 - t0) / 1000000 )) $(( (t2 - t1) / 1000000 ))
INNER
chmod 755 "$work/run.sh"

printf '%6s %12s %12s %7s\n' N adstore_ms ldbsearch_ms ratio
for n in $SIZES; do
	ldif add "$n" > "$work/add.ldif"
	chmod 644 "$work/add.ldif"
	as-user alice env LD_PRELOAD= ldbmodify -H "ldap://$DOMAIN_DC" \
		--use-kerberos=required "$work/add.ldif" >/dev/null 2>&1 || {
		echo "could not add $n tokens" >&2; exit 1; }
	got=$(as-user alice "$ADPROBE" count)
	[ "$got" = "$n 0" ] || { echo "count says '$got', not $n" >&2; exit 1; }
	# warm up (winbind caches, DC caches) once each
	as-user alice env R=1 ADPROBE="$ADPROBE" DN="$DN" \
		DOMAIN_DC="$DOMAIN_DC" "$work/run.sh" >/dev/null
	set -- $(as-user alice env R="$R" ADPROBE="$ADPROBE" DN="$DN" \
		DOMAIN_DC="$DOMAIN_DC" "$work/run.sh")
	printf '%6s %12s %12s %7s\n' "$n" "$1" "$2" \
		"$(awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }')"
	sed 's/^add:/delete:/' "$work/add.ldif" > "$work/del.ldif"
	chmod 644 "$work/del.ldif"
	as-user alice env LD_PRELOAD= ldbmodify -H "ldap://$DOMAIN_DC" \
		--use-kerberos=required "$work/del.ldif" >/dev/null 2>&1
done
