#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# LDAP modify throughput of the test DC with and without credroam_guard, in
# the same run: each batch is one NTLM-bound LDAP connection of a storm
# user doing M token updates the way the client writes them (delete the
# old value, add the new one, no timestamp: the guard adds it).  Batches
# alternate guarded / unguarded (DC restarted in between with
# `samba-tool credroam guard enable|disable`), each on its own fresh user
# so that the deleted links piling up in an object weigh the same on both
# sides.  Prints modifies/s each way and the ratio (target: overhead < 5%).
#
#   selftest/with-domain --guarded bench/bench_guard.sh     (after waf build)
#   CLIENT_TS=1 ... the client sends the timestamp itself (both sides then
#                   write the same attributes: the guard's own cost only)
#   M=100 ROUNDS=12 selftest/with-domain --guarded bench/bench_guard.sh
set -u
. "$(dirname "$0")/../testprogs/blackbox/testlib.sh"

M=${M:-50}
ROUNDS=${ROUNDS:-12}

[ "${DOMAIN_GUARDED:-no}" = yes ] || {
	echo "bench_guard.sh: run it with selftest/with-domain --guarded" >&2
	exit 2
}

# batch USER: M modifies on USER's own object; prints the seconds taken
batch() {
	LD_PRELOAD= /usr/bin/python3 - "$1" "$M" <<'PY'
import hashlib, os, struct, sys, time
import ldb, samba
from samba.credentials import Credentials, DONT_USE_KERBEROS
from samba.param import LoadParm

user, m = sys.argv[1], int(sys.argv[2])
lp = LoadParm()
lp.load_default()
creds = Credentials()
creds.guess(lp)
creds.set_domain(os.environ["DOMAIN_NAME"])
creds.set_username(user)
creds.set_password(os.environ["DOMAIN_USER_PASSWORD"])
creds.set_kerberos_state(DONT_USE_KERBEROS)
db = samba.Ldb("ldap://" + os.environ["DOMAIN_DC"], credentials=creds,
               lp=lp)
dn = "CN=%s,CN=Users,%s" % (user, os.environ["DOMAIN_BASEDN"])

def value(i):
    data = os.urandom(2048)
    ident = hashlib.sha1(b"bench").hexdigest().upper()
    t = (b"%7\\" + ident.encode().ljust(93, b"\0") +
         struct.pack("<QHH", 0x01D29BD7FD571034 + i, 0, 0) +
         hashlib.sha1(data).digest() + struct.pack("<I", len(data)) + data)
    return "B:%d:%s:%s" % (2 * len(t), t.hex().upper(), dn)

values = [value(i) for i in range(m + 1)]
msg = ldb.Message(ldb.Dn(db, dn))
msg["msPKIAccountCredentials"] = ldb.MessageElement(
    values[0], ldb.FLAG_MOD_ADD, "msPKIAccountCredentials")
db.modify(msg)
t0 = time.monotonic()
for i in range(1, m + 1):
    msg = ldb.Message(ldb.Dn(db, dn))
    msg["0"] = ldb.MessageElement(values[i - 1], ldb.FLAG_MOD_DELETE,
                                  "msPKIAccountCredentials")
    msg["1"] = ldb.MessageElement(values[i], ldb.FLAG_MOD_ADD,
                                  "msPKIAccountCredentials")
    if os.environ.get("CLIENT_TS"):
        msg["2"] = ldb.MessageElement(
            struct.pack("<QQ", i, i), ldb.FLAG_MOD_REPLACE,
            "msPKIRoamingTimeStamp")
    db.modify(msg)
print("%.3f" % (time.monotonic() - t0))
PY
}

# The LDAP server builds a fresh sam.ldb stack, reading @MODULES, for every
# connection: switching @LIST in the running DC's database switches the
# guard for the next batch, so batches can alternate closely without
# restarting the DC (only the bench does this; `guard enable|disable`
# want the DC stopped, since long-lived handles keep their stack).
set_list() {
	printf 'dn: @MODULES\nchangetype: modify\nreplace: @LIST\n@LIST: %s\n' "$1" |
		LD_PRELOAD= ldbmodify -H "tdb://$DOMAIN_DC_DIR/private/sam.ldb" \
		-o modules: >/dev/null || exit 1
}

