#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# with-domain: --members 2
#
# The PKCS#11 agent (issue 18): alice's certificate and key imported on
# mem1 roam to mem2; `credroam agent` as alice on mem2 serves them as a
# token through p11-kit's remoting:
#   - p11tool (GnuTLS, p11-kit-client.so) lists the certificate and a
#     private key whose value cannot be read; pkcs11-tool (OpenSC) too;
#   - a signature made through the token verifies against the certificate
#     with openssl;
#   - no file under her home, /tmp or /run of mem2 holds the private key;
#   - a key and certificate written into the token with p11tool become
#     roaming tokens and open on mem1 after a run;
#   - bob's uid is refused by the socket, even when its modes let him in;
#   - without a master key (no keyring, no DC) the token requires a login:
#     a wrong password is CKR_PIN_INCORRECT, hers unlocks the key.
. "$(dirname "$0")/testlib.sh"

CLIENT=/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so
work=$(mktemp -d -p "$DOMAIN_WORKDIR"); chmod 1777 "$work"
agent_pids=()
cleanup() {
	local p
	for p in "${agent_pids[@]}"; do
		on-member mem2 kill "$p" 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT
echo "$DOMAIN_USER_PASSWORD" > "$work/pw"
printf '[policy]\nroaming = yes\n' > "$work/conf"
chmod 644 "$work/pw" "$work/conf"

on_a() { as-user alice "$@"; }
on_b() { on-member mem2 as-user alice "$@"; }
store_b="$DOMAIN_WORKDIR/mem2/home/alice/.local/share/credroam"

# start_agent SOCKET LOG ARGS...: an agent as alice on mem2; its pid
start_agent() {
	local sock=$1 log=$2 i pid=
	shift 2
	on_b "$CREDROAM" agent --foreground --socket "$sock" "$@" \
		>"$log" 2>&1 &
	for i in $(seq 1 100); do
		pid=$(sed -n 's/^credroam agent: pid \([0-9]*\) serving.*/\1/p' \
			"$log")
		[ -n "$pid" ] && break
		sleep 0.1
	done
	agent_pids+=("$pid")
	echo "$pid"
}
# p11 SOCKET CMD...: a client of the agent on SOCKET, as alice on mem2
p11() {
	local sock=$1
	shift
	on_b env P11_KIT_SERVER_ADDRESS="unix:path=$sock" "$@"
}

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/mine.key" \
	-out "$work/mine.crt" -subj "/CN=alice agent test/O=ROAM" \
	-days 30 2>/dev/null
chmod 644 "$work/mine.key" "$work/mine.crt"
tp=$(openssl x509 -in "$work/mine.crt" -noout -fingerprint -sha1 |
	sed 's/.*=//; s/://g')
# what must not be found in any file of mem2: the PKCS#8 key, its base64
# and the private exponent
openssl pkey -in "$work/mine.key" -outform DER > "$work/needle.pk8"
openssl rsa -in "$work/mine.key" -text -noout 2>/dev/null |
	awk '/^privateExponent:/{on=1; next} /^[a-z]/{on=0} on' |
	tr -d ' :\n' > "$work/needle.d"

out=$(on_a "$CREDROAM" import "$work/mine.crt" "$work/mine.key" \
	--password-file "$work/pw" --conf "$work/conf" --no-keyring 2>&1)
check_match "credroam import on mem1" "imported $tp" "$out"
rm -f "$work/mine.key"

mat=
if "$CREDROAM" sync --help 2>&1 | grep -q -- --materialize; then
	mat="--materialize token"
fi
# shellcheck disable=SC2086
out=$(on_b "$CREDROAM" sync --conf "$work/conf" --no-keyring $mat 2>&1)
check_match "a run on mem2 downloads her tokens" "4 downloaded" "$out"
check "mem2 has the certificate" test -f "$store_b/certs/$tp.crt"
if [ -z "$mat" ] && [ -f "$store_b/certs/$tp.key" ]; then
	# a tree without materialize = token still writes the key file
	rm -f "$store_b/certs/$tp.key"
fi

# --- the agent: master key over MS-BKRP, no keyring ---------------------
sock="$work/alice-agent/pkcs11"
pid=$(start_agent "$sock" "$work/agent.log" --no-keyring --conf "$work/conf")
check "the agent starts and listens" test -S "$sock"
check_eq "its socket is private" 600 "$(stat -c %a "$sock" 2>&1)"
check_eq "so is its folder" 700 "$(stat -c %a "$(dirname "$sock")" 2>&1)"
check_match "it serves a key, none locked" "1 keys, 0 locked" \
	"$(cat "$work/agent.log")"

out=$(p11 "$sock" p11tool --provider "$CLIENT" --list-tokens 2>&1)
check_match "p11tool sees the token" "Label: credroam ROAM.alice" "$out"
out=$(p11 "$sock" p11tool --provider "$CLIENT" --list-all \
	"pkcs11:token=credroam%20ROAM%5Calice" 2>&1)
check_match "p11tool lists the certificate" "Type: X.509 Certificate" "$out"
check_match "p11tool lists the private key" "Type: Private key" "$out"
check_match "the key is sensitive" "CKA_SENSITIVE" "$out"
check_match "the objects carry the certificate's name" \
	"Label: alice agent test" "$out"
id=$(printf '%s\n' "$out" | sed -n 's/.*ID: \([0-9a-f:]*\)$/\1/p' |
	head -n 1 | tr -d ':')
check_match "they have an ID" '^[0-9a-f]{40}$' "$id"

out=$(p11 "$sock" pkcs11-tool --module "$CLIENT" --list-objects 2>&1)
check_match "pkcs11-tool lists the certificate" "Certificate Object" "$out"
check_match "pkcs11-tool lists the private key" "Private Key Object; RSA" \
	"$out"
rm -f "$work/priv.out"
p11 "$sock" pkcs11-tool --module "$CLIENT" --read-object --type privkey \
	--id "$id" -o "$work/priv.out" >/dev/null 2>&1
check_fails "the private key's value cannot be read" test -s "$work/priv.out"

echo "signed through the credroam token" > "$work/data"
chmod 644 "$work/data"
rm -f "$work/sig"
out=$(p11 "$sock" pkcs11-tool --module "$CLIENT" --sign \
	-m SHA256-RSA-PKCS --id "$id" -i "$work/data" -o "$work/sig" 2>&1)
check "pkcs11-tool signs through the token" test -s "$work/sig"
openssl x509 -in "$work/mine.crt" -pubkey -noout > "$work/pub.pem"
check "the signature verifies against the certificate" \
	openssl dgst -sha256 -verify "$work/pub.pem" -signature "$work/sig" \
	"$work/data"
pid_url=$(printf '%s' "$id" | sed 's/../%&/g')
out=$(p11 "$sock" p11tool --provider "$CLIENT" --test-sign \
	"pkcs11:token=credroam%20ROAM%5Calice;id=$pid_url;type=private" 2>&1)
check_match "p11tool's sign-and-verify test passes" "ok" "$out"

# --- the other direction: p11tool writes a key and certificate ---------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/w.key" \
	-out "$work/w.crt" -subj "/CN=written into the token" -days 30 \
	2>/dev/null
chmod 644 "$work/w.key" "$work/w.crt"
tp2=$(openssl x509 -in "$work/w.crt" -noout -fingerprint -sha1 |
	sed 's/.*=//; s/://g')
out=$(p11 "$sock" env GNUTLS_PIN=any p11tool --provider "$CLIENT" --login \
	--write --load-privkey "$work/w.key" --load-certificate "$work/w.crt" \
	--label written "pkcs11:token=credroam%20ROAM%5Calice" 2>&1)
check_fails "p11tool writes a key and certificate into the token" \
	grep -qi "error" <<<"$out"
check "they are roaming tokens of mem2's store at once" \
	test -f "$store_b/roaming/CryptoApiCertificate/$tp2"
out=$(p11 "$sock" p11tool --provider "$CLIENT" --list-all \
	"pkcs11:token=credroam%20ROAM%5Calice" 2>&1)
check_match "the token serves the written certificate" \
	"Label: written into the token" "$out"
# shellcheck disable=SC2086
on_b "$CREDROAM" sync --conf "$work/conf" --no-keyring --wait 60 $mat \
	>/dev/null 2>&1
matf=
[ -n "$mat" ] && matf="--materialize files"
# shellcheck disable=SC2086
out=$(on_a "$CREDROAM" sync --conf "$work/conf" --no-keyring \
	--password-file "$work/pw" $matf 2>&1)
store_a="$DOMAIN_WORKDIR/mem1/home/alice/.local/share/credroam"
check "mem1 gets the certificate written on mem2" \
	test -f "$store_a/certs/$tp2.crt"
check_eq "and its key, which opens on mem1" \
	"$(openssl pkey -in "$work/w.key" -outform DER | sha1sum)" \
	"$(openssl pkey -in "$store_a/certs/$tp2.key" -outform DER 2>&1 |
	   sha1sum)"
