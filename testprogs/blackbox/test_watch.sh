#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# serial: measures how soon a change starts a run
# The per-user watcher, `credroam watch`, as alice on mem1 (after a PAM
# logon put her pre-keys into her keyring):
#   - a PEM pair dropped into certs/ reaches AD within a few seconds,
#     without any command;
#   - the watcher's own runs do not trigger more runs for ever (it goes
#     quiet);
#   - a burst of changes gives one run, not one per file;
#   - `credroam pulse` goes through the watcher and waits for its run;
#     without a watcher it runs by itself;
#   - a second watcher for the same store steps aside.
. "$(dirname "$0")/testlib.sh"

MOD=$BIN/winbind_plugin/pam_credroam.so
work=$(mktemp -d -p "$DOMAIN_WORKDIR")
chmod 1777 "$work"
trap 'kill "$wpid" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p /etc/samba "$work/pam.d"
# this test reads the key files certs/ holds with materialize = files
printf '[policy]\nroaming = yes\n[sync]\nmaterialize = files\n' \
	> /etc/samba/credroam.conf
cat > "$work/pam.d/logon" <<EOF
auth	[success=1 default=ignore]	pam_winbind.so krb5_auth krb5_ccache_type=FILE
auth	requisite	pam_deny.so
auth	required	pam_permit.so
auth	optional	$MOD credroam=$CREDROAM rundir=$work/run services=logon budget=20
account	required	pam_permit.so
session	required	pam_permit.so
session	optional	$MOD credroam=$CREDROAM rundir=$work/run services=logon budget=20
EOF
U="$DOMAIN_NAME\\alice" PW=$DOMAIN_USER_PASSWORD LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1 \
	PAM_WRAPPER_SERVICE_DIR="$work/pam.d" /usr/bin/python3 -c '
import os, pypamtest as p
p.run_pamtest(os.environ["U"], "logon",
              [p.TestCase(p.PAMTEST_AUTHENTICATE), p.TestCase(p.PAMTEST_OPEN_SESSION)],
              [os.environ["PW"]])' 2>/dev/null
rc=$?
check_eq "alice logs on (pre-keys into her keyring)" 0 "$rc"

store="$DOMAIN_WORKDIR/mem1/home/alice/.local/share/credroam"
creds() { as-user alice "$ADPROBE" count | awk '{print $1}'; }
runs() { grep -c "credroam watch: run " "$work/watch.log"; }
newpair() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/$1.key" \
		-out "$work/$1.crt" -subj "/CN=$1/O=ROAM" -days 30 2>/dev/null
	chmod 644 "$work/$1.key" "$work/$1.crt"
	openssl x509 -in "$work/$1.crt" -noout -fingerprint -sha1 |
		sed 's/.*=//; s/://g'
}
# --- without a watcher, pulse runs by itself --------------------------------
out=$(as-user alice "$CREDROAM" --json pulse 2>&1)
check_match "pulse without a watcher runs itself" '"trigger": "pulse"' "$out"

# --- the watcher ---------------------------------------------------------------
as-user alice "$CREDROAM" watch --debounce 1 --max-delay 5 \
	> "$work/watch.log" 2>&1 &
wpid=$!
sleep 1
check "the watcher runs" kill -0 $wpid
out=$(as-user alice "$CREDROAM" watch 2>&1)
check_match "a second watcher steps aside" "another watcher" "$out"
# let its first run (anything changed while nobody watched) settle
sleep 4
base=$(creds)
usn() { as-user alice "$ADPROBE" usn; }

tp=$(newpair dropped)
t0=$(date +%s.%N)
as-user --no-ticket alice cp "$work/dropped.crt" "$store/certs/dropped.crt"
as-user --no-ticket alice cp "$work/dropped.key" "$store/certs/dropped.key"
n=0
while [ "$(creds)" != $((base + 2)) ] && [ $n -lt 100 ]; do
	sleep 0.2; n=$((n + 1))
done
t=$(echo "$(date +%s.%N) - $t0" | bc)
check_eq "a pair dropped into certs/ reaches AD without any command" \
	$((base + 2)) "$(creds)"
echo "# reached AD after $t s"
check "within a few seconds ($t s)" \
	/usr/bin/python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 10 else 1)" "$t"
check_match "AD lists it" "$tp" "$(as-user alice "$CREDROAM" list 2>&1)"

# the watcher's own writes (materialized files) must not loop
sleep 4
u1=$(usn)
s1=$(stat -c %Y "$store/last-run")
sleep 6
check_eq "the watcher goes quiet: no run after its own writes" "$s1" \
	"$(stat -c %Y "$store/last-run")"
check_eq "and AD is not written again" "$u1" "$(usn)"

# --- a burst is one run ----------------------------------------------------
r0=$(runs)
as-user --no-ticket alice bash -c "for i in \$(seq 1 30); do
	echo x > '$store/certs/note\$i.txt'; sleep 0.05; done"
sleep 4
check_eq "a burst of 30 new files gives one run" $((r0 + 1)) "$(runs)"

# --- pulse through the watcher ---------------------------------------------
# nothing changed since the burst's run: the pulse's run is a no-change
# run, which writes nothing (not even last-run); the watcher's log shows it
r0=$(runs)
s1=$(stat -c '%i %Y' "$store/last-run")
out=$(as-user alice "$CREDROAM" pulse 2>&1)
rc=$?
check_eq "pulse through the watcher succeeds (it waits for the run)" 0 "$rc"
check_eq "the watcher started one run for it" $((r0 + 1)) "$(runs)"
check_match "the watcher's run said pulse" "trigger pulse" \
	"$(grep "credroam watch: run " "$work/watch.log" | tail -n 1)"
check_eq "a no-change run leaves last-run alone" "$s1" \
	"$(stat -c '%i %Y' "$store/last-run")"
check "the watcher still runs" kill -0 $wpid
kill $wpid
wait $wpid 2>/dev/null
sed 's/^/# watch: /' "$work/watch.log" | tail -n 5

finish