# Proof that the switch works: a hash-mismatch token for a spare user is
# refused with the guard on and accepted with it off.
probe_user=user199
probe() {
	LD_PRELOAD= /usr/bin/python3 - "$probe_user" <<'PY'
import hashlib, os, struct, sys
import ldb, samba
from samba.credentials import Credentials, DONT_USE_KERBEROS
from samba.param import LoadParm
user = sys.argv[1]
lp = LoadParm(); lp.load_default()
creds = Credentials(); creds.guess(lp)
creds.set_domain(os.environ["DOMAIN_NAME"]); creds.set_username(user)
creds.set_password(os.environ["DOMAIN_USER_PASSWORD"])
creds.set_kerberos_state(DONT_USE_KERBEROS)
db = samba.Ldb("ldap://" + os.environ["DOMAIN_DC"], credentials=creds, lp=lp)
dn = "CN=%s,CN=Users,%s" % (user, os.environ["DOMAIN_BASEDN"])
data = os.urandom(16)
t = (b"%7\\" + b"3B83BFA7037F6A79B3F3D17D229E1BC097F35B51".ljust(93, b"\0") +
     struct.pack("<QHH", 0, 0, 0) + b"\x01" * 20 +
     struct.pack("<I", len(data)) + data)
msg = ldb.Message(ldb.Dn(db, dn))
msg["c"] = ldb.MessageElement("B:%d:%s:%s" % (2 * len(t), t.hex().upper(), dn),
                              ldb.FLAG_MOD_ADD, "msPKIAccountCredentials")
try:
    db.modify(msg)
    print("accepted")
except ldb.LdbError as e:
    print("refused" if "credroam_guard" in e.args[1] else "error %s" % (e.args,))
PY
}

set_list credroam_guard,samba_dsdb
[ "$(probe)" = refused ] || { echo "guard on: bad token not refused" >&2; exit 1; }
set_list samba_dsdb
[ "$(probe)" = accepted ] || { echo "guard off: bad token not accepted" >&2; exit 1; }

g_total=0
u_total=0
user=0
printf '%5s %12s %12s %8s\n' round guarded/s plain/s ratio
for r in $(seq 1 "$ROUNDS"); do
	# alternate which side goes first, against drift
	for side in $( [ $((r % 2)) = 1 ] && echo g u || echo u g); do
		user=$((user + 1))
		if [ $side = g ]; then
			set_list credroam_guard,samba_dsdb
			g=$(batch "$(printf 'user%03d' $user)") || exit 1
		else
			set_list samba_dsdb
			u=$(batch "$(printf 'user%03d' $user)") || exit 1
		fi
	done
	printf '%5s %12.1f %12.1f %8.3f\n' "$r" \
		"$(echo "$M / $g" | bc -l)" "$(echo "$M / $u" | bc -l)" \
		"$(echo "$g / $u" | bc -l)"
	ratios="${ratios:-} $(echo "$g / $u" | bc -l)"
	g_total=$(echo "$g_total + $g" | bc -l)
	u_total=$(echo "$u_total + $u" | bc -l)
done
set_list credroam_guard,samba_dsdb
# the median of the rounds' ratios: the machine is shared, and one
# disturbed batch should not decide the figure
ratio=$(printf '%s\n' $ratios | sort -g |
	awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
printf 'guard modify (%s): %d x %d token updates over LDAP, time guarded/plain = %.3f median (%.3f overall), overhead %.1f%% (target < 5%%)\n' \
	"$([ -n "${CLIENT_TS:-}" ] && echo "client sets the timestamp" ||
		echo "guard sets the timestamp")" \
	"$ROUNDS" "$M" "$ratio" "$(echo "$g_total / $u_total" | bc -l)" \
	"$(echo "($ratio - 1) * 100" | bc -l)"