rm -f "$work/w.key"

# --- no plaintext key in any file of mem2 -------------------------------
found=$(on-member mem2 /usr/bin/python3 - "$work/needle.pk8" \
	"$work/needle.d" "$DOMAIN_WORKDIR" \
	"$DOMAIN_WORKDIR/mem2/home/alice" "$TOP" <<'PY'
import base64, os, sys
pk8 = open(sys.argv[1], 'rb').read()
d = bytes.fromhex(open(sys.argv[2]).read().strip())
d = d.lstrip(b'\0')
needles = [pk8, base64.b64encode(pk8)[:48], d[:64],
           d[:64].hex().encode()]
workdir, home, top = sys.argv[3], sys.argv[4], sys.argv[5]
hits = []
for root in (home, '/tmp', '/run'):
    for dp, dns, fns in os.walk(root):
        if dp.startswith(top) or (dp.startswith(workdir) and
                                  not dp.startswith(home)):
            dns[:] = []
            continue
        for fn in fns:
            p = os.path.join(dp, fn)
            try:
                if not os.path.isfile(p) or os.path.islink(p) or \
                   os.path.getsize(p) > 50 * 1024 * 1024:
                    continue
                data = open(p, 'rb').read()
            except OSError:
                continue
            if any(n in data for n in needles):
                hits.append(p)
print(' '.join(hits))
PY
)
check_eq "no file of mem2 holds the private key" "" "$found"

# --- bob is refused by the agent, whatever the modes --------------------
on-member mem2 chmod 0711 "$(dirname "$sock")"
on-member mem2 chmod 0666 "$sock"
out=$(on-member mem2 as-user bob env P11_KIT_SERVER_ADDRESS="unix:path=$sock" \
	p11tool --provider "$CLIENT" --list-tokens 2>&1)
check_fails "bob sees no credroam token" \
	grep -q "credroam ROAM" <<<"$out"
check_match "the agent says it refused bob's uid" \
	"refused a connection from uid" "$(cat "$work/agent.log")"
on-member mem2 kill "$pid"
sleep 0.5
check_match "the agent wipes its keys and stops on SIGTERM" \
	"keys wiped, stopping" "$(cat "$work/agent.log")"

# --- no master key: login required --------------------------------------
sock2="$work/alice-agent2/pkcs11"
start_agent "$sock2" "$work/agent2.log" --no-keyring --no-dc >/dev/null
check_match "without keyring and DC the keys are locked" "0 keys, [1-9][0-9]* locked" \
	"$(cat "$work/agent2.log")"
out=$(p11 "$sock2" p11tool --provider "$CLIENT" --list-tokens 2>&1)
check_match "the token says a login is required" "Requires login" "$out"
out=$(p11 "$sock2" pkcs11-tool --module "$CLIENT" --list-objects \
	--type privkey 2>&1)
check_fails "no private key before the login" \
	grep -q "Private Key Object" <<<"$out"
out=$(p11 "$sock2" pkcs11-tool --module "$CLIENT" --login \
	--pin "not-her-password" --list-objects 2>&1)
check_match "a wrong password is CKR_PIN_INCORRECT" "CKR_PIN_INCORRECT" \
	"$out"
out=$(p11 "$sock2" pkcs11-tool --module "$CLIENT" --login \
	--pin "$DOMAIN_USER_PASSWORD" --list-objects --type privkey 2>&1)
check_match "her domain password unlocks the key" "Private Key Object" \
	"$out"
rm -f "$work/sig"
out=$(p11 "$sock2" pkcs11-tool --module "$CLIENT" --login \
	--pin "$DOMAIN_USER_PASSWORD" --sign -m SHA256-RSA-PKCS --id "$id" \
	-i "$work/data" -o "$work/sig" 2>&1)
check "and the key signs after the login" \
	openssl dgst -sha256 -verify "$work/pub.pem" -signature "$work/sig" \
	"$work/data"
finish
